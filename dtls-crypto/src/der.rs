//! The one DER reader and writer (ITU-T X.690 section 8.1 and 10) for the
//! structures this crate takes apart by hand: private key containers
//! (PKCS#8, SEC1), the outer shape of a PKCS#12 store, and RSA public keys.
//! Certificates themselves are parsed by `x509-parser`.
//!
//! Reading is strict by default ([`read`], [`expect`]): single-byte tags and
//! minimal definite lengths, as DER requires. [`read_lenient`] also takes
//! non-minimal and 4-byte length forms, for recognising stores that other
//! encoders wrote (PKCS#12 files are often BER, RFC 7292 appendix D).

/// `INTEGER` (X.690 8.3).
pub(crate) const TAG_INTEGER: u8 = 0x02;
/// `OCTET STRING` (X.690 8.7).
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
/// BIT STRING.
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
/// `OBJECT IDENTIFIER` (X.690 8.19).
pub(crate) const TAG_OID: u8 = 0x06;
/// `SEQUENCE` (X.690 8.9), constructed.
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// `[0]`, context-specific and constructed.
pub(crate) const TAG_CONTEXT_0: u8 = 0xA0;

/// Object identifiers, as the contents of a DER `OBJECT IDENTIFIER`.
pub(crate) mod oid {
    /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 section 2.1.1).
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// secp256r1, 1.2.840.10045.3.1.7 (RFC 5480 section 2.1.1.1).
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1, 1.3.132.0.34.
    pub(crate) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1, 1.3.132.0.35.
    pub(crate) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// secp256k1, 1.3.132.0.10.
    pub(crate) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 appendix C).
    pub(crate) const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10 (RFC 8017 appendix C).
    pub(crate) const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// id-dsa, 1.2.840.10040.4.1.
    pub(crate) const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
    /// dhKeyAgreement, 1.2.840.113549.1.3.1.
    pub(crate) const DH: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01];
    /// dhpublicnumber (X9.42), 1.2.840.10046.2.1.
    pub(crate) const X942_DH: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3e, 0x02, 0x01];
    /// id-X25519, 1.3.101.110 (RFC 8410 section 3).
    pub(crate) const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    /// id-X448, 1.3.101.111 (RFC 8410 section 3).
    pub(crate) const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    /// id-Ed25519, 1.3.101.112 (RFC 8410 section 3).
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// id-Ed448, 1.3.101.113 (RFC 8410 section 3).
    pub(crate) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    /// The first eight bytes of every PKCS#7 content type, 1.2.840.113549.1.7.
    pub(crate) const PKCS7_PREFIX: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
}

/// How strictly [`read_with`] checks an element's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// DER: single-byte tags, minimal lengths of at most 3 bytes.
    Strict,
    /// Any definite length of at most 4 bytes, minimal or not.
    Lenient,
}

/// Reads one DER element: `(tag, contents, rest)`; `None` if it is
/// truncated, has a multi-byte tag or a non-minimal length.
pub(crate) fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    read_with(input, Rules::Strict)
}

/// Reads one element with a definite length, minimal or not (BER, X.690
/// 8.1.3): `(tag, contents, rest)`; only for recognising data formats.
pub(crate) fn read_lenient(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    read_with(input, Rules::Lenient)
}

/// Reads one DER element that must have tag `tag`: `(contents, rest)`.
pub(crate) fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    match read(input)? {
        (t, contents, rest) if t == tag => Some((contents, rest)),
        _ => None,
    }
}

fn read_with(input: &[u8], rules: Rules) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if rules == Rules::Strict && tag & 0x1f == 0x1f {
        return None; // multi-byte tags never occur in what we read
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        let max = if rules == Rules::Strict { 3 } else { 4 };
        if n == 0 || n > max || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if rules == Rules::Strict && (bytes[0] == 0 || len < 0x80) {
            return None; // not minimal: not DER (X.690 10.1)
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (contents, rest) = rest.split_at(len);
    Some((tag, contents, rest))
}

/// Appends a DER element with a minimal definite length (X.690 10.1).
pub(crate) fn write(tag: u8, contents: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

/// Bit length of the modulus in a DER `RSAPublicKey` (RFC 8017 appendix A.1.1).
pub(crate) fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Option<usize> {
    let (seq, _) = expect(rsa_public_key, TAG_SEQUENCE)?;
    let (modulus, _) = expect(seq, TAG_INTEGER)?;
    let start = modulus.iter().position(|b| *b != 0)?;
    let significant = &modulus[start..];
    Some(significant.len() * 8 - significant[0].leading_zeros() as usize)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn length_forms_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
            let contents = vec![0xAB; len];
            let mut out = Vec::new();
            write(TAG_OCTET_STRING, &contents, &mut out);
            let (tag, c, rest) = read(&out).unwrap();
            assert_eq!((tag, c.len(), rest.len()), (TAG_OCTET_STRING, len, 0));
            assert_eq!(read_lenient(&out), read(&out));
        }
    }

    #[test]
    fn strict_refuses_what_lenient_takes() {
        let non_minimal = [0x04, 0x81, 0x05, 1, 2, 3, 4, 5];
        assert!(read(&non_minimal).is_none());
        assert_eq!(read_lenient(&non_minimal).unwrap().1, &[1, 2, 3, 4, 5]);
        let leading_zero = [0x04, 0x82, 0x00, 0x01, 9];
        assert!(read(&leading_zero).is_none());
        assert_eq!(read_lenient(&leading_zero).unwrap().1, &[9]);
        assert!(read(&[0x04, 0x82, 0x00, 0x80]).is_none());
        assert!(read(&[0x1f, 0x01, 0x00]).is_none());
    }

    #[test]
    fn truncation_is_refused_by_both() {
        for input in [&[0x04, 0x05, 1, 2][..], &[0x04, 0x80], &[0x04], &[]] {
            assert!(read(input).is_none(), "{input:?}");
            assert!(read_lenient(input).is_none(), "{input:?}");
        }
        assert!(read_lenient(&[0x04, 0x85, 0, 0, 0, 0, 1, 0]).is_none());
    }

    #[test]
    fn expect_checks_the_tag() {
        assert_eq!(
            expect(&[0x02, 0x01, 0x03, 0xff], TAG_INTEGER),
            Some((&[3][..], &[0xff][..]))
        );
        assert!(expect(&[0x02, 0x01, 0x03], TAG_SEQUENCE).is_none());
    }

    #[test]
    fn rsa_modulus_bits_skips_the_sign_byte() {
        // SEQUENCE { INTEGER 0x00 0x80 0x01, INTEGER 3 }
        let key = [0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x03];
        assert_eq!(rsa_modulus_bits(&key), Some(16));
        assert_eq!(rsa_modulus_bits(&[0x30, 0x00]), None);
    }
}
