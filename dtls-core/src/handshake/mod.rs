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

pub use flight::{FlightBuffer, FlightContent, FlightEntry};
pub use fragmenter::{FragmentError, FragmentOut, Fragments, fragment_message};
pub use reassembler::{
    CompleteMessage, FragmentIn, HandshakeReassembler, Inconsistency, InsertOutcome, Limit,
    ReassemblyError, ReassemblyLimits,
};

/// The length of the DTLS handshake message header (RFC 6347 4.2.2):
/// `msg_type` (1), `length` (3), `message_seq` (2), `fragment_offset` (3)
/// and `fragment_length` (3) bytes.
pub const HANDSHAKE_HEADER_LEN: usize = 12;

/// The largest handshake message body the 24-bit `length` field can describe
/// (RFC 6347 4.2.2).
pub const MAX_HANDSHAKE_LENGTH: u32 = (1 << 24) - 1;

/// Appends a DTLS handshake header (RFC 6347 4.2.2), all fields big-endian.
/// `length`, `fragment_offset` and `fragment_length` must fit in 24 bits; the
/// callers check this.
pub(crate) fn write_handshake_header(
    out: &mut Vec<u8>,
    msg_type: u8,
    length: u32,
    message_seq: u16,
    fragment_offset: u32,
    fragment_length: u32,
) {
    out.push(msg_type);
    out.extend_from_slice(&length.to_be_bytes()[1..]);
    out.extend_from_slice(&message_seq.to_be_bytes());
    out.extend_from_slice(&fragment_offset.to_be_bytes()[1..]);
    out.extend_from_slice(&fragment_length.to_be_bytes()[1..]);
}
