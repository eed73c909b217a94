//! `Ctx`: everything a connection owns except its role, in owned parts.
//! The handshake state machines borrow it to read input and queue output.

use std::collections::VecDeque;
use std::time::Instant;

use dtls_crypto::record::RecordProtection;

use crate::config::{CommonConfig, Limits};
use crate::event::{Counters, Event, NegotiatedParams};
use crate::msgs::alert::{Alert, AlertDescription, AlertLevel};

use super::flight_tx::FlightTransmitter;
use super::input::Inbox;
use super::keepalive::KeepAlive;
use super::lifecycle::Lifecycle;
use super::output::Outbox;
use super::record_layer::{MAX_PLAINTEXT, RecordLayer};
use super::transcript::Transcript;

/// The connection's state apart from its role (see the module list in
/// [`conn`](super)).
pub(crate) struct Ctx {
    /// Epochs, keys, sequence numbers, replay windows.
    pub(crate) records: RecordLayer,
    /// The handshake messages so far (RFC 5246 7.4.9).
    pub(crate) transcript: Transcript,
    /// Our flights, their retransmission and pacing.
    pub(super) flight: FlightTransmitter,
    /// What arrived and waits: handshake fragments, early records, data.
    pub(super) inbox: Inbox,
    /// The peer's ChangeCipherSpec arrived before we could act on it.
    pub(crate) peer_ccs_pending: bool,
    /// What waits to be sent besides the flight: alert, heartbeats, data.
    pub(super) outbox: Outbox,
    /// Handshaking, established, closing or closed.
    pub(super) lifecycle: Lifecycle,
    events: VecDeque<Event>,
    pub(crate) counters: Counters,
    /// Heartbeat keep-alive, dead-peer detection and idle timeout.
    pub(crate) keepalive: KeepAlive,
    /// The peer's record_size_limit (RFC 8449), if it sent one.
    pub(crate) peer_record_size_limit: Option<usize>,
    /// The peer's heartbeat mode from its hello, once known: `Some(true)`
    /// if it allows us to send requests (RFC 6520 2).
    pub(crate) peer_heartbeat_mode: Option<bool>,
    /// Largest datagram we send.
    pub(super) mtu: usize,
    /// [`CommonConfig::application_records_fit_mtu`].
    application_records_fit_mtu: bool,
    /// Caps on what the peer and the application can make us buffer.
    pub(super) limits: Limits,
    /// Largest plaintext of one outgoing application record.
    pub(super) max_app_plaintext: usize,
    /// The time of the latest input, for state changes that need one.
    pub(super) now: Option<Instant>,
    /// Whether the peer's current address is proven (RFC 9146 6).
    pub(super) path: super::migration::PathState,
    /// The connection ID we ask the peer to put in its records: a client's
    /// from its config, a server's from its endpoint (RFC 9146 3). Used
    /// only if the peer's hello takes it up.
    pub(crate) issued_cid: Option<Vec<u8>>,
}

impl Ctx {
    /// A fresh connection state from the shared settings. A server passes
    /// the record sequence and message_seq of the ClientHello that proved
    /// the peer's address (RFC 6347 4.2.1); a client passes zeros. The
    /// handshake deadline counts from `now`.
    pub(super) fn new(
        now: Instant,
        common: &CommonConfig,
        first_write_sequence: u64,
        next_recv_seq: u16,
        first_send_seq: u16,
    ) -> Self {
        Ctx {
            records: RecordLayer::new(common.replay_window, first_write_sequence),
            transcript: Transcript::new(),
            flight: FlightTransmitter::new(
                common.retransmit,
                first_send_seq,
                common.pack_handshake_messages,
            ),
            inbox: Inbox::new(&common.limits, next_recv_seq),
            peer_ccs_pending: false,
            outbox: Outbox::default(),
            lifecycle: Lifecycle::Handshaking {
                deadline: common.handshake_timeout.and_then(|t| now.checked_add(t)),
            },
            events: VecDeque::new(),
            counters: Counters::default(),
            keepalive: KeepAlive::new(
                common.keep_alive,
                common.idle_timeout,
                common.provider.clone(),
            ),
            peer_record_size_limit: None,
            peer_heartbeat_mode: None,
            mtu: common.mtu,
            application_records_fit_mtu: common.application_records_fit_mtu,
            limits: common.limits,
            max_app_plaintext: MAX_PLAINTEXT,
            now: None,
            path: Default::default(),
            issued_cid: None,
        }
    }

    /// Reports handshake progress (the seed's SSLStatus event).
    pub(crate) fn progress(&mut self, text: impl Into<String>) {
        self.events.push_back(Event::HandshakeProgress(text.into()));
    }

    /// Queues an event.
    pub(crate) fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// The next event, if any.
    pub(super) fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Starts a new outgoing flight: the previous one is implicitly
    /// acknowledged by the peer's reply (RFC 6347 4.2.4).
    pub(crate) fn begin_flight(&mut self, expects_reply: bool) {
        self.flight.begin(expects_reply);
    }

    /// The peer has started answering our flight, which is therefore
    /// acknowledged (RFC 6347 4.2.4).
    pub(crate) fn peer_flight_started(&mut self) {
        self.flight.peer_flight_started();
    }

    /// Appends a handshake message to the current flight and the transcript.
    pub(crate) fn queue_handshake(&mut self, msg_type: u8, body: Vec<u8>) {
        let message_seq = self.flight.take_send_seq();
        self.transcript.add_message(msg_type, message_seq, &body);
        let epoch = self.records.write_epoch();
        self.flight
            .push_handshake(epoch, msg_type, message_seq, body);
    }

    /// Appends ChangeCipherSpec (in the current epoch) to the flight and
    /// switches writing to epoch 1 with `protection` (RFC 5246 7.1).
    pub(crate) fn queue_change_cipher_spec(&mut self, protection: RecordProtection) {
        let epoch = self.records.write_epoch();
        self.flight.push_change_cipher_spec(epoch);
        self.records.install_write_keys(protection);
    }

    /// Queues a warning alert (e.g. no_renegotiation) without closing.
    pub(crate) fn queue_alert_warning(&mut self, description: AlertDescription) {
        self.outbox.alert.get_or_insert(Alert {
            level: AlertLevel::Warning,
            description,
        });
    }

    /// Marks the handshake complete.
    pub(crate) fn established(&mut self, params: NegotiatedParams) {
        self.max_app_plaintext = self.compute_max_app_plaintext();
        self.lifecycle = Lifecycle::Established(Box::new(params.clone()));
        self.transcript.clear();
        if let Some(now) = self.now {
            self.keepalive.on_established(now, self.peer_heartbeat_mode);
        }
        self.events.push_back(Event::Connected(Box::new(params)));
    }

    fn compute_max_app_plaintext(&self) -> usize {
        let overhead = self.records.record_overhead(1);
        let by_mtu = if self.application_records_fit_mtu {
            self.mtu.saturating_sub(overhead)
        } else {
            MAX_PLAINTEXT
        };
        let by_peer = self.peer_record_size_limit.unwrap_or(MAX_PLAINTEXT);
        by_mtu.min(by_peer).min(MAX_PLAINTEXT)
    }

    /// Whether the handshake completed.
    pub(crate) fn is_established(&self) -> bool {
        self.lifecycle.is_established()
    }
}
