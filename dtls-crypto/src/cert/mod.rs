//! Certificates and their private keys, loaded from the seed's certificate
//! stores, and the facts of a certificate as typed values.
//!
//! A [`Certificate`] is loaded from a certificate store ([`CertStoreType`]:
//! PKCS#12/PFX, PEM, DER, or auto-detected) and selected by subject (exact or
//! partial DN, `*`, or `Thumbprint=<hex>`). Its facts are computed once from
//! the DER with `x509-parser`: validity as Unix seconds, [`Digests`],
//! [`SubjectAltName`]s, [`KeyUsage`] flags, [`KeyAlgorithm`] and key size,
//! serial bytes, [`SignatureAlgorithm`], version. The subject and issuer DNs
//! are kept as the seed's text form because store selection matches on it.
//!
//! The seed's text forms of the other fields (dates, colon fingerprints,
//! usage texts, ...) are formatted by `dtls-server`'s `CertificateFields`.

mod encrypted_key;
mod facts;
mod options;
mod public_key;
mod select;
mod store;
mod store_type;

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use crate::Error;
pub use facts::{Digests, KeyAlgorithm, KeyUsage, SignatureAlgorithm, SubjectAltName};
use facts::{Fields, compute_fields};
pub use public_key::{load_public_key, public_key_sha256};
use select::{finish, select};
pub(crate) use store::key_public_bytes;
pub use store::pem_encode;
use store::{StoreCert, open_store, parse_pem_or_der, read_file, with_context};
pub use store_type::{CertStoreType, StoreSource};

/// A certificate (with its chain and, when available, its private key) and
/// its facts as typed values. See the [module docs](self).
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
            .field("sha256", &hex::encode(self.f.digests.sha256))
            .field("chain_len", &self.chain.len())
            .field("private_key_available", &self.private_key.is_some())
            .finish()
    }
}

impl Default for Certificate {
    /// [`Certificate::empty`].
    fn default() -> Self {
        Certificate::empty()
    }
}

impl Certificate {
    /// The seed's `Certificate()`: no certificate and no key. Every field
    /// reads empty (or zero); a server given it refuses to start
    /// (no certificate with a private key). To make a new certificate, use
    /// [`selfsigned::generate_self_signed`](crate::selfsigned::generate_self_signed).
    pub fn empty() -> Certificate {
        Certificate {
            chain: Vec::new(),
            private_key: None,
            store_type: None,
            friendly_name: None,
            f: Fields::default(),
        }
    }

    /// Whether this is [`Certificate::empty`] (no certificate at all).
    pub fn is_empty(&self) -> bool {
        self.chain.is_empty()
    }

    /// The seed's `Certificate(storeType, store, storePassword, subject,
    /// configurationString)`: [`from_store`](Self::from_store), with the
    /// configuration string's newline-separated `Name=Value` pairs:
    /// - `Thumbprint`: an MD5, SHA-1 or SHA-256 thumbprint selecting the
    ///   certificate (it takes the place of `subject`);
    /// - `PersistPFXKey`: `True` (the default) is what happens here, the key
    ///   stays usable for the certificate's life; `False` (discard it after
    ///   use, a CryptoAPI key-container option) is refused;
    /// - `UseInternalSecurityAPI`: `True` only (this is the internal API).
    ///
    /// # Errors
    /// As [`from_store`](Self::from_store); an unknown name or a refused
    /// value is [`Error::UnsupportedStore`] naming it and why.
    pub fn from_store_with_config(
        store_type: CertStoreType,
        store: StoreSource<'_>,
        password: &str,
        subject: &str,
        configuration: &str,
    ) -> Result<Certificate, Error> {
        let options = options::StoreOptions::parse(configuration)?;
        let subject = match &options.thumbprint {
            Some(thumbprint) => format!("Thumbprint={thumbprint}"),
            None => subject.to_owned(),
        };
        Certificate::from_store(store_type, store, password, &subject)
    }

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
    /// `password` opens PKCS#12 stores and password-protected PKCS#8 keys
    /// (PEM `ENCRYPTED PRIVATE KEY` or DER; keys encrypted the legacy
    /// OpenSSL way are refused with the command that converts them). The returned certificate carries its chain (issuers
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
        let mut store = parse_pem_or_der(&cert_data, None)
            .map_err(|e| with_context(e, &cert_path.display().to_string()))?;
        if store.certs.is_empty() {
            return Err(Error::MalformedCertificate(format!(
                "{}: no CERTIFICATE found",
                cert_path.display()
            )));
        }
        let key_store = parse_pem_or_der(&key_data, Some(""))
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

    /// Start of validity (`notBefore`, RFC 5280 section 4.1.2.5) as Unix seconds.
    pub fn not_before_unix(&self) -> i64 {
        self.f.not_before_unix
    }

    /// End of validity (`notAfter`, RFC 5280 section 4.1.2.5) as Unix seconds.
    pub fn not_after_unix(&self) -> i64 {
        self.f.not_after_unix
    }

    /// The extended key usage purposes (RFC 5280 section 4.2.1.12) as dotted
    /// OIDs; empty without the extension.
    pub fn extended_key_usages(&self) -> &[String] {
        &self.f.extended_key_usages
    }

    /// The MD5, SHA-1 and SHA-256 digests of the DER certificate.
    pub fn digests(&self) -> &Digests {
        &self.f.digests
    }

    /// `Issuer`: the issuer DN, formatted like [`Certificate::subject`].
    pub fn issuer(&self) -> &str {
        &self.f.issuer
    }

    /// `Subject`: the subject DN, e.g. `CN=www.server.com, OU=test, C=US`:
    /// most specific RDN first (RFC 4514 order), the seed's short names (`S`
    /// for state, `E` for e-mail), values with a comma quoted. Selection by
    /// subject in [`Certificate::from_store`] matches this form.
    pub fn subject(&self) -> &str {
        &self.f.subject
    }

    /// The private key as PEM, if available. Zeroized on drop.
    pub fn private_key_pem(&self) -> Option<Zeroizing<String>> {
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

    /// The DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).
    pub fn spki_der(&self) -> &[u8] {
        &self.f.spki_der
    }

    /// The public key's algorithm.
    pub fn key_algorithm(&self) -> &KeyAlgorithm {
        /// Stands in only for a `Fields` that `compute_fields` did not fill.
        static UNKNOWN: KeyAlgorithm = KeyAlgorithm::Other(String::new());
        self.f.key_algorithm.as_ref().unwrap_or(&UNKNOWN)
    }

    /// The key size in bits (RSA modulus, curve size); 0 if unknown.
    pub fn public_key_bits(&self) -> u32 {
        self.f.public_key_bits
    }

    /// The serial number's encoded bytes (RFC 5280 section 4.1.2.2).
    pub fn serial(&self) -> &[u8] {
        &self.f.serial
    }

    /// The algorithm the issuer signed this certificate with.
    pub fn signature_algorithm_id(&self) -> &SignatureAlgorithm {
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

    /// The key usage extension (RFC 5280 section 4.2.1.3); empty without it.
    pub fn key_usage(&self) -> KeyUsage {
        self.f.key_usage
    }

    /// The X.509 version: 1, 2 or 3 (RFC 5280 section 4.1.2.1).
    pub fn x509_version(&self) -> u32 {
        self.f.x509_version
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
