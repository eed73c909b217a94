//! When a secret (cookie secret, ticket key) is next replaced. Time is only
//! what the datagrams' `now` says: a rotation happens on the first datagram
//! after its period ends.

use std::time::{Duration, Instant};

/// The next rotation instant of one secret.
#[derive(Default)]
pub(super) struct RotationClock {
    /// Unset until the first datagram starts the first period.
    next: Option<Instant>,
}

impl RotationClock {
    /// How many rotations are due at `now`: 0, 1, or 2 when a second whole
    /// period also passed (so a key kept for "the previous period" is past
    /// its life too). A period too long to represent never ends.
    pub(super) fn due(&mut self, now: Instant, period: Duration) -> u32 {
        match self.next {
            None => {
                self.next = now.checked_add(period);
                0
            }
            Some(at) if now >= at => {
                self.next = now.checked_add(period);
                if at.checked_add(period).is_some_and(|twice| now >= twice) {
                    2
                } else {
                    1
                }
            }
            Some(_) => 0,
        }
    }
}
