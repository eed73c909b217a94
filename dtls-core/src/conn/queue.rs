//! `MessageQueue`: application messages waiting to be sent or read, kept as
//! one length-prefixed byte ring so that queueing a message neither
//! allocates (once the ring has grown to its working size) nor copies byte
//! by byte.

use std::collections::VecDeque;

/// Bytes of the length prefix in front of each message.
const PREFIX: usize = 2;

/// A FIFO of messages of at most 2^16 - 1 bytes each.
#[derive(Debug, Default)]
pub(crate) struct MessageQueue {
    bytes: VecDeque<u8>,
}

impl MessageQueue {
    /// Bytes held, prefixes included (what the buffer caps compare).
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether no message is waiting.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Bytes `message` would take in the queue.
    pub(crate) fn cost(message: &[u8]) -> usize {
        PREFIX + message.len()
    }

    /// Appends a message; `false` (nothing queued) if it is longer than a
    /// prefix can describe.
    pub(crate) fn push(&mut self, message: &[u8]) -> bool {
        let Ok(len) = u16::try_from(message.len()) else {
            return false;
        };
        self.bytes.extend(&len.to_be_bytes());
        // `Extend<&u8>` from a slice copies in bulk.
        self.bytes.extend(message);
        true
    }

    /// Length of the first message, if any.
    pub(crate) fn front_len(&self) -> Option<usize> {
        let hi = *self.bytes.front()?;
        let lo = *self.bytes.get(1)?;
        Some(usize::from(u16::from_be_bytes([hi, lo])))
    }

    /// Moves the first message into the start of `dst` and returns its
    /// length; `None` (nothing removed) if there is none or `dst` is too
    /// short.
    pub(crate) fn pop_into(&mut self, dst: &mut [u8]) -> Option<usize> {
        let len = self.front_len()?;
        let dst = dst.get_mut(..len)?;
        self.bytes.drain(..PREFIX);
        let (a, b) = self.bytes.as_slices();
        let from_a = len.min(a.len());
        dst.get_mut(..from_a)?.copy_from_slice(a.get(..from_a)?);
        dst.get_mut(from_a..)?
            .copy_from_slice(b.get(..len - from_a)?);
        self.bytes.drain(..len);
        Some(len)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_out_whole_and_in_order_across_wraparound() {
        let mut q = MessageQueue::default();
        let mut out = [0u8; 300];
        // Interleave pushes and pops so the ring wraps many times.
        for round in 0..200u32 {
            let a = vec![round as u8; (round as usize * 7) % 251];
            let b = vec![!(round as u8); (round as usize * 13) % 97 + 1];
            assert!(q.push(&a));
            assert!(q.push(&b));
            assert_eq!(q.pop_into(&mut out), Some(a.len()));
            assert_eq!(&out[..a.len()], &a[..]);
            assert_eq!(q.front_len(), Some(b.len()));
            assert_eq!(q.pop_into(&mut out), Some(b.len()));
            assert_eq!(&out[..b.len()], &b[..]);
        }
        assert!(q.is_empty());
        assert_eq!(q.pop_into(&mut out), None);
    }

    #[test]
    fn short_destination_leaves_the_message_queued() {
        let mut q = MessageQueue::default();
        assert!(q.push(b"hello"));
        assert_eq!(q.pop_into(&mut [0u8; 4]), None);
        assert_eq!(q.byte_len(), 7);
        let mut out = [0u8; 5];
        assert_eq!(q.pop_into(&mut out), Some(5));
        assert_eq!(&out, b"hello");
    }

    #[test]
    fn oversized_messages_are_refused() {
        let mut q = MessageQueue::default();
        assert!(!q.push(&vec![0u8; 70_000]));
        assert!(q.is_empty());
    }
}
