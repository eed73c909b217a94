//! Keep-alive, dead-peer detection and idle timeout (RFC 6520 heartbeats).
//!
//! Heartbeat is where DTLS implementations have been hurt most (Heartbleed,
//! CVE-2014-0160), so most of this file is about what is refused:
//! a HeartbeatRequest is answered only when heartbeats were negotiated, the
//! local mode allows the peer to send, the handshake is complete and the
//! record was protected (epoch 1), the message is well formed with its
//! declared payload plus at least 16 bytes of padding inside the record, the
//! response fits one datagram, and the peer is within a response rate limit.
//! Everything else is dropped and counted, never answered.
//!
//! The two deadlines here (the next request, the idle limit) are entries of
//! the connection's timer table, so an embedding event loop needs no extra
//! timers.

use std::time::{Duration, Instant};

use std::sync::Arc;

use dtls_crypto::CryptoProvider;

use crate::config::KeepAliveConfig;
use crate::event::DropReason;
use crate::msgs::codec::Codec;
use crate::msgs::heartbeat::{HeartbeatMessage, HeartbeatMessageType};

/// Bytes of random payload in our HeartbeatRequests.
const REQUEST_PAYLOAD_LEN: usize = 16;
/// Minimum padding (RFC 6520 4).
const PADDING_LEN: usize = 16;

/// What was agreed in the hellos (RFC 6520 2): each side's mode says
/// whether the *other* side may send requests to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Negotiated {
    /// The peer's mode allows us to send requests.
    we_may_send: bool,
    /// Our mode allows the peer to send requests.
    peer_may_send: bool,
}

/// What a timer asks the connection to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeepAliveAction {
    /// Nothing is due.
    None,
    /// Send this HeartbeatRequest message (already encoded).
    SendRequest(Vec<u8>),
    /// The peer left this many requests unanswered: it is gone.
    PeerDead(u32),
}

/// Keep-alive state of one connection.
#[derive(Debug)]
pub(crate) struct KeepAlive {
    config: KeepAliveConfig,
    idle_timeout: Option<Duration>,
    negotiated: Option<Negotiated>,
    /// When the peer last proved it is alive (any authenticated record).
    last_liveness: Option<Instant>,
    /// When application data last moved, either way.
    last_data: Option<Instant>,
    /// The payload of the one request in flight (RFC 6520 4: at most one).
    in_flight: Option<[u8; REQUEST_PAYLOAD_LEN]>,
    /// When the next request (or retry) is due.
    next_request: Option<Instant>,
    unanswered: u32,
    /// Response rate limit: a token bucket refilled once per second.
    tokens: u32,
    refilled_at: Option<Instant>,
    /// A probe of the peer's new address is due or in flight (RFC 9146 6).
    path_probe: bool,
    /// The probe was answered; taken by [`take_path_proven`].
    path_proven: bool,
    /// Requests sent and valid responses received, for tests and logs.
    pub(crate) requests_sent: u64,
    pub(crate) responses_received: u64,
    pub(crate) responses_sent: u64,
    /// Randomness for request payloads and padding.
    provider: Arc<CryptoProvider>,
}

impl KeepAlive {
    pub(crate) fn new(
        config: KeepAliveConfig,
        idle_timeout: Option<Duration>,
        provider: Arc<CryptoProvider>,
    ) -> Self {
        KeepAlive {
            provider,
            tokens: config.max_responses_per_second,
            config,
            idle_timeout: idle_timeout.filter(|d| !d.is_zero()),
            negotiated: None,
            last_liveness: None,
            last_data: None,
            in_flight: None,
            next_request: None,
            unanswered: 0,
            refilled_at: None,
            path_probe: false,
            path_proven: false,
            requests_sent: 0,
            responses_received: 0,
            responses_sent: 0,
        }
    }

    /// Changes the timing at run time (the seed's KeepAliveTime,
    /// KeepAliveInterval and DefaultIdleTimeout may change while
    /// listening); a pending request keeps its retry schedule.
    pub(crate) fn set_timing(
        &mut self,
        time: Duration,
        interval: Duration,
        idle_timeout: Option<Duration>,
    ) {
        self.config.time = time;
        self.config.interval = interval;
        self.idle_timeout = idle_timeout.filter(|d| !d.is_zero());
        if self.in_flight.is_none()
            && self.negotiated.is_some_and(|n| n.we_may_send)
            && let Some(alive) = self.last_liveness
        {
            self.next_request = alive.checked_add(time);
        }
    }

    /// Whether we offer/accept the extension at all (KeepAlive on).
    pub(crate) fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// Our mode as sent in the extension: does the peer may send to us.
    pub(crate) fn peer_allowed_to_send(&self) -> bool {
        self.config.peer_allowed_to_send
    }

    /// The handshake completed at `now`; `peer_mode_allows_us` is the
    /// peer's extension (None if it sent none, in which case heartbeats are
    /// not negotiated).
    pub(crate) fn on_established(&mut self, now: Instant, peer_mode_allows_us: Option<bool>) {
        self.last_liveness = Some(now);
        self.last_data = Some(now);
        if self.config.enabled
            && let Some(we_may_send) = peer_mode_allows_us
        {
            self.negotiated = Some(Negotiated {
                we_may_send,
                peer_may_send: self.config.peer_allowed_to_send,
            });
            if we_may_send {
                self.next_request = now.checked_add(self.config.time);
            }
        }
    }

    /// Any authenticated record from the peer proves it is alive.
    /// The request in flight is kept, so the response itself (which also
    /// arrives in an authenticated record) still matches.
    pub(crate) fn on_peer_alive(&mut self, now: Instant) {
        self.last_liveness = Some(now);
        self.unanswered = 0;
        if self.negotiated.is_some_and(|n| n.we_may_send) && !self.path_probe {
            self.next_request = now.checked_add(self.config.time);
        }
    }

    /// Application data moved (either way): the connection is not idle.
    pub(crate) fn on_data(&mut self, now: Instant) {
        self.last_data = Some(now);
    }

    /// When the connection counts as idle: no application data either way
    /// for the idle timeout.
    pub(crate) fn idle_deadline(&self) -> Option<Instant> {
        // A timeout too large for `Instant` means never.
        self.last_data?.checked_add(self.idle_timeout?)
    }

    /// When the next HeartbeatRequest (or retry) is due.
    pub(crate) fn request_deadline(&self) -> Option<Instant> {
        self.next_request
    }

    /// The peer moved (RFC 9146 6): send a request now, to the new
    /// address; an answer to an earlier request no longer counts. Without
    /// heartbeats negotiated (or the peer's leave to send them), nothing.
    pub(crate) fn probe_path(&mut self, now: Instant) {
        if self.negotiated.is_some_and(|n| n.we_may_send) {
            self.in_flight = None;
            self.path_probe = true;
            self.next_request = Some(now);
        }
    }

    /// The peer is back at a proven address: requests return to their
    /// usual schedule.
    pub(crate) fn cancel_probe(&mut self, now: Instant) {
        if std::mem::take(&mut self.path_probe) {
            self.on_peer_alive(now);
        }
    }

    /// Whether a probe of the peer's new address was answered since the
    /// last call.
    pub(crate) fn take_path_proven(&mut self) -> bool {
        std::mem::take(&mut self.path_proven)
    }

    /// The idle deadline passed: no more requests; returns the idle timeout
    /// for the status text.
    pub(crate) fn on_idle(&mut self) -> Duration {
        self.next_request = None;
        self.idle_timeout.unwrap_or_default()
    }

    /// The request deadline passed at `now`: send a request, or give the
    /// peer up after too many unanswered ones.
    pub(crate) fn on_request_due(&mut self, now: Instant) -> KeepAliveAction {
        let Some(at) = self.next_request else {
            return KeepAliveAction::None;
        };
        if now < at {
            return KeepAliveAction::None;
        }
        if self.unanswered >= self.config.max_unanswered {
            self.next_request = None;
            return KeepAliveAction::PeerDead(self.unanswered);
        }
        // A fresh payload per attempt: a late answer to an earlier request
        // does not match and is ignored.
        let Ok(payload) = self.provider.random_array::<REQUEST_PAYLOAD_LEN>() else {
            self.next_request = now.checked_add(self.config.interval);
            return KeepAliveAction::None;
        };
        let Ok(padding) = self.provider.random_array::<PADDING_LEN>() else {
            self.next_request = now.checked_add(self.config.interval);
            return KeepAliveAction::None;
        };
        self.in_flight = Some(payload);
        self.unanswered += 1;
        self.requests_sent += 1;
        self.next_request = now.checked_add(self.config.interval);
        let message = HeartbeatMessage {
            message_type: HeartbeatMessageType::Request,
            payload: payload.to_vec(),
            padding: padding.to_vec(),
        };
        KeepAliveAction::SendRequest(message.get_encoding())
    }

    /// A heartbeat message arrived in an authenticated epoch-1 record of an
    /// established connection. Returns the response to send, if one is due,
    /// or the reason the message was dropped. `max_response` is the largest
    /// plaintext we can send in one datagram.
    pub(crate) fn on_message(
        &mut self,
        now: Instant,
        record: &[u8],
        max_response: usize,
    ) -> Result<Option<Vec<u8>>, DropReason> {
        let Some(negotiated) = self.negotiated else {
            // RFC 6520 2: without the extension, heartbeats are unexpected.
            return Err(DropReason::BadHeartbeat);
        };
        // Never reads past the record: the codec checks payload_length + 16
        // bytes of padding against the record length (RFC 6520 4).
        let message = HeartbeatMessage::parse(record).map_err(|_| DropReason::BadHeartbeat)?;
        match message.message_type {
            HeartbeatMessageType::Request => {
                if !negotiated.peer_may_send {
                    return Err(DropReason::BadHeartbeat);
                }
                let response_len = 3 + message.payload.len() + PADDING_LEN;
                if response_len > max_response {
                    return Err(DropReason::BadHeartbeat);
                }
                if !self.take_token(now) {
                    return Err(DropReason::BadHeartbeat);
                }
                let padding = self
                    .provider
                    .random_array::<PADDING_LEN>()
                    .map_err(|_| DropReason::BadHeartbeat)?;
                self.responses_sent += 1;
                Ok(Some(
                    HeartbeatMessage {
                        message_type: HeartbeatMessageType::Response,
                        payload: message.payload,
                        padding: padding.to_vec(),
                    }
                    .get_encoding(),
                ))
            }
            HeartbeatMessageType::Response => {
                // RFC 6520 4: a response that does not match the request in
                // flight is discarded.
                match self.in_flight {
                    Some(expected) if message.payload == expected => {
                        self.responses_received += 1;
                        self.in_flight = None;
                        self.unanswered = 0;
                        if std::mem::take(&mut self.path_probe) {
                            self.path_proven = true;
                        }
                        Ok(None)
                    }
                    _ => Err(DropReason::BadHeartbeat),
                }
            }
        }
    }

    fn take_token(&mut self, now: Instant) -> bool {
        let refill = match self.refilled_at {
            None => true,
            Some(at) => now.saturating_duration_since(at) >= Duration::from_secs(1),
        };
        if refill {
            self.tokens = self.config.max_responses_per_second;
            self.refilled_at = Some(now);
        }
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }
}
