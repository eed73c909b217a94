//! The facts of a certificate, computed once from its DER with `x509-parser`.

use std::net::IpAddr;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::Error;
use crate::der::{self, oid};

/// The key usage extension (RFC 5280 section 4.2.1.3) as the seed's
/// `UsageFlags` bits: RFC 5280's bits 0-7 map to `0x80` (digitalSignature)
/// down to `0x01` (encipherOnly); decipherOnly (bit 8, which the seed does
/// not list) uses CryptoAPI's value `0x8000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyUsage(u32);

impl KeyUsage {
    /// digitalSignature.
    pub const DIGITAL_SIGNATURE: u32 = 0x80;
    /// nonRepudiation (contentCommitment).
    pub const NON_REPUDIATION: u32 = 0x40;
    /// keyEncipherment.
    pub const KEY_ENCIPHERMENT: u32 = 0x20;
    /// dataEncipherment.
    pub const DATA_ENCIPHERMENT: u32 = 0x10;
    /// keyAgreement.
    pub const KEY_AGREEMENT: u32 = 0x08;
    /// keyCertSign.
    pub const KEY_CERT_SIGN: u32 = 0x04;
    /// cRLSign.
    pub const CRL_SIGN: u32 = 0x02;
    /// encipherOnly.
    pub const ENCIPHER_ONLY: u32 = 0x01;
    /// decipherOnly.
    pub const DECIPHER_ONLY: u32 = 0x8000;
    /// Every flag, in RFC 5280's bit order.
    pub const ALL: [u32; 9] = [
        Self::DIGITAL_SIGNATURE,
        Self::NON_REPUDIATION,
        Self::KEY_ENCIPHERMENT,
        Self::DATA_ENCIPHERMENT,
        Self::KEY_AGREEMENT,
        Self::KEY_CERT_SIGN,
        Self::CRL_SIGN,
        Self::ENCIPHER_ONLY,
        Self::DECIPHER_ONLY,
    ];

    /// The seed's `UsageFlags` value; 0 without the extension.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The usage with these `UsageFlags` bits.
    pub fn from_bits(bits: u32) -> KeyUsage {
        KeyUsage(bits)
    }

    /// Whether `flag` (one of the constants) is set.
    pub fn contains(self, flag: u32) -> bool {
        self.0 & flag == flag
    }

    /// From RFC 5280's bit string, bit 0 (digitalSignature) as the lowest bit.
    fn from_rfc5280_bits(bits: u16) -> KeyUsage {
        let mut flags = 0;
        for (i, flag) in Self::ALL.iter().enumerate() {
            if (bits >> i) & 1 == 1 {
                flags |= flag;
            }
        }
        KeyUsage(flags)
    }
}

/// The kind of a certificate's public key (its SubjectPublicKeyInfo algorithm).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// rsaEncryption (RFC 8017).
    Rsa,
    /// id-RSASSA-PSS (RFC 4055).
    RsaPss,
    /// id-ecPublicKey (RFC 5480).
    Ec,
    /// id-Ed25519 (RFC 8410).
    Ed25519,
    /// id-Ed448 (RFC 8410).
    Ed448,
    /// id-dsa.
    Dsa,
    /// Any other algorithm, by dotted OID.
    Other(String),
}

/// The digests of a DER certificate, which the seed calls fingerprints and
/// thumbprints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digests {
    /// MD5 (RFC 1321).
    pub md5: [u8; 16],
    /// SHA-1 (RFC 3174).
    pub sha1: [u8; 20],
    /// SHA-256 (FIPS 180-4).
    pub sha256: [u8; 32],
}

/// A certificate's signature algorithm (RFC 5280 section 4.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureAlgorithm {
    /// The dotted OID.
    pub oid: String,
    /// OpenSSL's short name for it (`ecdsa-with-SHA256`), if known.
    pub short_name: Option<String>,
}

/// One name of a certificate's subjectAltName extension (RFC 5280 section
/// 4.2.1.6). Other name forms (otherName, x400Address, ediPartyName,
/// registeredID) are not kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectAltName {
    /// `dNSName`: a host name (RFC 5280 section 4.2.1.6), as encoded.
    Dns(String),
    /// `iPAddress`: an IPv4 or IPv6 address.
    Ip(IpAddr),
    /// `rfc822Name`: an e-mail address.
    Email(String),
    /// `uniformResourceIdentifier`.
    Uri(String),
    /// `directoryName`, formatted like [`Certificate::subject`](super::Certificate::subject).
    DirectoryName(String),
}

impl SubjectAltName {
    fn from_general_name(name: &GeneralName<'_>) -> Option<SubjectAltName> {
        match name {
            GeneralName::DNSName(s) => Some(Self::Dns(s.to_string())),
            GeneralName::RFC822Name(s) => Some(Self::Email(s.to_string())),
            GeneralName::URI(s) => Some(Self::Uri(s.to_string())),
            GeneralName::IPAddress(b) => match b.len() {
                4 => <[u8; 4]>::try_from(*b)
                    .ok()
                    .map(|a| Self::Ip(IpAddr::from(a))),
                16 => <[u8; 16]>::try_from(*b)
                    .ok()
                    .map(|a| Self::Ip(IpAddr::from(a))),
                _ => None,
            },
            GeneralName::DirectoryName(dn) => Some(Self::DirectoryName(format_dn(dn).0)),
            _ => None,
        }
    }
}

/// The value alone, as the seed's `SubjectAltNames` lists it.
impl std::fmt::Display for SubjectAltName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Dns(s) | Self::Email(s) | Self::Uri(s) | Self::DirectoryName(s) => f.write_str(s),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// The facts computed once from the DER.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    pub(super) not_before_unix: i64,
    pub(super) not_after_unix: i64,
    pub(super) extended_key_usages: Vec<String>,
    pub(super) digests: Digests,
    pub(super) issuer: String,
    pub(super) subject: String,
    pub(super) subject_in_encoded_order: String,
    pub(super) spki_der: Vec<u8>,
    pub(super) spki_key_bytes: Vec<u8>,
    pub(super) key_algorithm: Option<KeyAlgorithm>,
    pub(super) public_key_bits: u32,
    pub(super) serial: Vec<u8>,
    pub(super) signature_algorithm: SignatureAlgorithm,
    pub(super) alt_names: Vec<SubjectAltName>,
    pub(super) key_usage: KeyUsage,
    pub(super) x509_version: u32,
}

pub(super) fn attr_short_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "S",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "1.2.840.113549.1.9.1" => "E",
        "2.5.4.9" => "STREET",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "G",
        "2.5.4.12" => "T",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        other => return format!("OID.{other}"),
    }
    .to_string()
}

pub(super) fn attr_value(attr: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    if let Ok(s) = attr.as_str() {
        return s.to_string();
    }
    let raw = attr.as_slice();
    // BMPString (tag 30): UTF-16BE.
    if attr.attr_value().tag().0 == 30 && raw.len().is_multiple_of(2) {
        let units: Vec<u16> = raw
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        if let Ok(s) = String::from_utf16(&units) {
            return s;
        }
    }
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => format!("#{}", hex::encode(raw)),
    }
}

pub(super) fn quote_if_needed(v: &str) -> String {
    let needs = v.is_empty()
        || v.contains([',', '+', '"', ';', '=', '\n', '\r'])
        || v.starts_with(' ')
        || v.ends_with(' ');
    if needs {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// `(most specific first, encoded order)` string forms of a DN.
pub(super) fn format_dn(name: &X509Name<'_>) -> (String, String) {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    format!(
                        "{}={}",
                        attr_short_name(&a.attr_type().to_id_string()),
                        quote_if_needed(&attr_value(a))
                    )
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    let encoded = rdns.join(", ");
    let reversed = rdns.into_iter().rev().collect::<Vec<_>>().join(", ");
    (reversed, encoded)
}

pub(super) fn compute_fields(der: &[u8]) -> Result<Fields, Error> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| Error::MalformedCertificate(format!("not a valid X.509 certificate: {e}")))?;
    if !rest.is_empty() {
        return Err(Error::MalformedCertificate(
            "trailing data after the X.509 certificate".into(),
        ));
    }
    let mut f = Fields::default();
    let validity = cert.validity();
    f.not_before_unix = validity.not_before.timestamp();
    f.not_after_unix = validity.not_after.timestamp();

    if let Ok(Some(eku)) = cert.extended_key_usage() {
        let e = eku.value;
        for (present, oid) in [
            (e.any, "2.5.29.37.0"),
            (e.server_auth, "1.3.6.1.5.5.7.3.1"),
            (e.client_auth, "1.3.6.1.5.5.7.3.2"),
            (e.code_signing, "1.3.6.1.5.5.7.3.3"),
            (e.email_protection, "1.3.6.1.5.5.7.3.4"),
            (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
            (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
        ] {
            if present {
                f.extended_key_usages.push(oid.to_string());
            }
        }
        f.extended_key_usages
            .extend(e.other.iter().map(|o| o.to_id_string()));
    }

    f.digests = Digests {
        md5: Md5::digest(der).into(),
        sha1: Sha1::digest(der).into(),
        sha256: Sha256::digest(der).into(),
    };

    f.issuer = format_dn(cert.issuer()).0;
    (f.subject, f.subject_in_encoded_order) = format_dn(cert.subject());

    let spki = cert.public_key();
    f.spki_der = spki.raw.to_vec();
    f.spki_key_bytes = spki.subject_public_key.data.to_vec();
    let alg = spki.algorithm.algorithm.as_bytes();
    let param = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.as_bytes().to_vec());
    f.key_algorithm = Some(match alg {
        oid::RSA => KeyAlgorithm::Rsa,
        oid::RSA_PSS => KeyAlgorithm::RsaPss,
        oid::EC_PUBLIC_KEY => KeyAlgorithm::Ec,
        oid::ED25519 => KeyAlgorithm::Ed25519,
        oid::ED448 => KeyAlgorithm::Ed448,
        oid::DSA => KeyAlgorithm::Dsa,
        _ => KeyAlgorithm::Other(spki.algorithm.algorithm.to_id_string()),
    });
    f.public_key_bits = match alg {
        oid::RSA | oid::RSA_PSS => der::rsa_modulus_bits(&f.spki_key_bytes).unwrap_or(0) as u32,
        oid::EC_PUBLIC_KEY => match param.as_deref() {
            Some(oid::P256) => 256,
            Some(oid::P384) => 384,
            Some(oid::P521) => 521,
            _ => spki.parsed().map(|k| k.key_size() as u32).unwrap_or(0),
        },
        oid::ED25519 => 256,
        oid::ED448 => 456,
        _ => spki.parsed().map(|k| k.key_size() as u32).unwrap_or(0),
    };

    f.serial = cert.raw_serial().to_vec();
    let sig_oid = &cert.signature_algorithm.algorithm;
    f.signature_algorithm = SignatureAlgorithm {
        oid: sig_oid.to_id_string(),
        short_name: x509_parser::objects::oid2sn(sig_oid, x509_parser::objects::oid_registry())
            .ok()
            .map(str::to_string),
    };

    if let Ok(Some(san)) = cert.subject_alternative_name() {
        f.alt_names = san
            .value
            .general_names
            .iter()
            .filter_map(SubjectAltName::from_general_name)
            .collect();
    }
    if let Ok(Some(ku)) = cert.key_usage() {
        f.key_usage = KeyUsage::from_rfc5280_bits(ku.value.flags);
    }
    f.x509_version = cert.version().0 + 1;
    Ok(f)
}
