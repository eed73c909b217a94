//! The server side: one socket's worth of DTLS connections.
//!
//! An [`Endpoint`] answers new peers statelessly with a HelloVerifyRequest
//! (RFC 6347 4.2.1) and creates a [`Connection`] only once a ClientHello
//! returns a valid cookie, which proves the peer can receive at its address.
//! Before that, nothing is allocated for the peer and the reply is never
//! larger than what it sent, so the endpoint cannot be used to amplify a
//! spoofed flood.
//!
//! - `slab`: the connections, named by generation-checked
//!   [`ConnectionHandle`]s.
//! - `stateless`: the cookie exchange for peers without a connection.
//! - `timers`: every connection's next deadline, ordered, so finding the
//!   next timeout and running due timers cost O(log n) however many
//!   connections are idle.
//! - `resumption`, `rotation`: the session cache and ticket keys, and when
//!   secrets are replaced.
//! - `counters`: what the stateless path dropped or answered.

mod admission;
mod cids;
mod counters;
mod half_open;
mod restart;
mod resumption;
mod rotation;
mod slab;
mod stateless;
mod stats;
mod timers;
mod trace;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use admission::Refusal;
pub use counters::EndpointCounters;
pub use slab::ConnectionHandle;
pub use stats::EndpointStats;

use crate::config::ServerConfig;
use crate::conn::Connection;
use crate::error::Error;
use crate::event::Event;
use half_open::HalfOpen;
use restart::Route;
use resumption::Resumption;
use slab::Slab;
use stateless::{ClientHelloPrefix, CookieCheck, CookieExchange, HELLO_VERIFY_REQUEST_LEN};
use timers::TimerIndex;

/// Record sequence numbers a new connection needs left in epoch 0 for its
/// flights and their retransmissions (a generous bound: a flight is a few
/// dozen records, re-sent at most a few dozen times).
pub(super) const EPOCH0_HEADROOM: u64 = 1 << 16;

/// Where opened application data goes: the caller's callback, with the
/// connection it came on ([`Endpoint::handle_datagram_with`]), or, if
/// `None`, each connection's receive queue.
pub(crate) type EndpointSink<'r, 'f> = Option<&'r mut (dyn FnMut(ConnectionHandle, &[u8]) + 'f)>;

/// Hands `conn`'s messages to `sink` as `handle`'s, or queues them.
fn open_into(
    conn: &mut Connection,
    handle: ConnectionHandle,
    now: Instant,
    from: Option<SocketAddr>,
    datagram: &mut [u8],
    sink: &mut EndpointSink<'_, '_>,
) {
    match sink {
        Some(sink) => {
            let mut on_data = |data: &[u8]| sink(handle, data);
            conn.handle_datagram_into(now, from, datagram, Some(&mut on_data));
        }
        None => conn.handle_datagram_into(now, from, datagram, None),
    }
}

/// What [`Endpoint::handle_datagram`] did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatagramEvent {
    /// It went to an existing connection, or was dropped and counted.
    Consumed,
    /// A peer proved its address: this new connection has started its
    /// handshake. The application may [`reject`](Endpoint::reject) it before
    /// the next [`poll_transmit`](Endpoint::poll_transmit).
    NewConnection(ConnectionHandle),
    /// Send the first `n` bytes of the response buffer back to the sender:
    /// a stateless HelloVerifyRequest.
    Respond(usize),
    /// A peer that proved its address was refused a connection, for
    /// `reason`; send the first `respond` bytes of the response buffer
    /// back (a fatal alert; 0 if the buffers were too small for one).
    Refused {
        /// Why.
        reason: Refusal,
        /// Bytes of the response buffer to send.
        respond: usize,
    },
    /// A `tls12_cid` datagram whose connection ID another endpoint issued
    /// ([`ServerConfig::connection_id_prefix`](crate::config::ServerConfig::connection_id_prefix)
    /// `owner`): untouched, for the application to hand to that endpoint
    /// (a client that moved and whose new address hashes to another worker
    /// or node; docs/scaling.md).
    ForeignConnectionId {
        /// The prefix of the endpoint that issued the CID.
        owner: u8,
    },
}

/// A datagram to send, written into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// Which connection it belongs to.
    pub connection: ConnectionHandle,
    /// How many bytes of the buffer to send.
    pub len: usize,
}

/// A DTLS server: one socket's worth of connections.
///
/// New peers are answered statelessly with a HelloVerifyRequest (RFC 6347
/// 4.2.1); a [`Connection`] is created only once a ClientHello returns a
/// valid cookie, which proves the peer receives at its address. Until then
/// nothing is allocated for the peer and no reply is larger than what it
/// sent, so a spoofed flood can neither fill memory nor be amplified. The
/// [crate documentation](crate) gives the call order.
pub struct Endpoint {
    config: Arc<ServerConfig>,
    cookies: CookieExchange,
    connections: Slab,
    by_addr: HashMap<SocketAddr, ConnectionHandle>,
    /// New handshakes running beside an established association of the
    /// same address (RFC 6347 4.2.8), by address.
    restarts: HashMap<SocketAddr, ConnectionHandle>,
    /// Connections whose handshake is under way, oldest first.
    half_open: HalfOpen,
    timers: TimerIndex,
    /// Connections that may have a datagram to send, oldest first.
    transmit_queue: VecDeque<ConnectionHandle>,
    events: VecDeque<(ConnectionHandle, Event)>,
    accepting: bool,
    counters: EndpointCounters,
    resumption: Resumption,
    admission: admission::Admission,
    tally: stats::Tally,
    /// The connection IDs issued (RFC 9146).
    cids: cids::CidTable,
    /// Seconds for cookie and session times.
    clock: rotation::ServiceClock,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("connections", &self.connections.len())
            .field("accepting", &self.accepting)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

/// A server needs something to authenticate with: a certificate, a raw
/// public key, or pre-shared keys; each identity must be presentable as
/// one of the configured certificate types (RFC 7250).
fn check_credentials(config: &ServerConfig) -> Result<(), Error> {
    if config.identities.is_empty() && config.psk.is_none() {
        return Err(Error::Config(
            "a server needs a certificate and key, or pre-shared keys",
        ));
    }
    crate::conn::check_certificate_types(
        &config.certificate_types,
        "certificate_types must list X509 and/or RawPublicKey",
    )?;
    crate::conn::check_certificate_types(
        &config.client_certificate_types,
        "client_certificate_types must list X509 and/or RawPublicKey",
    )?;
    if config.session_store.is_some() && !config.session_tickets {
        return Err(Error::Config(
            "a session_store needs session_tickets: its entries are sealed under the ticket keys",
        ));
    }
    if config.shared_secret.is_some() && config.unix_time.is_none() {
        return Err(Error::Config(
            "a shared_secret needs unix_time: the nodes agree on keys by the wall clock",
        ));
    }
    if config.connection_id_prefix.is_some() && config.connection_id_length.is_none_or(|n| n < 4) {
        return Err(Error::Config(
            "connection_id_prefix needs connection_id_length of at least 4 (one byte names the \
             endpoint, the rest is random)",
        ));
    }
    if config.connection_id_length.is_some_and(|n| n > 32) {
        return Err(Error::Config(
            "connection_id_length is at most 32 bytes (what mbedTLS accepts)",
        ));
    }
    let raw_keys = config
        .certificate_types
        .contains(&crate::config::CertificateType::RawPublicKey);
    if !raw_keys && config.identities.iter().any(|id| id.chain.is_empty()) {
        return Err(Error::Config(
            "an identity without a certificate needs CertificateType::RawPublicKey in \
             certificate_types",
        ));
    }
    Ok(())
}

impl Endpoint {
    /// A server endpoint with this configuration.
    ///
    /// # Errors
    /// Fails if the random source cannot produce a cookie secret, or the
    /// config has neither a certificate nor pre-shared keys.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, Error> {
        check_credentials(&config)?;
        Ok(Endpoint {
            resumption: Resumption::new(&config)?,
            cookies: CookieExchange::new(&config.common.provider)?,
            connections: Slab::default(),
            by_addr: HashMap::new(),
            restarts: HashMap::new(),
            half_open: HalfOpen::default(),
            timers: TimerIndex::default(),
            transmit_queue: VecDeque::new(),
            events: VecDeque::new(),
            accepting: config.accept_new,
            counters: EndpointCounters::default(),
            admission: admission::Admission::default(),
            tally: stats::Tally::default(),
            cids: cids::CidTable::default(),
            clock: rotation::ServiceClock::default(),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
    }

    /// Replaces the configuration for connections created from now on;
    /// live connections keep the one they started with. The caps
    /// (`max_connections`, half-open, budget) and the session cache's
    /// limits apply at once; the cookie secret and the ticket keys are kept
    /// (made or dropped if `session_tickets` changed), so cookies and
    /// tickets issued before still verify. `accept_new` is ignored: see
    /// [`set_accepting`](Self::set_accepting).
    ///
    /// # Errors
    /// As [`new`](Self::new): a config without credentials, or a random
    /// source that cannot make new ticket keys; the old config then stays.
    pub fn set_config(&mut self, config: Arc<ServerConfig>) -> Result<(), Error> {
        check_credentials(&config)?;
        // Live connections keep the CIDs they were issued, which routing
        // reads by length and prefix; and the clock's base was chosen by
        // whether a shared secret was set.
        if config.connection_id_length != self.config.connection_id_length
            || config.connection_id_prefix != self.config.connection_id_prefix
        {
            return Err(Error::Config(
                "connection_id_length and connection_id_prefix cannot change on a running \
                 endpoint: live connections hold CIDs of the old form",
            ));
        }
        if config.shared_secret.is_some() != self.config.shared_secret.is_some()
            && self.clock.origin().is_some()
        {
            return Err(Error::Config(
                "a shared_secret cannot be added or removed on a running endpoint: its clock \
                 would disagree with the other nodes'",
            ));
        }
        self.resumption.reconfigure(&config)?;
        self.config = config;
        Ok(())
    }

    /// Whether new handshakes are accepted (the seed's Start/StopListening
    /// keep existing connections either way).
    pub fn set_accepting(&mut self, accepting: bool) {
        self.accepting = accepting;
    }

    /// Changes keep-alive timing and the idle timeout for new connections
    /// and every live one, re-indexing their deadlines. Costs O(n) in live
    /// connections, once per change.
    pub fn set_keep_alive_timing(
        &mut self,
        time: Duration,
        interval: Duration,
        idle_timeout: Option<Duration>,
    ) {
        let mut config = (*self.config).clone();
        config.common.keep_alive.time = time;
        config.common.keep_alive.interval = interval;
        config.common.idle_timeout = idle_timeout;
        self.config = Arc::new(config);
        let handles: Vec<ConnectionHandle> = self.handles().collect();
        for handle in handles {
            let _ = self.with_conn(handle, |conn| {
                conn.set_keep_alive_timing(time, interval, idle_timeout);
            });
        }
    }

    /// Number of live connections (handshaking or established).
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Number of connections whose handshake is under way (passed the
    /// cookie, not yet complete).
    pub fn half_open_count(&self) -> usize {
        self.half_open.len()
    }

    /// Bytes peers have made the endpoint buffer (handshake reassembly,
    /// early records, unread application data), counted against
    /// `ServerConfig::peer_buffer_budget`.
    pub fn buffered_bytes(&self) -> usize {
        self.connections.held_total()
    }

    /// Number of sessions in the resumption cache.
    pub fn session_cache_len(&self) -> usize {
        self.resumption.cache_len()
    }

    /// Rotates the session-ticket key now (it also rotates every
    /// `ServerConfig::ticket_rotation`): new tickets use a new key, tickets
    /// of the previous key are still accepted, older ones are not
    /// (RFC 5077 5.5 recommends changing keys regularly).
    pub fn rotate_ticket_keys(&mut self) {
        self.resumption.rotate_ticket_keys();
    }

    /// Stateless-path counters.
    pub fn counters(&self) -> EndpointCounters {
        self.counters
    }

    /// The connection behind `handle`, if it is still alive.
    pub fn connection(&self, handle: ConnectionHandle) -> Option<&Connection> {
        self.connections.get(handle)
    }

    /// Handles of every live connection.
    pub fn handles(&self) -> impl Iterator<Item = ConnectionHandle> + '_ {
        self.connections.handles()
    }

    /// The connection for a peer address, if any.
    pub fn lookup(&self, peer: SocketAddr) -> Option<ConnectionHandle> {
        self.by_addr.get(&peer).copied()
    }

    /// Feeds one datagram from `peer`. `datagram` is decrypted in place;
    /// `response` receives a stateless reply when one is due (at least 64
    /// bytes are needed; a smaller buffer means no reply).
    ///
    /// From a peer without a connection, a ClientHello gets a
    /// HelloVerifyRequest, or a connection if it returns a valid cookie;
    /// anything else is counted and dropped.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        datagram: &mut [u8],
        response: &mut [u8],
    ) -> DatagramEvent {
        self.handle_datagram_into(now, peer, datagram, response, None)
    }

    /// [`handle_datagram`](Self::handle_datagram) that hands each
    /// application message to `on_data`, with its connection, as a slice
    /// of `datagram` decrypted in place, instead of queueing a copy for
    /// [`recv`](Self::recv); no [`Event::DataReadable`] is raised for
    /// those (see [`Connection::handle_datagram_with`]: messages queued by
    /// earlier calls come first, so read those before).
    pub fn handle_datagram_with(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        datagram: &mut [u8],
        response: &mut [u8],
        mut on_data: impl FnMut(ConnectionHandle, &[u8]),
    ) -> DatagramEvent {
        self.handle_datagram_into(now, peer, datagram, response, Some(&mut on_data))
    }

    /// Whether events wait for [`poll_event`](Self::poll_event).
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    fn handle_datagram_into(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        datagram: &mut [u8],
        response: &mut [u8],
        sink: EndpointSink<'_, '_>,
    ) -> DatagramEvent {
        self.counters.datagrams += 1;
        self.tally.bytes_in += datagram.len() as u64;
        self.on_clock(now);
        match self.route_by_cid(datagram) {
            Some(cids::CidRoute::To(handle)) => {
                self.deliver_by_cid(now, handle, peer, datagram, sink);
                return DatagramEvent::Consumed;
            }
            Some(cids::CidRoute::Foreign(owner)) => {
                return DatagramEvent::ForeignConnectionId { owner };
            }
            Some(cids::CidRoute::Unknown) => {
                self.counters.unknown_connection_id += 1;
                return DatagramEvent::Consumed;
            }
            None => {}
        }
        match self.route(peer, datagram) {
            Route::Stateless => {}
            route => {
                self.deliver(now, route, datagram, sink);
                return DatagramEvent::Consumed;
            }
        }
        let Some(hello) = ClientHelloPrefix::parse(datagram) else {
            self.counters.malformed += 1;
            return DatagramEvent::Consumed;
        };
        // Even a peer that will be refused gets the cookie exchange first:
        // only a proven address is told (see `admission`).
        match self
            .cookies
            .check(peer, &hello, self.config.cookie_lifetime)
        {
            CookieCheck::Valid(proven) => {
                return self.admit(now, peer, proven, datagram, response);
            }
            CookieCheck::Invalid => self.counters.bad_cookies += 1,
            CookieCheck::Absent => {}
        }
        // RFC 6347 4.2.1: HelloVerifyRequest, never larger than the hello
        // (checked before spending an HMAC on it).
        if HELLO_VERIFY_REQUEST_LEN > datagram.len() {
            self.counters.too_small_to_answer += 1;
            return DatagramEvent::Consumed;
        }
        match self
            .cookies
            .write_hello_verify_request(response, peer, &hello)
        {
            Some(n) => {
                self.counters.hello_verify_sent += 1;
                DatagramEvent::Respond(n)
            }
            None => DatagramEvent::Consumed,
        }
    }

    /// Advances the cookie and session clocks to `now`, rotating (or, with
    /// a shared secret, deriving) their secrets.
    fn on_clock(&mut self, now: Instant) {
        let config = &self.config;
        let unix = config
            .unix_time
            .as_ref()
            .filter(|_| config.shared_secret.is_some());
        let secs = self.clock.secs(now, || unix.map_or(0, |clock| (clock.0)()));
        let origin = self.clock.origin().unwrap_or((now, 0));
        let shared = config
            .shared_secret
            .as_deref()
            .map(|secret| (secret, config.common.provider.as_ref()));
        self.cookies
            .on_datagram(now, secs, config.cookie_rotation, shared);
        self.resumption
            .on_datagram(now, origin, secs, config.ticket_rotation, shared);
    }

    fn remove(&mut self, handle: ConnectionHandle) {
        self.forget_waiting(handle);
        let Some(conn) = self.connections.remove(handle) else {
            return;
        };
        self.tally.retired.add(&conn.counters());
        if let Some(cid) = conn.issued_cid() {
            self.forget_cid(handle, cid);
        }
        self.half_open.remove(handle);
        self.timers.set(handle, None);
        self.forget_address(conn.peer(), handle);
    }

    /// The earliest instant at which [`handle_timeout`](Self::handle_timeout)
    /// has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Runs every connection timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(handle) = self.timers.pop_due(now) {
            let _ = self.with_conn(handle, |conn| conn.handle_timeout(now));
        }
    }

    /// Writes the next datagram to send into `buf`, if any connection has
    /// one.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        self.accept_waiting(now);
        if let Some(alert) = self.poll_refusal_alert(buf) {
            return Some(alert);
        }
        while let Some(&handle) = self.transmit_queue.front() {
            let Some(conn) = self.connections.get_mut(handle) else {
                // Removed since it was queued.
                self.transmit_queue.pop_front();
                continue;
            };
            if let Some(len) = conn.poll_transmit(now, buf) {
                let destination = conn.peer();
                self.tally.datagrams_out += 1;
                self.tally.bytes_out += len as u64;
                // A transmit can arm a timer (after a flight) and produce
                // events (Closed after the final alert), but the connection
                // stays at the front until it has nothing more to send.
                self.sync(handle, false);
                return Some(Transmit {
                    destination,
                    connection: handle,
                    len,
                });
            }
            let drained = conn.is_drained();
            self.transmit_queue.pop_front();
            if let Some(slot) = self.connections.slot_mut(handle) {
                slot.queued = false;
            }
            self.sync(handle, false);
            if drained {
                self.remove(handle);
            }
        }
        None
    }

    /// Runs `f` on the connection behind `handle`, then does the
    /// book-keeping anything touching a connection needs (see
    /// [`sync`](Self::sync)).
    fn with_conn<R>(
        &mut self,
        handle: ConnectionHandle,
        f: impl FnOnce(&mut Connection) -> R,
    ) -> Result<R, Error> {
        let handshaking = self.half_open.contains(handle);
        let allowance =
            self.connections
                .allowance(handle, self.config.peer_buffer_budget, handshaking);
        let conn = self
            .connections
            .get_mut(handle)
            .ok_or(Error::UnknownConnection)?;
        conn.set_buffer_allowance(allowance);
        let out = f(conn);
        self.sync(handle, true);
        self.account(handle);
        Ok(out)
    }

    /// Re-reads what a connection holds for its peer into the endpoint's
    /// budget (`ServerConfig::peer_buffer_budget`).
    fn account(&mut self, handle: ConnectionHandle) {
        let handshaking = self.half_open.contains(handle);
        self.connections.account(handle, handshaking);
    }

    /// Collects a connection's events and new sessions, re-indexes its
    /// deadline, and, if `may_transmit`, queues it for `poll_transmit`.
    fn sync(&mut self, handle: ConnectionHandle, may_transmit: bool) {
        let Some(slot) = self.connections.slot_mut(handle) else {
            return;
        };
        let Some(conn) = slot.conn_mut() else {
            return;
        };
        let peer = conn.peer();
        // Where a completed restart's Connected sits in the event queue:
        // the old association's Closed goes in just before it.
        let mut completed_restart = None;
        while let Some(event) = conn.poll_event() {
            trace::event(handle, peer, &event);
            self.tally.on_event(&event);
            if matches!(event, Event::Connected(_)) {
                self.half_open.remove(handle);
                if self.restarts.get(&peer) == Some(&handle) {
                    completed_restart = Some(self.events.len());
                }
            }
            self.events.push_back((handle, event));
        }
        if let Some(session) = conn.take_new_session() {
            self.resumption.store(session);
        }
        self.timers.set(handle, conn.poll_timeout());
        if may_transmit && !slot.queued {
            slot.queued = true;
            self.transmit_queue.push_back(handle);
        }
        if let Some(connected_at) = completed_restart {
            self.complete_restart(peer, handle, connected_at);
        }
    }

    /// The next event of any connection.
    pub fn poll_event(&mut self) -> Option<(ConnectionHandle, Event)> {
        self.events.pop_front()
    }

    /// Queues application data on a connection (see [`Connection::send`]).
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle, else as
    /// [`Connection::send`].
    pub fn send(
        &mut self,
        handle: ConnectionHandle,
        now: Instant,
        data: &[u8],
    ) -> Result<(), Error> {
        self.with_conn(handle, |conn| conn.send(now, data))?
    }

    /// Sends application data at once when the connection can: sealed
    /// straight from `data` into `buf` as one record in one datagram,
    /// without the copy through the send queue (see
    /// [`Connection::send_now`]). The returned [`Transmit`] describes the
    /// datagram written into `buf`, which the caller sends as it would one
    /// from [`poll_transmit`](Self::poll_transmit); `None` means `data` was
    /// queued and `poll_transmit` sends it.
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle, else as
    /// [`Connection::send`]; nothing is queued or written on error.
    pub fn send_now(
        &mut self,
        handle: ConnectionHandle,
        now: Instant,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, Error> {
        let Some(len) = self.with_conn(handle, |conn| conn.send_now(now, data, buf))?? else {
            return Ok(None);
        };
        let destination = self
            .connections
            .get(handle)
            .ok_or(Error::UnknownConnection)?
            .peer();
        self.tally.datagrams_out += 1;
        self.tally.bytes_out += len as u64;
        Ok(Some(Transmit {
            destination,
            connection: handle,
            len,
        }))
    }

    /// Reads received application data (see [`Connection::recv`]).
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle, else as
    /// [`Connection::recv`].
    pub fn recv(
        &mut self,
        handle: ConnectionHandle,
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error> {
        let read = self
            .connections
            .get_mut(handle)
            .ok_or(Error::UnknownConnection)?
            .recv(buf);
        self.account(handle);
        read
    }

    /// Closes a connection with close_notify.
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle.
    pub fn close(&mut self, handle: ConnectionHandle, now: Instant) -> Result<(), Error> {
        self.with_conn(handle, |conn| conn.close(now))
    }

    /// Closes every connection with close_notify.
    pub fn close_all(&mut self, now: Instant) {
        let handles: Vec<_> = self.handles().collect();
        for handle in handles {
            let _ = self.close(handle, now);
        }
    }

    /// Passes the application's verdict on a client certificate.
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle.
    pub fn decide_client_certificate(
        &mut self,
        handle: ConnectionHandle,
        now: Instant,
        accept: bool,
    ) -> Result<(), Error> {
        self.with_conn(handle, |conn| conn.decide_client_certificate(now, accept))
    }
}
