//! The input path: one datagram in, record by record, to the record layer,
//! the reassembler, the handshake state machine and the receive queue.

use std::net::SocketAddr;
use std::time::Instant;

use crate::config::Limits;
use crate::event::{DropReason, Event, Status, StatusCode};
use crate::handshake::reassembler::{
    FragmentIn, HandshakeReassembler, InsertOutcome, ReassemblyLimits,
};
use crate::msgs::alert::{Alert, AlertDescription, AlertLevel};
use crate::msgs::ccs::ChangeCipherSpec;
use crate::msgs::codec::Codec;
use crate::msgs::handshake::HandshakeFragments;
use crate::msgs::record::{
    ContentType, ProtocolVersion, RECORD_HEADER_LEN, RecordHeader, parse_record_with_cid,
};

use super::Connection;
use super::flight_tx::{PeerResend, PeerTrigger};
use super::peer_error::PeerError;
use super::queue::MessageQueue;
use super::record_layer::OpenOutcome;

/// Heartbeat messages (our requests and responses) waiting to be sent.
/// Matches the default response budget, so a burst within it is answered.
const MAX_QUEUED_HEARTBEATS: usize = 16;

/// What arrived from the peer and waits to be used.
pub(crate) struct Inbox {
    /// Handshake fragments, put back together in message_seq order.
    pub(super) reassembler: HandshakeReassembler,
    /// Epoch-1 records that arrived before the peer's ChangeCipherSpec.
    early_records: Vec<Vec<u8>>,
    early_bytes: usize,
    /// Application messages for [`Connection::recv`].
    pub(super) app: MessageQueue,
    /// The most bytes the three buffers above may hold together: an
    /// endpoint sets it before each input from its budget shared by every
    /// connection (`ServerConfig::peer_buffer_budget`); unbounded (each
    /// buffer's own cap only) otherwise.
    allowance: usize,
}

impl Inbox {
    pub(super) fn new(limits: &Limits, next_recv_seq: u16) -> Self {
        let mut reassembler = HandshakeReassembler::new(ReassemblyLimits {
            max_message_len: u32::try_from(limits.max_handshake_message).unwrap_or(u32::MAX),
            max_buffered_bytes: limits.max_reassembly_bytes,
            ..ReassemblyLimits::default()
        });
        reassembler.set_next_expected(next_recv_seq);
        Inbox {
            reassembler,
            early_records: Vec::new(),
            early_bytes: 0,
            app: MessageQueue::default(),
            allowance: usize::MAX,
        }
    }

    /// Bytes held for the peer: reassembly (each started message at its
    /// declared length), early records and unread application data.
    pub(super) fn held_bytes(&self) -> usize {
        self.reassembler.buffered_bytes() + self.early_bytes + self.app.byte_len()
    }

    /// Whether `more` bytes fit both `cap` (one buffer's own limit, of which
    /// `used` is taken) and the shared allowance.
    fn fits(&self, used: usize, more: usize, cap: usize) -> bool {
        used.saturating_add(more) <= cap && self.held_bytes().saturating_add(more) <= self.allowance
    }
}

/// Where opened application data goes: a caller's callback
/// ([`Connection::handle_datagram_with`]) or, if `None`, the receive queue.
pub(crate) type DataSink<'r, 'f> = Option<&'r mut (dyn FnMut(&[u8]) + 'f)>;

impl Connection {
    /// Feeds one datagram received from the peer. `datagram` is decrypted in
    /// place. Invalid records are dropped and counted (RFC 6347 4.1.2.7).
    pub fn handle_datagram(&mut self, now: Instant, datagram: &mut [u8]) {
        self.handle_datagram_from(now, None, datagram);
    }

    /// [`handle_datagram`](Self::handle_datagram) that hands each
    /// application message to `on_data` as it is opened, as a slice of
    /// `datagram` (decrypted in place), instead of queueing a copy for
    /// [`recv`](Self::recv); no [`Event::DataReadable`] is raised for them.
    ///
    /// Messages keep their order: while messages queued by earlier calls
    /// wait for `recv`, new ones queue behind them, so read those first.
    /// Everything else (handshake, alerts, heartbeats, events) is handled
    /// as by `handle_datagram`.
    pub fn handle_datagram_with(
        &mut self,
        now: Instant,
        datagram: &mut [u8],
        mut on_data: impl FnMut(&[u8]),
    ) {
        self.handle_datagram_into(now, None, datagram, Some(&mut on_data));
    }

    /// [`handle_datagram`](Self::handle_datagram) for a datagram from
    /// `from` (the endpoint's routing by connection ID can deliver one from
    /// a new address; RFC 9146 6).
    pub(crate) fn handle_datagram_from(
        &mut self,
        now: Instant,
        from: Option<SocketAddr>,
        datagram: &mut [u8],
    ) {
        self.handle_datagram_into(now, from, datagram, None);
    }

    /// The input loop: application messages go to `sink` if given (and
    /// nothing is queued ahead of them), else to the receive queue.
    pub(crate) fn handle_datagram_into(
        &mut self,
        now: Instant,
        from: Option<SocketAddr>,
        datagram: &mut [u8],
        mut sink: DataSink<'_, '_>,
    ) {
        self.ctx.now = Some(now);
        if from.is_none_or(|from| from == self.peer) {
            self.ctx.path.on_received(datagram.len());
        }
        let datagram_len = datagram.len();
        let cid_len = self.ctx.records.read_cid_len();
        let mut pos = 0;
        while pos < datagram.len() {
            let Some(rest) = datagram.get_mut(pos..) else {
                break;
            };
            let (header, cid_range, header_len, record_len) =
                match parse_record_with_cid(rest, cid_len) {
                    Ok(split) => (
                        split.header,
                        11..11 + split.cid.len(),
                        split.header_len,
                        split.record_len(),
                    ),
                    Err(_) => {
                        // A record that does not parse makes the rest of the
                        // datagram unparseable too.
                        self.ctx.counters.count(DropReason::Malformed);
                        break;
                    }
                };
            if let Some(record) = rest.get_mut(..record_len) {
                let from = from.map(|addr| (addr, datagram_len));
                let sink = sink.as_deref_mut();
                self.handle_record(now, from, header, cid_range, header_len, record, sink);
            }
            pos += record_len;
        }
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "the record's parsed header parts and where its data goes, all borrowed from the caller's datagram loop"
    )]
    fn handle_record(
        &mut self,
        now: Instant,
        from: Option<(SocketAddr, usize)>,
        header: RecordHeader,
        cid_range: std::ops::Range<usize>,
        header_len: usize,
        record: &mut [u8],
        sink: DataSink<'_, '_>,
    ) {
        if self.ctx.lifecycle.is_closed() {
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
        let (head, body) = record.split_at_mut(header_len.min(record.len()));
        let cid = head.get(cid_range).unwrap_or(&[]);
        match self.ctx.records.open(
            header.content_type,
            u16::from(header.version),
            header.epoch,
            header.sequence_number,
            cid,
            body,
        ) {
            OpenOutcome::Dropped(reason) => self.ctx.counters.count(reason),
            OpenOutcome::Early => self.buffer_early(record),
            OpenOutcome::Opened(opened) => {
                let Some(plaintext) = body.get(opened.plaintext.clone()) else {
                    return;
                };
                if opened.epoch >= 1 {
                    // Any authenticated record proves the peer is alive.
                    self.ctx.counters.authenticated += 1;
                    self.ctx.keepalive.on_peer_alive(now);
                }
                if opened.newest_with_cid
                    && let Some((from, datagram_len)) = from
                {
                    self.peer_seen_at(now, from, datagram_len);
                }
                self.dispatch(now, opened.content_type, opened.epoch, plaintext, sink);
            }
        }
    }

    /// Peer-fillable bytes this connection holds (see
    /// [`Limits`](crate::config::Limits)): what an endpoint counts against
    /// its `peer_buffer_budget`.
    pub fn buffered_bytes(&self) -> usize {
        self.ctx.inbox.held_bytes()
    }

    /// Sets the most peer-fillable bytes this connection may hold in total
    /// until the next call; input beyond it is dropped and counted as
    /// [`DropReason::BufferFull`].
    pub(crate) fn set_buffer_allowance(&mut self, bytes: usize) {
        self.ctx.inbox.allowance = bytes;
    }

    fn buffer_early(&mut self, record: &[u8]) {
        let inbox = &mut self.ctx.inbox;
        let cap = self.ctx.limits.max_early_records_bytes;
        if !inbox.fits(inbox.early_bytes, record.len(), cap) {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        inbox.early_bytes += record.len();
        inbox.early_records.push(record.to_vec());
    }

    fn replay_early_records(&mut self, now: Instant) {
        let early = std::mem::take(&mut self.ctx.inbox.early_records);
        self.ctx.inbox.early_bytes = 0;
        for mut record in early {
            self.handle_datagram(now, &mut record);
        }
    }

    fn dispatch(
        &mut self,
        now: Instant,
        content_type: ContentType,
        epoch: u16,
        plaintext: &[u8],
        sink: DataSink<'_, '_>,
    ) {
        let read_epoch = self.ctx.records.read_epoch();
        match content_type {
            ContentType::Handshake => self.handle_handshake_record(now, epoch, plaintext),
            ContentType::ChangeCipherSpec => {
                // The epoch is checked first: a plaintext CCS once keys are
                // in use is a retransmission (RFC 6347 4.2.4) or a forgery,
                // and must not close the connection whatever its body.
                if epoch != 0 || read_epoch != 0 {
                    self.ctx.counters.count(DropReason::Unexpected);
                    return;
                }
                // Unauthenticated like every epoch-0 record: a malformed one
                // is dropped, not fatal, so a forgery cannot end the
                // handshake either.
                if ChangeCipherSpec::read_bytes(plaintext).is_err() {
                    self.ctx.counters.count(DropReason::Malformed);
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
                self.ctx.flight.forget();
                self.ctx.keepalive.on_data(now);
                match sink {
                    // Nothing queued ahead of it: straight to the caller.
                    Some(sink) if self.ctx.inbox.app.is_empty() => {
                        self.ctx.counters.records_in += 1;
                        sink(plaintext);
                    }
                    _ => self.deliver(plaintext),
                }
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
        if self.ctx.outbox.heartbeats.len() >= MAX_QUEUED_HEARTBEATS {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        let max_response = self.ctx.max_app_plaintext;
        match self.ctx.keepalive.on_message(now, plaintext, max_response) {
            Ok(Some(response)) => self.ctx.outbox.heartbeats.push_back(response),
            Ok(None) => {}
            Err(reason) => self.ctx.counters.count(reason),
        }
        if self.ctx.keepalive.take_path_proven() {
            self.path_proven();
        }
    }

    fn deliver(&mut self, plaintext: &[u8]) {
        let inbox = &mut self.ctx.inbox;
        let cost = MessageQueue::cost(plaintext);
        if !inbox.fits(
            inbox.app.byte_len(),
            cost,
            self.ctx.limits.max_receive_buffer,
        ) {
            self.ctx.counters.count(DropReason::BufferFull);
            return;
        }
        let app = &mut inbox.app;
        let was_empty = app.is_empty();
        if !app.push(plaintext) {
            self.ctx.counters.count(DropReason::Malformed);
            return;
        }
        self.ctx.counters.records_in += 1;
        if was_empty {
            self.ctx.emit(Event::DataReadable);
        }
    }

    fn handle_handshake_record(&mut self, now: Instant, epoch: u16, plaintext: &[u8]) {
        let read_epoch = self.ctx.records.read_epoch();
        let mut saw_old = false;
        // Anything at epoch 1 or above decrypted and verified to get here.
        let trigger = if epoch == 0 {
            PeerTrigger::Plaintext
        } else {
            PeerTrigger::Authenticated
        };
        for frag in HandshakeFragments::new(plaintext) {
            let Ok(frag) = frag else {
                self.ctx.counters.count(DropReason::Malformed);
                return;
            };
            let inbox = &mut self.ctx.inbox;
            let others = inbox.early_bytes + inbox.app.byte_len();
            let cap = inbox.allowance.saturating_sub(others);
            let reassembler = &mut inbox.reassembler;
            reassembler.set_max_buffered_bytes(cap.min(self.ctx.limits.max_reassembly_bytes));
            if epoch < read_epoch {
                // Old epoch: only a retransmission of the peer's previous
                // flight can legitimately arrive here.
                if u32::from(frag.message_seq) < reassembler.next_expected_seq() {
                    saw_old = true;
                } else {
                    self.ctx.counters.count(DropReason::WrongEpoch);
                }
                continue;
            }
            match reassembler.insert(FragmentIn::from(frag)) {
                Ok(InsertOutcome::Old) => saw_old = true,
                Ok(InsertOutcome::TooFarAhead) => self.ctx.counters.count(DropReason::Unexpected),
                Ok(_) => {}
                Err(_) => self.ctx.counters.count(DropReason::BufferFull),
            }
        }
        if saw_old {
            match self.ctx.flight.on_peer_retransmission(
                now,
                trigger,
                RECORD_HEADER_LEN + plaintext.len(),
            ) {
                PeerResend::Resend => self.ctx.counters.retransmissions += 1,
                PeerResend::Paced | PeerResend::OverBudget => {
                    self.ctx.counters.count(DropReason::Unexpected)
                }
                PeerResend::Nothing => {}
            }
        }
        self.drive_handshake(now);
    }

    /// Feeds complete handshake messages (and a pending CCS) to the state
    /// machine until it can make no more progress.
    pub(super) fn drive_handshake(&mut self, now: Instant) {
        loop {
            if self.ctx.lifecycle.is_ending() {
                return;
            }
            let before_epoch = self.ctx.records.read_epoch();
            let message = self.ctx.inbox.reassembler.pop_complete();
            match self.role.step(&mut self.ctx, now, message.as_ref()) {
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
            if !self.ctx.lifecycle.is_closing() {
                self.ctx.outbox.alert = Some(Alert::close_notify());
            }
            self.ctx.lifecycle.close();
            self.ctx.emit(Event::Closed(Status::new(
                StatusCode::Ok,
                "closed by peer (close_notify)",
            )));
            return;
        }
        if level == AlertLevel::Fatal {
            let status = PeerError::AlertReceived(description).status();
            let event = self.ctx.lifecycle.failure_event(status);
            self.ctx.lifecycle.close();
            self.ctx.emit(event);
        }
        // Warning alerts other than close_notify are ignored.
    }

    /// Copies the next received application message into `buf` and returns
    /// its length, or `Ok(None)` if none is waiting.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall) (the message
    /// stays queued) if `buf` is shorter than the message.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, crate::Error> {
        let app = &mut self.ctx.inbox.app;
        let Some(len) = app.front_len() else {
            return Ok(None);
        };
        match app.pop_into(buf) {
            Some(n) => Ok(Some(n)),
            None => Err(crate::Error::BufferTooSmall { needed: len }),
        }
    }
}
