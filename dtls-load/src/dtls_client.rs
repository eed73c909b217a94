//! A DTLS client of a run, on the dtls-core client [`Connection`]: back to
//! back full handshakes, or one handshake and then a window of echoed
//! records.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dtls_core::config::{ClientConfig, UnixTime};
use dtls_core::{Connection, Event};

use crate::options::{LoadOptions, Mode, Verification};
use crate::report::Tally;
use crate::worker::{Client, READS_PER_WAKEUP};

/// The client configuration a run's connections share: the options'
/// suites and groups, session tickets off (every handshake is a full
/// one), and the certificate check asked for.
pub(crate) fn client_config(opts: &LoadOptions) -> ClientConfig {
    let mut config = ClientConfig::default();
    config.common.cipher_suites = opts.cipher_suites.clone();
    config.common.groups = opts.groups.clone();
    // Echoed records of `size` bytes must fit one datagram each way.
    config.common.mtu = config.common.mtu.max(opts.size + 100);
    config.common.handshake_timeout = Some(opts.handshake_timeout);
    config.session_tickets = false;
    config.server_name = opts.server_name.clone();
    if let Verification::TrustAnchors(anchors) = &opts.verification {
        config.trust_anchors = anchors.clone();
        config.unix_time = Some(UnixTime(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })));
    }
    config
}

/// Where a client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No connection: start one at the next tick (while running).
    Idle,
    /// A handshake under way since `started`.
    Handshaking,
    /// Connected (echo mode only).
    Established,
}

/// One DTLS client with its own socket.
pub(crate) struct DtlsClient {
    socket: UdpSocket,
    server: SocketAddr,
    config: Arc<ClientConfig>,
    echo: bool,
    conn: Option<Connection>,
    state: State,
    started: Instant,
    /// No new connection before this (after one could not be created).
    retry_at: Instant,
    in_flight: usize,
    last_reply: Instant,
    payload: Vec<u8>,
    window: usize,
    handshake_timeout: std::time::Duration,
    stall_timeout: std::time::Duration,
    out: Vec<u8>,
    /// Whether the run was still starting work at the last tick.
    running: bool,
    /// Handshake mode: each connection after the first on a new socket.
    new_socket: bool,
    /// Whether the socket has carried a connection.
    socket_used: bool,
}

impl DtlsClient {
    /// A client for `opts`, on a new socket connected to the server.
    pub(crate) fn new(
        opts: &LoadOptions,
        config: Arc<ClientConfig>,
        now: Instant,
    ) -> std::io::Result<Self> {
        Ok(DtlsClient {
            socket: crate::worker::client_socket(opts.connect)?,
            server: opts.connect,
            config,
            echo: opts.mode == Mode::Echo,
            conn: None,
            state: State::Idle,
            started: now,
            retry_at: now,
            in_flight: 0,
            last_reply: now,
            payload: (0..opts.size).map(|i| (i % 251) as u8).collect(),
            window: opts.window,
            handshake_timeout: opts.handshake_timeout,
            stall_timeout: opts.stall_timeout,
            out: vec![0u8; crate::worker::RECV_BUFFER],
            running: true,
            new_socket: opts.new_socket,
            socket_used: false,
        })
    }

    /// Starts a new connection (a full handshake).
    fn start(&mut self, now: Instant, tally: &mut Tally) {
        if self.new_socket && self.socket_used {
            match crate::worker::client_socket(self.server) {
                Ok(socket) => self.socket = socket,
                Err(_) => tally.send_errors += 1,
            }
        }
        self.socket_used = true;
        match Connection::client(self.config.clone(), self.server, now) {
            Ok(conn) => {
                self.conn = Some(conn);
                self.state = State::Handshaking;
                self.started = now;
            }
            Err(_) => {
                tally.handshakes_failed += 1;
                self.retry_at = now + self.handshake_timeout;
            }
        }
    }

    /// Drops the connection, counting its retransmissions.
    fn retire(&mut self, tally: &mut Tally) {
        if let Some(conn) = self.conn.take() {
            tally.retransmissions += conn.counters().retransmissions;
        }
        self.state = State::Idle;
        tally.messages_lost += self.in_flight as u64;
        self.in_flight = 0;
    }

    /// Sends every datagram the connection has queued.
    fn flush(&mut self, now: Instant, tally: &mut Tally) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        while let Some(len) = conn.poll_transmit(now, &mut self.out) {
            if self.socket.send(&self.out[..len]).is_err() {
                tally.send_errors += 1;
            }
        }
    }

    /// Reacts to the connection's events, reads echoed records, refills the
    /// window and sends what is queued.
    fn progress(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally) {
        while let Some(event) = self.conn.as_mut().and_then(Connection::poll_event) {
            match event {
                Event::Connected(_) if self.state == State::Handshaking => {
                    self.connected(now, running, tally);
                }
                Event::HandshakeFailed(_) => {
                    tally.handshakes_failed += 1;
                    self.retire(tally);
                }
                Event::Closed(_) => {
                    if self.state == State::Handshaking {
                        tally.handshakes_failed += 1;
                    }
                    self.retire(tally);
                }
                Event::DataReadable => self.read_echoes(now, running, buf, tally),
                _ => {}
            }
        }
        if running && self.state == State::Established {
            self.fill_window(now, tally);
        }
        self.flush(now, tally);
    }

    fn connected(&mut self, now: Instant, running: bool, tally: &mut Tally) {
        if running {
            tally.handshakes += 1;
        } else {
            tally.handshakes_abandoned += 1;
        }
        if self.echo {
            self.state = State::Established;
            self.last_reply = now;
            return;
        }
        // Handshake mode: close_notify, then a new connection at once.
        if let Some(conn) = self.conn.as_mut() {
            conn.close(now);
        }
        self.flush(now, tally);
        self.retire(tally);
        if running {
            self.start(now, tally);
        }
    }

    fn read_echoes(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        while let Ok(Some(len)) = conn.recv(buf) {
            if len == self.payload.len() {
                tally.messages_echoed += 1;
                tally.bytes_echoed += len as u64;
                if running {
                    tally.bytes_echoed_in_time += len as u64;
                }
            } else {
                tally.wrong_replies += 1;
            }
            self.in_flight = self.in_flight.saturating_sub(1);
            self.last_reply = now;
        }
    }

    fn fill_window(&mut self, now: Instant, tally: &mut Tally) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        while self.in_flight < self.window {
            if conn.send(now, &self.payload).is_err() {
                tally.send_errors += 1;
                break;
            }
            self.in_flight += 1;
            tally.messages_sent += 1;
            tally.bytes_sent += self.payload.len() as u64;
        }
    }
}

impl Client for DtlsClient {
    fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    fn on_readable(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally) {
        for _ in 0..READS_PER_WAKEUP {
            match self.socket.recv(buf) {
                Ok(len) => {
                    if let (Some(conn), Some(datagram)) = (self.conn.as_mut(), buf.get_mut(..len)) {
                        conn.handle_datagram(now, datagram);
                    }
                    // Handshake mode may finish a connection and start the
                    // next one between two datagrams.
                    self.progress(now, running, buf, tally);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => tally.recv_errors += 1,
            }
        }
    }

    fn tick(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally) {
        self.running = running;
        match self.state {
            State::Idle if running && now >= self.retry_at => self.start(now, tally),
            State::Handshaking if now.duration_since(self.started) >= self.handshake_timeout => {
                tally.handshakes_failed += 1;
                self.retire(tally);
                if running {
                    self.start(now, tally);
                }
            }
            State::Established
                if self.in_flight > 0
                    && now.duration_since(self.last_reply) >= self.stall_timeout =>
            {
                tally.messages_lost += self.in_flight as u64;
                self.in_flight = 0;
                self.last_reply = now;
            }
            _ => {}
        }
        if let Some(conn) = self.conn.as_mut()
            && conn.poll_timeout().is_some_and(|at| at <= now)
        {
            conn.handle_timeout(now);
        }
        self.progress(now, running, buf, tally);
    }

    fn deadline(&self) -> Option<Instant> {
        let own = match self.state {
            State::Idle => self.running.then_some(self.retry_at),
            State::Handshaking => Some(self.started + self.handshake_timeout),
            State::Established if self.in_flight > 0 => Some(self.last_reply + self.stall_timeout),
            State::Established => None,
        };
        let conn = self.conn.as_ref().and_then(Connection::poll_timeout);
        match (own, conn) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn outstanding(&self) -> usize {
        self.in_flight
    }

    fn finish(&mut self, now: Instant, tally: &mut Tally) {
        if self.state == State::Handshaking {
            tally.handshakes_abandoned += 1;
        }
        if let Some(conn) = self.conn.as_mut() {
            conn.close(now);
        }
        self.flush(now, tally);
        self.retire(tally);
    }
}
