//! The seed's `Certificate` fields as text, over the typed facts of a
//! [`dtls_crypto::cert::Certificate`].
//!
//! `dtls-crypto` loads certificates and computes their facts as values;
//! the seed's text forms live here, where the seed's API is modelled. They
//! come as the [`CertificateFields`] extension trait rather than a wrapper
//! type, so the one certificate type stays the one `DtlsServer::set_ssl_cert`
//! takes and the loaders return: `use dtls_server::CertificateFields;` adds
//! the seed's properties to it.
//!
//! | seed field | here | format |
//! |---|---|---|
//! | EffectiveDate / ExpirationDate | [`CertificateFields::effective_date`] / [`CertificateFields::expiration_date`] | `23-Jan-2000 15:00:00`, always UTC (the seed localises; a server's logs are easier to compare in UTC) |
//! | ExtendedKeyUsage | [`CertificateFields::extended_key_usage`] | OIDs separated by `, ` |
//! | Fingerprint, FingerprintSHA1, FingerprintSHA256 | [`CertificateFields::fingerprint`] ... | lowercase hex pairs joined by `:` (the seed's example format), over the DER certificate |
//! | ThumbprintMD5/SHA1/SHA256 | [`CertificateFields::thumbprint_md5`] ... | lowercase hex, no separators |
//! | Issuer, Subject | `Certificate::issuer`, `Certificate::subject` (in `dtls-crypto`) | `CN=www.server.com, OU=test, C=US, E=...`: most specific RDN first (RFC 4514 order), the seed's short names (`S` for state, `E` for e-mail), values with a comma quoted |
//! | PrivateKey, PrivateKeyAvailable | [`CertificateFields::private_key`], `Certificate::private_key_available` | PEM |
//! | PrivateKeyContainer | [`CertificateFields::private_key_container`] | always empty (Windows only) |
//! | PublicKey | [`CertificateFields::public_key`] | PEM `PUBLIC KEY` (the SubjectPublicKeyInfo) |
//! | PublicKeyAlgorithm | [`CertificateFields::public_key_algorithm`] | `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA`, `RSASSA-PSS`, else the OID |
//! | PublicKeyLength | [`CertificateFields::public_key_length`] | bits |
//! | SerialNumber | [`CertificateFields::serial_number`] | uppercase hex, one pair per byte as encoded |
//! | SignatureAlgorithm | [`CertificateFields::signature_algorithm`] | OpenSSL-style short name (`ecdsa-with-SHA256`), else the OID |
//! | SubjectAltNames | [`CertificateFields::subject_alt_names`] | values separated by `, ` |
//! | Usage, UsageFlags | [`CertificateFields::usage`], [`CertificateFields::usage_flags`] | the seed's texts ([`USAGE_TEXTS`]) and bit values |
//! | Version | [`CertificateFields::version`] | `V1`, `V2`, `V3` |
//! | Encoded | `Certificate::encoded`, `Certificate::encoded_pem`, `Certificate::encoded_base64` | DER / PEM / Base64 |
//! | Store, StoreType, StorePassword | `Certificate::from_store`'s arguments; `Certificate::store_type` | the password is not kept |

use dtls_crypto::cert::{Certificate, KeyAlgorithm, KeyUsage, pem_encode};
use zeroize::Zeroizing;

/// The seed's key usage bits (`UsageFlags`) and their texts (`Usage`).
///
/// The first eight are the seed's; `Decipher Only` (not listed by the seed)
/// uses CryptoAPI's value `0x8000`.
pub const USAGE_TEXTS: [(u32, &str); 9] = [
    (KeyUsage::DIGITAL_SIGNATURE, "Digital Signature"),
    (KeyUsage::NON_REPUDIATION, "Non-Repudiation"),
    (KeyUsage::KEY_ENCIPHERMENT, "Key Encipherment"),
    (KeyUsage::DATA_ENCIPHERMENT, "Data Encipherment"),
    (KeyUsage::KEY_AGREEMENT, "Key Agreement"),
    (KeyUsage::KEY_CERT_SIGN, "Certificate Signing"),
    (KeyUsage::CRL_SIGN, "CRL Signing"),
    (KeyUsage::ENCIPHER_ONLY, "Encipher Only"),
    (KeyUsage::DECIPHER_ONLY, "Decipher Only"),
];

/// The seed's `Certificate` properties as text; see the [module docs](self).
pub trait CertificateFields {
    /// `EffectiveDate`: start of validity, `23-Jan-2000 15:00:00` (UTC).
    fn effective_date(&self) -> String;
    /// `ExpirationDate`: end of validity, `23-Jan-2001 15:00:00` (UTC).
    fn expiration_date(&self) -> String;
    /// `ExtendedKeyUsage`: the EKU OIDs, `, `-separated (empty without the extension).
    fn extended_key_usage(&self) -> String;
    /// `Fingerprint`: MD5 of the DER certificate, `bc:2a:...` (16 pairs).
    fn fingerprint(&self) -> String;
    /// `FingerprintSHA1`: SHA-1 of the DER certificate, `30:7b:...` (20 pairs).
    fn fingerprint_sha1(&self) -> String;
    /// `FingerprintSHA256`: SHA-256 of the DER certificate, `6a:80:...` (32 pairs).
    fn fingerprint_sha256(&self) -> String;
    /// `ThumbprintMD5`: lowercase hex, no separators.
    fn thumbprint_md5(&self) -> String;
    /// `ThumbprintSHA1`: lowercase hex, no separators.
    fn thumbprint_sha1(&self) -> String;
    /// `ThumbprintSHA256`: lowercase hex, no separators.
    fn thumbprint_sha256(&self) -> String;
    /// `PrivateKey`: the private key as PEM, if available. Zeroized on drop.
    fn private_key(&self) -> Option<Zeroizing<String>>;
    /// `PrivateKeyContainer`: always empty (a Windows CryptoAPI concept).
    fn private_key_container(&self) -> &'static str;
    /// `PublicKey`: the SubjectPublicKeyInfo as PEM (`-----BEGIN PUBLIC KEY-----`).
    fn public_key(&self) -> String;
    /// `PublicKeyAlgorithm`: `RSA`, `EC`, `Ed25519`, ... or the OID.
    fn public_key_algorithm(&self) -> String;
    /// `PublicKeyLength`: the key size in bits (RSA modulus, curve size).
    fn public_key_length(&self) -> u32;
    /// `SerialNumber`: uppercase hex, one pair per encoded byte.
    fn serial_number(&self) -> String;
    /// `SignatureAlgorithm`: e.g. `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, or the OID.
    fn signature_algorithm(&self) -> String;
    /// `SubjectAltNames`: DNS names, IP addresses, e-mails and URIs, `, `-separated.
    fn subject_alt_names(&self) -> String;
    /// `Usage`: the key usage texts (see [`USAGE_TEXTS`]), `, `-separated.
    fn usage(&self) -> String;
    /// `UsageFlags`: the key usage bits (see [`USAGE_TEXTS`]); 0 without the extension.
    fn usage_flags(&self) -> u32;
    /// `Version`: `V1`, `V2` or `V3`.
    fn version(&self) -> String;
}

impl CertificateFields for Certificate {
    fn effective_date(&self) -> String {
        format_unix_time(self.not_before_unix())
    }

    fn expiration_date(&self) -> String {
        format_unix_time(self.not_after_unix())
    }

    fn extended_key_usage(&self) -> String {
        self.extended_key_usages().join(", ")
    }

    fn fingerprint(&self) -> String {
        hex_pairs(&self.digests().md5, ":")
    }

    fn fingerprint_sha1(&self) -> String {
        hex_pairs(&self.digests().sha1, ":")
    }

    fn fingerprint_sha256(&self) -> String {
        hex_pairs(&self.digests().sha256, ":")
    }

    fn thumbprint_md5(&self) -> String {
        hex_pairs(&self.digests().md5, "")
    }

    fn thumbprint_sha1(&self) -> String {
        hex_pairs(&self.digests().sha1, "")
    }

    fn thumbprint_sha256(&self) -> String {
        hex_pairs(&self.digests().sha256, "")
    }

    fn private_key(&self) -> Option<Zeroizing<String>> {
        self.private_key_pem()
    }

    fn private_key_container(&self) -> &'static str {
        ""
    }

    fn public_key(&self) -> String {
        pem_encode("PUBLIC KEY", self.spki_der())
    }

    fn public_key_algorithm(&self) -> String {
        match self.key_algorithm() {
            KeyAlgorithm::Rsa => "RSA".into(),
            KeyAlgorithm::RsaPss => "RSASSA-PSS".into(),
            KeyAlgorithm::Ec => "EC".into(),
            KeyAlgorithm::Ed25519 => "Ed25519".into(),
            KeyAlgorithm::Ed448 => "Ed448".into(),
            KeyAlgorithm::Dsa => "DSA".into(),
            KeyAlgorithm::Other(oid) => oid.clone(),
            other => format!("{other:?}"),
        }
    }

    fn public_key_length(&self) -> u32 {
        self.public_key_bits()
    }

    fn serial_number(&self) -> String {
        self.serial().iter().map(|b| format!("{b:02X}")).collect()
    }

    fn signature_algorithm(&self) -> String {
        let id = self.signature_algorithm_id();
        id.short_name.clone().unwrap_or_else(|| id.oid.clone())
    }

    fn subject_alt_names(&self) -> String {
        self.alt_names()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn usage(&self) -> String {
        usage_text(self.key_usage())
    }

    fn usage_flags(&self) -> u32 {
        self.key_usage().bits()
    }

    fn version(&self) -> String {
        format!("V{}", self.x509_version())
    }
}

/// The seed's `Usage` text of `usage`: its flags' texts, `, `-separated.
fn usage_text(usage: KeyUsage) -> String {
    USAGE_TEXTS
        .iter()
        .filter(|(flag, _)| usage.contains(*flag))
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lowercase hex pairs joined by `separator`.
fn hex_pairs(bytes: &[u8], separator: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(separator)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `23-Jan-2000 15:00:00` (UTC) for Unix seconds; the civil date from the
/// day count by the proleptic Gregorian calendar (H. Hinnant's
/// `civil_from_days`).
fn format_unix_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let time = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("???");
    format!(
        "{day:02}-{month_name}-{year:04} {:02}:{:02}:{:02}",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use dtls_crypto::selfsigned::generate_self_signed;

    #[test]
    fn date_format_matches_the_seed() {
        assert_eq!(format_unix_time(948_639_600), "23-Jan-2000 15:00:00");
        assert_eq!(format_unix_time(0), "01-Jan-1970 00:00:00");
        assert_eq!(format_unix_time(951_782_399), "28-Feb-2000 23:59:59");
        assert_eq!(format_unix_time(951_868_800), "01-Mar-2000 00:00:00");
        assert_eq!(format_unix_time(-1), "31-Dec-1969 23:59:59");
        assert_eq!(format_unix_time(253_402_300_799), "31-Dec-9999 23:59:59");
    }

    #[test]
    fn usage_texts_follow_the_flags() {
        assert_eq!(
            usage_text(KeyUsage::from_bits(0x88)),
            "Digital Signature, Key Agreement"
        );
        assert_eq!(usage_text(KeyUsage::from_bits(0)), "");
    }

    #[test]
    fn self_signed_fields_as_the_seed_shows_them() {
        let c = generate_self_signed("dtls.example", &[]).unwrap();
        assert_eq!(
            c.subject_alt_names(),
            "localhost, 127.0.0.1, ::1, dtls.example"
        );
        assert_eq!(c.fingerprint().len(), 16 * 3 - 1);
        assert_eq!(c.fingerprint_sha1().len(), 20 * 3 - 1);
        assert_eq!(c.fingerprint_sha256().len(), 32 * 3 - 1);
        assert_eq!(
            c.thumbprint_sha256(),
            c.fingerprint_sha256().replace(':', "")
        );
        assert_eq!(c.thumbprint_sha1(), c.fingerprint_sha1().replace(':', ""));
        assert_eq!(c.thumbprint_md5(), c.fingerprint().replace(':', ""));
        assert_eq!(c.thumbprint_sha256().len(), 64);
        assert_eq!(c.public_key_algorithm(), "EC");
        assert_eq!(c.public_key_length(), 256);
        assert_eq!(c.signature_algorithm(), "ecdsa-with-SHA256");
        assert_eq!(c.usage(), "Digital Signature");
        assert_eq!(c.usage_flags(), 0x80);
        assert_eq!(
            c.extended_key_usage(),
            "1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.7.3.2"
        );
        assert_eq!(c.version(), "V3");
        assert!(c.public_key().starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(c.private_key().unwrap().contains("PRIVATE KEY-----"));
        assert_eq!(c.private_key_container(), "");
        assert_eq!(c.effective_date().len(), "23-Jan-2000 15:00:00".len());
        assert_eq!(c.effective_date(), format_unix_time(c.not_before_unix()));
        assert_eq!(
            c.serial_number(),
            c.serial()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        );
    }
}
