//! Signature algorithm code points and the `TLS12SignatureAlgorithms`
//! setting.
//!
//! In TLS 1.2 the signature algorithm is the (hash, signature) pair of
//! RFC 5246 section 7.4.1.4.1, which shares its code points with the TLS 1.3
//! `SignatureScheme` registry (RFC 8446 section 4.2.3). One difference
//! matters: in TLS 1.2 `ecdsa_secp256r1_sha256` (0x0403) means "SHA-256 with
//! ECDSA" on *any* curve, not only P-256 (RFC 8422 section 5.1.3).

use crate::Error;

/// `head` followed by `tail`, at compile time.
const fn concat<const T: usize, const N: usize>(
    head: &[SignatureScheme],
    tail: [SignatureScheme; T],
) -> [SignatureScheme; N] {
    let mut out = [SignatureScheme::EcdsaSha1; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < head.len() {
            head[i]
        } else {
            tail[i - head.len()]
        };
        i += 1;
    }
    out
}

/// A TLS signature algorithm code point (RFC 5246 section 7.4.1.4.1 as
/// (hash, signature) byte pairs; names and the 0x08xx values from RFC 8446
/// section 4.2.3, usable in TLS 1.2 per RFC 8422 and RFC 8446 section 4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-1 (legacy; verification only).
    RsaPkcs1Sha1 = 0x0201,
    /// ECDSA with SHA-1 (legacy; neither signing nor verification: `ring`
    /// implements neither).
    EcdsaSha1 = 0x0203,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256 = 0x0401,
    /// ECDSA with SHA-256 (in TLS 1.2: on any curve).
    EcdsaSecp256r1Sha256 = 0x0403,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384 = 0x0501,
    /// ECDSA with SHA-384 (in TLS 1.2: on any curve).
    EcdsaSecp384r1Sha384 = 0x0503,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512 = 0x0601,
    /// ECDSA with SHA-512 (verification of P-521 keys only; not for signing).
    EcdsaSecp521r1Sha512 = 0x0603,
    /// RSASSA-PSS, rsaEncryption key, SHA-256, salt length 32.
    RsaPssRsaeSha256 = 0x0804,
    /// RSASSA-PSS, rsaEncryption key, SHA-384, salt length 48.
    RsaPssRsaeSha384 = 0x0805,
    /// RSASSA-PSS, rsaEncryption key, SHA-512, salt length 64.
    RsaPssRsaeSha512 = 0x0806,
    /// Ed25519 (RFC 8422 section 5.1.3 for TLS 1.2).
    Ed25519 = 0x0807,
}

impl SignatureScheme {
    /// The default preference order: ECDSA, Ed25519, then RSA with PSS
    /// before PKCS#1 v1.5 (RFC 8446 4.2.3 prefers PSS). Every scheme here
    /// can sign; the last six are exactly the RSA ones, in that order.
    pub const DEFAULT: &'static [SignatureScheme] = &[
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::Ed25519,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// The RSA schemes an RSA key signs with, in preference order: the
    /// RSA tail of [`DEFAULT`](Self::DEFAULT).
    pub const RSA_SIGNING: &'static [SignatureScheme] = Self::DEFAULT.split_at(3).1;

    /// Every scheme this module knows: [`DEFAULT`](Self::DEFAULT), then the
    /// ones only verified (ECDSA P-521) or only named (SHA-1).
    pub const ALL: &'static [SignatureScheme] = &concat::<3, 12>(
        Self::DEFAULT,
        [
            SignatureScheme::EcdsaSecp521r1Sha512,
            SignatureScheme::RsaPkcs1Sha1,
            SignatureScheme::EcdsaSha1,
        ],
    );

    /// The scheme with this code point, if known.
    pub const fn from_u16(value: u16) -> Option<SignatureScheme> {
        Some(match value {
            0x0201 => SignatureScheme::RsaPkcs1Sha1,
            0x0203 => SignatureScheme::EcdsaSha1,
            0x0401 => SignatureScheme::RsaPkcs1Sha256,
            0x0403 => SignatureScheme::EcdsaSecp256r1Sha256,
            0x0501 => SignatureScheme::RsaPkcs1Sha384,
            0x0503 => SignatureScheme::EcdsaSecp384r1Sha384,
            0x0601 => SignatureScheme::RsaPkcs1Sha512,
            0x0603 => SignatureScheme::EcdsaSecp521r1Sha512,
            0x0804 => SignatureScheme::RsaPssRsaeSha256,
            0x0805 => SignatureScheme::RsaPssRsaeSha384,
            0x0806 => SignatureScheme::RsaPssRsaeSha512,
            0x0807 => SignatureScheme::Ed25519,
            _ => return None,
        })
    }

    /// The two-byte code point (hash byte, signature byte in TLS 1.2 terms).
    pub const fn to_u16(self) -> u16 {
        self as u16
    }

    /// The IANA registry name, e.g. `ecdsa_secp256r1_sha256`.
    pub const fn name(self) -> &'static str {
        match self {
            SignatureScheme::RsaPkcs1Sha1 => "rsa_pkcs1_sha1",
            SignatureScheme::EcdsaSha1 => "ecdsa_sha1",
            SignatureScheme::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            SignatureScheme::EcdsaSecp256r1Sha256 => "ecdsa_secp256r1_sha256",
            SignatureScheme::RsaPkcs1Sha384 => "rsa_pkcs1_sha384",
            SignatureScheme::EcdsaSecp384r1Sha384 => "ecdsa_secp384r1_sha384",
            SignatureScheme::RsaPkcs1Sha512 => "rsa_pkcs1_sha512",
            SignatureScheme::EcdsaSecp521r1Sha512 => "ecdsa_secp521r1_sha512",
            SignatureScheme::RsaPssRsaeSha256 => "rsa_pss_rsae_sha256",
            SignatureScheme::RsaPssRsaeSha384 => "rsa_pss_rsae_sha384",
            SignatureScheme::RsaPssRsaeSha512 => "rsa_pss_rsae_sha512",
            SignatureScheme::Ed25519 => "ed25519",
        }
    }

    /// Whether the scheme hashes with SHA-1. SHA-1 schemes are only ever
    /// used when explicitly configured (RFC 9155 deprecates them).
    pub const fn is_sha1(self) -> bool {
        matches!(
            self,
            SignatureScheme::RsaPkcs1Sha1 | SignatureScheme::EcdsaSha1
        )
    }

    /// Whether [`verify_signature`](crate::sign::verify_signature) can check this scheme for at least one
    /// kind of certificate key.
    pub fn can_verify(self) -> bool {
        !crate::sigverify::verifiers(self).is_empty()
    }

    /// Parses one name of the `TLS12SignatureAlgorithms` setting: the
    /// seed's `hash-signature` form (`sha256-ecdsa`, `sha384-rsa`, also
    /// `sha256-rsapss`), or an IANA name (`rsa_pss_rsae_sha256`, `ed25519`);
    /// case-insensitive. In the `hash-signature` form, `rsa` means
    /// RSASSA-PKCS1-v1_5, as in RFC 5246 section 7.4.1.4.1.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for a known algorithm we cannot use
    /// (DSA, SHA-224, MD5, ECDSA with SHA-1), [`Error::UnknownAlgorithm`]
    /// for anything else.
    pub fn parse(name: &str) -> Result<SignatureScheme, Error> {
        let trimmed = name.trim();
        let lower = trimmed.to_ascii_lowercase();
        let unsupported = |reason: &'static str| Error::UnsupportedAlgorithm {
            name: trimmed.to_owned(),
            reason,
        };
        let unknown = || Error::UnknownAlgorithm {
            kind: "signature algorithm",
            name: trimmed.to_owned(),
        };
        let scheme = if let Some(s) = Self::ALL.iter().find(|s| s.name() == lower) {
            *s
        } else {
            let (hash, sig) = lower.split_once('-').ok_or_else(unknown)?;
            use SignatureScheme as S;
            match (hash, sig) {
                ("md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512", "dsa") => {
                    return Err(unsupported("DSA signatures are not implemented"));
                }
                ("md5", "rsa" | "ecdsa") => {
                    return Err(unsupported("MD5 signatures are forbidden (RFC 9155)"));
                }
                ("sha224", "rsa" | "ecdsa" | "rsapss" | "rsa-pss") => {
                    return Err(unsupported("SHA-224 signatures are not available in ring"));
                }
                ("sha1", "rsa") => S::RsaPkcs1Sha1,
                ("sha1", "ecdsa") => S::EcdsaSha1,
                ("sha256", "rsa") => S::RsaPkcs1Sha256,
                ("sha384", "rsa") => S::RsaPkcs1Sha384,
                ("sha512", "rsa") => S::RsaPkcs1Sha512,
                ("sha256", "ecdsa") => S::EcdsaSecp256r1Sha256,
                ("sha384", "ecdsa") => S::EcdsaSecp384r1Sha384,
                ("sha512", "ecdsa") => S::EcdsaSecp521r1Sha512,
                ("sha256", "rsapss" | "rsa-pss") => S::RsaPssRsaeSha256,
                ("sha384", "rsapss" | "rsa-pss") => S::RsaPssRsaeSha384,
                ("sha512", "rsapss" | "rsa-pss") => S::RsaPssRsaeSha512,
                _ => return Err(unknown()),
            }
        };
        if scheme == SignatureScheme::EcdsaSha1 {
            return Err(unsupported(
                "ring implements neither signing nor verification of ECDSA with SHA-1",
            ));
        }
        Ok(scheme)
    }

    /// Parses the comma-separated `TLS12SignatureAlgorithms` setting (its
    /// default is `sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,...,
    /// sha1-ecdsa,sha1-rsa,sha1-dsa`), keeping the order and dropping
    /// duplicates and empty items.
    ///
    /// Because the seed's own default names DSA and SHA-224 pairs, algorithms
    /// we know but cannot use are not an error: they are listed in
    /// [`SchemeList::skipped`] with the reason, for the caller to log. An
    /// empty `spec` gives an empty list, which the seed defines as "no
    /// restriction". SHA-1 schemes are kept when listed (see
    /// [`SignatureScheme::is_sha1`]).
    ///
    /// # Errors
    /// [`Error::UnknownAlgorithm`] for a name we do not know;
    /// [`Error::UnsupportedAlgorithm`] if `spec` names algorithms but none
    /// of them is usable.
    pub fn parse_list(spec: &str) -> Result<SchemeList, Error> {
        let mut list = SchemeList::default();
        for item in spec.split(',').filter(|s| !s.trim().is_empty()) {
            match SignatureScheme::parse(item) {
                Ok(scheme) => {
                    if !list.schemes.contains(&scheme) {
                        list.schemes.push(scheme);
                    }
                }
                Err(Error::UnsupportedAlgorithm { name, reason }) => {
                    list.skipped.push((name, reason));
                }
                Err(other) => return Err(other),
            }
        }
        if list.schemes.is_empty() && !list.skipped.is_empty() {
            return Err(Error::UnsupportedAlgorithm {
                name: spec.trim().to_owned(),
                reason: "none of the listed signature algorithms is supported",
            });
        }
        Ok(list)
    }
}

impl std::fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of [`SignatureScheme::parse_list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemeList {
    /// The usable schemes, in the configured order.
    pub schemes: Vec<SignatureScheme>,
    /// Configured names that are known but unusable, with the reason.
    pub skipped: Vec<(String, &'static str)>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn code_points_round_trip() {
        for &s in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_u16(s.to_u16()), Some(s));
        }
        assert_eq!(
            SignatureScheme::from_u16(0x0807),
            Some(SignatureScheme::Ed25519)
        );
        assert_eq!(SignatureScheme::from_u16(0x0808), None); // ed448
        assert!(SignatureScheme::RsaPkcs1Sha1.is_sha1());
        assert!(SignatureScheme::EcdsaSha1.is_sha1());
        assert!(!SignatureScheme::RsaPkcs1Sha256.is_sha1());
        assert!(!SignatureScheme::EcdsaSha1.can_verify());
        assert!(SignatureScheme::EcdsaSecp521r1Sha512.can_verify());
    }

    #[test]
    fn parse_list_takes_the_seed_default() {
        let default = "sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,sha384-rsa,sha384-dsa,\
                       sha256-ecdsa,sha256-rsa,sha256-dsa,sha224-ecdsa,sha224-rsa,sha224-dsa,\
                       sha1-ecdsa,sha1-rsa,sha1-dsa";
        let list = SignatureScheme::parse_list(default).unwrap();
        use SignatureScheme as S;
        assert_eq!(
            list.schemes,
            vec![
                S::EcdsaSecp521r1Sha512,
                S::RsaPkcs1Sha512,
                S::EcdsaSecp384r1Sha384,
                S::RsaPkcs1Sha384,
                S::EcdsaSecp256r1Sha256,
                S::RsaPkcs1Sha256,
                S::RsaPkcs1Sha1,
            ]
        );
        let skipped: Vec<&str> = list.skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            skipped,
            [
                "sha512-dsa",
                "sha384-dsa",
                "sha256-dsa",
                "sha224-ecdsa",
                "sha224-rsa",
                "sha224-dsa",
                "sha1-ecdsa",
                "sha1-dsa"
            ]
        );
    }

    #[test]
    fn parse_list_names_and_errors() {
        let list =
            SignatureScheme::parse_list(" ED25519, rsa_pss_rsae_sha384 ,sha256-rsapss,,ed25519")
                .unwrap();
        assert_eq!(
            list.schemes,
            vec![
                SignatureScheme::Ed25519,
                SignatureScheme::RsaPssRsaeSha384,
                SignatureScheme::RsaPssRsaeSha256
            ]
        );
        assert!(SignatureScheme::parse_list("").unwrap().schemes.is_empty());
        let e = SignatureScheme::parse_list("sha256-rsa,sha256-foo").unwrap_err();
        assert_eq!(e.to_string(), "unknown signature algorithm: \"sha256-foo\"");
        assert!(SignatureScheme::parse_list("sha256-rsa,whatever").is_err());
        assert!(matches!(
            SignatureScheme::parse_list("sha256-dsa,sha1-dsa"),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }
}
