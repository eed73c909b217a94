//! Splitting outgoing handshake messages into fragments (RFC 6347 4.2.3).
//!
//! A handshake message that does not fit in one record of the path MTU is
//! sent as several fragments, each with the 12-byte DTLS handshake header
//! (RFC 6347 4.2.2) repeating the message's type, total length and
//! `message_seq`, plus its own `fragment_offset` and `fragment_length`.
//! RFC 6347 4.2.3 requires that fragments not overlap when first sent; these
//! are contiguous and in order, and each fills the space it is given.

use std::iter::FusedIterator;

use super::reassembler::FragmentIn;
use super::{HANDSHAKE_HEADER_LEN, MAX_HANDSHAKE_LENGTH, write_handshake_header};

/// Why [`fragment_message`] refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FragmentError {
    /// `max_fragment_len` leaves no room for even one body byte after the
    /// 12-byte header (RFC 6347 4.2.2).
    MaxFragmentLenTooSmall {
        /// The value given.
        max_fragment_len: usize,
    },
    /// The body is longer than the 24-bit `length` field can describe
    /// (2^24 − 1 bytes, RFC 6347 4.2.2).
    MessageTooLong {
        /// The body length given.
        length: usize,
    },
}

impl std::fmt::Display for FragmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MaxFragmentLenTooSmall { max_fragment_len } => write!(
                f,
                "maximum fragment length {max_fragment_len} leaves no room after the \
                 {HANDSHAKE_HEADER_LEN}-byte handshake header"
            ),
            Self::MessageTooLong { length } => {
                write!(f, "handshake message of {length} bytes exceeds 2^24 - 1")
            }
        }
    }
}

impl std::error::Error for FragmentError {}

/// One outgoing handshake fragment: the header fields and the slice of the
/// message body it carries (RFC 6347 4.2.2). All lengths and offsets fit in
/// 24 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentOut<'a> {
    msg_type: u8,
    length: u32,
    message_seq: u16,
    fragment_offset: u32,
    fragment: &'a [u8],
}

impl<'a> FragmentOut<'a> {
    /// The message's `HandshakeType` (RFC 5246 7.4).
    pub fn msg_type(&self) -> u8 {
        self.msg_type
    }

    /// The whole message body's `length` (RFC 6347 4.2.2).
    pub fn length(&self) -> u32 {
        self.length
    }

    /// The message's `message_seq` (RFC 6347 4.2.2).
    pub fn message_seq(&self) -> u16 {
        self.message_seq
    }

    /// Where this fragment starts in the body (RFC 6347 4.2.2).
    pub fn fragment_offset(&self) -> u32 {
        self.fragment_offset
    }

    /// The body bytes this fragment carries; `fragment_length` is its length.
    pub fn fragment(&self) -> &'a [u8] {
        self.fragment
    }

    /// The encoded size: header plus fragment bytes.
    pub fn encoded_len(&self) -> usize {
        HANDSHAKE_HEADER_LEN + self.fragment.len()
    }

    /// Appends the 12-byte handshake header (`msg_type`, `length`,
    /// `message_seq`, `fragment_offset`, `fragment_length`, big-endian,
    /// RFC 6347 4.2.2) and the fragment bytes: the plaintext of one
    /// handshake record.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        // The fragment is part of a body of at most 2^24 - 1 bytes.
        let fragment_length = u32::try_from(self.fragment.len()).unwrap_or(MAX_HANDSHAKE_LENGTH);
        write_handshake_header(
            out,
            self.msg_type,
            self.length,
            self.message_seq,
            self.fragment_offset,
            fragment_length,
        );
        out.extend_from_slice(self.fragment);
    }

    /// The same fragment as the reassembler's input type, for feeding it
    /// straight back (loopback and tests).
    pub fn as_fragment_in(&self) -> FragmentIn<'a> {
        FragmentIn {
            msg_type: self.msg_type,
            length: self.length,
            message_seq: self.message_seq,
            fragment_offset: self.fragment_offset,
            fragment: self.fragment,
        }
    }
}

/// The fragments of one message, in order, from [`fragment_message`].
#[derive(Debug, Clone)]
pub struct Fragments<'a> {
    msg_type: u8,
    message_seq: u16,
    body: &'a [u8],
    /// The most body bytes per fragment; at least 1.
    max_body_per_fragment: usize,
    next_offset: usize,
    finished: bool,
}

/// Splits a handshake message into fragments whose encoding (12-byte header
/// plus body slice) is at most `max_fragment_len` bytes, the room left for a
/// handshake record's plaintext in one datagram (RFC 6347 4.2.3: "each DTLS
/// message MUST fit within a single transport layer datagram", and messages
/// larger than that are fragmented).
///
/// Every fragment except the last carries exactly `max_fragment_len - 12`
/// body bytes. An empty body gives exactly one fragment, of length zero.
///
/// Fails if `max_fragment_len` is under 13 (no room for a body byte) or the
/// body is longer than 2^24 − 1 bytes.
pub fn fragment_message(
    msg_type: u8,
    message_seq: u16,
    body: &[u8],
    max_fragment_len: usize,
) -> Result<Fragments<'_>, FragmentError> {
    let max_body_per_fragment = max_fragment_len.saturating_sub(HANDSHAKE_HEADER_LEN);
    if max_body_per_fragment == 0 {
        return Err(FragmentError::MaxFragmentLenTooSmall { max_fragment_len });
    }
    if body.len() > MAX_HANDSHAKE_LENGTH as usize {
        return Err(FragmentError::MessageTooLong { length: body.len() });
    }
    Ok(Fragments {
        msg_type,
        message_seq,
        body,
        max_body_per_fragment,
        next_offset: 0,
        finished: false,
    })
}

impl<'a> Iterator for Fragments<'a> {
    type Item = FragmentOut<'a>;

    fn next(&mut self) -> Option<FragmentOut<'a>> {
        if self.finished {
            return None;
        }
        let start = self.next_offset;
        let end = start
            .saturating_add(self.max_body_per_fragment)
            .min(self.body.len());
        let fragment = self.body.get(start..end)?;
        self.next_offset = end;
        self.finished = end == self.body.len();
        // `fragment_message` checked the body fits in 24 bits.
        Some(FragmentOut {
            msg_type: self.msg_type,
            length: self.body.len() as u32,
            message_seq: self.message_seq,
            fragment_offset: start as u32,
            fragment,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = if self.finished {
            0
        } else {
            self.body
                .len()
                .saturating_sub(self.next_offset)
                .div_ceil(self.max_body_per_fragment)
                .max(1)
        };
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for Fragments<'_> {}

impl FusedIterator for Fragments<'_> {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::handshake::reassembler::{HandshakeReassembler, InsertOutcome, ReassemblyLimits};

    /// Decodes one encoded fragment independently of the code under test.
    fn decode(encoded: &[u8]) -> (u8, u32, u16, u32, u32, &[u8]) {
        let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
        (
            encoded[0],
            u24(&encoded[1..4]),
            u16::from_be_bytes([encoded[4], encoded[5]]),
            u24(&encoded[6..9]),
            u24(&encoded[9..12]),
            &encoded[12..],
        )
    }

    #[test]
    fn empty_body_gives_one_empty_fragment() {
        let fragments: Vec<FragmentOut<'_>> = fragment_message(14, 3, b"", 13).unwrap().collect();
        assert_eq!(fragments.len(), 1);
        let only = fragments[0];
        assert_eq!(only.length(), 0);
        assert_eq!(only.fragment_offset(), 0);
        assert_eq!(only.fragment(), b"");
        let mut encoded = Vec::new();
        only.encode_into(&mut encoded);
        assert_eq!(encoded, hex::decode("0e0000000003000000000000").unwrap());
    }

    #[test]
    fn encoding_is_the_rfc_6347_header() {
        let body: Vec<u8> = (0..=255).cycle().take(0x01_0203).collect();
        let mut fragments = fragment_message(11, 0x0a0b, &body, 12 + 0x01_0000).unwrap();
        let first = fragments.next().unwrap();
        let second = fragments.next().unwrap();
        assert!(fragments.next().is_none());
        let mut encoded = vec![0xFF];
        second.encode_into(&mut encoded);
        // msg_type, length, message_seq, fragment_offset, fragment_length.
        assert_eq!(
            hex::encode(&encoded[..13]),
            "ff".to_owned() + "0b" + "010203" + "0a0b" + "010000" + "000203"
        );
        assert_eq!(&encoded[13..], &body[0x01_0000..]);
        assert_eq!(first.encoded_len(), 12 + 0x01_0000);
        assert_eq!(second.encoded_len(), 12 + 0x0203);
    }

    #[test]
    fn too_small_a_maximum_is_refused() {
        for max in [0, 1, 12] {
            assert_eq!(
                fragment_message(1, 0, b"x", max).err(),
                Some(FragmentError::MaxFragmentLenTooSmall {
                    max_fragment_len: max
                })
            );
        }
        let fragments: Vec<FragmentOut<'_>> = fragment_message(1, 0, b"abc", 13).unwrap().collect();
        assert_eq!(fragments.len(), 3);
        assert!(fragments.iter().all(|f| f.encoded_len() == 13));
    }

    #[test]
    fn exact_fit_is_one_fragment() {
        let body = [7u8; 100];
        assert_eq!(fragment_message(1, 0, &body, 112).unwrap().len(), 1);
        assert_eq!(fragment_message(1, 0, &body, 111).unwrap().len(), 2);
        assert_eq!(fragment_message(1, 0, &body, usize::MAX).unwrap().len(), 1);
    }

    #[test]
    fn body_longer_than_24_bits_is_refused() {
        let body = vec![0u8; 1 << 24];
        assert_eq!(
            fragment_message(1, 0, &body, 1400).err(),
            Some(FragmentError::MessageTooLong { length: 1 << 24 })
        );
        assert!(fragment_message(1, 0, &body[1..], 1400).is_ok());
        assert!(
            !FragmentError::MessageTooLong { length: 1 << 24 }
                .to_string()
                .is_empty()
        );
    }

    #[test]
    fn single_fragment_matches_the_transcript_form() {
        let body = b"client key exchange";
        let mut reassembler = HandshakeReassembler::default();
        reassembler.set_next_expected(5);
        let only = fragment_message(16, 5, body, 1000).unwrap().next().unwrap();
        reassembler.insert(only.as_fragment_in()).unwrap();
        let mut encoded = Vec::new();
        only.encode_into(&mut encoded);
        assert_eq!(
            reassembler.pop_complete().unwrap().transcript_bytes(),
            encoded
        );
    }

    proptest! {
        #[test]
        fn fragments_fit_and_reassemble(
            body in proptest::collection::vec(any::<u8>(), 0..5000),
            max_fragment_len in 13usize..1500,
            msg_type in any::<u8>(),
            seq in any::<u16>(),
        ) {
            let fragments = fragment_message(msg_type, seq, &body, max_fragment_len).unwrap();
            let predicted = fragments.len();
            let room = max_fragment_len - 12;
            prop_assert_eq!(predicted, body.len().div_ceil(room).max(1));
            let mut reassembler = HandshakeReassembler::new(ReassemblyLimits {
                max_message_len: 5000,
                ..ReassemblyLimits::default()
            });
            reassembler.set_next_expected(seq);
            let mut next_offset = 0usize;
            let mut count = 0;
            for fragment in fragments {
                count += 1;
                let mut encoded = Vec::new();
                fragment.encode_into(&mut encoded);
                prop_assert_eq!(encoded.len(), fragment.encoded_len());
                prop_assert!(encoded.len() <= max_fragment_len);
                let (t, length, s, offset, fragment_length, bytes) = decode(&encoded);
                prop_assert_eq!(t, msg_type);
                prop_assert_eq!(length as usize, body.len());
                prop_assert_eq!(s, seq);
                prop_assert_eq!(offset as usize, next_offset, "contiguous, in order");
                prop_assert_eq!(fragment_length as usize, bytes.len());
                prop_assert_eq!(bytes, &body[next_offset..next_offset + bytes.len()]);
                next_offset += bytes.len();
                if next_offset < body.len() {
                    prop_assert_eq!(bytes.len(), room, "all but the last are full");
                }
                prop_assert_eq!(
                    reassembler.insert(fragment.as_fragment_in()),
                    Ok(InsertOutcome::Progress)
                );
            }
            prop_assert_eq!(count, predicted);
            prop_assert_eq!(next_offset, body.len());
            let message = reassembler.pop_complete().unwrap();
            prop_assert_eq!(message.msg_type(), msg_type);
            prop_assert_eq!(message.into_body(), body);
        }
    }
}
