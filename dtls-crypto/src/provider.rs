//! The crypto provider: one value that carries every source of
//! nondeterminism and every primitive the DTLS engine selects at run time
//! (rustls's `CryptoProvider` is the model): randomness, ECDHE key
//! exchange, signing and signature verification.
//!
//! The engine never calls the operating system's generator, `ring`'s key
//! generation or a signing key directly: it asks the [`CryptoProvider`] in
//! its configuration, so a test or a fuzzer can replace all of it at once.
//! What the negotiated parameters fix (the record ciphers, the PRF) is not
//! part of the provider.

use std::fmt;
use std::sync::Arc;

use ring::rand::SecureRandom as _;

use crate::Error;
use crate::kx::{EphemeralKeyPair, KeyExchange, NamedGroup, RingKeyExchange};
use crate::sign::{
    PeerSignature, RingSigner, SignatureScheme, SignatureVerifier, Signer, SigningKey,
    WebpkiVerifier,
};

/// A source of random bytes for nonces, randoms, keys and padding.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the source fails.
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's CSPRNG, through ring.
#[derive(Debug)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl Default for SystemRandom {
    fn default() -> Self {
        SystemRandom(ring::rand::SystemRandom::new())
    }
}

impl SecureRandom for SystemRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        self.0.fill(buf).map_err(|_| Error::RandomFailure)
    }
}

/// A [`SecureRandom`] seen as a RustCrypto (`rand_core`) generator, so
/// RustCrypto key generation draws from the provider.
pub(crate) struct RandomAdapter<'a>(pub(crate) &'a dyn SecureRandom);

impl rand_core::TryRng for RandomAdapter<'_> {
    type Error = Error;

    fn try_next_u32(&mut self) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Error> {
        self.0.fill(dst)
    }
}

/// The wrapped source is a CSPRNG by the [`SecureRandom`] contract.
impl rand_core::TryCryptoRng for RandomAdapter<'_> {}

/// Everything cryptographic the engine draws on that is not fixed by the
/// negotiated parameters. Cheap to clone (it holds shared references).
#[derive(Debug, Clone)]
pub struct CryptoProvider {
    random: Arc<dyn SecureRandom>,
    key_exchange: Arc<dyn KeyExchange>,
    signer: Arc<dyn Signer>,
    verifier: Arc<dyn SignatureVerifier>,
}

impl Default for CryptoProvider {
    /// The production provider: the operating system's CSPRNG, `ring`'s
    /// key exchange and signing, `ring`/`rustls-webpki` verification.
    fn default() -> Self {
        CryptoProvider::with_random(Arc::new(SystemRandom::default()))
    }
}

impl CryptoProvider {
    /// A provider from its four parts.
    pub fn new(
        random: Arc<dyn SecureRandom>,
        key_exchange: Arc<dyn KeyExchange>,
        signer: Arc<dyn Signer>,
        verifier: Arc<dyn SignatureVerifier>,
    ) -> Self {
        CryptoProvider {
            random,
            key_exchange,
            signer,
            verifier,
        }
    }

    /// The production primitives (`ring` key exchange, signing and
    /// verification) drawing their outside randomness from `random`.
    /// `ring` itself keeps drawing from the operating system; use
    /// [`new`](Self::new) with
    /// [`RustCryptoKeyExchange`](crate::kx::RustCryptoKeyExchange) and
    /// [`Rfc6979Signer`](crate::sign::Rfc6979Signer) to route everything
    /// through `random`.
    pub fn with_random(random: Arc<dyn SecureRandom>) -> Self {
        CryptoProvider::new(
            random,
            Arc::new(RingKeyExchange),
            Arc::new(RingSigner),
            Arc::new(WebpkiVerifier),
        )
    }

    /// The randomness source.
    pub fn random(&self) -> &dyn SecureRandom {
        &*self.random
    }

    /// Fills `buf` with random bytes.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the source fails.
    pub fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        self.random.fill(buf)
    }

    /// An array of `N` random bytes.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the source fails.
    pub fn random_array<const N: usize>(&self) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        self.random.fill(&mut out)?;
        Ok(out)
    }

    /// Starts an ECDHE exchange on `group` (RFC 8422 section 5.4): a fresh
    /// ephemeral key pair.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the random source fails.
    pub fn start_key_exchange(&self, group: NamedGroup) -> Result<EphemeralKeyPair, Error> {
        self.key_exchange.start(group, &*self.random)
    }

    /// Signs `message` with `key` under `scheme` (ServerKeyExchange,
    /// RFC 8422 section 5.4; CertificateVerify, RFC 5246 section 7.4.8).
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureScheme`] if `key` cannot sign with
    /// `scheme`; [`Error::RandomFailure`] if the random source fails.
    pub fn sign(
        &self,
        key: &SigningKey,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        self.signer.sign(key, scheme, message)
    }

    /// Verifies a peer's handshake signature (a client's
    /// CertificateVerify, RFC 5246 section 7.4.8; a server's
    /// ServerKeyExchange, RFC 8422 section 5.4).
    ///
    /// # Errors
    /// As [`verify_signature`](crate::sign::verify_signature).
    pub fn verify_signature(&self, signed: &PeerSignature<'_>) -> Result<(), Error> {
        self.verifier.verify(signed)
    }
}

#[cfg(feature = "test-util")]
pub use deterministic::SeededRandom;

#[cfg(feature = "test-util")]
mod deterministic;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kx::RustCryptoKeyExchange;
    use crate::sign::Rfc6979Signer;

    /// Accepts every signature, as a fuzzing provider would.
    #[derive(Debug)]
    struct AcceptAll;

    impl SignatureVerifier for AcceptAll {
        fn verify(&self, _: &PeerSignature<'_>) -> Result<(), Error> {
            Ok(())
        }
    }

    #[test]
    fn every_part_is_replaceable() {
        let default = CryptoProvider::default();
        let junk = PeerSignature {
            scheme: SignatureScheme::Ed25519,
            signer: crate::sign::SignerKey::Certificate(b"not a cert"),
            message: b"m",
            signature: b"s",
        };
        assert!(matches!(
            default.verify_signature(&junk),
            Err(Error::MalformedCertificate(_))
        ));
        let custom = CryptoProvider::new(
            Arc::new(SystemRandom::default()),
            Arc::new(RustCryptoKeyExchange),
            Arc::new(Rfc6979Signer),
            Arc::new(AcceptAll),
        );
        custom.verify_signature(&junk).unwrap();
        for &group in NamedGroup::ALL {
            let ours = custom.start_key_exchange(group).unwrap();
            let theirs = default.start_key_exchange(group).unwrap();
            let theirs_public = theirs.public_key().to_vec();
            let a = ours.agree(&theirs_public);
            assert!(a.is_ok(), "{group}");
        }
    }
}
