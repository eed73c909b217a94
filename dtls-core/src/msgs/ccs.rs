//! The ChangeCipherSpec message (RFC 5246 section 7.1, RFC 6347 section 4.1):
//! a single byte of value 1.

use super::codec::{Codec, Need, Reader};
use crate::error::Error;

/// The ChangeCipherSpec message: `struct { enum { change_cipher_spec(1),
/// (255) } type; } ChangeCipherSpec;` (RFC 5246 section 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeCipherSpec;

impl ChangeCipherSpec {
    /// The one-byte body.
    pub const BYTES: [u8; 1] = [1];
}

impl Codec for ChangeCipherSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&Self::BYTES);
    }

    /// Reads the byte, which must be 1. Use [`Codec::read_bytes`] on the
    /// record fragment so a longer fragment is rejected.
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        match r.u8().need("ChangeCipherSpec")? {
            1 => Ok(ChangeCipherSpec),
            _ => Err(Error::Decode("ChangeCipherSpec.type is not 1")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ccs_is_one_byte_of_one() {
        assert_eq!(ChangeCipherSpec.get_encoding(), vec![1]);
        assert_eq!(ChangeCipherSpec::read_bytes(&[1]), Ok(ChangeCipherSpec));
        assert!(ChangeCipherSpec::read_bytes(&[2]).is_err());
        assert!(ChangeCipherSpec::read_bytes(&[]).is_err());
        assert!(ChangeCipherSpec::read_bytes(&[1, 1]).is_err());
    }
}
