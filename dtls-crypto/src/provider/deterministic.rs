//! **INSECURE: for tests and fuzzing only** (the `test-util` feature): a
//! seeded provider under which a handshake is a function of its seeds.

use std::sync::{Arc, Mutex};

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use super::{CryptoProvider, SecureRandom};
use crate::Error;
use crate::kx::RustCryptoKeyExchange;
use crate::sign::{Rfc6979Signer, WebpkiVerifier};

/// **INSECURE: for tests and fuzzing only.** A ChaCha20 generator
/// seeded from a number anyone can guess: every "random" byte it gives
/// is predictable from the seed.
pub struct SeededRandom(Mutex<ChaCha20Rng>);

impl std::fmt::Debug for SeededRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeededRandom { .. }")
    }
}

impl SeededRandom {
    /// **INSECURE.** The generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom(Mutex::new(ChaCha20Rng::seed_from_u64(seed)))
    }
}

impl SecureRandom for SeededRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        let mut rng = self.0.lock().map_err(|_| Error::RandomFailure)?;
        rng.fill_bytes(buf);
        Ok(())
    }
}

impl CryptoProvider {
    /// **INSECURE: never use it outside tests and fuzzing.** A provider
    /// whose randomness, ephemeral keys and ECDSA signatures are all a
    /// function of `seed`, so that two handshakes with the same seeds
    /// (and the same inputs and times) produce byte-identical datagrams.
    ///
    /// Everything an eavesdropper needs to recover the session keys is
    /// derivable from the seed. It exists only behind the `test-util`
    /// feature.
    ///
    /// Randomness is ChaCha20 seeded with `seed`; key exchange is
    /// [`RustCryptoKeyExchange`] drawing from it; ECDSA is RFC 6979
    /// ([`Rfc6979Signer`]). Ed25519 and RSASSA-PKCS1-v1_5 are
    /// deterministic anyway; RSASSA-PSS salts still come from `ring`'s
    /// own generator, so a handshake signed with RSA-PSS is *not*
    /// reproducible.
    pub fn insecure_deterministic(seed: u64) -> Self {
        CryptoProvider::new(
            Arc::new(SeededRandom::new(seed)),
            Arc::new(RustCryptoKeyExchange),
            Arc::new(Rfc6979Signer),
            Arc::new(WebpkiVerifier),
        )
    }
}

/// **Fuzzing builds only.** Accepts every signature, so a fuzzer that
/// changes a signed message still reaches what follows it.
#[cfg(fuzzing)]
#[derive(Debug)]
struct AcceptEverySignature;

#[cfg(fuzzing)]
impl crate::sign::SignatureVerifier for AcceptEverySignature {
    fn verify(&self, _: &crate::sign::PeerSignature<'_>) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(fuzzing)]
impl CryptoProvider {
    /// **Fuzzing builds only (`cfg(fuzzing)`).** As
    /// [`insecure_deterministic`](Self::insecure_deterministic), but every
    /// peer signature verifies, so mutated ServerKeyExchange and
    /// CertificateVerify messages do not end the run. With the fuzzing
    /// record protection and PRF (`record/null.rs`) a fuzzer reaches every
    /// state.
    pub fn fuzzing(seed: u64) -> Self {
        CryptoProvider::new(
            Arc::new(SeededRandom::new(seed)),
            Arc::new(RustCryptoKeyExchange),
            Arc::new(Rfc6979Signer),
            Arc::new(AcceptEverySignature),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kx::NamedGroup;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let draw = |seed| {
            let p = CryptoProvider::insecure_deterministic(seed);
            let random: [u8; 32] = p.random_array().unwrap();
            let kx = p.start_key_exchange(NamedGroup::X25519).unwrap();
            (random, kx.public_key().to_vec())
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7).0, draw(8).0);
        assert_ne!(draw(7).1, draw(8).1);
    }
}
