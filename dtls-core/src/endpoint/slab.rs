//! The endpoint's connections: a slab of slots, each named by a
//! [`ConnectionHandle`] whose generation makes a stale handle miss rather
//! than reach the slot's next tenant.

use crate::conn::Connection;

/// A small handle naming one connection of an [`Endpoint`](crate::Endpoint).
/// Handles are not reused while a stale copy could still refer to the old
/// connection: each slot carries a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionHandle {
    index: u32,
    generation: u32,
}

impl ConnectionHandle {
    /// A number unique among the endpoint's live connections, stable for the
    /// connection's life (the seed's ConnectionId).
    pub fn id(&self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }
}

impl std::fmt::Display for ConnectionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id())
    }
}

/// One slot: its current generation and, while occupied, its connection.
pub(super) struct Slot {
    generation: u32,
    conn: Option<Box<Connection>>,
    /// Whether the handle is in the endpoint's transmit queue.
    pub(super) queued: bool,
    /// Peer-fillable bytes the connection held when last accounted, and
    /// whether it was then a handshake under way.
    held: usize,
    held_handshaking: bool,
}

impl Slot {
    /// The connection living here.
    pub(super) fn conn_mut(&mut self) -> Option<&mut Connection> {
        self.conn.as_deref_mut()
    }
}

/// Live connections, reachable in O(1) from their handles.
#[derive(Default)]
pub(super) struct Slab {
    slots: Vec<Slot>,
    /// Indices of empty slots, reused before the slab grows.
    free: Vec<u32>,
    live: usize,
    /// The slots' `held`, summed.
    held: Held,
}

/// Peer-fillable bytes held by the endpoint's connections.
#[derive(Debug, Default, Clone, Copy)]
struct Held {
    total: usize,
    /// The part held by handshakes under way.
    handshakes: usize,
}

impl Held {
    fn add(&mut self, (bytes, handshaking): (usize, bool)) {
        self.total += bytes;
        if handshaking {
            self.handshakes += bytes;
        }
    }

    fn forget(&mut self, (bytes, handshaking): (usize, bool)) {
        self.total -= bytes;
        if handshaking {
            self.handshakes -= bytes;
        }
    }
}

impl Slab {
    /// Number of live connections.
    pub(super) fn len(&self) -> usize {
        self.live
    }

    /// Peer-fillable bytes held across every connection, as last accounted.
    pub(super) fn held_total(&self) -> usize {
        self.held.total
    }

    /// The part of [`held_total`](Self::held_total) held by handshakes
    /// under way.
    pub(super) fn held_by_handshakes(&self) -> usize {
        self.held.handshakes
    }

    /// How many peer-fillable bytes the connection behind `handle` may hold
    /// in total so that the slab stays within `budget`, and handshakes
    /// under way within half of it (so established connections keep the
    /// other half however many handshakes an attacker stalls).
    pub(super) fn allowance(
        &self,
        handle: ConnectionHandle,
        budget: usize,
        handshaking: bool,
    ) -> usize {
        let (own, own_handshaking) = self
            .slots
            .get(handle.index as usize)
            .filter(|slot| slot.generation == handle.generation)
            .map_or((0, false), |slot| (slot.held, slot.held_handshaking));
        let overall = budget.saturating_sub(self.held.total - own);
        if !handshaking {
            return overall;
        }
        let own_handshake = if own_handshaking { own } else { 0 };
        overall.min((budget / 2).saturating_sub(self.held.handshakes - own_handshake))
    }

    /// Re-reads what the connection behind `handle` holds for its peer
    /// (after anything that may have changed it), and whether it counts as
    /// a handshake under way.
    pub(super) fn account(&mut self, handle: ConnectionHandle, handshaking: bool) {
        let Some(slot) = self.slot_mut(handle) else {
            return;
        };
        let Some(conn) = slot.conn.as_deref() else {
            return;
        };
        let before = (slot.held, slot.held_handshaking);
        slot.held = conn.buffered_bytes();
        slot.held_handshaking = handshaking;
        let after = (slot.held, handshaking);
        self.held.forget(before);
        self.held.add(after);
    }

    /// The slot `handle` names, if its generation is current.
    pub(super) fn slot_mut(&mut self, handle: ConnectionHandle) -> Option<&mut Slot> {
        self.slots
            .get_mut(handle.index as usize)
            .filter(|slot| slot.generation == handle.generation)
    }

    /// The connection behind `handle`, if it is still alive.
    pub(super) fn get(&self, handle: ConnectionHandle) -> Option<&Connection> {
        self.slots
            .get(handle.index as usize)
            .filter(|slot| slot.generation == handle.generation)?
            .conn
            .as_deref()
    }

    /// The connection behind `handle`, if it is still alive.
    pub(super) fn get_mut(&mut self, handle: ConnectionHandle) -> Option<&mut Connection> {
        self.slot_mut(handle)?.conn_mut()
    }

    /// Handles of every live connection.
    pub(super) fn handles(&self) -> impl Iterator<Item = ConnectionHandle> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.conn.as_ref().map(|_| ConnectionHandle {
                index: i as u32,
                generation: s.generation,
            })
        })
    }

    /// Stores a new connection, in a free slot if there is one.
    pub(super) fn insert(&mut self, conn: Connection) -> ConnectionHandle {
        self.live += 1;
        let conn = Some(Box::new(conn));
        if let Some(index) = self.free.pop()
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.conn = conn;
            slot.queued = false;
            slot.held = 0;
            slot.held_handshaking = false;
            return ConnectionHandle {
                index,
                generation: slot.generation,
            };
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            generation: 0,
            conn,
            queued: false,
            held: 0,
            held_handshaking: false,
        });
        ConnectionHandle {
            index,
            generation: 0,
        }
    }

    /// Takes the connection out and retires `handle`: the slot's next
    /// tenant gets a new generation.
    pub(super) fn remove(&mut self, handle: ConnectionHandle) -> Option<Box<Connection>> {
        let slot = self.slot_mut(handle)?;
        let conn = slot.conn.take()?;
        slot.queued = false;
        let held = (std::mem::take(&mut slot.held), slot.held_handshaking);
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(handle.index);
        self.live -= 1;
        self.held.forget(held);
        Some(conn)
    }
}

#[cfg(test)]
impl ConnectionHandle {
    /// A handle for index `index`, generation 0.
    pub(super) fn for_tests(index: u32) -> Self {
        ConnectionHandle {
            index,
            generation: 0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::ClientConfig;

    fn conn() -> Connection {
        let peer = "192.0.2.1:5000".parse().unwrap();
        Connection::client(
            Arc::new(ClientConfig::default()),
            peer,
            crate::test_origin(),
        )
        .unwrap()
    }

    #[test]
    fn a_removed_handle_misses_the_slot_s_next_tenant() {
        let mut slab = Slab::default();
        let first = slab.insert(conn());
        let second = slab.insert(conn());
        assert_ne!(first.id(), second.id());
        assert_eq!(slab.len(), 2);
        assert!(slab.remove(first).is_some());
        assert!(slab.remove(first).is_none(), "removed once");
        let reused = slab.insert(conn());
        assert_eq!(reused.index, first.index, "the free slot is reused");
        assert_ne!(reused, first);
        assert!(slab.get(first).is_none());
        assert!(slab.get(reused).is_some());
        assert_eq!(slab.handles().collect::<Vec<_>>(), vec![reused, second]);
        assert_eq!(slab.len(), 2);
    }
}
