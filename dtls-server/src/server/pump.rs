//! The `DoEvents` pump: datagrams from the socket into the engine, the
//! engine's timers, its datagrams back out to the socket, and its events on
//! to [`dispatch`](super::dispatch).

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dtls_core::{ConnectionHandle, DatagramEvent, Refusal, StatusCode};

use super::packet_log;
use super::{ConnectionId, DtlsConnection, DtlsServer};
use crate::error::Error;
use crate::events::ConnectionRequestEvent;
use crate::settings::LogType;

/// Our address as `peer` sees it: the socket's, or, when it is bound to
/// the unspecified address, the interface address the system routes
/// `peer` through (found by connecting a scratch socket; nothing is sent).
fn local_address_toward(socket: &std::net::UdpSocket, peer: SocketAddr) -> SocketAddr {
    let Ok(local) = socket.local_addr() else {
        return SocketAddr::from(([0, 0, 0, 0], 0));
    };
    if !local.ip().is_unspecified() {
        return local;
    }
    let unspecified = SocketAddr::new(local.ip(), 0);
    std::net::UdpSocket::bind(unspecified)
        .and_then(|probe| {
            probe.connect(peer)?;
            probe.local_addr()
        })
        .map_or(local, |routed| SocketAddr::new(routed.ip(), local.port()))
}

/// A connection's counts of undecodable and unauthenticated records.
fn dropped(conn: &dtls_core::Connection) -> (u64, u64) {
    let c = conn.counters();
    (c.malformed, c.bad_mac)
}

/// Most datagrams one `do_events` call takes from the socket before it
/// runs the timers, so a flood cannot starve retransmissions.
const RECEIVE_BURST: usize = 256;

impl DtlsServer {
    /// `DoEvents`: processes everything that is ready (datagrams, timers,
    /// idle timeouts) and, if nothing is, waits up to
    /// [`set_do_events_wait`](Self::set_do_events_wait) (default 100 ms) for a datagram.
    /// From inside a handler it only sends what is queued: the outer call
    /// goes on receiving and delivering once the handler returns.
    ///
    /// # Errors
    /// A socket error other than a timeout.
    pub fn do_events(&mut self) -> Result<(), Error> {
        // Called from a handler: send what is queued and return. Receiving
        // here would raise ConnectionRequest or SSLClientAuthentication
        // while their handler is taken (their answers would be lost), and
        // the receive buffer may be in use by the datagram being handled.
        if self.handler_running {
            self.flush(Instant::now());
            return Ok(());
        }
        let Some(listener) = &self.listener else {
            std::thread::sleep(self.do_events_wait);
            return Ok(());
        };
        let now = Instant::now();
        let mut wait = self.do_events_wait;
        if let Some(at) = listener.endpoint.poll_timeout() {
            wait = wait.min(at.saturating_duration_since(now));
        }
        let wait = wait.max(Duration::from_millis(1));
        listener
            .socket
            .set_read_timeout(Some(wait))
            .map_err(|e| Error::io("socket", e))?;
        let received = self.receive_burst();
        if let Some(listener) = &self.listener {
            let _ = listener.socket.set_nonblocking(false);
        }
        received?;
        let now = Instant::now();
        if let Some(listener) = &mut self.listener {
            listener.endpoint.handle_timeout(now);
        }
        self.pump(now);
        Ok(())
    }

    /// Receives up to [`RECEIVE_BURST`] datagrams: the first may wait for
    /// the socket's read timeout, the others are only what is queued.
    fn receive_burst(&mut self) -> Result<(), Error> {
        let mut received = 0usize;
        while received < RECEIVE_BURST {
            let Some(listener) = &self.listener else {
                break;
            };
            let mut buf = std::mem::take(&mut self.recv_buf);
            // MaxPacketSize: the largest datagram we accept (it may change
            // while listening); longer ones are truncated by the kernel and
            // then fail authentication.
            buf.resize(self.settings.max_packet_size(), 0);
            let result = listener.socket.recv_from(&mut buf);
            match result {
                Ok((n, peer)) => {
                    if let Some(datagram) = buf.get_mut(..n) {
                        self.handle_datagram(Instant::now(), peer, datagram);
                    }
                    self.recv_buf = buf;
                    received += 1;
                    if received == 1
                        && let Some(listener) = &self.listener
                    {
                        // Drain what else is queued without waiting.
                        let _ = listener.socket.set_nonblocking(true);
                    }
                }
                Err(e) => {
                    self.recv_buf = buf;
                    match e.kind() {
                        // A signal (say the Ctrl-C the application is
                        // about to act on) interrupted the wait: not an error.
                        io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted => break,
                        // ICMP port unreachable from a peer that went away
                        // surfaces here on Linux: not the server's problem.
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {}
                        _ => return Err(Error::io("receive", e)),
                    }
                }
            }
        }
        Ok(())
    }

    /// Datagrams received here for another worker's connections (their
    /// CIDs carry another prefix; see `set_connection_id_prefix`), to hand
    /// to that worker's [`inject_datagram`](Self::inject_datagram).
    pub fn take_foreign_datagrams(&mut self) -> Vec<super::ForeignDatagram> {
        std::mem::take(&mut self.foreign)
    }

    /// Handles `datagram` from `peer` as if this server's socket had
    /// received it (a datagram another worker forwarded), and sends what
    /// it causes.
    pub fn inject_datagram(&mut self, peer: SocketAddr, datagram: &mut [u8]) {
        if self.handler_running {
            return;
        }
        self.handle_datagram(Instant::now(), peer, datagram);
        self.pump(Instant::now());
    }

    fn handle_datagram(&mut self, now: Instant, peer: SocketAddr, datagram: &mut [u8]) {
        if self.listener.is_none() {
            return;
        }
        if self.settings.log_level.enables(LogType::Debug) {
            let line = format!("received {} bytes from {peer}", datagram.len());
            self.log(None, LogType::Debug, line);
        }
        // Described before the engine decrypts it in place.
        let packets = self
            .settings
            .log_ssl_packets
            .then(|| packet_log::describe("received", datagram));
        let Some(listener) = &mut self.listener else {
            return;
        };
        let known = listener.endpoint.lookup(peer);
        let drops_before = known
            .and_then(|h| listener.endpoint.connection(h))
            .map(dropped);
        let mut response = [0u8; 256];
        match listener
            .endpoint
            .handle_datagram(now, peer, datagram, &mut response)
        {
            DatagramEvent::Respond(len) => {
                if let Some(reply) = response.get(..len)
                    && listener.socket.send_to(reply, peer).is_err()
                {
                    self.send_errors += 1;
                }
            }
            DatagramEvent::Refused { reason, respond } => {
                if let Some(reply) = response.get(..respond)
                    && !reply.is_empty()
                    && listener.socket.send_to(reply, peer).is_err()
                {
                    self.send_errors += 1;
                }
                self.on_refused(peer, reason);
            }
            DatagramEvent::NewConnection(handle) => self.on_new_connection(now, handle, peer),
            // Bounded: a worker that does not collect them loses the excess,
            // as a full socket buffer would.
            DatagramEvent::ForeignConnectionId { owner }
                if self.foreign.len() < super::MAX_FOREIGN =>
            {
                self.foreign.push(super::ForeignDatagram {
                    owner,
                    peer,
                    datagram: datagram.to_vec(),
                });
            }
            _ => {}
        }
        if let Some(lines) = packets {
            let handle = self.listener.as_ref().and_then(|l| l.endpoint.lookup(peer));
            self.report_packets(handle, lines);
        }
        // The seed's Error event, 400, for a connection's datagram that was
        // dropped (the connection itself is unharmed: RFC 6347 4.1.2.7).
        let drops_after = known
            .and_then(|h| self.listener.as_ref()?.endpoint.connection(h))
            .map(dropped);
        if let (Some(handle), Some(before), Some(after)) = (known, drops_before, drops_after) {
            let id = ConnectionId::from(handle);
            let why = if after.0 > before.0 {
                "a record could not be decoded"
            } else if after.1 > before.1 {
                "a record failed authentication"
            } else {
                return;
            };
            if self.connections.contains_key(&id) {
                let text = format!("Invalid datagram received from {peer}: {why}; it was dropped");
                self.error(Some(id), StatusCode::InvalidDatagram, text);
            }
        }
    }

    /// A peer that proved its address was refused before any handshake
    /// work: a Log line (Info; Verbose for the retransmissions of an
    /// attempt the application refused already, which were answered too).
    fn on_refused(&mut self, peer: SocketAddr, reason: Refusal) {
        let level = match reason {
            Refusal::RefusedBefore => LogType::Verbose,
            _ => LogType::Info,
        };
        if self.settings.log_level.enables(level) {
            let mut line = format!("refused a connection from {peer}: {reason}");
            if reason == Refusal::AtCapacity {
                let max = self.settings.max_connections;
                line.push_str(&format!(
                    " (MaxConnections={max}, every connection established)"
                ));
            }
            self.log(None, level, line);
        }
    }

    /// `ConnectionRequest`, once per attempt, after the cookie proved the
    /// address and before any key exchange: the application accepts the
    /// peer (it enters the table and its handshake starts) or refuses it
    /// (the engine drops it and sends `access_denied`).
    fn on_new_connection(&mut self, now: Instant, handle: ConnectionHandle, peer: SocketAddr) {
        let mut request = ConnectionRequestEvent {
            address: peer.ip(),
            port: peer.port(),
            accept: true,
        };
        self.with_handler(|h, s| h.on_connection_request(s, &mut request));
        if !request.accept {
            if let Some(listener) = &mut self.listener {
                listener.endpoint.reject(handle);
            }
            let line = format!("refused a connection from {peer}: ConnectionRequest said no");
            self.log(None, LogType::Info, line);
            return;
        }
        // The handler may have shut the server down.
        let Some(listener) = &mut self.listener else {
            return;
        };
        listener.endpoint.accept(handle, now);
        let local = local_address_toward(&listener.socket, peer);
        let conn = DtlsConnection::new(handle, local, peer);
        self.connections.insert(conn.connection_id, conn);
    }

    /// Sends every datagram the endpoint has, then dispatches its events.
    pub(super) fn pump(&mut self, now: Instant) {
        self.flush(now);
        // Inside a handler the engine's events wait for the outer pump, so
        // none reaches the application while its handler is taken.
        if self.dispatching || self.handler_running {
            return;
        }
        self.dispatching = true;
        while let Some((handle, event)) = self
            .listener
            .as_mut()
            .and_then(|listener| listener.endpoint.poll_event())
        {
            self.dispatch(now, handle, event);
            self.flush(now);
        }
        self.dispatching = false;
    }

    fn flush(&mut self, now: Instant) {
        let Some(listener) = &mut self.listener else {
            return;
        };
        let mut failures = Vec::new();
        let mut packets = Vec::new();
        while let Some(t) = listener.endpoint.poll_transmit(now, &mut self.send_buf) {
            let Some(datagram) = self.send_buf.get(..t.len) else {
                continue;
            };
            if self.settings.log_ssl_packets {
                packets.push((t.connection, packet_log::describe("sent", datagram)));
            }
            if let Err(e) = listener.socket.send_to(datagram, t.destination) {
                self.send_errors += 1;
                failures.push((t.connection, t.destination, e));
            }
        }
        // The seed's Error event: a datagram could not be sent (the
        // connection's retransmission or keep-alive will notice if it
        // matters).
        for (handle, lines) in packets {
            self.report_packets(Some(handle), lines);
        }
        for (handle, destination, e) in failures {
            let id = ConnectionId::from(handle);
            self.socket_error(
                self.connections.contains_key(&id).then_some(id),
                &e,
                format!("cannot send a datagram to {destination}: {e}"),
            );
        }
    }
}
