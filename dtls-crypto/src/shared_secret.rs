//! A secret several server processes share, so that any of them verifies
//! the others' cookies (RFC 6347 4.2.1) and resumes the others' session
//! tickets (RFC 5077): the cookie secret and the ticket key of each
//! rotation period are derived from it with HKDF-SHA256 (RFC 5869) and the
//! period's number, instead of drawn at random. Nodes with the same secret
//! and clocks within a period of each other hold the same keys.

use ring::hkdf;
use zeroize::Zeroizing;

use crate::cookie::CookieSecret;
use crate::ticket::TicketKeys;
use crate::{CryptoProvider, Error};

/// The shortest shared secret accepted: 32 bytes (256 bits).
pub const MIN_SHARED_SECRET_LEN: usize = 32;

/// A secret shared by the nodes of one service.
pub struct SharedSecret {
    prk: hkdf::Prk,
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret { .. }")
    }
}

/// HKDF output of `N` bytes (ring's `KeyType` for a plain length).
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl SharedSecret {
    /// A shared secret from `bytes` (at least 32 of them, from a good
    /// random source: `openssl rand 32`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `bytes` is shorter than 32 bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < MIN_SHARED_SECRET_LEN {
            return Err(Error::InvalidInput(
                "a shared secret needs at least 32 bytes (256 bits)",
            ));
        }
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"dtls shared secret v1");
        Ok(SharedSecret {
            prk: salt.extract(bytes),
        })
    }

    /// A secret from hexadecimal text (whitespace ignored): what a key
    /// file holds.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for text that is not hexadecimal, or too
    /// short.
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let digits: String = text.split_whitespace().collect();
        let bytes = Zeroizing::new(
            hex::decode(digits)
                .map_err(|_| Error::InvalidInput("the shared secret is not hexadecimal"))?,
        );
        SharedSecret::new(&bytes)
    }

    fn derive<const N: usize>(&self, label: &[u8], period: u64) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0u8; N]);
        let period = period.to_be_bytes();
        let info = [label, &period[..]];
        // Expanding at most 255 * 32 bytes cannot fail; on the impossible
        // error the output stays zero, which no other node derives either.
        if let Ok(okm) = self.prk.expand(&info, Len(N)) {
            let _ = okm.fill(&mut out[..]);
        }
        out
    }

    /// The cookie secrets of rotation period `period`: its own as current,
    /// the period before as previous.
    pub fn cookie_secret(&self, period: u64, provider: &CryptoProvider) -> CookieSecret {
        let current = self.derive::<32>(b"cookie", period);
        let previous = self.derive::<32>(b"cookie", period.saturating_sub(1));
        CookieSecret::from_secrets(*current, *previous, provider)
    }

    /// The ticket keys of rotation period `period` (current) and the
    /// period before (previous); the key name is derived too, so every
    /// node names a period's key alike.
    pub fn ticket_keys(&self, period: u64, provider: &CryptoProvider) -> TicketKeys {
        let key = |p: u64| {
            (
                *self.derive::<16>(b"ticket name", p),
                *self.derive::<32>(b"ticket key", p),
            )
        };
        TicketKeys::from_keys(key(period), Some(key(period.saturating_sub(1))), provider)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PEER: &[u8] = b"\x04\x7f\x00\x00\x01\x13\x88";

    #[test]
    fn two_nodes_with_one_secret_agree_and_rotate_together() {
        let provider = CryptoProvider::default();
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let a = SharedSecret::from_hex(hex).unwrap();
        let b = SharedSecret::from_hex(&format!("{} {}", &hex[..32], &hex[32..])).unwrap();
        let cookie = a.cookie_secret(7, &provider).cookie(PEER, b"hello");
        assert!(
            b.cookie_secret(7, &provider)
                .verify(PEER, b"hello", &cookie)
        );
        assert!(
            b.cookie_secret(8, &provider)
                .verify(PEER, b"hello", &cookie),
            "previous"
        );
        assert!(
            !b.cookie_secret(9, &provider)
                .verify(PEER, b"hello", &cookie)
        );
        let ticket = a.ticket_keys(7, &provider).seal(b"state").unwrap();
        assert_eq!(b.ticket_keys(7, &provider).open(&ticket).unwrap(), b"state");
        assert_eq!(b.ticket_keys(8, &provider).open(&ticket).unwrap(), b"state");
        assert!(b.ticket_keys(9, &provider).open(&ticket).is_none());
        // Another secret shares nothing.
        let other = SharedSecret::new(&[0x42; 32]).unwrap();
        assert!(
            !other
                .cookie_secret(7, &provider)
                .verify(PEER, b"hello", &cookie)
        );
        assert!(other.ticket_keys(7, &provider).open(&ticket).is_none());
        assert!(SharedSecret::new(&[1; 31]).is_err());
        assert!(SharedSecret::from_hex("zz").is_err());
    }
}
