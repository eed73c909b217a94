//! `--psk IDENTITY:HEXKEY` and `--psk-file`: the echo server's pre-shared
//! keys (RFC 4279), in the `identity:hexkey` form OpenSSL's and GnuTLS's
//! tools use (GnuTLS's `psktool` writes such files).

use std::path::Path;

use dtls_core::psk::{PresharedKey, PskTable};

/// Parses one `IDENTITY:HEXKEY`; the identity is everything before the
/// last colon (so it may contain colons itself).
pub fn parse_entry(text: &str) -> Result<(Vec<u8>, PresharedKey), String> {
    let (identity, key) = text
        .trim()
        .rsplit_once(':')
        .ok_or_else(|| format!("\"{text}\": expected IDENTITY:HEXKEY"))?;
    if identity.is_empty() {
        return Err(format!("\"{text}\": the identity is empty"));
    }
    if identity.len() > dtls_core::internals::msgs::messages::MAX_PSK_IDENTITY_LEN {
        return Err(format!(
            "\"{text}\": the identity is longer than 1024 bytes"
        ));
    }
    let key = PresharedKey::from_hex(key).map_err(|e| format!("identity \"{identity}\": {e}"))?;
    Ok((identity.as_bytes().to_vec(), key))
}

/// The table of `--psk` entries and the lines of `--psk-file` (one
/// `IDENTITY:HEXKEY` per line; blank lines and `#` comments skipped). A
/// bad line names its file and line number.
pub fn load(entries: &[String], file: Option<&Path>) -> Result<PskTable, String> {
    let mut table = PskTable::new();
    for entry in entries {
        let (identity, key) = parse_entry(entry).map_err(|e| format!("--psk {e}"))?;
        table.insert(identity, key);
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--psk-file {}: {e}", path.display()))?;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (identity, key) = parse_entry(line)
                .map_err(|e| format!("--psk-file {} line {}: {e}", path.display(), number + 1))?;
            table.insert(identity, key);
        }
    }
    Ok(table)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use dtls_core::psk::PskResolver;

    use super::*;

    #[test]
    fn entries_and_files() {
        let (id, key) = parse_entry("urn:dev:17:0a0B").unwrap();
        assert_eq!(id, b"urn:dev:17");
        assert_eq!(key.as_bytes(), &[0x0a, 0x0b]);
        for bad in ["nokey", ":00", "id:", "id:0", "id:zz"] {
            assert!(parse_entry(bad).is_err(), "{bad}");
        }
        let dir = std::env::temp_dir().join(format!("dtls-echo-psk-{}", std::process::id()));
        std::fs::write(&dir, "# keys\n\nsensor-1:00ff\nsensor-2:0102\n").unwrap();
        let table = load(&["cli:aa".to_owned()], Some(&dir)).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table.resolve(b"sensor-2").unwrap().as_bytes(), &[1, 2]);
        std::fs::write(&dir, "sensor-1:00ff\nbroken\n").unwrap();
        let err = load(&[], Some(&dir)).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        std::fs::remove_file(&dir).unwrap();
    }
}
