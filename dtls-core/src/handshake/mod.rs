//! Handshake-layer building blocks (RFC 6347 4.2).
//!
//! - [`fragmenter`]: splitting an outgoing handshake message into fragments
//!   that fit the path MTU (RFC 6347 4.2.3).
//! - [`reassembler`]: putting incoming fragments back together and handing
//!   out whole messages in `message_seq` order (RFC 6347 4.2.2, 4.2.3).
//! - [`flight`]: our last flight, kept for retransmission (RFC 6347 4.2.4).

pub mod flight;
pub mod fragmenter;
pub mod reassembler;

pub use fragmenter::fragment_at;

pub use crate::msgs::handshake::HANDSHAKE_HEADER_LEN;

/// The largest handshake message body the 24-bit `length` field can describe
/// (RFC 6347 4.2.2).
pub const MAX_HANDSHAKE_LENGTH: u32 = crate::msgs::codec::U24_MAX;
