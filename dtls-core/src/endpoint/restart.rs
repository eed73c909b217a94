//! Which connection a datagram from a known address goes to, and a peer
//! restart done safely (RFC 6347 4.2.8).
//!
//! A new ClientHello (another random) from the address of an established
//! connection means the peer lost its state, or that someone replays or
//! spoofs one. So the old association is kept while the new handshake
//! runs beside it, and ends only when the new handshake's Finished
//! verifies. Until then epoch-0 records go to the new handshake, and
//! protected records to the old association first, then (if none of them
//! authenticated there) to the new one.

use std::net::SocketAddr;
use std::time::Instant;

use super::stateless::ClientHelloPrefix;
use super::{ConnectionHandle, Endpoint, EndpointSink, open_into};
use crate::event::{Event, Status, StatusCode};

/// How the old association of a completed restart is reported closed.
pub(super) fn replaced() -> Status {
    Status::new(
        StatusCode::Ok,
        "the peer restarted: a new handshake from the same address completed (RFC 6347 4.2.8)",
    )
}

/// Where a datagram from a known address goes.
pub(super) enum Route {
    /// Nobody: the stateless path (cookie exchange) handles it.
    Stateless,
    /// This connection.
    To(ConnectionHandle),
    /// A restart is pending: the old association, then the new handshake
    /// if the old authenticated nothing in it.
    OldThenNew {
        old: ConnectionHandle,
        new: ConnectionHandle,
    },
}

impl Endpoint {
    /// Where a datagram from `peer` goes. A ClientHello goes to the
    /// connection it started (a delayed or duplicated copy, ignored there
    /// as old); another one, to an established connection's address, goes
    /// to the stateless path as a possible restart.
    pub(super) fn route(&self, peer: SocketAddr, datagram: &[u8]) -> Route {
        let Some(&old) = self.by_addr.get(&peer) else {
            return Route::Stateless;
        };
        let pending = self.restarts.get(&peer).copied();
        if let Some(hello) = ClientHelloPrefix::parse(datagram) {
            let started = |handle: ConnectionHandle| {
                self.connections
                    .get(handle)
                    .is_some_and(|c| c.first_hello_random.as_ref() == Some(hello.random))
            };
            if let Some(handle) = [Some(old), pending]
                .into_iter()
                .flatten()
                .find(|&h| started(h))
            {
                return Route::To(handle);
            }
            // A new hello beside an established association may be a
            // restarted peer (RFC 6347 4.2.8); beside a closed one
            // (close_notify, then a new handshake at once, before the closed
            // one is reaped) it is a new attempt: either way it starts with
            // the cookie exchange (see `create_connection`).
            let established_or_closed = self
                .connections
                .get(old)
                .is_some_and(|c| c.is_established() || c.is_closed());
            return if established_or_closed {
                Route::Stateless
            } else {
                Route::To(old)
            };
        }
        let first_epoch = datagram.get(3..5).map(|e| u16::from_be_bytes([e[0], e[1]]));
        match pending {
            None => Route::To(old),
            Some(new) if first_epoch == Some(0) => Route::To(new),
            Some(new) => Route::OldThenNew { old, new },
        }
    }

    /// Delivers a datagram along `route` (not [`Route::Stateless`]).
    pub(super) fn deliver(
        &mut self,
        now: Instant,
        route: Route,
        datagram: &mut [u8],
        mut sink: EndpointSink<'_, '_>,
    ) {
        match route {
            Route::Stateless => {}
            // A new connection the application has not accepted yet takes
            // nothing before its ClientHello (the peer will retransmit).
            Route::To(handle) if self.is_waiting(handle) => {}
            Route::To(handle) => {
                let _ = self.with_conn(handle, |conn| {
                    open_into(conn, handle, now, None, datagram, &mut sink);
                });
            }
            Route::OldThenNew { old, new } => {
                // Decryption is in place: keep the bytes for the second try.
                // Only while a restart is pending, so rarely.
                let mut copy = datagram.to_vec();
                let authenticated = self
                    .with_conn(old, |conn| {
                        let before = conn.counters().authenticated;
                        open_into(conn, old, now, None, datagram, &mut sink);
                        conn.counters().authenticated > before
                    })
                    .unwrap_or(false);
                if !authenticated && !self.is_waiting(new) {
                    let _ = self.with_conn(new, |conn| {
                        open_into(conn, new, now, None, &mut copy, &mut sink);
                    });
                }
            }
        }
    }

    /// A new handshake from `peer` started beside its established
    /// association: it replaces any earlier pending one.
    pub(super) fn begin_restart(&mut self, peer: SocketAddr, new: ConnectionHandle) {
        if let Some(earlier) = self.restarts.insert(peer, new) {
            self.remove(earlier);
        }
    }

    /// The pending restart `new` of `peer` completed: the old association
    /// ends, reported [`replaced`] just before the new one's `Connected`
    /// (at `connected_at` in the event queue) unless it had closed, and
    /// said so, already; `new` takes its address.
    pub(super) fn complete_restart(
        &mut self,
        peer: SocketAddr,
        new: ConnectionHandle,
        connected_at: usize,
    ) {
        if self.restarts.get(&peer) != Some(&new) {
            return;
        }
        if let Some(&old) = self.by_addr.get(&peer) {
            if self.connections.get(old).is_some_and(|c| !c.is_closed()) {
                let event = (old, Event::Closed(replaced()));
                self.events.insert(connected_at, event);
            }
            self.remove(old);
        }
        self.restarts.remove(&peer);
        self.by_addr.insert(peer, new);
    }

    /// `handle` is gone: forget it as an address's connection or pending
    /// restart; a pending restart whose old association went takes the
    /// address.
    pub(super) fn forget_address(&mut self, peer: SocketAddr, handle: ConnectionHandle) {
        if self.restarts.get(&peer) == Some(&handle) {
            self.restarts.remove(&peer);
        }
        if self.by_addr.get(&peer) == Some(&handle) {
            self.by_addr.remove(&peer);
            if let Some(new) = self.restarts.remove(&peer) {
                self.by_addr.insert(peer, new);
            }
        }
    }
}
