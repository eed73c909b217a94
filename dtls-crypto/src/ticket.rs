//! The keys that seal session tickets (RFC 5077).
//!
//! A ticket is the server's session state encrypted and authenticated under
//! a key only the server knows, so the server can resume a session without
//! keeping it. RFC 5077 section 4 recommends
//! `key_name ‖ IV ‖ encrypted_state ‖ MAC`; we use the same layout with an
//! AEAD (AES-256-GCM from `ring`), which the RFC allows:
//!
//! ```text
//! key_name (16) ‖ nonce (12) ‖ AES-256-GCM(state) ‖ tag (16)
//! ```
//!
//! The key name is bound as additional data. Like
//! [`CookieSecret`](crate::cookie::CookieSecret), the keys rotate: the current key seals,
//! the current and the previous key open, so a ticket lives at most two
//! rotation periods.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{CryptoProvider, Error};

/// Length of a ticket key name (RFC 5077 section 4).
pub const KEY_NAME_LEN: usize = 16;
/// Bytes a sealed ticket adds to the state: key name, nonce and tag.
pub const TICKET_OVERHEAD: usize = KEY_NAME_LEN + NONCE_LEN + 16;

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct TicketKey {
    name: [u8; KEY_NAME_LEN],
    key: [u8; 32],
}

impl TicketKey {
    fn new(provider: &CryptoProvider) -> Result<Self, Error> {
        Ok(TicketKey {
            name: provider.random_array()?,
            key: provider.random_array()?,
        })
    }

    fn aead(&self) -> Result<LessSafeKey, Error> {
        UnboundKey::new(&AES_256_GCM, &self.key)
            .map(LessSafeKey::new)
            .map_err(|_| Error::InvalidInput("ticket key"))
    }
}

/// The current and previous ticket keys, zeroized when dropped, and the
/// provider that draws new keys and nonces.
#[derive(Clone)]
pub struct TicketKeys {
    current: TicketKey,
    previous: Option<TicketKey>,
    provider: CryptoProvider,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketKeys { .. }")
    }
}

impl TicketKeys {
    /// A fresh random key (name and AES-256 key) from `provider`, which
    /// also supplies every rotation and nonce; no previous key.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the provider's random source fails.
    pub fn new(provider: &CryptoProvider) -> Result<Self, Error> {
        Ok(TicketKeys {
            current: TicketKey::new(provider)?,
            previous: None,
            provider: provider.clone(),
        })
    }

    /// Keys given by the caller as (name, AES-256 key) pairs (derived from
    /// a [`SharedSecret`](crate::shared_secret::SharedSecret)); `provider`
    /// draws nonces and later rotations.
    pub fn from_keys(
        current: ([u8; KEY_NAME_LEN], [u8; 32]),
        previous: Option<([u8; KEY_NAME_LEN], [u8; 32])>,
        provider: &CryptoProvider,
    ) -> Self {
        let key = |(name, key)| TicketKey { name, key };
        TicketKeys {
            current: key(current),
            previous: previous.map(key),
            provider: provider.clone(),
        }
    }

    /// Makes the current key the previous one and draws a new current key:
    /// tickets sealed before stay valid until the next rotation.
    ///
    /// # Errors
    /// [`Error::RandomFailure`]; the keys are then unchanged.
    pub fn rotate(&mut self) -> Result<(), Error> {
        let fresh = TicketKey::new(&self.provider)?;
        self.previous = Some(std::mem::replace(&mut self.current, fresh));
        Ok(())
    }

    /// Seals `state` under the current key with a random nonce.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if no nonce can be drawn.
    pub fn seal(&self, state: &[u8]) -> Result<Vec<u8>, Error> {
        let nonce: [u8; NONCE_LEN] = self.provider.random_array()?;
        let key = self.current.aead()?;
        let mut out = Vec::with_capacity(TICKET_OVERHEAD + state.len());
        out.extend_from_slice(&self.current.name);
        out.extend_from_slice(&nonce);
        let mut body = state.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&self.current.name),
            &mut body,
        )
        .map_err(|_| Error::InvalidInput("ticket too large"))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a ticket made by [`seal`](Self::seal) with the current or the
    /// previous key; `None` if the key name is unknown (rotated out, or
    /// another server's), the ticket is truncated, or it was altered.
    pub fn open(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < TICKET_OVERHEAD {
            return None;
        }
        let (name, rest) = ticket.split_at(KEY_NAME_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.name == name)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = sealed.to_vec();
        let aead = key.aead().ok()?;
        let plain = aead
            .open_in_place(nonce, Aad::from(&key.name), &mut body)
            .ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rotation() {
        let mut keys = TicketKeys::new(&CryptoProvider::default()).unwrap();
        let t = keys.seal(b"session state").unwrap();
        assert_eq!(t.len(), TICKET_OVERHEAD + 13);
        assert_eq!(keys.open(&t).unwrap(), b"session state");
        keys.rotate().unwrap();
        assert_eq!(keys.open(&t).unwrap(), b"session state");
        let t2 = keys.seal(b"x").unwrap();
        keys.rotate().unwrap();
        assert!(keys.open(&t).is_none(), "rotated out");
        assert_eq!(keys.open(&t2).unwrap(), b"x");
        assert_eq!(format!("{keys:?}"), "TicketKeys { .. }");
    }

    #[test]
    fn tampering_and_truncation_and_foreign_keys_fail() {
        let keys = TicketKeys::new(&CryptoProvider::default()).unwrap();
        let t = keys.seal(b"state").unwrap();
        for i in 0..t.len() {
            let mut bad = t.clone();
            bad[i] ^= 0x40;
            assert!(keys.open(&bad).is_none(), "byte {i}");
        }
        assert!(keys.open(&t[..t.len() - 1]).is_none());
        assert!(keys.open(&[]).is_none());
        assert!(
            TicketKeys::new(&CryptoProvider::default())
                .unwrap()
                .open(&t)
                .is_none()
        );
        let a = keys.seal(b"state").unwrap();
        assert_ne!(a, t, "fresh nonce per ticket");
    }
}
