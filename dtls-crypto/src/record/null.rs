//! **Fuzzing builds only (`cfg(fuzzing)`): no protection at all.**
//!
//! A fuzzer cannot forge an AEAD tag or an HMAC, so with real record
//! protection every input it mutates past the handshake is dropped at the
//! first protected record and the states behind it are never explored.
//! Under `cfg(fuzzing)` [`RecordProtection`](super::RecordProtection) keeps
//! each suite's wire layout (the same prefix and suffix lengths, CBC
//! padding included) but leaves the plaintext in clear and writes zeros
//! where the tag or MAC would be. Opening still checks that structure: the
//! lengths, the padding bytes and an all-zero tag, so a malformed record is
//! refused exactly where a real one would be.
//!
//! Together with the fuzzing PRF (`prf.rs`), a fuzzer can write a valid
//! protected record and a valid Finished by hand, and a recorded handshake
//! replays byte for byte. Never compile a build that sees real traffic
//! with `--cfg fuzzing`.

use core::ops::Range;

use crate::Error;

/// The CBC block size (AES).
const BLOCK: usize = 16;

/// What lies after the plaintext in a sealed fragment.
#[derive(Debug, Clone, Copy)]
pub(super) enum Suffix {
    /// An AEAD tag of this many bytes.
    Tag(usize),
    /// CBC padding to a whole block, then a MAC of this many bytes.
    PaddingThenMac(usize),
}

/// Seals in place: `fragment[prefix..prefix + plaintext_len]` holds the
/// plaintext and `fragment` is exactly the sealed length.
pub(super) fn seal(fragment: &mut [u8], seq_num: &[u8; 8], prefix: usize, plaintext_len: usize) {
    let (head, rest) = fragment.split_at_mut(prefix);
    // The explicit nonce or IV: the sequence number, as the real ciphers
    // write for AEAD suites; for CBC any value will do.
    for (h, s) in head.iter_mut().zip(seq_num.iter().cycle()) {
        *h = *s;
    }
    // The tag, or the padding and MAC until `seal_cbc` writes the padding.
    if let Some(suffix) = rest.get_mut(plaintext_len..) {
        suffix.fill(0);
    }
}

/// Seals with CBC-shaped padding: fills `padding` bytes after the plaintext
/// with `padding - 1` (RFC 5246 6.2.3.2) and zeros the MAC after them.
pub(super) fn seal_cbc(
    fragment: &mut [u8],
    seq_num: &[u8; 8],
    prefix: usize,
    plaintext_len: usize,
    mac_len: usize,
) {
    seal(fragment, seq_num, prefix, plaintext_len);
    let padded_end = fragment.len().saturating_sub(mac_len);
    let padding = padded_end.saturating_sub(prefix + plaintext_len);
    let value = u8::try_from(padding.saturating_sub(1)).unwrap_or(u8::MAX);
    if let Some(pad) = fragment.get_mut(prefix + plaintext_len..padded_end) {
        pad.fill(value);
    }
}

/// Opens in place: checks the layout `suffix` describes and returns where
/// the plaintext is.
///
/// # Errors
/// [`Error::BadRecordMac`] for a fragment too short, a non-zero tag or MAC,
/// or (CBC) a misaligned body or bad padding.
pub(super) fn open(fragment: &[u8], prefix: usize, suffix: Suffix) -> Result<Range<usize>, Error> {
    let body_end = match suffix {
        Suffix::Tag(tag) => fragment.len().checked_sub(tag),
        Suffix::PaddingThenMac(mac) => fragment.len().checked_sub(mac),
    }
    .filter(|&end| end >= prefix)
    .ok_or(Error::BadRecordMac)?;
    if fragment[body_end..].iter().any(|&b| b != 0) {
        return Err(Error::BadRecordMac);
    }
    let plaintext_end = match suffix {
        Suffix::Tag(_) => body_end,
        Suffix::PaddingThenMac(_) => {
            let padded = &fragment[prefix..body_end];
            if padded.is_empty() || padded.len() % BLOCK != 0 {
                return Err(Error::BadRecordMac);
            }
            let value = padded[padded.len() - 1];
            let padding = usize::from(value) + 1;
            let start = padded
                .len()
                .checked_sub(padding)
                .ok_or(Error::BadRecordMac)?;
            if padded[start..].iter().any(|&b| b != value) {
                return Err(Error::BadRecordMac);
            }
            prefix + start
        }
    };
    Ok(prefix..plaintext_end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_aead_fragment_opens_and_a_flipped_tag_does_not() {
        let mut f = [0u8; 8 + 5 + 16];
        f[8..13].copy_from_slice(b"hello");
        seal(&mut f, &[1; 8], 8, 5);
        assert_eq!(open(&f, 8, Suffix::Tag(16)).unwrap(), 8..13);
        f[20] ^= 1;
        assert!(open(&f, 8, Suffix::Tag(16)).is_err());
    }

    #[test]
    fn a_sealed_cbc_fragment_opens_and_bad_padding_does_not() {
        let mut f = [0u8; 16 + 16 + 20];
        f[16..21].copy_from_slice(b"hello");
        seal_cbc(&mut f, &[1; 8], 16, 5, 20);
        assert_eq!(open(&f, 16, Suffix::PaddingThenMac(20)).unwrap(), 16..21);
        f[25] ^= 1;
        assert!(open(&f, 16, Suffix::PaddingThenMac(20)).is_err());
    }
}
