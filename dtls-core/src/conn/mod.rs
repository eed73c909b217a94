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

pub(crate) mod client;
pub(crate) mod keepalive;
pub(crate) mod queue;
pub(crate) mod record_layer;
pub(crate) mod server;
pub mod session;
pub(crate) mod transcript;

pub use session::ClientSession;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::config::{ClientConfig, CommonConfig, ServerConfig};
use crate::error::Error;
use crate::event::{Counters, DropReason, Event, NegotiatedParams, Status, StatusCode};
use crate::handshake::flight::{FlightBuffer, FlightContent};
use crate::handshake::reassembler::{
    CompleteMessage, FragmentIn, HandshakeReassembler, InsertOutcome, ReassemblyLimits,
};
use crate::handshake::{HANDSHAKE_HEADER_LEN, fragment_at};
use crate::msgs::alert::{Alert, AlertDescription, AlertLevel};
use crate::msgs::ccs::ChangeCipherSpec;
use crate::msgs::codec::Codec;
use crate::msgs::handshake::{HandshakeFragments, HandshakeType};
use crate::msgs::record::{ContentType, ProtocolVersion, RECORD_HEADER_LEN, parse_record};
use crate::timer::{RetransmitTimer, TimerAction};

use keepalive::{KeepAlive, KeepAliveAction};
use queue::MessageQueue;
use record_layer::{MAX_PLAINTEXT, OpenOutcome, RecordLayer};
use transcript::Transcript;

/// Heartbeat messages (our requests and responses) waiting to be sent.
/// Matches the default response budget, so a burst within it is answered.
const MAX_QUEUED_HEARTBEATS: usize = 16;

/// Which side of the association this connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The DTLS client.
    Client,
    /// The DTLS server.
    Server,
}

/// A fatal handshake or protocol error: the alert to send and the status to
/// report (RFC 5246 7.2.2).
#[derive(Debug, Clone)]
pub(crate) struct Fatal {
    pub alert: AlertDescription,
    pub status: Status,
}

impl Fatal {
    pub(crate) fn new(alert: AlertDescription, code: StatusCode, text: impl Into<String>) -> Self {
        Fatal {
            alert,
            status: Status::new(code, text),
        }
    }

    /// A message the state machine does not expect now (RFC 5246 7.2.2
    /// unexpected_message).
    pub(crate) fn unexpected(what: &str) -> Self {
        Fatal::new(
            AlertDescription::UnexpectedMessage,
            StatusCode::InvalidFlow,
            format!("unexpected {what}"),
        )
    }

    /// A handshake message that does not decode (decode_error).
    pub(crate) fn decode(what: impl std::fmt::Display) -> Self {
        Fatal::new(
            AlertDescription::DecodeError,
            StatusCode::InvalidDatagram,
            format!("malformed handshake message: {what}"),
        )
    }

    /// A local failure (random source, key derivation): internal_error.
    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        Fatal::new(
            AlertDescription::InternalError,
            StatusCode::HandshakeError,
            format!("internal error: {what}"),
        )
    }
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Handshaking,
    Established,
    /// We queued a close_notify or fatal alert; closed once it is sent.
    Closing,
    Closed,
}

/// The shared configuration of either side.
#[derive(Debug, Clone)]
pub(crate) enum SideConfig {
    Server(Arc<ServerConfig>),
    Client(Arc<ClientConfig>),
}

impl SideConfig {
    pub(crate) fn common(&self) -> &CommonConfig {
        match self {
            SideConfig::Server(c) => &c.common,
            SideConfig::Client(c) => &c.common,
        }
    }
}

/// Where the transmitter is in re-sending the current flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FlightCursor {
    entry: usize,
    offset: usize,
}

/// Everything a connection owns except its handshake state; the handshake
/// state machines borrow it to read input and queue output.
pub(crate) struct Ctx {
    pub(crate) config: SideConfig,
    pub(crate) records: RecordLayer,
    pub(crate) transcript: Transcript,
    reassembler: HandshakeReassembler,
    /// message_seq of our next handshake message (RFC 6347 4.2.2).
    next_send_seq: u16,
    flight: FlightBuffer,
    flight_cursor: Option<FlightCursor>,
    /// Whether the current flight expects an answer (so the retransmission
    /// timer runs after it is sent). The server's final flight does not
    /// (RFC 6347 4.2.4: it is re-sent only when the client re-sends).
    flight_expects_reply: bool,
    timer: RetransmitTimer,
    /// When the current flight was last sent in full: paces re-sends the
    /// peer triggers (see `on_peer_retransmission`).
    flight_sent_at: Option<Instant>,
    /// Epoch-1 records that arrived before the peer's ChangeCipherSpec.
    early_records: Vec<Vec<u8>>,
    early_bytes: usize,
    /// The peer's ChangeCipherSpec arrived before we could act on it.
    pub(crate) peer_ccs_pending: bool,
    alert_out: Option<(AlertLevel, AlertDescription)>,
    app_out: MessageQueue,
    app_in: MessageQueue,
    events: VecDeque<Event>,
    pub(crate) counters: Counters,
    phase: Phase,
    /// Largest plaintext of one outgoing application record.
    max_app_plaintext: usize,
    /// The peer's record_size_limit (RFC 8449), if it sent one.
    pub(crate) peer_record_size_limit: Option<usize>,
    pub(crate) negotiated: Option<NegotiatedParams>,
    /// Status to report when the close completes.
    close_status: Option<Status>,
    /// Heartbeat keep-alive, dead-peer detection and idle timeout.
    pub(crate) keepalive: KeepAlive,
    /// The peer's heartbeat mode from its hello, once known: `Some(true)`
    /// if it allows us to send requests (RFC 6520 2).
    pub(crate) peer_heartbeat_mode: Option<bool>,
    /// Heartbeat messages waiting to be sent (capped).
    heartbeat_out: VecDeque<Vec<u8>>,
    /// The time of the latest input, for state changes that need one.
    now: Option<Instant>,
    /// Server side: session cache candidate, ticket keys, new sessions.
    pub(crate) resumption: Option<Box<session::ServerResumption>>,
}

impl Ctx {
    fn new(config: SideConfig, first_write_sequence: u64, next_recv_seq: u16) -> Self {
        let common = config.common().clone();
        let common = &common;
        let mut reassembler = HandshakeReassembler::new(ReassemblyLimits {
            max_message_len: u32::try_from(common.limits.max_handshake_message).unwrap_or(u32::MAX),
            max_buffered_bytes: common.limits.max_reassembly_bytes,
            ..ReassemblyLimits::default()
        });
        reassembler.set_next_expected(next_recv_seq);
        Ctx {
            records: RecordLayer::new(common.replay_window, first_write_sequence),
            transcript: Transcript::new(),
            reassembler,
            next_send_seq: 0,
            flight: FlightBuffer::new(),
            flight_cursor: None,
            flight_expects_reply: true,
            timer: RetransmitTimer::new(common.retransmit),
            flight_sent_at: None,
            early_records: Vec::new(),
            early_bytes: 0,
            peer_ccs_pending: false,
            alert_out: None,
            app_out: MessageQueue::default(),
            app_in: MessageQueue::default(),
            events: VecDeque::new(),
            counters: Counters::default(),
            phase: Phase::Handshaking,
            max_app_plaintext: MAX_PLAINTEXT,
            peer_record_size_limit: None,
            negotiated: None,
            close_status: None,
            keepalive: KeepAlive::new(
                common.keep_alive,
                common.idle_timeout,
                common.provider.clone(),
            ),
            peer_heartbeat_mode: None,
            heartbeat_out: VecDeque::new(),
            now: None,
            resumption: None,
            config,
        }
    }

    pub(crate) fn common(&self) -> &CommonConfig {
        self.config.common()
    }

    /// Reports handshake progress (the seed's SSLStatus event).
    pub(crate) fn progress(&mut self, text: impl Into<String>) {
        self.events.push_back(Event::HandshakeProgress(text.into()));
    }

    /// Queues an event.
    pub(crate) fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Starts a new outgoing flight: the previous one is implicitly
    /// acknowledged by the peer's reply (RFC 6347 4.2.4).
    pub(crate) fn begin_flight(&mut self, expects_reply: bool) {
        self.flight.clear();
        self.flight_cursor = None;
        self.flight_expects_reply = expects_reply;
        self.flight_sent_at = None;
        self.timer.stop();
    }

    /// The peer has started answering our flight, which is therefore
    /// acknowledged (RFC 6347 4.2.4): stop the timer and forget the flight,
    /// so that a retransmission of the peer's flight is not answered with
    /// our stale one (which would make the peer re-send its flight again, a
    /// ping-pong at link speed).
    pub(crate) fn peer_flight_started(&mut self) {
        self.timer.stop();
        self.flight.clear();
        self.flight_cursor = None;
    }

    /// Sets the message_seq of our next handshake message.
    pub(crate) fn set_next_send_seq(&mut self, seq: u16) {
        self.next_send_seq = seq;
    }

    /// Appends a handshake message to the current flight and the transcript.
    pub(crate) fn queue_handshake(&mut self, msg_type: u8, body: Vec<u8>) {
        let message_seq = self.next_send_seq;
        self.next_send_seq = self.next_send_seq.wrapping_add(1);
        self.transcript.add_message(msg_type, message_seq, &body);
        let epoch = self.records.write_epoch();
        self.flight.push(
            epoch,
            FlightContent::Handshake {
                msg_type,
                message_seq,
                body,
            },
        );
        self.flight_cursor.get_or_insert(FlightCursor {
            entry: 0,
            offset: 0,
        });
    }

    /// Appends ChangeCipherSpec (in the current epoch) to the flight and
    /// switches writing to epoch 1 with `protection` (RFC 5246 7.1).
    pub(crate) fn queue_change_cipher_spec(
        &mut self,
        protection: dtls_crypto::record::RecordProtection,
    ) {
        let epoch = self.records.write_epoch();
        self.flight.push(epoch, FlightContent::ChangeCipherSpec);
        self.flight_cursor.get_or_insert(FlightCursor {
            entry: 0,
            offset: 0,
        });
        self.records.install_write_keys(protection);
    }

    /// Queues a warning alert (e.g. no_renegotiation) without closing.
    pub(crate) fn queue_alert_warning(&mut self, description: AlertDescription) {
        if self.alert_out.is_none() {
            self.alert_out = Some((AlertLevel::Warning, description));
        }
    }

    /// Marks the handshake complete.
    pub(crate) fn established(&mut self, params: NegotiatedParams) {
        self.phase = Phase::Established;
        self.max_app_plaintext = self.compute_max_app_plaintext();
        self.negotiated = Some(params.clone());
        self.transcript.clear();
        if let Some(now) = self.now {
            self.keepalive.on_established(now, self.peer_heartbeat_mode);
        }
        self.events.push_back(Event::Connected(Box::new(params)));
    }

    fn compute_max_app_plaintext(&self) -> usize {
        let overhead = self.records.record_overhead(1);
        let by_mtu = self.common().mtu.saturating_sub(overhead);
        let by_peer = self.peer_record_size_limit.unwrap_or(MAX_PLAINTEXT);
        by_mtu.min(by_peer).min(MAX_PLAINTEXT)
    }

    /// Whether the handshake completed.
    pub(crate) fn is_established(&self) -> bool {
        self.phase == Phase::Established
    }
}

/// The handshake state of either side.
pub(crate) enum Handshake {
    Server(server::State),
    Client(client::State),
}

/// One DTLS 1.2 association. See the module documentation for the call
/// order.
pub struct Connection {
    side: Side,
    peer: SocketAddr,
    /// Server side: the random of the ClientHello that created the
    /// connection, to tell a duplicate of it from a peer restart
    /// (RFC 6347 4.2.8).
    pub(crate) first_hello_random: Option<[u8; 32]>,
    ctx: Ctx,
    handshake: Handshake,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.side)
            .field("peer", &self.peer)
            .field("phase", &self.ctx.phase)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A server-side connection for a peer whose address the cookie exchange
    /// proved (RFC 6347 4.2.1). `client_hello_seq` is the message_seq of the
    /// ClientHello that carried the valid cookie and `record_seq` the record
    /// sequence number it arrived with; the server mirrors both.
    pub(crate) fn new_server(
        config: Arc<ServerConfig>,
        peer: SocketAddr,
        client_hello_seq: u16,
        record_seq: u64,
        resumption: Option<session::ServerResumption>,
    ) -> Self {
        let mut ctx = Ctx::new(SideConfig::Server(config), record_seq, client_hello_seq);
        ctx.set_next_send_seq(client_hello_seq);
        ctx.resumption = resumption.map(Box::new);
        Connection {
            side: Side::Server,
            peer,
            first_hello_random: None,
            ctx,
            handshake: Handshake::Server(server::State::initial()),
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
        let mut ctx = Ctx::new(SideConfig::Client(config), 0, 0);
        let state = client::State::start(&mut ctx)?;
        ctx.timer.start(now);
        Ok(Connection {
            side: Side::Client,
            peer,
            first_hello_random: None,
            ctx,
            handshake: Handshake::Client(state),
        })
    }

    /// Which side this connection is.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Whether the handshake has completed and the connection is open.
    pub fn is_established(&self) -> bool {
        self.ctx.is_established()
    }

    /// Whether the connection is closed and has nothing left to send: it can
    /// be dropped.
    pub fn is_drained(&self) -> bool {
        self.ctx.phase == Phase::Closed && self.ctx.alert_out.is_none()
    }

    /// What was negotiated, once established.
    pub fn negotiated(&self) -> Option<&NegotiatedParams> {
        self.ctx.negotiated.as_ref()
    }

    /// Client side, once established: the session to resume later (pass
    /// it in [`ClientConfig::resume`]; RFC 5246 7.3, RFC 5077 3.4). `None`
    /// on a server, before the handshake, or if the server offered neither
    /// a session ID nor a ticket.
    pub fn session(&self) -> Option<ClientSession> {
        match &self.handshake {
            Handshake::Client(state) if self.ctx.is_established() => state.session(),
            _ => None,
        }
    }

    /// Server side: a session a full handshake created, for the endpoint's
    /// cache.
    pub(crate) fn take_new_session(&mut self) -> Option<session::StoredSession> {
        self.ctx.resumption.as_mut()?.new_session.take()
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
        self.ctx.heartbeat_out.push_back(bytes.to_vec());
    }

    /// Largest application message [`send`](Self::send) accepts: one record
    /// in one datagram (RFC 6347 4.1.1: records do not span datagrams).
    pub fn max_message_len(&self) -> usize {
        self.ctx.max_app_plaintext
    }

    /// Feeds one datagram received from the peer. `datagram` is decrypted in
    /// place. Invalid records are dropped and counted (RFC 6347 4.1.2.7).
    pub fn handle_datagram(&mut self, now: Instant, datagram: &mut [u8]) {
        self.ctx.now = Some(now);
        let mut pos = 0;
        while pos < datagram.len() {
            let Some(rest) = datagram.get_mut(pos..) else {
                break;
            };
            let (header, body_len) = match parse_record(rest) {
                Ok((header, fragment, _)) => (header, fragment.len()),
                Err(_) => {
                    // A record that does not parse makes the rest of the
                    // datagram unparseable too.
                    self.ctx.counters.count(DropReason::Malformed);
                    break;
                }
            };
            let record_len = RECORD_HEADER_LEN + body_len;
            if let Some(record) = rest.get_mut(..record_len) {
                self.handle_record(now, header, record);
            }
            pos += record_len;
        }
    }

    fn handle_record(
        &mut self,
        now: Instant,
        header: crate::msgs::record::RecordHeader,
        record: &mut [u8],
    ) {
        if matches!(self.ctx.phase, Phase::Closed) {
            return;
        }
        // RFC 6347 4.1: epoch-0 records (a ClientHello in particular) may
        // carry DTLS 1.0 for compatibility; protected records are 1.2.
        let version_ok = header.version == ProtocolVersion::Dtls1_2
            || (header.epoch == 0 && header.version == ProtocolVersion::Dtls1_0);
        if !version_ok {
            self.ctx.counters.count(DropReason::Malformed);
            return;
        }
        let Some(body) = record.get_mut(RECORD_HEADER_LEN..) else {
            return;
        };
        match self.ctx.records.open(
            header.content_type,
            u16::from(header.version),
            header.epoch,
            header.sequence_number,
            body,
        ) {
            OpenOutcome::Dropped(reason) => self.ctx.counters.count(reason),
            OpenOutcome::Early => self.buffer_early(record),
            OpenOutcome::Opened(opened) => {
                let Some(plaintext) = body.get(opened.plaintext.clone()) else {
                    return;
                };
                if opened.epoch == 1 {
                    // Any authenticated record proves the peer is alive.
                    self.ctx.keepalive.on_peer_alive(now);
                }
                self.dispatch(now, opened.content_type, opened.epoch, plaintext);
            }
        }
    }

    fn buffer_early(&mut self, record: &[u8]) {
        let cap = self.ctx.common().limits.max_early_records_bytes;
        if self.ctx.early_bytes + record.len() > cap {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        self.ctx.early_bytes += record.len();
        self.ctx.early_records.push(record.to_vec());
    }

    fn replay_early_records(&mut self, now: Instant) {
        let early = std::mem::take(&mut self.ctx.early_records);
        self.ctx.early_bytes = 0;
        for mut record in early {
            self.handle_datagram(now, &mut record);
        }
    }

    fn dispatch(&mut self, now: Instant, content_type: ContentType, epoch: u16, plaintext: &[u8]) {
        let read_epoch = self.ctx.records.read_epoch();
        match content_type {
            ContentType::Handshake => self.handle_handshake_record(now, epoch, plaintext),
            ContentType::ChangeCipherSpec => {
                if ChangeCipherSpec::read_bytes(plaintext).is_err() {
                    self.fail(Fatal::new(
                        AlertDescription::DecodeError,
                        StatusCode::InvalidDatagram,
                        "malformed ChangeCipherSpec",
                    ));
                    return;
                }
                if epoch != 0 || read_epoch != 0 {
                    // A retransmitted CCS (RFC 6347 4.2.4): harmless.
                    self.ctx.counters.count(DropReason::Unexpected);
                    return;
                }
                self.ctx.peer_ccs_pending = true;
                self.drive_handshake(now);
            }
            ContentType::Alert => {
                if epoch < read_epoch {
                    // An unauthenticated alert after keys are in use: ignore,
                    // or anyone could tear the connection down.
                    self.ctx.counters.count(DropReason::WrongEpoch);
                    return;
                }
                self.handle_alert(plaintext);
            }
            ContentType::ApplicationData => {
                if !self.ctx.is_established() || epoch != 1 {
                    self.ctx.counters.count(DropReason::Unexpected);
                    return;
                }
                // The peer's first protected data proves it got our final
                // flight (the server's after a full handshake, the client's
                // after an abbreviated one): nothing to retransmit any more.
                if !self.ctx.flight.is_empty() {
                    self.ctx.flight.clear();
                    self.ctx.flight_cursor = None;
                }
                self.ctx.keepalive.on_data(now);
                self.deliver(plaintext);
            }
            ContentType::Heartbeat => self.handle_heartbeat(now, epoch, plaintext),
            _ => self.ctx.counters.count(DropReason::Unexpected),
        }
    }

    /// RFC 6520 4: heartbeats only inside the protected, established
    /// session; everything else about them is checked by `KeepAlive`.
    fn handle_heartbeat(&mut self, now: Instant, epoch: u16, plaintext: &[u8]) {
        if !self.ctx.is_established() || epoch != 1 {
            self.ctx.counters.count(DropReason::BadHeartbeat);
            return;
        }
        // A full queue refuses before the message is looked at, so it
        // neither spends rate-limit budget nor counts as answered.
        if self.ctx.heartbeat_out.len() >= MAX_QUEUED_HEARTBEATS {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        let max_response = self.ctx.max_app_plaintext;
        match self.ctx.keepalive.on_message(now, plaintext, max_response) {
            Ok(Some(response)) => self.ctx.heartbeat_out.push_back(response),
            Ok(None) => {}
            Err(reason) => self.ctx.counters.count(reason),
        }
    }

    fn deliver(&mut self, plaintext: &[u8]) {
        let cap = self.ctx.common().limits.max_receive_buffer;
        if self.ctx.app_in.byte_len() + MessageQueue::cost(plaintext) > cap {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        let was_empty = self.ctx.app_in.is_empty();
        if !self.ctx.app_in.push(plaintext) {
            self.ctx.counters.count(DropReason::Malformed);
            return;
        }
        self.ctx.counters.records_in += 1;
        if was_empty {
            self.ctx.events.push_back(Event::DataReadable);
        }
    }

    fn handle_handshake_record(&mut self, now: Instant, epoch: u16, plaintext: &[u8]) {
        let read_epoch = self.ctx.records.read_epoch();
        let mut saw_old = false;
        for frag in HandshakeFragments::new(plaintext) {
            let Ok(frag) = frag else {
                self.ctx.counters.count(DropReason::Malformed);
                return;
            };
            let input = FragmentIn {
                msg_type: u8::from(frag.msg_type),
                length: frag.length,
                message_seq: frag.message_seq,
                fragment_offset: frag.fragment_offset,
                fragment: frag.fragment,
            };
            if epoch < read_epoch {
                // Old epoch: only a retransmission of the peer's previous
                // flight can legitimately arrive here.
                if u32::from(frag.message_seq) < self.ctx.reassembler.next_expected_seq() {
                    saw_old = true;
                } else {
                    self.ctx.counters.count(DropReason::WrongEpoch);
                }
                continue;
            }
            match self.ctx.reassembler.insert(input) {
                Ok(InsertOutcome::Old) => saw_old = true,
                Ok(InsertOutcome::TooFarAhead) => self.ctx.counters.count(DropReason::Unexpected),
                Ok(_) => {}
                Err(_) => self.ctx.counters.count(DropReason::BufferFull),
            }
        }
        if saw_old {
            self.on_peer_retransmission(now);
        }
        self.drive_handshake(now);
    }

    /// The peer re-sent (part of) a flight we already processed: it did not
    /// get our reply, so re-send ours now (RFC 6347 4.2.4).
    ///
    /// The trigger can be a plaintext epoch-0 fragment, which anyone can
    /// forge with the peer's address, and our flight is much larger than
    /// that fragment. So re-sends are paced: at most one per half the
    /// initial retransmission timeout (a genuine peer only retransmits
    /// after its own timer, at least that long), and a final flight is
    /// forgotten once it is older than twice the largest timeout, after
    /// which a genuine peer has given up anyway.
    fn on_peer_retransmission(&mut self, now: Instant) {
        if self.ctx.flight.is_empty() || self.ctx.flight_cursor.is_some() {
            return;
        }
        let retransmit = self.ctx.common().retransmit;
        if let Some(sent) = self.ctx.flight_sent_at {
            let age = now.saturating_duration_since(sent);
            if !self.ctx.flight_expects_reply && age > retransmit.max * 2 {
                self.ctx.flight.clear();
                return;
            }
            if age < retransmit.initial / 2 {
                self.ctx.counters.count(DropReason::Unexpected);
                return;
            }
        }
        self.ctx.flight_cursor = Some(FlightCursor {
            entry: 0,
            offset: 0,
        });
        self.ctx.counters.retransmissions += 1;
    }

    /// Feeds complete handshake messages (and a pending CCS) to the state
    /// machine until it can make no more progress.
    fn drive_handshake(&mut self, now: Instant) {
        loop {
            if matches!(self.ctx.phase, Phase::Closing | Phase::Closed) {
                return;
            }
            let before_epoch = self.ctx.records.read_epoch();
            let message = self.ctx.reassembler.pop_complete();
            let result = match &mut self.handshake {
                Handshake::Server(state) => state.step(&mut self.ctx, now, message.as_ref()),
                Handshake::Client(state) => state.step(&mut self.ctx, now, message.as_ref()),
            };
            match result {
                Err(fatal) => {
                    self.fail(fatal);
                    return;
                }
                Ok(progressed) => {
                    if self.ctx.records.read_epoch() != before_epoch {
                        self.replay_early_records(now);
                    }
                    if message.is_none() && !progressed {
                        return;
                    }
                }
            }
        }
    }

    fn handle_alert(&mut self, plaintext: &[u8]) {
        let Ok(Alert { level, description }) = Alert::read_bytes(plaintext) else {
            self.ctx.counters.count(DropReason::Malformed);
            return;
        };
        if description == AlertDescription::CloseNotify {
            // RFC 5246 7.2.1: answer with our own close_notify.
            if self.ctx.phase != Phase::Closing {
                self.ctx.alert_out = Some((AlertLevel::Warning, AlertDescription::CloseNotify));
            }
            self.ctx.phase = Phase::Closed;
            self.ctx.events.push_back(Event::Closed(Status::new(
                StatusCode::Ok,
                "closed by peer (close_notify)",
            )));
            return;
        }
        if level == AlertLevel::Fatal {
            let status = Status::new(
                received_alert_code(description),
                format!("received fatal alert: {}", alert_name(description)),
            );
            self.ctx.phase = Phase::Closed;
            self.ctx.events.push_back(if self.ctx.negotiated.is_some() {
                Event::Closed(status)
            } else {
                Event::HandshakeFailed(status)
            });
        }
        // Warning alerts other than close_notify are ignored.
    }

    /// Closes the connection with a fatal alert and reports why.
    pub(crate) fn fail(&mut self, fatal: Fatal) {
        if matches!(self.ctx.phase, Phase::Closed | Phase::Closing) {
            return;
        }
        self.ctx.alert_out = Some((AlertLevel::Fatal, fatal.alert));
        let event = if self.ctx.negotiated.is_some() {
            Event::Closed(fatal.status)
        } else {
            Event::HandshakeFailed(fatal.status)
        };
        self.ctx.events.push_back(event);
        self.ctx.phase = Phase::Closing;
        self.ctx.flight_cursor = None;
        self.ctx.timer.stop();
    }

    /// Starts an orderly close: sends close_notify (RFC 5246 7.2.1).
    pub fn close(&mut self, now: Instant) {
        self.ctx.now = Some(now);
        self.close_with(Status::new(StatusCode::Ok, "closed locally"));
    }

    /// Sends close_notify and reports `status` once it is out.
    fn close_with(&mut self, status: Status) {
        if matches!(self.ctx.phase, Phase::Closed | Phase::Closing) {
            return;
        }
        self.ctx.alert_out = Some((AlertLevel::Warning, AlertDescription::CloseNotify));
        self.ctx.phase = Phase::Closing;
        self.ctx.close_status = Some(status);
        self.ctx.flight_cursor = None;
        self.ctx.timer.stop();
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) must be
    /// called at, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if matches!(self.ctx.phase, Phase::Closed | Phase::Closing) {
            return None;
        }
        let keepalive = if self.ctx.is_established() {
            self.ctx.keepalive.deadline()
        } else {
            None
        };
        match (self.ctx.timer.deadline(), keepalive) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs timers due at `now`: handshake retransmission or give-up
    /// (RFC 6347 4.2.4.1).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.ctx.now = Some(now);
        if self.ctx.is_established() {
            match self.ctx.keepalive.on_timeout(now) {
                KeepAliveAction::None => {}
                KeepAliveAction::SendRequest(message) => {
                    self.ctx.heartbeat_out.push_back(message);
                }
                KeepAliveAction::PeerDead(unanswered) => {
                    self.close_with(Status::new(
                        StatusCode::InvalidFlow,
                        format!(
                            "the peer is gone: {unanswered} heartbeat requests went unanswered"
                        ),
                    ));
                }
                KeepAliveAction::Idle(after) => {
                    self.close_with(Status::new(
                        StatusCode::Ok,
                        format!("idle timeout: no data either way for {} s", after.as_secs()),
                    ));
                }
            }
        }
        match self.ctx.timer.on_timeout(now) {
            TimerAction::NotYet => {}
            TimerAction::Retransmit => {
                if !self.ctx.flight.is_empty() {
                    self.ctx.flight_cursor = Some(FlightCursor {
                        entry: 0,
                        offset: 0,
                    });
                    self.ctx.counters.retransmissions += 1;
                }
            }
            TimerAction::GiveUp => {
                let status = Status::new(
                    StatusCode::HandshakeError,
                    "handshake timed out: the peer stopped answering",
                );
                self.ctx.phase = Phase::Closed;
                self.ctx.flight_cursor = None;
                self.ctx.events.push_back(Event::HandshakeFailed(status));
            }
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.ctx.events.pop_front()
    }

    /// Queues one application message, sent as one record in one datagram.
    ///
    /// # Errors
    /// [`Error::NotConnected`] before the handshake completes or after
    /// close; [`Error::MessageTooLarge`] if it does not fit one record;
    /// [`Error::SendBufferFull`] if the send queue is at its cap. Nothing is
    /// queued on error.
    pub fn send(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        if !self.ctx.is_established() {
            return Err(Error::NotConnected);
        }
        if data.len() > self.ctx.max_app_plaintext {
            return Err(Error::MessageTooLarge {
                len: data.len(),
                max: self.ctx.max_app_plaintext,
            });
        }
        if self.ctx.records.write_sequence_exhausted() {
            return Err(Error::NotConnected);
        }
        let cap = self.ctx.common().limits.max_send_buffer;
        if self.ctx.app_out.byte_len() + MessageQueue::cost(data) > cap {
            return Err(Error::SendBufferFull);
        }
        if !self.ctx.app_out.push(data) {
            return Err(Error::MessageTooLarge {
                len: data.len(),
                max: self.ctx.max_app_plaintext,
            });
        }
        self.ctx.keepalive.on_data(now);
        Ok(())
    }

    /// Copies the next received application message into `buf` and returns
    /// its length, or `Ok(None)` if none is waiting.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] (the message stays queued) if `buf` is
    /// shorter than the message.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        let Some(len) = self.ctx.app_in.front_len() else {
            return Ok(None);
        };
        match self.ctx.app_in.pop_into(buf) {
            Some(n) => Ok(Some(n)),
            None => Err(Error::BufferTooSmall { needed: len }),
        }
    }

    /// Writes the next datagram to send into `buf` and returns its length,
    /// or `None` if there is nothing to send. Never writes more than the
    /// configured MTU.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let limit = buf.len().min(self.ctx.common().mtu);
        let buf = buf.get_mut(..limit)?;
        let mut used = 0;

        if let Some((level, description)) = self.ctx.alert_out.take() {
            let epoch = self.ctx.records.write_epoch();
            if let Some(n) =
                self.ctx
                    .records
                    .write_record(buf, used, epoch, ContentType::Alert, |p| {
                        let bytes = Alert { level, description }.to_bytes();
                        p.get_mut(..bytes.len())?.copy_from_slice(&bytes);
                        Some(bytes.len())
                    })
            {
                used += n;
            }
            if self.ctx.phase == Phase::Closing {
                self.ctx.phase = Phase::Closed;
                if let Some(status) = self.ctx.close_status.take() {
                    self.ctx.events.push_back(Event::Closed(status));
                }
            }
            return (used > 0).then_some(used);
        }

        used += self.transmit_flight(now, buf, used);

        if self.ctx.is_established() {
            while let Some(message) = self.ctx.heartbeat_out.front() {
                let needed = self.ctx.records.record_overhead(1) + message.len();
                if used + needed > buf.len() {
                    break;
                }
                let message = self.ctx.heartbeat_out.pop_front().unwrap_or_default();
                let written =
                    self.ctx
                        .records
                        .write_record(buf, used, 1, ContentType::Heartbeat, |p| {
                            p.get_mut(..message.len())?.copy_from_slice(&message);
                            Some(message.len())
                        });
                match written {
                    Some(n) => used += n,
                    None => break,
                }
            }
        }

        if self.ctx.is_established() {
            while let Some(len) = self.ctx.app_out.front_len() {
                let needed = self.ctx.records.record_overhead(1) + len;
                if used + needed > buf.len() {
                    break;
                }
                let records = &mut self.ctx.records;
                let Some(dst) = buf.get_mut(used..) else {
                    break;
                };
                let offset = records.payload_offset(1);
                // The plaintext goes straight into the transmit buffer and
                // is sealed there in place.
                let Some(payload) = dst.get_mut(offset..) else {
                    break;
                };
                if self.ctx.app_out.pop_into(payload).is_none() {
                    break;
                }
                match records.seal(ContentType::ApplicationData, 1, dst, len) {
                    Some(n) => {
                        used += n;
                        self.ctx.counters.records_out += 1;
                    }
                    None => break,
                }
            }
        }
        (used > 0).then_some(used)
    }

    /// Packs as much of the current flight as fits after `used` bytes.
    fn transmit_flight(&mut self, now: Instant, buf: &mut [u8], mut used: usize) -> usize {
        let start = used;
        while let Some(cursor) = self.ctx.flight_cursor {
            let Some(entry) = self.ctx.flight.iter().nth(cursor.entry) else {
                // Whole flight sent.
                self.ctx.flight_cursor = None;
                self.ctx.flight_sent_at = Some(now);
                // First transmission of a flight arms the timer; after a
                // retransmission it is already re-armed with the doubled
                // timeout (RFC 6347 4.2.4.1), and restarting it would reset
                // the give-up count.
                if self.ctx.flight_expects_reply && !self.ctx.timer.is_running() {
                    self.ctx.timer.start(now);
                }
                break;
            };
            let epoch = entry.epoch;
            let overhead = self.ctx.records.record_overhead(epoch);
            let free = buf.len().saturating_sub(used);
            match &entry.content {
                FlightContent::ChangeCipherSpec => {
                    if free < overhead + 1 {
                        break;
                    }
                    let n = self.ctx.records.write_record(
                        buf,
                        used,
                        epoch,
                        ContentType::ChangeCipherSpec,
                        |p| {
                            let bytes = ChangeCipherSpec::BYTES;
                            p.get_mut(..bytes.len())?.copy_from_slice(&bytes);
                            Some(bytes.len())
                        },
                    );
                    let Some(n) = n else { break };
                    used += n;
                    self.ctx.flight_cursor = Some(FlightCursor {
                        entry: cursor.entry + 1,
                        offset: 0,
                    });
                }
                FlightContent::Handshake {
                    msg_type,
                    message_seq,
                    body,
                } => {
                    let remaining = body.len().saturating_sub(cursor.offset);
                    let room = free.saturating_sub(overhead + HANDSHAKE_HEADER_LEN);
                    // Do not start a tiny fragment at the end of a datagram;
                    // but always make progress in an empty datagram.
                    if room == 0 || (room < remaining && room < 64 && used > start) {
                        break;
                    }
                    let take = remaining.min(room);
                    let (msg_type, message_seq) = (*msg_type, *message_seq);
                    let length = body.len();
                    let offset = cursor.offset;
                    // Borrowed straight from the held flight: only the record
                    // layer is borrowed mutably, so nothing is copied first.
                    let Some(fragment) = fragment_at(
                        HandshakeType::from(msg_type),
                        message_seq,
                        body,
                        offset,
                        take,
                    ) else {
                        break;
                    };
                    let n = self.ctx.records.write_record(
                        buf,
                        used,
                        epoch,
                        ContentType::Handshake,
                        |p| fragment.write_to(p),
                    );
                    let Some(n) = n else { break };
                    used += n;
                    let next = if offset + take >= length {
                        FlightCursor {
                            entry: cursor.entry + 1,
                            offset: 0,
                        }
                    } else {
                        FlightCursor {
                            entry: cursor.entry,
                            offset: offset + take,
                        }
                    };
                    self.ctx.flight_cursor = Some(next);
                    if room < remaining {
                        // This datagram is full.
                        break;
                    }
                }
            }
        }
        used - start
    }

    /// The application's verdict on a client certificate reported by
    /// [`Event::ClientCertificate`] (server only; the seed's
    /// `SSLClientAuthentication` Accept parameter).
    pub fn decide_client_certificate(&mut self, now: Instant, accept: bool) {
        if let Handshake::Server(state) = &mut self.handshake {
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
        let secrets = match &self.handshake {
            Handshake::Server(state) => state.session_secrets(),
            Handshake::Client(state) => state.session_secrets(),
        };
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
}

impl Connection {
    /// The client's random of the completed handshake (RFC 5246 7.4.1.2),
    /// which tells a retransmitted ClientHello from a new one.
    pub fn client_random(&self) -> Option<[u8; 32]> {
        match &self.handshake {
            Handshake::Server(state) => state.session_secrets(),
            Handshake::Client(state) => state.session_secrets(),
        }
        .map(|s| s.client_random)
    }

    /// The session's line in the NSS key log format
    /// (`CLIENT_RANDOM <client_random> <master_secret>`, hex), once
    /// established, so Wireshark can decrypt a capture. For debugging only:
    /// it discloses the session's keys.
    pub fn key_log_line(&self) -> Option<String> {
        let secrets = match &self.handshake {
            Handshake::Server(state) => state.session_secrets(),
            Handshake::Client(state) => state.session_secrets(),
        }?;
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

/// The registry name of an alert description (RFC 5246 7.2 and later
/// RFCs), for status texts.
pub(crate) fn alert_name(description: AlertDescription) -> String {
    use AlertDescription as A;
    let name = match description {
        A::CloseNotify => "close_notify",
        A::UnexpectedMessage => "unexpected_message",
        A::BadRecordMac => "bad_record_mac",
        A::RecordOverflow => "record_overflow",
        A::HandshakeFailure => "handshake_failure",
        A::BadCertificate => "bad_certificate",
        A::UnsupportedCertificate => "unsupported_certificate",
        A::CertificateRevoked => "certificate_revoked",
        A::CertificateExpired => "certificate_expired",
        A::CertificateUnknown => "certificate_unknown",
        A::IllegalParameter => "illegal_parameter",
        A::UnknownCa => "unknown_ca",
        A::AccessDenied => "access_denied",
        A::DecodeError => "decode_error",
        A::DecryptError => "decrypt_error",
        A::ProtocolVersion => "protocol_version",
        A::InsufficientSecurity => "insufficient_security",
        A::InternalError => "internal_error",
        A::UserCanceled => "user_canceled",
        A::NoRenegotiation => "no_renegotiation",
        A::UnsupportedExtension => "unsupported_extension",
        A::UnrecognizedName => "unrecognized_name",
        A::NoApplicationProtocol => "no_application_protocol",
        other => return format!("{other:?} ({})", u8::from(other)),
    };
    name.to_owned()
}

/// The status code reported for a fatal alert the peer sent: the
/// certificate alerts of RFC 5246 7.2.2 mean our certificate was refused
/// (404, as on the side that refused it); anything else is 405.
fn received_alert_code(description: AlertDescription) -> StatusCode {
    use AlertDescription as A;
    match description {
        A::BadCertificate
        | A::UnsupportedCertificate
        | A::CertificateRevoked
        | A::CertificateExpired
        | A::CertificateUnknown
        | A::UnknownCa => StatusCode::InvalidCertificate,
        _ => StatusCode::FatalAlert,
    }
}

/// The complete-message type handed to the state machines.
pub(crate) type Message = CompleteMessage;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Identity;
    use crate::msgs::codec::Codec;
    use crate::msgs::handshake::HandshakeType;
    use crate::msgs::messages::ClientHello;

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
        let mut server = Connection::new_server(server_config, peer, 0, 0, None);
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
            server.ctx.alert_out,
            Some((AlertLevel::Warning, AlertDescription::NoRenegotiation))
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
