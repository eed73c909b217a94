//! Our own DTLS client over a real UDP socket, driven by hand, for tests of
//! `DtlsServer` that need to interleave server calls and client traffic on
//! one thread.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Instant;

use dtls_core::config::ClientConfig;
use dtls_core::{Connection, Event};

/// A client connection bound to a non-blocking loopback socket.
pub struct UdpClient {
    /// The engine.
    pub conn: Connection,
    socket: UdpSocket,
    /// Events seen so far.
    pub events: Vec<Event>,
    /// Application messages received so far.
    pub received: Vec<Vec<u8>>,
}

impl UdpClient {
    /// A client to `server` (handshake starts at the first `pump`).
    ///
    /// # Panics
    /// If the socket or connection cannot be created.
    #[allow(clippy::expect_used)]
    pub fn new(server: SocketAddr, config: ClientConfig) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        socket.set_nonblocking(true).expect("nonblocking");
        socket.connect(server).expect("connect");
        let conn = Connection::client(Arc::new(config), server, Instant::now()).expect("client");
        UdpClient {
            conn,
            socket,
            events: Vec::new(),
            received: Vec::new(),
        }
    }

    /// The client's local address.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()
    }

    /// Reads whatever arrived, runs timers, and sends what is due.
    pub fn pump(&mut self) {
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = self.socket.recv(&mut buf) {
            if let Some(d) = buf.get_mut(..n) {
                self.conn.handle_datagram(Instant::now(), d);
            }
        }
        let now = Instant::now();
        if self.conn.poll_timeout().is_some_and(|t| t <= now) {
            self.conn.handle_timeout(now);
        }
        while let Some(n) = self.conn.poll_transmit(now, &mut buf) {
            if let Some(d) = buf.get(..n) {
                let _ = self.socket.send(d);
            }
        }
        while let Some(event) = self.conn.poll_event() {
            if matches!(event, Event::DataReadable) {
                while let Ok(Some(n)) = self.conn.recv(&mut buf) {
                    self.received.push(buf.get(..n).unwrap_or(&[]).to_vec());
                }
            }
            self.events.push(event);
        }
    }

    /// Sends raw bytes from the client's address (forged input on its
    /// 5-tuple).
    pub fn send_raw(&self, bytes: &[u8]) {
        let _ = self.socket.send(bytes);
    }

    /// Whether the handshake completed.
    pub fn connected(&self) -> bool {
        self.conn.is_established()
    }

    /// Whether the connection reported `Closed` or `HandshakeFailed`.
    pub fn ended(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::Closed(_) | Event::HandshakeFailed(_)))
    }
}

/// Runs a handshake as far as the ClientHello with a valid cookie from a
/// fresh port of `from` (any 127.x.y.z on Linux), then stops: the server now holds a half-open
/// handshake for an address that proved itself. Returns the socket (for
/// more forged datagrams from that address) if the server answered the
/// second ClientHello, i.e. started its flight.
///
/// # Panics
/// If a loopback socket cannot be created.
#[allow(clippy::expect_used)]
pub fn stall_after_cookie(server: SocketAddr, from: std::net::IpAddr) -> Option<UdpSocket> {
    let socket = UdpSocket::bind((from, 0)).expect("bind");
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .expect("timeout");
    socket.connect(server).expect("connect");
    let now = Instant::now();
    let config = Arc::new(ClientConfig::default());
    let mut conn = Connection::client(config, server, now).ok()?;
    let mut buf = vec![0u8; 16_384];
    for _hello in 0..2 {
        while let Some(n) = conn.poll_transmit(now, &mut buf) {
            socket.send(&buf[..n]).ok()?;
        }
        let n = socket.recv(&mut buf).ok()?;
        conn.handle_datagram(now, &mut buf[..n]);
    }
    Some(socket)
}
