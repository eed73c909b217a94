//! The NewSessionTicket message (RFC 5077 section 3.3).

use crate::error::Error;
use crate::msgs::codec::{Codec, LengthPrefix, Need, Reader, encode_opaque, put_u32, read_opaque};

/// The NewSessionTicket (RFC 5077 section 3.3).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime_hint;
///     opaque ticket<0..2^16-1>;
/// } NewSessionTicket;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// `ticket_lifetime_hint` in seconds (0: unspecified).
    pub ticket_lifetime_hint: u32,
    /// `ticket`.
    pub ticket: Vec<u8>,
}

impl Codec for NewSessionTicket {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, self.ticket_lifetime_hint);
        encode_opaque(out, LengthPrefix::U16, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(NewSessionTicket {
            ticket_lifetime_hint: r.u32().need("NewSessionTicket.ticket_lifetime_hint")?,
            ticket: read_opaque(r, LengthPrefix::U16, 0, 0xffff, "NewSessionTicket.ticket")?,
        })
    }
}
