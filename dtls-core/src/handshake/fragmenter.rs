//! Splitting outgoing handshake messages into fragments (RFC 6347 4.2.3).
//!
//! A handshake message that does not fit in the room left in a datagram is
//! sent as several fragments, each with the 12-byte DTLS handshake header
//! (RFC 6347 4.2.2) repeating the message's type, total length and
//! `message_seq`, plus its own `fragment_offset` and `fragment_length`.
//! RFC 6347 4.2.3 requires that fragments not overlap when first sent; the
//! flight transmitter cuts them contiguously and in order, each filling the
//! room its datagram has left.

use crate::msgs::handshake::{HandshakeFragment, HandshakeType};

use super::MAX_HANDSHAKE_LENGTH;

/// The fragment of the message `body` that starts at `offset` and carries at
/// most `max_body` bytes of it (all that is left, if that is less). An
/// empty body gives one fragment of length zero.
///
/// `None` if `offset` lies past the end of the body or the body is longer
/// than the 24-bit `length` field can describe (2^24 − 1 bytes, RFC 6347
/// 4.2.2).
pub fn fragment_at(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    offset: usize,
    max_body: usize,
) -> Option<HandshakeFragment<'_>> {
    let length = u32::try_from(body.len())
        .ok()
        .filter(|&l| l <= MAX_HANDSHAKE_LENGTH)?;
    let end = offset.saturating_add(max_body).min(body.len());
    let fragment = body.get(offset..end)?;
    Some(HandshakeFragment {
        msg_type,
        length,
        message_seq,
        fragment_offset: u32::try_from(offset).ok()?,
        fragment,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::handshake::HANDSHAKE_HEADER_LEN;
    use crate::handshake::reassembler::{
        FragmentIn, HandshakeReassembler, InsertOutcome, ReassemblyLimits,
    };

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

    /// Every fragment of `body`, each with at most `max_body` bytes.
    fn all_fragments(
        msg_type: u8,
        seq: u16,
        body: &[u8],
        max_body: usize,
    ) -> Vec<HandshakeFragment<'_>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let f =
                fragment_at(HandshakeType::from(msg_type), seq, body, offset, max_body).unwrap();
            offset += f.fragment.len();
            out.push(f);
            if offset >= body.len() {
                return out;
            }
        }
    }

    fn encoded(f: &HandshakeFragment<'_>) -> Vec<u8> {
        let mut out = vec![0u8; f.encoded_len()];
        assert_eq!(f.write_to(&mut out), Some(f.encoded_len()));
        out
    }

    #[test]
    fn empty_body_gives_one_empty_fragment() {
        let fragments = all_fragments(14, 3, b"", 1);
        assert_eq!(fragments.len(), 1);
        let only = fragments[0];
        assert_eq!(only.length, 0);
        assert_eq!(only.fragment_offset, 0);
        assert_eq!(only.fragment, b"");
        assert_eq!(
            encoded(&only),
            hex::decode("0e0000000003000000000000").unwrap()
        );
    }

    #[test]
    fn encoding_is_the_rfc_6347_header() {
        let body: Vec<u8> = (0..=255).cycle().take(0x01_0203).collect();
        let fragments = all_fragments(11, 0x0a0b, &body, 0x01_0000);
        assert_eq!(fragments.len(), 2);
        let second = encoded(&fragments[1]);
        // msg_type, length, message_seq, fragment_offset, fragment_length.
        assert_eq!(
            hex::encode(&second[..12]),
            "0b".to_owned() + "010203" + "0a0b" + "010000" + "000203"
        );
        assert_eq!(&second[12..], &body[0x01_0000..]);
        assert_eq!(fragments[0].encoded_len(), 12 + 0x01_0000);
        assert_eq!(fragments[1].encoded_len(), 12 + 0x0203);
    }

    #[test]
    fn a_short_buffer_is_refused() {
        let f = fragment_at(HandshakeType::Finished, 0, b"abc", 0, 10).unwrap();
        assert_eq!(f.write_to(&mut [0u8; HANDSHAKE_HEADER_LEN + 2]), None);
        assert_eq!(
            f.write_to(&mut [0u8; HANDSHAKE_HEADER_LEN + 3]),
            Some(HANDSHAKE_HEADER_LEN + 3)
        );
    }

    #[test]
    fn exact_fit_is_one_fragment() {
        let body = [7u8; 100];
        assert_eq!(all_fragments(1, 0, &body, 100).len(), 1);
        assert_eq!(all_fragments(1, 0, &body, 99).len(), 2);
        assert_eq!(all_fragments(1, 0, &body, usize::MAX).len(), 1);
    }

    #[test]
    fn offsets_past_the_end_and_oversized_bodies_are_refused() {
        assert!(fragment_at(HandshakeType::Finished, 0, b"abc", 4, 10).is_none());
        assert!(fragment_at(HandshakeType::Finished, 0, b"abc", 3, 10).is_some());
        let body = vec![0u8; 1 << 24];
        assert!(fragment_at(HandshakeType::Certificate, 0, &body, 0, 1400).is_none());
        assert!(fragment_at(HandshakeType::Certificate, 0, &body[1..], 0, 1400).is_some());
    }

    proptest! {
        #[test]
        fn fragments_fit_and_reassemble(
            body in proptest::collection::vec(any::<u8>(), 0..5000),
            room in 1usize..1500,
            msg_type in any::<u8>(),
            seq in any::<u16>(),
        ) {
            let fragments = all_fragments(msg_type, seq, &body, room);
            prop_assert_eq!(fragments.len(), body.len().div_ceil(room).max(1));
            let mut reassembler = HandshakeReassembler::new(ReassemblyLimits {
                max_message_len: 5000,
                ..ReassemblyLimits::default()
            });
            reassembler.set_next_expected(seq);
            let mut next_offset = 0usize;
            for fragment in &fragments {
                let encoded = encoded(fragment);
                prop_assert!(encoded.len() <= room + HANDSHAKE_HEADER_LEN);
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
                    reassembler.insert(FragmentIn::from(*fragment)),
                    Ok(InsertOutcome::Progress)
                );
            }
            prop_assert_eq!(next_offset, body.len());
            let message = reassembler.pop_complete().unwrap();
            prop_assert_eq!(message.msg_type(), msg_type);
            prop_assert_eq!(message.into_body(), body);
        }
    }
}
