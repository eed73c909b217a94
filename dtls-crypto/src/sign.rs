//! Signatures: the server's ServerKeyExchange signature, the client's
//! CertificateVerify, and verifying both (RFC 5246 7.4.1.4.1, 7.4.3, 7.4.8;
//! RFC 8422 5.4; codepoints from RFC 8446 4.2.3 as used in TLS 1.2).
//!
//! In TLS 1.2 an ECDSA codepoint names a hash and "ECDSA", not a curve:
//! `ecdsa_secp256r1_sha256` (0x0403) is SHA-256 with ECDSA on any curve.
//! Verification therefore accepts the cross combinations ring offers; our
//! own signing uses the natural pairing (P-256 with SHA-256, P-384 with
//! SHA-384), the only ones ring signs.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, SignatureVerificationAlgorithm};
use zeroize::Zeroizing;

use crate::Error;
use crate::cert::{
    OID_EC_PUBLIC_KEY, OID_ED25519, OID_P256, OID_P384, OID_RSA, key_type_name, pkcs8_algorithm,
    sec1_to_pkcs8,
};

macro_rules! schemes {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal, $seed:literal; )*) => {
        /// A TLS 1.2 SignatureAndHashAlgorithm, as its two-byte codepoint.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SignatureScheme {
            $( $(#[$doc])* $variant, )*
        }

        impl SignatureScheme {
            /// Every scheme this crate knows.
            pub const ALL: &'static [SignatureScheme] = &[ $( SignatureScheme::$variant, )* ];

            /// The codepoint.
            pub const fn to_u16(self) -> u16 {
                match self { $( SignatureScheme::$variant => $value, )* }
            }

            /// The scheme with this codepoint, if known.
            pub const fn from_u16(value: u16) -> Option<SignatureScheme> {
                match value { $( $value => Some(SignatureScheme::$variant), )* _ => None }
            }

            /// The IANA name, e.g. `ecdsa_secp256r1_sha256`.
            pub const fn name(self) -> &'static str {
                match self { $( SignatureScheme::$variant => $name, )* }
            }

            /// The seed's `hash-signature` spelling, e.g. `sha256-ecdsa`
            /// (PSS schemes use `sha256-rsapss`).
            pub const fn seed_name(self) -> &'static str {
                match self { $( SignatureScheme::$variant => $seed, )* }
            }
        }
    };
}

schemes! {
    /// ECDSA with SHA-256.
    EcdsaSecp256r1Sha256 = 0x0403, "ecdsa_secp256r1_sha256", "sha256-ecdsa";
    /// ECDSA with SHA-384.
    EcdsaSecp384r1Sha384 = 0x0503, "ecdsa_secp384r1_sha384", "sha384-ecdsa";
    /// ECDSA with SHA-512 (verification of P-256/P-384 keys is not offered
    /// by ring; listed so it can be named and refused).
    EcdsaSecp521r1Sha512 = 0x0603, "ecdsa_secp521r1_sha512", "sha512-ecdsa";
    /// Ed25519 (RFC 8422 5.1.3).
    Ed25519 = 0x0807, "ed25519", "ed25519";
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256 = 0x0401, "rsa_pkcs1_sha256", "sha256-rsa";
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384 = 0x0501, "rsa_pkcs1_sha384", "sha384-rsa";
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512 = 0x0601, "rsa_pkcs1_sha512", "sha512-rsa";
    /// RSASSA-PSS (rsaEncryption key) with SHA-256.
    RsaPssRsaeSha256 = 0x0804, "rsa_pss_rsae_sha256", "sha256-rsapss";
    /// RSASSA-PSS (rsaEncryption key) with SHA-384.
    RsaPssRsaeSha384 = 0x0805, "rsa_pss_rsae_sha384", "sha384-rsapss";
    /// RSASSA-PSS (rsaEncryption key) with SHA-512.
    RsaPssRsaeSha512 = 0x0806, "rsa_pss_rsae_sha512", "sha512-rsapss";
    /// RSASSA-PKCS1-v1_5 with SHA-1: legacy, only when configured.
    RsaPkcs1Sha1 = 0x0201, "rsa_pkcs1_sha1", "sha1-rsa";
    /// ECDSA with SHA-1: legacy; ring cannot verify it, so it is refused.
    EcdsaSha1 = 0x0203, "ecdsa_sha1", "sha1-ecdsa";
}

impl SignatureScheme {
    /// Whether the scheme hashes with SHA-1 (RFC 9155 deprecates these).
    pub const fn is_sha1(self) -> bool {
        matches!(
            self,
            SignatureScheme::RsaPkcs1Sha1 | SignatureScheme::EcdsaSha1
        )
    }

    /// Whether we can verify signatures of this scheme.
    pub const fn can_verify(self) -> bool {
        !matches!(
            self,
            SignatureScheme::EcdsaSecp521r1Sha512 | SignatureScheme::EcdsaSha1
        )
    }

    /// Parses one name: the IANA name or the seed's `hash-signature` form
    /// (`sha256-ecdsa`, `sha384-rsa`, `sha256-rsapss`, `ed25519`).
    ///
    /// # Errors
    /// A name that exists but cannot be used (DSA, SHA-224, MD5, ECDSA with
    /// SHA-1 or SHA-512) is [`Error::UnsupportedSignatureScheme`] with its
    /// codepoint; an unknown name is [`Error::InvalidInput`].
    pub fn parse(name: &str) -> Result<SignatureScheme, Error> {
        let name = name.trim().to_ascii_lowercase();
        if let Some(s) = SignatureScheme::ALL
            .iter()
            .find(|s| s.name() == name || s.seed_name() == name)
        {
            if !s.can_verify() {
                return Err(Error::UnsupportedSignatureScheme(s.to_u16()));
            }
            return Ok(*s);
        }
        // RFC 5246 7.4.1.4.1 pairs we refuse: (hash, signature) codepoints.
        let refused = [
            ("md5-rsa", 0x0101),
            ("sha1-dsa", 0x0202),
            ("sha224-rsa", 0x0301),
            ("sha224-dsa", 0x0302),
            ("sha224-ecdsa", 0x0303),
            ("sha256-dsa", 0x0402),
            ("sha384-dsa", 0x0502),
            ("sha512-dsa", 0x0602),
        ];
        match refused.iter().find(|(n, _)| *n == name) {
            Some((_, code)) => Err(Error::UnsupportedSignatureScheme(*code)),
            None => Err(Error::InvalidInput("unknown signature algorithm name")),
        }
    }

    /// Parses the seed's `TLS12SignatureAlgorithms` value: a comma-separated
    /// list. Unsupported entries are skipped when at least one usable entry
    /// remains (the seed's own default lists DSA and SHA-224); the result is
    /// an error only if nothing usable is left or a name is unknown.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unknown name or an empty result.
    pub fn parse_list(spec: &str) -> Result<Vec<SignatureScheme>, Error> {
        let mut out = Vec::new();
        for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match SignatureScheme::parse(name) {
                Ok(s) if !out.contains(&s) => out.push(s),
                Ok(_) | Err(Error::UnsupportedSignatureScheme(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if out.is_empty() {
            return Err(Error::InvalidInput(
                "no supported signature algorithm in the list",
            ));
        }
        Ok(out)
    }
}

/// The kind of key a [`SigningKey`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA with this modulus size.
    Rsa {
        /// Modulus length in bits.
        bits: u32,
    },
}

enum Inner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// A private key that signs handshake messages.
pub struct SigningKey {
    inner: Inner,
    key_type: KeyType,
    public: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

fn rejected(what: &str, e: ring::error::KeyRejected) -> Error {
    let text = e.to_string();
    if text.contains("TooSmall") {
        Error::BadPrivateKey(format!(
            "{what} keys shorter than 2048 bits are not supported"
        ))
    } else if text.contains("TooLarge") {
        Error::BadPrivateKey(format!(
            "{what} keys longer than 8192 bits are not supported"
        ))
    } else {
        Error::BadPrivateKey(format!("the {what} key could not be loaded: {text}"))
    }
}

impl SigningKey {
    /// Loads a PKCS#8 (ECDSA P-256/P-384, RSA, Ed25519), PKCS#1 (RSA) or SEC1
    /// (EC) private key.
    ///
    /// # Errors
    /// [`Error::BadPrivateKey`] naming the key type when it is not supported
    /// (P-521, DSA, X448, RSA under 2048 bits...) or malformed.
    pub fn from_der(key: &PrivateKeyDer<'_>) -> Result<SigningKey, Error> {
        let rng = SystemRandom::new();
        match key {
            PrivateKeyDer::Pkcs1(k) => {
                let pair =
                    RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|e| rejected("RSA", e))?;
                Ok(Self::rsa(pair))
            }
            PrivateKeyDer::Sec1(k) => {
                let wrapped = Zeroizing::new(sec1_to_pkcs8(k.secret_sec1_der())?);
                Self::from_pkcs8(&wrapped, &rng)
            }
            PrivateKeyDer::Pkcs8(k) => Self::from_pkcs8(k.secret_pkcs8_der(), &rng),
            _ => Err(Error::BadPrivateKey("unknown private key encoding".into())),
        }
    }

    fn from_pkcs8(der: &[u8], rng: &SystemRandom) -> Result<SigningKey, Error> {
        let (alg, param) = pkcs8_algorithm(der)?;
        match (alg, param) {
            (OID_EC_PUBLIC_KEY, Some(OID_P256)) => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, rng)
                        .map_err(|e| rejected("EC P-256", e))?;
                Ok(Self::ecdsa(pair, KeyType::EcdsaP256))
            }
            (OID_EC_PUBLIC_KEY, Some(OID_P384)) => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der, rng)
                        .map_err(|e| rejected("EC P-384", e))?;
                Ok(Self::ecdsa(pair, KeyType::EcdsaP384))
            }
            (OID_RSA, _) => {
                let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| rejected("RSA", e))?;
                Ok(Self::rsa(pair))
            }
            (OID_ED25519, _) => {
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map_err(|e| rejected("Ed25519", e))?;
                let public = pair.public_key().as_ref().to_vec();
                Ok(SigningKey {
                    inner: Inner::Ed25519(pair),
                    key_type: KeyType::Ed25519,
                    public,
                })
            }
            (alg, param) => Err(Error::BadPrivateKey(format!(
                "{} keys are not supported",
                key_type_name(alg, param)
            ))),
        }
    }

    fn ecdsa(pair: EcdsaKeyPair, key_type: KeyType) -> SigningKey {
        let public = pair.public_key().as_ref().to_vec();
        SigningKey {
            inner: Inner::Ecdsa(pair),
            key_type,
            public,
        }
    }

    fn rsa(pair: RsaKeyPair) -> SigningKey {
        let public = pair.public().as_ref().to_vec();
        let bits = u32::try_from(pair.public().modulus_len() * 8).unwrap_or(u32::MAX);
        SigningKey {
            inner: Inner::Rsa(pair),
            key_type: KeyType::Rsa { bits },
            public,
        }
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The public key as it appears in a certificate's subjectPublicKey BIT
    /// STRING: an uncompressed EC point, a DER RSAPublicKey, or 32 Ed25519
    /// bytes. Used to check a key matches its certificate.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// The schemes this key can sign with, most preferred first. We never
    /// sign with SHA-1 (ring does not offer it, RFC 9155 deprecates it); a
    /// peer's SHA-1 signature can still be verified when configured.
    pub fn supported_schemes(&self) -> &'static [SignatureScheme] {
        use SignatureScheme as S;
        match self.key_type {
            KeyType::EcdsaP256 => &[S::EcdsaSecp256r1Sha256],
            KeyType::EcdsaP384 => &[S::EcdsaSecp384r1Sha384],
            KeyType::Ed25519 => &[S::Ed25519],
            KeyType::Rsa { .. } => &[
                S::RsaPssRsaeSha256,
                S::RsaPssRsaeSha384,
                S::RsaPssRsaeSha512,
                S::RsaPkcs1Sha256,
                S::RsaPkcs1Sha384,
                S::RsaPkcs1Sha512,
            ],
        }
    }

    /// The first of our schemes the peer accepts (RFC 5246 7.4.1.4.1), given
    /// the codepoints it offered (already filtered by local policy, which is
    /// where SHA-1 is allowed or not).
    pub fn choose_scheme(&self, peer_offered: &[u16]) -> Option<SignatureScheme> {
        self.supported_schemes()
            .iter()
            .copied()
            .find(|s| peer_offered.contains(&s.to_u16()))
    }

    /// Signs `message` with `scheme`.
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureScheme`] if this key cannot sign with
    /// `scheme`; [`Error::RandomFailure`] if signing fails.
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        use SignatureScheme as S;
        if !self.supported_schemes().contains(&scheme) {
            return Err(Error::UnsupportedSignatureScheme(scheme.to_u16()));
        }
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| Error::RandomFailure),
            Inner::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Inner::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match scheme {
                    S::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                    S::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                    S::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                    S::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    S::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                    S::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(Error::UnsupportedSignatureScheme(scheme.to_u16())),
                };
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut out)
                    .map_err(|_| Error::RandomFailure)?;
                Ok(out)
            }
        }
    }
}

/// Verifies `signature` over `message` with the public key of the DER
/// end-entity certificate `cert_der`, under `scheme`.
///
/// # Errors
/// [`Error::BadSignature`] if it does not verify (including a scheme that
/// does not fit the certificate's key); [`Error::MalformedCertificate`] if
/// the certificate does not parse; [`Error::UnsupportedSignatureScheme`]
/// for schemes we cannot verify.
pub fn verify_signature(
    scheme: SignatureScheme,
    cert_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    use SignatureScheme as S;
    use webpki::ring as alg;
    let der = CertificateDer::from(cert_der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| Error::MalformedCertificate(format!("peer certificate: {e:?}")))?;
    // In TLS 1.2 the ECDSA codepoints fix the hash, not the curve.
    let candidates: &[&dyn SignatureVerificationAlgorithm] = match scheme {
        S::EcdsaSecp256r1Sha256 => &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        S::EcdsaSecp384r1Sha384 => &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        S::Ed25519 => &[alg::ED25519],
        S::RsaPkcs1Sha256 => &[alg::RSA_PKCS1_2048_8192_SHA256],
        S::RsaPkcs1Sha384 => &[alg::RSA_PKCS1_2048_8192_SHA384],
        S::RsaPkcs1Sha512 => &[alg::RSA_PKCS1_2048_8192_SHA512],
        S::RsaPssRsaeSha256 => &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        S::RsaPssRsaeSha384 => &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        S::RsaPssRsaeSha512 => &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        S::RsaPkcs1Sha1 => return verify_rsa_sha1(cert_der, message, signature),
        _ => return Err(Error::UnsupportedSignatureScheme(scheme.to_u16())),
    };
    for candidate in candidates {
        match cert.verify_signature(*candidate, message, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => continue,
            Err(_) => return Err(Error::BadSignature),
        }
    }
    Err(Error::BadSignature)
}

/// RSA PKCS#1 v1.5 with SHA-1, which webpki refuses: ring directly, on the
/// certificate's RSA public key.
fn verify_rsa_sha1(cert_der: &[u8], message: &[u8], signature: &[u8]) -> Result<(), Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| Error::MalformedCertificate(format!("peer certificate: {e}")))?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.as_bytes() != OID_RSA {
        return Err(Error::BadSignature);
    }
    signature::UnparsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        spki.subject_public_key.data.as_ref(),
    )
    .verify(message, signature)
    .map_err(|_| Error::BadSignature)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rustls_pki_types::PrivatePkcs8KeyDer;

    fn generated(alg: &'static rcgen::SignatureAlgorithm) -> (SigningKey, Vec<u8>) {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        let params = rcgen::CertificateParams::new(vec!["test".to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (SigningKey::from_der(&der).unwrap(), cert.der().to_vec())
    }

    #[test]
    fn codepoints_round_trip() {
        for s in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_u16(s.to_u16()), Some(*s));
        }
        assert_eq!(SignatureScheme::from_u16(0x0000), None);
    }

    #[test]
    fn every_key_type_signs_and_verifies_with_every_scheme() {
        for (alg, expect) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, KeyType::EcdsaP256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, KeyType::EcdsaP384),
            (&rcgen::PKCS_ED25519, KeyType::Ed25519),
        ] {
            let (key, cert) = generated(alg);
            assert_eq!(key.key_type(), expect);
            for scheme in key.supported_schemes() {
                let sig = key.sign(*scheme, b"message").unwrap();
                verify_signature(*scheme, &cert, b"message", &sig).unwrap();
                assert_eq!(
                    verify_signature(*scheme, &cert, b"messagE", &sig),
                    Err(Error::BadSignature)
                );
                let mut bad = sig.clone();
                let last = bad.len() - 1;
                bad[last] ^= 1;
                assert!(verify_signature(*scheme, &cert, b"message", &bad).is_err());
            }
        }
    }

    #[test]
    fn public_key_matches_certificate() {
        let (key, cert) = generated(&rcgen::PKCS_ECDSA_P256_SHA256);
        let (_, parsed) = x509_parser::parse_x509_certificate(&cert).unwrap();
        assert_eq!(
            key.public_key(),
            parsed.public_key().subject_public_key.data.as_ref()
        );
    }

    #[test]
    fn a_scheme_of_another_key_type_does_not_verify() {
        let (key, cert) = generated(&rcgen::PKCS_ECDSA_P256_SHA256);
        let sig = key
            .sign(SignatureScheme::EcdsaSecp256r1Sha256, b"m")
            .unwrap();
        assert!(verify_signature(SignatureScheme::Ed25519, &cert, b"m", &sig).is_err());
        assert!(verify_signature(SignatureScheme::RsaPkcs1Sha256, &cert, b"m", &sig).is_err());
        assert_eq!(
            key.sign(SignatureScheme::RsaPkcs1Sha256, b"m"),
            Err(Error::UnsupportedSignatureScheme(0x0401))
        );
    }

    #[test]
    fn choose_scheme_follows_our_preference_among_offered() {
        let (key, _) = generated(&rcgen::PKCS_ECDSA_P256_SHA256);
        assert_eq!(
            key.choose_scheme(&[0x0401, 0x0403]),
            Some(SignatureScheme::EcdsaSecp256r1Sha256)
        );
        assert_eq!(key.choose_scheme(&[0x0503]), None);
    }

    #[test]
    fn seed_list_parses_and_skips_what_cannot_be_used() {
        let seed_default = "sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,sha384-rsa,sha384-dsa,sha256-ecdsa,sha256-rsa,sha256-dsa,sha224-ecdsa,sha224-rsa,sha224-dsa,sha1-ecdsa,sha1-rsa,sha1-dsa";
        let list = SignatureScheme::parse_list(seed_default).unwrap();
        assert_eq!(list.first(), Some(&SignatureScheme::RsaPkcs1Sha512));
        assert!(list.contains(&SignatureScheme::EcdsaSecp256r1Sha256));
        assert!(list.contains(&SignatureScheme::RsaPkcs1Sha1));
        assert!(!list.iter().any(|s| s.to_u16() & 0xff == 2), "no DSA");
        assert!(SignatureScheme::parse_list("sha256-dsa").is_err());
        assert!(SignatureScheme::parse_list("sha256-foo").is_err());
        assert_eq!(
            SignatureScheme::parse("SHA256-ECDSA"),
            Ok(SignatureScheme::EcdsaSecp256r1Sha256)
        );
    }

    #[test]
    fn unsupported_keys_are_named() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut der = key.serialize_der();
        // Corrupt the curve OID's last byte: P-256 (..07) becomes unknown.
        let pos = der
            .windows(OID_P256.len())
            .position(|w| w == OID_P256)
            .unwrap();
        der[pos + OID_P256.len() - 1] = 0x22;
        let err =
            SigningKey::from_der(&PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der))).unwrap_err();
        assert!(matches!(err, Error::BadPrivateKey(_)), "{err:?}");
    }
}
