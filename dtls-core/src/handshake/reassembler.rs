//! Handshake message reassembly (RFC 6347 4.2.2, 4.2.3).
//!
//! A DTLS handshake message may arrive split into fragments (RFC 6347 4.2.3),
//! and datagrams may be lost, duplicated or reordered. Each fragment carries
//! the whole message's type, `length` and `message_seq` plus its own
//! `fragment_offset`; the receiver buffers fragments until every byte of the
//! message is there and hands messages to the handshake state machine
//! strictly in `message_seq` order (RFC 6347 4.2.2: "the receiver MUST buffer
//! [future messages] until it has the previous messages").
//!
//! # What the peer can make us store
//!
//! Everything here is driven by unauthenticated input, so every buffer is
//! capped ([`ReassemblyLimits`]):
//!
//! - only messages whose `message_seq` is at most
//!   [`message_window`](ReassemblyLimits::message_window) − 1 ahead of the
//!   next expected one are buffered;
//! - a message's body buffer is allocated when its first non-empty fragment
//!   arrives, at exactly the declared `length`, and only if that length is
//!   within [`max_message_len`](ReassemblyLimits::max_message_len) and the sum
//!   of all buffered messages stays within
//!   [`max_buffered_bytes`](ReassemblyLimits::max_buffered_bytes);
//! - received bytes are tracked as a sorted list of disjoint byte ranges,
//!   merged on every insert, of at most
//!   [`max_ranges_per_message`](ReassemblyLimits::max_ranges_per_message)
//!   entries. A fragment that would create one more range than that is
//!   refused, but one that fills or extends an existing range never is, so a
//!   peer that resends its flight always makes progress. Each insert costs
//!   O(fragment length + ranges).
//!
//! # Inconsistent fragments
//!
//! A fragment that disagrees with what was buffered for the same
//! `message_seq` (different `msg_type`, different `length`, or different bytes
//! where it overlaps data already received) gets
//! [`ReassemblyError::Inconsistent`]. The reassembler then **discards that
//! message's whole partial state** as well as the fragment, so a clean
//! retransmission of the message can rebuild it from scratch. RFC 6347 does
//! not cover this case; a genuine peer never produces it, since
//! retransmissions repeat the same message (RFC 6347 4.2.4). Before the
//! Finished messages nothing is authenticated, so an off-path attacker can
//! inject such fragments. Keeping the first data received would let one
//! forged fragment poison a message for good, and tearing the connection down
//! would let it kill handshakes, so neither is done. The error is **not
//! fatal**: the engine should drop the fragment and may count these events.
//! Any tampering that survives reassembly is caught by the Finished check
//! (RFC 5246 7.4.9).
//!
//! The other errors ([`FragmentOutOfBounds`](ReassemblyError::FragmentOutOfBounds)
//! and [`LimitExceeded`](ReassemblyError::LimitExceeded)) leave the state
//! untouched and are also safe to treat as "drop this fragment".

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use super::MAX_HANDSHAKE_LENGTH;
use crate::msgs::handshake::HandshakeFragment;

/// One received handshake fragment, already decoded from its 12-byte header
/// (RFC 6347 4.2.2). `fragment_length` is `fragment.len()`; the codec checks
/// that the two agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentIn<'a> {
    /// The `HandshakeType` of the whole message (RFC 5246 7.4).
    pub msg_type: u8,
    /// The `length` of the whole message body (RFC 6347 4.2.2).
    pub length: u32,
    /// The message's position in the handshake (RFC 6347 4.2.2).
    pub message_seq: u16,
    /// Where this fragment's bytes start in the message body (RFC 6347 4.2.2).
    pub fragment_offset: u32,
    /// The fragment's bytes.
    pub fragment: &'a [u8],
}

impl<'a> From<HandshakeFragment<'a>> for FragmentIn<'a> {
    /// The codec's view of a received fragment, for insertion.
    fn from(f: HandshakeFragment<'a>) -> Self {
        FragmentIn {
            msg_type: u8::from(f.msg_type),
            length: f.length,
            message_seq: f.message_seq,
            fragment_offset: f.fragment_offset,
            fragment: f.fragment,
        }
    }
}

/// What [`HandshakeReassembler::insert`] did with a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsertOutcome {
    /// The fragment brought bytes not received before (or was the one
    /// fragment of an empty message). A message may now be complete: call
    /// [`HandshakeReassembler::pop_complete`].
    Progress,
    /// Every byte of the fragment had already been received (with the same
    /// values), e.g. a duplicated datagram or a retransmission of a message
    /// still being buffered. Nothing changed.
    Redundant,
    /// The fragment belongs to a message already handed out
    /// (`message_seq` below the next expected one). Nothing is stored. The
    /// peer is probably retransmitting its previous flight because ours was
    /// lost, so the engine should resend its last flight (RFC 6347 4.2.4).
    Old,
    /// The `message_seq` is too far beyond the next expected one to buffer
    /// (RFC 6347 4.2.2 lets an implementation discard future messages it
    /// cannot buffer). Nothing is stored.
    TooFarAhead,
}

/// Which way a fragment disagreed with earlier data for its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inconsistency {
    /// A different `msg_type`.
    MessageType,
    /// A different total `length`.
    Length,
    /// Different bytes where it overlaps bytes already received.
    Bytes,
}

/// Which cap of [`ReassemblyLimits`] a fragment hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// The message's `length` is above
    /// [`max_message_len`](ReassemblyLimits::max_message_len).
    MessageLength,
    /// Buffering the message would exceed
    /// [`max_buffered_bytes`](ReassemblyLimits::max_buffered_bytes).
    BufferedBytes,
    /// The fragment would add a range beyond
    /// [`max_ranges_per_message`](ReassemblyLimits::max_ranges_per_message).
    RangesPerMessage,
}

/// Why [`HandshakeReassembler::insert`] refused a fragment. None of these is
/// fatal by itself; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReassemblyError {
    /// `fragment_offset + fragment_length` is beyond the message `length`
    /// (RFC 6347 4.2.2). Nothing changed.
    FragmentOutOfBounds,
    /// The fragment contradicts earlier fragments of the same message. The
    /// fragment and the message's buffered state were both discarded.
    Inconsistent {
        /// The message concerned.
        message_seq: u16,
        /// What disagreed.
        what: Inconsistency,
    },
    /// A cap was hit; the fragment was dropped and nothing changed.
    LimitExceeded(Limit),
}

impl fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FragmentOutOfBounds => {
                f.write_str("handshake fragment extends beyond the message length")
            }
            Self::Inconsistent { message_seq, what } => {
                let what = match what {
                    Inconsistency::MessageType => "message type",
                    Inconsistency::Length => "length",
                    Inconsistency::Bytes => "bytes",
                };
                write!(
                    f,
                    "handshake fragment of message {message_seq} disagrees with earlier ones ({what})"
                )
            }
            Self::LimitExceeded(limit) => {
                let limit = match limit {
                    Limit::MessageLength => "maximum message length",
                    Limit::BufferedBytes => "maximum buffered bytes",
                    Limit::RangesPerMessage => "maximum fragment ranges per message",
                };
                write!(f, "handshake reassembly limit exceeded: {limit}")
            }
        }
    }
}

impl std::error::Error for ReassemblyError {}

/// The caps on what a peer can make the reassembler buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblyLimits {
    /// The largest message body accepted. RFC 6347 4.2.2 allows up to
    /// 2^24 − 1 bytes; the default, 64 KiB, fits a large certificate chain.
    /// Values above 2^24 − 1 are lowered to it.
    pub max_message_len: u32,
    /// The most body bytes buffered at once, over all incomplete and
    /// not-yet-popped messages. Default 128 KiB.
    pub max_buffered_bytes: usize,
    /// The most disjoint received ranges tracked per message. Default 64;
    /// raised to at least 1.
    pub max_ranges_per_message: usize,
    /// How many consecutive `message_seq` values, starting at the next
    /// expected one, are buffered; later ones are
    /// [`TooFarAhead`](InsertOutcome::TooFarAhead). Default 8, more than any
    /// DTLS 1.2 flight holds; raised to at least 1.
    pub message_window: u16,
}

impl Default for ReassemblyLimits {
    /// 64 KiB per message, 128 KiB in all, 64 ranges per message, a window of
    /// 8 messages.
    fn default() -> Self {
        Self {
            max_message_len: 64 * 1024,
            max_buffered_bytes: 128 * 1024,
            max_ranges_per_message: 64,
            message_window: 8,
        }
    }
}

impl ReassemblyLimits {
    /// The limits with every value moved into its allowed range.
    pub fn sanitized(self) -> Self {
        Self {
            max_message_len: self.max_message_len.min(MAX_HANDSHAKE_LENGTH),
            max_buffered_bytes: self.max_buffered_bytes,
            max_ranges_per_message: self.max_ranges_per_message.max(1),
            message_window: self.message_window.max(1),
        }
    }
}

/// A fully reassembled handshake message, handed out in `message_seq` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteMessage {
    msg_type: u8,
    message_seq: u16,
    /// At most 2^24 − 1 bytes, guaranteed by the reassembler's limits.
    body: Vec<u8>,
}

impl CompleteMessage {
    /// The `HandshakeType` (RFC 5246 7.4).
    pub fn msg_type(&self) -> u8 {
        self.msg_type
    }

    /// The message's `message_seq` (RFC 6347 4.2.2).
    pub fn message_seq(&self) -> u16 {
        self.message_seq
    }

    /// The message body, without any handshake header.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taking ownership.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// A half-open byte range `start..end` of a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteRange {
    start: u32,
    end: u32,
}

/// Why a fragment could not be added to a [`PartialMessage`].
enum AddError {
    /// Overlapping bytes differ from those already received.
    BytesDiffer,
    /// One range too many.
    TooManyRanges,
    /// The data does not fit in the body; the callers check this first.
    OutOfBounds,
}

/// A message being reassembled.
#[derive(Debug)]
struct PartialMessage {
    msg_type: u8,
    /// Allocated at the declared length when the first fragment arrived.
    body: Vec<u8>,
    /// The bytes received so far: sorted, disjoint and never touching (two
    /// ranges that meet are merged into one).
    received: Vec<ByteRange>,
}

impl PartialMessage {
    fn length(&self) -> usize {
        self.body.len()
    }

    fn is_complete(&self) -> bool {
        match self.received.as_slice() {
            [] => self.body.is_empty(),
            [only] => only.start == 0 && only.end as usize == self.body.len(),
            _ => false,
        }
    }

    /// Stores `data` at `start`; `start + data.len()` must be within the
    /// body. Returns whether any byte was new. On error nothing changed.
    fn add(&mut self, start: u32, data: &[u8], max_ranges: usize) -> Result<bool, AddError> {
        if data.is_empty() {
            return Ok(false);
        }
        let Some(end) = u32::try_from(data.len())
            .ok()
            .and_then(|len| start.checked_add(len))
        else {
            return Err(AddError::OutOfBounds);
        };
        // The ranges in `first..last` overlap or touch `start..end`.
        let first = self.received.partition_point(|r| r.end < start);
        let last = self.received.partition_point(|r| r.start <= end);
        let touching = self.received.get(first..last).unwrap_or_default();
        for range in touching {
            let overlap_start = range.start.max(start);
            let overlap_end = range.end.min(end);
            if overlap_start >= overlap_end {
                continue;
            }
            let old = self.body.get(overlap_start as usize..overlap_end as usize);
            let new = data.get((overlap_start - start) as usize..(overlap_end - start) as usize);
            if old != new || old.is_none() {
                return Err(AddError::BytesDiffer);
            }
        }
        if let [range] = touching
            && range.start <= start
            && end <= range.end
        {
            return Ok(false);
        }
        if self.received.len() - touching.len() + 1 > max_ranges {
            return Err(AddError::TooManyRanges);
        }
        let merged = ByteRange {
            start: touching.first().map_or(start, |r| r.start.min(start)),
            end: touching.last().map_or(end, |r| r.end.max(end)),
        };
        match self.body.get_mut(start as usize..end as usize) {
            Some(slot) => slot.copy_from_slice(data),
            None => return Err(AddError::OutOfBounds),
        }
        self.received.splice(first..last, [merged]);
        Ok(true)
    }
}

/// Reassembles incoming handshake fragments into whole messages and hands them
/// out in `message_seq` order (RFC 6347 4.2.2, 4.2.3).
///
/// Feed every handshake fragment to [`insert`](Self::insert), then call
/// [`pop_complete`](Self::pop_complete) until it returns `None`.
#[derive(Debug)]
pub struct HandshakeReassembler {
    limits: ReassemblyLimits,
    /// The `message_seq` the next popped message must have. A `u32` so that
    /// it can move past 65535, after which every fragment is old.
    next_expected: u32,
    /// Messages being assembled or complete but not yet popped, all with a
    /// `message_seq` in `next_expected..next_expected + message_window`.
    pending: BTreeMap<u16, PartialMessage>,
    /// The sum of the body lengths in `pending`.
    buffered_bytes: usize,
}

impl HandshakeReassembler {
    /// An empty reassembler expecting `message_seq` 0 (RFC 6347 4.2.2: the
    /// first message each side sends has `message_seq` 0). The limits are
    /// [sanitized](ReassemblyLimits::sanitized) first.
    pub fn new(limits: ReassemblyLimits) -> Self {
        Self {
            limits: limits.sanitized(),
            next_expected: 0,
            pending: BTreeMap::new(),
            buffered_bytes: 0,
        }
    }

    /// The limits in use, after sanitizing.
    pub fn limits(&self) -> ReassemblyLimits {
        self.limits
    }

    /// The `message_seq` of the next message [`pop_complete`](Self::pop_complete)
    /// will hand out. It is 65536 once message 65535 has been popped: the
    /// 16-bit field is used up and every later fragment is
    /// [`Old`](InsertOutcome::Old).
    pub fn next_expected_seq(&self) -> u32 {
        self.next_expected
    }

    /// Makes `message_seq` the next expected message, discarding everything
    /// buffered for other sequence numbers outside the new window.
    ///
    /// For a server that answered the first ClientHello statelessly with a
    /// HelloVerifyRequest (RFC 6347 4.2.1) and handled the ClientHello
    /// carrying the cookie outside the reassembler: that ClientHello usually
    /// has `message_seq` 1 (RFC 6347 4.2.2), so the connection's reassembler
    /// must expect the following number next.
    pub fn set_next_expected(&mut self, message_seq: u16) {
        self.next_expected = u32::from(message_seq);
        let window_end = self.window_end();
        self.pending.retain(|&seq, _| {
            let seq = u32::from(seq);
            seq >= u32::from(message_seq) && seq < window_end
        });
        self.buffered_bytes = self.pending.values().map(PartialMessage::length).sum();
    }

    /// Changes the cap on buffered bytes for messages started from now on
    /// (a connection narrows it to its share of a shared budget).
    pub fn set_max_buffered_bytes(&mut self, bytes: usize) {
        self.limits.max_buffered_bytes = bytes;
    }

    /// How many body bytes are buffered, counting each started message at its
    /// full declared length.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered_bytes
    }

    /// Whether [`pop_complete`](Self::pop_complete) would return a message.
    pub fn has_complete(&self) -> bool {
        u16::try_from(self.next_expected)
            .ok()
            .and_then(|seq| self.pending.get(&seq))
            .is_some_and(PartialMessage::is_complete)
    }

    /// Forgets everything buffered; the next expected `message_seq` is kept.
    pub fn clear(&mut self) {
        self.pending.clear();
        self.buffered_bytes = 0;
    }

    /// Takes one handshake fragment (RFC 6347 4.2.3: fragments may arrive in
    /// any order, overlap, or repeat, and a message may also arrive whole).
    ///
    /// Checks, in this order: the fragment lies within its message
    /// ([`FragmentOutOfBounds`](ReassemblyError::FragmentOutOfBounds));
    /// the message was already handed out ([`Old`](InsertOutcome::Old)) or is
    /// too far ahead ([`TooFarAhead`](InsertOutcome::TooFarAhead)); the
    /// message length is within the limits; the fragment agrees with what was
    /// already received ([`Inconsistent`](ReassemblyError::Inconsistent), which
    /// also discards the message's buffered state); the range cap. See the
    /// module documentation for how the engine should treat errors.
    pub fn insert(&mut self, frag: FragmentIn<'_>) -> Result<InsertOutcome, ReassemblyError> {
        let fragment_end = u64::from(frag.fragment_offset) + frag.fragment.len() as u64;
        if fragment_end > u64::from(frag.length) {
            return Err(ReassemblyError::FragmentOutOfBounds);
        }
        let seq = u32::from(frag.message_seq);
        if seq < self.next_expected {
            return Ok(InsertOutcome::Old);
        }
        if seq >= self.window_end() {
            return Ok(InsertOutcome::TooFarAhead);
        }
        if frag.length > self.limits.max_message_len {
            return Err(ReassemblyError::LimitExceeded(Limit::MessageLength));
        }
        let max_ranges = self.limits.max_ranges_per_message;
        let inconsistent = |what| ReassemblyError::Inconsistent {
            message_seq: frag.message_seq,
            what,
        };
        match self.pending.entry(frag.message_seq) {
            Entry::Occupied(mut entry) => {
                let message = entry.get_mut();
                let disagreement = if message.msg_type != frag.msg_type {
                    Some(Inconsistency::MessageType)
                } else if message.length() as u64 != u64::from(frag.length) {
                    Some(Inconsistency::Length)
                } else {
                    match message.add(frag.fragment_offset, frag.fragment, max_ranges) {
                        Ok(true) => return Ok(InsertOutcome::Progress),
                        Ok(false) => return Ok(InsertOutcome::Redundant),
                        Err(AddError::TooManyRanges) => {
                            return Err(ReassemblyError::LimitExceeded(Limit::RangesPerMessage));
                        }
                        Err(AddError::OutOfBounds) => {
                            return Err(ReassemblyError::FragmentOutOfBounds);
                        }
                        Err(AddError::BytesDiffer) => Some(Inconsistency::Bytes),
                    }
                };
                let removed = entry.remove();
                self.buffered_bytes = self.buffered_bytes.saturating_sub(removed.length());
                Err(inconsistent(disagreement.unwrap_or(Inconsistency::Bytes)))
            }
            Entry::Vacant(entry) => {
                if frag.fragment.is_empty() && frag.length > 0 {
                    // Nothing to store: do not allocate for it.
                    return Ok(InsertOutcome::Redundant);
                }
                let length = frag.length as usize;
                let total = self.buffered_bytes.saturating_add(length);
                if total > self.limits.max_buffered_bytes {
                    return Err(ReassemblyError::LimitExceeded(Limit::BufferedBytes));
                }
                let mut message = PartialMessage {
                    msg_type: frag.msg_type,
                    body: vec![0; length],
                    received: Vec::new(),
                };
                match message.add(frag.fragment_offset, frag.fragment, max_ranges) {
                    Ok(_) => {}
                    // A first fragment adds one range and overlaps nothing.
                    Err(AddError::TooManyRanges) => {
                        return Err(ReassemblyError::LimitExceeded(Limit::RangesPerMessage));
                    }
                    Err(AddError::BytesDiffer) => {
                        return Err(inconsistent(Inconsistency::Bytes));
                    }
                    Err(AddError::OutOfBounds) => {
                        return Err(ReassemblyError::FragmentOutOfBounds);
                    }
                }
                entry.insert(message);
                self.buffered_bytes = total;
                Ok(InsertOutcome::Progress)
            }
        }
    }

    /// Hands out the next message in `message_seq` order if all of its bytes
    /// have arrived (RFC 6347 4.2.2), and advances the next expected
    /// `message_seq`. Call it repeatedly after each insert: several buffered
    /// messages may become ready at once.
    pub fn pop_complete(&mut self) -> Option<CompleteMessage> {
        let seq = u16::try_from(self.next_expected).ok()?;
        if !self.pending.get(&seq)?.is_complete() {
            return None;
        }
        let message = self.pending.remove(&seq)?;
        self.buffered_bytes = self.buffered_bytes.saturating_sub(message.length());
        self.next_expected += 1;
        if self.pending.is_empty() {
            // An emptied map keeps its node; an idle connection should not.
            self.pending = BTreeMap::new();
        }
        Some(CompleteMessage {
            msg_type: message.msg_type,
            message_seq: seq,
            body: message.body,
        })
    }

    /// The first `message_seq` past the buffering window.
    fn window_end(&self) -> u32 {
        self.next_expected + u32::from(self.limits.message_window)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use InsertOutcome::{Old, Redundant, TooFarAhead};

    fn frag(msg_type: u8, length: u32, seq: u16, offset: u32, bytes: &[u8]) -> FragmentIn<'_> {
        FragmentIn {
            msg_type,
            length,
            message_seq: seq,
            fragment_offset: offset,
            fragment: bytes,
        }
    }

    /// A whole message as a single fragment.
    /// A reassembler with the default limits, expecting message 0.
    fn fresh() -> HandshakeReassembler {
        HandshakeReassembler::new(ReassemblyLimits::default())
    }

    /// Inserts `fragment` and checks the outcome.
    #[track_caller]
    fn inserts(
        reassembler: &mut HandshakeReassembler,
        fragment: FragmentIn<'_>,
        outcome: InsertOutcome,
    ) {
        assert_eq!(reassembler.insert(fragment), Ok(outcome));
    }

    /// `fragment` is accepted as new bytes.
    fn progresses(reassembler: &mut HandshakeReassembler, fragment: FragmentIn<'_>) {
        inserts(reassembler, fragment, InsertOutcome::Progress);
    }

    fn whole(msg_type: u8, seq: u16, body: &[u8]) -> FragmentIn<'_> {
        frag(msg_type, body.len() as u32, seq, 0, body)
    }

    fn limits(
        max_message_len: u32,
        max_buffered_bytes: usize,
        max_ranges_per_message: usize,
    ) -> ReassemblyLimits {
        ReassemblyLimits {
            max_message_len,
            max_buffered_bytes,
            max_ranges_per_message,
            message_window: 8,
        }
    }

    #[test]
    fn whole_message_pops_at_once() {
        let mut reassembler = fresh();
        assert_eq!(reassembler.next_expected_seq(), 0);
        assert_eq!(reassembler.pop_complete(), None);
        progresses(&mut reassembler, whole(1, 0, b"hello"));
        assert!(reassembler.has_complete());
        assert_eq!(reassembler.buffered_bytes(), 5);
        let message = reassembler.pop_complete().unwrap();
        assert_eq!(message.msg_type(), 1);
        assert_eq!(message.message_seq(), 0);
        assert_eq!(message.body(), b"hello");
        assert_eq!(reassembler.next_expected_seq(), 1);
        assert_eq!(reassembler.buffered_bytes(), 0);
        assert!(!reassembler.has_complete());
        assert_eq!(reassembler.pop_complete(), None);
    }

    #[test]
    fn fragments_out_of_order_with_overlap_and_duplicates() {
        let body: Vec<u8> = (0..100).collect();
        let mut reassembler = fresh();
        let pieces = [(50, 100), (0, 10), (0, 10), (60, 70), (5, 30), (30, 50)];
        let expected = [
            InsertOutcome::Progress,
            InsertOutcome::Progress,
            Redundant,
            Redundant,
            InsertOutcome::Progress,
            InsertOutcome::Progress,
        ];
        for ((start, end), outcome) in pieces.into_iter().zip(expected) {
            assert!(reassembler.pop_complete().is_none());
            let piece = &body[start..end];
            assert_eq!(
                reassembler.insert(frag(11, 100, 0, start as u32, piece)),
                Ok(outcome),
                "{start}..{end}"
            );
        }
        assert_eq!(reassembler.pop_complete().unwrap().into_body(), body);
    }

    #[test]
    fn whole_copy_completes_a_partial_message() {
        let body = b"0123456789";
        let mut reassembler = fresh();
        reassembler.insert(frag(2, 10, 0, 3, &body[3..5])).unwrap();
        progresses(&mut reassembler, whole(2, 0, body));
        // A later stray fragment of the complete (not yet popped) message.
        inserts(&mut reassembler, frag(2, 10, 0, 8, &body[8..]), Redundant);
        assert_eq!(reassembler.pop_complete().unwrap().body(), body);
    }

    #[test]
    fn empty_message() {
        let mut reassembler = fresh();
        // ServerHelloDone has an empty body.
        progresses(&mut reassembler, whole(14, 0, b""));
        inserts(&mut reassembler, whole(14, 0, b""), Redundant);
        let message = reassembler.pop_complete().unwrap();
        assert_eq!(message.body(), b"");
        assert_eq!((message.msg_type(), message.message_seq()), (14, 0));
    }

    #[test]
    fn empty_fragment_of_a_nonempty_message_allocates_nothing() {
        let mut reassembler = fresh();
        inserts(&mut reassembler, frag(11, 60_000, 0, 100, b""), Redundant);
        assert_eq!(reassembler.buffered_bytes(), 0);
        assert_eq!(reassembler.pop_complete(), None);
    }

    #[test]
    fn fragments_out_of_order_give_the_whole_message() {
        let body = b"abcdef";
        let mut reassembler = fresh();
        reassembler.set_next_expected(0x0102);
        reassembler
            .insert(frag(16, 6, 0x0102, 3, &body[3..]))
            .unwrap();
        reassembler
            .insert(frag(16, 6, 0x0102, 0, &body[..3]))
            .unwrap();
        let message = reassembler.pop_complete().unwrap();
        assert_eq!(message.msg_type(), 16);
        assert_eq!(message.message_seq(), 0x0102);
        assert_eq!(message.body(), body);
    }

    #[test]
    fn messages_pop_strictly_in_order() {
        let mut reassembler = fresh();
        reassembler.insert(whole(16, 2, b"two")).unwrap();
        reassembler.insert(whole(11, 1, b"one")).unwrap();
        assert_eq!(reassembler.pop_complete(), None, "message 0 missing");
        reassembler.insert(frag(1, 4, 0, 0, b"ze")).unwrap();
        assert_eq!(reassembler.pop_complete(), None, "message 0 incomplete");
        reassembler.insert(frag(1, 4, 0, 2, b"ro")).unwrap();
        let seqs: Vec<(u16, Vec<u8>)> = std::iter::from_fn(|| reassembler.pop_complete())
            .map(|m| (m.message_seq(), m.into_body()))
            .collect();
        assert_eq!(
            seqs,
            [
                (0, b"zero".to_vec()),
                (1, b"one".to_vec()),
                (2, b"two".to_vec())
            ]
        );
        assert_eq!(reassembler.next_expected_seq(), 3);
        assert_eq!(reassembler.buffered_bytes(), 0);
    }

    #[test]
    fn old_and_too_far_ahead() {
        let mut reassembler = fresh();
        // Window of 8: 0..=7 are buffered, 8 is too far ahead.
        progresses(&mut reassembler, whole(1, 7, b"x"));
        inserts(&mut reassembler, whole(1, 8, b"x"), TooFarAhead);
        inserts(&mut reassembler, whole(1, u16::MAX, b"x"), TooFarAhead);
        reassembler.insert(whole(1, 0, b"x")).unwrap();
        assert!(reassembler.pop_complete().is_some());
        // 0 has been handed out: its fragments are now old, 8 fits.
        inserts(&mut reassembler, whole(1, 0, b"x"), Old);
        assert_eq!(
            reassembler.insert(frag(99, 1000, 0, 0, b"different")),
            Ok(Old),
            "old fragments are not inspected beyond their bounds"
        );
        progresses(&mut reassembler, whole(1, 8, b"x"));
        assert_eq!(reassembler.buffered_bytes(), 2);
    }

    #[test]
    fn custom_message_window() {
        let mut reassembler = HandshakeReassembler::new(ReassemblyLimits {
            message_window: 1,
            ..ReassemblyLimits::default()
        });
        inserts(&mut reassembler, whole(1, 1, b"x"), TooFarAhead);
        progresses(&mut reassembler, whole(1, 0, b"x"));
        // A zero window is raised to 1 rather than refusing everything.
        let zero = HandshakeReassembler::new(ReassemblyLimits {
            message_window: 0,
            ..ReassemblyLimits::default()
        });
        assert_eq!(zero.limits().message_window, 1);
    }

    #[test]
    fn fragment_beyond_length_is_rejected() {
        let mut reassembler = fresh();
        assert_eq!(
            reassembler.insert(frag(1, 10, 0, 8, b"abc")),
            Err(ReassemblyError::FragmentOutOfBounds)
        );
        assert_eq!(
            reassembler.insert(frag(1, 10, 0, u32::MAX, b"a")),
            Err(ReassemblyError::FragmentOutOfBounds)
        );
        assert_eq!(
            reassembler.insert(frag(1, 0, 0, 1, b"")),
            Err(ReassemblyError::FragmentOutOfBounds)
        );
        assert_eq!(reassembler.buffered_bytes(), 0);
        // Exactly reaching the end is fine.
        progresses(&mut reassembler, frag(1, 10, 0, 7, b"abc"));
    }

    #[test]
    fn inconsistent_type_length_or_bytes_discards_the_message() {
        let body = b"0123456789";
        let cases: [(FragmentIn<'_>, Inconsistency); 4] = [
            (frag(12, 10, 0, 5, &body[5..]), Inconsistency::MessageType),
            (frag(11, 11, 0, 5, &body[5..]), Inconsistency::Length),
            (frag(11, 10, 0, 2, b"2X4"), Inconsistency::Bytes),
            // Overlaps both received ranges; only the second one differs.
            (frag(11, 10, 0, 1, b"1234567X"), Inconsistency::Bytes),
        ];
        for (bad, what) in cases {
            let mut reassembler = fresh();
            reassembler.insert(frag(11, 10, 0, 0, &body[..4])).unwrap();
            reassembler.insert(frag(11, 10, 0, 6, b"6789")).unwrap();
            assert_eq!(reassembler.buffered_bytes(), 10);
            assert_eq!(
                reassembler.insert(bad),
                Err(ReassemblyError::Inconsistent {
                    message_seq: 0,
                    what
                }),
                "{what:?}"
            );
            assert_eq!(reassembler.buffered_bytes(), 0, "{what:?}: state discarded");
            // A clean retransmission rebuilds it.
            progresses(&mut reassembler, whole(11, 0, body));
            assert_eq!(reassembler.pop_complete().unwrap().body(), body);
        }
    }

    #[test]
    fn inconsistency_in_one_message_leaves_others_alone() {
        let mut reassembler = fresh();
        reassembler.insert(frag(11, 4, 0, 0, b"ab")).unwrap();
        reassembler.insert(whole(12, 1, b"next")).unwrap();
        assert!(reassembler.insert(frag(11, 4, 0, 1, b"X")).is_err());
        assert_eq!(reassembler.buffered_bytes(), 4);
        reassembler.insert(whole(11, 0, b"abcd")).unwrap();
        assert_eq!(reassembler.pop_complete().unwrap().body(), b"abcd");
        assert_eq!(reassembler.pop_complete().unwrap().body(), b"next");
    }

    #[test]
    fn message_length_cap() {
        let mut reassembler = HandshakeReassembler::new(limits(100, 1000, 64));
        assert_eq!(
            reassembler.insert(frag(11, 101, 0, 0, b"a")),
            Err(ReassemblyError::LimitExceeded(Limit::MessageLength))
        );
        assert_eq!(reassembler.buffered_bytes(), 0);
        progresses(&mut reassembler, frag(11, 100, 0, 0, b"a"));
        // The default cap is 64 KiB; the 24-bit maximum cannot be exceeded.
        let default = fresh();
        assert_eq!(default.limits().max_message_len, 65536);
        let huge = HandshakeReassembler::new(limits(u32::MAX, usize::MAX, 64));
        assert_eq!(huge.limits().max_message_len, MAX_HANDSHAKE_LENGTH);
    }

    #[test]
    fn buffered_bytes_cap_counts_declared_lengths() {
        let mut reassembler = HandshakeReassembler::new(limits(600, 1000, 64));
        // One byte of a 600-byte message reserves all 600.
        reassembler.insert(frag(11, 600, 0, 0, b"a")).unwrap();
        assert_eq!(reassembler.buffered_bytes(), 600);
        assert_eq!(
            reassembler.insert(frag(12, 401, 1, 0, b"b")),
            Err(ReassemblyError::LimitExceeded(Limit::BufferedBytes))
        );
        assert_eq!(reassembler.buffered_bytes(), 600);
        progresses(&mut reassembler, frag(12, 400, 1, 0, b"b"));
        assert_eq!(reassembler.buffered_bytes(), 1000);
        assert_eq!(
            reassembler.insert(whole(13, 2, b"c")),
            Err(ReassemblyError::LimitExceeded(Limit::BufferedBytes))
        );
        // Completing and popping message 0 frees its share.
        let body0 = vec![b'a'; 600];
        reassembler.insert(whole(11, 0, &body0)).unwrap();
        assert_eq!(reassembler.pop_complete().unwrap().body(), body0);
        assert_eq!(reassembler.buffered_bytes(), 400);
        progresses(&mut reassembler, whole(13, 2, b"c"));
    }

    #[test]
    fn range_cap_refuses_new_islands_but_not_gap_filling() {
        let body: Vec<u8> = (0..20).collect();
        let mut reassembler = HandshakeReassembler::new(limits(100, 1000, 4));
        for start in [0usize, 2, 4, 6] {
            progresses(
                &mut reassembler,
                frag(11, 20, 0, start as u32, &body[start..=start]),
            );
        }
        assert_eq!(
            reassembler.insert(frag(11, 20, 0, 8, &body[8..9])),
            Err(ReassemblyError::LimitExceeded(Limit::RangesPerMessage))
        );
        // Extending an island and filling a gap are always allowed.
        progresses(&mut reassembler, frag(11, 20, 0, 7, &body[7..8]));
        progresses(&mut reassembler, frag(11, 20, 0, 1, &body[1..2]));
        // 0..3, 4..5, 6..8: room for one more island.
        progresses(&mut reassembler, frag(11, 20, 0, 10, &body[10..11]));
        assert_eq!(
            reassembler.insert(frag(11, 20, 0, 12, &body[12..13])),
            Err(ReassemblyError::LimitExceeded(Limit::RangesPerMessage))
        );
        // The refused fragments changed nothing, and a full copy completes.
        progresses(&mut reassembler, whole(11, 0, &body));
        assert_eq!(reassembler.pop_complete().unwrap().body(), body);
    }

    #[test]
    fn set_next_expected_drops_messages_outside_the_new_window() {
        let mut reassembler = fresh();
        reassembler.insert(whole(1, 0, b"zero")).unwrap();
        reassembler.insert(whole(1, 3, b"three")).unwrap();
        reassembler.set_next_expected(2);
        assert_eq!(reassembler.next_expected_seq(), 2);
        assert_eq!(reassembler.buffered_bytes(), 5);
        inserts(&mut reassembler, whole(1, 1, b"one"), Old);
        reassembler.insert(whole(1, 2, b"two")).unwrap();
        assert_eq!(reassembler.pop_complete().unwrap().body(), b"two");
        assert_eq!(reassembler.pop_complete().unwrap().body(), b"three");
    }

    #[test]
    fn last_message_seq_uses_up_the_field() {
        let mut reassembler = fresh();
        reassembler.set_next_expected(u16::MAX);
        reassembler.insert(whole(1, u16::MAX, b"last")).unwrap();
        assert_eq!(reassembler.pop_complete().unwrap().message_seq(), u16::MAX);
        assert_eq!(reassembler.next_expected_seq(), 65536);
        assert!(!reassembler.has_complete());
        assert_eq!(reassembler.pop_complete(), None);
        for seq in [0, 1, u16::MAX] {
            inserts(&mut reassembler, whole(1, seq, b"x"), Old);
        }
    }

    #[test]
    fn clear_forgets_buffered_messages_but_keeps_the_position() {
        let mut reassembler = fresh();
        reassembler.insert(whole(1, 0, b"zero")).unwrap();
        reassembler.pop_complete().unwrap();
        reassembler.insert(frag(1, 10, 1, 0, b"part")).unwrap();
        reassembler.insert(whole(1, 2, b"two")).unwrap();
        reassembler.clear();
        assert_eq!(reassembler.buffered_bytes(), 0);
        assert_eq!(reassembler.next_expected_seq(), 1);
        progresses(&mut reassembler, frag(1, 10, 1, 4, b"rest!!"));
        assert_eq!(reassembler.pop_complete(), None, "first part was forgotten");
    }

    #[test]
    fn errors_display() {
        let errors = [
            ReassemblyError::FragmentOutOfBounds,
            ReassemblyError::Inconsistent {
                message_seq: 3,
                what: Inconsistency::Bytes,
            },
            ReassemblyError::LimitExceeded(Limit::BufferedBytes),
        ];
        for error in errors {
            assert!(!error.to_string().is_empty());
        }
    }

    /// A random body and fragments covering it: a random partition, extra
    /// random (overlapping) pieces, empty pieces and whole copies, shuffled.
    fn fragmented_message() -> impl Strategy<Value = (Vec<u8>, Vec<(usize, usize)>)> {
        (0usize..3000)
            .prop_flat_map(|len| {
                (
                    proptest::collection::vec(any::<u8>(), len),
                    proptest::collection::vec(0..=len, 0..24),
                    proptest::collection::vec((0..=len, 0..=len), 0..12),
                    0usize..3,
                )
            })
            .prop_flat_map(|(body, cuts, extras, whole_copies)| {
                let len = body.len();
                let mut points = cuts;
                points.extend([0, len]);
                points.sort_unstable();
                points.dedup();
                let mut pieces: Vec<(usize, usize)> =
                    points.windows(2).map(|w| (w[0], w[1])).collect();
                if len == 0 {
                    pieces.push((0, 0));
                }
                pieces.extend(extras.into_iter().map(|(a, b)| (a.min(b), a.max(b))));
                pieces.extend(std::iter::repeat_n((0, len), whole_copies));
                (Just(body), Just(pieces).prop_shuffle())
            })
    }

    proptest! {
        #[test]
        fn reassembles_any_fragmentation(
            (body, pieces) in fragmented_message(),
            msg_type in any::<u8>(),
            seq in any::<u16>(),
        ) {
            let mut reassembler = fresh();
            reassembler.set_next_expected(seq);
            let length = body.len() as u32;
            let mut covered = vec![false; body.len()];
            let mut started = false;
            let mut popped = None;
            for (start, end) in pieces {
                let outcome = reassembler
                    .insert(frag(msg_type, length, seq, start as u32, &body[start..end]));
                if popped.is_some() {
                    prop_assert_eq!(outcome, Ok(Old));
                    continue;
                }
                let brings_new = covered[start..end].iter().any(|c| !c)
                    || (body.is_empty() && !started);
                let expected = if brings_new {
                    InsertOutcome::Progress
                } else {
                    Redundant
                };
                prop_assert_eq!(outcome, Ok(expected), "{}..{}", start, end);
                started |= start < end || body.is_empty();
                covered[start..end].iter_mut().for_each(|c| *c = true);
                let done = started && covered.iter().all(|c| *c);
                prop_assert_eq!(reassembler.has_complete(), done);
                let message = reassembler.pop_complete();
                prop_assert_eq!(message.is_some(), done);
                if let Some(message) = message {
                    prop_assert_eq!(message.msg_type(), msg_type);
                    prop_assert_eq!(message.message_seq(), seq);
                    prop_assert_eq!(reassembler.buffered_bytes(), 0);
                    popped = Some(message.into_body());
                }
            }
            prop_assert_eq!(popped, Some(body));
            prop_assert_eq!(reassembler.next_expected_seq(), u32::from(seq) + 1);
        }

        #[test]
        fn interleaved_messages_complete_in_order(
            messages in proptest::collection::vec(
                (proptest::collection::vec(any::<u8>(), 0..600),
                 proptest::collection::vec(any::<prop::sample::Index>(), 0..6)),
                1..7,
            ),
            order_seed in any::<u64>(),
        ) {
            // Cut each message at random points; tag pieces with the message.
            let mut pieces: Vec<(usize, usize, usize)> = Vec::new();
            for (index, (body, cuts)) in messages.iter().enumerate() {
                let mut points: Vec<usize> =
                    cuts.iter().map(|cut| cut.index(body.len() + 1)).collect();
                points.extend([0, body.len()]);
                points.sort_unstable();
                points.dedup();
                if body.is_empty() {
                    pieces.push((index, 0, 0));
                }
                pieces.extend(points.windows(2).map(|w| (index, w[0], w[1])));
            }
            // A deterministic shuffle driven by the seed.
            let mut state = order_seed | 1;
            for i in (1..pieces.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                pieces.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut remaining: Vec<usize> = vec![0; messages.len()];
            for (index, _, _) in &pieces {
                remaining[*index] += 1;
            }
            let mut reassembler = fresh();
            let mut popped: Vec<(u16, Vec<u8>)> = Vec::new();
            for (index, start, end) in pieces {
                let body = &messages[index].0;
                let outcome = reassembler.insert(frag(
                    index as u8,
                    body.len() as u32,
                    index as u16,
                    start as u32,
                    &body[start..end],
                ));
                prop_assert_eq!(outcome, Ok(InsertOutcome::Progress));
                remaining[index] -= 1;
                while let Some(message) = reassembler.pop_complete() {
                    let seq = usize::from(message.message_seq());
                    prop_assert_eq!(seq, popped.len(), "strict order");
                    prop_assert!(remaining[..=seq].iter().all(|r| *r == 0));
                    prop_assert_eq!(message.msg_type(), seq as u8);
                    popped.push((message.message_seq(), message.into_body()));
                }
                // Every message all of whose predecessors are complete is out.
                let ready = remaining.iter().take_while(|r| **r == 0).count();
                prop_assert_eq!(popped.len(), ready);
            }
            let expected: Vec<(u16, Vec<u8>)> = messages
                .into_iter()
                .enumerate()
                .map(|(index, (body, _))| (index as u16, body))
                .collect();
            prop_assert_eq!(popped, expected);
            prop_assert_eq!(reassembler.buffered_bytes(), 0);
        }

        #[test]
        fn arbitrary_fragments_never_break_invariants(
            fragments in proptest::collection::vec(
                (0u8..3, 0u32..300, 0u16..12, 0u32..320,
                 proptest::collection::vec(0u8..2, 0..80)),
                0..200,
            ),
        ) {
            let mut reassembler = HandshakeReassembler::new(limits(256, 600, 8));
            for (msg_type, length, seq, offset, bytes) in fragments {
                let _ = reassembler.insert(frag(msg_type, length, seq, offset, &bytes));
                prop_assert!(reassembler.buffered_bytes() <= 600);
                let expected: usize = reassembler.pending.values().map(|m| m.length()).sum();
                prop_assert_eq!(reassembler.buffered_bytes(), expected);
                for message in reassembler.pending.values() {
                    prop_assert!(message.received.len() <= 8);
                    for pair in message.received.windows(2) {
                        prop_assert!(pair[0].end < pair[1].start, "disjoint, not touching");
                    }
                    for range in &message.received {
                        prop_assert!(range.start < range.end);
                        prop_assert!(range.end as usize <= message.length());
                    }
                }
                while let Some(message) = reassembler.pop_complete() {
                    prop_assert!(message.body().len() <= 256);
                }
            }
        }
    }
}
