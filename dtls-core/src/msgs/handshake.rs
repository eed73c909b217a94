//! DTLS handshake message framing and fragments (RFC 6347 section 4.2.2).
//!
//! ```text
//! struct {
//!     HandshakeType msg_type;     // 1 byte
//!     uint24 length;              // length of the whole message body
//!     uint16 message_seq;
//!     uint24 fragment_offset;
//!     uint24 fragment_length;
//!     opaque fragment[fragment_length];
//! } Handshake;
//! ```
//!
//! A record may carry several handshake fragments; a fragment never spans
//! records (RFC 6347 section 4.2.3). [`HandshakeFragments`] walks them.

use super::codec::{Codec, Need, Reader, U24_MAX};
pub use super::enums::HandshakeType;
use super::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange, Finished,
    HelloVerifyRequest, NewSessionTicket, ServerHello, ServerHelloDone, ServerKeyExchange,
};
use crate::error::Error;

/// The length of the DTLS handshake header (RFC 6347 section 4.2.2).
pub const HANDSHAKE_HEADER_LEN: usize = 12;

/// The 12-byte DTLS handshake header on its own (RFC 6347 section 4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeHeader {
    /// `msg_type`.
    pub msg_type: HandshakeType,
    /// `length`: the length of the whole message body (24 bits).
    pub length: u32,
    /// `message_seq`.
    pub message_seq: u16,
    /// `fragment_offset` (24 bits).
    pub fragment_offset: u32,
    /// `fragment_length` (24 bits).
    pub fragment_length: u32,
}

impl HandshakeHeader {
    /// The header of a message sent whole (`fragment_offset` 0,
    /// `fragment_length == length`): the form the transcript covers
    /// (RFC 6347 section 4.2.6).
    pub fn unfragmented(msg_type: HandshakeType, message_seq: u16, length: u32) -> Self {
        HandshakeHeader {
            msg_type,
            length,
            message_seq,
            fragment_offset: 0,
            fragment_length: length,
        }
    }

    /// The 12 wire bytes, big-endian, 24-bit fields from their low 24 bits
    /// (RFC 6347 section 4.2.2). Every handshake header this crate sends or
    /// hashes is written here.
    pub fn to_bytes(&self) -> [u8; HANDSHAKE_HEADER_LEN] {
        let [_, l0, l1, l2] = self.length.to_be_bytes();
        let [s0, s1] = self.message_seq.to_be_bytes();
        let [_, o0, o1, o2] = self.fragment_offset.to_be_bytes();
        let [_, f0, f1, f2] = self.fragment_length.to_be_bytes();
        [
            u8::from(self.msg_type),
            l0,
            l1,
            l2,
            s0,
            s1,
            o0,
            o1,
            o2,
            f0,
            f1,
            f2,
        ]
    }
}

impl Codec for HandshakeHeader {
    /// 24-bit fields are written from their low 24 bits.
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(HandshakeHeader {
            msg_type: HandshakeType::from(r.u8().need("handshake header: msg_type")?),
            length: r.u24().need("handshake header: length")?,
            message_seq: r.u16().need("handshake header: message_seq")?,
            fragment_offset: r.u24().need("handshake header: fragment_offset")?,
            fragment_length: r.u24().need("handshake header: fragment_length")?,
        })
    }
}

/// One handshake fragment borrowed from a record (RFC 6347 section 4.2.2),
/// validated: `fragment_offset + fragment.len() <= length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeFragment<'a> {
    /// `msg_type`.
    pub msg_type: HandshakeType,
    /// `length`: the whole message body's length.
    pub length: u32,
    /// `message_seq`.
    pub message_seq: u16,
    /// `fragment_offset`.
    pub fragment_offset: u32,
    /// The fragment bytes (`fragment_length` of them).
    pub fragment: &'a [u8],
}

impl<'a> HandshakeFragment<'a> {
    /// Reads one fragment from `r` (which holds a record's plaintext):
    /// header, then exactly `fragment_length` bytes that must be present.
    /// Rejects `fragment_offset + fragment_length > length`.
    pub fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let h = HandshakeHeader::read(r)?;
        let end = h
            .fragment_offset
            .checked_add(h.fragment_length)
            .need("handshake fragment_offset overflow")?;
        if end > h.length {
            return Err(Error::Decode(
                "handshake fragment_offset + fragment_length exceeds length",
            ));
        }
        let len =
            usize::try_from(h.fragment_length).map_err(|_| Error::Decode("fragment_length"))?;
        let fragment = r
            .take(len)
            .need("handshake fragment shorter than fragment_length")?;
        Ok(HandshakeFragment {
            msg_type: h.msg_type,
            length: h.length,
            message_seq: h.message_seq,
            fragment_offset: h.fragment_offset,
            fragment,
        })
    }

    /// Splits the first fragment off `buf`, returning it and the rest of
    /// the record.
    pub fn parse(buf: &'a [u8]) -> Result<(Self, &'a [u8]), Error> {
        let mut r = Reader::new(buf);
        let f = Self::read(&mut r)?;
        Ok((f, r.rest()))
    }

    /// The header this fragment is framed with.
    pub fn header(&self) -> HandshakeHeader {
        HandshakeHeader {
            msg_type: self.msg_type,
            length: self.length,
            message_seq: self.message_seq,
            fragment_offset: self.fragment_offset,
            fragment_length: u32::try_from(self.fragment.len()).unwrap_or(U24_MAX),
        }
    }

    /// Whether this fragment is the whole message (offset 0, full length).
    pub fn is_complete(&self) -> bool {
        self.fragment_offset == 0
            && u32::try_from(self.fragment.len()).is_ok_and(|n| n == self.length)
    }

    /// Appends header and fragment. A fragment longer than 2^24-1 bytes is
    /// cut there, keeping the framing consistent.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let frag = self
            .fragment
            .get(..U24_MAX as usize)
            .unwrap_or(self.fragment);
        let mut h = self.header();
        h.fragment_length = u32::try_from(frag.len()).unwrap_or(U24_MAX);
        h.encode(out);
        out.extend_from_slice(frag);
    }

    /// The encoded size: header plus fragment bytes.
    pub fn encoded_len(&self) -> usize {
        HANDSHAKE_HEADER_LEN + self.fragment.len()
    }

    /// Writes header and fragment into the start of `out` without
    /// allocating (the transmit path) and returns the length written;
    /// `None` if `out` is too short or a length or offset does not fit in
    /// 24 bits (RFC 6347 section 4.2.2).
    pub fn write_to(&self, out: &mut [u8]) -> Option<usize> {
        let fits = |v: usize| u32::try_from(v).is_ok_and(|v| v <= U24_MAX);
        let end = (self.fragment_offset as usize).checked_add(self.fragment.len())?;
        if self.length > U24_MAX || !fits(end) {
            return None;
        }
        let out = out.get_mut(..self.encoded_len())?;
        let (header, body) = out.split_at_mut(HANDSHAKE_HEADER_LEN);
        header.copy_from_slice(&self.header().to_bytes());
        body.copy_from_slice(self.fragment);
        Some(self.encoded_len())
    }
}

/// An iterator over the handshake fragments in one record's plaintext
/// (RFC 6347 section 4.2.3). Stops after the first malformed fragment,
/// yielding its error once.
#[derive(Debug, Clone)]
pub struct HandshakeFragments<'a> {
    rest: &'a [u8],
}

impl<'a> HandshakeFragments<'a> {
    /// Iterates the fragments in `record_plaintext`.
    pub fn new(record_plaintext: &'a [u8]) -> Self {
        HandshakeFragments {
            rest: record_plaintext,
        }
    }
}

impl<'a> Iterator for HandshakeFragments<'a> {
    type Item = Result<HandshakeFragment<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match HandshakeFragment::parse(self.rest) {
            Ok((f, rest)) => {
                self.rest = rest;
                Some(Ok(f))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Appends a whole handshake message as one fragment (offset 0,
/// `fragment_length == length`; RFC 6347 section 4.2.2). This is also the
/// form the handshake transcript hash covers (RFC 6347 section 4.2.6).
/// A body longer than 2^24-1 bytes is cut there.
pub fn encode_handshake(out: &mut Vec<u8>, msg_type: HandshakeType, message_seq: u16, body: &[u8]) {
    let body = body.get(..U24_MAX as usize).unwrap_or(body);
    let length = u32::try_from(body.len()).unwrap_or(U24_MAX);
    out.reserve(HANDSHAKE_HEADER_LEN + body.len());
    HandshakeHeader::unfragmented(msg_type, message_seq, length).encode(out);
    out.extend_from_slice(body);
}

/// Declares [`HandshakePayload`] from one list of the messages this codec
/// models, each a [`HandshakeType`] variant carrying the message type of the
/// same name, so the type, decoding and encoding of a message are written
/// once.
macro_rules! handshake_payloads {
    ($( $(#[$doc:meta])* $message:ident, )*) => {
        /// A decoded handshake message body, by type (RFC 5246 section 7.4).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum HandshakePayload {
            /// `hello_request`: empty body (RFC 5246 section 7.4.1.1).
            HelloRequest,
            $( $(#[$doc])* $message($message), )*
            /// A message type this codec does not model; the body is kept.
            Unknown {
                /// The wire `msg_type`.
                typ: u8,
                /// The body bytes.
                body: Vec<u8>,
            },
        }

        impl HandshakePayload {
            /// The message type.
            pub fn handshake_type(&self) -> HandshakeType {
                match self {
                    HandshakePayload::HelloRequest => HandshakeType::HelloRequest,
                    $( HandshakePayload::$message(_) => HandshakeType::$message, )*
                    HandshakePayload::Unknown { typ, .. } => HandshakeType::from(*typ),
                }
            }

            /// Decodes a reassembled message body of type `typ`; the body
            /// must be consumed exactly.
            pub fn read(typ: HandshakeType, body: &[u8]) -> Result<Self, Error> {
                Ok(match typ {
                    HandshakeType::HelloRequest => {
                        if !body.is_empty() {
                            return Err(Error::Decode("HelloRequest not empty"));
                        }
                        HandshakePayload::HelloRequest
                    }
                    $( HandshakeType::$message => {
                        HandshakePayload::$message($message::read_bytes(body)?)
                    } )*
                    HandshakeType::Unknown(typ) => HandshakePayload::Unknown {
                        typ,
                        body: body.to_vec(),
                    },
                })
            }

            /// Appends the message body (no handshake header).
            pub fn encode_body(&self, out: &mut Vec<u8>) {
                match self {
                    HandshakePayload::HelloRequest => {}
                    $( HandshakePayload::$message(m) => m.encode(out), )*
                    HandshakePayload::Unknown { body, .. } => out.extend_from_slice(body),
                }
            }
        }
    };
}

handshake_payloads! {
    /// `client_hello` (RFC 6347 section 4.2.1).
    ClientHello,
    /// `server_hello` (RFC 5246 section 7.4.1.3).
    ServerHello,
    /// `hello_verify_request` (RFC 6347 section 4.2.1).
    HelloVerifyRequest,
    /// `new_session_ticket` (RFC 5077 section 3.3).
    NewSessionTicket,
    /// `certificate` (RFC 5246 section 7.4.2).
    Certificate,
    /// `server_key_exchange` (RFC 5246 section 7.4.3), read by suite.
    ServerKeyExchange,
    /// `certificate_request` (RFC 5246 section 7.4.4).
    CertificateRequest,
    /// `server_hello_done` (RFC 5246 section 7.4.5).
    ServerHelloDone,
    /// `certificate_verify` (RFC 5246 section 7.4.8).
    CertificateVerify,
    /// `client_key_exchange` (RFC 5246 section 7.4.7), read by suite.
    ClientKeyExchange,
    /// `finished` (RFC 5246 section 7.4.9).
    Finished,
}

impl HandshakePayload {
    /// Appends the whole message: header (offset 0, unfragmented) then body.
    pub fn encode_message(&self, message_seq: u16, out: &mut Vec<u8>) {
        let mut body = Vec::new();
        self.encode_body(&mut body);
        encode_handshake(out, self.handshake_type(), message_seq, &body);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_and_fragment() {
        // finished(20), length 12, seq 5, offset 4, fragment_length 3.
        let bytes = hex::decode("1400000c0005000004000003aabbccdd").unwrap();
        let (f, rest) = HandshakeFragment::parse(&bytes).unwrap();
        assert_eq!(f.msg_type, HandshakeType::Finished);
        assert_eq!(f.length, 12);
        assert_eq!(f.message_seq, 5);
        assert_eq!(f.fragment_offset, 4);
        assert_eq!(f.fragment, &[0xaa, 0xbb, 0xcc]);
        assert_eq!(rest, &[0xdd]);
        assert!(!f.is_complete());
        let mut enc = Vec::new();
        f.encode(&mut enc);
        assert_eq!(enc, bytes.get(..15).unwrap());
    }

    #[test]
    fn rejects_fragment_past_message_end() {
        // length 4, offset 2, fragment_length 3: 2 + 3 > 4.
        let bytes = hex::decode("0b000004000000000200000301020304").unwrap();
        assert!(HandshakeFragment::parse(&bytes).is_err());
        // offset near 2^24 with a large length must not overflow.
        let bytes = hex::decode("0bffffff0000ffffff000002aabb").unwrap();
        assert!(HandshakeFragment::parse(&bytes).is_err());
    }

    #[test]
    fn rejects_missing_fragment_bytes() {
        let bytes = hex::decode("0b000004000000000000000401020304").unwrap();
        assert!(HandshakeFragment::parse(&bytes).is_ok());
        assert!(HandshakeFragment::parse(bytes.get(..15).unwrap()).is_err());
    }

    #[test]
    fn zero_length_fragments() {
        // ServerHelloDone: length 0, complete.
        let bytes = hex::decode("0e0000000002000000000000").unwrap();
        let (f, rest) = HandshakeFragment::parse(&bytes).unwrap();
        assert!(f.is_complete());
        assert!(f.fragment.is_empty());
        assert!(rest.is_empty());
        // An empty fragment at the end of a non-empty message is valid but
        // not complete.
        let bytes = hex::decode("0b0000040000000004000000").unwrap();
        let (f, _) = HandshakeFragment::parse(&bytes).unwrap();
        assert!(!f.is_complete());
        // An empty fragment past the end is not.
        let bytes = hex::decode("0b0000040000000005000000").unwrap();
        assert!(HandshakeFragment::parse(&bytes).is_err());
    }

    #[test]
    fn iterates_fragments_in_record() {
        let mut rec = Vec::new();
        encode_handshake(&mut rec, HandshakeType::ServerHelloDone, 3, &[]);
        encode_handshake(&mut rec, HandshakeType::Finished, 4, &[9; 12]);
        let frags: Vec<_> = HandshakeFragments::new(&rec)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(frags.len(), 2);
        assert!(frags.iter().all(HandshakeFragment::is_complete));
        assert_eq!(frags.get(1).unwrap().message_seq, 4);
    }

    #[test]
    fn payload_by_type() {
        let p = HandshakePayload::read(HandshakeType::ServerHelloDone, &[]).unwrap();
        let mut out = Vec::new();
        p.encode_message(7, &mut out);
        assert_eq!(hex::encode(out), "0e0000000007000000000000");
        assert!(HandshakePayload::read(HandshakeType::HelloRequest, &[0]).is_err());
        let u = HandshakePayload::read(HandshakeType::Unknown(99), &[1, 2]).unwrap();
        assert_eq!(u.handshake_type(), HandshakeType::Unknown(99));
    }
}
