//! Signing: the server's ServerKeyExchange signature and a client's
//! CertificateVerify, with a [`SigningKey`] through a [`Signer`] (the
//! signing part of the [`CryptoProvider`](crate::CryptoProvider)).
//!
//! [`RingSigner`] signs with `ring`; [`Rfc6979Signer`] makes ECDSA
//! signatures deterministic (RFC 6979, RustCrypto `p256`/`p384`) and
//! leaves the rest to `ring`. The code points live in [`SignatureScheme`]
//! and verification in [`verify_signature`]; both are re-exported here.
//!
//! Private keys come as PKCS#8 (RFC 5208), PKCS#1 RSA (RFC 8017 appendix
//! A.1.2) or SEC1 EC keys (RFC 5915). `ring` has no SEC1 parser, so a SEC1
//! key is re-wrapped, unchanged, in a PKCS#8 envelope naming its curve.

use crate::Error;
use crate::der::rsa_modulus_bits;
use crate::keyformat::{Curve, Pkcs8Kind, bad_key, classify_pkcs8, sec1_to_pkcs8};
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use zeroize::Zeroizing;

pub use crate::scheme::{SchemeList, SignatureScheme};
pub use crate::sigverify::{
    PeerSignature, SignatureVerifier, SignerKey, WebpkiVerifier, verify_raw_key_signature,
    verify_signature,
};

/// What a [`Signer`] returns: the signature bytes, or why there are none.
pub type Signed = Result<Vec<u8>, Error>;

/// Signs handshake messages: the signing part of a
/// [`CryptoProvider`](crate::CryptoProvider).
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// Signs `msg` with `key` under `scheme`.
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureScheme`] if `key` cannot sign with
    /// `scheme` (see [`SigningKey::supported_schemes`]);
    /// [`Error::RandomFailure`] if a random source fails.
    fn sign(&self, key: &SigningKey, scheme: SignatureScheme, msg: &[u8]) -> Signed;
}

/// The production signer: [`SigningKey::sign`], i.e. `ring`.
#[derive(Debug, Default, Clone, Copy)]
pub struct RingSigner;

impl Signer for RingSigner {
    fn sign(&self, key: &SigningKey, scheme: SignatureScheme, msg: &[u8]) -> Signed {
        key.sign(scheme, msg)
    }
}

/// A signer whose output is a function of the key and the message: ECDSA
/// P-256/P-384 with the nonce derived as RFC 6979 section 3.2 specifies
/// (RustCrypto `p256`/`p384`), Ed25519 (RFC 8032, deterministic by design)
/// and RSASSA-PKCS1-v1_5 (deterministic) with `ring`. RSASSA-PSS keeps
/// `ring`'s random salt (RFC 8017 section 9.1.1), so it is *not*
/// reproducible.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rfc6979Signer;

impl Signer for Rfc6979Signer {
    fn sign(&self, key: &SigningKey, scheme: SignatureScheme, msg: &[u8]) -> Signed {
        use p256::ecdsa::signature::Signer as _;
        use p256::pkcs8::DecodePrivateKey as _;
        let Inner::Ecdsa(_, pkcs8) = &key.inner else {
            return key.sign(scheme, msg);
        };
        if !key.supported_schemes().contains(&scheme) {
            return Err(Error::UnsupportedSignatureScheme(scheme.to_u16()));
        }
        let rejected = |_| bad_key("the ECDSA key cannot be loaded for RFC 6979 signing");
        let signature = match key.key_type {
            KeyType::EcdsaP256 => {
                let signer = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(rejected)?;
                let sig: p256::ecdsa::Signature = signer.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            KeyType::EcdsaP384 => {
                let signer = p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(rejected)?;
                let sig: p384::ecdsa::Signature = signer.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            KeyType::Ed25519 | KeyType::Rsa { .. } => return key.sign(scheme, msg),
        };
        Ok(signature)
    }
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
    /// The PKCS#8 is kept (zeroized on drop) for [`Rfc6979Signer`], which
    /// signs with RustCrypto: `ring` does not give its private scalar out.
    Ecdsa(EcdsaKeyPair, Zeroizing<Vec<u8>>),
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
const RSA_SCHEMES: &[SignatureScheme] = SignatureScheme::RSA_SIGNING;

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
            inner: Inner::Ecdsa(kp, Zeroizing::new(pkcs8.to_vec())),
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
            Inner::Ecdsa(kp, _) => kp.public_key().as_ref(),
            Inner::Ed25519(kp) => kp.public_key().as_ref(),
            Inner::Rsa(kp) => kp.public_key().as_ref(),
        }
    }

    /// The DER SubjectPublicKeyInfo of this key (RFC 5280 section 4.1.2.7):
    /// what a raw public key Certificate message carries (RFC 7250
    /// section 3) and what a peer pins. Algorithm identifiers per RFC 5480
    /// (ECDSA: id-ecPublicKey and the named curve), RFC 8410 (Ed25519) and
    /// RFC 3279 (rsaEncryption, NULL parameters).
    pub fn subject_public_key_info(&self) -> Vec<u8> {
        use crate::der::{TAG_BIT_STRING, TAG_OID, TAG_SEQUENCE, oid, write};
        let mut algorithm = Vec::with_capacity(24);
        match self.key_type {
            KeyType::EcdsaP256 | KeyType::EcdsaP384 => {
                write(TAG_OID, oid::EC_PUBLIC_KEY, &mut algorithm);
                let curve = match self.key_type {
                    KeyType::EcdsaP256 => oid::P256,
                    _ => oid::P384,
                };
                write(TAG_OID, curve, &mut algorithm);
            }
            KeyType::Ed25519 => write(TAG_OID, oid::ED25519, &mut algorithm),
            KeyType::Rsa { .. } => {
                write(TAG_OID, oid::RSA, &mut algorithm);
                algorithm.extend_from_slice(&[0x05, 0x00]); // NULL
            }
        }
        let mut contents = Vec::with_capacity(algorithm.len() + self.public_key().len() + 8);
        write(TAG_SEQUENCE, &algorithm, &mut contents);
        // A BIT STRING with no unused bits (X.690 8.6.2.2).
        let bits = [&[0u8][..], self.public_key()].concat();
        write(TAG_BIT_STRING, &bits, &mut contents);
        let mut spki = Vec::with_capacity(contents.len() + 4);
        write(TAG_SEQUENCE, &contents, &mut spki);
        spki
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

    /// Signs `message` with `ring` (for ServerKeyExchange: the client
    /// random, the server random and the ServerECDHParams, RFC 8422 section
    /// 5.4). ECDSA signatures are DER `Ecdsa-Sig-Value`s (RFC 8422 section
    /// 5.4); their nonces and RSA-PSS salts come from the operating system.
    /// The engine signs through its
    /// [`CryptoProvider`](crate::CryptoProvider) instead.
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
            Inner::Ecdsa(kp, _) => kp
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
    fn rfc6979_signatures_are_deterministic_and_verify() {
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let g = generate(alg);
            let key = load_pkcs8(&g.key).unwrap();
            for &scheme in key.supported_schemes() {
                let a = Rfc6979Signer.sign(&key, scheme, b"transcript").unwrap();
                let b = Rfc6979Signer.sign(&key, scheme, b"transcript").unwrap();
                assert_eq!(a, b, "{scheme}");
                verify_signature(scheme, &g.cert, b"transcript", &a).unwrap();
                let other = Rfc6979Signer.sign(&key, scheme, b"transcripT").unwrap();
                assert_ne!(a, other, "{scheme}");
            }
            assert_eq!(
                Rfc6979Signer.sign(&key, SignatureScheme::RsaPkcs1Sha256, b"m"),
                Err(Error::UnsupportedSignatureScheme(0x0401))
            );
        }
        // ring's ECDSA draws a fresh nonce: two signatures differ.
        let key = load_pkcs8(&generate(&rcgen::PKCS_ECDSA_P256_SHA256).key).unwrap();
        let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
        assert_ne!(
            RingSigner.sign(&key, scheme, b"m").unwrap(),
            RingSigner.sign(&key, scheme, b"m").unwrap()
        );
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
            // The re-wrapped PKCS#8 also serves the RFC 6979 signer.
            let sig = Rfc6979Signer.sign(&key, scheme, b"hello").unwrap();
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
}
