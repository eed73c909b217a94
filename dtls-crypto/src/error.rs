//! The one error type of `dtls-crypto`.

use std::fmt;

/// Everything that can go wrong in `dtls-crypto`.
///
/// Variants that carry a `String` name the offending thing (a file, a suite
/// name, a field) so that the message shown to a user says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A cipher suite name or id this project does not know at all.
    UnknownCipherSuite(String),
    /// A cipher suite that exists but is deliberately not supported.
    UnsupportedCipherSuite {
        /// The suite's IANA name.
        name: String,
        /// Why it is refused (e.g. "static RSA key exchange has no forward secrecy (RFC 9325)").
        reason: &'static str,
    },
    /// Several entries of a cipher suite list (the seed's
    /// `SSLEnabledCipherSuites`) are unknown or unsupported; one error per
    /// offending entry, in list order.
    CipherSuiteList(Vec<Error>),
    /// A named group (curve) that is not supported.
    UnsupportedGroup(u16),
    /// A signature scheme that is not supported or not enabled.
    UnsupportedSignatureScheme(u16),
    /// A record failed authentication (bad MAC/tag, bad padding, bad length).
    /// Deliberately carries no detail: RFC 5246 6.2.3.2 / Lucky13.
    BadRecordMac,
    /// A caller-supplied buffer is too small for the operation.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The peer's key share is malformed or not on the curve.
    InvalidPeerKeyShare,
    /// A signature did not verify.
    BadSignature,
    /// The random source failed.
    RandomFailure,
    /// An I/O error reading a file; `path` names the file.
    Io {
        /// The file.
        path: String,
        /// The OS error text.
        message: String,
    },
    /// Certificate or key data is malformed; the text says which part.
    MalformedCertificate(String),
    /// A private key could not be loaded or is of an unsupported type.
    BadPrivateKey(String),
    /// The certificate store has no private key for the selected certificate.
    NoPrivateKey,
    /// The private key does not belong to the certificate's public key.
    KeyMismatch,
    /// A PKCS#12 file could not be decrypted with the given password.
    WrongPassword,
    /// No certificate in the store matches the requested subject.
    NoMatchingCertificate(String),
    /// A store type or format that this project cannot read, and why.
    UnsupportedStore(String),
    /// A client certificate chain failed validation; the text says why.
    CertificateInvalid(String),
    /// A request that is not valid for this key or suite (e.g. wrong key length).
    InvalidInput(&'static str),
    /// The buffered handshake transcript would exceed its cap (a peer cannot
    /// make us buffer without bound).
    TranscriptTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// A configured algorithm name (named group, signature algorithm) that
    /// this project does not know at all.
    UnknownAlgorithm {
        /// What kind of name it is, e.g. "named group".
        kind: &'static str,
        /// The name as configured.
        name: String,
    },
    /// A configured algorithm that exists but is deliberately not supported.
    UnsupportedAlgorithm {
        /// The name as configured.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownCipherSuite(s) => write!(f, "unknown cipher suite: {s}"),
            Error::UnsupportedCipherSuite { name, reason } => {
                write!(f, "cipher suite {name} is not supported: {reason}")
            }
            Error::CipherSuiteList(errors) => {
                write!(
                    f,
                    "{} cipher suites in the list are not usable: ",
                    errors.len()
                )?;
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Error::UnsupportedGroup(g) => write!(f, "unsupported named group 0x{g:04x}"),
            Error::UnsupportedSignatureScheme(s) => {
                write!(f, "unsupported signature scheme 0x{s:04x}")
            }
            Error::BadRecordMac => f.write_str("record authentication failed"),
            Error::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small: need {needed} bytes, have {available}")
            }
            Error::InvalidPeerKeyShare => f.write_str("invalid peer key share"),
            Error::BadSignature => f.write_str("signature verification failed"),
            Error::RandomFailure => f.write_str("the system random source failed"),
            Error::Io { path, message } => write!(f, "cannot read {path}: {message}"),
            Error::MalformedCertificate(s) => write!(f, "malformed certificate data: {s}"),
            Error::BadPrivateKey(s) => write!(f, "bad private key: {s}"),
            Error::NoPrivateKey => f.write_str("the certificate store holds no private key"),
            Error::KeyMismatch => {
                f.write_str("the private key does not match the certificate's public key")
            }
            Error::WrongPassword => {
                f.write_str("the PKCS#12 password is wrong (MAC check or decryption failed)")
            }
            Error::NoMatchingCertificate(s) => {
                write!(f, "no certificate in the store matches subject {s:?}")
            }
            Error::UnsupportedStore(s) => write!(f, "unsupported certificate store: {s}"),
            Error::CertificateInvalid(s) => write!(f, "certificate rejected: {s}"),
            Error::InvalidInput(s) => write!(f, "invalid input: {s}"),
            Error::TranscriptTooLarge { limit } => {
                write!(
                    f,
                    "handshake transcript exceeds the {limit}-byte buffer cap"
                )
            }
            Error::UnknownAlgorithm { kind, name } => write!(f, "unknown {kind}: {name:?}"),
            Error::UnsupportedAlgorithm { name, reason } => {
                write!(f, "{name} is not supported: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}
