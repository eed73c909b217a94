//! Fatal errors and alert names: what the connection sends and reports
//! when it gives up (RFC 5246 7.2).

use crate::event::{Status, StatusCode};
use crate::msgs::alert::AlertDescription;

/// A fatal handshake or protocol error: the alert to send and the status to
/// report (RFC 5246 7.2.2).
#[derive(Debug, Clone)]
pub(crate) struct Fatal {
    pub alert: AlertDescription,
    pub status: Status,
}

impl Fatal {
    pub(crate) fn new(alert: AlertDescription, code: StatusCode, text: impl Into<String>) -> Self {
        Fatal {
            alert,
            status: Status::new(code, text),
        }
    }

    /// A message the state machine does not expect now (RFC 5246 7.2.2
    /// unexpected_message).
    pub(crate) fn unexpected(what: &str) -> Self {
        Fatal::new(
            AlertDescription::UnexpectedMessage,
            StatusCode::InvalidFlow,
            format!("unexpected {what}"),
        )
    }

    /// A handshake message that does not decode (decode_error).
    pub(crate) fn decode(what: impl std::fmt::Display) -> Self {
        Fatal::new(
            AlertDescription::DecodeError,
            StatusCode::InvalidDatagram,
            format!("malformed handshake message: {what}"),
        )
    }

    /// A local failure (random source, key derivation): internal_error.
    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        Fatal::new(
            AlertDescription::InternalError,
            StatusCode::HandshakeError,
            format!("internal error: {what}"),
        )
    }
}

/// The registry name of an alert description (RFC 5246 7.2 and later
/// RFCs), for status texts.
pub(crate) fn alert_name(description: AlertDescription) -> String {
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
pub(crate) fn received_alert_code(description: AlertDescription) -> StatusCode {
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
