//! The Alert protocol (RFC 5246 section 7.2, used unchanged by RFC 6347).
//!
//! ```text
//! struct {
//!     AlertLevel level;               // uint8
//!     AlertDescription description;   // uint8
//! } Alert;
//! ```

use super::codec::{Codec, Need, Reader};
pub use super::enums::{AlertDescription, AlertLevel};
use crate::error::Error;

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
