//! What both drivers need of their UDP socket.

use std::io::ErrorKind;

/// Receive and transmit buffer size: the largest UDP payload.
pub(crate) const DATAGRAM_BUF: usize = u16::MAX as usize;

/// Whether a socket error concerns one datagram (an ICMP error reported on
/// a later call, a signal) rather than the socket, so the driver goes on.
pub(crate) fn is_transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
    )
}

/// The engine's answer to a send, as the stream reports it: a connection
/// that is closing or gone is [`Error::Closed`](crate::Error::Closed).
pub(crate) fn send_verdict(result: Result<(), dtls_core::Error>) -> Result<(), crate::Error> {
    match result {
        Err(dtls_core::Error::NotConnected | dtls_core::Error::UnknownConnection) => {
            Err(crate::Error::Closed)
        }
        other => other.map_err(crate::Error::from),
    }
}
