//! Anti-replay protection for incoming records (RFC 6347 4.1.2.6).
//!
//! RFC 6347 4.1.2.6 adopts the sliding-window procedure of RFC 4303 3.4.3: the
//! receiver remembers the highest sequence number it has accepted in the
//! epoch (the right edge of the window) and, for the `size` numbers ending at
//! that edge, which ones it has already seen. A record is a duplicate when its
//! bit is already set and too old when it falls left of the window; either
//! way it is dropped silently.
//!
//! RFC 4303 3.4.3 (and RFC 6347 4.1.2.6) require that the window only be
//! updated once the record has been authenticated, otherwise an attacker could
//! advance it with forged records and make genuine ones look old. The API
//! therefore has two steps: [`ReplayWindow::check`] before decryption, which
//! changes nothing, and [`ReplayWindow::commit`] once the record has passed
//! its integrity check.
//!
//! The bitmap is circular: the bit of sequence number `n` lives at position
//! `n mod size`. Moving the right edge forward clears the bits of the numbers
//! it skips, which costs at most `size / 64` word writes however far it moves.

use super::MAX_SEQUENCE_NUMBER;

/// What [`ReplayWindow::check`] says about a record's sequence number
/// (RFC 6347 4.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplayCheck {
    /// Not seen before and inside or right of the window: decrypt it, and
    /// [`commit`](ReplayWindow::commit) the number if it authenticates.
    New,
    /// Already received and committed in this epoch: drop it.
    Duplicate,
    /// Left of the window, so it cannot be told apart from a replay: drop it
    /// (RFC 4303 3.4.3: "packets that are to the left of the window are
    /// rejected").
    TooOld,
    /// Larger than 2^48 - 1, which the 48-bit field cannot hold
    /// (RFC 6347 4.1); only a caller bug can produce it.
    OutOfRange,
}

/// The per-epoch anti-replay window of RFC 6347 4.1.2.6 (the RFC 4303 3.4.3
/// sliding window) over 48-bit record sequence numbers.
///
/// Keep one per epoch: every epoch restarts its sequence numbers at zero
/// (RFC 6347 4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWindow {
    /// One bit per sequence number in the window; number `n` is at bit
    /// `n % 64` of word `(n % size) / 64`. Allocated once, never resized.
    seen: Vec<u64>,
    /// The highest committed sequence number, `None` before the first commit.
    right_edge: Option<u64>,
}

impl Default for ReplayWindow {
    /// A window of [`ReplayWindow::DEFAULT_SIZE`] numbers.
    fn default() -> Self {
        Self::new(Self::DEFAULT_SIZE)
    }
}

impl ReplayWindow {
    /// The default window size, 64, the default RFC 4303 3.4.3 recommends
    /// (RFC 6347 4.1.2.6 refers to it).
    pub const DEFAULT_SIZE: usize = 64;
    /// The smallest window size; RFC 4303 3.4.3 requires at least 32, and
    /// the bitmap works in 64-bit words.
    pub const MIN_SIZE: usize = 64;
    /// The largest window size we allow, to keep the per-epoch state small.
    pub const MAX_SIZE: usize = 1024;

    /// A window covering `size` sequence numbers, rounded up to a multiple of
    /// 64 and clamped to [`MIN_SIZE`](Self::MIN_SIZE)..=[`MAX_SIZE`](Self::MAX_SIZE).
    pub fn new(size: usize) -> Self {
        let words = size.clamp(Self::MIN_SIZE, Self::MAX_SIZE).div_ceil(64);
        Self {
            seen: vec![0; words],
            right_edge: None,
        }
    }

    /// How many sequence numbers the window covers, after rounding.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        self.seen.len() * 64
    }

    /// The highest sequence number committed so far, the window's right edge
    /// (RFC 4303 3.4.3); `None` before the first commit.
    pub fn highest_committed(&self) -> Option<u64> {
        self.right_edge
    }

    /// Classifies a received record's sequence number without changing the
    /// window (RFC 6347 4.1.2.6). Call it before decrypting; drop the record
    /// unless it returns [`ReplayCheck::New`].
    pub fn check(&self, seq: u64) -> ReplayCheck {
        if seq > MAX_SEQUENCE_NUMBER {
            return ReplayCheck::OutOfRange;
        }
        let Some(right_edge) = self.right_edge else {
            return ReplayCheck::New;
        };
        if seq > right_edge {
            return ReplayCheck::New;
        }
        if right_edge - seq >= self.size_u64() {
            return ReplayCheck::TooOld;
        }
        if self.is_marked(seq) {
            ReplayCheck::Duplicate
        } else {
            ReplayCheck::New
        }
    }

    /// Records that the record with sequence number `seq` was authenticated
    /// and accepted, moving the right edge forward if `seq` is beyond it
    /// (RFC 4303 3.4.3: "the receive window is updated only if the integrity
    /// verification succeeds").
    ///
    /// Only call it for a number [`check`](Self::check) called
    /// [`New`](ReplayCheck::New). Numbers left of the window and numbers above
    /// 2^48 - 1 are ignored; committing a duplicate changes nothing.
    pub fn commit(&mut self, seq: u64) {
        if seq > MAX_SEQUENCE_NUMBER {
            return;
        }
        match self.right_edge {
            None => {
                self.right_edge = Some(seq);
            }
            Some(right_edge) if seq > right_edge => {
                let advance = seq - right_edge;
                if advance >= self.size_u64() {
                    self.seen.fill(0);
                } else {
                    self.clear_numbers(right_edge + 1, advance);
                }
                self.right_edge = Some(seq);
            }
            Some(right_edge) if right_edge - seq >= self.size_u64() => return,
            Some(_) => {}
        }
        self.mark(seq);
    }

    fn size_u64(&self) -> u64 {
        // `seen.len()` is at most MAX_SIZE / 64, so this cannot truncate.
        (self.seen.len() as u64) * 64
    }

    /// Word index and bit mask of sequence number `seq`.
    fn position(&self, seq: u64) -> (usize, u64) {
        let bit_index = seq % self.size_u64();
        // `bit_index / 64` is below `seen.len()`, which is a `usize`.
        ((bit_index / 64) as usize, 1 << (bit_index % 64))
    }

    fn is_marked(&self, seq: u64) -> bool {
        let (word, mask) = self.position(seq);
        self.seen.get(word).is_some_and(|bits| bits & mask != 0)
    }

    fn mark(&mut self, seq: u64) {
        let (word, mask) = self.position(seq);
        if let Some(bits) = self.seen.get_mut(word) {
            *bits |= mask;
        }
    }

    /// Clears the bits of the `count` consecutive numbers starting at
    /// `first`; `count` must be below the window size.
    fn clear_numbers(&mut self, first: u64, count: u64) {
        let size = self.size_u64();
        let mut bit_index = first % size;
        let mut remaining = count;
        while remaining > 0 {
            let offset_in_word = bit_index % 64;
            // The size is a multiple of 64, so a run inside one word never
            // passes the end of the bitmap.
            let run = remaining.min(64 - offset_in_word);
            let mask = if run == 64 {
                u64::MAX
            } else {
                ((1u64 << run) - 1) << offset_in_word
            };
            if let Some(bits) = self.seen.get_mut((bit_index / 64) as usize) {
                *bits &= !mask;
            }
            bit_index = (bit_index + run) % size;
            remaining -= run;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    /// The obvious model: remember every committed number and the highest.
    struct ReferenceWindow {
        size: u64,
        seen: HashSet<u64>,
        highest: Option<u64>,
    }

    impl ReferenceWindow {
        fn new(size: u64) -> Self {
            Self {
                size,
                seen: HashSet::new(),
                highest: None,
            }
        }

        fn check(&self, seq: u64) -> ReplayCheck {
            if seq > MAX_SEQUENCE_NUMBER {
                return ReplayCheck::OutOfRange;
            }
            match self.highest {
                None => ReplayCheck::New,
                Some(h) if seq > h => ReplayCheck::New,
                Some(h) if h - seq >= self.size => ReplayCheck::TooOld,
                Some(_) if self.seen.contains(&seq) => ReplayCheck::Duplicate,
                Some(_) => ReplayCheck::New,
            }
        }

        fn commit(&mut self, seq: u64) {
            if self.check(seq) == ReplayCheck::New {
                self.seen.insert(seq);
                self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
            }
        }
    }

    #[test]
    fn sizes_round_up_to_words_and_clamp() {
        assert_eq!(ReplayWindow::new(0).size(), 64);
        assert_eq!(ReplayWindow::new(32).size(), 64);
        assert_eq!(ReplayWindow::new(64).size(), 64);
        assert_eq!(ReplayWindow::new(65).size(), 128);
        assert_eq!(ReplayWindow::new(1000).size(), 1024);
        assert_eq!(ReplayWindow::new(1024).size(), 1024);
        assert_eq!(ReplayWindow::new(usize::MAX).size(), 1024);
        assert_eq!(ReplayWindow::default().size(), 64);
    }

    #[test]
    fn empty_window_accepts_anything_in_range() {
        let window = ReplayWindow::default();
        assert_eq!(window.highest_committed(), None);
        assert_eq!(window.check(0), ReplayCheck::New);
        assert_eq!(window.check(12345), ReplayCheck::New);
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER), ReplayCheck::New);
        assert_eq!(
            window.check(MAX_SEQUENCE_NUMBER + 1),
            ReplayCheck::OutOfRange
        );
        assert_eq!(window.check(u64::MAX), ReplayCheck::OutOfRange);
    }

    #[test]
    fn check_alone_never_changes_the_window() {
        let mut window = ReplayWindow::default();
        window.commit(10);
        let before = window.clone();
        for seq in [0, 9, 10, 11, 500, MAX_SEQUENCE_NUMBER] {
            let _ = window.check(seq);
        }
        assert_eq!(window, before);
        assert_eq!(window.check(11), ReplayCheck::New, "unauthenticated 11");
        assert_eq!(window.check(11), ReplayCheck::New);
    }

    #[test]
    fn sequence_zero_is_tracked() {
        let mut window = ReplayWindow::default();
        window.commit(0);
        assert_eq!(window.highest_committed(), Some(0));
        assert_eq!(window.check(0), ReplayCheck::Duplicate);
        assert_eq!(window.check(1), ReplayCheck::New);
    }

    #[test]
    fn exact_left_edge() {
        let mut window = ReplayWindow::new(64);
        window.commit(100);
        // The window holds 37..=100: 64 numbers.
        assert_eq!(window.check(37), ReplayCheck::New);
        assert_eq!(window.check(36), ReplayCheck::TooOld);
        window.commit(37);
        assert_eq!(window.check(37), ReplayCheck::Duplicate);
        // Moving the edge by one pushes 37 out.
        window.commit(101);
        assert_eq!(window.check(37), ReplayCheck::TooOld);
        assert_eq!(window.check(38), ReplayCheck::New);
        // Committing a number left of the window is a no-op.
        let before = window.clone();
        window.commit(10);
        assert_eq!(window, before);
    }

    #[test]
    fn left_edge_of_first_window_at_zero() {
        let mut window = ReplayWindow::new(64);
        window.commit(63);
        assert_eq!(window.check(0), ReplayCheck::New);
        window.commit(64);
        assert_eq!(window.check(0), ReplayCheck::TooOld);
        assert_eq!(window.check(1), ReplayCheck::New);
    }

    #[test]
    fn advancing_clears_the_bits_of_skipped_numbers() {
        let mut window = ReplayWindow::new(64);
        for seq in 0..64 {
            window.commit(seq);
        }
        // Bits for 0..64 are all set; moving to 64 + 10 reuses the positions of
        // 0..=10, which must read as unseen for 65..=73.
        window.commit(74);
        for seq in 65..74 {
            assert_eq!(window.check(seq), ReplayCheck::New, "{seq}");
        }
        assert_eq!(window.check(74), ReplayCheck::Duplicate);
        for seq in 11..64 {
            assert_eq!(window.check(seq), ReplayCheck::Duplicate, "{seq}");
        }
        assert_eq!(window.check(10), ReplayCheck::TooOld);
    }

    #[test]
    fn jump_of_a_window_or_more_forgets_everything() {
        for size in [64usize, 128, 1024] {
            for jump in [size as u64 - 1, size as u64, size as u64 + 1, 1 << 40] {
                let mut window = ReplayWindow::new(size);
                for seq in 0..size as u64 {
                    window.commit(seq);
                }
                let top = size as u64 - 1 + jump;
                window.commit(top);
                let left_edge = top + 1 - size as u64;
                assert_eq!(window.check(top), ReplayCheck::Duplicate);
                for seq in left_edge..top {
                    let expected = if seq < size as u64 {
                        ReplayCheck::Duplicate
                    } else {
                        ReplayCheck::New
                    };
                    assert_eq!(window.check(seq), expected, "size {size} jump {jump}");
                }
                if left_edge > 0 {
                    assert_eq!(window.check(left_edge - 1), ReplayCheck::TooOld);
                }
            }
        }
    }

    #[test]
    fn maximum_48_bit_sequence_number() {
        let mut window = ReplayWindow::new(128);
        window.commit(MAX_SEQUENCE_NUMBER - 5);
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER), ReplayCheck::New);
        window.commit(MAX_SEQUENCE_NUMBER);
        assert_eq!(window.highest_committed(), Some(MAX_SEQUENCE_NUMBER));
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER), ReplayCheck::Duplicate);
        assert_eq!(
            window.check(MAX_SEQUENCE_NUMBER - 5),
            ReplayCheck::Duplicate
        );
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER - 4), ReplayCheck::New);
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER - 127), ReplayCheck::New);
        assert_eq!(window.check(MAX_SEQUENCE_NUMBER - 128), ReplayCheck::TooOld);
        assert_eq!(
            window.check(MAX_SEQUENCE_NUMBER + 1),
            ReplayCheck::OutOfRange
        );
        // Committing an out-of-range number is ignored.
        let before = window.clone();
        window.commit(MAX_SEQUENCE_NUMBER + 1);
        window.commit(u64::MAX);
        assert_eq!(window, before);
    }

    #[derive(Debug, Clone)]
    enum Step {
        /// Relative to the current highest number (or 0): mostly small moves.
        Near(i64),
        /// Relative, far ahead.
        Jump(u64),
        /// An absolute number anywhere, including beyond 48 bits.
        Absolute(u64),
    }

    fn step() -> impl Strategy<Value = (Step, bool)> {
        let step = prop_oneof![
            6 => (-1200i64..300).prop_map(Step::Near),
            1 => (0u64..5000).prop_map(Step::Jump),
            1 => (0u64..(1 << 49)).prop_map(Step::Absolute),
        ];
        // The boolean says whether the record authenticates (gets committed).
        (step, proptest::bool::weighted(0.8))
    }

    proptest! {
        #[test]
        fn matches_the_reference_model(
            size in prop_oneof![Just(64usize), Just(128), Just(200), Just(1024)],
            steps in proptest::collection::vec(step(), 1..400),
        ) {
            let mut window = ReplayWindow::new(size);
            let mut model = ReferenceWindow::new(window.size() as u64);
            for (step, authenticates) in steps {
                let base = model.highest.unwrap_or(0);
                let seq = match step {
                    Step::Near(delta) => base.saturating_add_signed(delta),
                    Step::Jump(delta) => base + delta,
                    Step::Absolute(seq) => seq,
                };
                let verdict = window.check(seq);
                prop_assert_eq!(verdict, model.check(seq), "seq {}", seq);
                if authenticates && verdict == ReplayCheck::New {
                    window.commit(seq);
                    model.commit(seq);
                    prop_assert_eq!(window.check(seq), ReplayCheck::Duplicate);
                }
                prop_assert_eq!(window.highest_committed(), model.highest);
            }
            // Sweep the whole window and a little beyond both edges.
            if let Some(h) = model.highest {
                let low = h.saturating_sub(window.size() as u64 + 3);
                for seq in low..=h.saturating_add(3) {
                    prop_assert_eq!(window.check(seq), model.check(seq), "sweep {}", seq);
                }
            }
        }
    }
}
