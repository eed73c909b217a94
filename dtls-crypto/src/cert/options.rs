//! The configuration string of the seed's `Certificate(storeType, store,
//! storePassword, subject, configurationString)`: newline-separated
//! `Name=Value` pairs, each taking effect or refused with the reason.

use crate::Error;

/// What a configuration string asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct StoreOptions {
    /// `Thumbprint`: select the certificate by this thumbprint.
    pub(super) thumbprint: Option<String>,
}

fn refuse(what: String) -> Error {
    Error::UnsupportedStore(format!("certificate configuration string: {what}"))
}

/// The seed's boolean spellings.
fn parse_bool(name: &str, value: &str) -> Result<bool, Error> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(refuse(format!("{name}={value}: not a boolean"))),
    }
}

impl StoreOptions {
    /// Parses `text`; blank lines are ignored, names are case-insensitive.
    pub(super) fn parse(text: &str) -> Result<StoreOptions, Error> {
        let mut options = StoreOptions::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once('=') else {
                return Err(refuse(format!("{line:?} is not Name=Value")));
            };
            let (name, value) = (name.trim(), value.trim());
            match name.to_ascii_lowercase().as_str() {
                "thumbprint" => options.thumbprint = Some(value.to_owned()),
                "persistpfxkey" => {
                    if !parse_bool(name, value)? {
                        return Err(refuse(
                            "PersistPFXKey=False is not supported: the private key is held in \
                             memory for the certificate's life and never written to a key \
                             container; drop the Certificate to discard it"
                                .into(),
                        ));
                    }
                }
                "useinternalsecurityapi" => {
                    if !parse_bool(name, value)? {
                        return Err(refuse(
                            "UseInternalSecurityAPI=False is not supported: the internal \
                             pure-Rust implementation is the only one"
                                .into(),
                        ));
                    }
                }
                _ => {
                    return Err(refuse(format!(
                        "{name} is not known (PersistPFXKey, Thumbprint, UseInternalSecurityAPI)"
                    )));
                }
            }
        }
        Ok(options)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::StoreOptions;

    #[test]
    fn each_name_takes_effect_or_is_refused_with_the_reason() {
        let o = StoreOptions::parse("\nPersistPFXKey=True\r\n thumbprint = AB:CD \n").unwrap();
        assert_eq!(o.thumbprint.as_deref(), Some("AB:CD"));
        assert_eq!(StoreOptions::parse("").unwrap(), StoreOptions::default());
        for (text, says) in [
            ("PersistPFXKey=False", "held in memory"),
            ("UseInternalSecurityAPI=0", "only one"),
            ("KeyContainer=x", "KeyContainer is not known"),
            ("Thumbprint", "not Name=Value"),
            ("PersistPFXKey=maybe", "not a boolean"),
        ] {
            let err = StoreOptions::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
