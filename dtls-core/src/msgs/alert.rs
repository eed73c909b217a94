//! The Alert protocol (RFC 5246 section 7.2, used unchanged by RFC 6347).
//!
//! ```text
//! struct {
//!     AlertLevel level;               // uint8
//!     AlertDescription description;   // uint8
//! } Alert;
//! ```

use super::codec::{Codec, Need, Reader};
use crate::error::Error;

/// The alert level (RFC 5246 section 7.2). Unknown values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertLevel {
    /// `warning(1)`.
    Warning,
    /// `fatal(2)`.
    Fatal,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for AlertLevel {
    fn from(v: u8) -> Self {
        match v {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            other => AlertLevel::Unknown(other),
        }
    }
}

impl From<AlertLevel> for u8 {
    fn from(v: AlertLevel) -> Self {
        match v {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
            AlertLevel::Unknown(other) => other,
        }
    }
}

macro_rules! alert_descriptions {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, )*) => {
        /// The alert description (RFC 5246 section 7.2 plus later registry
        /// additions: RFC 6066, RFC 7301, RFC 7507, RFC 8446). Unknown values
        /// are kept.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AlertDescription {
            $( $(#[$doc])* $variant, )*
            /// Any other value.
            Unknown(u8),
        }

        impl From<u8> for AlertDescription {
            fn from(v: u8) -> Self {
                match v {
                    $( $value => AlertDescription::$variant, )*
                    other => AlertDescription::Unknown(other),
                }
            }
        }

        impl From<AlertDescription> for u8 {
            fn from(v: AlertDescription) -> Self {
                match v {
                    $( AlertDescription::$variant => $value, )*
                    AlertDescription::Unknown(other) => other,
                }
            }
        }
    };
}

alert_descriptions! {
    /// `close_notify(0)` (RFC 5246 section 7.2.1).
    CloseNotify = 0,
    /// `unexpected_message(10)`.
    UnexpectedMessage = 10,
    /// `bad_record_mac(20)`.
    BadRecordMac = 20,
    /// `decryption_failed_RESERVED(21)`.
    DecryptionFailed = 21,
    /// `record_overflow(22)`.
    RecordOverflow = 22,
    /// `decompression_failure(30)`.
    DecompressionFailure = 30,
    /// `handshake_failure(40)`.
    HandshakeFailure = 40,
    /// `no_certificate_RESERVED(41)`.
    NoCertificate = 41,
    /// `bad_certificate(42)`.
    BadCertificate = 42,
    /// `unsupported_certificate(43)`.
    UnsupportedCertificate = 43,
    /// `certificate_revoked(44)`.
    CertificateRevoked = 44,
    /// `certificate_expired(45)`.
    CertificateExpired = 45,
    /// `certificate_unknown(46)`.
    CertificateUnknown = 46,
    /// `illegal_parameter(47)`.
    IllegalParameter = 47,
    /// `unknown_ca(48)`.
    UnknownCa = 48,
    /// `access_denied(49)`.
    AccessDenied = 49,
    /// `decode_error(50)`.
    DecodeError = 50,
    /// `decrypt_error(51)`.
    DecryptError = 51,
    /// `export_restriction_RESERVED(60)`.
    ExportRestriction = 60,
    /// `protocol_version(70)`.
    ProtocolVersion = 70,
    /// `insufficient_security(71)`.
    InsufficientSecurity = 71,
    /// `internal_error(80)`.
    InternalError = 80,
    /// `inappropriate_fallback(86)` (RFC 7507 section 2).
    InappropriateFallback = 86,
    /// `user_canceled(90)`.
    UserCanceled = 90,
    /// `no_renegotiation(100)`.
    NoRenegotiation = 100,
    /// `missing_extension(109)` (RFC 8446 section 6.2).
    MissingExtension = 109,
    /// `unsupported_extension(110)` (RFC 5246 section 7.2.2).
    UnsupportedExtension = 110,
    /// `certificate_unobtainable(111)` (RFC 6066 section 9).
    CertificateUnobtainable = 111,
    /// `unrecognized_name(112)` (RFC 6066 section 3).
    UnrecognizedName = 112,
    /// `bad_certificate_status_response(113)` (RFC 6066 section 8).
    BadCertificateStatusResponse = 113,
    /// `bad_certificate_hash_value(114)` (RFC 6066 section 9).
    BadCertificateHashValue = 114,
    /// `unknown_psk_identity(115)` (RFC 4279 section 2).
    UnknownPskIdentity = 115,
    /// `certificate_required(116)` (RFC 8446 section 6.2).
    CertificateRequired = 116,
    /// `no_application_protocol(120)` (RFC 7301 section 3.2).
    NoApplicationProtocol = 120,
}

/// An alert message (RFC 5246 section 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// `level`.
    pub level: AlertLevel,
    /// `description`.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert with `description`.
    pub fn fatal(description: AlertDescription) -> Self {
        Alert {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// The `close_notify` warning alert (RFC 5246 section 7.2.1).
    pub fn close_notify() -> Self {
        Alert {
            level: AlertLevel::Warning,
            description: AlertDescription::CloseNotify,
        }
    }

    /// The two wire bytes, for the allocation-free transmit path.
    pub fn to_bytes(&self) -> [u8; 2] {
        [u8::from(self.level), u8::from(self.description)]
    }
}

impl Codec for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Alert {
            level: AlertLevel::from(r.u8().need("Alert.level")?),
            description: AlertDescription::from(r.u8().need("Alert.description")?),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn alert_bytes() {
        assert_eq!(Alert::close_notify().get_encoding(), vec![1, 0]);
        let a = Alert::read_bytes(&[2, 120]).unwrap();
        assert_eq!(a, Alert::fatal(AlertDescription::NoApplicationProtocol));
        assert_eq!(
            Alert::read_bytes(&[2, 112]).unwrap().description,
            AlertDescription::UnrecognizedName
        );
        let u = Alert::read_bytes(&[7, 201]).unwrap();
        assert_eq!(u.level, AlertLevel::Unknown(7));
        assert_eq!(u.description, AlertDescription::Unknown(201));
        assert_eq!(u.to_bytes(), [7, 201]);
        assert!(Alert::read_bytes(&[2]).is_err());
        assert!(Alert::read_bytes(&[2, 40, 0]).is_err());
    }

    #[test]
    fn every_description_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(AlertDescription::from(v)), v);
            assert_eq!(u8::from(AlertLevel::from(v)), v);
        }
    }
}
