//! The one error type of `dtls-tokio`.

use std::fmt;
use std::net::SocketAddr;

use dtls_core::event::Status;

/// What went wrong in a `dtls-tokio` call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The socket could not be bound, resolved or used.
    Io(std::io::Error),
    /// The engine refused a call: invalid configuration, a message larger
    /// than one record, a full send queue.
    Engine(dtls_core::Error),
    /// The handshake failed (negotiation, certificate, fatal alert); the
    /// status says why.
    HandshakeFailed(Status),
    /// The client's handshake got no answer: every retransmission of its
    /// flight (`common.retransmit` in the client config, RFC 6347 4.2.4.1)
    /// went unanswered.
    TimedOut {
        /// The server address that did not answer.
        peer: SocketAddr,
        /// Whether the host reported that nothing listens on that port
        /// (ICMP port unreachable).
        port_unreachable: bool,
    },
    /// The association ended abnormally (a fatal alert, a dead peer); the
    /// status says why.
    ConnectionLost(Status),
    /// The stream is closed: nothing more can be sent.
    Closed,
    /// The task driving the socket has stopped (its runtime shut down, or
    /// the socket failed).
    DriverGone,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "socket error: {e}"),
            Error::Engine(e) => write!(f, "DTLS engine refused: {e}"),
            Error::HandshakeFailed(status) => write!(f, "handshake failed: {status}"),
            Error::TimedOut {
                peer,
                port_unreachable,
            } => {
                write!(f, "handshake timed out: {peer} never answered")?;
                if *port_unreachable {
                    f.write_str(" (its host reports nothing listening on that port)")?;
                }
                Ok(())
            }
            Error::ConnectionLost(status) => write!(f, "connection lost: {status}"),
            Error::Closed => f.write_str("the stream is closed"),
            Error::DriverGone => f.write_str("the task driving the socket has stopped"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Engine(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<dtls_core::Error> for Error {
    fn from(e: dtls_core::Error) -> Self {
        Error::Engine(e)
    }
}
