//! The Heartbeat protocol message (RFC 6520 section 4).
//!
//! ```text
//! struct {
//!     HeartbeatMessageType type;          // uint8
//!     uint16 payload_length;
//!     opaque payload[HeartbeatMessage.payload_length];
//!     opaque padding[padding_length];     // at least 16 bytes
//! } HeartbeatMessage;
//! ```
//!
//! `padding_length` is whatever the record holds after the payload. The
//! decoder never trusts `payload_length` beyond the record: a message whose
//! `payload_length + 3 + 16` exceeds the record is discarded (the
//! "Heartbleed" check, RFC 6520 section 4).

use super::codec::{Codec, Reader, put_u16};
use crate::error::Error;

/// The minimum padding a HeartbeatMessage carries (RFC 6520 section 4).
pub const MIN_HEARTBEAT_PADDING: usize = 16;

/// The largest HeartbeatMessage: 2^14 bytes (RFC 6520 section 4).
pub const MAX_HEARTBEAT_LEN: usize = 1 << 14;

/// The heartbeat message type (RFC 6520 section 3). Unknown types are
/// discarded, see [`HeartbeatDiscard::UnknownType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatMessageType {
    /// `heartbeat_request(1)`.
    Request,
    /// `heartbeat_response(2)`.
    Response,
}

impl From<HeartbeatMessageType> for u8 {
    fn from(v: HeartbeatMessageType) -> Self {
        match v {
            HeartbeatMessageType::Request => 1,
            HeartbeatMessageType::Response => 2,
        }
    }
}

/// Why a received HeartbeatMessage must be silently discarded (RFC 6520
/// sections 3 and 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatDiscard {
    /// Fewer than 3 bytes: no type and `payload_length`.
    Truncated,
    /// The message exceeds 2^14 bytes.
    TooLong,
    /// The type is neither request nor response ("unknown ... MUST be
    /// discarded silently").
    UnknownType(u8),
    /// `payload_length + 3 + 16` exceeds the record ("If the payload_length
    /// ... is too large, the received HeartbeatMessage MUST be discarded
    /// silently").
    PayloadLengthTooLarge {
        /// The declared `payload_length`.
        payload_length: u16,
        /// The record's length.
        record_len: usize,
    },
}

impl HeartbeatDiscard {
    /// A short fixed description, as used in [`Error::Decode`].
    pub fn as_str(&self) -> &'static str {
        match self {
            HeartbeatDiscard::Truncated => "heartbeat: truncated header",
            HeartbeatDiscard::TooLong => "heartbeat: message exceeds 2^14 bytes",
            HeartbeatDiscard::UnknownType(_) => "heartbeat: unknown type",
            HeartbeatDiscard::PayloadLengthTooLarge { .. } => {
                "heartbeat: payload_length + 3 + 16 exceeds record"
            }
        }
    }
}

/// A decoded HeartbeatMessage (RFC 6520 section 4), payload and padding kept
/// apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatMessage {
    /// `type`.
    pub message_type: HeartbeatMessageType,
    /// `payload`.
    pub payload: Vec<u8>,
    /// `padding`: ignored on receipt; the sender fills at least 16 random
    /// bytes (RFC 6520 section 4).
    pub padding: Vec<u8>,
}

impl HeartbeatMessage {
    /// Decodes a whole heartbeat record fragment, or tells why it must be
    /// discarded. Never reads past `record`.
    pub fn parse(record: &[u8]) -> Result<Self, HeartbeatDiscard> {
        if record.len() > MAX_HEARTBEAT_LEN {
            return Err(HeartbeatDiscard::TooLong);
        }
        let mut r = Reader::new(record);
        let typ = r.u8().ok_or(HeartbeatDiscard::Truncated)?;
        let payload_length = r.u16().ok_or(HeartbeatDiscard::Truncated)?;
        let message_type = match typ {
            1 => HeartbeatMessageType::Request,
            2 => HeartbeatMessageType::Response,
            other => return Err(HeartbeatDiscard::UnknownType(other)),
        };
        let too_large = HeartbeatDiscard::PayloadLengthTooLarge {
            payload_length,
            record_len: record.len(),
        };
        let needed = usize::from(payload_length) + 3 + MIN_HEARTBEAT_PADDING;
        if needed > record.len() {
            return Err(too_large);
        }
        let payload = r.take(usize::from(payload_length)).ok_or(too_large)?;
        Ok(HeartbeatMessage {
            message_type,
            payload: payload.to_vec(),
            padding: r.rest().to_vec(),
        })
    }

    /// The response to this message: same payload, `padding` supplied by the
    /// caller (at least 16 random bytes, RFC 6520 section 4).
    pub fn response(&self, padding: Vec<u8>) -> HeartbeatMessage {
        HeartbeatMessage {
            message_type: HeartbeatMessageType::Response,
            payload: self.payload.clone(),
            padding,
        }
    }
}

impl Codec for HeartbeatMessage {
    /// Writes type, `payload_length`, payload, padding. A payload over
    /// 65535 bytes is cut there.
    fn encode(&self, out: &mut Vec<u8>) {
        let payload = self.payload.get(..0xffff).unwrap_or(&self.payload);
        out.push(u8::from(self.message_type));
        put_u16(out, u16::try_from(payload.len()).unwrap_or(u16::MAX));
        out.extend_from_slice(payload);
        out.extend_from_slice(&self.padding);
    }

    /// Takes every remaining byte of `r` as the message (the record
    /// delimits it), as [`HeartbeatMessage::parse`].
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        HeartbeatMessage::parse(r.rest()).map_err(|d| Error::Decode(d.as_str()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn request_with_minimum_padding() {
        let mut rec = vec![1, 0, 3, b'a', b'b', b'c'];
        rec.extend_from_slice(&[0xee; 16]);
        let m = HeartbeatMessage::parse(&rec).unwrap();
        assert_eq!(m.message_type, HeartbeatMessageType::Request);
        assert_eq!(m.payload, b"abc");
        assert_eq!(m.padding, vec![0xee; 16]);
        assert_eq!(m.get_encoding(), rec);
        let resp = m.response(vec![0; 16]);
        assert_eq!(resp.get_encoding().first(), Some(&2));
    }

    #[test]
    fn heartbleed_is_discarded() {
        // Declares 0x4000 payload bytes but carries 3 (+16 padding).
        let mut rec = vec![1, 0x40, 0x00, b'a', b'b', b'c'];
        rec.extend_from_slice(&[0; 16]);
        assert_eq!(
            HeartbeatMessage::parse(&rec),
            Err(HeartbeatDiscard::PayloadLengthTooLarge {
                payload_length: 0x4000,
                record_len: 22
            })
        );
        // Payload fits but padding is 15 bytes.
        let mut rec = vec![1, 0, 3, b'a', b'b', b'c'];
        rec.extend_from_slice(&[0; 15]);
        assert!(matches!(
            HeartbeatMessage::parse(&rec),
            Err(HeartbeatDiscard::PayloadLengthTooLarge { .. })
        ));
        assert!(HeartbeatMessage::read_bytes(&rec).is_err());
    }

    #[test]
    fn other_discards() {
        assert_eq!(
            HeartbeatMessage::parse(&[1, 0]),
            Err(HeartbeatDiscard::Truncated)
        );
        let mut rec = vec![9, 0, 0];
        rec.extend_from_slice(&[0; 16]);
        assert_eq!(
            HeartbeatMessage::parse(&rec),
            Err(HeartbeatDiscard::UnknownType(9))
        );
        let big = vec![1u8; MAX_HEARTBEAT_LEN + 1];
        assert_eq!(
            HeartbeatMessage::parse(&big),
            Err(HeartbeatDiscard::TooLong)
        );
    }
}
