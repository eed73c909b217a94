//! The secret behind stateless HelloVerifyRequest cookies.
//!
//! RFC 6347 section 4.2.1 lets a server answer a ClientHello with a cookie
//! it can check later without keeping state, and suggests
//! `Cookie = HMAC(Secret, Client-IP, Client-Parameters)` with a secret that
//! changes periodically, while still accepting cookies made with the
//! previous secret for a while. [`CookieSecret`] does exactly that with
//! HMAC-SHA256 from `ring`.
//!
//! Everything here works on the stack: no allocation per datagram.

use crate::{CryptoProvider, Error};
use ring::hmac;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length of a cookie (an HMAC-SHA256 tag). RFC 6347 section 4.2.1 allows
/// cookies of up to 255 bytes.
pub const COOKIE_LEN: usize = 32;

/// The shortest truncation of a cookie [`CookieSecret::verify`] accepts:
/// 16 bytes, half the tag (RFC 2104 section 5 allows truncating an HMAC to
/// no less than half its length). Callers truncate to leave room for other
/// data in the cookie (some peers, GnuTLS among them, take at most 32
/// bytes).
pub const MIN_TRUNCATED_LEN: usize = 16;

/// The current and previous cookie secrets (32 random bytes each), zeroized
/// when dropped, and the provider they are drawn from.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CookieSecret {
    current: [u8; 32],
    previous: [u8; 32],
    #[zeroize(skip)]
    provider: CryptoProvider,
}

impl std::fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieSecret { .. }")
    }
}

fn compute(secret: &[u8; 32], peer: &[u8], client_hello_fields: &[u8]) -> [u8; COOKIE_LEN] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(peer);
    ctx.update(client_hello_fields);
    let tag = ctx.sign();
    let mut out = [0u8; COOKIE_LEN];
    out.copy_from_slice(tag.as_ref());
    out
}

impl CookieSecret {
    /// Fresh random secrets from `provider`, which also supplies every
    /// rotation (the previous secret is random too, so nothing is accepted
    /// before the first rotation except our own cookies).
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the provider's random source fails.
    pub fn new(provider: &CryptoProvider) -> Result<Self, Error> {
        Ok(CookieSecret {
            current: provider.random_array()?,
            previous: provider.random_array()?,
            provider: provider.clone(),
        })
    }

    /// Secrets given by the caller (derived from a
    /// [`SharedSecret`](crate::shared_secret::SharedSecret)); `provider`
    /// draws later rotations.
    pub fn from_secrets(current: [u8; 32], previous: [u8; 32], provider: &CryptoProvider) -> Self {
        CookieSecret {
            current,
            previous,
            provider: provider.clone(),
        }
    }

    /// Makes the current secret the previous one and draws a new current
    /// secret: cookies made before the rotation stay valid until the next
    /// one (RFC 6347 section 4.2.1). Call it periodically.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the provider's random source fails; the
    /// secrets are then unchanged.
    pub fn rotate(&mut self) -> Result<(), Error> {
        let fresh: [u8; 32] = self.provider.random_array()?;
        self.previous = self.current;
        self.current = fresh;
        Ok(())
    }

    /// The cookie for a client: HMAC-SHA256(current secret, `peer` ||
    /// `client_hello_fields`).
    ///
    /// `peer` is the caller's encoding of the client's address and port;
    /// `client_hello_fields` are the ClientHello parameters the cookie binds
    /// (RFC 6347 section 4.2.1: e.g. version, random, session id, cipher
    /// suites, compression methods). The caller must encode both the same way
    /// when verifying, and should use an unambiguous (e.g. fixed-length or
    /// length-prefixed) encoding of `peer`.
    pub fn cookie(&self, peer: &[u8], client_hello_fields: &[u8]) -> [u8; COOKIE_LEN] {
        compute(&self.current, peer, client_hello_fields)
    }

    /// Whether `cookie` is what [`cookie`](Self::cookie) made for this peer
    /// and these fields with the current or the previous secret, whole or
    /// truncated to its first `cookie.len()` bytes (at least
    /// [`MIN_TRUNCATED_LEN`]). The comparison is constant-time; a cookie
    /// shorter than that or longer than [`COOKIE_LEN`] is rejected.
    pub fn verify(&self, peer: &[u8], client_hello_fields: &[u8], cookie: &[u8]) -> bool {
        if !(MIN_TRUNCATED_LEN..=COOKIE_LEN).contains(&cookie.len()) {
            return false;
        }
        let current = compute(&self.current, peer, client_hello_fields);
        let previous = compute(&self.previous, peer, client_hello_fields);
        let n = cookie.len();
        // Both are computed and compared so that timing does not reveal
        // which secret matched.
        let ok = current[..n].ct_eq(cookie) | previous[..n].ct_eq(cookie);
        bool::from(ok)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PEER: &[u8] = b"\x04\xc0\x00\x02\x01\x13\x88"; // 192.0.2.1:5000
    const FIELDS: &[u8] = b"\xfe\xfd random-session-suites";

    #[test]
    fn accepts_own_cookie_across_one_rotation_only() {
        let mut s = CookieSecret::new(&CryptoProvider::default()).unwrap();
        let c = s.cookie(PEER, FIELDS);
        assert!(s.verify(PEER, FIELDS, &c));
        s.rotate().unwrap();
        assert!(s.verify(PEER, FIELDS, &c));
        let c2 = s.cookie(PEER, FIELDS);
        assert_ne!(c, c2);
        s.rotate().unwrap();
        assert!(!s.verify(PEER, FIELDS, &c));
        assert!(s.verify(PEER, FIELDS, &c2));
    }

    #[test]
    fn binds_peer_and_fields() {
        let s = CookieSecret::new(&CryptoProvider::default()).unwrap();
        let c = s.cookie(PEER, FIELDS);
        assert!(!s.verify(b"\x04\xc0\x00\x02\x01\x13\x89", FIELDS, &c));
        assert!(!s.verify(PEER, b"\xfe\xfd other", &c));
        let mut flipped = c;
        flipped[31] ^= 1;
        assert!(!s.verify(PEER, FIELDS, &flipped));
        let other = CookieSecret::new(&CryptoProvider::default()).unwrap();
        assert!(!other.verify(PEER, FIELDS, &c));
    }

    #[test]
    fn wrong_length_rejected() {
        let s = CookieSecret::new(&CryptoProvider::default()).unwrap();
        let c = s.cookie(PEER, FIELDS);
        assert!(
            s.verify(PEER, FIELDS, &c[..MIN_TRUNCATED_LEN]),
            "a truncation"
        );
        assert!(!s.verify(PEER, FIELDS, &c[..MIN_TRUNCATED_LEN - 1]));
        let mut truncated = c[..20].to_vec();
        truncated[19] ^= 1;
        assert!(!s.verify(PEER, FIELDS, &truncated));
        let mut longer = c.to_vec();
        longer.push(0);
        assert!(!s.verify(PEER, FIELDS, &longer));
        assert!(!s.verify(PEER, FIELDS, &[]));
    }

    #[test]
    fn matches_hmac_sha256() {
        let s = CookieSecret::new(&CryptoProvider::default()).unwrap();
        let key = hmac::Key::new(hmac::HMAC_SHA256, &s.current);
        let mut joined = PEER.to_vec();
        joined.extend_from_slice(FIELDS);
        assert_eq!(hmac::sign(&key, &joined).as_ref(), s.cookie(PEER, FIELDS));
        assert_eq!(format!("{s:?}"), "CookieSecret { .. }");
    }
}
