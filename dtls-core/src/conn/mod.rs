//! One DTLS association, server or client side.
//!
//! # Driving a connection
//!
//! All methods take the current time; none reads a clock. The caller:
//!
//! 1. feeds every datagram from the peer to [`Connection::handle_datagram`],
//! 2. calls [`Connection::handle_timeout`] once [`Connection::poll_timeout`]'s
//!    instant has passed,
//! 3. after either, drains [`Connection::poll_transmit`] (datagrams to send,
//!    written into the caller's buffer) and [`Connection::poll_event`],
//! 4. reads application data with [`Connection::recv`] after
//!    [`Event::DataReadable`], and sends with [`Connection::send`].
//!
//! A server endpoint does steps 1-3 for all its connections; see
//! [`Endpoint`](crate::Endpoint).
//!
//! # Layout
//!
//! A [`Connection`] is its `Role` (`role.rs`: the side, its config and
//! handshake state machine, `server.rs` or `client.rs`) and a `Ctx`
//! (`ctx.rs`) made of owned parts: the record layer (`record_layer.rs`),
//! the transcript (`transcript.rs`), the flight transmitter
//! (`flight_tx.rs`), the inbox (`input.rs`, with the input path), the
//! outbox (`output.rs`, with the output path), the lifecycle
//! (`lifecycle.rs`), keep-alive (`keepalive.rs`), events and counters. The
//! timer table is `timers.rs`; typed peer errors are `peer_error.rs`.

pub(crate) mod client;
pub(crate) mod client_flight;
pub(crate) mod common;
mod credentials;
mod ctx;
mod flight_tx;
mod input;
pub(crate) mod keepalive;
pub(crate) mod keys;
mod lifecycle;
mod migration;
pub(crate) mod negotiate;
pub(crate) mod offer;
mod output;
pub(crate) mod peer_error;
pub(crate) mod queue;
pub(crate) mod record_layer;
mod role;
pub(crate) mod server;
pub(crate) mod server_flight;
pub mod session;
mod timers;
pub(crate) mod transcript;

pub use role::Side;
pub use session::ClientSession;

pub(crate) use ctx::Ctx;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::config::{ClientConfig, ServerConfig};
use crate::error::Error;
use crate::event::{Counters, Event, NegotiatedParams, Status, StatusCode};
use crate::handshake::reassembler::CompleteMessage;
use crate::msgs::alert::{Alert, AlertLevel};

pub(crate) use credentials::check_types as check_certificate_types;
use peer_error::PeerError;
use role::Role;

/// One DTLS 1.2 association. See the module documentation for the call
/// order.
pub struct Connection {
    peer: SocketAddr,
    /// Server side: the random of the ClientHello that created the
    /// connection, to tell a duplicate of it from a peer restart
    /// (RFC 6347 4.2.8).
    pub(crate) first_hello_random: Option<[u8; 32]>,
    ctx: Ctx,
    role: Role,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.side())
            .field("peer", &self.peer)
            .field("lifecycle", &self.ctx.lifecycle)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A server-side connection for a peer whose address the cookie exchange
    /// proved (RFC 6347 4.2.1). `client_hello_seq` is the message_seq of the
    /// ClientHello that carried the valid cookie and `record_seq` the record
    /// sequence number it arrived with; the server mirrors both.
    pub(crate) fn new_server(
        now: Instant,
        config: Arc<ServerConfig>,
        peer: SocketAddr,
        client_hello_seq: u16,
        record_seq: u64,
        resumption: Option<session::ServerResumption>,
    ) -> Self {
        let ctx = Ctx::new(
            now,
            &config.common,
            record_seq,
            client_hello_seq,
            client_hello_seq,
        );
        Connection {
            peer,
            first_hello_random: None,
            ctx,
            role: Role::Server {
                config,
                state: server::State::initial(),
                resumption: resumption.map(Box::new),
            },
        }
    }

    /// A client connection to `peer`; the ClientHello is queued at once and
    /// sent by the first [`poll_transmit`](Self::poll_transmit).
    ///
    /// # Errors
    /// Fails if the config cannot produce a ClientHello (no suites, random
    /// source failure).
    pub fn client(
        config: Arc<ClientConfig>,
        peer: SocketAddr,
        now: Instant,
    ) -> Result<Self, Error> {
        let mut ctx = Ctx::new(now, &config.common, 0, 0, 0);
        let state = client::State::start(&config, &mut ctx)?;
        ctx.flight.arm(now);
        Ok(Connection {
            peer,
            first_hello_random: None,
            ctx,
            role: Role::Client { config, state },
        })
    }

    /// Which side this connection is.
    pub fn side(&self) -> Side {
        self.role.side()
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The connection ID records to us carry, once the hellos agreed on
    /// CIDs (RFC 9146 3); `None` before, or without them. Empty: the peer
    /// sends no CID.
    pub fn connection_id(&self) -> Option<&[u8]> {
        self.ctx.records.connection_ids().map(|c| c.ours.as_slice())
    }

    /// The connection ID the peer asked for, which our records carry.
    pub fn peer_connection_id(&self) -> Option<&[u8]> {
        self.ctx
            .records
            .connection_ids()
            .map(|c| c.theirs.as_slice())
    }

    /// The CID the endpoint reserved for this connection.
    pub(crate) fn issued_cid(&self) -> Option<&[u8]> {
        self.ctx.issued_cid.as_deref()
    }

    /// Reserves `cid` for this server connection (the endpoint's pick).
    pub(crate) fn set_issued_cid(&mut self, cid: Vec<u8>) {
        self.ctx.issued_cid = Some(cid);
    }

    /// Whether the handshake has completed and the connection is open.
    pub fn is_established(&self) -> bool {
        self.ctx.is_established()
    }

    /// Whether the connection has closed (it may still have its final alert
    /// to send).
    pub(crate) fn is_closed(&self) -> bool {
        self.ctx.lifecycle.is_closed()
    }

    /// Whether the connection is closed and has nothing left to send: it can
    /// be dropped.
    pub fn is_drained(&self) -> bool {
        self.ctx.lifecycle.is_closed() && self.ctx.outbox.alert.is_none()
    }

    /// What was negotiated, once established.
    pub fn negotiated(&self) -> Option<&NegotiatedParams> {
        self.ctx.lifecycle.negotiated()
    }

    /// Client side, once established: the session to resume later (pass
    /// it in [`ClientConfig::resume`]; RFC 5246 7.3, RFC 5077 3.4). `None`
    /// on a server, before the handshake, or if the server offered neither
    /// a session ID nor a ticket.
    pub fn session(&self) -> Option<ClientSession> {
        match &self.role {
            Role::Client { state, .. } if self.ctx.is_established() => state.session(),
            _ => None,
        }
    }

    /// Server side: a session a full handshake created, for the endpoint's
    /// cache.
    pub(crate) fn take_new_session(&mut self) -> Option<session::StoredSession> {
        match &mut self.role {
            Role::Server { resumption, .. } => resumption.as_mut()?.new_session.take(),
            Role::Client { .. } => None,
        }
    }

    /// Drop and traffic counters.
    pub fn counters(&self) -> Counters {
        let mut counters = self.ctx.counters;
        counters.heartbeat_requests_sent = self.ctx.keepalive.requests_sent;
        counters.heartbeat_responses_sent = self.ctx.keepalive.responses_sent;
        counters.heartbeat_responses_received = self.ctx.keepalive.responses_received;
        counters
    }

    /// Changes keep-alive and idle timing on a live connection (see
    /// [`Endpoint::set_keep_alive_timing`](crate::Endpoint::set_keep_alive_timing)).
    pub fn set_keep_alive_timing(
        &mut self,
        time: std::time::Duration,
        interval: std::time::Duration,
        idle_timeout: Option<std::time::Duration>,
    ) {
        self.ctx.keepalive.set_timing(time, interval, idle_timeout);
    }

    /// Queues raw bytes as one protected heartbeat record, bypassing every
    /// check, so tests can craft malformed or abusive heartbeats inside a
    /// properly protected record. Only with the `test-util` feature.
    #[cfg(feature = "test-util")]
    #[doc(hidden)]
    pub fn queue_raw_heartbeat_for_tests(&mut self, bytes: &[u8]) {
        self.ctx.outbox.heartbeats.push_back(bytes.to_vec());
    }

    /// Largest application message [`send`](Self::send) accepts: one record
    /// in one datagram (RFC 6347 4.1.1: records do not span datagrams).
    pub fn max_message_len(&self) -> usize {
        self.ctx.max_app_plaintext
    }

    /// Closes the connection with a fatal alert and reports why.
    pub(crate) fn fail(&mut self, err: PeerError) {
        if self.ctx.lifecycle.is_ending() {
            return;
        }
        self.ctx.outbox.alert = Some(Alert {
            level: AlertLevel::Fatal,
            description: err.alert(),
        });
        let event = self.ctx.lifecycle.failure_event(err.status());
        self.ctx.emit(event);
        self.ctx.lifecycle.start_closing(None);
        self.ctx.flight.stop();
    }

    /// Starts an orderly close: sends close_notify (RFC 5246 7.2.1).
    pub fn close(&mut self, now: Instant) {
        self.ctx.now = Some(now);
        self.close_with(Status::new(StatusCode::Ok, "closed locally"));
    }

    /// Sends close_notify and reports `status` once it is out.
    fn close_with(&mut self, status: Status) {
        if self.ctx.lifecycle.is_ending() {
            return;
        }
        self.ctx.outbox.alert = Some(Alert::close_notify());
        self.ctx.lifecycle.start_closing(Some(status));
        self.ctx.flight.stop();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.ctx.next_event()
    }

    /// The application's verdict on a client certificate reported by
    /// [`Event::ClientCertificate`] (server only; the seed's
    /// `SSLClientAuthentication` Accept parameter).
    pub fn decide_client_certificate(&mut self, now: Instant, accept: bool) {
        if let Role::Server { state, .. } = &mut self.role {
            state.set_client_certificate_decision(accept);
        }
        self.drive_handshake(now);
    }

    /// Derives keying material from the session (RFC 5705), once
    /// established.
    ///
    /// # Errors
    /// [`Error::NotConnected`] before the handshake completes; a crypto
    /// error for a reserved label or an oversized context.
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        let secrets = self.role.session_secrets();
        let Some(s) = secrets.filter(|_| self.ctx.is_established()) else {
            return Err(Error::NotConnected);
        };
        dtls_crypto::prf::export_keying_material(
            s.suite.prf_hash(),
            &s.master,
            label,
            context,
            &s.client_random,
            &s.server_random,
            out,
        )?;
        Ok(())
    }

    /// The client's random of the completed handshake (RFC 5246 7.4.1.2),
    /// which tells a retransmitted ClientHello from a new one.
    pub fn client_random(&self) -> Option<[u8; 32]> {
        self.role.session_secrets().map(|s| s.client_random)
    }

    /// The session's line in the NSS key log format
    /// (`CLIENT_RANDOM <client_random> <master_secret>`, hex), once
    /// established, so Wireshark can decrypt a capture. For debugging only:
    /// it discloses the session's keys.
    pub fn key_log_line(&self) -> Option<String> {
        let secrets = self.role.session_secrets()?;
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        Some(format!(
            "CLIENT_RANDOM {} {}",
            hex(&secrets.client_random),
            hex(secrets.master.as_bytes())
        ))
    }
}

/// The secrets of an established session, kept for the exporter and
/// resumption.
pub(crate) struct SessionSecrets {
    pub suite: dtls_crypto::CipherSuite,
    pub master: dtls_crypto::prf::MasterSecret,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
}

/// The complete-message type handed to the state machines.
pub(crate) type Message = CompleteMessage;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Identity;
    use crate::msgs::alert::AlertDescription;
    use crate::msgs::codec::Codec;
    use crate::msgs::handshake::HandshakeType;
    use crate::msgs::messages::ClientHello;
    use crate::msgs::record::ProtocolVersion;

    fn pump(now: Instant, from: &mut Connection, to: &mut Connection) -> usize {
        let mut buf = vec![0u8; 2048];
        let mut n = 0;
        while let Some(len) = from.poll_transmit(now, &mut buf) {
            to.handle_datagram(now, &mut buf[..len]);
            n += 1;
        }
        n
    }

    fn connected_pair() -> (Connection, Connection, Instant) {
        let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
        let identity = Identity::from_certificate(&cert).unwrap();
        let server_config = Arc::new(ServerConfig::new(identity));
        let peer: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let now = crate::test_origin();
        let mut client = Connection::client(Arc::new(ClientConfig::default()), peer, now).unwrap();
        // No endpoint: the server connection sees the first (cookie-less)
        // ClientHello directly.
        let mut server = Connection::new_server(now, server_config, peer, 0, 0, None);
        for _ in 0..6 {
            pump(now, &mut client, &mut server);
            pump(now, &mut server, &mut client);
        }
        assert!(client.is_established() && server.is_established());
        (client, server, now)
    }

    /// RFC 5746 4.4 / RFC 5246 7.2.2: a ClientHello on an established
    /// connection (renegotiation, protected under epoch 1) is answered with
    /// a no_renegotiation warning; the connection survives.
    #[test]
    fn renegotiation_gets_no_renegotiation_warning() {
        let (mut client, mut server, now) = connected_pair();
        let hello = ClientHello {
            client_version: ProtocolVersion::Dtls1_2,
            random: [7; 32],
            session_id: Vec::new(),
            cookie: Vec::new(),
            cipher_suites: vec![dtls_crypto::CipherSuite::ALL[0].id()],
            compression_methods: vec![0],
            extensions: Some(Vec::new()),
        };
        let mut body = Vec::new();
        hello.encode(&mut body);
        client.ctx.begin_flight(false);
        client
            .ctx
            .queue_handshake(u8::from(HandshakeType::ClientHello), body);
        let mut buf = vec![0u8; 2048];
        let len = client.poll_transmit(now, &mut buf).unwrap();
        assert_eq!(buf[0], 22, "a handshake record");
        assert_eq!(&buf[3..5], &[0, 1], "in epoch 1");
        server.handle_datagram(now, &mut buf[..len]);
        assert_eq!(
            server.ctx.outbox.alert,
            Some(Alert {
                level: AlertLevel::Warning,
                description: AlertDescription::NoRenegotiation
            })
        );
        let len = server.poll_transmit(now, &mut buf).unwrap();
        assert_eq!(buf[0], 21, "an alert record");
        // Decrypt it on the client: a warning, which changes nothing.
        client.handle_datagram(now, &mut buf[..len]);
        assert!(server.is_established() && client.is_established());
        assert_eq!(server.counters().dropped(), 0);
        client.send(now, b"still open").unwrap();
        pump(now, &mut client, &mut server);
        let mut out = [0u8; 64];
        assert_eq!(server.recv(&mut out).unwrap(), Some(10));
    }

    /// A retransmitted ClientHello (epoch 0) after the handshake is an old
    /// message: ignored, the connection stays up.
    #[test]
    fn stale_epoch0_hello_after_handshake_is_harmless() {
        let (_client, mut server, now) = connected_pair();
        let mut record = vec![22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 50, 0, 12];
        record.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        server.handle_datagram(now, &mut record);
        assert!(server.is_established());
    }
}
