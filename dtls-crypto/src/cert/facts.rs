//! The facts of a certificate, computed once from its DER with `x509-parser`.

use std::net::IpAddr;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use super::store::pem_encode;
use crate::Error;
use crate::der::{self, oid};

/// The seed's key usage bits (`UsageFlags`) and their texts (`Usage`).
///
/// The first eight are the seed's; `Decipher Only` (not listed by the seed)
/// uses CryptoAPI's value `0x8000`.
pub const USAGE_FLAGS: [(u32, &str); 9] = [
    (0x80, "Digital Signature"),
    (0x40, "Non-Repudiation"),
    (0x20, "Key Encipherment"),
    (0x10, "Data Encipherment"),
    (0x08, "Key Agreement"),
    (0x04, "Certificate Signing"),
    (0x02, "CRL Signing"),
    (0x01, "Encipher Only"),
    (0x8000, "Decipher Only"),
];

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

/// Text fields computed once from the DER.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    pub(super) effective_date: String,
    pub(super) expiration_date: String,
    pub(super) not_before_unix: i64,
    pub(super) not_after_unix: i64,
    pub(super) extended_key_usage: String,
    pub(super) fingerprint: String,
    pub(super) fingerprint_sha1: String,
    pub(super) fingerprint_sha256: String,
    pub(super) issuer: String,
    pub(super) subject: String,
    pub(super) subject_in_encoded_order: String,
    pub(super) public_key: String,
    pub(super) spki_key_bytes: Vec<u8>,
    pub(super) public_key_algorithm: String,
    pub(super) public_key_length: u32,
    pub(super) serial_number: String,
    pub(super) signature_algorithm: String,
    pub(super) subject_alt_names: String,
    pub(super) alt_names: Vec<SubjectAltName>,
    pub(super) thumbprint_md5: String,
    pub(super) thumbprint_sha1: String,
    pub(super) thumbprint_sha256: String,
    pub(super) usage: String,
    pub(super) usage_flags: u32,
    pub(super) version: String,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(super) fn format_time(t: &x509_parser::time::ASN1Time) -> String {
    let dt = t.to_datetime();
    let month = MONTHS
        .get(usize::from(u8::from(dt.month())).saturating_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{:02}-{}-{:04} {:02}:{:02}:{:02}",
        dt.day(),
        month,
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

pub(super) fn hex_colons(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
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
    f.effective_date = format_time(&validity.not_before);
    f.expiration_date = format_time(&validity.not_after);
    f.not_before_unix = validity.not_before.timestamp();
    f.not_after_unix = validity.not_after.timestamp();

    if let Ok(Some(eku)) = cert.extended_key_usage() {
        let e = eku.value;
        let mut oids: Vec<String> = Vec::new();
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
                oids.push(oid.to_string());
            }
        }
        oids.extend(e.other.iter().map(|o| o.to_id_string()));
        f.extended_key_usage = oids.join(", ");
    }

    let md5 = Md5::digest(der);
    let sha1 = Sha1::digest(der);
    let sha256 = Sha256::digest(der);
    f.fingerprint = hex_colons(&md5);
    f.fingerprint_sha1 = hex_colons(&sha1);
    f.fingerprint_sha256 = hex_colons(&sha256);
    f.thumbprint_md5 = hex::encode(md5);
    f.thumbprint_sha1 = hex::encode(sha1);
    f.thumbprint_sha256 = hex::encode(sha256);

    f.issuer = format_dn(cert.issuer()).0;
    (f.subject, f.subject_in_encoded_order) = format_dn(cert.subject());

    let spki = cert.public_key();
    f.public_key = pem_encode("PUBLIC KEY", spki.raw);
    f.spki_key_bytes = spki.subject_public_key.data.to_vec();
    let alg = spki.algorithm.algorithm.as_bytes();
    let param = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.as_bytes().to_vec());
    f.public_key_algorithm = match alg {
        oid::RSA => "RSA".into(),
        oid::RSA_PSS => "RSASSA-PSS".into(),
        oid::EC_PUBLIC_KEY => "EC".into(),
        oid::ED25519 => "Ed25519".into(),
        oid::ED448 => "Ed448".into(),
        oid::DSA => "DSA".into(),
        _ => spki.algorithm.algorithm.to_id_string(),
    };
    f.public_key_length = match alg {
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

    f.serial_number = hex::encode_upper(cert.raw_serial());
    let sig_oid = &cert.signature_algorithm.algorithm;
    f.signature_algorithm =
        match x509_parser::objects::oid2sn(sig_oid, x509_parser::objects::oid_registry()) {
            Ok(name) => name.to_string(),
            Err(_) => sig_oid.to_id_string(),
        };

    if let Ok(Some(san)) = cert.subject_alternative_name() {
        f.alt_names = san
            .value
            .general_names
            .iter()
            .filter_map(SubjectAltName::from_general_name)
            .collect();
        f.subject_alt_names = f
            .alt_names
            .iter()
            .map(SubjectAltName::to_string)
            .collect::<Vec<_>>()
            .join(", ");
    }

    if let Ok(Some(ku)) = cert.key_usage() {
        let bits = ku.value.flags;
        let mut texts = Vec::new();
        for (i, (flag, text)) in USAGE_FLAGS.iter().enumerate() {
            if (bits >> i) & 1 == 1 {
                f.usage_flags |= flag;
                texts.push(*text);
            }
        }
        f.usage = texts.join(", ");
    }

    f.version = match cert.version().0 {
        0 => "V1".into(),
        1 => "V2".into(),
        2 => "V3".into(),
        n => format!("V{}", n + 1),
    };
    Ok(f)
}
