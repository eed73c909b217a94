//! The output path: one datagram out, one record in it, taken in order
//! from the pending alert, the flight, heartbeats and application data.
//!
//! One record per datagram, although RFC 6347 4.1.1 allows several:
//! applications that read a datagram with one `SSLEngine::unwrap` call (as
//! the JDK's DTLS sample does) lose every record after the first. The
//! flight still packs several handshake messages into its one record.

use std::collections::VecDeque;
use std::time::Instant;

use crate::error::Error;
use crate::event::Event;
use crate::msgs::alert::Alert;
use crate::msgs::record::ContentType;

use super::Connection;
use super::queue::MessageQueue;

/// What waits to be sent besides the flight.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// An alert to send next, alone in its datagram.
    pub(super) alert: Option<Alert>,
    /// Application messages from [`Connection::send`].
    pub(super) app: MessageQueue,
    /// Heartbeat messages, our requests and responses (capped).
    pub(super) heartbeats: VecDeque<Vec<u8>>,
}

impl Connection {
    /// Writes the next datagram to send into `buf` and returns its length,
    /// or `None` if there is nothing to send. Never writes more than the
    /// configured MTU, except an application or heartbeat record when
    /// [`CommonConfig::application_records_fit_mtu`] is off: then `buf`
    /// should hold [`max_message_len`](Self::max_message_len) plus 100 bytes
    /// of record overhead, or a large queued message waits for a larger
    /// buffer.
    ///
    /// [`CommonConfig::application_records_fit_mtu`]: crate::config::CommonConfig::application_records_fit_mtu
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        // RFC 9146 6: toward an address the peer has not proven, at most
        // three bytes out per byte in: the datagram gets only the room
        // left, and what does not fit waits for the peer's proof.
        let room = buf.len().min(self.ctx.path.allowance());
        let sent = self.produce_datagram(now, buf.get_mut(..room)?);
        if let Some(n) = sent {
            self.ctx.path.on_sent(n);
        }
        sent
    }

    fn produce_datagram(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let mtu = buf.len().min(self.ctx.mtu);
        let alert_fits = self
            .ctx
            .records
            .record_overhead(self.ctx.records.write_epoch())
            + 2
            <= mtu;
        if !alert_fits && self.ctx.outbox.alert.is_some() {
            // The amplification bound leaves no room for it (or the MTU is
            // absurdly small): a datagram can always be lost, so the close
            // completes without it rather than wait for room that may
            // never come.
            self.ctx.outbox.alert = None;
            if self.ctx.lifecycle.is_closing()
                && let Some(status) = self.ctx.lifecycle.close()
            {
                self.ctx.emit(Event::Closed(status));
            }
        }
        if alert_fits && let Some(alert) = self.ctx.outbox.alert.take() {
            return self.transmit_alert(alert, buf.get_mut(..mtu)?);
        }
        let ctx = &mut self.ctx;
        let mut used = ctx.flight.write(now, &mut ctx.records, buf.get_mut(..mtu)?);
        if used == 0 && ctx.is_established() {
            // Heartbeat and application records follow one size rule:
            // max_app_plaintext, which `send` and the heartbeat responder
            // already applied (the MTU unless application_records_fit_mtu
            // is off).
            used = self.transmit_heartbeat(buf);
            if used == 0 {
                used = self.transmit_app_data(buf);
            }
        }
        (used > 0).then_some(used)
    }

    /// Sends `alert` in the current write epoch; a close completes with it.
    fn transmit_alert(&mut self, alert: Alert, buf: &mut [u8]) -> Option<usize> {
        let epoch = self.ctx.records.write_epoch();
        let bytes = alert.to_bytes();
        let used = self
            .ctx
            .records
            .write_record(buf, 0, epoch, ContentType::Alert, |p| {
                p.get_mut(..bytes.len())?.copy_from_slice(&bytes);
                Some(bytes.len())
            })
            .unwrap_or(0);
        if self.ctx.lifecycle.is_closing()
            && let Some(status) = self.ctx.lifecycle.close()
        {
            self.ctx.emit(Event::Closed(status));
        }
        (used > 0).then_some(used)
    }

    /// One queued heartbeat message as a record; its length, 0 if none.
    fn transmit_heartbeat(&mut self, buf: &mut [u8]) -> usize {
        let ctx = &mut self.ctx;
        let fits = |len: usize| ctx.records.record_overhead(1) + len <= buf.len();
        if !ctx.outbox.heartbeats.front().is_some_and(|m| fits(m.len())) {
            return 0;
        }
        let Some(message) = ctx.outbox.heartbeats.pop_front() else {
            return 0;
        };
        ctx.records
            .write_record(buf, 0, 1, ContentType::Heartbeat, |p| {
                p.get_mut(..message.len())?.copy_from_slice(&message);
                Some(message.len())
            })
            .unwrap_or(0)
    }

    /// The next application message as a record, sealed in place; its
    /// length, 0 if none is queued.
    fn transmit_app_data(&mut self, buf: &mut [u8]) -> usize {
        let ctx = &mut self.ctx;
        let Some(len) = ctx.outbox.app.front_len() else {
            return 0;
        };
        if ctx.records.record_overhead(1) + len > buf.len() {
            return 0;
        }
        // The plaintext goes straight into the transmit buffer and is
        // sealed there in place.
        let offset = ctx.records.payload_offset(1);
        let Some(payload) = buf.get_mut(offset..) else {
            return 0;
        };
        if ctx.outbox.app.pop_into(payload).is_none() {
            return 0;
        }
        match ctx.records.seal(ContentType::ApplicationData, 1, buf, len) {
            Some(n) => {
                ctx.counters.records_out += 1;
                n
            }
            None => 0,
        }
    }

    /// Queues one application message, sent as one record in one datagram.
    ///
    /// # Errors
    /// [`Error::NotConnected`] before the handshake completes or after
    /// close; [`Error::MessageTooLarge`] if it does not fit one record;
    /// [`Error::SendBufferFull`] if the send queue is at its cap. Nothing is
    /// queued on error.
    pub fn send(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        let ctx = &mut self.ctx;
        if !ctx.is_established() {
            return Err(Error::NotConnected);
        }
        let too_large = Error::MessageTooLarge {
            len: data.len(),
            max: ctx.max_app_plaintext,
        };
        if data.len() > ctx.max_app_plaintext {
            return Err(too_large);
        }
        if ctx.records.write_sequence_exhausted() {
            return Err(Error::NotConnected);
        }
        if ctx.outbox.app.byte_len() + MessageQueue::cost(data) > ctx.limits.max_send_buffer {
            return Err(Error::SendBufferFull);
        }
        if !ctx.outbox.app.push(data) {
            return Err(too_large);
        }
        ctx.keepalive.on_data(now);
        Ok(())
    }
}
