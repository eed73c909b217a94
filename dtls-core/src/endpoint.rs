//! The server side: one socket's worth of DTLS connections.
//!
//! An [`Endpoint`] answers new peers statelessly with a HelloVerifyRequest
//! (RFC 6347 4.2.1) and creates a [`Connection`] only once a ClientHello
//! returns a valid cookie, which proves the peer can receive at its address.
//! Before that, nothing is allocated for the peer and the reply is never
//! larger than what it sent, so the endpoint cannot be used to amplify a
//! spoofed flood.
//!
//! Connections live in a slab indexed by a small [`ConnectionHandle`];
//! their deadlines sit in an ordered index, so finding the next timeout and
//! running due timers cost O(log n) however many connections are idle.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use dtls_crypto::cookie::CookieSecret;
use dtls_crypto::ticket::TicketKeys;

use crate::config::ServerConfig;
use crate::conn::Connection;
use crate::conn::session::{ServerResumption, SessionCache};
use crate::error::Error;
use crate::event::Event;
use crate::msgs::handshake::{HandshakeFragment, HandshakeType};
use crate::msgs::record::{ContentType, ProtocolVersion, RECORD_HEADER_LEN, encode_record_header};

/// Length of the cookies we issue.
const COOKIE_LEN: usize = 32;

/// A small handle naming one connection of an [`Endpoint`]. Handles are not
/// reused while a stale copy could still refer to the old connection: each
/// slot carries a generation.
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

/// What [`Endpoint::handle_datagram`] did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// What the endpoint dropped or answered before any connection existed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointCounters {
    /// Datagrams received.
    pub datagrams: u64,
    /// HelloVerifyRequests sent.
    pub hello_verify_sent: u64,
    /// ClientHellos whose cookie did not verify (after which a fresh
    /// HelloVerifyRequest is sent).
    pub bad_cookies: u64,
    /// Datagrams from unknown peers that were not a parseable ClientHello.
    pub malformed: u64,
    /// ClientHellos too small to answer without amplification.
    pub too_small_to_answer: u64,
    /// ClientHellos ignored because the endpoint is not accepting or is at
    /// its connection limit.
    pub refused: u64,
    /// Connections created.
    pub connections_created: u64,
}

struct Slot {
    generation: u32,
    conn: Option<Box<Connection>>,
    deadline: Option<Instant>,
    dirty: bool,
}

/// A DTLS server endpoint. See the module documentation.
pub struct Endpoint {
    config: Arc<ServerConfig>,
    cookie: CookieSecret,
    cookie_rotate_at: Option<Instant>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    by_addr: HashMap<SocketAddr, ConnectionHandle>,
    timers: BTreeSet<(Instant, ConnectionHandle)>,
    dirty: VecDeque<ConnectionHandle>,
    events: VecDeque<(ConnectionHandle, Event)>,
    accepting: bool,
    counters: EndpointCounters,
    /// Sessions for resumption by ID (RFC 5246 7.3).
    sessions: SessionCache,
    /// Ticket keys (RFC 5077), shared read-only with new connections and
    /// replaced (not mutated) on rotation.
    tickets: Option<Arc<TicketKeys>>,
    ticket_rotate_at: Option<Instant>,
    /// Time origin of session times: the first datagram's `now`.
    epoch: Option<Instant>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("connections", &self.live)
            .field("accepting", &self.accepting)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// A server endpoint with this configuration.
    ///
    /// # Errors
    /// Fails if the random source cannot produce a cookie secret, or the
    /// config has no identity.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, Error> {
        if config.identities.is_empty() {
            return Err(Error::Config(
                "a server needs at least one certificate and key",
            ));
        }
        let tickets = if config.session_tickets {
            Some(Arc::new(TicketKeys::new()?))
        } else {
            None
        };
        Ok(Endpoint {
            sessions: SessionCache::new(
                config.session_cache_capacity,
                config.session_cache_max_bytes,
            ),
            tickets,
            ticket_rotate_at: None,
            epoch: None,
            cookie: CookieSecret::new()?,
            cookie_rotate_at: None,
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            by_addr: HashMap::new(),
            timers: BTreeSet::new(),
            dirty: VecDeque::new(),
            events: VecDeque::new(),
            accepting: config.accept_new,
            counters: EndpointCounters::default(),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
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
        time: std::time::Duration,
        interval: std::time::Duration,
        idle_timeout: Option<std::time::Duration>,
    ) {
        let mut config = (*self.config).clone();
        config.common.keep_alive.time = time;
        config.common.keep_alive.interval = interval;
        config.common.idle_timeout = idle_timeout;
        self.config = Arc::new(config);
        let handles: Vec<ConnectionHandle> = self.handles().collect();
        for handle in handles {
            if let Some(conn) = self.conn_mut(handle) {
                conn.set_keep_alive_timing(time, interval, idle_timeout);
            }
            self.after(handle);
        }
    }

    /// Number of live connections (handshaking or established).
    pub fn connection_count(&self) -> usize {
        self.live
    }

    /// Number of sessions in the resumption cache.
    pub fn session_cache_len(&self) -> usize {
        self.sessions.len()
    }

    /// Rotates the session-ticket key now (it also rotates every
    /// `ServerConfig::ticket_rotation`): new tickets use a new key, tickets
    /// of the previous key are still accepted, older ones are not
    /// (RFC 5077 5.5 recommends changing keys regularly).
    pub fn rotate_ticket_keys(&mut self) {
        if let Some(keys) = &self.tickets {
            let mut next = TicketKeys::clone(keys);
            // A failed rotation keeps the current key: still safe.
            if next.rotate().is_ok() {
                self.tickets = Some(Arc::new(next));
            }
        }
    }

    fn maybe_rotate_tickets(&mut self, now: Instant) {
        let period = self.config.ticket_rotation;
        match self.ticket_rotate_at {
            None => self.ticket_rotate_at = Some(now + period),
            Some(at) if now >= at => {
                self.rotate_ticket_keys();
                // Two periods or more without a datagram: the previous key
                // is past its life too.
                if now >= at + period {
                    self.rotate_ticket_keys();
                }
                self.ticket_rotate_at = Some(now + period);
            }
            Some(_) => {}
        }
    }

    /// Stateless-path counters.
    pub fn counters(&self) -> EndpointCounters {
        self.counters
    }

    /// The connection behind `handle`, if it is still alive.
    pub fn connection(&self, handle: ConnectionHandle) -> Option<&Connection> {
        let slot = self.slots.get(handle.index as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.conn.as_deref()
    }

    /// Handles of every live connection.
    pub fn handles(&self) -> impl Iterator<Item = ConnectionHandle> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.conn.as_ref().map(|_| ConnectionHandle {
                index: i as u32,
                generation: s.generation,
            })
        })
    }

    /// The connection for a peer address, if any.
    pub fn lookup(&self, peer: SocketAddr) -> Option<ConnectionHandle> {
        self.by_addr.get(&peer).copied()
    }

    fn conn_mut(&mut self, handle: ConnectionHandle) -> Option<&mut Connection> {
        let slot = self.slots.get_mut(handle.index as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.conn.as_deref_mut()
    }

    /// Feeds one datagram from `peer`. `datagram` is decrypted in place;
    /// `response` receives a stateless reply when one is due (at least 64
    /// bytes are needed; a smaller buffer means no reply).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        datagram: &mut [u8],
        response: &mut [u8],
    ) -> DatagramEvent {
        self.counters.datagrams += 1;
        self.maybe_rotate_cookie(now);
        self.maybe_rotate_tickets(now);
        self.epoch.get_or_insert(now);
        if let Some(handle) = self.by_addr.get(&peer).copied() {
            // A delayed or duplicated copy of the ClientHello that made this
            // connection (same random) is not a restart: it goes to the
            // connection, which ignores it as an old message.
            let restarting = self.connection(handle).is_some_and(|c| {
                c.is_established()
                    && ClientHelloPrefix::parse(datagram).is_some_and(|h| {
                        c.first_hello_random.as_ref().map(|r| &r[..]) != Some(h.random)
                    })
            });
            if !restarting {
                if let Some(conn) = self.conn_mut(handle) {
                    conn.handle_datagram(now, datagram);
                }
                self.after(handle);
                return DatagramEvent::Consumed;
            }
            // RFC 6347 4.2.8: a new ClientHello in epoch 0 from the peer of
            // an established connection means it lost its state. Answer it
            // statelessly; the old connection goes only once the new
            // handshake proved the address.
        }
        self.handle_stateless(now, peer, datagram, response)
    }

    fn maybe_rotate_cookie(&mut self, now: Instant) {
        match self.cookie_rotate_at {
            None => self.cookie_rotate_at = Some(now + self.config.cookie_rotation),
            Some(at) if now >= at => {
                // A failed rotation keeps the current secret: still safe.
                let _ = self.cookie.rotate();
                self.cookie_rotate_at = Some(now + self.config.cookie_rotation);
            }
            Some(_) => {}
        }
    }

    fn handle_stateless(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        datagram: &mut [u8],
        response: &mut [u8],
    ) -> DatagramEvent {
        let Some(hello) = ClientHelloPrefix::parse(datagram) else {
            self.counters.malformed += 1;
            return DatagramEvent::Consumed;
        };
        if !self.accepting || self.live >= self.config.max_connections {
            self.counters.refused += 1;
            return DatagramEvent::Consumed;
        }
        // Stack buffers only: this path runs for every datagram a spoofed
        // flood sends, and must allocate nothing.
        let (peer_buf, peer_len) = encode_peer(peer);
        let peer_bytes = peer_buf.get(..peer_len).unwrap_or(&[]);
        let (input_buf, input_len) = hello.cookie_input();
        let input = input_buf.get(..input_len).unwrap_or(&[]);
        if !hello.cookie.is_empty() {
            if self.cookie.verify(peer_bytes, input, hello.cookie) {
                let session_id = hello.session_id.to_vec();
                let random = <[u8; 32]>::try_from(hello.random).ok();
                return self.create_connection(
                    now,
                    peer,
                    (hello.message_seq, hello.record_seq),
                    (&session_id, random),
                    datagram,
                );
            }
            self.counters.bad_cookies += 1;
        }
        // RFC 6347 4.2.1: HelloVerifyRequest, never larger than the hello
        // (checked before spending an HMAC on it).
        if hello_verify_request_len() > datagram.len() {
            self.counters.too_small_to_answer += 1;
            return DatagramEvent::Consumed;
        }
        let cookie = self.cookie.cookie(peer_bytes, input);
        match write_hello_verify_request(response, hello.record_seq, hello.message_seq, &cookie) {
            Some(n) => {
                self.counters.hello_verify_sent += 1;
                DatagramEvent::Respond(n)
            }
            None => DatagramEvent::Consumed,
        }
    }

    fn create_connection(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        (message_seq, record_seq): (u16, u64),
        (session_id, random): (&[u8], Option<[u8; 32]>),
        datagram: &mut [u8],
    ) -> DatagramEvent {
        if let Some(old) = self.by_addr.remove(&peer) {
            // The peer restarted (RFC 6347 4.2.8): the old association ends,
            // and the application hears about it.
            if self.connection(old).is_some() {
                self.events.push_back((
                    old,
                    Event::Closed(crate::event::Status::new(
                        crate::event::StatusCode::Ok,
                        "the peer started a new handshake from the same address (RFC 6347 4.2.8)",
                    )),
                ));
            }
            self.remove(old);
        }
        // The cookie proved the address: only now look the session up.
        let epoch = *self.epoch.get_or_insert(now);
        let lifetime_secs = self.config.session_lifetime.as_secs();
        let now_secs = now.saturating_duration_since(epoch).as_secs();
        let candidate = if session_id.is_empty() {
            None
        } else {
            self.sessions.get(session_id, now_secs, lifetime_secs)
        };
        let resumption = ServerResumption {
            tickets: self.tickets.clone(),
            epoch,
            lifetime_secs,
            candidate,
            cache_enabled: self.sessions.enabled(),
            new_session: None,
        };
        let conn = Connection::new_server(
            self.config.clone(),
            peer,
            message_seq,
            record_seq,
            Some(resumption),
        );
        let mut conn = conn;
        conn.first_hello_random = random;
        let handle = self.insert(conn);
        self.by_addr.insert(peer, handle);
        self.counters.connections_created += 1;
        if let Some(conn) = self.conn_mut(handle) {
            conn.handle_datagram(now, datagram);
        }
        self.after(handle);
        DatagramEvent::NewConnection(handle)
    }

    fn insert(&mut self, conn: Connection) -> ConnectionHandle {
        self.live += 1;
        if let Some(index) = self.free.pop()
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.conn = Some(Box::new(conn));
            slot.deadline = None;
            slot.dirty = false;
            return ConnectionHandle {
                index,
                generation: slot.generation,
            };
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            generation: 0,
            conn: Some(Box::new(conn)),
            deadline: None,
            dirty: false,
        });
        ConnectionHandle {
            index,
            generation: 0,
        }
    }

    /// Removes a connection at once, sending nothing (the application
    /// refused it in its ConnectionRequest, or it is drained).
    pub fn reject(&mut self, handle: ConnectionHandle) {
        self.remove(handle);
    }

    fn remove(&mut self, handle: ConnectionHandle) {
        let Some(slot) = self.slots.get_mut(handle.index as usize) else {
            return;
        };
        if slot.generation != handle.generation {
            return;
        }
        let Some(conn) = slot.conn.take() else { return };
        if let Some(deadline) = slot.deadline.take() {
            self.timers.remove(&(deadline, handle));
        }
        slot.dirty = false;
        slot.generation = slot.generation.wrapping_add(1);
        if self.by_addr.get(&conn.peer()) == Some(&handle) {
            self.by_addr.remove(&conn.peer());
        }
        self.free.push(handle.index);
        self.live -= 1;
    }

    /// Book-keeping after anything touched a connection: collect its events,
    /// re-index its deadline, and mark it as maybe having data to send.
    fn after(&mut self, handle: ConnectionHandle) {
        self.sync(handle, true);
    }

    /// The earliest instant at which [`handle_timeout`](Self::handle_timeout)
    /// has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// Runs every connection timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&(at, handle)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            if let Some(slot) = self.slots.get_mut(handle.index as usize)
                && slot.generation == handle.generation
            {
                slot.deadline = None;
            }
            if let Some(conn) = self.conn_mut(handle) {
                conn.handle_timeout(now);
            }
            self.after(handle);
        }
    }

    /// Writes the next datagram to send into `buf`, if any connection has
    /// one.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        while let Some(&handle) = self.dirty.front() {
            let (sent, drained, peer) = match self.conn_mut(handle) {
                Some(conn) => {
                    let sent = conn.poll_transmit(now, buf);
                    (sent, conn.is_drained(), conn.peer())
                }
                None => (None, false, SocketAddr::from(([0, 0, 0, 0], 0))),
            };
            if let Some(len) = sent {
                self.after_transmit(handle);
                return Some(Transmit {
                    destination: peer,
                    connection: handle,
                    len,
                });
            }
            self.dirty.pop_front();
            if let Some(slot) = self.slots.get_mut(handle.index as usize)
                && slot.generation == handle.generation
            {
                slot.dirty = false;
            }
            self.after_transmit(handle);
            if drained {
                self.remove(handle);
            }
        }
        None
    }

    /// Book-keeping after a transmit: it can change deadlines (timer armed
    /// after a flight) and produce events (Closed after the final alert),
    /// but must not re-queue the handle.
    fn after_transmit(&mut self, handle: ConnectionHandle) {
        self.sync(handle, false);
    }

    /// Collects a connection's events and new sessions, re-indexes its
    /// deadline, and, if `mark_dirty`, queues it for `poll_transmit`.
    fn sync(&mut self, handle: ConnectionHandle, mark_dirty: bool) {
        let Some(slot) = self.slots.get_mut(handle.index as usize) else {
            return;
        };
        if slot.generation != handle.generation {
            return;
        }
        let Some(conn) = slot.conn.as_deref_mut() else {
            return;
        };
        while let Some(event) = conn.poll_event() {
            self.events.push_back((handle, event));
        }
        if let Some(session) = conn.take_new_session() {
            self.sessions.insert(session);
        }
        let deadline = conn.poll_timeout();
        if slot.deadline != deadline {
            if let Some(old) = slot.deadline.take() {
                self.timers.remove(&(old, handle));
            }
            if let Some(new) = deadline {
                self.timers.insert((new, handle));
            }
            slot.deadline = deadline;
        }
        if mark_dirty && !slot.dirty {
            slot.dirty = true;
            self.dirty.push_back(handle);
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
        let conn = self.conn_mut(handle).ok_or(Error::UnknownConnection)?;
        conn.send(now, data)?;
        self.after(handle);
        Ok(())
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
        self.conn_mut(handle)
            .ok_or(Error::UnknownConnection)?
            .recv(buf)
    }

    /// Closes a connection with close_notify.
    ///
    /// # Errors
    /// [`Error::UnknownConnection`] for a stale handle.
    pub fn close(&mut self, handle: ConnectionHandle, now: Instant) -> Result<(), Error> {
        self.conn_mut(handle)
            .ok_or(Error::UnknownConnection)?
            .close(now);
        self.after(handle);
        Ok(())
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
        self.conn_mut(handle)
            .ok_or(Error::UnknownConnection)?
            .decide_client_certificate(now, accept);
        self.after(handle);
        Ok(())
    }
}

/// The peer's address as cookie input: IP octets then port, in a stack
/// buffer (returned with its used length).
fn encode_peer(peer: SocketAddr) -> ([u8; 18], usize) {
    let mut out = [0u8; 18];
    let ip_len = match peer {
        SocketAddr::V4(a) => {
            out[..4].copy_from_slice(&a.ip().octets());
            4
        }
        SocketAddr::V6(a) => {
            out[..16].copy_from_slice(&a.ip().octets());
            16
        }
    };
    out[ip_len..ip_len + 2].copy_from_slice(&peer.port().to_be_bytes());
    (out, ip_len + 2)
}

/// The fields of a ClientHello the stateless cookie exchange needs. They all
/// sit at the start of the message (RFC 6347 4.2.1), so a first fragment is
/// enough: a fragmented ClientHello is answered and verified the same way.
struct ClientHelloPrefix<'a> {
    record_seq: u64,
    message_seq: u16,
    client_version: [u8; 2],
    random: &'a [u8],
    session_id: &'a [u8],
    cookie: &'a [u8],
}

impl<'a> ClientHelloPrefix<'a> {
    fn parse(datagram: &'a [u8]) -> Option<Self> {
        let (header, body, _) = crate::msgs::record::parse_record(datagram).ok()?;
        if header.content_type != ContentType::Handshake || header.epoch != 0 {
            return None;
        }
        let (frag, _) = HandshakeFragment::parse(body).ok()?;
        if frag.msg_type != HandshakeType::ClientHello || frag.fragment_offset != 0 {
            return None;
        }
        let mut r = crate::msgs::codec::Reader::new(frag.fragment);
        let v = r.take(2)?;
        let random = r.take(32)?;
        let sid_len = usize::from(r.u8()?);
        if sid_len > 32 {
            return None;
        }
        let session_id = r.take(sid_len)?;
        let cookie_len = usize::from(r.u8()?);
        let cookie = r.take(cookie_len)?;
        Some(ClientHelloPrefix {
            record_seq: header.sequence_number,
            message_seq: frag.message_seq,
            client_version: [*v.first()?, *v.get(1)?],
            random,
            session_id,
            cookie,
        })
    }

    /// The ClientHello parameters the cookie binds (RFC 6347 4.2.1:
    /// version, random, session_id; the peer address is added separately).
    /// Returned in a stack buffer with its used length; `parse` bounds the
    /// random to 32 and the session_id to 32 bytes.
    fn cookie_input(&self) -> ([u8; 67], usize) {
        let mut out = [0u8; 67];
        let mut len = 0;
        for part in [
            &self.client_version[..],
            self.random,
            &[self.session_id.len() as u8],
            self.session_id,
        ] {
            let end = (len + part.len()).min(out.len());
            if let Some(dst) = out.get_mut(len..end) {
                dst.copy_from_slice(part.get(..end - len).unwrap_or(&[]));
            }
            len = end;
        }
        (out, len)
    }
}

/// Size of our HelloVerifyRequest datagram.
const fn hello_verify_request_len() -> usize {
    RECORD_HEADER_LEN + 12 + 2 + 1 + COOKIE_LEN
}

/// Writes a HelloVerifyRequest (RFC 6347 4.2.1). It uses the ClientHello's
/// record sequence number and message_seq, and version DTLS 1.0 in both the
/// record and the message ("DTLS 1.2 server implementations SHOULD use DTLS
/// version 1.0 regardless of the version ... expected to be negotiated").
fn write_hello_verify_request(
    out: &mut [u8],
    record_seq: u64,
    message_seq: u16,
    cookie: &[u8; COOKIE_LEN],
) -> Option<usize> {
    let total = hello_verify_request_len();
    let out = out.get_mut(..total)?;
    let body_len = 2 + 1 + COOKIE_LEN;
    let (header, rest) = out.split_at_mut(RECORD_HEADER_LEN);
    encode_record_header(
        header,
        ContentType::Handshake,
        ProtocolVersion::Dtls1_0,
        0,
        record_seq,
        12 + body_len,
    )
    .ok()?;
    let mut body = [0u8; 3 + COOKIE_LEN];
    body[..3].copy_from_slice(&[0xFE, 0xFF, COOKIE_LEN as u8]);
    body[3..].copy_from_slice(cookie);
    let written = crate::handshake::fragment_at(
        HandshakeType::HelloVerifyRequest,
        message_seq,
        &body,
        0,
        body_len,
    )?
    .write_to(rest)?;
    Some(RECORD_HEADER_LEN + written)
}
