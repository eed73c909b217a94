//! Verification of a peer's signature (a client's CertificateVerify, a
//! server's ServerKeyExchange) with the key of its end-entity certificate
//! or its raw public key (RFC 7250).
//!
//! In TLS 1.2 `ecdsa_secp256r1_sha256` (0x0403) means "SHA-256 with ECDSA"
//! on any curve (RFC 8422 section 5.1.3), so verification tries every curve
//! `ring` supports for that hash. Verification uses `ring`, with the
//! certificate's SubjectPublicKeyInfo taken apart by `rustls-webpki`; for
//! P-521 certificates (which `ring` lacks) the RustCrypto `p521` crate
//! verifies.

use crate::Error;
use crate::scheme::SignatureScheme;
use ring::digest;
use ring::signature as ring_sig;
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    SubjectPublicKeyInfoDer, alg_id,
};

/// Whose key a signature is checked with: what the peer's Certificate
/// message carried (RFC 5246 section 7.4.2, RFC 7250 section 3).
#[derive(Debug, Clone, Copy)]
pub enum SignerKey<'a> {
    /// The peer's end-entity X.509 certificate, DER.
    Certificate(&'a [u8]),
    /// The peer's raw public key: a DER SubjectPublicKeyInfo (RFC 7250).
    RawPublicKey(&'a [u8]),
}

/// A peer's handshake signature to check: `signature`, by the key `signer`,
/// over `message` with `scheme` (a client's CertificateVerify over the
/// transcript, RFC 5246 section 7.4.8; a server's ServerKeyExchange over
/// the randoms and parameters, RFC 8422 section 5.4).
#[derive(Debug, Clone, Copy)]
pub struct PeerSignature<'a> {
    /// The signature scheme the peer named.
    pub scheme: SignatureScheme,
    /// The key that must have made the signature.
    pub signer: SignerKey<'a>,
    /// The signed bytes.
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// Checks a peer's handshake signature: the verification part of a
/// [`CryptoProvider`](crate::CryptoProvider) (a fuzzing provider, for
/// one, may accept every signature to reach the states behind it).
pub trait SignatureVerifier: Send + Sync + std::fmt::Debug {
    /// Verifies `signed`.
    ///
    /// # Errors
    /// As [`verify_signature`].
    fn verify(&self, signed: &PeerSignature<'_>) -> Result<(), Error>;
}

/// The production verifier: [`verify_signature`] (`ring` and
/// `rustls-webpki`, RustCrypto `p521` for P-521 keys).
#[derive(Debug, Default, Clone, Copy)]
pub struct WebpkiVerifier;

impl SignatureVerifier for WebpkiVerifier {
    fn verify(&self, signed: &PeerSignature<'_>) -> Result<(), Error> {
        match signed.signer {
            SignerKey::Certificate(cert) => {
                verify_signature(signed.scheme, cert, signed.message, signed.signature)
            }
            SignerKey::RawPublicKey(spki) => {
                verify_raw_key_signature(signed.scheme, spki, signed.message, signed.signature)
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
    first_verifying(scheme, |alg| cert.verify_signature(alg, message, signature))
}

/// Verifies `signature` over `message` with the raw public key `spki`, a
/// DER SubjectPublicKeyInfo (RFC 7250 section 3).
///
/// # Errors
/// As [`verify_signature`]; [`Error::MalformedCertificate`] when `spki`
/// is not a SubjectPublicKeyInfo.
pub fn verify_raw_key_signature(
    scheme: SignatureScheme,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let der = SubjectPublicKeyInfoDer::from(spki);
    let key = webpki::RawPublicKeyEntity::try_from(&der)
        .map_err(|e| Error::MalformedCertificate(format!("raw public key: {e}")))?;
    first_verifying(scheme, |alg| key.verify_signature(alg, message, signature))
}

/// Runs `verify` with each algorithm of `scheme` until one fits the key's
/// kind.
fn first_verifying(
    scheme: SignatureScheme,
    verify: impl Fn(&dyn SignatureVerificationAlgorithm) -> Result<(), webpki::Error>,
) -> Result<(), Error> {
    for alg in verifiers(scheme) {
        match verify(*alg) {
            Ok(()) => return Ok(()),
            // The key is not of this algorithm's kind: try the next curve
            // / key type.
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {}
            Err(_) => return Err(Error::BadSignature),
        }
    }
    Err(Error::UnsupportedSignatureScheme(scheme.to_u16()))
}

/// How a [`Verifier`] checks a signature.
#[derive(Debug)]
enum Check {
    /// With a `ring` algorithm.
    Ring(&'static dyn ring_sig::VerificationAlgorithm),
    /// ECDSA over P-521 (absent from `ring`) with the RustCrypto `p521`
    /// crate: the message is hashed with `ring` and checked with
    /// `verify_prehash`, so every TLS 1.2 hash pairs with the curve
    /// (RFC 8422 section 5.1.3).
    P521(&'static digest::Algorithm),
}

/// A verification algorithm bound to the SPKI algorithm it expects.
#[derive(Debug)]
struct Verifier {
    public_key_alg: AlgorithmIdentifier,
    signature_alg: AlgorithmIdentifier,
    check: Check,
}

impl SignatureVerificationAlgorithm for Verifier {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        match self.check {
            Check::Ring(alg) => ring_sig::UnparsedPublicKey::new(alg, public_key)
                .verify(message, signature)
                .map_err(|_| InvalidSignature),
            Check::P521(hash) => {
                use p521::ecdsa::signature::hazmat::PrehashVerifier;
                let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                let prehash = digest::digest(hash, message);
                key.verify_prehash(prehash.as_ref(), &sig)
                    .map_err(|_| InvalidSignature)
            }
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg
    }
}

/// One `static` [`Verifier`] per line: name: SPKI algorithm id, signature
/// algorithm id, then `ring` and a `ring` algorithm or `p521` and a hash.
macro_rules! verifiers {
    (@check ring $alg:ident) => { Check::Ring(&ring_sig::$alg) };
    (@check p521 $hash:ident) => { Check::P521(&digest::$hash) };
    ($($name:ident: $key:ident, $sig:ident, $kind:ident $alg:ident;)+) => {
        $(static $name: Verifier = Verifier {
            public_key_alg: alg_id::$key,
            signature_alg: alg_id::$sig,
            check: verifiers!(@check $kind $alg),
        };)+
    };
}

verifiers! {
    P256_SHA256: ECDSA_P256, ECDSA_SHA256, ring ECDSA_P256_SHA256_ASN1;
    P384_SHA256: ECDSA_P384, ECDSA_SHA256, ring ECDSA_P384_SHA256_ASN1;
    P256_SHA384: ECDSA_P256, ECDSA_SHA384, ring ECDSA_P256_SHA384_ASN1;
    P384_SHA384: ECDSA_P384, ECDSA_SHA384, ring ECDSA_P384_SHA384_ASN1;
    P521_SHA256: ECDSA_P521, ECDSA_SHA256, p521 SHA256;
    P521_SHA384: ECDSA_P521, ECDSA_SHA384, p521 SHA384;
    P521_SHA512: ECDSA_P521, ECDSA_SHA512, p521 SHA512;
    ED25519: ED25519, ED25519, ring ED25519;
    PKCS1_SHA256: RSA_ENCRYPTION, RSA_PKCS1_SHA256, ring RSA_PKCS1_2048_8192_SHA256;
    PKCS1_SHA384: RSA_ENCRYPTION, RSA_PKCS1_SHA384, ring RSA_PKCS1_2048_8192_SHA384;
    PKCS1_SHA512: RSA_ENCRYPTION, RSA_PKCS1_SHA512, ring RSA_PKCS1_2048_8192_SHA512;
    // SHA-1 has no alg_id constant in pki-types; the signature id is only
    // informational here (webpki matches on the public key id).
    PKCS1_SHA1: RSA_ENCRYPTION, RSA_PKCS1_SHA256, ring RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY;
    PSS_SHA256: RSA_ENCRYPTION, RSA_PSS_SHA256, ring RSA_PSS_2048_8192_SHA256;
    PSS_SHA384: RSA_ENCRYPTION, RSA_PSS_SHA384, ring RSA_PSS_2048_8192_SHA384;
    PSS_SHA512: RSA_ENCRYPTION, RSA_PSS_SHA512, ring RSA_PSS_2048_8192_SHA512;
}

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
pub(crate) fn verifiers(scheme: SignatureScheme) -> Verifiers {
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
mod tests {
    use super::*;

    #[test]
    fn malformed_certificate_is_reported() {
        assert!(matches!(
            verify_signature(SignatureScheme::Ed25519, b"not a cert", b"m", b"s"),
            Err(Error::MalformedCertificate(_))
        ));
    }
}
