//! Admission: what happens to a ClientHello whose cookie proved its
//! address.
//!
//! - A peer the endpoint will not take (not accepting, or at capacity with
//!   no handshake under way to give way) gets a fatal alert, and the
//!   caller learns why ([`DatagramEvent::Refused`]); unproven peers only
//!   ever get a HelloVerifyRequest, so the alert cannot be reflected at a
//!   spoofed victim.
//! - An admitted peer gets a connection, but its ClientHello waits until
//!   the application [`accept`](Endpoint::accept)s it (or the next
//!   [`poll_transmit`](Endpoint::poll_transmit)): an application that
//!   refuses it (the seed's ConnectionRequest) costs the server no key
//!   exchange and no signature.
//! - A refused attempt is remembered by address and client random until
//!   its cookie would expire: its retransmissions get the alert again, not
//!   a new connection and a new question to the application.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use super::stateless::ProvenHello;
use super::{ConnectionHandle, DatagramEvent, EPOCH0_HEADROOM, Endpoint, Transmit};
use crate::conn::Connection;
use crate::event::{Event, Status, StatusCode};
use crate::msgs::alert::AlertDescription;
use crate::record::MAX_SEQUENCE_NUMBER;

/// Bytes of a plaintext alert record: header and two-byte body.
const ALERT_RECORD_LEN: usize = 13 + 2;
/// Most refused attempts remembered (the oldest are forgotten first).
const MAX_REMEMBERED_REFUSALS: usize = 4096;
/// Most refusal alerts waiting for `poll_transmit`.
const MAX_QUEUED_ALERTS: usize = 256;

/// Why a peer that proved its address was not given a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The endpoint is not accepting new handshakes (the seed's
    /// StopListening).
    NotAccepting,
    /// `max_connections` is reached and every connection is established,
    /// or a handshake cap is reached with nothing to give way.
    AtCapacity,
    /// The application refused this attempt already (a retransmission of
    /// its ClientHello).
    RefusedBefore,
}

impl Refusal {
    /// The alert the peer is sent (RFC 5246 7.2.2).
    fn alert(self) -> AlertDescription {
        match self {
            Refusal::AtCapacity => AlertDescription::InternalError,
            Refusal::NotAccepting | Refusal::RefusedBefore => AlertDescription::AccessDenied,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::NotAccepting => "the server is not accepting new connections",
            Refusal::AtCapacity => "the server is at its connection limit",
            Refusal::RefusedBefore => "the application refused this attempt already",
        })
    }
}

/// A new connection's ClientHello, waiting for the application.
struct Waiting {
    datagram: Vec<u8>,
    random: [u8; 32],
    record_seq: u64,
    since: Instant,
}

/// The admission state of an endpoint.
#[derive(Default)]
pub(super) struct Admission {
    /// ClientHellos of new connections the application has not accepted.
    waiting: HashMap<ConnectionHandle, Waiting>,
    /// Refused attempts: (address, client random) until when.
    refused: HashMap<(SocketAddr, [u8; 32]), Instant>,
    refused_order: VecDeque<(SocketAddr, [u8; 32])>,
    /// Alerts for refused connections, for `poll_transmit`.
    alerts: VecDeque<(SocketAddr, ConnectionHandle, [u8; ALERT_RECORD_LEN])>,
}

impl Admission {
    fn remember_refusal(&mut self, peer: SocketAddr, random: [u8; 32], until: Instant) {
        if self.refused.insert((peer, random), until).is_none() {
            self.refused_order.push_back((peer, random));
        }
        while self.refused_order.len() > MAX_REMEMBERED_REFUSALS {
            if let Some(oldest) = self.refused_order.pop_front() {
                self.refused.remove(&oldest);
            }
        }
    }

    fn refused_before(&mut self, peer: SocketAddr, random: [u8; 32], now: Instant) -> bool {
        match self.refused.get(&(peer, random)) {
            Some(&until) if until > now => true,
            Some(_) => {
                self.refused.remove(&(peer, random));
                false
            }
            None => false,
        }
    }
}

/// A fatal alert record at epoch 0 with sequence number `seq`.
fn alert_record(description: AlertDescription, seq: u64) -> [u8; ALERT_RECORD_LEN] {
    let mut record = [0u8; ALERT_RECORD_LEN];
    record[..3].copy_from_slice(&[21, 0xFE, 0xFD]);
    record[5..11].copy_from_slice(&seq.to_be_bytes()[2..]);
    record[11..13].copy_from_slice(&2u16.to_be_bytes());
    record[13] = 2; // fatal
    record[14] = u8::from(description);
    record
}

impl Endpoint {
    /// A ClientHello with a valid cookie from `peer`: a connection, or a
    /// refusal with an alert written to `response`.
    pub(super) fn admit(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        hello: ProvenHello,
        datagram: &[u8],
        response: &mut [u8],
    ) -> DatagramEvent {
        // Our epoch-0 records continue from the ClientHello's record
        // sequence number (RFC 6347 4.2.1). One so close to 2^48 that our
        // flight and its retransmissions would run out of numbers cannot
        // complete; no genuine client sends it, so it is dropped before it
        // costs anything (or ends an existing association).
        if hello.record_seq > MAX_SEQUENCE_NUMBER - EPOCH0_HEADROOM {
            self.counters.malformed += 1;
            return DatagramEvent::Consumed;
        }
        let refusal = if self.admission.refused_before(peer, hello.random, now) {
            Some(Refusal::RefusedBefore)
        } else if !self.accepting {
            Some(Refusal::NotAccepting)
        } else if !self.make_room_for(peer.ip()) {
            Some(Refusal::AtCapacity)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            self.counters.refused += 1;
            log::debug!(target: "dtls_core", "refused {peer}: {refusal}");
            let record = alert_record(refusal.alert(), hello.record_seq);
            let len = match response.get_mut(..ALERT_RECORD_LEN) {
                Some(out) if datagram.len() >= ALERT_RECORD_LEN => {
                    out.copy_from_slice(&record);
                    ALERT_RECORD_LEN
                }
                _ => 0,
            };
            return DatagramEvent::Refused {
                reason: refusal,
                respond: len,
            };
        }
        self.create_connection(now, peer, hello, datagram)
    }

    fn create_connection(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        hello: ProvenHello,
        datagram: &[u8],
    ) -> DatagramEvent {
        // Only an established or a closed association's address gets here
        // with a connection (see `route`). A closed one, maybe still sending
        // its last alert, gives its address up to the new attempt; an
        // established one stays until a restart's Finished verifies.
        if let Some(&old) = self.by_addr.get(&peer)
            && self.connections.get(old).is_some_and(Connection::is_closed)
        {
            self.forget_address(peer, old);
        }
        let restarting = self.by_addr.contains_key(&peer);
        // The cookie proved the address: only now look the session up.
        let resumption = self.resumption.for_new_connection(
            now,
            &hello.session_id,
            self.config.session_lifetime,
        );
        let mut conn = Connection::new_server(
            now,
            self.config.clone(),
            peer,
            hello.message_seq,
            hello.record_seq,
            Some(resumption),
        );
        conn.first_hello_random = Some(hello.random);
        let handle = self.connections.insert(conn);
        if let Some(cid) = self.issue_cid(handle)
            && let Some(conn) = self.connections.get_mut(handle)
        {
            conn.set_issued_cid(cid);
        }
        if restarting {
            self.begin_restart(peer, handle);
        } else {
            self.by_addr.insert(peer, handle);
        }
        self.half_open.insert(handle, peer.ip());
        self.counters.connections_created += 1;
        let waiting = Waiting {
            datagram: datagram.to_vec(),
            random: hello.random,
            record_seq: hello.record_seq,
            since: now,
        };
        self.admission.waiting.insert(handle, waiting);
        // Its handshake deadline runs from now, accepted or not.
        let _ = self.with_conn(handle, |_| {});
        DatagramEvent::NewConnection(handle)
    }

    /// Whether a new handshake from `source` fits under the caps, after
    /// evicting the oldest handshake under way (that source's own when it
    /// is the per-source cap that binds). Established connections never
    /// yield.
    fn make_room_for(&mut self, source: IpAddr) -> bool {
        let config = &self.config;
        let victim = if self.half_open.count_from(source) >= config.max_half_open_per_source {
            self.half_open.oldest_from(source)
        } else if self.half_open.len() >= config.max_half_open
            || self.connections.len() >= config.max_connections
            || self.connections.held_by_handshakes() + config.common.limits.max_reassembly_bytes
                > config.peer_buffer_budget / 2
        {
            self.half_open.oldest()
        } else {
            return true;
        };
        let Some(victim) = victim else {
            return false;
        };
        let event = Event::HandshakeFailed(Status::new(
            StatusCode::HandshakeError,
            "handshake given up: a newer client passed the cookie while the \
             limit on handshakes under way was reached",
        ));
        self.tally.on_event(&event);
        self.events.push_back((victim, event));
        self.counters.evicted_half_open += 1;
        log::debug!(target: "dtls_core", "[{victim}] evicted: a newer client needs its place");
        self.remove(victim);
        true
    }

    /// Lets a new connection's handshake start: its ClientHello is
    /// processed now (key exchange, signature, the server's flight). Does
    /// nothing for a connection already under way. The next
    /// [`poll_transmit`](Self::poll_transmit) accepts every connection
    /// still waiting.
    pub fn accept(&mut self, handle: ConnectionHandle, now: Instant) {
        if let Some(mut waiting) = self.admission.waiting.remove(&handle) {
            let hello = &mut waiting.datagram;
            let _ = self.with_conn(handle, |conn| conn.handle_datagram(now, hello));
        }
    }

    /// Refuses a new connection before its handshake starts (the
    /// application's ConnectionRequest said no): it is removed, the peer is
    /// sent a fatal `access_denied` alert (by the next `poll_transmit`),
    /// and retransmissions of the same ClientHello are answered with the
    /// alert again until their cookie would expire. For a connection
    /// already under way it is removed at once, sending nothing.
    pub fn reject(&mut self, handle: ConnectionHandle) {
        if let Some(waiting) = self.admission.waiting.remove(&handle)
            && let Some(conn) = self.connections.get(handle)
        {
            let peer = conn.peer();
            // A cookie verifies for at most `cookie_lifetime` after it was
            // minted, which was before `since`.
            let until = waiting
                .since
                .checked_add(self.config.cookie_lifetime)
                .unwrap_or(waiting.since);
            self.admission.remember_refusal(peer, waiting.random, until);
            if self.admission.alerts.len() < MAX_QUEUED_ALERTS {
                let record = alert_record(AlertDescription::AccessDenied, waiting.record_seq);
                self.admission.alerts.push_back((peer, handle, record));
            }
        }
        self.remove(handle);
    }

    /// Accepts every connection still waiting (see [`accept`](Self::accept)).
    pub(super) fn accept_waiting(&mut self, now: Instant) {
        let waiting: Vec<ConnectionHandle> = self.admission.waiting.keys().copied().collect();
        for handle in waiting {
            self.accept(handle, now);
        }
    }

    /// A queued refusal alert, written to `buf`.
    pub(super) fn poll_refusal_alert(&mut self, buf: &mut [u8]) -> Option<Transmit> {
        let (destination, connection, record) = self.admission.alerts.pop_front()?;
        let out = buf.get_mut(..ALERT_RECORD_LEN)?;
        out.copy_from_slice(&record);
        Some(Transmit {
            destination,
            connection,
            len: ALERT_RECORD_LEN,
        })
    }

    /// Forgets a removed connection's waiting ClientHello.
    pub(super) fn forget_waiting(&mut self, handle: ConnectionHandle) {
        self.admission.waiting.remove(&handle);
    }

    /// Whether `handle` is a new connection the application has not
    /// accepted yet (its peer's datagrams wait with it: dropped).
    pub(super) fn is_waiting(&self, handle: ConnectionHandle) -> bool {
        self.admission.waiting.contains_key(&handle)
    }
}
