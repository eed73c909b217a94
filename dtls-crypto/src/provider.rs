//! The crypto provider: one value that carries every source of
//! nondeterminism the DTLS engine uses, so a test or a fuzzer can replace
//! it (rustls's `CryptoProvider` is the model).
//!
//! The engine never calls the operating system's generator directly: it
//! asks the [`CryptoProvider`] in its configuration.

use std::fmt;
use std::sync::Arc;

use ring::rand::SecureRandom as _;

use crate::Error;

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

/// Everything cryptographic the engine draws on that is not fixed by the
/// negotiated parameters.
#[derive(Debug, Clone)]
pub struct CryptoProvider {
    random: Arc<dyn SecureRandom>,
}

impl Default for CryptoProvider {
    /// The production provider: ring, with the operating system's CSPRNG.
    fn default() -> Self {
        CryptoProvider {
            random: Arc::new(SystemRandom::default()),
        }
    }
}

impl CryptoProvider {
    /// A provider drawing randomness from `random`.
    pub fn with_random(random: Arc<dyn SecureRandom>) -> Self {
        CryptoProvider { random }
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
}
