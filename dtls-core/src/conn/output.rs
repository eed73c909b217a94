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
use crate::event::{Counters, Event};
use crate::msgs::alert::Alert;
use crate::msgs::record::ContentType;

use super::Connection;
use super::queue::MessageQueue;
use super::record_layer::RecordLayer;

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
        self.within_allowance(buf, |conn, buf| conn.produce_datagram(now, buf))
    }

    /// Runs `write` on the part of `buf` the path allows: RFC 9146 6,
    /// toward an address the peer has not proven, at most three bytes out
    /// per byte in, so a datagram gets only the room left and what does
    /// not fit waits for the peer's proof. Counts what `write` wrote.
    fn within_allowance(
        &mut self,
        buf: &mut [u8],
        write: impl FnOnce(&mut Self, &mut [u8]) -> Option<usize>,
    ) -> Option<usize> {
        let room = buf.len().min(self.ctx.path.allowance());
        let sent = write(self, buf.get_mut(..room)?);
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
        let queue = &mut ctx.outbox.app;
        seal_app_record(&mut ctx.records, &mut ctx.counters, buf, len, |payload| {
            queue.pop_into(payload).map(|_| ())
        })
        .unwrap_or(0)
    }

    /// Sends one application message as one record in one datagram, sealed
    /// straight from `data` into `buf` when nothing waits ahead of it: the
    /// same as [`send`](Self::send) followed by
    /// [`poll_transmit`](Self::poll_transmit), without the copy through the
    /// send queue.
    ///
    /// Returns the length of the datagram written into `buf`, which the
    /// caller sends to the peer, or `None` if nothing was written. Order is
    /// kept: if an alert, a flight, a heartbeat or earlier messages are
    /// waiting, the datagram written is the first of those and `data` is
    /// queued behind them; if the record does not fit `buf` (or the bytes
    /// RFC 9146 6 still allows toward an unproven address), `data` is
    /// queued. Either way keep calling `poll_transmit` as usual.
    ///
    /// # Errors
    /// Exactly those of [`send`](Self::send); nothing is queued or written
    /// on error.
    pub fn send_now(
        &mut self,
        now: Instant,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error> {
        self.check_send(data)?;
        if !self.ctx.outbox.app.is_empty() {
            self.enqueue(now, data)?;
            return Ok(self.poll_transmit(now, buf));
        }
        // With no application data queued, whatever poll_transmit writes
        // now is ahead of `data` in the send order.
        if let Some(ahead) = self.poll_transmit(now, buf) {
            self.enqueue(now, data)?;
            return Ok(Some(ahead));
        }
        let sealed = self.within_allowance(buf, |conn, buf| {
            let ctx = &mut conn.ctx;
            seal_app_record(
                &mut ctx.records,
                &mut ctx.counters,
                buf,
                data.len(),
                |payload| {
                    payload.copy_from_slice(data);
                    Some(())
                },
            )
        });
        match sealed {
            Some(len) => {
                self.ctx.keepalive.on_data(now);
                Ok(Some(len))
            }
            None => {
                self.enqueue(now, data)?;
                Ok(None)
            }
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
        self.check_send(data)?;
        self.enqueue(now, data)
    }

    /// Whether `data` may be sent now: the checks of [`send`](Self::send).
    fn check_send(&self, data: &[u8]) -> Result<(), Error> {
        let ctx = &self.ctx;
        if !ctx.is_established() {
            return Err(Error::NotConnected);
        }
        if data.len() > ctx.max_app_plaintext {
            return Err(Error::MessageTooLarge {
                len: data.len(),
                max: ctx.max_app_plaintext,
            });
        }
        // RFC 6347 4.1: sequence numbers never wrap.
        if ctx.records.write_sequence_exhausted() {
            return Err(Error::NotConnected);
        }
        if ctx.outbox.app.byte_len() + MessageQueue::cost(data) > ctx.limits.max_send_buffer {
            return Err(Error::SendBufferFull);
        }
        Ok(())
    }

    /// Appends checked `data` to the send queue.
    fn enqueue(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        let ctx = &mut self.ctx;
        if !ctx.outbox.app.push(data) {
            return Err(Error::MessageTooLarge {
                len: data.len(),
                max: ctx.max_app_plaintext,
            });
        }
        ctx.keepalive.on_data(now);
        Ok(())
    }
}

/// Seals one application record of `len` plaintext bytes into the start of
/// `buf`: `fill` writes the plaintext in place at the record's payload
/// offset, then it is encrypted there (in the `tls12_cid` format with its
/// inner content type when connection IDs are in use, RFC 9146 4). The one
/// path for queued messages ([`Connection::poll_transmit`]) and direct ones
/// ([`Connection::send_now`]). Returns the record's length, or `None` if it
/// does not fit `buf`, `fill` fails or the sequence numbers are exhausted.
fn seal_app_record(
    records: &mut RecordLayer,
    counters: &mut Counters,
    buf: &mut [u8],
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Option<()>,
) -> Option<usize> {
    if records.record_overhead(1) + len > buf.len() {
        return None;
    }
    let offset = records.payload_offset(1);
    fill(buf.get_mut(offset..offset + len)?)?;
    let sealed = records.seal(ContentType::ApplicationData, 1, buf, len)?;
    counters.records_out += 1;
    Some(sealed)
}
