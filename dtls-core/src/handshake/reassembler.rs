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

use super::{MAX_HANDSHAKE_LENGTH, write_handshake_header};

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

    /// Appends the message as if it had been sent in one fragment: the
    /// 12-byte header with `fragment_offset` 0 and `fragment_length` equal to
    /// `length`, then the body. This is the form that goes into the handshake
    /// transcript hash (RFC 6347 4.2.6: the Finished MAC "MUST be computed as
    /// if each handshake message had been sent as a single fragment").
    pub fn write_transcript_bytes(&self, out: &mut Vec<u8>) {
        // The body length is at most MAX_HANDSHAKE_LENGTH (see `body`).
        let length = u32::try_from(self.body.len()).unwrap_or(MAX_HANDSHAKE_LENGTH);
        out.reserve(super::HANDSHAKE_HEADER_LEN + self.body.len());
        write_handshake_header(out, self.msg_type, length, self.message_seq, 0, length);
        out.extend_from_slice(&self.body);
    }

    /// The message as if unfragmented, for the transcript hash
    /// (RFC 6347 4.2.6); see [`write_transcript_bytes`](Self::write_transcript_bytes).
    pub fn transcript_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(super::HANDSHAKE_HEADER_LEN + self.body.len());
        self.write_transcript_bytes(&mut out);
        out
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

impl Default for HandshakeReassembler {
    /// A reassembler with [`ReassemblyLimits::default`], expecting message 0.
    fn default() -> Self {
        Self::new(ReassemblyLimits::default())
    }
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
    /// HelloVerifyRequest: the ClientHello carrying the cookie has
    /// `message_seq` 1, and the reassembler for the connection created from it
    /// must expect 2 next (RFC 6347 4.2.2).
    pub fn set_next_expected(&mut self, message_seq: u16) {
        self.next_expected = u32::from(message_seq);
        let window_end = self.window_end();
        self.pending.retain(|&seq, _| {
            let seq = u32::from(seq);
            seq >= u32::from(message_seq) && seq < window_end
        });
        self.buffered_bytes = self.pending.values().map(PartialMessage::length).sum();
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
