//! Self-signed certificates for tests, demos and first runs (made with `rcgen`).

use std::time::Duration;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_parser::time::ASN1Time;

use crate::Error;
use crate::cert::Certificate;

/// How long a generated certificate is valid.
pub const VALIDITY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How far `notBefore` is set in the past, to tolerate peers whose clock is
/// slightly behind ours.
pub const BACKDATE: Duration = Duration::from_secs(5 * 60);

/// Generates a self-signed ECDSA P-256 certificate with its private key.
///
/// The subject is `CN=<common_name>`; validity runs from now (minus
/// [`BACKDATE`]) for one year ([`VALIDITY`]). `subject_alt_names` entries
/// that parse as IP addresses become IP SANs, the others DNS SANs; when the
/// list is empty the SANs are `localhost`, `127.0.0.1` and `::1`, plus the
/// common name if it looks like a host name. Key usage is digital signature;
/// extended key usage serverAuth and clientAuth.
///
/// # Errors
/// [`Error::InvalidInput`] for an empty common name or a SAN that is not a
/// valid DNS name (non-ASCII); [`Error::RandomFailure`] if key generation
/// fails; [`Error::MalformedCertificate`] if `rcgen` cannot build the certificate.
pub fn generate_self_signed(
    common_name: &str,
    subject_alt_names: &[String],
) -> Result<Certificate, Error> {
    if common_name.trim().is_empty() {
        return Err(Error::InvalidInput("the common name must not be empty"));
    }
    let sans: Vec<String> = if subject_alt_names.is_empty() {
        let mut v = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        if looks_like_host_name(common_name) && !v.iter().any(|s| s == common_name) {
            v.push(common_name.to_string());
        }
        v
    } else {
        subject_alt_names.to_vec()
    };
    let mut params = CertificateParams::new(sans)
        .map_err(|_| Error::InvalidInput("a subject alternative name is not a valid DNS name"))?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    let now = ASN1Time::now().to_datetime();
    params.not_before = now - BACKDATE;
    params.not_after = now + VALIDITY;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key_pair =
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|_| Error::RandomFailure)?;
    let cert = params
        .self_signed(&key_pair)
        .map_err(|e| Error::MalformedCertificate(format!("rcgen: {e}")))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    Certificate::from_parts(vec![cert.der().clone()], Some(key))
}

fn looks_like_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cert::{KeyAlgorithm, KeyUsage, SubjectAltName};

    #[test]
    fn default_sans_and_fields() {
        let c = generate_self_signed("dtls.example", &[]).unwrap();
        assert_eq!(c.subject(), "CN=dtls.example");
        assert_eq!(c.issuer(), "CN=dtls.example");
        assert_eq!(
            c.alt_names(),
            [
                SubjectAltName::Dns("localhost".into()),
                SubjectAltName::Ip([127, 0, 0, 1].into()),
                SubjectAltName::Ip(std::net::Ipv6Addr::LOCALHOST.into()),
                SubjectAltName::Dns("dtls.example".into()),
            ]
        );
        assert!(c.private_key_available());
        assert!(c.require_private_key().is_ok());
        assert_eq!(c.key_algorithm(), &KeyAlgorithm::Ec);
        assert_eq!(c.public_key_bits(), 256);
        assert_eq!(
            c.signature_algorithm_id().short_name.as_deref(),
            Some("ecdsa-with-SHA256")
        );
        assert_eq!(c.x509_version(), 3);
        assert_eq!(
            c.key_usage(),
            KeyUsage::from_bits(KeyUsage::DIGITAL_SIGNATURE)
        );
        assert_eq!(
            c.extended_key_usages(),
            ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
        );
        let now = ASN1Time::now().timestamp();
        assert!(c.not_before_unix() <= now && now - c.not_before_unix() < 3600);
        let one_year = VALIDITY.as_secs() as i64;
        assert!((c.not_after_unix() - now - one_year).abs() < 3600);
    }

    #[test]
    fn key_matches_certificate() {
        let c =
            generate_self_signed("Test Server", &["a.example".into(), "10.0.0.1".into()]).unwrap();
        assert_eq!(
            c.alt_names(),
            [
                SubjectAltName::Dns("a.example".into()),
                SubjectAltName::Ip([10, 0, 0, 1].into()),
            ]
        );
        // The key is the certificate's: re-loading it as PEM key + cert works
        // (that path runs the key/certificate match check).
        let mut pem = c.private_key_pem().unwrap().as_bytes().to_vec();
        pem.extend(c.encoded_pem().as_bytes());
        let again = Certificate::from_store(
            crate::cert::CertStoreType::PemKeyBlob,
            crate::cert::StoreSource::Bytes(&pem),
            "",
            "CN=Test Server",
        )
        .unwrap();
        assert!(again.private_key_available());
        assert_eq!(
            crate::cert::key_public_bytes(again.private_key_der().unwrap()).unwrap(),
            c.spki_public_key()
        );
        // Two generations give different keys.
        let other = generate_self_signed("Test Server", &[]).unwrap();
        assert_ne!(other.spki_public_key(), c.spki_public_key());
        assert_eq!(
            Certificate::from_parts(
                c.chain().to_vec(),
                Some(other.private_key_der().unwrap().clone_key())
            )
            .err(),
            Some(Error::KeyMismatch)
        );
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(matches!(
            generate_self_signed(" ", &[]),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            generate_self_signed("x", &["bad\u{e9}name".into()]),
            Err(Error::InvalidInput(_))
        ));
    }
}
