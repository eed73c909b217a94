//! The certificate messages (RFC 5246 sections 7.4.2, 7.4.4 and 7.4.8):
//! Certificate, CertificateRequest and CertificateVerify.

use super::key_exchange::DigitallySigned;
use crate::error::Error;
use crate::msgs::codec::{
    Codec, LengthPrefix, Reader, encode_opaque, encode_opaque_list, encode_u16_list, read_opaque,
    read_opaque_list, read_u16_list,
};
use crate::msgs::enums::CertificateType;

/// The Certificate message (RFC 5246 section 7.4.2, RFC 7250 section 3),
/// kept as its body: which of its two forms it has depends on the
/// certificate type the hellos negotiated, so it is read with
/// [`Certificate::read_as`].
///
/// ```text
/// opaque ASN.1Cert<1..2^24-1>;
/// struct {
///     select (certificate_type) {
///         case RawPublicKey: opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>;
///         case X509:         ASN.1Cert certificate_list<0..2^24-1>;
///     };
/// } Certificate;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The message body.
    pub body: Vec<u8>,
}

/// What a [`Certificate`] message carries, read by its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificatePayload {
    /// `certificate_list`: DER certificates, sender's own first (may be
    /// empty: a client without a certificate).
    Chain(Vec<Vec<u8>>),
    /// A DER SubjectPublicKeyInfo (RFC 7250 section 3).
    RawPublicKey(Vec<u8>),
}

impl Default for CertificatePayload {
    /// No certificate: an empty chain.
    fn default() -> Self {
        CertificatePayload::Chain(Vec::new())
    }
}

impl CertificatePayload {
    /// The certificate type of this payload (RFC 7250 section 3).
    pub fn certificate_type(&self) -> CertificateType {
        match self {
            CertificatePayload::Chain(_) => CertificateType::X509,
            CertificatePayload::RawPublicKey(_) => CertificateType::RawPublicKey,
        }
    }

    /// Whether no certificate or key was sent.
    pub fn is_empty(&self) -> bool {
        match self {
            CertificatePayload::Chain(chain) => chain.is_empty(),
            CertificatePayload::RawPublicKey(spki) => spki.is_empty(),
        }
    }

    /// The chain; empty for a raw public key.
    pub fn chain(&self) -> &[Vec<u8>] {
        match self {
            CertificatePayload::Chain(chain) => chain,
            CertificatePayload::RawPublicKey(_) => &[],
        }
    }

    /// The raw public key, if that is what was sent.
    pub fn raw_public_key(&self) -> Option<&[u8]> {
        match self {
            CertificatePayload::Chain(_) => None,
            CertificatePayload::RawPublicKey(spki) => Some(spki),
        }
    }

    /// The key the sender signs with: its end-entity certificate's or its
    /// raw key; `None` for an empty chain.
    pub fn signer(&self) -> Option<dtls_crypto::sign::SignerKey<'_>> {
        use dtls_crypto::sign::SignerKey;
        match self {
            CertificatePayload::Chain(chain) => {
                chain.first().map(|leaf| SignerKey::Certificate(leaf))
            }
            CertificatePayload::RawPublicKey(spki) => Some(SignerKey::RawPublicKey(spki)),
        }
    }

    /// Bytes held, for caches' byte caps.
    pub fn byte_len(&self) -> usize {
        match self {
            CertificatePayload::Chain(chain) => chain.iter().map(Vec::len).sum(),
            CertificatePayload::RawPublicKey(spki) => spki.len(),
        }
    }
}

impl Certificate {
    /// An X.509 Certificate message: `chain`, sender's own first.
    pub fn x509(chain: &[Vec<u8>]) -> Certificate {
        let mut body = Vec::new();
        encode_opaque_list(&mut body, LengthPrefix::U24, LengthPrefix::U24, chain);
        Certificate { body }
    }

    /// A raw public key Certificate message (RFC 7250 section 3).
    pub fn raw_public_key(spki: &[u8]) -> Certificate {
        let mut body = Vec::new();
        encode_opaque(&mut body, LengthPrefix::U24, spki);
        Certificate { body }
    }

    /// The body read as `typ`; it must be consumed exactly.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the field that does not decode, or an
    /// [`Error::IllegalParameter`] for a type other than X.509 and raw
    /// public key.
    pub fn read_as(&self, typ: CertificateType) -> Result<CertificatePayload, Error> {
        let mut r = Reader::new(&self.body);
        let payload = match typ {
            CertificateType::X509 => CertificatePayload::Chain(read_opaque_list(
                &mut r,
                LengthPrefix::U24,
                LengthPrefix::U24,
                "Certificate.certificate_list",
                "ASN.1Cert",
            )?),
            CertificateType::RawPublicKey => CertificatePayload::RawPublicKey(read_opaque(
                &mut r,
                LengthPrefix::U24,
                1,
                0xff_ffff,
                "Certificate.ASN.1_subjectPublicKeyInfo",
            )?),
            CertificateType::Unknown(_) => {
                return Err(Error::IllegalParameter("unknown certificate type"));
            }
        };
        r.expect_empty("trailing bytes after Certificate")?;
        Ok(payload)
    }
}

impl Codec for Certificate {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.body);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Certificate {
            body: r.rest().to_vec(),
        })
    }
}

/// The CertificateRequest (RFC 5246 section 7.4.4).
///
/// ```text
/// struct {
///     ClientCertificateType certificate_types<1..2^8-1>;
///     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
///     DistinguishedName certificate_authorities<0..2^16-1>;
/// } CertificateRequest;
/// opaque DistinguishedName<1..2^16-1>;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// `certificate_types` (e.g. rsa_sign(1), ecdsa_sign(64)).
    pub certificate_types: Vec<u8>,
    /// `supported_signature_algorithms`, as SignatureScheme values.
    pub supported_signature_algorithms: Vec<u16>,
    /// `certificate_authorities`: DER-encoded distinguished names.
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl Codec for CertificateRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, LengthPrefix::U8, &self.certificate_types);
        encode_u16_list(out, LengthPrefix::U16, &self.supported_signature_algorithms);
        encode_opaque_list(
            out,
            LengthPrefix::U16,
            LengthPrefix::U16,
            &self.certificate_authorities,
        );
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let certificate_types = read_opaque(
            r,
            LengthPrefix::U8,
            1,
            0xff,
            "CertificateRequest.certificate_types",
        )?;
        let supported_signature_algorithms = read_u16_list(
            r,
            LengthPrefix::U16,
            2,
            "CertificateRequest.supported_signature_algorithms",
        )?;
        let certificate_authorities = read_opaque_list(
            r,
            LengthPrefix::U16,
            LengthPrefix::U16,
            "CertificateRequest.certificate_authorities",
            "DistinguishedName",
        )?;
        Ok(CertificateRequest {
            certificate_types,
            supported_signature_algorithms,
            certificate_authorities,
        })
    }
}

/// The CertificateVerify (RFC 5246 section 7.4.8): a [`DigitallySigned`]
/// over the handshake messages so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateVerify {
    /// The signature and its algorithm.
    pub signed: DigitallySigned,
}

impl Codec for CertificateVerify {
    fn encode(&self, out: &mut Vec<u8>) {
        self.signed.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(CertificateVerify {
            signed: DigitallySigned::read(r)?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn certificate_body_is_read_by_type() {
        let chain = vec![vec![0x30, 0x01, 0xaa], vec![0x30, 0x00]];
        let x509 = Certificate::x509(&chain);
        assert_eq!(hex::encode(&x509.body), "00000b0000033001aa0000023000");
        assert_eq!(
            x509.read_as(CertificateType::X509).unwrap(),
            CertificatePayload::Chain(chain)
        );
        // Both forms start with a 24-bit length, so a chain read as a raw
        // key is one opaque blob: its SubjectPublicKeyInfo then fails to
        // parse where the key is used.
        assert_eq!(
            x509.read_as(CertificateType::RawPublicKey)
                .unwrap()
                .raw_public_key(),
            x509.body.get(3..)
        );

        let spki = vec![0x30, 0x59, 0x30, 0x13];
        let raw = Certificate::raw_public_key(&spki);
        assert_eq!(hex::encode(&raw.body), "00000430593013");
        let payload = raw.read_as(CertificateType::RawPublicKey).unwrap();
        assert_eq!(payload.raw_public_key(), Some(spki.as_slice()));
        assert!(payload.chain().is_empty());
        assert_eq!(payload.certificate_type(), CertificateType::RawPublicKey);
        assert!(raw.read_as(CertificateType::X509).is_err());

        // Empty raw key, trailing bytes and unknown types are refused.
        let empty = Certificate::raw_public_key(&[]);
        assert!(empty.read_as(CertificateType::RawPublicKey).is_err());
        let mut trailing = Certificate::raw_public_key(&spki);
        trailing.body.push(0);
        assert!(trailing.read_as(CertificateType::RawPublicKey).is_err());
        assert!(raw.read_as(CertificateType::Unknown(1)).is_err());
        // An empty chain is allowed (a client without a certificate).
        assert_eq!(
            Certificate::x509(&[])
                .read_as(CertificateType::X509)
                .unwrap(),
            CertificatePayload::default()
        );
    }
}
