//! When a secret (cookie secret, ticket key) is next replaced. Time is only
//! what the datagrams' `now` says: a rotation happens on the first datagram
//! after its period ends.

use std::time::{Duration, Instant};

/// The endpoint's clock in seconds: from its first datagram, plus a base
/// (0, or the Unix time then when nodes share a secret, so that cookie and
/// session times mean the same on every node).
#[derive(Default, Clone, Copy)]
pub(super) struct ServiceClock {
    origin: Option<(Instant, u64)>,
}

impl ServiceClock {
    /// Seconds at `now`; the first call fixes the origin with `base()`.
    pub(super) fn secs(&mut self, now: Instant, base: impl FnOnce() -> u64) -> u64 {
        let (origin, base) = *self.origin.get_or_insert_with(|| (now, base()));
        base.saturating_add(now.saturating_duration_since(origin).as_secs())
    }

    /// The origin and its base, once started.
    pub(super) fn origin(&self) -> Option<(Instant, u64)> {
        self.origin
    }
}

/// Which period of a shared rotation schedule `secs` falls in.
pub(super) fn period_index(secs: u64, period: Duration) -> u64 {
    secs / period.as_secs().max(1)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_datagram_starts_the_period_and_long_gaps_rotate_twice() {
        let t0 = crate::test_origin();
        let period = Duration::from_secs(10);
        let mut clock = RotationClock::default();
        assert_eq!(clock.due(t0, period), 0, "the first datagram starts it");
        assert_eq!(clock.due(t0 + Duration::from_secs(9), period), 0);
        assert_eq!(clock.due(t0 + Duration::from_secs(10), period), 1);
        // The next period runs from the rotation's datagram.
        assert_eq!(clock.due(t0 + Duration::from_secs(19), period), 0);
        assert_eq!(clock.due(t0 + Duration::from_secs(45), period), 2);
    }

    #[test]
    fn a_period_beyond_instant_never_ends() {
        let t0 = crate::test_origin();
        let mut clock = RotationClock::default();
        for secs in [0, 1, 1_000_000] {
            assert_eq!(clock.due(t0 + Duration::from_secs(secs), Duration::MAX), 0);
        }
    }
}
