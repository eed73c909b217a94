//! A virtual-time harness: one server [`Endpoint`] and any number of client
//! [`Connection`]s joined by seeded [`Link`]s.
//!
//! [`Pair::drive`] runs everything until nothing is in flight and no timer is
//! due, jumping the clock straight to the next deadline, and fails if that
//! takes more steps than a livelock bound.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_core::config::{ClientConfig, ServerConfig};
use dtls_core::event::Event;
use dtls_core::{Connection, Endpoint};
use dtls_core::{ConnectionHandle, DatagramEvent};

use crate::certs::{KeyKind, client_config, server_config};
use crate::net::{Link, LinkProfile};

/// Largest datagram the harness moves.
const BUF: usize = 65_536;

/// One client and the two directions of its path to the server.
pub struct TestClient {
    /// The client connection.
    pub conn: Connection,
    /// The client's (made-up) address.
    pub addr: SocketAddr,
    /// Client to server.
    pub up: Link,
    /// Server to client.
    pub down: Link,
    /// Every event the client reported, in order.
    pub events: Vec<Event>,
    /// Application messages the client received, in order.
    pub received: Vec<Vec<u8>>,
    /// When the client reported `Connected`, if it did.
    pub connected_at: Option<Instant>,
    /// Every datagram the client sent, in order (before the link's fate).
    pub sent: Vec<Vec<u8>>,
    /// Rewrites each client-to-server datagram before it enters `up`: the
    /// datagrams returned are sent instead (none drops it).
    pub up_filter: Option<Filter>,
    /// Rewrites each server-to-client datagram before it enters `down`.
    pub down_filter: Option<Filter>,
    /// The server connections made for this client, oldest first.
    pub server_handles: Vec<ConnectionHandle>,
}

/// A datagram rewriter for [`TestClient::up_filter`] / `down_filter`.
pub type Filter = Box<dyn FnMut(Vec<u8>) -> Vec<Vec<u8>>>;

fn send_filtered(filter: &mut Option<Filter>, link: &mut Link, now: Instant, dgram: Vec<u8>) {
    match filter {
        Some(f) => {
            for d in f(dgram) {
                link.send(now, &d);
            }
        }
        None => link.send(now, &dgram),
    }
}

/// What the application does with client certificates in the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertPolicy {
    /// Accept exactly the chains that validated.
    AcceptVerified,
    /// Accept everything.
    AcceptAll,
    /// Reject everything.
    RejectAll,
    /// Decide nothing: the test calls `decide_client_certificate` itself.
    Defer,
}

/// The server, its clients, and a virtual clock.
pub struct Pair {
    /// The virtual time now.
    pub now: Instant,
    /// The time the pair was made.
    pub start: Instant,
    /// The server endpoint.
    pub server: Endpoint,
    /// The server's (made-up) address.
    pub server_addr: SocketAddr,
    /// The clients.
    pub clients: Vec<TestClient>,
    /// Every event the server reported, in order.
    pub server_events: Vec<(ConnectionHandle, Event)>,
    /// Application messages the server received, by connection.
    pub server_received: Vec<(ConnectionHandle, Vec<u8>)>,
    /// Whether the server echoes every application message back.
    pub echo: bool,
    /// The client certificate policy.
    pub cert_policy: CertPolicy,
    seed: u64,
}

/// `drive` gave up: the pair kept busy past the bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Livelock {
    /// Steps taken.
    pub steps: u64,
}

impl Pair {
    /// A pair with a server using `config`, no clients yet, seeded `seed`.
    ///
    /// # Panics
    /// If the endpoint cannot be created (a test set-up error).
    #[allow(clippy::expect_used)]
    pub fn new(config: ServerConfig, seed: u64) -> Self {
        let now = Instant::now();
        Pair {
            now,
            start: now,
            server: Endpoint::new(Arc::new(config)).expect("server endpoint"),
            server_addr: SocketAddr::from(([10, 0, 0, 1], 4444)),
            clients: Vec::new(),
            server_events: Vec::new(),
            server_received: Vec::new(),
            echo: true,
            cert_policy: CertPolicy::AcceptVerified,
            seed,
        }
    }

    /// A server with a `kind` certificate and one default client (index 0)
    /// over perfect links, driven until idle: the handshake has run.
    ///
    /// # Panics
    /// If the pair livelocks.
    #[allow(clippy::expect_used)]
    pub fn after_handshake(kind: KeyKind, seed: u64) -> Self {
        let mut pair = Pair::new(server_config(kind), seed);
        pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.drive().expect("pair goes idle");
        pair
    }

    /// A pair whose server (a `kind` certificate) and one client (index 0)
    /// both send datagrams of at most `mtu` bytes, over otherwise perfect
    /// links that drop any larger datagram.
    pub fn with_mtu(kind: KeyKind, mtu: usize, seed: u64) -> Self {
        let mut server = server_config(kind);
        server.common.mtu = mtu;
        let mut pair = Pair::new(server, seed);
        let mut client = client_config();
        client.common.mtu = mtu;
        let link = LinkProfile::PERFECT.with_mtu(mtu);
        pair.add_client(client, link, link);
        pair
    }

    /// Adds a client whose path misbehaves as `up`/`down` say; it starts
    /// its handshake at once. Returns its index.
    ///
    /// # Panics
    /// If the client connection cannot be created.
    #[allow(clippy::expect_used)]
    pub fn add_client(
        &mut self,
        config: ClientConfig,
        up: LinkProfile,
        down: LinkProfile,
    ) -> usize {
        let index = self.clients.len();
        let addr = SocketAddr::from(([10, 0, 1, (index % 250) as u8 + 1], 5000 + index as u16));
        let conn = Connection::client(Arc::new(config), self.server_addr, self.now)
            .expect("client connection");
        let seed = self.seed.wrapping_mul(31).wrapping_add(index as u64 * 2);
        self.clients.push(TestClient {
            conn,
            addr,
            up: Link::new(up, seed),
            down: Link::new(down, seed + 1),
            events: Vec::new(),
            received: Vec::new(),
            connected_at: None,
            sent: Vec::new(),
            up_filter: None,
            down_filter: None,
            server_handles: Vec::new(),
        });
        index
    }

    /// Elapsed virtual time.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Does everything due at `now`. Returns whether anything happened.
    pub fn step(&mut self) -> bool {
        let now = self.now;
        let mut progressed = false;
        let mut buf = vec![0u8; BUF];
        let mut response = vec![0u8; 1500];

        // Deliver datagrams that are due.
        for i in 0..self.clients.len() {
            while let Some(mut dgram) = self.clients[i].up.recv(now) {
                progressed = true;
                let addr = self.clients[i].addr;
                match self
                    .server
                    .handle_datagram(now, addr, &mut dgram, &mut response)
                {
                    DatagramEvent::Respond(n)
                    | DatagramEvent::Refused {
                        respond: n @ 1.., ..
                    } => {
                        let reply = response.get(..n).unwrap_or(&[]).to_vec();
                        let c = &mut self.clients[i];
                        send_filtered(&mut c.down_filter, &mut c.down, now, reply);
                    }
                    DatagramEvent::Refused { .. } => {}
                    DatagramEvent::NewConnection(h) => self.clients[i].server_handles.push(h),
                    _ => {}
                }
            }
            while let Some(mut dgram) = self.clients[i].down.recv(now) {
                progressed = true;
                self.clients[i].conn.handle_datagram(now, &mut dgram);
            }
        }

        // Timers.
        if self.server.poll_timeout().is_some_and(|t| t <= now) {
            self.server.handle_timeout(now);
            progressed = true;
        }
        for c in &mut self.clients {
            if c.conn.poll_timeout().is_some_and(|t| t <= now) {
                c.conn.handle_timeout(now);
                progressed = true;
            }
        }

        // Server events and echo.
        while let Some((handle, event)) = self.server.poll_event() {
            progressed = true;
            match &event {
                Event::ClientCertificate { verified, .. } => {
                    let accept = match self.cert_policy {
                        CertPolicy::AcceptVerified => *verified,
                        CertPolicy::AcceptAll => true,
                        CertPolicy::RejectAll => false,
                        CertPolicy::Defer => {
                            self.server_events.push((handle, event));
                            continue;
                        }
                    };
                    let _ = self.server.decide_client_certificate(handle, now, accept);
                }
                Event::DataReadable => {
                    while let Ok(Some(n)) = self.server.recv(handle, &mut buf) {
                        let msg = buf.get(..n).unwrap_or(&[]).to_vec();
                        if self.echo {
                            let _ = self.server.send(handle, now, &msg);
                        }
                        self.server_received.push((handle, msg));
                    }
                }
                _ => {}
            }
            self.server_events.push((handle, event));
        }

        // Client events.
        for c in &mut self.clients {
            while let Some(event) = c.conn.poll_event() {
                progressed = true;
                if matches!(event, Event::Connected(_)) {
                    c.connected_at = Some(now);
                }
                if matches!(event, Event::DataReadable) {
                    while let Ok(Some(n)) = c.conn.recv(&mut buf) {
                        c.received.push(buf.get(..n).unwrap_or(&[]).to_vec());
                    }
                }
                c.events.push(event);
            }
        }

        // Transmit.
        while let Some(t) = self.server.poll_transmit(now, &mut buf) {
            progressed = true;
            let dgram = buf.get(..t.len).unwrap_or(&[]).to_vec();
            if let Some(c) = self.clients.iter_mut().find(|c| c.addr == t.destination) {
                send_filtered(&mut c.down_filter, &mut c.down, now, dgram);
            }
        }
        for c in &mut self.clients {
            while let Some(n) = c.conn.poll_transmit(now, &mut buf) {
                progressed = true;
                let dgram = buf.get(..n).unwrap_or(&[]).to_vec();
                c.sent.push(dgram.clone());
                send_filtered(&mut c.up_filter, &mut c.up, now, dgram);
            }
        }
        progressed
    }

    /// The next instant anything is due, if anything is.
    pub fn next_wakeup(&self) -> Option<Instant> {
        let mut next = self.server.poll_timeout();
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n: Instant| n.min(t)));
            }
        };
        for c in &self.clients {
            consider(c.up.next_delivery());
            consider(c.down.next_delivery());
            consider(c.conn.poll_timeout());
        }
        next
    }

    /// Sends `data` from client `i`, runs until idle, and asserts the
    /// server's echo is all the client has ever received.
    ///
    /// # Panics
    /// If sending fails, the pair livelocks, or the echo is not all the
    /// client received.
    #[track_caller]
    #[allow(clippy::expect_used)]
    pub fn assert_only_echo(&mut self, i: usize, data: &[u8]) {
        self.client_send(i, data).expect("client sends");
        self.drive().expect("pair goes idle");
        assert_eq!(self.clients[i].received, vec![data.to_vec()]);
    }

    /// [`drive_for`](Self::drive_for) up to `more` virtual time from now.
    ///
    /// # Errors
    /// As [`drive_for`](Self::drive_for).
    pub fn drive_more(&mut self, more: Duration) -> Result<(), Livelock> {
        self.drive_for(self.elapsed() + more)
    }

    /// Runs until idle (nothing in flight, no timer pending) or until
    /// `until` virtual time has passed.
    ///
    /// # Errors
    /// [`Livelock`] if more than 100 000 steps happen.
    pub fn drive_for(&mut self, until: Duration) -> Result<(), Livelock> {
        let deadline = self.start + until;
        let mut steps = 0u64;
        loop {
            steps += 1;
            if steps > 100_000 {
                return Err(Livelock { steps });
            }
            if self.step() {
                continue;
            }
            match self.next_wakeup() {
                Some(t) if t <= deadline => self.now = self.now.max(t),
                _ => return Ok(()),
            }
        }
    }

    /// Runs until idle, with a ten-minute virtual bound.
    ///
    /// # Errors
    /// [`Livelock`] as for [`drive_for`](Self::drive_for).
    pub fn drive(&mut self) -> Result<(), Livelock> {
        let until = self.elapsed() + Duration::from_secs(600);
        self.drive_for(until)
    }

    /// Asserts client `i` completed its handshake, showing its events if
    /// not.
    ///
    /// # Panics
    /// If it did not.
    #[track_caller]
    pub fn assert_connected(&self, i: usize) {
        assert!(
            self.client_connected(i),
            "client {i} not connected: {:?}",
            self.clients.get(i).map(|c| &c.events)
        );
    }

    /// Whether client `i` completed its handshake.
    pub fn client_connected(&self, i: usize) -> bool {
        self.clients.get(i).is_some_and(|c| c.conn.is_established())
    }

    /// The server's connection for client `i`, if it has one.
    pub fn server_conn(&self, i: usize) -> Option<&Connection> {
        let addr = self.clients.get(i)?.addr;
        self.server.connection(self.server.lookup(addr)?)
    }

    /// The server's events for client `i`'s connections.
    pub fn server_events_of(&self, i: usize) -> Vec<Event> {
        let Some(c) = self.clients.get(i) else {
            return Vec::new();
        };
        self.server_events
            .iter()
            .filter(|(h, _)| c.server_handles.contains(h))
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Queues `data` from client `i` to the server.
    ///
    /// # Errors
    /// As [`Connection::send`].
    pub fn client_send(&mut self, i: usize, data: &[u8]) -> Result<(), dtls_core::Error> {
        let now = self.now;
        match self.clients.get_mut(i) {
            Some(c) => c.conn.send(now, data),
            None => Err(dtls_core::Error::NotConnected),
        }
    }
}
