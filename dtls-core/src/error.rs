//! The one error type of `dtls-core`.

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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(what) => write!(f, "decode error: {what}"),
            Error::Crypto(e) => write!(f, "{e}"),
            Error::IllegalParameter(what) => write!(f, "illegal parameter: {what}"),
            Error::Encode(what) => write!(f, "encode error: {what}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<dtls_crypto::Error> for Error {
    fn from(e: dtls_crypto::Error) -> Self {
        Error::Crypto(e)
    }
}
