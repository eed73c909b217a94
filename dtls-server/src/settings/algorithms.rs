//! The seed's spellings of `TLS12SupportedGroups` and
//! `TLS12SignatureAlgorithms`: parsed once, when set, into
//! [`NamedGroup`] / [`SignatureScheme`] values, and printed back from them.
//!
//! The names (and the refusal reasons) are the seed's and this project's
//! policy, so they live here rather than in `dtls-crypto`: the seed lists
//! `sha256-ecdsa` style names, and this server refuses some schemes the
//! crypto crate could use (SHA-1, RFC 9155) or not verify (ECDSA with
//! SHA-512).

use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::SignatureScheme;

/// A supported value and its spellings, the canonical (printed) one first;
/// all compared case-insensitively.
struct Known<T: 'static> {
    value: T,
    names: &'static [&'static str],
}

/// A row of a [`Known`] table.
const fn known<T>(value: T, names: &'static [&'static str]) -> Known<T> {
    Known { value, names }
}

/// A name that exists but is refused, and why.
struct Refused {
    names: &'static [&'static str],
    reason: &'static str,
}

const GROUPS: &[Known<NamedGroup>] = &[
    known(
        NamedGroup::Secp256r1,
        &["ecdhe_secp256r1", "secp256r1", "p-256", "prime256v1"],
    ),
    known(
        NamedGroup::Secp384r1,
        &["ecdhe_secp384r1", "secp384r1", "p-384"],
    ),
    known(
        NamedGroup::Secp521r1,
        &["ecdhe_secp521r1", "secp521r1", "p-521"],
    ),
    // The seed lists only the three NIST curves; X25519 (RFC 8422) is
    // implemented too and is spelt by analogy.
    known(NamedGroup::X25519, &["ecdhe_x25519", "x25519"]),
];

const REFUSED_GROUPS: &[Refused] = &[
    Refused {
        names: &[
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
            "ffdhe_2048",
            "ffdhe_3072",
            "ffdhe_4096",
            "ffdhe_6144",
            "ffdhe_8192",
            "dhe_ffdhe2048",
            "dhe_ffdhe3072",
            "dhe_ffdhe4096",
            "dhe_ffdhe6144",
            "dhe_ffdhe8192",
        ],
        reason: "finite-field DHE groups are not implemented: every cipher suite offered is ECDHE (RFC 8422)",
    },
    Refused {
        names: &["x448", "ecdhe_x448"],
        reason: "X448 is not implemented by dtls-crypto",
    },
];

const SIGNATURES: &[Known<SignatureScheme>] = &[
    known(
        SignatureScheme::EcdsaSecp256r1Sha256,
        &["sha256-ecdsa", "ecdsa_secp256r1_sha256"],
    ),
    known(
        SignatureScheme::EcdsaSecp384r1Sha384,
        &["sha384-ecdsa", "ecdsa_secp384r1_sha384"],
    ),
    known(
        SignatureScheme::RsaPkcs1Sha256,
        &["sha256-rsa", "rsa_pkcs1_sha256"],
    ),
    known(
        SignatureScheme::RsaPkcs1Sha384,
        &["sha384-rsa", "rsa_pkcs1_sha384"],
    ),
    known(
        SignatureScheme::RsaPkcs1Sha512,
        &["sha512-rsa", "rsa_pkcs1_sha512"],
    ),
    // Not in the seed's list, implemented by dtls-crypto::sign.
    known(
        SignatureScheme::RsaPssRsaeSha256,
        &["sha256-rsapss", "rsa_pss_rsae_sha256"],
    ),
    known(
        SignatureScheme::RsaPssRsaeSha384,
        &["sha384-rsapss", "rsa_pss_rsae_sha384"],
    ),
    known(
        SignatureScheme::RsaPssRsaeSha512,
        &["sha512-rsapss", "rsa_pss_rsae_sha512"],
    ),
    known(SignatureScheme::Ed25519, &["ed25519"]),
];

const REFUSED_SIGNATURES: &[Refused] = &[
    Refused {
        names: &[
            "sha1-rsa",
            "sha1-ecdsa",
            "rsa_pkcs1_sha1",
            "ecdsa_sha1",
            "md5-rsa",
        ],
        reason: "MD5 and SHA-1 signatures are deprecated; a server must not request them (RFC 9155 section 3)",
    },
    Refused {
        names: &[
            "sha1-dsa",
            "sha224-dsa",
            "sha256-dsa",
            "sha384-dsa",
            "sha512-dsa",
        ],
        reason: "DSA is not implemented (no DSA certificates; dropped by TLS 1.3, RFC 8446)",
    },
    Refused {
        names: &["sha224-rsa", "sha224-ecdsa"],
        reason: "SHA-224 signatures are not implemented",
    },
    Refused {
        names: &["sha512-ecdsa", "ecdsa_secp521r1_sha512"],
        reason: "ECDSA with SHA-512 cannot be verified by the crypto backend (ECDSA with SHA-256/SHA-384 only)",
    },
];

/// The seed's default `TLS12SupportedGroups`.
pub(crate) const DEFAULT_GROUPS: &[NamedGroup] = &[
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
    NamedGroup::Secp521r1,
];

/// The seed's default `TLS12SignatureAlgorithms` without the entries this
/// project refuses (the seed's default also lists `*-dsa`, `sha224-*`,
/// `sha1-*` and `sha512-ecdsa`).
pub(crate) const DEFAULT_SIGNATURES: &[SignatureScheme] = &[
    SignatureScheme::RsaPkcs1Sha512,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::RsaPkcs1Sha256,
];

/// Every signature algorithm that can be enabled, in the table's order.
pub(crate) fn supported_signatures() -> impl Iterator<Item = SignatureScheme> {
    SIGNATURES.iter().map(|k| k.value)
}

fn canonical<T>(k: &Known<T>) -> &'static str {
    k.names.first().copied().unwrap_or_default()
}

/// Parses a comma-separated list: order kept, duplicates and blank entries
/// dropped. On error, the text names every unusable entry and why.
fn parse_list<T: Copy + PartialEq>(
    spec: &str,
    known: &'static [Known<T>],
    refused: &'static [Refused],
    what: &str,
) -> Result<Vec<T>, String> {
    let mut out: Vec<T> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let found = known
            .iter()
            .find(|k| k.names.iter().any(|n| n.eq_ignore_ascii_case(entry)));
        if let Some(k) = found {
            if !out.contains(&k.value) {
                out.push(k.value);
            }
            continue;
        }
        match refused
            .iter()
            .find(|r| r.names.iter().any(|n| n.eq_ignore_ascii_case(entry)))
        {
            Some(r) => problems.push(format!("{entry} is not supported ({})", r.reason)),
            None => problems.push(format!("{entry} is not a known {what}")),
        }
    }
    if !problems.is_empty() {
        let supported: Vec<&str> = known.iter().map(canonical).collect();
        return Err(format!(
            "{}; supported: {}",
            problems.join("; "),
            supported.join(",")
        ));
    }
    Ok(out)
}

/// Prints a list with the canonical spellings, comma-separated.
fn format_list<T: PartialEq>(values: &[T], known: &'static [Known<T>]) -> String {
    let names: Vec<&str> = values
        .iter()
        .filter_map(|v| known.iter().find(|k| k.value == *v).map(canonical))
        .collect();
    names.join(",")
}

/// Parses a `TLS12SupportedGroups` value. An empty list is an error: every
/// suite is ECDHE, so no group means no handshake.
pub(crate) fn parse_groups(spec: &str) -> Result<Vec<NamedGroup>, String> {
    let groups = parse_list(spec, GROUPS, REFUSED_GROUPS, "named group")?;
    if groups.is_empty() {
        return Err(
            "the list names no group, and every cipher suite needs an ECDHE group".to_owned(),
        );
    }
    Ok(groups)
}

/// Prints a `TLS12SupportedGroups` value (`ecdhe_secp256r1,...`).
pub(crate) fn format_groups(groups: &[NamedGroup]) -> String {
    format_list(groups, GROUPS)
}

/// Parses a `TLS12SignatureAlgorithms` value. An empty value is allowed
/// and means "do not restrict" (the seed's meaning): every supported
/// algorithm is used.
pub(crate) fn parse_signatures(spec: &str) -> Result<Vec<SignatureScheme>, String> {
    parse_list(spec, SIGNATURES, REFUSED_SIGNATURES, "signature algorithm")
}

/// Prints a `TLS12SignatureAlgorithms` value (`sha256-ecdsa,...`).
pub(crate) fn format_signatures(schemes: &[SignatureScheme]) -> String {
    format_list(schemes, SIGNATURES)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seed_default_groups_parse() {
        let groups = parse_groups("ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1").unwrap();
        assert_eq!(groups, DEFAULT_GROUPS);
    }

    #[test]
    fn group_aliases_case_and_duplicates() {
        let groups = parse_groups(" X25519 , secp256r1,ECDHE_SECP256R1,,").unwrap();
        assert_eq!(groups, [NamedGroup::X25519, NamedGroup::Secp256r1]);
        assert_eq!(format_groups(&groups), "ecdhe_x25519,ecdhe_secp256r1");
    }

    #[test]
    fn refused_and_unknown_names_are_named_with_reasons() {
        let cases: [(Result<(), String>, &[&str]); 2] = [
            (
                parse_groups("ecdhe_secp256r1,ffdhe2048,x448,brainpool").map(drop),
                &[
                    "ffdhe2048 is not supported (finite-field",
                    "x448 is not supported",
                    "brainpool is not a known named group",
                ],
            ),
            (
                parse_signatures("sha256-rsa,sha1-rsa,sha256-dsa,sha224-ecdsa").map(drop),
                &[
                    "sha1-rsa is not supported (MD5 and SHA-1",
                    "sha256-dsa is not supported (DSA",
                    "sha224-ecdsa is not supported (SHA-224",
                ],
            ),
        ];
        for (result, named) in cases {
            let err = result.unwrap_err();
            for name in named {
                assert!(err.contains(name), "{name}: {err}");
            }
        }
        assert!(parse_groups(" , ").is_err());
    }

    #[test]
    fn signatures() {
        let schemes = parse_signatures("sha256-ecdsa, RSA_PKCS1_SHA256, ed25519").unwrap();
        assert_eq!(
            schemes,
            [
                SignatureScheme::EcdsaSecp256r1Sha256,
                SignatureScheme::RsaPkcs1Sha256,
                SignatureScheme::Ed25519
            ]
        );
        assert_eq!(
            format_signatures(&schemes),
            "sha256-ecdsa,sha256-rsa,ed25519"
        );
        assert_eq!(parse_signatures("").unwrap(), Vec::<SignatureScheme>::new());
    }

    #[test]
    fn every_seed_signature_name_is_known_or_refused() {
        // The seed's default TLS12SignatureAlgorithms value.
        let seed = "sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,sha384-rsa,sha384-dsa,\
                    sha256-ecdsa,sha256-rsa,sha256-dsa,sha224-ecdsa,sha224-rsa,sha224-dsa,\
                    sha1-ecdsa,sha1-rsa,sha1-dsa";
        for name in seed.split(',') {
            let err = parse_signatures(name).err().unwrap_or_default();
            assert!(!err.contains("not a known"), "{name}: {err}");
        }
        let kept: Vec<SignatureScheme> = seed
            .split(',')
            .filter_map(|n| parse_signatures(n).ok())
            .flatten()
            .collect();
        assert_eq!(kept, DEFAULT_SIGNATURES);
    }

    #[test]
    fn canonical_group_names_are_the_crypto_crates() {
        for k in GROUPS {
            assert_eq!(canonical(k), k.value.name());
        }
    }
}
