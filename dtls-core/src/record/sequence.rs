//! Outgoing record sequence numbers (RFC 6347 4.1).
//!
//! Every record carries an explicit 48-bit sequence number that is reset to
//! zero when the epoch changes and incremented for every record sent in that
//! epoch. RFC 6347 4.1 forbids wrapping: "if a DTLS implementation would need
//! to wrap a sequence number, it MUST renegotiate instead". This crate does not
//! renegotiate, so running out means the connection must be closed.

use std::iter::FusedIterator;

use super::MAX_SEQUENCE_NUMBER;

/// The sequence numbers of the records we send in one epoch (RFC 6347 4.1).
///
/// It is an [`Iterator`]: [`Iterator::next`] hands out `0, 1, 2, …,
/// 2^48 - 1` and then `None` forever. When it returns `None` the engine must
/// not send another record in this epoch; it must close the connection (or
/// move to a new epoch), because RFC 6347 4.1 forbids reusing or wrapping a
/// sequence number.
///
/// Create a new counter for every epoch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SequenceCounter {
    /// The number the next call to `next` returns; above
    /// [`MAX_SEQUENCE_NUMBER`] once exhausted.
    next_value: u64,
}

impl SequenceCounter {
    /// A counter whose first number is `first`.
    ///
    /// Used where a number is dictated from outside, such as a stateless
    /// HelloVerifyRequest that copies the sequence number of the ClientHello
    /// it answers (RFC 6347 4.2.1). A `first` above 2^48 - 1 gives an
    /// exhausted counter.
    pub fn starting_at(first: u64) -> Self {
        Self {
            next_value: first.min(MAX_SEQUENCE_NUMBER + 1),
        }
    }

    /// The number the next call to `next` returns, without using it up; `None`
    /// once exhausted.
    pub fn peek(&self) -> Option<u64> {
        (self.next_value <= MAX_SEQUENCE_NUMBER).then_some(self.next_value)
    }

    /// Whether every 48-bit sequence number of this epoch has been used
    /// (RFC 6347 4.1).
    pub fn is_exhausted(&self) -> bool {
        self.next_value > MAX_SEQUENCE_NUMBER
    }

    /// How many sequence numbers are left in this epoch.
    pub fn remaining(&self) -> u64 {
        (MAX_SEQUENCE_NUMBER + 1).saturating_sub(self.next_value)
    }
}

impl Iterator for SequenceCounter {
    type Item = u64;

    /// The next unused sequence number, or `None` once 2^48 - 1 has been
    /// handed out (RFC 6347 4.1: sequence numbers must not wrap).
    fn next(&mut self) -> Option<u64> {
        let value = self.peek()?;
        self.next_value = value + 1;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = usize::try_from(self.remaining()).ok();
        (remaining.unwrap_or(usize::MAX), remaining)
    }
}

impl FusedIterator for SequenceCounter {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_zero_and_counts_up() {
        let mut counter = SequenceCounter::default();
        assert_eq!(counter.peek(), Some(0));
        assert_eq!(counter.next(), Some(0));
        assert_eq!(counter.next(), Some(1));
        assert_eq!(counter.next(), Some(2));
        assert_eq!(counter.peek(), Some(3));
        assert_eq!(counter.remaining(), MAX_SEQUENCE_NUMBER + 1 - 3);
        assert!(!counter.is_exhausted());
    }

    #[test]
    fn hands_out_the_maximum_then_stops_for_good() {
        let mut counter = SequenceCounter::starting_at(MAX_SEQUENCE_NUMBER - 1);
        assert_eq!(counter.next(), Some(MAX_SEQUENCE_NUMBER - 1));
        assert_eq!(counter.remaining(), 1);
        assert_eq!(counter.next(), Some(MAX_SEQUENCE_NUMBER));
        assert!(counter.is_exhausted());
        assert_eq!(counter.remaining(), 0);
        assert_eq!(counter.peek(), None);
        assert_eq!(counter.next(), None);
        assert_eq!(counter.next(), None, "must not wrap back to 0");
        assert_eq!(counter.size_hint(), (0, Some(0)));
    }

    #[test]
    fn starting_beyond_48_bits_is_exhausted() {
        for first in [MAX_SEQUENCE_NUMBER + 1, u64::MAX] {
            let mut counter = SequenceCounter::starting_at(first);
            assert!(counter.is_exhausted());
            assert_eq!(counter.next(), None);
        }
    }

    #[test]
    fn size_hint_matches_remaining() {
        let counter = SequenceCounter::starting_at(MAX_SEQUENCE_NUMBER - 9);
        assert_eq!(counter.size_hint(), (10, Some(10)));
        assert_eq!(counter.count(), 10);
    }
}
