//! The `DoEvents` pump: datagrams from the socket into the engine, the
//! engine's timers, its datagrams back out to the socket, and its events on
//! to [`dispatch`](super::dispatch).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use dtls_core::{ConnectionHandle, DatagramEvent, Refusal, StatusCode};

use super::packet_log;
use super::udp::{REPLY_ROOM, RecvBatch, UdpIo};
use super::{ConnectionId, DtlsConnection, DtlsServer};
use crate::error::Error;
use crate::events::ConnectionRequestEvent;
use crate::settings::LogType;

/// Our address as `peer` sees it: the socket's, or, when it is bound to
/// the unspecified address, the address `peer` sent to (as the kernel
/// reported it with the datagram) or else the interface address the system
/// routes `peer` through (found by connecting a scratch socket; nothing is
/// sent).
fn local_address_toward(io: &UdpIo, peer: SocketAddr, sent_to: Option<IpAddr>) -> SocketAddr {
    let local = io.local_addr();
    if !local.ip().is_unspecified() {
        return local;
    }
    if let Some(ip) = sent_to {
        return SocketAddr::new(ip, local.port());
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
        listener
            .io
            .wait_readable(wait)
            .map_err(|e| Error::io("socket", e))?;
        self.receive_burst()?;
        let now = Instant::now();
        if let Some(listener) = &mut self.listener {
            listener.endpoint.handle_timeout(now);
        }
        self.pump(now);
        Ok(())
    }

    /// Receives what is queued, batch by batch, up to [`RECEIVE_BURST`]
    /// datagrams, and hands each to the engine.
    fn receive_burst(&mut self) -> Result<(), Error> {
        let mut batch = std::mem::take(&mut self.recv_batch);
        let result = self.receive_into(&mut batch);
        self.recv_batch = batch;
        result
    }

    fn receive_into(&mut self, batch: &mut RecvBatch) -> Result<(), Error> {
        let mut received = 0usize;
        while received < RECEIVE_BURST {
            let Some(listener) = &mut self.listener else {
                break;
            };
            let slots = listener
                .io
                .recv(batch)
                .map_err(|e| Error::io("receive", e))?;
            if slots == 0 {
                break;
            }
            // MaxPacketSize: the largest datagram we accept (it may change
            // while listening); longer ones are cut to it and then fail
            // authentication, as a short receive buffer would cut them.
            let max = self.settings.max_packet_size();
            let now = Instant::now();
            for i in 0..batch.len() {
                let Some((peer, sent_to, bytes, stride)) = batch.slot(i) else {
                    continue;
                };
                if bytes.is_empty() {
                    // An empty datagram: the engine counts it as malformed.
                    self.handle_datagram(now, peer, sent_to, &mut []);
                    received += 1;
                    continue;
                }
                for datagram in bytes.chunks_mut(stride) {
                    let len = datagram.len().min(max);
                    if let Some(datagram) = datagram.get_mut(..len) {
                        self.handle_datagram(now, peer, sent_to, datagram);
                    }
                    received += 1;
                }
            }
            self.send_replies();
        }
        Ok(())
    }

    /// Sends the stateless replies written while handling datagrams.
    fn send_replies(&mut self) {
        if let Some(listener) = &mut self.listener {
            let errors = &mut self.send_errors;
            listener.io.send_all(&self.replies, |_, _| *errors += 1);
        }
        self.replies.clear(REPLY_ROOM, REPLY_ROOM);
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
        self.handle_datagram(Instant::now(), peer, None, datagram);
        self.pump(Instant::now());
    }

    /// One datagram from `peer`, sent to our address `sent_to` where the
    /// kernel said which.
    fn handle_datagram(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        sent_to: Option<IpAddr>,
        datagram: &mut [u8],
    ) {
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
        if self.replies.is_full() {
            self.send_replies();
        }
        let Some(listener) = &mut self.listener else {
            return;
        };
        let known = listener.endpoint.lookup(peer);
        let drops_before = known
            .and_then(|h| listener.endpoint.connection(h))
            .map(dropped);
        // A stateless reply (HelloVerifyRequest, a refusal's alert) is
        // written straight into the reply batch, sent with the others.
        let mut scratch = [0u8; REPLY_ROOM];
        let (response, batched) = match self.replies.next_slot() {
            Some(slot) => (slot, true),
            None => (&mut scratch[..], false),
        };
        // Application data is handed over straight from the datagram,
        // decrypted in place, when nothing must come before it: an
        // established, unpaused connection and no event waiting (events
        // this datagram raises, a close say, come after its data).
        let direct = known.is_some_and(|h| {
            self.connections
                .get(&ConnectionId::from(h))
                .is_some_and(|c| c.negotiated.is_some() && !c.paused)
        }) && !self.handler_running
            && self.pending_events.is_empty()
            && !listener.endpoint.has_events();
        let base = datagram.as_ptr() as usize;
        let spans = &mut self.data_spans;
        let event = if direct {
            listener
                .endpoint
                .handle_datagram_with(now, peer, datagram, response, |handle, data| {
                    let start = (data.as_ptr() as usize).wrapping_sub(base);
                    spans.push((handle, start, data.len()));
                })
        } else {
            listener
                .endpoint
                .handle_datagram(now, peer, datagram, response)
        };
        let reply = match event {
            DatagramEvent::Respond(len) => len,
            DatagramEvent::Refused { respond, .. } => respond,
            _ => 0,
        };
        if reply > 0 && batched {
            self.replies.push(None, peer, reply);
        }
        match event {
            DatagramEvent::Refused { reason, .. } => self.on_refused(peer, reason),
            DatagramEvent::NewConnection(handle) => {
                self.on_new_connection(now, handle, peer, sent_to);
            }
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
        self.deliver_spans(datagram);
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
    fn on_new_connection(
        &mut self,
        now: Instant,
        handle: ConnectionHandle,
        peer: SocketAddr,
        sent_to: Option<IpAddr>,
    ) {
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
        let local = local_address_toward(&listener.io, peer, sent_to);
        let conn = DtlsConnection::new(handle, local, peer);
        self.connections.insert(conn.connection_id, conn);
    }

    /// Sends every datagram the endpoint has, then dispatches its events
    /// (sending what the handlers caused once a run of events is through,
    /// so a burst of echoes leaves in batches).
    pub(super) fn pump(&mut self, now: Instant) {
        self.flush(now);
        // Inside a handler the engine's events wait for the outer pump, so
        // none reaches the application while its handler is taken.
        if self.dispatching || self.handler_running {
            return;
        }
        self.dispatching = true;
        loop {
            let mut dispatched = false;
            while let Some((handle, event)) = self
                .listener
                .as_mut()
                .and_then(|listener| listener.endpoint.poll_event())
            {
                self.dispatch(now, handle, event);
                dispatched = true;
            }
            // Sending can raise events (Closed after a final alert).
            self.flush(now);
            if !dispatched {
                break;
            }
        }
        self.dispatching = false;
    }

    /// Sends what the endpoint has to send, a batch at a time, after what
    /// is batched already.
    pub(super) fn flush(&mut self, now: Instant) {
        self.send_replies();
        while let Some(listener) = &mut self.listener {
            while let Some(slot) = self.send_batch.next_slot() {
                let Some(t) = listener.endpoint.poll_transmit(now, slot) else {
                    break;
                };
                self.send_batch.push(t.connection, t.destination, t.len);
            }
            let full = self.send_batch.is_full();
            self.send_batched();
            if !full {
                break;
            }
        }
    }

    /// Sends the datagrams batched so far and empties the batch.
    pub(super) fn send_batched(&mut self) {
        let mut batch = std::mem::take(&mut self.send_batch);
        let mut failures = Vec::new();
        let mut packets = Vec::new();
        if self.settings.log_ssl_packets {
            for i in 0..batch.len() {
                if let Some((handle, _, datagram)) = batch.get(i) {
                    packets.push((handle, packet_log::describe("sent", datagram)));
                }
            }
        }
        if let Some(listener) = &mut self.listener {
            // A datagram not sent is counted and reported; the rest go.
            listener.io.send_all(&batch, |i, e| {
                self.send_errors += 1;
                if let Some((handle, destination, _)) = batch.get(i) {
                    failures.push((handle, destination, e));
                }
            });
        }
        batch.clear_for_mtu(self.mtu);
        self.send_batch = batch;
        for (handle, lines) in packets {
            self.report_packets(Some(handle), lines);
        }
        // The seed's Error event: a datagram could not be sent (the
        // connection's retransmission or keep-alive will notice if it
        // matters).
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
