//! The flight transmitter: our last flight, where its sending stands, and
//! when it is sent again (RFC 6347 4.2.4).
//!
//! It owns everything about outgoing handshake flights: the held flight,
//! the cursor of the send in progress, whether the flight expects a reply,
//! the retransmission timer with its backoff, the pacing of re-sends the
//! peer triggers, and the `message_seq` of our next handshake message
//! (RFC 6347 4.2.2). [`write`](FlightTransmitter::write) fragments the
//! flight into the room a datagram has left (RFC 6347 4.2.3).

use std::time::Instant;

use crate::handshake::flight::{FlightBuffer, FlightContent, FlightEntry};
use crate::handshake::{HANDSHAKE_HEADER_LEN, fragment_at};
use crate::msgs::ccs::ChangeCipherSpec;
use crate::msgs::handshake::HandshakeType;
use crate::msgs::record::ContentType;
use crate::timer::{RetransmitConfig, RetransmitTimer, TimerAction};

use super::record_layer::RecordLayer;

/// How many re-sends of one flight unauthenticated triggers can buy; a
/// genuine peer retransmits a few times before it gives up.
pub(crate) const MAX_PLAINTEXT_RESENDS: u32 = 8;

/// Smallest handshake fragment started after other messages in a
/// datagram; a smaller rest waits for the next datagram.
const MIN_TRAILING_FRAGMENT: usize = 64;

/// Where the send of the current flight stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FlightCursor {
    entry: usize,
    offset: usize,
}

impl FlightCursor {
    /// The start of the flight: a first send or a re-send.
    const START: FlightCursor = FlightCursor {
        entry: 0,
        offset: 0,
    };

    fn next_entry(self) -> Self {
        FlightCursor {
            entry: self.entry + 1,
            offset: 0,
        }
    }
}

/// What a peer's retransmission made the transmitter do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerResend {
    /// The flight is queued again.
    Resend,
    /// Too soon after the last send: ignored (and worth counting).
    Paced,
    /// Unauthenticated triggers have not yet paid for a re-send of the
    /// flight (and are worth counting).
    OverBudget,
    /// Nothing to re-send (no flight, one being sent, or a final flight
    /// too old for an unauthenticated trigger).
    Nothing,
}

/// What showed that the peer re-sent a flight we already processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerTrigger {
    /// An epoch-0 fragment: anyone can forge it with the peer's address.
    Plaintext,
    /// A fragment that decrypted and verified under the current epoch.
    Authenticated,
}

/// What the retransmission timer did when it fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlightTimeout {
    /// The flight is queued again.
    Resend,
    /// The last allowed retransmission went unanswered (RFC 6347 4.2.4.1).
    GaveUp,
    /// Not due, or nothing to re-send.
    Nothing,
}

/// Our outgoing handshake flights (RFC 6347 4.2.4).
#[derive(Debug)]
pub(crate) struct FlightTransmitter {
    flight: FlightBuffer,
    /// `Some` while (part of) the flight is waiting to be written.
    cursor: Option<FlightCursor>,
    /// Whether the flight expects an answer (so the retransmission timer
    /// runs after it is sent). The server's final flight does not
    /// (RFC 6347 4.2.4: it is re-sent only when the client re-sends).
    expects_reply: bool,
    timer: RetransmitTimer,
    /// When the flight was last sent in full: paces peer-triggered re-sends.
    sent_at: Option<Instant>,
    /// Bytes the send in progress has written so far.
    bytes_this_send: usize,
    /// Bytes one full send of the flight took.
    flight_bytes: usize,
    /// Bytes of plaintext triggers received and not yet spent on re-sends:
    /// what unauthenticated input has paid for (the amplification bound).
    plaintext_credit: usize,
    /// Re-sends plaintext triggers bought for this flight.
    plaintext_resends: u32,
    /// message_seq of our next handshake message (RFC 6347 4.2.2).
    next_send_seq: u16,
    /// Several whole handshake messages may share a record
    /// ([`CommonConfig::pack_handshake_messages`](crate::config::CommonConfig::pack_handshake_messages)).
    pack_messages: bool,
}

impl FlightTransmitter {
    /// No flight yet; our first handshake message gets `first_send_seq`
    /// (a server mirrors the ClientHello's, RFC 6347 4.2.2).
    pub(crate) fn new(
        retransmit: RetransmitConfig,
        first_send_seq: u16,
        pack_messages: bool,
    ) -> Self {
        FlightTransmitter {
            pack_messages,
            flight: FlightBuffer::new(),
            cursor: None,
            expects_reply: true,
            timer: RetransmitTimer::new(retransmit),
            sent_at: None,
            bytes_this_send: 0,
            flight_bytes: 0,
            plaintext_credit: 0,
            plaintext_resends: 0,
            next_send_seq: first_send_seq,
        }
    }

    /// Starts a new flight, which implicitly acknowledges the previous one
    /// (RFC 6347 4.2.4).
    pub(crate) fn begin(&mut self, expects_reply: bool) {
        self.flight.clear();
        self.cursor = None;
        self.expects_reply = expects_reply;
        self.sent_at = None;
        self.bytes_this_send = 0;
        self.flight_bytes = 0;
        self.plaintext_credit = 0;
        self.plaintext_resends = 0;
        self.timer.stop();
    }

    /// The peer started answering: our flight is acknowledged. Forgetting
    /// it keeps a retransmission of the peer's flight from being answered
    /// with our stale one (a ping-pong at link speed).
    pub(crate) fn peer_flight_started(&mut self) {
        self.timer.stop();
        self.forget();
    }

    /// The peer's protected data proves it got our final flight.
    pub(crate) fn forget(&mut self) {
        self.flight.clear();
        self.cursor = None;
    }

    /// The connection is closing: nothing more is sent or retransmitted.
    pub(crate) fn stop(&mut self) {
        self.cursor = None;
        self.timer.stop();
    }

    /// Arms the timer for a flight already on its way (the client's first
    /// ClientHello, sent by the first `poll_transmit`).
    pub(crate) fn arm(&mut self, now: Instant) {
        self.timer.start(now);
    }

    /// Takes the message_seq for our next handshake message.
    pub(crate) fn take_send_seq(&mut self) -> u16 {
        let seq = self.next_send_seq;
        self.next_send_seq = seq.wrapping_add(1);
        seq
    }

    /// Appends a handshake message, kept whole, to the flight.
    pub(crate) fn push_handshake(
        &mut self,
        epoch: u16,
        msg_type: u8,
        message_seq: u16,
        body: Vec<u8>,
    ) {
        let content = FlightContent::Handshake {
            msg_type,
            message_seq,
            body,
        };
        self.push(epoch, content);
    }

    /// Appends a ChangeCipherSpec to the flight.
    pub(crate) fn push_change_cipher_spec(&mut self, epoch: u16) {
        self.push(epoch, FlightContent::ChangeCipherSpec);
    }

    fn push(&mut self, epoch: u16, content: FlightContent) {
        self.flight.push(epoch, content);
        self.cursor.get_or_insert(FlightCursor::START);
    }

    /// When the retransmission timer fires, if it runs.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.timer.deadline()
    }

    /// The retransmission timer's wake-up (RFC 6347 4.2.4.1).
    pub(crate) fn on_timeout(&mut self, now: Instant) -> FlightTimeout {
        match self.timer.on_timeout(now) {
            TimerAction::NotYet => FlightTimeout::Nothing,
            TimerAction::Retransmit if self.flight.is_empty() => FlightTimeout::Nothing,
            TimerAction::Retransmit => {
                self.cursor = Some(FlightCursor::START);
                FlightTimeout::Resend
            }
            TimerAction::GiveUp => {
                self.cursor = None;
                FlightTimeout::GaveUp
            }
        }
    }

    /// The peer re-sent (part of) a flight we already processed: it did not
    /// get our reply, so re-send ours (RFC 6347 4.2.4).
    ///
    /// A [`Plaintext`](PeerTrigger::Plaintext) trigger (an epoch-0 record
    /// of `trigger_bytes`) can be forged by anyone with the peer's address,
    /// and our flight may be many times larger. So it only buys a re-send
    /// once the plaintext triggers received since the last one add up to
    /// the flight's size (bytes out never exceed bytes in), at most
    /// [`MAX_PLAINTEXT_RESENDS`] times per flight, and never for a final
    /// flight older than twice the largest timeout. A flight that expects a
    /// reply has its own timer, so a genuine peer loses nothing. An
    /// [`Authenticated`](PeerTrigger::Authenticated) trigger (a record that
    /// decrypted under the current epoch, such as the peer's Finished)
    /// comes from the peer itself, however late: it always re-sends.
    ///
    /// Either way re-sends are paced: at most one per half the initial
    /// timeout (a genuine peer only retransmits after its own timer).
    pub(crate) fn on_peer_retransmission(
        &mut self,
        now: Instant,
        trigger: PeerTrigger,
        trigger_bytes: usize,
    ) -> PeerResend {
        if self.flight.is_empty() || self.cursor.is_some() {
            return PeerResend::Nothing;
        }
        let retransmit = self.timer.config();
        if trigger == PeerTrigger::Plaintext {
            self.plaintext_credit = self.plaintext_credit.saturating_add(trigger_bytes);
            let age = self.sent_at.map(|sent| now.saturating_duration_since(sent));
            let stale = !self.expects_reply && age.is_some_and(|a| a > retransmit.max * 2);
            if stale || self.plaintext_resends >= MAX_PLAINTEXT_RESENDS {
                return PeerResend::Nothing;
            }
            if self.plaintext_credit < self.flight_bytes {
                return PeerResend::OverBudget;
            }
        }
        if let Some(sent) = self.sent_at
            && now.saturating_duration_since(sent) < retransmit.initial / 2
        {
            return PeerResend::Paced;
        }
        if trigger == PeerTrigger::Plaintext {
            self.plaintext_credit -= self.flight_bytes;
            self.plaintext_resends += 1;
        }
        self.cursor = Some(FlightCursor::START);
        PeerResend::Resend
    }

    /// Writes the next datagram of the pending flight into `buf`; returns
    /// its length (0: nothing pending). Each handshake message is protected
    /// under the epoch it was first sent in (RFC 6347 4.2.4).
    ///
    /// A datagram holds one record, and a record one handshake message (or
    /// a fragment of one), unless packing is on: then whole handshake
    /// messages of one epoch share the record (RFC 6347 4.2.3 allows
    /// several per record). Peers that read one record per datagram
    /// (SunJSSE applications following the JDK's own DTLS sample call
    /// `SSLEngine::unwrap` once per datagram) lose any further records, so
    /// a datagram never carries a second one; peers that read one message
    /// per record (tinydtls: "Fragment size does not match packet size")
    /// lose the rest of a packed record, so packing is off by default. A
    /// ChangeCipherSpec is a record of its own. A message is cut into
    /// fragments only when it does not fit a datagram of its own, and a
    /// fragment always ends its record (pion/dtls v2 reads a partial
    /// fragment to the end of its record).
    pub(crate) fn write(
        &mut self,
        now: Instant,
        records: &mut RecordLayer,
        buf: &mut [u8],
    ) -> usize {
        let Some(cursor) = self.cursor else {
            return 0;
        };
        // Nothing fits a buffer this small: the flight stays pending.
        let flight = self.flight.as_slice();
        let Some((len, next)) = write_record(flight, cursor, records, buf, self.pack_messages)
        else {
            return 0;
        };
        self.cursor = Some(next);
        self.bytes_this_send += len;
        if next.entry >= self.flight.as_slice().len() {
            self.sent_in_full(now);
        }
        len
    }

    /// The whole flight went out at `now`. Its first send arms the timer;
    /// after a retransmission it is already re-armed with the doubled
    /// timeout (RFC 6347 4.2.4.1), and restarting it would reset the
    /// give-up count.
    fn sent_in_full(&mut self, now: Instant) {
        self.cursor = None;
        self.sent_at = Some(now);
        self.flight_bytes = std::mem::take(&mut self.bytes_this_send);
        if self.expects_reply && !self.timer.is_running() {
            self.timer.start(now);
        }
    }
}

/// Writes the record that starts at `cursor` into `buf`: its length and
/// the cursor after it, or `None` if nothing of the flight fits (a buffer
/// too small for a record, a handshake header and one byte). With `pack`,
/// whole messages after the first share the record.
fn write_record(
    flight: &[FlightEntry],
    cursor: FlightCursor,
    records: &mut RecordLayer,
    buf: &mut [u8],
    pack: bool,
) -> Option<(usize, FlightCursor)> {
    let first = flight.get(cursor.entry)?;
    let epoch = first.epoch;
    if let FlightContent::ChangeCipherSpec = first.content {
        let bytes = ChangeCipherSpec::BYTES;
        let len = records.write_record(buf, 0, epoch, ContentType::ChangeCipherSpec, |p| {
            p.get_mut(..bytes.len())?.copy_from_slice(&bytes);
            Some(bytes.len())
        })?;
        return Some((len, cursor.next_entry()));
    }
    let mut next = cursor;
    let len = records.write_record(buf, 0, epoch, ContentType::Handshake, |p| {
        // Room for message bodies in a record that fills a datagram.
        let record_room = p.len().saturating_sub(HANDSHAKE_HEADER_LEN);
        let mut at = 0;
        while let Some(FlightEntry {
            epoch: e,
            content:
                FlightContent::Handshake {
                    msg_type,
                    message_seq,
                    body,
                },
        }) = flight.get(next.entry)
        {
            if *e != epoch {
                break;
            }
            let room = p.len().saturating_sub(at + HANDSHAKE_HEADER_LEN);
            let remaining = body.len().saturating_sub(next.offset);
            let whole = next.offset == 0 && remaining <= room;
            // After other messages, start a fragment only for a message too
            // large for a datagram of its own, and only with room for a
            // useful part of it.
            if !whole && at > 0 && (remaining <= record_room || room < MIN_TRAILING_FRAGMENT) {
                break;
            }
            let take = remaining.min(room);
            if !whole && take == 0 {
                break; // no room for a byte of it: never an empty fragment
            }
            let typ = HandshakeType::from(*msg_type);
            let fragment = fragment_at(typ, *message_seq, body, next.offset, take)?;
            at += fragment.write_to(p.get_mut(at..)?)?;
            if next.offset + take >= body.len() {
                next = next.next_entry();
            } else {
                next.offset += take;
            }
            if !whole || !pack {
                break;
            }
        }
        (at > 0).then_some(at)
    })?;
    Some((len, next))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::handshake::reassembler::{FragmentIn, HandshakeReassembler, ReassemblyLimits};
    use crate::msgs::handshake::HandshakeFragments;
    use crate::msgs::record::Records;

    fn flight_of(body_len: usize, expects_reply: bool) -> FlightTransmitter {
        let mut tx = FlightTransmitter::new(RetransmitConfig::default(), 5, true);
        tx.begin(expects_reply);
        let seq = tx.take_send_seq();
        tx.push_handshake(0, 11, seq, (0..body_len).map(|i| i as u8).collect());
        tx.push_change_cipher_spec(0);
        tx
    }

    /// Sends the whole pending flight in datagrams of `mtu` bytes.
    fn send_all(tx: &mut FlightTransmitter, now: Instant, mtu: usize) -> Vec<Vec<u8>> {
        let mut records = RecordLayer::new(64, 0);
        let mut datagrams = Vec::new();
        loop {
            let mut buf = vec![0u8; mtu];
            let n = tx.write(now, &mut records, &mut buf);
            if n == 0 {
                return datagrams;
            }
            buf.truncate(n);
            datagrams.push(buf);
        }
    }

    #[test]
    fn a_large_message_is_fragmented_to_the_mtu_and_reassembles() {
        let now = crate::test_origin();
        let mut tx = flight_of(3000, true);
        let datagrams = send_all(&mut tx, now, 500);
        assert!(datagrams.len() >= 7);
        let mut reassembler = HandshakeReassembler::new(ReassemblyLimits::default());
        reassembler.set_next_expected(5);
        let mut ccs = 0;
        for datagram in &datagrams {
            assert!(datagram.len() <= 500);
            for record in Records::new(datagram) {
                let record = record.unwrap();
                if record.header.content_type == ContentType::ChangeCipherSpec {
                    assert_eq!(record.fragment, ChangeCipherSpec::BYTES);
                    ccs += 1;
                    continue;
                }
                for f in HandshakeFragments::new(record.fragment) {
                    let f = f.unwrap();
                    reassembler.insert(FragmentIn::from(f)).unwrap();
                }
            }
        }
        assert_eq!(ccs, 1);
        let message = reassembler.pop_complete().unwrap();
        assert_eq!(message.body().len(), 3000);
        assert_eq!(message.message_seq(), 5);
        assert_eq!(
            tx.deadline(),
            Some(now + Duration::from_secs(1)),
            "sent in full: the timer runs"
        );
    }

    #[test]
    fn peer_retransmissions_are_paced() {
        let now = crate::test_origin();
        let mut tx = flight_of(100, true);
        let flight_bytes: usize = send_all(&mut tx, now, 1400).iter().map(Vec::len).sum();
        let plain = PeerTrigger::Plaintext;
        let authenticated = PeerTrigger::Authenticated;
        assert_eq!(
            tx.on_peer_retransmission(now, authenticated, 40),
            PeerResend::Paced
        );
        let later = now + Duration::from_millis(500);
        assert_eq!(
            tx.on_peer_retransmission(later, authenticated, 40),
            PeerResend::Resend
        );
        // Being re-sent: a second trigger adds nothing.
        assert_eq!(
            tx.on_peer_retransmission(later, plain, flight_bytes),
            PeerResend::Nothing
        );
        // The message, then the ChangeCipherSpec in a datagram of its own.
        assert_eq!(send_all(&mut tx, later, 1400).len(), 2);
        let paid = tx.on_peer_retransmission(later, plain, flight_bytes);
        assert_eq!(paid, PeerResend::Paced, "paid for, but too soon");
    }

    /// Issue 16: a 25-byte forged epoch-0 fragment bought a re-send of a
    /// flight of several KB. Unauthenticated triggers now pay for re-sends
    /// byte for byte, a limited number of times per flight.
    #[test]
    fn plaintext_triggers_pay_for_re_sends_byte_for_byte() {
        let mut now = crate::test_origin();
        let mut tx = flight_of(3000, true);
        let flight_bytes: usize = send_all(&mut tx, now, 1400).iter().map(Vec::len).sum();
        assert!(flight_bytes > 3000);
        let mut sent = 0;
        let mut received = 0;
        for _ in 0..1000 {
            now += Duration::from_secs(1);
            received += 25;
            match tx.on_peer_retransmission(now, PeerTrigger::Plaintext, 25) {
                PeerResend::Resend => {
                    sent += send_all(&mut tx, now, 1400)
                        .iter()
                        .map(Vec::len)
                        .sum::<usize>();
                }
                PeerResend::OverBudget | PeerResend::Nothing => {}
                PeerResend::Paced => panic!("a second apart is never paced"),
            }
            assert!(sent <= received, "{sent} bytes out for {received} in");
        }
        let bought = sent / flight_bytes;
        assert_eq!(bought, MAX_PLAINTEXT_RESENDS as usize, "the cap holds");
    }

    #[test]
    fn an_old_final_flight_answers_only_authenticated_triggers() {
        let now = crate::test_origin();
        let mut tx = flight_of(100, false);
        let flight_bytes: usize = send_all(&mut tx, now, 1400).iter().map(Vec::len).sum();
        assert_eq!(tx.deadline(), None, "a final flight has no timer");
        let late = now + Duration::from_secs(121);
        for _ in 0..2 {
            assert_eq!(
                tx.on_peer_retransmission(late, PeerTrigger::Plaintext, flight_bytes),
                PeerResend::Nothing
            );
            assert!(send_all(&mut tx, late, 1400).is_empty());
        }
        assert_eq!(
            tx.on_peer_retransmission(late, PeerTrigger::Authenticated, 40),
            PeerResend::Resend
        );
        assert_eq!(send_all(&mut tx, late, 1400).len(), 2);
    }

    /// One record per datagram; whole messages share it; a message that
    /// fits a datagram of its own is never cut; a fragment ends its record.
    #[test]
    fn flights_pack_messages_into_one_record_per_datagram() {
        let now = crate::test_origin();
        let mut tx = FlightTransmitter::new(RetransmitConfig::default(), 0, true);
        tx.begin(true);
        // ServerHello-, Certificate-, ServerKeyExchange- and
        // ServerHelloDone-sized messages, then a 2,500-byte one.
        for (typ, len) in [(2u8, 87usize), (11, 787), (12, 296), (14, 0), (11, 2500)] {
            let seq = tx.take_send_seq();
            tx.push_handshake(0, typ, seq, vec![typ; len]);
        }
        tx.push_change_cipher_spec(0);
        let datagrams = send_all(&mut tx, now, 1200);
        let mut layout = Vec::new();
        for datagram in &datagrams {
            assert!(datagram.len() <= 1200);
            let records: Vec<_> = Records::new(datagram).map(Result::unwrap).collect();
            assert_eq!(records.len(), 1, "one record per datagram");
            if records[0].header.content_type == ContentType::ChangeCipherSpec {
                layout.push(Vec::new());
                continue;
            }
            let fragments: Vec<(u16, usize, usize)> = HandshakeFragments::new(records[0].fragment)
                .map(Result::unwrap)
                .map(|f| (f.message_seq, f.fragment_offset as usize, f.fragment.len()))
                .collect();
            for (i, &(_, offset, len)) in fragments.iter().enumerate() {
                let whole = [87, 787, 296, 0, 2500].contains(&len) && offset == 0;
                assert!(
                    whole || i + 1 == fragments.len(),
                    "a fragment ends its record"
                );
            }
            layout.push(fragments.iter().map(|f| f.0).collect::<Vec<_>>());
        }
        // SH + Certificate; SKE (too big for the rest) whole with
        // ServerHelloDone and the start of the large message; the rest of
        // it in fragments; the ChangeCipherSpec alone.
        assert_eq!(layout[0], vec![0, 1]);
        assert_eq!(layout[1], vec![2, 3, 4]);
        assert!(layout[2..layout.len() - 1].iter().all(|l| l == &vec![4]));
        assert!(layout.last().unwrap().is_empty(), "the CCS record");
        assert_eq!(tx.cursor, None, "sent in full");
    }

    /// Without packing (the default), every message has a record and a
    /// datagram of its own (tinydtls reads one message per record).
    #[test]
    fn unpacked_flights_send_one_message_per_datagram() {
        let now = crate::test_origin();
        let mut tx = FlightTransmitter::new(RetransmitConfig::default(), 0, false);
        tx.begin(true);
        for len in [80, 300, 150, 0] {
            let seq = tx.take_send_seq();
            tx.push_handshake(0, 2, seq, vec![7; len]);
        }
        let datagrams = send_all(&mut tx, now, 1200);
        assert_eq!(datagrams.len(), 4);
        for (datagram, len) in datagrams.iter().zip([80, 300, 150, 0]) {
            let records: Vec<_> = Records::new(datagram).collect::<Result<_, _>>().unwrap();
            assert_eq!(records.len(), 1);
            let messages: Vec<_> = HandshakeFragments::new(records[0].fragment)
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].fragment.len(), len);
            assert!(messages[0].is_complete());
        }
    }

    #[test]
    fn the_timer_resends_then_gives_up() {
        let now = crate::test_origin();
        let mut tx = FlightTransmitter::new(
            RetransmitConfig {
                max_retransmissions: 1,
                ..RetransmitConfig::default()
            },
            0,
            false,
        );
        tx.begin(true);
        tx.push_change_cipher_spec(0);
        send_all(&mut tx, now, 1400);
        assert_eq!(tx.on_timeout(now), FlightTimeout::Nothing);
        let first = tx.deadline().unwrap();
        assert_eq!(tx.on_timeout(first), FlightTimeout::Resend);
        assert_eq!(send_all(&mut tx, first, 1400).len(), 1);
        let second = tx.deadline().unwrap();
        assert_eq!(tx.on_timeout(second), FlightTimeout::GaveUp);
        assert!(send_all(&mut tx, second, 1400).is_empty());
    }
}
