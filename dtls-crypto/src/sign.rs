//! Signatures: the server's ServerKeyExchange signature and verification of
//! a client's CertificateVerify.
//!
//! In TLS 1.2 the signature algorithm is the (hash, signature) pair of
//! RFC 5246 section 7.4.1.4.1, which shares its code points with the TLS 1.3
//! `SignatureScheme` registry (RFC 8446 section 4.2.3). One difference
//! matters: in TLS 1.2 `ecdsa_secp256r1_sha256` (0x0403) means "SHA-256 with
//! ECDSA" on *any* curve, not only P-256 (RFC 8422 section 5.1.3), so
//! verification tries every curve `ring` supports for that hash.
//!
//! Signing uses `ring`. Verification uses `ring`, with the certificate's
//! SubjectPublicKeyInfo taken apart by `rustls-webpki`; for P-521
//! certificates (which `ring` lacks) the RustCrypto `p521` crate verifies.
//!
//! Private keys come as PKCS#8 (RFC 5208), PKCS#1 RSA (RFC 8017 appendix
//! A.1.2) or SEC1 EC keys (RFC 5915). `ring` has no SEC1 parser, so a SEC1
//! key is re-wrapped, unchanged, in a PKCS#8 envelope naming its curve.

use crate::Error;
use crate::der::rsa_modulus_bits;
use crate::keyformat::{Curve, Pkcs8Kind, bad_key, classify_pkcs8, sec1_to_pkcs8};
use ring::digest;
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer,
    SignatureVerificationAlgorithm, alg_id,
};

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
    /// Every scheme this module knows.
    pub const ALL: &'static [SignatureScheme] = &[
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::EcdsaSecp521r1Sha512,
        SignatureScheme::Ed25519,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
        SignatureScheme::RsaPkcs1Sha1,
        SignatureScheme::EcdsaSha1,
    ];

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

    /// Whether [`verify_signature`] can check this scheme for at least one
    /// kind of certificate key.
    pub fn can_verify(self) -> bool {
        !verifiers(self).is_empty()
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

/// The kind of a [`SigningKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// The modulus size in bits.
        bits: usize,
    },
}

enum Inner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// A private key the server signs with. Keys are held by `ring`.
pub struct SigningKey {
    inner: Inner,
    key_type: KeyType,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

const P256_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp256r1Sha256];
const P384_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp384r1Sha384];
const ED25519_SCHEMES: &[SignatureScheme] = &[SignatureScheme::Ed25519];
const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

impl SigningKey {
    /// Loads a private key: PKCS#8 (ECDSA P-256/P-384, Ed25519, RSA),
    /// PKCS#1 (RSA) or SEC1 (ECDSA P-256/P-384).
    ///
    /// # Errors
    /// [`Error::BadPrivateKey`] naming the problem: malformed DER, a key type
    /// we do not support (ECDSA P-521 or other curves, DSA, RSA-PSS-only
    /// keys, X25519/X448, Ed448, RSA below 2048 bits or not a multiple of
    /// 512 bits, as `ring` requires), or a SEC1 key without curve parameters.
    pub fn from_der(key: &PrivateKeyDer<'_>) -> Result<SigningKey, Error> {
        match key {
            PrivateKeyDer::Pkcs8(k) => Self::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => Self::rsa(RsaKeyPair::from_der(k.secret_pkcs1_der())),
            PrivateKeyDer::Sec1(k) => {
                let (curve, pkcs8) = sec1_to_pkcs8(k.secret_sec1_der())?;
                Self::ecdsa(curve, &pkcs8)
            }
            _ => Err(bad_key("unknown private key encoding")),
        }
    }

    fn from_pkcs8(der: &[u8]) -> Result<SigningKey, Error> {
        match classify_pkcs8(der)? {
            Pkcs8Kind::Ec(curve) => Self::ecdsa(curve, der),
            Pkcs8Kind::Ed25519 => {
                // `maybe_unchecked` also takes the v1 PKCS#8 that OpenSSL
                // writes (no embedded public key).
                let kp = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map_err(|e| bad_key(format!("Ed25519 key rejected: {e}")))?;
                Ok(SigningKey {
                    inner: Inner::Ed25519(kp),
                    key_type: KeyType::Ed25519,
                })
            }
            Pkcs8Kind::Rsa => Self::rsa(RsaKeyPair::from_pkcs8(der)),
        }
    }

    fn ecdsa(curve: Curve, pkcs8: &[u8]) -> Result<SigningKey, Error> {
        let (alg, key_type, name) = match curve {
            Curve::P256 => (
                &ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING,
                KeyType::EcdsaP256,
                "ECDSA P-256",
            ),
            Curve::P384 => (
                &ring_sig::ECDSA_P384_SHA384_ASN1_SIGNING,
                KeyType::EcdsaP384,
                "ECDSA P-384",
            ),
        };
        let kp = EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).map_err(|e| {
            bad_key(format!(
                "{name} key rejected: {e} (ring requires the public key inside the EC key)"
            ))
        })?;
        Ok(SigningKey {
            inner: Inner::Ecdsa(kp),
            key_type,
        })
    }

    fn rsa(parsed: Result<RsaKeyPair, ring::error::KeyRejected>) -> Result<SigningKey, Error> {
        let kp = parsed.map_err(|e| match e.to_string().as_str() {
            "TooSmall" => bad_key("RSA keys smaller than 2048 bits are not supported"),
            "TooLarge" => bad_key("RSA keys larger than 8192 bits are not supported"),
            "PrivateModulusLenNotMultipleOf512Bits" => {
                bad_key("RSA keys whose size is not a multiple of 512 bits are not supported")
            }
            other => bad_key(format!("RSA key rejected: {other}")),
        })?;
        let bits = rsa_modulus_bits(kp.public_key().as_ref())
            .ok_or_else(|| bad_key("RSA public key is malformed"))?;
        Ok(SigningKey {
            inner: Inner::Rsa(kp),
            key_type: KeyType::Rsa { bits },
        })
    }

    /// What kind of key this is.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The public key exactly as in a certificate's SubjectPublicKeyInfo BIT
    /// STRING: the uncompressed EC point, the DER `RSAPublicKey`
    /// (RFC 8017 appendix A.1.1) or the 32-byte Ed25519 key (RFC 8410
    /// section 4). Comparing it with the certificate's checks that the key
    /// belongs to the certificate.
    pub fn public_key(&self) -> &[u8] {
        match &self.inner {
            Inner::Ecdsa(kp) => kp.public_key().as_ref(),
            Inner::Ed25519(kp) => kp.public_key().as_ref(),
            Inner::Rsa(kp) => kp.public_key().as_ref(),
        }
    }

    /// The schemes this key can sign with, in preference order.
    pub fn supported_schemes(&self) -> &'static [SignatureScheme] {
        match self.key_type {
            KeyType::EcdsaP256 => P256_SCHEMES,
            KeyType::EcdsaP384 => P384_SCHEMES,
            KeyType::Ed25519 => ED25519_SCHEMES,
            KeyType::Rsa { .. } => RSA_SCHEMES,
        }
    }

    /// Chooses the scheme for ServerKeyExchange: the first of
    /// [`supported_schemes`](Self::supported_schemes) that the client
    /// offered in `signature_algorithms` (RFC 5246 section 7.4.1.4.1).
    /// The caller filters `peer_offered` by its configured list first.
    ///
    /// An empty `peer_offered` means the client sent no
    /// `signature_algorithms` extension (an empty list in the extension is
    /// a decode error the engine rejects before): RFC 5246 section
    /// 7.4.1.4.1 then implies SHA-1 with the key's algorithm. That is only
    /// chosen when `allow_sha1_default` is true *and* this key can sign it;
    /// `ring` cannot sign with SHA-1 at all, so today the answer is `None`
    /// (and always for Ed25519, which needs the extension, RFC 8422
    /// section 5.1.3).
    pub fn choose_scheme(
        &self,
        peer_offered: &[u16],
        allow_sha1_default: bool,
    ) -> Option<SignatureScheme> {
        let ours = self.supported_schemes();
        if peer_offered.is_empty() {
            let default = match self.key_type {
                KeyType::Rsa { .. } => SignatureScheme::RsaPkcs1Sha1,
                KeyType::EcdsaP256 | KeyType::EcdsaP384 => SignatureScheme::EcdsaSha1,
                KeyType::Ed25519 => return None,
            };
            return (allow_sha1_default && ours.contains(&default)).then_some(default);
        }
        ours.iter()
            .find(|s| peer_offered.contains(&s.to_u16()))
            .copied()
    }

    /// Signs `message` (for ServerKeyExchange: the client random, the server
    /// random and the ServerECDHParams, RFC 8422 section 5.4). ECDSA
    /// signatures are DER `Ecdsa-Sig-Value`s (RFC 8422 section 5.4).
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureScheme`] if `scheme` is not one of
    /// [`supported_schemes`](Self::supported_schemes);
    /// [`Error::RandomFailure`] if signing fails (only the random source can
    /// make `ring` fail here).
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.supported_schemes().contains(&scheme) {
            return Err(Error::UnsupportedSignatureScheme(scheme.to_u16()));
        }
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Ecdsa(kp) => kp
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| Error::RandomFailure),
            Inner::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
            Inner::Rsa(kp) => {
                let padding: &'static dyn ring_sig::RsaEncoding = match scheme {
                    SignatureScheme::RsaPssRsaeSha256 => &ring_sig::RSA_PSS_SHA256,
                    SignatureScheme::RsaPssRsaeSha384 => &ring_sig::RSA_PSS_SHA384,
                    SignatureScheme::RsaPssRsaeSha512 => &ring_sig::RSA_PSS_SHA512,
                    SignatureScheme::RsaPkcs1Sha256 => &ring_sig::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1Sha384 => &ring_sig::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1Sha512 => &ring_sig::RSA_PKCS1_SHA512,
                    other => return Err(Error::UnsupportedSignatureScheme(other.to_u16())),
                };
                let mut sig = vec![0u8; kp.public().modulus_len()];
                kp.sign(padding, &rng, message, &mut sig)
                    .map_err(|_| Error::RandomFailure)?;
                Ok(sig)
            }
        }
    }
}

/// Verifies `signature` over `message` with the public key of the
/// end-entity certificate `end_entity_cert_der` (for a client's
/// CertificateVerify, RFC 5246 section 7.4.8, the message is the handshake
/// transcript).
///
/// # Errors
/// - [`Error::MalformedCertificate`] if the certificate cannot be parsed;
/// - [`Error::UnsupportedSignatureScheme`] if we cannot verify `scheme` with
///   this certificate's kind of key (e.g. an ECDSA scheme with an RSA key,
///   SHA-512 ECDSA with a P-256 key, ECDSA with SHA-1);
/// - [`Error::BadSignature`] if the signature does not verify.
pub fn verify_signature(
    scheme: SignatureScheme,
    end_entity_cert_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let der = CertificateDer::from(end_entity_cert_der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| Error::MalformedCertificate(format!("end-entity certificate: {e}")))?;
    for alg in verifiers(scheme) {
        match cert.verify_signature(*alg, message, signature) {
            Ok(()) => return Ok(()),
            // The certificate's key is not of this algorithm's kind: try
            // the next curve / key type.
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {}
            Err(_) => return Err(Error::BadSignature),
        }
    }
    Err(Error::UnsupportedSignatureScheme(scheme.to_u16()))
}

/// A `ring` verification algorithm bound to the SPKI algorithm it expects.
#[derive(Debug)]
struct RingVerifier {
    public_key_alg: AlgorithmIdentifier,
    signature_alg: AlgorithmIdentifier,
    ring: &'static dyn ring_sig::VerificationAlgorithm,
}

impl SignatureVerificationAlgorithm for RingVerifier {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        ring_sig::UnparsedPublicKey::new(self.ring, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg
    }
}

/// ECDSA over P-521 (absent from `ring`) with the RustCrypto `p521` crate;
/// the message is hashed with `ring` and checked with `verify_prehash`, so
/// every TLS 1.2 hash pairs with the curve (RFC 8422 section 5.1.3).
#[derive(Debug)]
struct P521Verifier {
    hash: &'static digest::Algorithm,
    signature_alg: AlgorithmIdentifier,
}

impl SignatureVerificationAlgorithm for P521Verifier {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::hazmat::PrehashVerifier;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let sig = p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        let prehash = digest::digest(self.hash, message);
        key.verify_prehash(prehash.as_ref(), &sig)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg
    }
}

macro_rules! ring_verifier {
    ($name:ident, $key:ident, $sig:ident, $ring:ident) => {
        static $name: RingVerifier = RingVerifier {
            public_key_alg: alg_id::$key,
            signature_alg: alg_id::$sig,
            ring: &ring_sig::$ring,
        };
    };
}

ring_verifier!(
    P256_SHA256,
    ECDSA_P256,
    ECDSA_SHA256,
    ECDSA_P256_SHA256_ASN1
);
ring_verifier!(
    P384_SHA256,
    ECDSA_P384,
    ECDSA_SHA256,
    ECDSA_P384_SHA256_ASN1
);
ring_verifier!(
    P256_SHA384,
    ECDSA_P256,
    ECDSA_SHA384,
    ECDSA_P256_SHA384_ASN1
);
ring_verifier!(
    P384_SHA384,
    ECDSA_P384,
    ECDSA_SHA384,
    ECDSA_P384_SHA384_ASN1
);
ring_verifier!(ED25519, ED25519, ED25519, ED25519);
ring_verifier!(
    PKCS1_SHA256,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA256,
    RSA_PKCS1_2048_8192_SHA256
);
ring_verifier!(
    PKCS1_SHA384,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA384,
    RSA_PKCS1_2048_8192_SHA384
);
ring_verifier!(
    PKCS1_SHA512,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA512,
    RSA_PKCS1_2048_8192_SHA512
);
// SHA-1 has no alg_id constant in pki-types; the signature id is only
// informational here (webpki matches on the public key id).
ring_verifier!(
    PKCS1_SHA1,
    RSA_ENCRYPTION,
    RSA_PKCS1_SHA256,
    RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
);
ring_verifier!(
    PSS_SHA256,
    RSA_ENCRYPTION,
    RSA_PSS_SHA256,
    RSA_PSS_2048_8192_SHA256
);
ring_verifier!(
    PSS_SHA384,
    RSA_ENCRYPTION,
    RSA_PSS_SHA384,
    RSA_PSS_2048_8192_SHA384
);
ring_verifier!(
    PSS_SHA512,
    RSA_ENCRYPTION,
    RSA_PSS_SHA512,
    RSA_PSS_2048_8192_SHA512
);

static P521_SHA256: P521Verifier = P521Verifier {
    hash: &digest::SHA256,
    signature_alg: alg_id::ECDSA_SHA256,
};
static P521_SHA384: P521Verifier = P521Verifier {
    hash: &digest::SHA384,
    signature_alg: alg_id::ECDSA_SHA384,
};
static P521_SHA512: P521Verifier = P521Verifier {
    hash: &digest::SHA512,
    signature_alg: alg_id::ECDSA_SHA512,
};

type Verifiers = &'static [&'static dyn SignatureVerificationAlgorithm];

static ECDSA_SHA256_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 3] =
    [&P256_SHA256, &P384_SHA256, &P521_SHA256];
static ECDSA_SHA384_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 3] =
    [&P256_SHA384, &P384_SHA384, &P521_SHA384];
// ring has no ECDSA with SHA-512, so only P-521 keys (via p521).
static ECDSA_SHA512_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&P521_SHA512];
static ED25519_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&ED25519];
static PKCS1_SHA1_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PKCS1_SHA1];
static PKCS1_SHA256_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PKCS1_SHA256];
static PKCS1_SHA384_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PKCS1_SHA384];
static PKCS1_SHA512_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PKCS1_SHA512];
static PSS_SHA256_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PSS_SHA256];
static PSS_SHA384_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PSS_SHA384];
static PSS_SHA512_VERIFIERS: [&dyn SignatureVerificationAlgorithm; 1] = [&PSS_SHA512];

/// The verification algorithms that implement `scheme`, one per key kind.
fn verifiers(scheme: SignatureScheme) -> Verifiers {
    match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => &ECDSA_SHA256_VERIFIERS,
        SignatureScheme::EcdsaSecp384r1Sha384 => &ECDSA_SHA384_VERIFIERS,
        SignatureScheme::EcdsaSecp521r1Sha512 => &ECDSA_SHA512_VERIFIERS,
        SignatureScheme::EcdsaSha1 => &[],
        SignatureScheme::Ed25519 => &ED25519_VERIFIERS,
        SignatureScheme::RsaPkcs1Sha1 => &PKCS1_SHA1_VERIFIERS,
        SignatureScheme::RsaPkcs1Sha256 => &PKCS1_SHA256_VERIFIERS,
        SignatureScheme::RsaPkcs1Sha384 => &PKCS1_SHA384_VERIFIERS,
        SignatureScheme::RsaPkcs1Sha512 => &PKCS1_SHA512_VERIFIERS,
        SignatureScheme::RsaPssRsaeSha256 => &PSS_SHA256_VERIFIERS,
        SignatureScheme::RsaPssRsaeSha384 => &PSS_SHA384_VERIFIERS,
        SignatureScheme::RsaPssRsaeSha512 => &PSS_SHA512_VERIFIERS,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::der::{
        self, TAG_CONTEXT_0, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, oid,
    };
    use rustls_pki_types::{PrivatePkcs8KeyDer, PrivateSec1KeyDer};

    struct Generated {
        key: Vec<u8>,
        cert: Vec<u8>,
        spki_key: Vec<u8>,
    }

    fn generate(alg: &'static rcgen::SignatureAlgorithm) -> Generated {
        let kp = rcgen::KeyPair::generate_for(alg).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["test.example".to_owned()])
            .unwrap()
            .self_signed(&kp)
            .unwrap();
        Generated {
            key: kp.serialize_der(),
            cert: cert.der().to_vec(),
            spki_key: kp.public_key_raw().to_vec(),
        }
    }

    fn load_pkcs8(der: &[u8]) -> Result<SigningKey, Error> {
        SigningKey::from_der(&PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
    }

    fn cert_spki_key(cert: &[u8]) -> Vec<u8> {
        let (_, parsed) = x509_parser::parse_x509_certificate(cert).unwrap();
        parsed.public_key().subject_public_key.data.to_vec()
    }

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

    #[test]
    fn rcgen_keys_sign_and_verify() {
        for (alg, key_type) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, KeyType::EcdsaP256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, KeyType::EcdsaP384),
            (&rcgen::PKCS_ED25519, KeyType::Ed25519),
        ] {
            let g = generate(alg);
            let key = load_pkcs8(&g.key).unwrap();
            assert_eq!(key.key_type(), key_type);
            assert_eq!(key.public_key(), g.spki_key.as_slice());
            assert_eq!(key.public_key(), cert_spki_key(&g.cert).as_slice());
            for &scheme in key.supported_schemes() {
                let msg = b"client_random server_random params";
                let sig = key.sign(scheme, msg).unwrap();
                verify_signature(scheme, &g.cert, msg, &sig).unwrap();
                assert_eq!(
                    verify_signature(scheme, &g.cert, b"client_random server_random paramz", &sig),
                    Err(Error::BadSignature)
                );
                let mut bad = sig.clone();
                let mid = bad.len() / 2;
                bad[mid] ^= 0x10;
                assert_eq!(
                    verify_signature(scheme, &g.cert, msg, &bad),
                    Err(Error::BadSignature)
                );
                assert_eq!(
                    verify_signature(scheme, &g.cert, msg, &[]),
                    Err(Error::BadSignature)
                );
            }
            // A scheme of another key kind cannot be used with this key.
            assert_eq!(
                key.sign(SignatureScheme::RsaPkcs1Sha256, b"m"),
                Err(Error::UnsupportedSignatureScheme(0x0401))
            );
            assert_eq!(
                verify_signature(SignatureScheme::RsaPkcs1Sha256, &g.cert, b"m", &[0; 256]),
                Err(Error::UnsupportedSignatureScheme(0x0401))
            );
        }
    }

    #[test]
    fn ecdsa_hash_is_not_bound_to_the_curve_for_verification() {
        // RFC 8422 5.1.3: 0x0403 on a P-384 certificate is tried with
        // ring's ECDSA_P384_SHA256_ASN1 (so a SHA-384 signature is a bad
        // signature, not an unsupported scheme), while 0x0603 has no ring
        // implementation for P-384. Real cross-hash signatures made by
        // OpenSSL are verified in tests/openssl_interop.rs.
        let g = generate(&rcgen::PKCS_ECDSA_P384_SHA384);
        let key = load_pkcs8(&g.key).unwrap();
        let sig = key
            .sign(SignatureScheme::EcdsaSecp384r1Sha384, b"m")
            .unwrap();
        assert_eq!(
            verify_signature(SignatureScheme::EcdsaSecp256r1Sha256, &g.cert, b"m", &sig),
            Err(Error::BadSignature)
        );
        assert_eq!(
            verify_signature(SignatureScheme::EcdsaSecp521r1Sha512, &g.cert, b"m", &sig),
            Err(Error::UnsupportedSignatureScheme(0x0603))
        );
    }

    #[test]
    fn choose_scheme_prefers_ours_and_handles_no_extension() {
        let g = generate(&rcgen::PKCS_ECDSA_P256_SHA256);
        let key = load_pkcs8(&g.key).unwrap();
        assert_eq!(
            key.choose_scheme(&[0x0807, 0x0503, 0x0403], false),
            Some(SignatureScheme::EcdsaSecp256r1Sha256)
        );
        assert_eq!(key.choose_scheme(&[0x0503], false), None);
        assert_eq!(key.choose_scheme(&[], true), None); // ring cannot sign ECDSA-SHA1
        let ed = load_pkcs8(&generate(&rcgen::PKCS_ED25519).key).unwrap();
        assert_eq!(ed.choose_scheme(&[], true), None);
        assert_eq!(
            ed.choose_scheme(&[0x0403, 0x0807], false),
            Some(SignatureScheme::Ed25519)
        );
    }

    /// Extracts the `ECPrivateKey` from a PKCS#8 produced by ring/rcgen.
    fn inner_ec_private_key(pkcs8: &[u8]) -> Vec<u8> {
        let (_, info, _) = der::read(pkcs8).unwrap();
        let (_, _, rest) = der::read(info).unwrap();
        let (_, _, rest) = der::read(rest).unwrap();
        let (tag, key, _) = der::read(rest).unwrap();
        assert_eq!(tag, TAG_OCTET_STRING);
        key.to_vec()
    }

    /// Inserts `[0] parameters` after the privateKey of an ECPrivateKey.
    fn with_parameters(ec_key: &[u8], curve_oid: &[u8]) -> Vec<u8> {
        let (_, seq, _) = der::read(ec_key).unwrap();
        let (_, version, rest) = der::read(seq).unwrap();
        let (_, private, rest) = der::read(rest).unwrap();
        let mut params = Vec::new();
        der::write(TAG_OID, curve_oid, &mut params);
        let mut body = Vec::new();
        der::write(TAG_INTEGER, version, &mut body);
        der::write(TAG_OCTET_STRING, private, &mut body);
        der::write(TAG_CONTEXT_0, &params, &mut body);
        body.extend_from_slice(rest);
        let mut out = Vec::new();
        der::write(TAG_SEQUENCE, &body, &mut out);
        out
    }

    #[test]
    fn sec1_keys_are_rewrapped() {
        for (alg, oid, key_type) in [
            (
                &rcgen::PKCS_ECDSA_P256_SHA256,
                oid::P256,
                KeyType::EcdsaP256,
            ),
            (
                &rcgen::PKCS_ECDSA_P384_SHA384,
                oid::P384,
                KeyType::EcdsaP384,
            ),
        ] {
            let g = generate(alg);
            let bare = inner_ec_private_key(&g.key);
            // ring writes no [0] parameters inside PKCS#8: as SEC1 that is
            // a key whose curve is unknown.
            let e = SigningKey::from_der(&PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(
                bare.as_slice(),
            )))
            .unwrap_err();
            assert!(e.to_string().contains("omits the curve parameters"), "{e}");

            let sec1 = with_parameters(&bare, oid);
            let key = SigningKey::from_der(&PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(
                sec1.as_slice(),
            )))
            .unwrap();
            assert_eq!(key.key_type(), key_type);
            assert_eq!(key.public_key(), g.spki_key.as_slice());
            let scheme = key.supported_schemes()[0];
            let sig = key.sign(scheme, b"hello").unwrap();
            verify_signature(scheme, &g.cert, b"hello", &sig).unwrap();

            // The P-521 OID in SEC1 parameters is refused by name.
            let p521 = with_parameters(&bare, oid::P521);
            let e = SigningKey::from_der(&PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(
                p521.as_slice(),
            )))
            .unwrap_err();
            assert!(e.to_string().contains("P-521"), "{e}");
        }
    }

    #[test]
    fn unsupported_pkcs8_algorithms_are_named() {
        // PrivateKeyInfo { 0, { oid, [params] }, OCTET STRING {} }.
        fn pkcs8(oid: &[u8], params: Option<&[u8]>) -> Vec<u8> {
            let mut alg = Vec::new();
            der::write(TAG_OID, oid, &mut alg);
            if let Some(p) = params {
                der::write(TAG_OID, p, &mut alg);
            }
            let mut body = Vec::new();
            der::write(TAG_INTEGER, &[0], &mut body);
            der::write(TAG_SEQUENCE, &alg, &mut body);
            der::write(TAG_OCTET_STRING, &[0x30, 0x00], &mut body);
            let mut out = Vec::new();
            der::write(TAG_SEQUENCE, &body, &mut out);
            out
        }
        for (der, needle) in [
            (pkcs8(oid::EC_PUBLIC_KEY, Some(oid::P521)), "P-521"),
            (pkcs8(oid::EC_PUBLIC_KEY, Some(oid::SECP256K1)), "secp256k1"),
            (pkcs8(oid::DSA, None), "DSA"),
            (pkcs8(oid::X25519, None), "X25519"),
            (pkcs8(oid::ED448, None), "Ed448"),
            (pkcs8(oid::RSA_PSS, None), "RSASSA-PSS"),
            (pkcs8(&[0x2a, 0x03], None), "2a03"),
        ] {
            let e = load_pkcs8(&der).unwrap_err();
            assert!(
                matches!(&e, Error::BadPrivateKey(m) if m.contains(needle) && m.contains("not supported")),
                "{e}"
            );
        }
        assert!(matches!(
            load_pkcs8(&[0x30, 0x03, 0x02, 0x01]),
            Err(Error::BadPrivateKey(_))
        ));
        assert!(matches!(load_pkcs8(&[]), Err(Error::BadPrivateKey(_))));
    }

    #[test]
    fn malformed_certificate_is_reported() {
        assert!(matches!(
            verify_signature(SignatureScheme::Ed25519, b"not a cert", b"m", b"s"),
            Err(Error::MalformedCertificate(_))
        ));
    }
}
