//! The handshakes under way: which connections have passed the cookie but
//! not completed, oldest first, and how many come from each source IP.
//!
//! A peer that proves its address can still stall its handshake. Caps on
//! half-open handshakes (in all and per source address) keep such peers
//! from taking every slot, and when a cap is reached the oldest half-open
//! handshake yields to the newer client: a legitimate client still
//! connects while thousands of bogus ones are pending. Established
//! connections are never in this set and never yield.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use super::slab::ConnectionHandle;

/// Half-open handshakes, in the order they were created.
#[derive(Debug, Default)]
pub(super) struct HalfOpen {
    /// (creation serial, handle): the first is the oldest.
    oldest_first: BTreeSet<(u64, ConnectionHandle)>,
    /// Each member's serial and source address.
    members: HashMap<ConnectionHandle, (u64, IpAddr)>,
    /// The members from each source address, oldest first.
    by_source: HashMap<IpAddr, BTreeSet<(u64, ConnectionHandle)>>,
    next_serial: u64,
}

impl HalfOpen {
    /// A new connection from `source` started its handshake.
    pub(super) fn insert(&mut self, handle: ConnectionHandle, source: IpAddr) {
        let serial = self.next_serial;
        self.next_serial += 1;
        self.oldest_first.insert((serial, handle));
        self.members.insert(handle, (serial, source));
        self.by_source
            .entry(source)
            .or_default()
            .insert((serial, handle));
    }

    /// The connection completed its handshake or is gone.
    pub(super) fn remove(&mut self, handle: ConnectionHandle) {
        let Some((serial, source)) = self.members.remove(&handle) else {
            return;
        };
        self.oldest_first.remove(&(serial, handle));
        if let Some(set) = self.by_source.get_mut(&source) {
            set.remove(&(serial, handle));
            if set.is_empty() {
                self.by_source.remove(&source);
            }
        }
    }

    /// Whether `handle` is a handshake under way.
    pub(super) fn contains(&self, handle: ConnectionHandle) -> bool {
        self.members.contains_key(&handle)
    }

    /// How many handshakes are under way.
    pub(super) fn len(&self) -> usize {
        self.members.len()
    }

    /// How many of them come from `source`.
    pub(super) fn count_from(&self, source: IpAddr) -> usize {
        self.by_source.get(&source).map_or(0, BTreeSet::len)
    }

    /// The oldest handshake under way.
    pub(super) fn oldest(&self) -> Option<ConnectionHandle> {
        self.oldest_first.first().map(|&(_, handle)| handle)
    }

    /// The oldest handshake under way from `source`.
    pub(super) fn oldest_from(&self, source: IpAddr) -> Option<ConnectionHandle> {
        let set = self.by_source.get(&source)?;
        set.first().map(|&(_, handle)| handle)
    }
}
