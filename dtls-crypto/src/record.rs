//! Record protection: sealing and opening DTLS record payloads in place.
//!
//! (The `RecordProtection` implementation is filled by the record work item.)

use zeroize::{Zeroize, ZeroizeOnDrop};

/// The keys for one direction of a connection, as cut from the key block
/// (RFC 5246 6.3): `{client,server}_write_MAC_key`, `_key` and `_IV`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DirectionKeys {
    /// The MAC key (empty for AEAD suites).
    pub mac_key: Vec<u8>,
    /// The encryption key.
    pub enc_key: Vec<u8>,
    /// The fixed (implicit) IV / salt (empty for CBC suites).
    pub fixed_iv: Vec<u8>,
}

impl std::fmt::Debug for DirectionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectionKeys { .. }")
    }
}
