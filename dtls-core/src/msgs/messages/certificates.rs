//! The certificate messages (RFC 5246 sections 7.4.2, 7.4.4 and 7.4.8):
//! Certificate, CertificateRequest and CertificateVerify.

use super::key_exchange::DigitallySigned;
use crate::error::Error;
use crate::msgs::codec::{
    Codec, LengthPrefix, Reader, encode_opaque, encode_opaque_list, encode_u16_list, read_opaque,
    read_opaque_list, read_u16_list,
};

/// The Certificate message (RFC 5246 section 7.4.2).
///
/// ```text
/// opaque ASN.1Cert<1..2^24-1>;
/// struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `certificate_list`: DER certificates, sender's own first.
    pub certificate_list: Vec<Vec<u8>>,
}

impl Codec for Certificate {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_list(
            out,
            LengthPrefix::U24,
            LengthPrefix::U24,
            &self.certificate_list,
        );
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let certificate_list = read_opaque_list(
            r,
            LengthPrefix::U24,
            LengthPrefix::U24,
            "Certificate.certificate_list",
            "ASN.1Cert",
        )?;
        Ok(Certificate { certificate_list })
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
