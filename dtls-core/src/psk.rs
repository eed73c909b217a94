//! Pre-shared-key credentials (RFC 4279, RFC 5489; the constrained-device
//! profile of RFC 7925 section 4.2).
//!
//! A server looks the client's identity up through a [`PskResolver`]: the
//! application's key store, asked once per full handshake. An identity it
//! does not know is answered exactly like a wrong key (RFC 4279 section 2
//! allows either; we hide which): the handshake goes on with a random decoy
//! key and fails at the client's Finished with `decrypt_error`, so a client
//! cannot probe for valid identities, by the alert or by the time it takes.
//!
//! ```
//! use std::sync::Arc;
//! use dtls_core::config::{ServerConfig, ServerPsk};
//! use dtls_core::psk::{PresharedKey, PskTable};
//!
//! let mut keys = PskTable::new();
//! keys.insert(b"sensor-17".to_vec(), PresharedKey::from_hex("00112233445566778899aabbccddeeff")?);
//! let config = ServerConfig::with_psk(ServerPsk::new(Arc::new(keys)));
//! assert!(config.identities.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::sync::Arc;

pub use dtls_crypto::psk::{MAX_PSK_LEN, PresharedKey};

/// The server's PSK key store: the key of a client identity
/// (RFC 4279 section 5.1: identities are opaque to TLS; RFC 7925 4.2
/// suggests they name the device).
///
/// It runs inside the handshake, once per full PSK handshake, and should
/// answer in about the same time whether or not it knows the identity.
pub trait PskResolver: Send + Sync + std::fmt::Debug {
    /// The key of `identity`, or `None` if it is unknown.
    fn resolve(&self, identity: &[u8]) -> Option<PresharedKey>;
}

/// A [`PskResolver`] over an in-memory table.
#[derive(Debug, Clone, Default)]
pub struct PskTable {
    keys: HashMap<Vec<u8>, PresharedKey>,
}

impl PskTable {
    /// An empty table.
    pub fn new() -> Self {
        PskTable::default()
    }

    /// Adds (or replaces) the key of `identity`.
    pub fn insert(&mut self, identity: Vec<u8>, key: PresharedKey) {
        self.keys.insert(identity, key);
    }

    /// How many identities the table holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the table holds no identity.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl PskResolver for PskTable {
    fn resolve(&self, identity: &[u8]) -> Option<PresharedKey> {
        self.keys.get(identity).cloned()
    }
}

/// A server's PSK settings: where keys come from and the hint it sends.
#[derive(Debug, Clone)]
pub struct ServerPsk {
    /// The key store.
    pub resolver: Arc<dyn PskResolver>,
    /// The `psk_identity_hint` of the ServerKeyExchange (RFC 4279 section
    /// 5.2); `None` sends none (and a plain PSK suite then omits the
    /// ServerKeyExchange, RFC 4279 section 2). RFC 7925 4.2 advises
    /// against hints; off by default.
    pub identity_hint: Option<Vec<u8>>,
}

impl ServerPsk {
    /// PSK settings over `resolver`, without a hint.
    pub fn new(resolver: Arc<dyn PskResolver>) -> Self {
        ServerPsk {
            resolver,
            identity_hint: None,
        }
    }
}

/// A client's pre-shared key and the identity it is sent under.
#[derive(Debug, Clone)]
pub struct ClientPsk {
    /// The `psk_identity` of the ClientKeyExchange (RFC 4279 section 2).
    pub identity: Vec<u8>,
    /// The key.
    pub key: PresharedKey,
}
