//! The Finished message (RFC 5246 section 7.4.9).

use crate::error::Error;
use crate::msgs::codec::{Codec, Reader};

/// The Finished message (RFC 5246 section 7.4.9). `verify_data` has no
/// length field: it is the whole body (12 bytes for every suite here); the
/// engine checks the length and compares in constant time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// `verify_data`.
    pub verify_data: Vec<u8>,
}

impl Codec for Finished {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.verify_data);
    }

    /// Takes every remaining byte of `r` as `verify_data`.
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Finished {
            verify_data: r.rest().to_vec(),
        })
    }
}
