//! Certificates and their private keys: the seed's `Certificate` type.
//!
//! A [`Certificate`] is loaded from a certificate store ([`CertStoreType`]:
//! PKCS#12/PFX, PEM, DER, or auto-detected), selected by subject (exact or
//! partial DN, `*`, or `Thumbprint=<hex>`), and exposes every field of the
//! seed's `Certificate` type that means something off Windows, computed from
//! the DER with `x509-parser`:
//!
//! | seed field | here | format |
//! |---|---|---|
//! | EffectiveDate / ExpirationDate | [`Certificate::effective_date`] / [`Certificate::expiration_date`] | `23-Jan-2000 15:00:00`, always UTC (the seed localises; a server's logs are easier to compare in UTC) |
//! | ExtendedKeyUsage | [`Certificate::extended_key_usage`] | OIDs separated by `, ` |
//! | Fingerprint, FingerprintSHA1, FingerprintSHA256 | [`Certificate::fingerprint`] ... | lowercase hex pairs joined by `:` (the seed's example format), over the DER certificate |
//! | ThumbprintMD5/SHA1/SHA256 | [`Certificate::thumbprint_md5`] ... | lowercase hex, no separators |
//! | Issuer, Subject | [`Certificate::issuer`], [`Certificate::subject`] | `CN=www.server.com, OU=test, C=US, E=...`: most specific RDN first (RFC 4514 order), the seed's short names (`S` for state, `E` for e-mail), values with a comma quoted |
//! | PrivateKey, PrivateKeyAvailable | [`Certificate::private_key`], [`Certificate::private_key_available`] | PEM |
//! | PrivateKeyContainer | [`Certificate::private_key_container`] | always empty (Windows only) |
//! | PublicKey | [`Certificate::public_key`] | PEM `PUBLIC KEY` (the SubjectPublicKeyInfo) |
//! | PublicKeyAlgorithm | [`Certificate::public_key_algorithm`] | `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA`, `RSASSA-PSS`, else the OID |
//! | PublicKeyLength | [`Certificate::public_key_length`] | bits |
//! | SerialNumber | [`Certificate::serial_number`] | uppercase hex, one pair per byte as encoded |
//! | SignatureAlgorithm | [`Certificate::signature_algorithm`] | OpenSSL-style short name (`ecdsa-with-SHA256`), else the OID |
//! | SubjectAltNames | [`Certificate::subject_alt_names`] | values separated by `, ` |
//! | Usage, UsageFlags | [`Certificate::usage`], [`Certificate::usage_flags`] | the seed's texts and bit values |
//! | Version | [`Certificate::version`] | `V1`, `V2`, `V3` |
//! | Encoded | [`Certificate::encoded`], [`Certificate::encoded_pem`], [`Certificate::encoded_base64`] | DER / PEM / Base64 |
//! | Store, StoreType, StorePassword | [`Certificate::from_store`]'s arguments; [`Certificate::store_type`] | the password is not kept |

mod facts;
mod select;
mod store;
mod store_type;

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use crate::Error;
use facts::{Fields, compute_fields};
pub use facts::{SubjectAltName, USAGE_FLAGS};
use select::{finish, select};
pub(crate) use store::key_public_bytes;
use store::{StoreCert, open_store, parse_pem_or_der, pem_encode, read_file, with_context};
pub use store_type::{CertStoreType, StoreSource};

/// A certificate (with its chain and, when available, its private key) and
/// the facts the seed's `Certificate` type exposes. See the [module docs](self).
pub struct Certificate {
    chain: Vec<CertificateDer<'static>>,
    private_key: Option<PrivateKeyDer<'static>>,
    store_type: Option<CertStoreType>,
    friendly_name: Option<String>,
    f: Fields,
}

impl Clone for Certificate {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            private_key: self.private_key.as_ref().map(|k| k.clone_key()),
            store_type: self.store_type,
            friendly_name: self.friendly_name.clone(),
            f: self.f.clone(),
        }
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.f.subject)
            .field("issuer", &self.f.issuer)
            .field("thumbprint_sha256", &self.f.thumbprint_sha256)
            .field("chain_len", &self.chain.len())
            .field("private_key_available", &self.private_key.is_some())
            .finish()
    }
}

impl Certificate {
    /// Opens a certificate store and selects one certificate by `subject`
    /// (the seed's `Certificate(storeType, store, storePassword, subject)`).
    ///
    /// `subject` may be:
    /// - `*` (or empty): the first certificate with a private key, else the first;
    /// - `Thumbprint=<hex>`: the certificate whose MD5, SHA-1 or SHA-256
    ///   thumbprint this is (case-insensitive; `:` and spaces allowed);
    /// - a DN: an exact match of [`Certificate::subject`] (spaces after commas
    ///   and RDN order ignored), else the first certificate whose subject
    ///   contains it (case-insensitive). Among several matches one with a
    ///   private key wins.
    ///
    /// `password` opens PKCS#12 stores; PEM stores ignore it (encrypted PEM
    /// keys are refused). The returned certificate carries its chain (issuers
    /// found in the same store) and its private key when the store has it;
    /// use [`Certificate::require_private_key`] where a key is needed.
    ///
    /// # Errors
    /// [`Error::Io`] (file), [`Error::UnsupportedStore`], [`Error::WrongPassword`],
    /// [`Error::MalformedCertificate`], [`Error::BadPrivateKey`] (unsupported or
    /// broken key), [`Error::KeyMismatch`] (the store's key belongs to none of
    /// its certificates), [`Error::NoMatchingCertificate`].
    pub fn from_store(
        store_type: CertStoreType,
        store: StoreSource<'_>,
        password: &str,
        subject: &str,
    ) -> Result<Certificate, Error> {
        let opened = open_store(store_type, store, password)?;
        let index = select(&opened, subject)?;
        finish(opened, index, store_type)
    }

    /// Opens a store and selects the certificate `encoded` (PEM, Base64 or
    /// DER), taking its private key from the store if the store has it (the
    /// seed's `Certificate(storeType, store, storePassword, encoded)`).
    ///
    /// # Errors
    /// As [`Certificate::from_store`]; `encoded` that is not a certificate is
    /// [`Error::MalformedCertificate`].
    pub fn from_store_with_encoded(
        store_type: CertStoreType,
        store: StoreSource<'_>,
        password: &str,
        encoded: &[u8],
    ) -> Result<Certificate, Error> {
        let wanted = Certificate::from_encoded(encoded)?;
        let mut opened = open_store(store_type, store, password)?;
        let index = match opened
            .certs
            .iter()
            .position(|c| c.der.as_ref() == wanted.encoded())
        {
            Some(i) => i,
            None => {
                opened.certs.insert(
                    0,
                    StoreCert {
                        der: wanted.chain[0].clone(),
                        friendly_name: None,
                        local_key_id: None,
                        f: wanted.f.clone(),
                    },
                );
                0
            }
        };
        finish(opened, index, store_type)
    }

    /// Parses one DER X.509 certificate (no private key).
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] if `der` is not exactly one certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        let f = compute_fields(der)?;
        Ok(Certificate {
            chain: vec![CertificateDer::from(der.to_vec())],
            private_key: None,
            store_type: None,
            friendly_name: None,
            f,
        })
    }

    /// Parses an encoded certificate (the seed's `Certificate(encoded)`):
    /// PEM, Base64 or DER. The first certificate is taken; no private key.
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] if there is no certificate in `data`.
    pub fn from_encoded(data: &[u8]) -> Result<Certificate, Error> {
        Self::from_store(
            CertStoreType::PublicKeyBlob,
            StoreSource::Bytes(data),
            "",
            "*",
        )
    }

    /// Reads a file with a PEM or DER certificate (the seed's
    /// `Certificate(certificateFile)`); no private key.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file; [`Error::MalformedCertificate`].
    pub fn from_file(path: &Path) -> Result<Certificate, Error> {
        Self::from_store(
            CertStoreType::PublicKeyFile,
            StoreSource::Path(path),
            "",
            "*",
        )
    }

    /// Convenience: a PEM (or DER) certificate chain file (end-entity first,
    /// or in any order: the chain is rebuilt by issuer names) and a PEM (or
    /// DER) private key file.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file that cannot be read;
    /// [`Error::MalformedCertificate`] if the first file has no certificate;
    /// [`Error::BadPrivateKey`] if the second has no (supported) key;
    /// [`Error::KeyMismatch`] if the key belongs to none of the certificates.
    pub fn from_pem_files(cert_path: &Path, key_path: &Path) -> Result<Certificate, Error> {
        let cert_data = read_file(cert_path)?;
        let key_data = Zeroizing::new(read_file(key_path)?);
        let mut store = parse_pem_or_der(&cert_data, false)
            .map_err(|e| with_context(e, &cert_path.display().to_string()))?;
        if store.certs.is_empty() {
            return Err(Error::MalformedCertificate(format!(
                "{}: no CERTIFICATE found",
                cert_path.display()
            )));
        }
        let key_store = parse_pem_or_der(&key_data, true)
            .map_err(|e| with_context(e, &key_path.display().to_string()))?;
        if key_store.keys.is_empty() {
            return Err(Error::BadPrivateKey(format!(
                "{}: no private key found",
                key_path.display()
            )));
        }
        store.keys = key_store.keys;
        let index = select(&store, "*")?;
        let cert = finish(store, index, CertStoreType::PemKeyFile)?;
        if cert.private_key.is_none() {
            return Err(Error::KeyMismatch);
        }
        Ok(cert)
    }

    /// Builds a certificate from a chain (end-entity first) and an optional
    /// private key, checking that the key belongs to the end-entity certificate.
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] for an empty or unparsable chain;
    /// [`Error::KeyMismatch`]; [`Error::BadPrivateKey`] for unsupported keys.
    pub fn from_parts(
        chain: Vec<CertificateDer<'static>>,
        private_key: Option<PrivateKeyDer<'static>>,
    ) -> Result<Certificate, Error> {
        let leaf = chain
            .first()
            .ok_or_else(|| Error::MalformedCertificate("empty certificate chain".into()))?;
        let f = compute_fields(leaf)?;
        for (i, c) in chain.iter().enumerate().skip(1) {
            compute_fields(c).map_err(|e| with_context(e, &format!("chain certificate #{i}")))?;
        }
        if let Some(key) = &private_key
            && key_public_bytes(key)? != f.spki_key_bytes
        {
            return Err(Error::KeyMismatch);
        }
        Ok(Certificate {
            chain,
            private_key,
            store_type: None,
            friendly_name: None,
            f,
        })
    }

    /// The chain: the certificate itself first, then its issuers found in
    /// the same store (possibly up to and including the root).
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The private key, if the store had the one that belongs to this certificate.
    pub fn private_key_der(&self) -> Option<&PrivateKeyDer<'static>> {
        self.private_key.as_ref()
    }

    /// The private key, for uses that need one (e.g. the server's own certificate).
    ///
    /// # Errors
    /// [`Error::NoPrivateKey`] if the store did not provide it.
    pub fn require_private_key(&self) -> Result<&PrivateKeyDer<'static>, Error> {
        self.private_key.as_ref().ok_or(Error::NoPrivateKey)
    }

    /// The store type this certificate was loaded from, if it came from a store.
    pub fn store_type(&self) -> Option<CertStoreType> {
        self.store_type
    }

    /// The PKCS#12 friendly name of the certificate (or its key), if any.
    pub fn friendly_name(&self) -> Option<&str> {
        self.friendly_name.as_deref()
    }

    /// `EffectiveDate`: start of validity, `23-Jan-2000 15:00:00` (UTC).
    pub fn effective_date(&self) -> &str {
        &self.f.effective_date
    }

    /// `ExpirationDate`: end of validity, `23-Jan-2001 15:00:00` (UTC).
    pub fn expiration_date(&self) -> &str {
        &self.f.expiration_date
    }

    /// Start of validity as Unix seconds.
    pub fn not_before_unix(&self) -> i64 {
        self.f.not_before_unix
    }

    /// End of validity as Unix seconds.
    pub fn not_after_unix(&self) -> i64 {
        self.f.not_after_unix
    }

    /// `ExtendedKeyUsage`: the EKU OIDs, `, `-separated (empty without the extension).
    pub fn extended_key_usage(&self) -> &str {
        &self.f.extended_key_usage
    }

    /// `Fingerprint`: MD5 of the DER certificate, `bc:2a:...` (16 pairs).
    pub fn fingerprint(&self) -> &str {
        &self.f.fingerprint
    }

    /// `FingerprintSHA1`: SHA-1 of the DER certificate, `30:7b:...` (20 pairs).
    pub fn fingerprint_sha1(&self) -> &str {
        &self.f.fingerprint_sha1
    }

    /// `FingerprintSHA256`: SHA-256 of the DER certificate, `6a:80:...` (32 pairs).
    pub fn fingerprint_sha256(&self) -> &str {
        &self.f.fingerprint_sha256
    }

    /// `Issuer`: the issuer DN, formatted like [`Certificate::subject`].
    pub fn issuer(&self) -> &str {
        &self.f.issuer
    }

    /// `Subject`: the subject DN, e.g. `CN=www.server.com, OU=test, C=US`.
    pub fn subject(&self) -> &str {
        &self.f.subject
    }

    /// `PrivateKey`: the private key as PEM, if available. Zeroized on drop.
    pub fn private_key(&self) -> Option<Zeroizing<String>> {
        let key = self.private_key.as_ref()?;
        let label = match key {
            PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
            PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
            _ => "PRIVATE KEY",
        };
        Some(Zeroizing::new(pem_encode(label, key.secret_der())))
    }

    /// `PrivateKeyAvailable`: whether the private key of this certificate was loaded.
    pub fn private_key_available(&self) -> bool {
        self.private_key.is_some()
    }

    /// `PrivateKeyContainer`: always empty (a Windows CryptoAPI concept).
    pub fn private_key_container(&self) -> &str {
        ""
    }

    /// `PublicKey`: the SubjectPublicKeyInfo as PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key(&self) -> &str {
        &self.f.public_key
    }

    /// `PublicKeyAlgorithm`: `RSA`, `EC`, `Ed25519`, ... or the OID.
    pub fn public_key_algorithm(&self) -> &str {
        &self.f.public_key_algorithm
    }

    /// `PublicKeyLength`: the key size in bits (RSA modulus, curve size).
    pub fn public_key_length(&self) -> u32 {
        self.f.public_key_length
    }

    /// `SerialNumber`: uppercase hex, one pair per encoded byte.
    pub fn serial_number(&self) -> &str {
        &self.f.serial_number
    }

    /// `SignatureAlgorithm`: e.g. `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, or the OID.
    pub fn signature_algorithm(&self) -> &str {
        &self.f.signature_algorithm
    }

    /// The subjectAltName entries, typed (RFC 5280 section 4.2.1.6); empty
    /// without the extension.
    pub fn alt_names(&self) -> &[SubjectAltName] {
        &self.f.alt_names
    }

    /// The `dNSName` entries of the subjectAltName extension, as encoded.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.f.alt_names.iter().filter_map(|n| match n {
            SubjectAltName::Dns(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// `SubjectAltNames`: DNS names, IP addresses, e-mails and URIs, `, `-separated.
    pub fn subject_alt_names(&self) -> &str {
        &self.f.subject_alt_names
    }

    /// `ThumbprintMD5`: lowercase hex, no separators.
    pub fn thumbprint_md5(&self) -> &str {
        &self.f.thumbprint_md5
    }

    /// `ThumbprintSHA1`: lowercase hex, no separators.
    pub fn thumbprint_sha1(&self) -> &str {
        &self.f.thumbprint_sha1
    }

    /// `ThumbprintSHA256`: lowercase hex, no separators.
    pub fn thumbprint_sha256(&self) -> &str {
        &self.f.thumbprint_sha256
    }

    /// `Usage`: the key usage texts (see [`USAGE_FLAGS`]), `, `-separated.
    pub fn usage(&self) -> &str {
        &self.f.usage
    }

    /// `UsageFlags`: the key usage bits (see [`USAGE_FLAGS`]); 0 without the extension.
    pub fn usage_flags(&self) -> u32 {
        self.f.usage_flags
    }

    /// `Version`: `V1`, `V2` or `V3`.
    pub fn version(&self) -> &str {
        &self.f.version
    }

    /// `Encoded`: the DER certificate.
    pub fn encoded(&self) -> &[u8] {
        self.chain.first().map(|c| c.as_ref()).unwrap_or(&[])
    }

    /// `Encoded` as Base64 (no line breaks).
    pub fn encoded_base64(&self) -> String {
        BASE64.encode(self.encoded())
    }

    /// `Encoded` as PEM (`-----BEGIN CERTIFICATE-----`).
    pub fn encoded_pem(&self) -> String {
        pem_encode("CERTIFICATE", self.encoded())
    }

    /// The raw public key bytes (the SPKI BIT STRING contents).
    pub fn spki_public_key(&self) -> &[u8] {
        &self.f.spki_key_bytes
    }
}

#[cfg(test)]
mod tests;
