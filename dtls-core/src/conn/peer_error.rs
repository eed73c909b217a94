//! Why a handshake or connection failed because of the peer (or, rarely,
//! a local fault during it), as typed values.
//!
//! A [`PeerError`] names what happened; it maps to the alert we send
//! ([`PeerError::alert`], RFC 5246 7.2.2) and the seed's status code
//! ([`PeerError::status_code`]). Its text ([`std::fmt::Display`]) is only
//! produced when the engine reports the failure as an event
//! ([`PeerError::status`]). The model is rustls's `PeerMisbehaved` and
//! `PeerIncompatible`.

use std::fmt;

use crate::error::Error;
use crate::event::{Status, StatusCode};
use crate::msgs::alert::AlertDescription;
use crate::msgs::handshake::HandshakeType;

/// Which side of the handshake sent (or should have sent) something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peer {
    Client,
    Server,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Client => "client",
            Peer::Server => "server",
        }
    }
}

/// A fatal error in the handshake or protocol flow.
#[derive(Debug, Clone)]
pub(crate) enum PeerError {
    /// A handshake message that does not decode (decode_error); the codec
    /// says what.
    Decode(Error),
    /// A message the state machine does not expect now
    /// (unexpected_message).
    Unexpected(HandshakeType),
    /// The peer broke a protocol rule.
    Misbehaved(Misbehaved),
    /// The peer is well-behaved but we cannot agree on parameters.
    Incompatible(Incompatible),
    /// A certificate or proof of its key was missing, invalid or refused.
    Certificate(CertificateError),
    /// The two sides do not share a pre-shared key.
    Psk(PskError),
    /// The peer sent a fatal alert (RFC 5246 7.2.2): the connection is
    /// closed at once, no alert is sent back.
    AlertReceived(AlertDescription),
    /// A local failure (random source, key derivation, signing):
    /// internal_error.
    Internal(dtls_crypto::Error),
}

/// A protocol rule the peer broke.
#[derive(Debug, Clone)]
pub(crate) enum Misbehaved {
    /// A Finished whose verify_data does not match (RFC 5246 7.4.9).
    BadFinished { from: Peer, abbreviated: bool },
    /// An ECDHE public key that is not a valid point (RFC 8422 5.11).
    InvalidKeyShare(Peer),
    /// A non-empty renegotiation_info in an initial ClientHello
    /// (RFC 5746 3.6).
    RenegotiationInfoNotEmpty,
    /// More HelloVerifyRequests than we follow.
    TooManyHelloVerifyRequests,
    /// The server chose a version we did not offer (RFC 6347 4.2.1).
    UnofferedVersion(u16),
    /// The server chose a cipher suite we did not offer (RFC 5246 7.4.1.3).
    UnofferedCipherSuite(u16),
    /// The server chose a compression method other than null.
    UnofferedCompression,
    /// The server chose a group we did not offer (RFC 8422 5.4).
    UnofferedGroup(u16),
    /// The server signed with a scheme we did not offer (RFC 5246 7.4.1.4.1).
    UnofferedSignatureScheme(u16),
    /// The server selected an ALPN protocol we did not offer (RFC 7301 3.1).
    UnofferedAlpn(Vec<u8>),
    /// The server sent an extension we did not offer (RFC 5246 7.4.1.4);
    /// the RFC name of the extension.
    UnsolicitedExtension(&'static str),
    /// The server chose a CBC suite without Encrypt-then-MAC (RFC 7366 3).
    CbcWithoutEncryptThenMac,
    /// The ServerKeyExchange signature does not verify (RFC 8422 5.4).
    BadServerKeyExchangeSignature,
    /// The server resumed with another suite (RFC 5246 7.4.1.3).
    ResumedWithOtherSuite,
    /// The server resumed with another EMS status (RFC 7627 5.3).
    ResumedWithOtherEms,
    /// The server chose a certificate type we did not offer (RFC 7250
    /// 4.2); which extension and the type.
    UnofferedCertificateType(&'static str, u8),
}

/// Parameters the two sides cannot agree on.
#[derive(Debug, Clone)]
pub(crate) enum Incompatible {
    /// The client's highest version is older than DTLS 1.2.
    ClientVersionTooOld(u16),
    /// The client does not offer null compression (RFC 5246 7.4.1.2).
    NoNullCompression,
    /// The peer lacks the extended master secret, which we require
    /// (RFC 7627 5.3).
    NoExtendedMasterSecret(Peer),
    /// The client does not support uncompressed points (RFC 8422 5.1.2).
    NoUncompressedPoints,
    /// No ECDHE group in common.
    NoGroupInCommon,
    /// No cipher suite (with a matching certificate, signature scheme and
    /// Encrypt-then-MAC) in common.
    NoCipherSuiteInCommon,
    /// ALPN configured and offered, but no protocol in common (RFC 7301 3.2).
    NoAlpnInCommon,
    /// The client accepts or presents only certificate types we do not
    /// (RFC 7250 4.2).
    NoCertificateTypeInCommon,
}

/// The pre-shared keys do not match (RFC 4279 2). Both server cases look
/// the same to the client: decrypt_error, or silence when its Finished
/// record cannot even be opened.
#[derive(Debug, Clone)]
pub(crate) enum PskError {
    /// The key store does not know the client's identity; the handshake
    /// went on with a decoy key.
    UnknownIdentity(Vec<u8>),
    /// The client's key for this identity is not the store's.
    WrongKey(Vec<u8>),
    /// Our key is not the server's: its Finished does not verify, or it
    /// never answered ours (client side).
    ServerKeyDiffers,
}

/// A certificate problem.
#[derive(Debug, Clone)]
pub(crate) enum CertificateError {
    /// The client sent an empty Certificate, but one is required
    /// (RFC 5246 7.4.6).
    ClientCertificateMissing,
    /// The client's CertificateVerify uses a scheme we did not request;
    /// the scheme.
    UnrequestedVerifyScheme(u16),
    /// The client's CertificateVerify signature does not verify
    /// (RFC 5246 7.4.8).
    BadCertificateVerify,
    /// The application rejected the client certificate.
    ClientCertificateRejected,
    /// The server sent an empty chain (RFC 5246 7.4.2).
    EmptyServerChain,
    /// Trust anchors are configured but no wall clock is.
    NoClock,
    /// The configured trust anchors do not load.
    TrustAnchors(dtls_crypto::Error),
    /// The server's chain does not validate.
    ServerRejected(dtls_crypto::Error),
    /// The server's raw public key is not among the trusted keys
    /// (RFC 7250 4.1).
    UntrustedServerKey,
}

impl PeerError {
    /// The fatal alert we send for this error (RFC 5246 7.2.2). For
    /// [`PeerError::AlertReceived`] nothing is sent; this is the received
    /// alert.
    pub(crate) fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            PeerError::Decode(_) => A::DecodeError,
            PeerError::Unexpected(_) => A::UnexpectedMessage,
            PeerError::Misbehaved(m) => m.alert(),
            PeerError::Incompatible(i) => i.alert(),
            PeerError::Certificate(c) => c.alert(),
            PeerError::Psk(_) => A::DecryptError,
            PeerError::AlertReceived(alert) => *alert,
            PeerError::Internal(_) => A::InternalError,
        }
    }

    /// The seed's status code for this error.
    pub(crate) fn status_code(&self) -> StatusCode {
        match self {
            PeerError::Decode(_) => StatusCode::InvalidDatagram,
            PeerError::Unexpected(_) => StatusCode::InvalidFlow,
            PeerError::Misbehaved(m) => m.status_code(),
            PeerError::Incompatible(i) => i.status_code(),
            PeerError::Certificate(_) => StatusCode::InvalidCertificate,
            PeerError::Psk(_) => StatusCode::HandshakeError,
            PeerError::AlertReceived(alert) => received_alert_code(*alert),
            PeerError::Internal(_) => StatusCode::HandshakeError,
        }
    }

    /// The status an event reports for this error: the one place its text
    /// is produced.
    pub(crate) fn status(&self) -> Status {
        Status::new(self.status_code(), self.to_string())
    }
}

impl Misbehaved {
    fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            Misbehaved::BadFinished { .. } | Misbehaved::BadServerKeyExchangeSignature => {
                A::DecryptError
            }
            Misbehaved::InvalidKeyShare(_)
            | Misbehaved::UnofferedCipherSuite(_)
            | Misbehaved::UnofferedCompression
            | Misbehaved::UnofferedGroup(_)
            | Misbehaved::UnofferedSignatureScheme(_)
            | Misbehaved::UnofferedAlpn(_)
            | Misbehaved::ResumedWithOtherSuite => A::IllegalParameter,
            Misbehaved::UnofferedCertificateType(..) => A::UnsupportedCertificate,
            Misbehaved::RenegotiationInfoNotEmpty
            | Misbehaved::TooManyHelloVerifyRequests
            | Misbehaved::CbcWithoutEncryptThenMac
            | Misbehaved::ResumedWithOtherEms => A::HandshakeFailure,
            Misbehaved::UnofferedVersion(_) => A::ProtocolVersion,
            Misbehaved::UnsolicitedExtension(_) => A::UnsupportedExtension,
        }
    }

    fn status_code(&self) -> StatusCode {
        match self {
            Misbehaved::TooManyHelloVerifyRequests => StatusCode::InvalidFlow,
            Misbehaved::UnofferedVersion(_) => StatusCode::NotSupported,
            _ => StatusCode::HandshakeError,
        }
    }
}

impl Incompatible {
    fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            Incompatible::ClientVersionTooOld(_) => A::ProtocolVersion,
            Incompatible::NoNullCompression | Incompatible::NoUncompressedPoints => {
                A::IllegalParameter
            }
            Incompatible::NoExtendedMasterSecret(_)
            | Incompatible::NoGroupInCommon
            | Incompatible::NoCipherSuiteInCommon => A::HandshakeFailure,
            Incompatible::NoAlpnInCommon => A::NoApplicationProtocol,
            Incompatible::NoCertificateTypeInCommon => A::UnsupportedCertificate,
        }
    }

    fn status_code(&self) -> StatusCode {
        match self {
            Incompatible::ClientVersionTooOld(_)
            | Incompatible::NoNullCompression
            | Incompatible::NoUncompressedPoints => StatusCode::NotSupported,
            _ => StatusCode::HandshakeError,
        }
    }
}

impl CertificateError {
    fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            CertificateError::ClientCertificateMissing => A::HandshakeFailure,
            CertificateError::UnrequestedVerifyScheme(_) => A::IllegalParameter,
            CertificateError::BadCertificateVerify => A::DecryptError,
            CertificateError::EmptyServerChain => A::DecodeError,
            CertificateError::ClientCertificateRejected
            | CertificateError::NoClock
            | CertificateError::TrustAnchors(_)
            | CertificateError::ServerRejected(_)
            | CertificateError::UntrustedServerKey => A::BadCertificate,
        }
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::Decode(e) => write!(f, "malformed handshake message: {e}"),
            PeerError::Unexpected(typ) => write!(f, "unexpected {typ:?}"),
            PeerError::Misbehaved(m) => m.fmt(f),
            PeerError::Incompatible(i) => i.fmt(f),
            PeerError::Certificate(c) => c.fmt(f),
            PeerError::Psk(p) => p.fmt(f),
            PeerError::AlertReceived(alert) => {
                write!(f, "received fatal alert: {}", alert_name(*alert))
            }
            PeerError::Internal(e) => write!(f, "internal error: {e}"),
        }
    }
}

impl fmt::Display for PskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PskError::UnknownIdentity(identity) => write!(
                f,
                "unknown PSK identity \"{}\": the client's Finished cannot verify",
                printable(identity)
            ),
            PskError::WrongKey(identity) => write!(
                f,
                "the client's pre-shared key for identity \"{}\" differs from ours: its \
                 Finished does not verify",
                printable(identity)
            ),
            PskError::ServerKeyDiffers => f.write_str(
                "the server does not share our pre-shared key (unknown identity or another key)",
            ),
        }
    }
}

/// A peer-chosen identity as log text: at most 64 bytes, escaped.
fn printable(identity: &[u8]) -> String {
    let shown = identity.get(..identity.len().min(64)).unwrap_or(&[]);
    let mut text: String = String::from_utf8_lossy(shown).escape_debug().collect();
    if identity.len() > shown.len() {
        text.push_str("...");
    }
    text
}

impl fmt::Display for Misbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Misbehaved::BadFinished { from, abbreviated } => {
                write!(f, "the {}'s Finished message does not verify", from.name())?;
                if *abbreviated {
                    f.write_str(" (abbreviated handshake)")?;
                }
                Ok(())
            }
            Misbehaved::InvalidKeyShare(from) => {
                write!(f, "the {}'s ECDHE public key is invalid", from.name())
            }
            Misbehaved::RenegotiationInfoNotEmpty => {
                f.write_str("renegotiation_info is not empty in an initial handshake")
            }
            Misbehaved::TooManyHelloVerifyRequests => {
                f.write_str("the server keeps sending HelloVerifyRequest")
            }
            Misbehaved::UnofferedVersion(v) => write!(f, "the server chose version 0x{v:04x}"),
            Misbehaved::UnofferedCipherSuite(id) => write!(
                f,
                "the server chose cipher suite 0x{id:04x}, which we did not offer"
            ),
            Misbehaved::UnofferedCompression => {
                f.write_str("the server chose a compression method")
            }
            Misbehaved::UnofferedGroup(g) => {
                write!(
                    f,
                    "the server chose group 0x{g:04x}, which we did not offer"
                )
            }
            Misbehaved::UnofferedSignatureScheme(s) => write!(
                f,
                "the server signed with scheme 0x{s:04x}, which we did not offer"
            ),
            Misbehaved::UnofferedAlpn(p) => write!(
                f,
                "the server selected application protocol {:?}, which we did not offer",
                String::from_utf8_lossy(p)
            ),
            Misbehaved::UnsolicitedExtension(name) => {
                write!(f, "the server sent {name}, which we did not offer")
            }
            Misbehaved::CbcWithoutEncryptThenMac => {
                f.write_str("the server chose a CBC suite without Encrypt-then-MAC (RFC 7366)")
            }
            Misbehaved::BadServerKeyExchangeSignature => {
                f.write_str("the ServerKeyExchange signature does not verify")
            }
            Misbehaved::ResumedWithOtherSuite => {
                f.write_str("the server resumed the session with a different cipher suite")
            }
            Misbehaved::ResumedWithOtherEms => f.write_str(
                "the server resumed the session with a different extended master secret \
                 status (RFC 7627 5.3)",
            ),
            Misbehaved::UnofferedCertificateType(ext, typ) => write!(
                f,
                "the server chose {ext} {typ}, which we did not offer (RFC 7250)"
            ),
        }
    }
}

impl fmt::Display for Incompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incompatible::ClientVersionTooOld(v) => write!(
                f,
                "the client offers only DTLS version 0x{v:04x}; DTLS 1.2 is required"
            ),
            Incompatible::NoNullCompression => {
                f.write_str("the client does not offer null compression")
            }
            Incompatible::NoExtendedMasterSecret(Peer::Client) => f.write_str(
                "the client does not support the extended master secret (RFC 7627), \
                 which is required",
            ),
            Incompatible::NoExtendedMasterSecret(Peer::Server) => {
                f.write_str("the server does not support the extended master secret (RFC 7627)")
            }
            Incompatible::NoUncompressedPoints => {
                f.write_str("the client does not support uncompressed EC points")
            }
            Incompatible::NoGroupInCommon => {
                f.write_str("no ECDHE group in common with the client")
            }
            Incompatible::NoCipherSuiteInCommon => f.write_str(
                "no cipher suite in common with the client (check SSLEnabledCipherSuites, \
                 the certificate's key type, signature algorithms and Encrypt-then-MAC)",
            ),
            Incompatible::NoAlpnInCommon => {
                f.write_str("no application protocol (ALPN) in common with the client")
            }
            Incompatible::NoCertificateTypeInCommon => f.write_str(
                "no certificate type in common with the client (X.509 or raw public key, \
                 RFC 7250)",
            ),
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::ClientCertificateMissing => {
                f.write_str("the client sent no certificate, but one is required")
            }
            CertificateError::UnrequestedVerifyScheme(s) => write!(
                f,
                "CertificateVerify uses signature scheme 0x{s:04x}, which was not offered"
            ),
            CertificateError::BadCertificateVerify => {
                f.write_str("the client's CertificateVerify signature does not verify")
            }
            CertificateError::ClientCertificateRejected => {
                f.write_str("the client certificate was rejected")
            }
            CertificateError::EmptyServerChain => {
                f.write_str("the server sent an empty certificate chain")
            }
            CertificateError::NoClock => f.write_str(
                "trust anchors are set but no wall clock (ClientConfig::unix_time): \
                 the server certificate cannot be validated",
            ),
            CertificateError::TrustAnchors(e) => write!(f, "trust anchors: {e}"),
            CertificateError::ServerRejected(e) => write!(f, "server certificate rejected: {e}"),
            CertificateError::UntrustedServerKey => {
                f.write_str("the server's raw public key is not among the trusted keys")
            }
        }
    }
}

impl std::error::Error for PeerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PeerError::Decode(e) => Some(e),
            PeerError::Internal(e)
            | PeerError::Certificate(
                CertificateError::TrustAnchors(e) | CertificateError::ServerRejected(e),
            ) => Some(e),
            _ => None,
        }
    }
}

impl From<dtls_crypto::Error> for PeerError {
    fn from(e: dtls_crypto::Error) -> Self {
        PeerError::Internal(e)
    }
}

impl From<Misbehaved> for PeerError {
    fn from(m: Misbehaved) -> Self {
        PeerError::Misbehaved(m)
    }
}

impl From<Incompatible> for PeerError {
    fn from(i: Incompatible) -> Self {
        PeerError::Incompatible(i)
    }
}

impl From<PskError> for PeerError {
    fn from(p: PskError) -> Self {
        PeerError::Psk(p)
    }
}

impl From<CertificateError> for PeerError {
    fn from(c: CertificateError) -> Self {
        PeerError::Certificate(c)
    }
}

/// The registry name of an alert description (RFC 5246 7.2 and later
/// RFCs), for status texts.
fn alert_name(description: AlertDescription) -> String {
    use AlertDescription as A;
    let name = match description {
        A::CloseNotify => "close_notify",
        A::UnexpectedMessage => "unexpected_message",
        A::BadRecordMac => "bad_record_mac",
        A::RecordOverflow => "record_overflow",
        A::HandshakeFailure => "handshake_failure",
        A::BadCertificate => "bad_certificate",
        A::UnsupportedCertificate => "unsupported_certificate",
        A::CertificateRevoked => "certificate_revoked",
        A::CertificateExpired => "certificate_expired",
        A::CertificateUnknown => "certificate_unknown",
        A::IllegalParameter => "illegal_parameter",
        A::UnknownCa => "unknown_ca",
        A::AccessDenied => "access_denied",
        A::DecodeError => "decode_error",
        A::DecryptError => "decrypt_error",
        A::ProtocolVersion => "protocol_version",
        A::InsufficientSecurity => "insufficient_security",
        A::InternalError => "internal_error",
        A::UserCanceled => "user_canceled",
        A::NoRenegotiation => "no_renegotiation",
        A::UnsupportedExtension => "unsupported_extension",
        A::UnrecognizedName => "unrecognized_name",
        A::NoApplicationProtocol => "no_application_protocol",
        other => return format!("{other:?} ({})", u8::from(other)),
    };
    name.to_owned()
}

/// The status code reported for a fatal alert the peer sent: the
/// certificate alerts of RFC 5246 7.2.2 mean our certificate was refused
/// (404, as on the side that refused it); anything else is 405.
fn received_alert_code(description: AlertDescription) -> StatusCode {
    use AlertDescription as A;
    match description {
        A::BadCertificate
        | A::UnsupportedCertificate
        | A::CertificateRevoked
        | A::CertificateExpired
        | A::CertificateUnknown
        | A::UnknownCa => StatusCode::InvalidCertificate,
        _ => StatusCode::FatalAlert,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts tests and applications match on stay as they were.
    #[test]
    fn texts_alerts_and_codes() {
        let e = PeerError::from(Incompatible::NoExtendedMasterSecret(Peer::Client));
        assert_eq!(e.alert(), AlertDescription::HandshakeFailure);
        assert_eq!(e.status_code(), StatusCode::HandshakeError);
        assert_eq!(
            e.to_string(),
            "the client does not support the extended master secret (RFC 7627), which is required"
        );
        let e = PeerError::from(Misbehaved::BadFinished {
            from: Peer::Server,
            abbreviated: true,
        });
        assert_eq!(
            e.to_string(),
            "the server's Finished message does not verify (abbreviated handshake)"
        );
        let e = PeerError::AlertReceived(AlertDescription::BadCertificate);
        assert_eq!(e.status().code, StatusCode::InvalidCertificate);
        assert_eq!(e.to_string(), "received fatal alert: bad_certificate");
        let e = PeerError::Unexpected(HandshakeType::Finished);
        assert_eq!(e.to_string(), "unexpected Finished");
        assert_eq!(e.alert(), AlertDescription::UnexpectedMessage);
    }
}
