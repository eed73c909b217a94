//! The endpoint's timer index: every connection's next deadline, ordered, so
//! finding the next timeout and taking the due ones cost O(log n) however
//! many connections are idle.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::slab::ConnectionHandle;

/// The next deadline of each connection that has one.
#[derive(Default)]
pub(super) struct TimerIndex {
    /// Deadlines in firing order.
    order: BTreeSet<(Instant, ConnectionHandle)>,
    /// Each connection's entry in `order`.
    deadline_of: HashMap<ConnectionHandle, Instant>,
}

impl TimerIndex {
    /// Records `handle`'s next deadline (`None`: it has none, or is gone).
    pub(super) fn set(&mut self, handle: ConnectionHandle, deadline: Option<Instant>) {
        let current = self.deadline_of.get(&handle).copied();
        if current == deadline {
            return;
        }
        if let Some(old) = current {
            self.order.remove(&(old, handle));
            self.deadline_of.remove(&handle);
        }
        if let Some(new) = deadline {
            self.order.insert((new, handle));
            self.deadline_of.insert(handle, new);
        }
    }

    /// The earliest deadline of any connection.
    pub(super) fn next(&self) -> Option<Instant> {
        self.order.first().map(|(at, _)| *at)
    }

    /// Takes out the earliest deadline if it is due at `now`, and names its
    /// connection.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<ConnectionHandle> {
        let &(at, handle) = self.order.first()?;
        if at > now {
            return None;
        }
        self.order.pop_first();
        self.deadline_of.remove(&handle);
        Some(handle)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn keeps_one_deadline_per_connection_in_firing_order() {
        let t0 = crate::test_origin();
        let (a, b) = (
            ConnectionHandle::for_tests(0),
            ConnectionHandle::for_tests(1),
        );
        let mut index = TimerIndex::default();
        index.set(a, Some(t0 + Duration::from_secs(5)));
        index.set(b, Some(t0 + Duration::from_secs(3)));
        // Moving a deadline replaces the old entry.
        index.set(a, Some(t0 + Duration::from_secs(1)));
        assert_eq!(index.next(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(index.pop_due(t0), None, "nothing due yet");
        let later = t0 + Duration::from_secs(10);
        assert_eq!(index.pop_due(later), Some(a));
        assert_eq!(index.pop_due(later), Some(b));
        assert_eq!(index.pop_due(later), None, "a's old deadline is gone");
        index.set(b, Some(later));
        index.set(b, None);
        assert_eq!(index.next(), None);
    }
}
