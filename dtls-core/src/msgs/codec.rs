//! The reading cursor, the [`Codec`] trait and the vector helpers shared by
//! every wire type.
//!
//! TLS structures are written in the presentation language of RFC 5246
//! section 4: fixed-width big-endian integers (section 4.4) and variable-length
//! vectors preceded by a length field just wide enough for their ceiling
//! (section 4.3). Everything here is bounds-checked: reads past the end of the
//! input yield `None` or [`Error::Decode`], never a panic, and no vector is
//! allocated before the bytes it would hold are known to be present.

use crate::error::Error;

/// The largest value of a 24-bit length field (`uint24`, RFC 5246 section 4.4).
pub const U24_MAX: u32 = 0x00ff_ffff;

/// The largest value of a 48-bit field (the DTLS record `sequence_number`,
/// RFC 6347 section 4.1).
pub const U48_MAX: u64 = 0x0000_ffff_ffff_ffff;

/// A bounds-checked cursor over a borrowed byte slice (RFC 5246 section 4).
///
/// Every read either returns the requested bytes and advances, or returns
/// `None` and leaves the cursor where it was.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// The next `n` bytes, or `None` (cursor unchanged) if fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let bytes = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(bytes)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let start = self.pos;
        let arr = self.take(N)?.try_into().ok();
        if arr.is_none() {
            self.pos = start;
        }
        arr
    }

    /// A `uint8` (RFC 5246 section 4.4).
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(u8::from_be_bytes)
    }

    /// A big-endian `uint16` (RFC 5246 section 4.4).
    pub fn u16(&mut self) -> Option<u16> {
        self.array::<2>().map(u16::from_be_bytes)
    }

    /// A big-endian `uint24` (RFC 5246 section 4.4).
    pub fn u24(&mut self) -> Option<u32> {
        self.array::<3>()
            .map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    /// A big-endian `uint32` (RFC 5246 section 4.4).
    pub fn u32(&mut self) -> Option<u32> {
        self.array::<4>().map(u32::from_be_bytes)
    }

    /// A big-endian `uint48` (the record sequence number, RFC 6347 section 4.1).
    pub fn u48(&mut self) -> Option<u64> {
        self.array::<6>()
            .map(|[a, b, c, d, e, f]| u64::from_be_bytes([0, 0, a, b, c, d, e, f]))
    }

    /// A big-endian `uint64` (RFC 5246 section 4.4).
    pub fn u64(&mut self) -> Option<u64> {
        self.array::<8>().map(u64::from_be_bytes)
    }

    /// Reads a length field of width `prefix` and returns a reader over exactly
    /// that many following bytes (a `<floor..ceiling>` vector, RFC 5246
    /// section 4.3). `None` (cursor unchanged) if the bytes are not all there.
    pub fn sub(&mut self, prefix: LengthPrefix) -> Option<Reader<'a>> {
        let start = self.pos;
        let len = match prefix {
            LengthPrefix::U8 => self.u8().map(usize::from),
            LengthPrefix::U16 => self.u16().map(usize::from),
            LengthPrefix::U24 => self.u24().and_then(|v| usize::try_from(v).ok()),
        };
        match len.and_then(|n| self.take(n)) {
            Some(bytes) => Some(Reader::new(bytes)),
            None => {
                self.pos = start;
                None
            }
        }
    }

    /// All remaining bytes; the reader is empty afterwards.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        rest
    }

    /// The remaining bytes without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// How many bytes remain.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// How many bytes have been consumed.
    pub fn used(&self) -> usize {
        self.pos
    }

    /// Whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// `Ok` if every byte has been consumed, else [`Error::Decode`] naming
    /// `what` had trailing bytes.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Decode(what))
        }
    }
}

/// Turns the `Option` of a [`Reader`] primitive into a decode error naming
/// the field (RFC 5246 section 7.2.2 `decode_error`).
pub trait Need<T> {
    /// `Some(v)` becomes `Ok(v)`; `None` becomes `Error::Decode(what)`.
    fn need(self, what: &'static str) -> Result<T, Error>;
}

impl<T> Need<T> for Option<T> {
    fn need(self, what: &'static str) -> Result<T, Error> {
        self.ok_or(Error::Decode(what))
    }
}

/// The width of a vector's length field (RFC 5246 section 4.3: "the length
/// will be in the form of a number consuming as many bytes as required to
/// hold the vector's specified maximum").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthPrefix {
    /// One byte: vectors up to 255 bytes.
    U8,
    /// Two bytes: vectors up to 65535 bytes.
    U16,
    /// Three bytes: vectors up to 2^24-1 bytes.
    U24,
}

impl LengthPrefix {
    /// The width of the length field in bytes.
    pub const fn width(self) -> usize {
        match self {
            LengthPrefix::U8 => 1,
            LengthPrefix::U16 => 2,
            LengthPrefix::U24 => 3,
        }
    }

    /// The largest body length the field can express.
    pub const fn max(self) -> usize {
        match self {
            LengthPrefix::U8 => 0xff,
            LengthPrefix::U16 => 0xffff,
            LengthPrefix::U24 => U24_MAX as usize,
        }
    }
}

/// A wire structure that can be encoded to and decoded from its RFC 5246
/// section 4 presentation-language form.
pub trait Codec: Sized {
    /// Appends the encoding of `self` to `out`.
    ///
    /// Encoding never fails: a vector longer than its length field allows is
    /// cut at the ceiling (whole elements for lists) so the output stays
    /// well-formed. Callers keep values within the RFC bounds.
    fn encode(&self, out: &mut Vec<u8>);

    /// Decodes one value from `r`, advancing it past the value's bytes.
    fn read(r: &mut Reader<'_>) -> Result<Self, Error>;

    /// The encoding of `self` as a fresh vector.
    fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Decodes a value that must occupy all of `bytes`.
    fn read_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty("trailing bytes after message")?;
        Ok(v)
    }
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        r.u8().need("uint8")
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, *self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        r.u16().need("uint16")
    }
}

/// Appends a `uint16` (RFC 5246 section 4.4).
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends the low 24 bits of `v` as a `uint24` (RFC 5246 section 4.4).
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    let [_, a, b, c] = v.to_be_bytes();
    out.extend_from_slice(&[a, b, c]);
}

/// Appends a `uint32` (RFC 5246 section 4.4).
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends a `uint64` (RFC 5246 section 4.4).
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Writes the big-endian low `width` bytes of `len` over `out[at..at+width]`.
/// Out-of-range positions are ignored (callers pass positions they wrote).
fn patch_len(out: &mut [u8], at: usize, prefix: LengthPrefix, len: usize) {
    let bytes = (len as u64).to_be_bytes();
    let width = prefix.width();
    let src = bytes.get(8 - width..).unwrap_or_default();
    if let Some(dst) = at.checked_add(width).and_then(|end| out.get_mut(at..end)) {
        dst.copy_from_slice(src);
    }
}

/// Appends a vector (RFC 5246 section 4.3): a placeholder length field of
/// width `prefix`, whatever `body` writes, then patches the length.
///
/// If `body` writes more than `prefix` can express the body is cut at the
/// ceiling, keeping the output self-consistent (the peer will reject the
/// truncated content rather than mis-frame what follows).
pub fn encode_prefixed(out: &mut Vec<u8>, prefix: LengthPrefix, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend(std::iter::repeat_n(0u8, prefix.width()));
    let start = out.len();
    body(out);
    let mut len = out.len().saturating_sub(start);
    if len > prefix.max() {
        len = prefix.max();
        out.truncate(start + len);
    }
    patch_len(out, at, prefix, len);
}

/// Appends `data` as an opaque vector with a `prefix`-wide length field
/// (RFC 5246 section 4.3).
pub fn encode_opaque(out: &mut Vec<u8>, prefix: LengthPrefix, data: &[u8]) {
    let data = data.get(..prefix.max()).unwrap_or(data);
    encode_prefixed(out, prefix, |o| o.extend_from_slice(data));
}

/// Appends a vector of `uint16` (cipher suites, groups, signature schemes),
/// keeping whole elements if the list is too long for its length field.
pub fn encode_u16_list(out: &mut Vec<u8>, prefix: LengthPrefix, items: &[u16]) {
    let items = items.get(..prefix.max() / 2).unwrap_or(items);
    encode_prefixed(out, prefix, |o| items.iter().for_each(|v| put_u16(o, *v)));
}

/// Appends a vector of encodable items, stopping before the first item that
/// would overflow the length field so the output stays well-formed.
pub fn encode_list<T: Codec>(out: &mut Vec<u8>, prefix: LengthPrefix, items: &[T]) {
    encode_whole_items(out, prefix, items, |o, item| item.encode(o));
}

/// Appends a vector of opaque vectors (certificates, distinguished names,
/// protocol names): each item with an `inner`-wide length field, the list
/// with an `outer` one, keeping whole items only.
pub fn encode_opaque_list(
    out: &mut Vec<u8>,
    outer: LengthPrefix,
    inner: LengthPrefix,
    items: &[Vec<u8>],
) {
    encode_whole_items(out, outer, items, |o, item| encode_opaque(o, inner, item));
}

/// The vector `items`, each written by `encode_item`, stopping before the
/// first item that would overflow the length field so the output stays
/// well-formed.
fn encode_whole_items<T>(
    out: &mut Vec<u8>,
    prefix: LengthPrefix,
    items: &[T],
    encode_item: impl Fn(&mut Vec<u8>, &T),
) {
    encode_prefixed(out, prefix, |o| {
        let start = o.len();
        for item in items {
            let before = o.len();
            encode_item(o, item);
            if o.len().saturating_sub(start) > prefix.max() {
                o.truncate(before);
                break;
            }
        }
    });
}

/// Reads an opaque vector whose length field is `prefix` wide and whose
/// length must lie in `min..=max` (RFC 5246 section 4.3).
pub fn read_opaque(
    r: &mut Reader<'_>,
    prefix: LengthPrefix,
    min: usize,
    max: usize,
    what: &'static str,
) -> Result<Vec<u8>, Error> {
    let mut sub = read_vector(r, prefix, what, |len| (min..=max).contains(&len))?;
    Ok(sub.rest().to_vec())
}

/// The body of a vector whose length field is `prefix` wide, if its length
/// passes `length_ok` (RFC 5246 section 4.3).
fn read_vector<'a>(
    r: &mut Reader<'a>,
    prefix: LengthPrefix,
    what: &'static str,
    length_ok: impl FnOnce(usize) -> bool,
) -> Result<Reader<'a>, Error> {
    let sub = r.sub(prefix).need(what)?;
    if length_ok(sub.remaining()) {
        Ok(sub)
    } else {
        Err(Error::Decode(what))
    }
}

/// Reads a vector of opaque vectors, each `<1..2^w-1>` with an
/// `inner`-wide length field (RFC 5246 section 4.3); `list` and `item`
/// name the two in errors.
pub fn read_opaque_list(
    r: &mut Reader<'_>,
    outer: LengthPrefix,
    inner: LengthPrefix,
    list: &'static str,
    item: &'static str,
) -> Result<Vec<Vec<u8>>, Error> {
    let mut sub = read_vector(r, outer, list, |_| true)?;
    let mut items = Vec::new();
    while !sub.is_empty() {
        items.push(read_opaque(&mut sub, inner, 1, inner.max(), item)?);
    }
    Ok(items)
}

/// Reads a vector of `uint16` whose byte length must be even and at least
/// `min_bytes` (RFC 5246 section 4.3).
pub fn read_u16_list(
    r: &mut Reader<'_>,
    prefix: LengthPrefix,
    min_bytes: usize,
    what: &'static str,
) -> Result<Vec<u16>, Error> {
    let mut sub = read_vector(r, prefix, what, |len| len >= min_bytes && len % 2 == 0)?;
    let mut items = Vec::with_capacity(sub.remaining() / 2);
    while let Some(v) = sub.u16() {
        items.push(v);
    }
    sub.expect_empty(what)?;
    Ok(items)
}

/// Reads a vector of `T` whose byte length must be at least `min_bytes`
/// (RFC 5246 section 4.3). Each element must decode completely inside the
/// vector.
pub fn read_list<T: Codec>(
    r: &mut Reader<'_>,
    prefix: LengthPrefix,
    min_bytes: usize,
    what: &'static str,
) -> Result<Vec<T>, Error> {
    let mut sub = read_vector(r, prefix, what, |len| len >= min_bytes)?;
    let mut items = Vec::new();
    while !sub.is_empty() {
        items.push(T::read(&mut sub)?);
    }
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_big_endian() {
        let bytes = [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        ];
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8(), Some(0x01));
        assert_eq!(r.u16(), Some(0x0203));
        assert_eq!(r.u24(), Some(0x04_0506));
        assert_eq!(r.u32(), Some(0x0708_090a));
        assert_eq!(r.u48(), Some(0x0b0c_0d0e_0f10));
        assert_eq!(r.remaining(), 8);
        assert_eq!(r.u64(), Some(0x1112_1314_1516_1718));
        assert!(r.is_empty());
        assert_eq!(r.u8(), None);
        assert!(r.expect_empty("x").is_ok());
    }

    #[test]
    fn short_reads_leave_cursor_in_place() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u32(), None);
        assert_eq!(r.u48(), None);
        assert_eq!(r.take(usize::MAX), None);
        assert_eq!(r.used(), 0);
        assert_eq!(r.u24(), Some(0x010203));
        assert_eq!(r.rest(), &[] as &[u8]);
    }

    #[test]
    fn sub_reader_needs_all_declared_bytes() {
        // u16 length 3 but only 2 bytes follow.
        let mut r = Reader::new(&[0, 3, 0xaa, 0xbb]);
        assert!(r.sub(LengthPrefix::U16).is_none());
        assert_eq!(r.used(), 0);
        let mut r = Reader::new(&[0, 0, 2, 0xaa, 0xbb, 0xcc]);
        let mut s = r.sub(LengthPrefix::U24).unwrap();
        assert_eq!(s.rest(), &[0xaa, 0xbb]);
        assert_eq!(r.rest(), &[0xcc]);
    }

    #[test]
    fn writers_match_readers() {
        let mut out = Vec::new();
        put_u16(&mut out, 0x0102);
        put_u24(&mut out, 0x0304_0506);
        put_u32(&mut out, 0x0708_090a);
        put_u64(&mut out, 1);
        assert_eq!(hex::encode(&out), "01020405060708090a0000000000000001");
    }

    #[test]
    fn prefixed_vectors_patch_their_length() {
        let mut out = vec![0x99];
        encode_opaque(&mut out, LengthPrefix::U8, b"abc");
        encode_u16_list(&mut out, LengthPrefix::U16, &[0xc02b, 0x00ff]);
        encode_opaque(&mut out, LengthPrefix::U24, &[]);
        assert_eq!(
            hex::encode(&out),
            "9903616263".to_owned() + "0004c02b00ff000000"
        );
    }

    #[test]
    fn overlong_vectors_are_cut_at_the_ceiling() {
        let mut out = Vec::new();
        encode_opaque(&mut out, LengthPrefix::U8, &[7u8; 300]);
        assert_eq!(out.len(), 256);
        assert_eq!(out.first(), Some(&0xff));
        let mut out = Vec::new();
        encode_u16_list(&mut out, LengthPrefix::U8, &[1u16; 200]);
        assert_eq!(out.first(), Some(&254));
        assert_eq!(out.len(), 255);
    }

    #[test]
    fn list_readers_check_bounds() {
        let mut r = Reader::new(&[0, 3, 0, 1, 2]);
        assert_eq!(
            read_u16_list(&mut r, LengthPrefix::U16, 2, "odd"),
            Err(Error::Decode("odd"))
        );
        let mut r = Reader::new(&[0, 0]);
        assert!(read_u16_list(&mut r, LengthPrefix::U16, 2, "short").is_err());
        let mut r = Reader::new(&[1, 5]);
        assert!(read_opaque(&mut r, LengthPrefix::U8, 2, 10, "min").is_err());
        let mut r = Reader::new(&[1, 5]);
        assert_eq!(
            read_opaque(&mut r, LengthPrefix::U8, 1, 10, "ok").unwrap(),
            vec![5]
        );
    }
}
