//! The connection's timer table (quinn-proto's model): every deadline the
//! connection has is one [`Timer`] variant, `poll_timeout` reports the
//! earliest and `handle_timeout` runs each expired one.
//!
//! Each deadline stays stored where its rules live (the retransmission
//! timer in the flight transmitter, keep-alive and idle in `KeepAlive`,
//! the handshake deadline in `Lifecycle::Handshaking`);
//! the table reads them, so there is one truth per deadline. A new
//! deadline is one variant here, one arm in `deadline` and one in
//! `on_timer`.

use std::time::Instant;

use crate::event::{Event, Status, StatusCode};

use super::Connection;
use super::flight_tx::FlightTimeout;
use super::keepalive::KeepAliveAction;

/// One deadline of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// No application data either way for the idle timeout: close.
    Idle,
    /// Send the next heartbeat request, or give the peer up (RFC 6520).
    KeepAlive,
    /// Re-send our flight, or give the handshake up (RFC 6347 4.2.4.1).
    Retransmit,
    /// The handshake is still not complete at its absolute deadline: give
    /// it up, however the peer keeps it alive.
    Handshake,
}

impl Timer {
    /// Every timer, in the order expired ones run.
    pub(crate) const ALL: [Timer; 4] = [
        Timer::Idle,
        Timer::KeepAlive,
        Timer::Retransmit,
        Timer::Handshake,
    ];
}

impl Connection {
    /// When `timer` fires, if it is armed. Nothing fires once a close has
    /// started; keep-alive and idle only run on an established connection.
    fn deadline(&self, timer: Timer) -> Option<Instant> {
        let ctx = &self.ctx;
        if ctx.lifecycle.is_ending() {
            return None;
        }
        let established = ctx.lifecycle.is_established();
        match timer {
            Timer::Idle => ctx.keepalive.idle_deadline().filter(|_| established),
            Timer::KeepAlive => ctx.keepalive.request_deadline().filter(|_| established),
            Timer::Retransmit => ctx.flight.deadline(),
            Timer::Handshake => ctx.lifecycle.handshake_deadline(),
        }
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) must be
    /// called at, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        Timer::ALL
            .into_iter()
            .filter_map(|t| self.deadline(t))
            .min()
    }

    /// Runs the timers due at `now`: keep-alive, idle close, handshake
    /// retransmission or give-up (RFC 6347 4.2.4.1), handshake deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.ctx.now = Some(now);
        for timer in Timer::ALL {
            if self.deadline(timer).is_some_and(|at| at <= now) {
                self.on_timer(timer, now);
            }
        }
    }

    /// Ends an unfinished handshake without an alert: the peer is silent
    /// or stalling, and nothing it sent authenticated a reason to answer.
    /// When the state knows why (a PSK mismatch), that is the reason
    /// reported.
    fn give_up_handshake(&mut self, status: Status) {
        let records_failed = self.ctx.counters.bad_mac > 0;
        let status = match self.role.stall_reason(records_failed) {
            Some(reason) => Status::new(
                reason.status_code(),
                format!("{}: {reason}", status.description),
            ),
            None => status,
        };
        self.ctx.flight.stop();
        self.ctx.lifecycle.close();
        self.ctx.emit(Event::HandshakeFailed(status));
    }

    fn on_timer(&mut self, timer: Timer, now: Instant) {
        match timer {
            Timer::Idle => {
                let after = self.ctx.keepalive.on_idle();
                self.close_with(Status::new(
                    StatusCode::Ok,
                    format!("idle timeout: no data either way for {} s", after.as_secs()),
                ));
            }
            Timer::KeepAlive => match self.ctx.keepalive.on_request_due(now) {
                KeepAliveAction::None => {}
                KeepAliveAction::SendRequest(message) => {
                    self.ctx.outbox.heartbeats.push_back(message)
                }
                KeepAliveAction::PeerDead(unanswered) => self.close_with(Status::new(
                    StatusCode::InvalidFlow,
                    format!("the peer is gone: {unanswered} heartbeat requests went unanswered"),
                )),
            },
            Timer::Retransmit => match self.ctx.flight.on_timeout(now) {
                FlightTimeout::Nothing => {}
                FlightTimeout::Resend => self.ctx.counters.retransmissions += 1,
                FlightTimeout::GaveUp => self.give_up_handshake(Status::new(
                    StatusCode::HandshakeError,
                    "handshake timed out: the peer stopped answering",
                )),
            },
            Timer::Handshake => self.give_up_handshake(Status::new(
                StatusCode::HandshakeError,
                "handshake timed out: not complete by the handshake deadline",
            )),
        }
    }
}
