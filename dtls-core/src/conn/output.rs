//! The output path: one datagram out, packed in order from the pending
//! alert (alone), the flight, heartbeats and application data.

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
    /// configured MTU.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let limit = buf.len().min(self.ctx.mtu);
        let buf = buf.get_mut(..limit)?;
        if let Some(alert) = self.ctx.outbox.alert.take() {
            return self.transmit_alert(alert, buf);
        }
        let ctx = &mut self.ctx;
        let mut used = ctx.flight.write(now, &mut ctx.records, buf, 0);
        if ctx.is_established() {
            used += self.transmit_heartbeats(buf, used);
            used += self.transmit_app_data(buf, used);
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

    fn transmit_heartbeats(&mut self, buf: &mut [u8], start: usize) -> usize {
        let ctx = &mut self.ctx;
        let mut used = start;
        while let Some(message) = ctx.outbox.heartbeats.front() {
            let needed = ctx.records.record_overhead(1) + message.len();
            if used + needed > buf.len() {
                break;
            }
            let written = ctx
                .records
                .write_record(buf, used, 1, ContentType::Heartbeat, |p| {
                    p.get_mut(..message.len())?.copy_from_slice(message);
                    Some(message.len())
                });
            ctx.outbox.heartbeats.pop_front();
            match written {
                Some(n) => used += n,
                None => break,
            }
        }
        used - start
    }

    fn transmit_app_data(&mut self, buf: &mut [u8], start: usize) -> usize {
        let ctx = &mut self.ctx;
        let mut used = start;
        while let Some(len) = ctx.outbox.app.front_len() {
            let needed = ctx.records.record_overhead(1) + len;
            if used + needed > buf.len() {
                break;
            }
            let Some(dst) = buf.get_mut(used..) else {
                break;
            };
            let offset = ctx.records.payload_offset(1);
            // The plaintext goes straight into the transmit buffer and is
            // sealed there in place.
            let Some(payload) = dst.get_mut(offset..) else {
                break;
            };
            if ctx.outbox.app.pop_into(payload).is_none() {
                break;
            }
            match ctx.records.seal(ContentType::ApplicationData, 1, dst, len) {
                Some(n) => {
                    used += n;
                    ctx.counters.records_out += 1;
                }
                None => break,
            }
        }
        used - start
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
