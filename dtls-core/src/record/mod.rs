//! Record-layer building blocks that need no cryptography (RFC 6347 4.1).
//!
//! - [`sequence`]: the 48-bit outgoing record sequence number of one epoch
//!   (RFC 6347 4.1).
//! - [`replay`]: the per-epoch anti-replay window for incoming records
//!   (RFC 6347 4.1.2.6).

pub mod replay;
pub mod sequence;

/// The largest record sequence number: the field is 48 bits wide
/// (RFC 6347 4.1, `uint48 sequence_number`).
pub const MAX_SEQUENCE_NUMBER: u64 = (1 << 48) - 1;
