//! The API error type of `dtls-core`: what a call can fail with. What the
//! peer did wrong during a connection is reported through events instead
//! (see `conn::peer_error`).

use std::fmt;

/// Everything that can go wrong in `dtls-core`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A message or record could not be decoded; the text names what.
    Decode(&'static str),
    /// A cryptographic operation failed.
    Crypto(dtls_crypto::Error),
    /// A message decoded but carries a value the RFCs forbid (duplicate
    /// extension, `record_size_limit` below 64, unknown heartbeat mode...);
    /// the text names what. Maps to the `illegal_parameter` alert.
    IllegalParameter(&'static str),
    /// Something could not be encoded (output buffer too small, value out of
    /// range for its wire field); the text names what.
    Encode(&'static str),
    /// The connection is not established (handshake not finished, or
    /// closed), so application data cannot be sent.
    NotConnected,
    /// An application message does not fit one record in one datagram
    /// (RFC 6347 4.1.1: records never span datagrams).
    MessageTooLarge {
        /// The message length.
        len: usize,
        /// The largest accepted length for this connection.
        max: usize,
    },
    /// The send queue is at its cap; try again after transmitting.
    SendBufferFull,
    /// The caller's buffer is smaller than the message waiting in it.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The connection handle does not name a live connection.
    UnknownConnection,
    /// The configuration cannot work; the text says why.
    Config(&'static str),
}

impl Error {
    /// The seed's status code for this error.
    pub fn status_code(&self) -> crate::event::StatusCode {
        use crate::event::StatusCode;
        match self {
            Error::Decode(_) | Error::IllegalParameter(_) => StatusCode::InvalidDatagram,
            Error::Crypto(_) => StatusCode::HandshakeError,
            Error::Config(_) => StatusCode::NotSupported,
            _ => StatusCode::InvalidFlow,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(what) => write!(f, "decode error: {what}"),
            Error::Crypto(e) => write!(f, "{e}"),
            Error::NotConnected => f.write_str("the connection is not established"),
            Error::MessageTooLarge { len, max } => write!(
                f,
                "message of {len} bytes does not fit one record (at most {max} bytes: \
                 2^14, the peer's record_size_limit, or the MTU when records must fit it)"
            ),
            Error::SendBufferFull => f.write_str("the send queue is full"),
            Error::BufferTooSmall { needed } => {
                write!(f, "buffer too small: the message needs {needed} bytes")
            }
            Error::UnknownConnection => f.write_str("no such connection"),
            Error::Config(why) => write!(f, "invalid configuration: {why}"),
            Error::IllegalParameter(what) => write!(f, "illegal parameter: {what}"),
            Error::Encode(what) => write!(f, "encode error: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Crypto(e) => Some(e),
            _ => None,
        }
    }
}

impl From<dtls_crypto::Error> for Error {
    fn from(e: dtls_crypto::Error) -> Self {
        Error::Crypto(e)
    }
}

#[cfg(test)]
mod tests {
    use super::Error;
    use std::error::Error as _;

    /// A crypto failure keeps its cause.
    #[test]
    fn crypto_error_is_the_source() {
        let inner = dtls_crypto::Error::BadRecordMac;
        let err = Error::from(inner.clone());
        let source = err.source().map(ToString::to_string);
        assert_eq!(source, Some(inner.to_string()));
        assert!(Error::NotConnected.source().is_none());
    }
}
