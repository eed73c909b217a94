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

/// The default `TLS12SupportedGroups`: the engine's own list, so the
/// setting reads back what is in force. The seed's default (the three NIST
/// curves) is this without X25519, which is put first as faster and safer
/// to implement (RFC 8422 5.1.1; OpenSSL and GnuTLS prefer it too).
pub(crate) const DEFAULT_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
    NamedGroup::Secp521r1,
];

/// The default `TLS12SignatureAlgorithms`: the engine's own list
/// ([`SignatureScheme::DEFAULT`]), so the setting reads back what is in
/// force. The seed's default, parsed, keeps five of these (the others it
/// lists are refused: DSA, SHA-224, SHA-1, ECDSA with SHA-512) and has
/// neither RSA-PSS nor Ed25519.
pub(crate) const DEFAULT_SIGNATURES: &[SignatureScheme] = SignatureScheme::DEFAULT;

/// Every signature algorithm that can be enabled, in the table's order.
pub(crate) fn supported_signatures() -> impl Iterator<Item = SignatureScheme> {
    SIGNATURES.iter().map(|k| k.value)
}

fn canonical<T>(k: &Known<T>) -> &'static str {
    k.names.first().copied().unwrap_or_default()
}

/// A parsed list: the usable values, and each entry skipped with why.
pub(crate) type Parsed<T> = (Vec<T>, Vec<String>);

/// Parses a comma-separated list: order kept, duplicates and blank entries
/// dropped. Entries this project refuses are skipped, each noted with why
/// (the caller logs them); an unknown name is an error naming every one.
fn parse_list<T: Copy + PartialEq>(
    spec: &str,
    known: &'static [Known<T>],
    refused: &'static [Refused],
    what: &str,
) -> Result<Parsed<T>, String> {
    let mut out: Vec<T> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
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
            Some(r) => skipped.push(format!("{entry} ({})", r.reason)),
            None => unknown.push(format!("{entry} is not a known {what}")),
        }
    }
    let supported = || known.iter().map(canonical).collect::<Vec<_>>().join(",");
    if !unknown.is_empty() {
        return Err(format!(
            "{}; supported: {}",
            unknown.join("; "),
            supported()
        ));
    }
    if out.is_empty() && !skipped.is_empty() {
        return Err(format!(
            "nothing usable is left: {}; supported: {}",
            skipped.join("; "),
            supported()
        ));
    }
    Ok((out, skipped))
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
pub(crate) fn parse_groups(spec: &str) -> Result<Parsed<NamedGroup>, String> {
    let parsed = parse_list(spec, GROUPS, REFUSED_GROUPS, "named group")?;
    if parsed.0.is_empty() {
        return Err(
            "the list names no group, and every cipher suite needs an ECDHE group".to_owned(),
        );
    }
    Ok(parsed)
}

/// Prints a `TLS12SupportedGroups` value (`ecdhe_secp256r1,...`).
pub(crate) fn format_groups(groups: &[NamedGroup]) -> String {
    format_list(groups, GROUPS)
}

/// Parses a `TLS12SignatureAlgorithms` value. An empty value is allowed
/// and means "do not restrict" (the seed's meaning): every supported
/// algorithm is used.
pub(crate) fn parse_signatures(spec: &str) -> Result<Parsed<SignatureScheme>, String> {
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
        let (groups, skipped) =
            parse_groups("ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1").unwrap();
        assert_eq!(groups, DEFAULT_GROUPS[1..]);
        assert!(skipped.is_empty());
    }

    #[test]
    fn group_aliases_case_and_duplicates() {
        let (groups, _) = parse_groups(" X25519 , secp256r1,ECDHE_SECP256R1,,").unwrap();
        assert_eq!(groups, [NamedGroup::X25519, NamedGroup::Secp256r1]);
        assert_eq!(format_groups(&groups), "ecdhe_x25519,ecdhe_secp256r1");
    }

    #[test]
    fn refused_entries_are_skipped_with_reasons_unknown_ones_refused() {
        let (groups, skipped) = parse_groups("ecdhe_secp256r1,ffdhe2048,x448").unwrap();
        assert_eq!(groups, [NamedGroup::Secp256r1]);
        assert!(
            skipped[0].starts_with("ffdhe2048 (finite-field"),
            "{skipped:?}"
        );
        assert!(skipped[1].starts_with("x448 (X448"), "{skipped:?}");
        let (schemes, skipped) =
            parse_signatures("sha256-rsa,sha1-rsa,sha256-dsa,sha224-ecdsa").unwrap();
        assert_eq!(schemes, [SignatureScheme::RsaPkcs1Sha256]);
        for (note, start) in skipped.iter().zip([
            "sha1-rsa (MD5 and SHA-1",
            "sha256-dsa (DSA",
            "sha224-ecdsa (SHA-224",
        ]) {
            assert!(note.starts_with(start), "{note}");
        }
        let err = parse_groups("ecdhe_secp256r1,brainpool").unwrap_err();
        assert!(
            err.contains("brainpool is not a known named group"),
            "{err}"
        );
        let err = parse_signatures("sha1-rsa,sha1-ecdsa").unwrap_err();
        assert!(
            err.starts_with("nothing usable is left: sha1-rsa (MD5"),
            "{err}"
        );
        assert!(parse_groups("ffdhe2048").is_err());
        assert!(parse_groups(" , ").is_err());
    }

    #[test]
    fn signatures() {
        let (schemes, _) = parse_signatures("sha256-ecdsa, RSA_PKCS1_SHA256, ed25519").unwrap();
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
        assert_eq!(parse_signatures("").unwrap(), (Vec::new(), Vec::new()));
    }

    #[test]
    fn every_seed_signature_name_is_known_or_refused() {
        // The seed's default TLS12SignatureAlgorithms value.
        let seed = "sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,sha384-rsa,sha384-dsa,\
                    sha256-ecdsa,sha256-rsa,sha256-dsa,sha224-ecdsa,sha224-rsa,sha224-dsa,\
                    sha1-ecdsa,sha1-rsa,sha1-dsa";
        let (kept, skipped) = parse_signatures(seed).unwrap();
        assert_eq!(
            kept,
            [
                SignatureScheme::RsaPkcs1Sha512,
                SignatureScheme::EcdsaSecp384r1Sha384,
                SignatureScheme::RsaPkcs1Sha384,
                SignatureScheme::EcdsaSecp256r1Sha256,
                SignatureScheme::RsaPkcs1Sha256,
            ]
        );
        assert_eq!(skipped.len(), 10, "{skipped:?}");
        assert!(kept.iter().all(|k| DEFAULT_SIGNATURES.contains(k)));
    }

    #[test]
    fn canonical_group_names_are_the_crypto_crates() {
        for k in GROUPS {
            assert_eq!(canonical(k), k.value.name());
        }
    }
}
