//! Where a connection is in its life: the one place that says whether the
//! handshake completed, what it negotiated, and how a close is reported.

use std::time::Instant;

use crate::event::{Event, NegotiatedParams, Status};

/// The stage of a connection's life.
#[derive(Debug)]
pub(crate) enum Lifecycle {
    /// The handshake is under way; it is given up at `deadline`.
    Handshaking { deadline: Option<Instant> },
    /// The handshake completed with these parameters.
    Established(Box<NegotiatedParams>),
    /// We queued a close_notify or fatal alert; closed once it is sent.
    /// `status` is reported then (a fatal error reports at once).
    Closing {
        negotiated: Option<Box<NegotiatedParams>>,
        status: Option<Status>,
    },
    /// Nothing more happens.
    Closed {
        negotiated: Option<Box<NegotiatedParams>>,
    },
}

impl Lifecycle {
    /// Whether the handshake completed and the connection is open.
    pub(crate) fn is_established(&self) -> bool {
        matches!(self, Lifecycle::Established(_))
    }

    /// Whether a close has started and its alert is not sent yet.
    pub(crate) fn is_closing(&self) -> bool {
        matches!(self, Lifecycle::Closing { .. })
    }

    /// Whether a close has started or finished.
    pub(crate) fn is_ending(&self) -> bool {
        matches!(self, Lifecycle::Closing { .. } | Lifecycle::Closed { .. })
    }

    /// Whether the connection is closed.
    pub(crate) fn is_closed(&self) -> bool {
        matches!(self, Lifecycle::Closed { .. })
    }

    /// When an unfinished handshake is given up, if it is under way.
    pub(crate) fn handshake_deadline(&self) -> Option<Instant> {
        match self {
            Lifecycle::Handshaking { deadline } => *deadline,
            _ => None,
        }
    }

    /// What the handshake negotiated, if it completed (also after close).
    pub(crate) fn negotiated(&self) -> Option<&NegotiatedParams> {
        match self {
            Lifecycle::Handshaking { .. } => None,
            Lifecycle::Established(params) => Some(params),
            Lifecycle::Closing { negotiated, .. } | Lifecycle::Closed { negotiated } => {
                negotiated.as_deref()
            }
        }
    }

    /// How an error ending the connection is reported: `Closed` once the
    /// handshake had completed, `HandshakeFailed` before.
    pub(crate) fn failure_event(&self, status: Status) -> Event {
        if self.negotiated().is_some() {
            Event::Closed(status)
        } else {
            Event::HandshakeFailed(status)
        }
    }

    /// Moves to `Closing`; `status` is reported when the alert is sent.
    pub(crate) fn start_closing(&mut self, status: Option<Status>) {
        let negotiated = self.take_negotiated();
        *self = Lifecycle::Closing { negotiated, status };
    }

    /// Moves to `Closed`; returns the status a `Closing` was waiting to
    /// report, if any.
    pub(crate) fn close(&mut self) -> Option<Status> {
        let status = match self {
            Lifecycle::Closing { status, .. } => status.take(),
            _ => None,
        };
        let negotiated = self.take_negotiated();
        *self = Lifecycle::Closed { negotiated };
        status
    }

    fn take_negotiated(&mut self) -> Option<Box<NegotiatedParams>> {
        match std::mem::replace(self, Lifecycle::Closed { negotiated: None }) {
            Lifecycle::Handshaking { .. } => None,
            Lifecycle::Established(params) => Some(params),
            Lifecycle::Closing { negotiated, .. } | Lifecycle::Closed { negotiated } => negotiated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::StatusCode;

    fn params() -> NegotiatedParams {
        NegotiatedParams {
            version: "DTLS 1.2",
            cipher_suite: dtls_crypto::CipherSuite::ALL[0],
            group: None,
            signature_scheme: None,
            resumed: false,
            extended_master_secret: true,
            alpn_protocol: None,
            server_name: None,
            peer_certificates: Vec::new(),
            peer_raw_public_key: None,
            psk_identity: None,
        }
    }

    fn status() -> Status {
        Status::new(StatusCode::Ok, "x")
    }

    #[test]
    fn failures_before_the_handshake_completes_are_handshake_failures() {
        let mut life = Lifecycle::Handshaking { deadline: None };
        assert!(matches!(
            life.failure_event(status()),
            Event::HandshakeFailed(_)
        ));
        life.start_closing(None);
        assert!(life.is_ending() && !life.is_closed());
        assert!(matches!(
            life.failure_event(status()),
            Event::HandshakeFailed(_)
        ));
        assert!(life.close().is_none());
        assert!(life.is_closed() && life.negotiated().is_none());
    }

    #[test]
    fn the_negotiated_parameters_outlive_the_close() {
        let mut life = Lifecycle::Established(Box::new(params()));
        assert!(life.is_established() && !life.is_ending());
        assert!(matches!(life.failure_event(status()), Event::Closed(_)));
        life.start_closing(Some(status()));
        assert!(!life.is_established());
        assert!(matches!(life.failure_event(status()), Event::Closed(_)));
        assert_eq!(life.close().map(|s| s.code), Some(StatusCode::Ok));
        assert!(life.negotiated().is_some());
        assert!(life.close().is_none(), "the status is reported once");
    }
}
