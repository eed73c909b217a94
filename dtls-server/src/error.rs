//! The error type of `dtls-server`.
//!
//! Every variant names what went wrong in terms the seed's user knows: the
//! setting (`LogLevel`, `SSLEnabledCipherSuites`, ...), the offending value
//! and why it is refused, so that the `Display` text alone says what to fix.

use std::{fmt, io};

/// Everything that can go wrong in `dtls-server`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `config("Name")` or `config("Name=Value")` with a name the seed does
    /// not list.
    UnknownSetting(String),
    /// A value that does not parse or is out of range for the setting.
    InvalidValue {
        /// The setting, spelt as the seed spells it.
        setting: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong with it and what is accepted instead.
        reason: String,
    },
    /// An attempt to write a read-only setting (`BuildInfo`,
    /// `SSLNegotiatedCipher[connId]`, ...).
    ReadOnly(&'static str),
    /// A setting the seed lists that this project cannot provide, and why
    /// (Windows-only, licensing, firewall, client-only, ...).
    Unsupported {
        /// The setting, spelt as the seed spells it.
        setting: &'static str,
        /// Why it is not available, e.g. "Windows-only (qWAVE API)".
        reason: &'static str,
    },
    /// A per-connection setting (`SSLNegotiatedCipher[connId]`) used without
    /// a connection id, or an index given to a setting that takes none.
    BadIndex {
        /// The setting, spelt as the seed spells it.
        setting: &'static str,
        /// What is wrong with the index.
        reason: &'static str,
    },
    /// A per-connection setting asked about a connection that does not exist
    /// (or has not finished its handshake).
    UnknownConnection {
        /// The setting, spelt as the seed spells it.
        setting: &'static str,
        /// The connection id as given.
        connection_id: String,
    },
    /// A socket setting (`LocalHost`, `LocalPort`, `UseIPv6`, buffer sizes,
    /// `DontFragment`, `QOSDSCPValue`, `ShareLocalPort`) changed while the
    /// server has its socket: from `StartListening` until `Shutdown`.
    WhileBound(&'static str),
    /// A property of the seed (`Listening`, `Connections`, `SSLCert`) that is
    /// not a config setting; the text names the Rust item to use instead.
    NotASetting {
        /// The property's seed name.
        name: &'static str,
        /// The Rust item that provides it.
        use_instead: &'static str,
    },
    /// Text that cannot be represented in the selected `CodePage`.
    Unencodable {
        /// The first character that has no encoding.
        character: char,
        /// The code page identifier (e.g. 20127 for US-ASCII).
        code_page: u32,
    },
    /// No `SSLCert` with a private key is set; the server needs one.
    NoCertificate,
    /// A certificate or key cannot be used: `SSLCert`, or the PEM of
    /// `SSLCACerts` / `SSLClientCACerts`.
    Certificate {
        /// The setting whose certificate is refused, spelt as the seed
        /// spells it.
        setting: &'static str,
        /// Why (the [`source`](std::error::Error::source)).
        source: dtls_crypto::Error,
    },
    /// A socket or file operation failed.
    Io {
        /// The operation and what it was applied to, e.g. `cannot bind
        /// 0.0.0.0:4444`.
        context: String,
        /// The OS error, e.g. "address in use" (the
        /// [`source`](std::error::Error::source)).
        source: io::Error,
    },
    /// No connection has this id.
    NoSuchConnection(u64),
    /// The DTLS engine refused the operation (not connected, message too
    /// large for one record, send queue full).
    Dtls(dtls_core::Error),
    /// The server is not listening (no socket).
    NotListening,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownSetting(name) => write!(f, "unknown config setting {name:?}"),
            Error::InvalidValue {
                setting,
                value,
                reason,
            } => write!(f, "invalid value {value:?} for {setting}: {reason}"),
            Error::ReadOnly(setting) => write!(f, "{setting} is read-only"),
            Error::Unsupported { setting, reason } => {
                write!(f, "{setting} is not supported: {reason}")
            }
            Error::BadIndex { setting, reason } => write!(f, "{setting}: {reason}"),
            Error::UnknownConnection {
                setting,
                connection_id,
            } => write!(
                f,
                "{setting}: no established connection with id {connection_id:?}"
            ),
            Error::WhileBound(setting) => write!(
                f,
                "{setting} cannot be changed while the server has its socket: \
                 it is read when StartListening binds the socket; call Shutdown first \
                 (StopListening keeps the socket for the open connections)"
            ),
            Error::NotASetting { name, use_instead } => write!(
                f,
                "{name} is a property, not a config setting: use {use_instead}"
            ),
            Error::NoCertificate => f.write_str(
                "no SSLCert with a private key is set; the server needs one (or pre-shared \
                     keys, set_psk)",
            ),
            Error::Certificate { setting, source } => write!(f, "{setting}: {source}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::NoSuchConnection(id) => write!(f, "no connection with id {id}"),
            Error::Dtls(e) => write!(f, "{e}"),
            Error::NotListening => f.write_str("the server is not listening"),
            Error::Unencodable {
                character,
                code_page,
            } => write!(
                f,
                "the character {character:?} (U+{:04X}) cannot be encoded in code page {code_page}",
                u32::from(*character)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Certificate { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            // Transparent: the engine's message is this error's message.
            Error::Dtls(e) => e.source(),
            _ => None,
        }
    }
}

impl Error {
    /// An [`Error::Io`]: `context` says what was being done to what.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<dtls_core::Error> for Error {
    fn from(e: dtls_core::Error) -> Self {
        Error::Dtls(e)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn io_and_certificate_errors_keep_their_cause() {
        let io = Error::io(
            "cannot bind 127.0.0.1:4444",
            io::Error::from(io::ErrorKind::AddrInUse),
        );
        assert!(io.to_string().starts_with("cannot bind 127.0.0.1:4444: "));
        let cause = io.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(cause.map(io::Error::kind), Some(io::ErrorKind::AddrInUse));

        let cert = Error::Certificate {
            setting: "SSLCACerts",
            source: dtls_crypto::Error::BadSignature,
        };
        assert!(cert.to_string().starts_with("SSLCACerts: "), "{cert}");
        let cause = cert
            .source()
            .and_then(|s| s.downcast_ref::<dtls_crypto::Error>());
        assert_eq!(cause, Some(&dtls_crypto::Error::BadSignature));
        assert!(Error::NoCertificate.source().is_none());
    }
}
