//! Name validation for `TLS12SupportedGroups` and `TLS12SignatureAlgorithms`.
//!
//! TODO(merge): `dtls_crypto::kx::NamedGroup::parse_list` and
//! `dtls_crypto::sign::SignatureScheme::parse_list` are being added on a
//! parallel branch. Until they are merged these settings keep the validated
//! canonical names; after the merge, convert with those functions (the names
//! accepted here are the ones they accept, minus the ones refused below).

/// A supported name, its canonical spelling, and the other spellings
/// accepted for it (all compared case-insensitively).
struct Known {
    canonical: &'static str,
    aliases: &'static [&'static str],
}

/// A name that exists but is refused, and why.
struct Refused {
    names: &'static [&'static str],
    reason: &'static str,
}

const GROUPS: &[Known] = &[
    Known {
        canonical: "ecdhe_secp256r1",
        aliases: &["secp256r1", "p-256", "prime256v1"],
    },
    Known {
        canonical: "ecdhe_secp384r1",
        aliases: &["secp384r1", "p-384"],
    },
    Known {
        canonical: "ecdhe_secp521r1",
        aliases: &["secp521r1", "p-521"],
    },
    // The seed lists only the three NIST curves; X25519 (RFC 8422) is
    // implemented too and is spelt by analogy.
    Known {
        canonical: "ecdhe_x25519",
        aliases: &["x25519"],
    },
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

const SIGNATURES: &[Known] = &[
    Known {
        canonical: "sha256-ecdsa",
        aliases: &["ecdsa_secp256r1_sha256"],
    },
    Known {
        canonical: "sha384-ecdsa",
        aliases: &["ecdsa_secp384r1_sha384"],
    },
    Known {
        canonical: "sha256-rsa",
        aliases: &["rsa_pkcs1_sha256"],
    },
    Known {
        canonical: "sha384-rsa",
        aliases: &["rsa_pkcs1_sha384"],
    },
    Known {
        canonical: "sha512-rsa",
        aliases: &["rsa_pkcs1_sha512"],
    },
    // Not in the seed's list, implemented by dtls-crypto::sign.
    Known {
        canonical: "sha256-rsapss",
        aliases: &["rsa_pss_rsae_sha256"],
    },
    Known {
        canonical: "sha384-rsapss",
        aliases: &["rsa_pss_rsae_sha384"],
    },
    Known {
        canonical: "sha512-rsapss",
        aliases: &["rsa_pss_rsae_sha512"],
    },
    Known {
        canonical: "ed25519",
        aliases: &[],
    },
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
pub(crate) const DEFAULT_GROUPS: &[&str] =
    &["ecdhe_secp256r1", "ecdhe_secp384r1", "ecdhe_secp521r1"];

/// The seed's default `TLS12SignatureAlgorithms` without the entries this
/// project refuses (the seed's default also lists `*-dsa`, `sha224-*`,
/// `sha1-*` and `sha512-ecdsa`).
pub(crate) const DEFAULT_SIGNATURES: &[&str] = &[
    "sha512-rsa",
    "sha384-ecdsa",
    "sha384-rsa",
    "sha256-ecdsa",
    "sha256-rsa",
];

/// Every signature algorithm that can be enabled, canonical spelling.
pub(crate) fn supported_signatures() -> impl Iterator<Item = &'static str> {
    SIGNATURES.iter().map(|k| k.canonical)
}

/// Parses a comma-separated list: order kept, duplicates and blank entries
/// dropped. On error, the text names every unusable entry and why.
fn parse_list(
    spec: &str,
    known: &'static [Known],
    refused: &'static [Refused],
    what: &str,
) -> Result<Vec<&'static str>, String> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let found = known.iter().find(|k| {
            k.canonical.eq_ignore_ascii_case(entry)
                || k.aliases.iter().any(|a| a.eq_ignore_ascii_case(entry))
        });
        if let Some(k) = found {
            if !out.contains(&k.canonical) {
                out.push(k.canonical);
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
        let supported: Vec<&str> = known.iter().map(|k| k.canonical).collect();
        return Err(format!(
            "{}; supported: {}",
            problems.join("; "),
            supported.join(",")
        ));
    }
    Ok(out)
}

/// Validates a `TLS12SupportedGroups` value. An empty list is an error:
/// every suite is ECDHE, so no group means no handshake.
pub(crate) fn parse_groups(spec: &str) -> Result<Vec<&'static str>, String> {
    let groups = parse_list(spec, GROUPS, REFUSED_GROUPS, "named group")?;
    if groups.is_empty() {
        return Err(
            "the list names no group, and every cipher suite needs an ECDHE group".to_owned(),
        );
    }
    Ok(groups)
}

/// Validates a `TLS12SignatureAlgorithms` value. An empty value is allowed
/// and means "do not restrict" (the seed's meaning): every supported
/// algorithm is used.
pub(crate) fn parse_signatures(spec: &str) -> Result<Vec<&'static str>, String> {
    parse_list(spec, SIGNATURES, REFUSED_SIGNATURES, "signature algorithm")
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
        assert_eq!(groups, ["ecdhe_x25519", "ecdhe_secp256r1"]);
    }

    #[test]
    fn refused_groups_are_named_with_reasons() {
        let err = parse_groups("ecdhe_secp256r1,ffdhe2048,x448,brainpool").unwrap_err();
        assert!(
            err.contains("ffdhe2048 is not supported (finite-field"),
            "{err}"
        );
        assert!(err.contains("x448 is not supported"), "{err}");
        assert!(
            err.contains("brainpool is not a known named group"),
            "{err}"
        );
        assert!(parse_groups(" , ").is_err());
    }

    #[test]
    fn signatures() {
        assert_eq!(
            parse_signatures("sha256-ecdsa, RSA_PKCS1_SHA256, ed25519").unwrap(),
            ["sha256-ecdsa", "sha256-rsa", "ed25519"]
        );
        assert_eq!(parse_signatures("").unwrap(), Vec::<&str>::new());
        let err = parse_signatures("sha256-rsa,sha1-rsa,sha256-dsa,sha224-ecdsa").unwrap_err();
        assert!(
            err.contains("sha1-rsa is not supported (MD5 and SHA-1"),
            "{err}"
        );
        assert!(err.contains("sha256-dsa is not supported (DSA"), "{err}");
        assert!(
            err.contains("sha224-ecdsa is not supported (SHA-224"),
            "{err}"
        );
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
        let kept: Vec<&str> = seed
            .split(',')
            .filter(|n| parse_signatures(n).is_ok())
            .collect();
        assert_eq!(kept, DEFAULT_SIGNATURES);
    }
}
