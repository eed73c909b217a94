//! The source of randomness: the operating system's CSPRNG, through ring.

use crate::Error;
use ring::rand::{SecureRandom, SystemRandom};

/// Fills `buf` with cryptographically secure random bytes.
///
/// # Errors
/// [`Error::RandomFailure`] if the operating system's generator fails.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    SystemRandom::new()
        .fill(buf)
        .map_err(|_| Error::RandomFailure)
}

/// Returns an array of `N` random bytes.
///
/// # Errors
/// [`Error::RandomFailure`] if the operating system's generator fails.
pub fn array<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_draws_differ() {
        let a = super::array::<32>();
        let b = super::array::<32>();
        assert!(a.is_ok() && b.is_ok());
        assert_ne!(a, b);
    }
}
