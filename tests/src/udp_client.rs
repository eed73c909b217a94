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
