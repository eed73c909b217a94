//! The DTLS record layer framing (RFC 6347 section 4.1).
//!
//! ```text
//! struct {
//!     ContentType type;                 // 1 byte
//!     ProtocolVersion version;          // 2 bytes
//!     uint16 epoch;                     // 2 bytes
//!     uint48 sequence_number;           // 6 bytes
//!     uint16 length;                    // 2 bytes
//!     opaque fragment[DTLSPlaintext.length];
//! } DTLSPlaintext;
//! ```
//!
//! A datagram may carry several records back to back, and a record never
//! spans datagrams (RFC 6347 section 4.1); [`Records`] walks them.

use super::codec::{Codec, Need, Reader, U48_MAX, put_u16};
pub use super::enums::{ContentType, ProtocolVersion};
use crate::error::Error;

/// The length of the DTLS record header (RFC 6347 section 4.1).
pub const RECORD_HEADER_LEN: usize = 13;

/// The largest plaintext fragment, 2^14 bytes (RFC 5246 section 6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// The largest record `length` accepted on receive: 2^14 + 2048, the
/// `DTLSCiphertext` ceiling (RFC 5246 section 6.2.3, RFC 6347 section 4.1).
pub const MAX_RECORD_LEN: usize = (1 << 14) + 2048;

impl Codec for ProtocolVersion {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, u16::from(*self));
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        r.u16().need("ProtocolVersion").map(ProtocolVersion::from)
    }
}

/// A record split off a datagram by [`parse_record_with_cid`]: its header,
/// its connection ID (empty unless the type is `tls12_cid`), where its
/// fragment starts, and its total length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSplit<'a> {
    /// The header; for a `tls12_cid` record the outer type, 25.
    pub header: RecordHeader,
    /// The connection ID (RFC 9146 section 4).
    pub cid: &'a [u8],
    /// Header bytes: 13, plus the CID's length.
    pub header_len: usize,
}

impl RecordSplit<'_> {
    /// The record's length in the datagram: header and fragment.
    pub fn record_len(&self) -> usize {
        self.header_len + usize::from(self.header.length)
    }
}

/// Splits the first record off `buf` when records of type `tls12_cid`
/// carry a connection ID of `cid_len` bytes (RFC 9146 section 4: the
/// receiver knows the length of the CIDs it issued). Other records parse
/// as [`parse_record`].
///
/// # Errors
/// As [`parse_record`].
pub fn parse_record_with_cid(buf: &[u8], cid_len: usize) -> Result<RecordSplit<'_>, Error> {
    if buf.first() != Some(&u8::from(ContentType::Tls12Cid)) {
        let (header, _, _) = parse_record(buf)?;
        return Ok(RecordSplit {
            header,
            cid: &[],
            header_len: RECORD_HEADER_LEN,
        });
    }
    // type, version, epoch, sequence_number (11 bytes), cid, length.
    let cid = buf.get(11..11 + cid_len).ok_or(Error::Decode(
        "tls12_cid record shorter than its connection ID",
    ))?;
    let mut plain = [0u8; RECORD_HEADER_LEN];
    plain[..11].copy_from_slice(buf.get(..11).unwrap_or(&[0; 11]));
    let length = buf
        .get(11 + cid_len..13 + cid_len)
        .ok_or(Error::Decode("record header: length"))?;
    plain[11..].copy_from_slice(length);
    let header = RecordHeader::read(&mut Reader::new(&plain))?;
    let header_len = RECORD_HEADER_LEN + cid_len;
    if usize::from(header.length) > MAX_RECORD_LEN {
        return Err(Error::Decode("record length exceeds 2^14+2048"));
    }
    if buf.len() < header_len + usize::from(header.length) {
        return Err(Error::Decode("record fragment shorter than its length"));
    }
    Ok(RecordSplit {
        header,
        cid,
        header_len,
    })
}

/// Writes a `tls12_cid` record header into `out` (RFC 9146 section 4):
/// type 25, DTLS 1.2, epoch, sequence number, `cid`, `length`. Returns the
/// bytes written, 13 plus the CID's length.
///
/// # Errors
/// As [`encode_record_header`], or a CID longer than 255 bytes.
pub fn encode_cid_record_header(
    out: &mut [u8],
    epoch: u16,
    sequence_number: u64,
    cid: &[u8],
    length: usize,
) -> Result<usize, Error> {
    if cid.len() > 255 {
        return Err(Error::Encode("connection ID longer than 255 bytes"));
    }
    let mut plain = [0u8; RECORD_HEADER_LEN];
    encode_record_header(
        &mut plain,
        ContentType::Tls12Cid,
        ProtocolVersion::Dtls1_2,
        epoch,
        sequence_number,
        length,
    )?;
    let total = RECORD_HEADER_LEN + cid.len();
    let dst = out
        .get_mut(..total)
        .ok_or(Error::Encode("buffer too small for record header"))?;
    dst[..11].copy_from_slice(&plain[..11]);
    dst[11..11 + cid.len()].copy_from_slice(cid);
    dst[11 + cid.len()..].copy_from_slice(&plain[11..]);
    Ok(total)
}

/// A decoded DTLS record header (RFC 6347 section 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// `type`: the higher-level protocol in the fragment.
    pub content_type: ContentType,
    /// `version`: the record-layer protocol version.
    pub version: ProtocolVersion,
    /// `epoch`: incremented on every cipher state change.
    pub epoch: u16,
    /// `sequence_number`: 48 bits, per epoch.
    pub sequence_number: u64,
    /// `length`: the fragment length in bytes.
    pub length: u16,
}

impl RecordHeader {
    /// Writes the 13 header bytes into the start of `out` without allocating
    /// (the transmit path). Fails if `out` is shorter than
    /// [`RECORD_HEADER_LEN`] or the sequence number exceeds 2^48-1.
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, Error> {
        if self.sequence_number > U48_MAX {
            return Err(Error::Encode("record sequence_number exceeds 2^48-1"));
        }
        let dst = out
            .get_mut(..RECORD_HEADER_LEN)
            .ok_or(Error::Encode("buffer too small for record header"))?;
        let [e0, e1] = self.epoch.to_be_bytes();
        let [_, _, q0, q1, q2, q3, q4, q5] = self.sequence_number.to_be_bytes();
        let [v0, v1] = u16::from(self.version).to_be_bytes();
        let [l0, l1] = self.length.to_be_bytes();
        dst.copy_from_slice(&[
            u8::from(self.content_type),
            v0,
            v1,
            e0,
            e1,
            q0,
            q1,
            q2,
            q3,
            q4,
            q5,
            l0,
            l1,
        ]);
        Ok(RECORD_HEADER_LEN)
    }
}

impl Codec for RecordHeader {
    /// The sequence number is written from its low 48 bits.
    fn encode(&self, out: &mut Vec<u8>) {
        let header = RecordHeader {
            sequence_number: self.sequence_number & U48_MAX,
            ..*self
        };
        let mut bytes = [0u8; RECORD_HEADER_LEN];
        if header.write_to(&mut bytes).is_ok() {
            out.extend_from_slice(&bytes);
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let content_type = ContentType::from(r.u8().need("record header: type")?);
        let version = ProtocolVersion::read(r)?;
        let epoch = r.u16().need("record header: epoch")?;
        let sequence_number = r.u48().need("record header: sequence_number")?;
        let length = r.u16().need("record header: length")?;
        Ok(RecordHeader {
            content_type,
            version,
            epoch,
            sequence_number,
            length,
        })
    }
}

/// Writes a record header into `out` (no allocation; RFC 6347 section 4.1).
/// Returns the number of bytes written, [`RECORD_HEADER_LEN`].
///
/// Fails if `out` is too short, `sequence_number` exceeds 2^48-1 or `length`
/// exceeds [`MAX_RECORD_LEN`].
pub fn encode_record_header(
    out: &mut [u8],
    content_type: ContentType,
    version: ProtocolVersion,
    epoch: u16,
    sequence_number: u64,
    length: usize,
) -> Result<usize, Error> {
    if length > MAX_RECORD_LEN {
        return Err(Error::Encode("record length exceeds 2^14+2048"));
    }
    let length = u16::try_from(length).map_err(|_| Error::Encode("record length"))?;
    RecordHeader {
        content_type,
        version,
        epoch,
        sequence_number,
        length,
    }
    .write_to(out)
}

/// Splits the first record off `buf` (RFC 6347 section 4.1): its header, its
/// fragment and the bytes after it (further records of the same datagram).
///
/// Fails if the header is incomplete, the declared length exceeds
/// [`MAX_RECORD_LEN`], or the fragment is not wholly inside `buf` (a record
/// may not span datagrams).
pub fn parse_record(buf: &[u8]) -> Result<(RecordHeader, &[u8], &[u8]), Error> {
    let mut r = Reader::new(buf);
    let header = RecordHeader::read(&mut r)?;
    if usize::from(header.length) > MAX_RECORD_LEN {
        return Err(Error::Decode("record length exceeds 2^14+2048"));
    }
    let fragment = r
        .take(usize::from(header.length))
        .need("record fragment shorter than its length")?;
    Ok((header, fragment, r.rest()))
}

/// One record borrowed from a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The decoded header.
    pub header: RecordHeader,
    /// The `fragment` (`header.length` bytes; plaintext or ciphertext).
    pub fragment: &'a [u8],
}

/// An iterator over the records of one datagram (RFC 6347 section 4.1).
///
/// After a malformed record it yields that error once and then stops: with a
/// broken length field the rest of the datagram cannot be framed, so it is
/// discarded (RFC 6347 section 4.1.2.7 "invalid records SHOULD be silently
/// discarded").
#[derive(Debug, Clone)]
pub struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    /// Iterates the records in `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        Records { rest: datagram }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match parse_record(self.rest) {
            Ok((header, fragment, rest)) => {
                self.rest = rest;
                Some(Ok(Record { header, fragment }))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // A DTLS 1.0 record carrying a 3-byte handshake fragment, then a 1-byte
    // DTLS 1.2 change_cipher_spec record in epoch 0 seq 2^48-1.
    const TWO_RECORDS: &str = concat!(
        "16",
        "feff",
        "0000",
        "000000000001",
        "0003",
        "aabbcc",
        "14",
        "fefd",
        "0000",
        "ffffffffffff",
        "0001",
        "01",
    );

    #[test]
    fn parses_two_records_in_one_datagram() {
        let dgram = hex::decode(TWO_RECORDS).unwrap();
        let recs: Vec<_> = Records::new(&dgram).collect::<Result<_, _>>().unwrap();
        assert_eq!(recs.len(), 2);
        let a = recs.first().unwrap();
        assert_eq!(a.header.content_type, ContentType::Handshake);
        assert_eq!(a.header.version, ProtocolVersion::Dtls1_0);
        assert_eq!(a.header.sequence_number, 1);
        assert_eq!(a.fragment, &[0xaa, 0xbb, 0xcc]);
        let b = recs.get(1).unwrap();
        assert_eq!(b.header.content_type, ContentType::ChangeCipherSpec);
        assert_eq!(b.header.version, ProtocolVersion::Dtls1_2);
        assert_eq!(b.header.sequence_number, U48_MAX);
        assert_eq!(b.fragment, &[1]);
    }

    #[test]
    fn header_round_trips_byte_exact() {
        let dgram = hex::decode(TWO_RECORDS).unwrap();
        let (h, _, _) = parse_record(&dgram).unwrap();
        let enc = h.get_encoding();
        assert_eq!(enc, dgram.get(..13).unwrap());
        let mut buf = [0u8; 13];
        let n = encode_record_header(
            &mut buf,
            ContentType::Handshake,
            ProtocolVersion::Dtls1_0,
            0,
            1,
            3,
        )
        .unwrap();
        assert_eq!(n, 13);
        assert_eq!(&buf[..], enc.as_slice());
    }

    #[test]
    fn cid_records_carry_the_cid_before_the_length() {
        let mut buf = [0u8; 64];
        let n = encode_cid_record_header(&mut buf, 1, 5, &[0xc1, 0xd2, 0xe3], 4).unwrap();
        assert_eq!(n, 16);
        assert_eq!(hex::encode(&buf[..n]), "19fefd0001000000000005c1d2e30004");
        buf[n..n + 4].copy_from_slice(&[9, 9, 9, 9]);
        let split = parse_record_with_cid(&buf[..n + 4], 3).unwrap();
        assert_eq!(split.cid, &[0xc1, 0xd2, 0xe3]);
        assert_eq!(split.header.content_type, ContentType::Tls12Cid);
        assert_eq!(split.header.sequence_number, 5);
        assert_eq!(split.header.length, 4);
        assert_eq!(split.record_len(), 20);
        // Too short for the CID, the length or the fragment.
        for cut in [12, 15, n + 3] {
            assert!(parse_record_with_cid(&buf[..cut], 3).is_err(), "{cut}");
        }
        // A plain record parses as before, with no CID.
        let dgram = hex::decode(TWO_RECORDS).unwrap();
        let plain = parse_record_with_cid(&dgram, 3).unwrap();
        assert!(plain.cid.is_empty());
        assert_eq!(plain.record_len(), 16);
    }

    #[test]
    fn truncated_record_stops_iteration() {
        let mut dgram = hex::decode(TWO_RECORDS).unwrap();
        dgram.pop();
        let items: Vec<_> = Records::new(&dgram).collect();
        assert_eq!(items.len(), 2);
        assert!(items.first().unwrap().is_ok());
        assert!(items.get(1).unwrap().is_err());
    }

    #[test]
    fn oversize_length_is_rejected() {
        let mut dgram = hex::decode("17fefd00010000000000050000").unwrap();
        // length 0x4801 = 2^14 + 2049.
        dgram.truncate(11);
        dgram.extend_from_slice(&[0x48, 0x01]);
        dgram.resize(13 + 0x4801, 0);
        assert!(parse_record(&dgram).is_err());
        // 2^14 + 2048 exactly is allowed.
        let mut ok = dgram.get(..11).unwrap().to_vec();
        ok.extend_from_slice(&[0x48, 0x00]);
        ok.resize(13 + 0x4800, 0);
        let (h, frag, rest) = parse_record(&ok).unwrap();
        assert_eq!(usize::from(h.length), MAX_RECORD_LEN);
        assert_eq!(frag.len(), MAX_RECORD_LEN);
        assert!(rest.is_empty());
        assert_eq!(h.epoch, 1);
        assert_eq!(h.sequence_number, 5);
    }

    #[test]
    fn encode_into_slice_checks() {
        // (buffer size, sequence number, length): each is refused.
        let refused = [(12, 0, 2), (20, 1 << 48, 2), (20, 0, MAX_RECORD_LEN + 1)];
        for (size, seq, len) in refused {
            let mut buf = vec![0u8; size];
            let header = encode_record_header(
                &mut buf,
                ContentType::Alert,
                ProtocolVersion::Dtls1_2,
                0,
                seq,
                len,
            );
            assert!(header.is_err(), "{size} {seq} {len}");
        }
    }

    #[test]
    fn unknown_values_kept() {
        assert_eq!(ContentType::from(99), ContentType::Unknown(99));
        assert_eq!(u8::from(ContentType::Unknown(99)), 99);
        assert_eq!(
            ProtocolVersion::from(0x0303),
            ProtocolVersion::Unknown(0x0303)
        );
        assert_eq!(u16::from(ProtocolVersion::Unknown(0x0303)), 0x0303);
    }
}
