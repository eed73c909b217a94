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

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::Md5;
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use zeroize::Zeroizing;

use crate::Error;
use crate::der::{self, oid};
use crate::pfx::{PfxStore, build_chain};

/// The seed's certificate store types (`StoreType`), with the seed's numbers.
///
/// Supported here: [`PfxFile`](Self::PfxFile), [`PfxBlob`](Self::PfxBlob),
/// [`PemKeyFile`](Self::PemKeyFile), [`PemKeyBlob`](Self::PemKeyBlob),
/// [`PublicKeyFile`](Self::PublicKeyFile), [`PublicKeyBlob`](Self::PublicKeyBlob)
/// and [`Auto`](Self::Auto). The others yield [`Error::UnsupportedStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum CertStoreType {
    /// `cstUser` (0): a Windows certificate store of the current user.
    User = 0,
    /// `cstMachine` (1): a Windows machine certificate store.
    Machine = 1,
    /// `cstPFXFile` (2): a PKCS#12 (PFX) file.
    PfxFile = 2,
    /// `cstPFXBlob` (3): PKCS#12 (PFX) data, binary or Base64.
    PfxBlob = 3,
    /// `cstJKSFile` (4): a Java Key Store file.
    JksFile = 4,
    /// `cstJKSBlob` (5): Java Key Store data.
    JksBlob = 5,
    /// `cstPEMKeyFile` (6): a PEM file with a private key and certificate(s).
    PemKeyFile = 6,
    /// `cstPEMKeyBlob` (7): PEM data with a private key and certificate(s).
    PemKeyBlob = 7,
    /// `cstPublicKeyFile` (8): a file with a PEM or DER certificate.
    PublicKeyFile = 8,
    /// `cstPublicKeyBlob` (9): a PEM, DER or Base64 certificate.
    PublicKeyBlob = 9,
    /// `cstSSHPublicKeyBlob` (10): an SSH-style public key.
    SshPublicKeyBlob = 10,
    /// `cstP7BFile` (11): a PKCS#7 file of certificates.
    P7bFile = 11,
    /// `cstP7BBlob` (12): PKCS#7 data of certificates.
    P7bBlob = 12,
    /// `cstSSHPublicKeyFile` (13): a file with an SSH-style public key.
    SshPublicKeyFile = 13,
    /// `cstPPKFile` (14): a PuTTY private key file.
    PpkFile = 14,
    /// `cstPPKBlob` (15): PuTTY private key data.
    PpkBlob = 15,
    /// `cstXMLFile` (16): a file with a certificate in XML format.
    XmlFile = 16,
    /// `cstXMLBlob` (17): a certificate in XML format.
    XmlBlob = 17,
    /// `cstJWKFile` (18): a file with a JSON Web Key.
    JwkFile = 18,
    /// `cstJWKBlob` (19): a JSON Web Key.
    JwkBlob = 19,
    /// `cstBCFKSFile` (21): a Bouncy Castle FIPS key store file.
    BcfksFile = 21,
    /// `cstBCFKSBlob` (22): Bouncy Castle FIPS key store data.
    BcfksBlob = 22,
    /// `cstPKCS11` (23): a key on a PKCS#11 security token.
    Pkcs11 = 23,
    /// `cstAuto` (99): detect PKCS#12, PEM or DER from the data.
    Auto = 99,
}

impl CertStoreType {
    /// Every store type, in the seed's order.
    pub const ALL: [CertStoreType; 24] = [
        Self::User,
        Self::Machine,
        Self::PfxFile,
        Self::PfxBlob,
        Self::JksFile,
        Self::JksBlob,
        Self::PemKeyFile,
        Self::PemKeyBlob,
        Self::PublicKeyFile,
        Self::PublicKeyBlob,
        Self::SshPublicKeyBlob,
        Self::P7bFile,
        Self::P7bBlob,
        Self::SshPublicKeyFile,
        Self::PpkFile,
        Self::PpkBlob,
        Self::XmlFile,
        Self::XmlBlob,
        Self::JwkFile,
        Self::JwkBlob,
        Self::BcfksFile,
        Self::BcfksBlob,
        Self::Pkcs11,
        Self::Auto,
    ];

    /// The seed's numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The store type with the seed's numeric value `code`, if any.
    pub fn from_code(code: i32) -> Option<CertStoreType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The seed's name (`cstPFXFile`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::User => "cstUser",
            Self::Machine => "cstMachine",
            Self::PfxFile => "cstPFXFile",
            Self::PfxBlob => "cstPFXBlob",
            Self::JksFile => "cstJKSFile",
            Self::JksBlob => "cstJKSBlob",
            Self::PemKeyFile => "cstPEMKeyFile",
            Self::PemKeyBlob => "cstPEMKeyBlob",
            Self::PublicKeyFile => "cstPublicKeyFile",
            Self::PublicKeyBlob => "cstPublicKeyBlob",
            Self::SshPublicKeyBlob => "cstSSHPublicKeyBlob",
            Self::P7bFile => "cstP7BFile",
            Self::P7bBlob => "cstP7BBlob",
            Self::SshPublicKeyFile => "cstSSHPublicKeyFile",
            Self::PpkFile => "cstPPKFile",
            Self::PpkBlob => "cstPPKBlob",
            Self::XmlFile => "cstXMLFile",
            Self::XmlBlob => "cstXMLBlob",
            Self::JwkFile => "cstJWKFile",
            Self::JwkBlob => "cstJWKBlob",
            Self::BcfksFile => "cstBCFKSFile",
            Self::BcfksBlob => "cstBCFKSBlob",
            Self::Pkcs11 => "cstPKCS11",
            Self::Auto => "cstAuto",
        }
    }

    /// Whether this project can read this store type.
    pub fn is_supported(self) -> bool {
        self.unsupported_reason().is_none()
    }

    fn unsupported_reason(self) -> Option<&'static str> {
        match self {
            Self::PfxFile
            | Self::PfxBlob
            | Self::PemKeyFile
            | Self::PemKeyBlob
            | Self::PublicKeyFile
            | Self::PublicKeyBlob
            | Self::Auto => None,
            Self::User | Self::Machine => Some(
                "Windows system certificate stores are not available; export the certificate to a PFX or PEM file",
            ),
            Self::JksFile | Self::JksBlob => Some(
                "Java Key Stores are not supported; convert with `keytool -importkeystore -deststoretype PKCS12`",
            ),
            Self::BcfksFile | Self::BcfksBlob => {
                Some("Bouncy Castle FIPS key stores are not supported; convert to PKCS#12")
            }
            Self::SshPublicKeyBlob | Self::SshPublicKeyFile => {
                Some("SSH public keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::P7bFile | Self::P7bBlob => Some(
                "PKCS#7 certificate bundles are not supported; use PEM (`openssl pkcs7 -print_certs`)",
            ),
            Self::PpkFile | Self::PpkBlob => {
                Some("PuTTY private keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::XmlFile | Self::XmlBlob => Some("XML certificate stores are not supported"),
            Self::JwkFile | Self::JwkBlob => {
                Some("JSON Web Keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::Pkcs11 => Some("PKCS#11 security tokens are not supported"),
        }
    }
}

/// Where a store's content comes from: a file, or the bytes themselves
/// (the seed's `Store` as a file name, or `StoreB`).
#[derive(Debug, Clone, Copy)]
pub enum StoreSource<'a> {
    /// Read the store from this file.
    Path(&'a Path),
    /// The store's content (binary, PEM text or Base64 text).
    Bytes(&'a [u8]),
}

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

/// A certificate (with its chain and, when available, its private key) and
/// the facts the seed's `Certificate` type exposes. See the [module docs](self).
pub struct Certificate {
    chain: Vec<CertificateDer<'static>>,
    private_key: Option<PrivateKeyDer<'static>>,
    store_type: Option<CertStoreType>,
    friendly_name: Option<String>,
    f: Fields,
}

/// Text fields computed once from the DER.
#[derive(Debug, Clone, Default)]
struct Fields {
    effective_date: String,
    expiration_date: String,
    not_before_unix: i64,
    not_after_unix: i64,
    extended_key_usage: String,
    fingerprint: String,
    fingerprint_sha1: String,
    fingerprint_sha256: String,
    issuer: String,
    subject: String,
    subject_in_encoded_order: String,
    public_key: String,
    spki_key_bytes: Vec<u8>,
    public_key_algorithm: String,
    public_key_length: u32,
    serial_number: String,
    signature_algorithm: String,
    subject_alt_names: String,
    thumbprint_md5: String,
    thumbprint_sha1: String,
    thumbprint_sha256: String,
    usage: String,
    usage_flags: u32,
    version: String,
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

/// One certificate found in a store, before selection.
struct StoreCert {
    der: CertificateDer<'static>,
    friendly_name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    f: Fields,
}

/// One private key found in a store, before selection.
struct StoreKey {
    der: PrivateKeyDer<'static>,
    local_key_id: Option<Vec<u8>>,
}

/// The content of an opened store.
#[derive(Default)]
struct Store {
    certs: Vec<StoreCert>,
    keys: Vec<StoreKey>,
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

// ---------------------------------------------------------------------------
// Opening stores

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn with_context(e: Error, what: &str) -> Error {
    match e {
        Error::MalformedCertificate(m) => Error::MalformedCertificate(format!("{what}: {m}")),
        Error::BadPrivateKey(m) => Error::BadPrivateKey(format!("{what}: {m}")),
        other => other,
    }
}

fn open_store(
    store_type: CertStoreType,
    source: StoreSource<'_>,
    password: &str,
) -> Result<Store, Error> {
    if let Some(why) = store_type.unsupported_reason() {
        return Err(Error::UnsupportedStore(format!(
            "{}: {why}",
            store_type.name()
        )));
    }
    let (data, origin): (Zeroizing<Vec<u8>>, Option<PathBuf>) = match source {
        StoreSource::Path(p) => (Zeroizing::new(read_file(p)?), Some(p.to_path_buf())),
        StoreSource::Bytes(b) => (Zeroizing::new(b.to_vec()), None),
    };
    let result = match store_type {
        CertStoreType::PfxFile | CertStoreType::PfxBlob => open_pfx(&data, password),
        CertStoreType::PemKeyFile | CertStoreType::PemKeyBlob => parse_pem_or_der(&data, true),
        CertStoreType::PublicKeyFile | CertStoreType::PublicKeyBlob => {
            parse_pem_or_der(&data, false)
        }
        _ => open_auto(&data, password),
    };
    let store = match (result, &origin) {
        (Err(e), Some(p)) => return Err(with_context(e, &p.display().to_string())),
        (r, _) => r?,
    };
    if store.certs.is_empty() {
        let what = origin
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "store data".into());
        return Err(if store.keys.is_empty() {
            Error::MalformedCertificate(format!("{what}: no certificate found"))
        } else {
            Error::MalformedCertificate(format!(
                "{what}: a private key but no CERTIFICATE was found; the certificate is needed too"
            ))
        });
    }
    Ok(store)
}

fn open_pfx(data: &[u8], password: &str) -> Result<Store, Error> {
    let decoded;
    let data = if looks_like_pfx(data) {
        data
    } else if let Some(d) = decode_base64_text(data) {
        decoded = Zeroizing::new(d);
        &decoded[..]
    } else {
        data
    };
    let pfx = PfxStore::parse(data, password)?;
    let mut store = Store::default();
    for c in pfx.certificates {
        let f = compute_fields(&c.der)?;
        store.certs.push(StoreCert {
            der: c.der,
            friendly_name: c.friendly_name,
            local_key_id: c.local_key_id,
            f,
        });
    }
    for k in pfx.keys {
        if store.certs.iter().all(|c| c.friendly_name.is_none()) {
            // A key's friendly name is the entry's name; keep it for the cert.
            if let (Some(name), Some(id)) = (&k.friendly_name, &k.local_key_id)
                && let Some(c) = store
                    .certs
                    .iter_mut()
                    .find(|c| c.local_key_id.as_ref() == Some(id))
            {
                c.friendly_name = Some(name.clone());
            }
        }
        store.keys.push(StoreKey {
            der: PrivateKeyDer::Pkcs8(k.der),
            local_key_id: k.local_key_id,
        });
    }
    Ok(store)
}

fn open_auto(data: &[u8], password: &str) -> Result<Store, Error> {
    if looks_like_pem(data) {
        return parse_pem_or_der(data, true);
    }
    if looks_like_pfx(data) {
        return open_pfx(data, password);
    }
    if data.first() == Some(&0x30) {
        return parse_pem_or_der(data, true);
    }
    if let Some(decoded) = decode_base64_text(data) {
        let decoded = Zeroizing::new(decoded);
        if looks_like_pfx(&decoded) {
            return open_pfx(&decoded, password);
        }
        if decoded.first() == Some(&0x30) {
            return parse_pem_or_der(&decoded, true);
        }
    }
    Err(Error::MalformedCertificate(
        "unrecognised data: not PKCS#12, PEM, or a DER certificate".into(),
    ))
}

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A PFX is `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data | pkcs7-signedData, ... } ... }`.
fn looks_like_pfx(data: &[u8]) -> bool {
    let Some((0x30, body, _)) = der::read_lenient(data) else {
        return false;
    };
    let Some((0x02, version, rest)) = der::read_lenient(body) else {
        return false;
    };
    if version != [3] {
        return false;
    }
    let Some((0x30, content_info, _)) = der::read_lenient(rest) else {
        return false;
    };
    matches!(der::read_lenient(content_info), Some((0x06, oid, _))
        if oid.len() == 9 && oid[..8] == *oid::PKCS7_PREFIX && (oid[8] == 1 || oid[8] == 2))
}

/// Decodes Base64 text (whitespace ignored); `None` if it is not Base64.
fn decode_base64_text(data: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return None;
    }
    BASE64.decode(&compact).ok()
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Parses PEM (certificates and, if `with_keys`, private keys) or a single
/// DER certificate / DER private key, or Base64 of either.
fn parse_pem_or_der(data: &[u8], with_keys: bool) -> Result<Store, Error> {
    let mut store = Store::default();
    if !looks_like_pem(data) {
        let decoded;
        let der = if data.first() == Some(&0x30) {
            data
        } else if let Some(d) = decode_base64_text(data) {
            decoded = Zeroizing::new(d);
            &decoded[..]
        } else {
            return Err(Error::MalformedCertificate(
                "neither PEM nor DER data".into(),
            ));
        };
        if let Ok(f) = compute_fields(der) {
            store.certs.push(StoreCert {
                der: CertificateDer::from(der.to_vec()),
                friendly_name: None,
                local_key_id: None,
                f,
            });
            return Ok(store);
        }
        if with_keys && let Ok(key) = PrivateKeyDer::try_from(der) {
            store.keys.push(StoreKey {
                der: key.clone_key(),
                local_key_id: None,
            });
            return Ok(store);
        }
        if looks_like_pfx(der) {
            return Err(Error::MalformedCertificate(
                "this is a PKCS#12 (PFX) store; use a PFX store type or cstAuto".into(),
            ));
        }
        return Err(Error::MalformedCertificate(
            "DER data is neither an X.509 certificate nor a private key (truncated?)".into(),
        ));
    }
    refuse_unsupported_pem_keys(data)?;
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(data) {
        let (kind, der) = item.map_err(|e| {
            Error::MalformedCertificate(format!("PEM: {e} (truncated or damaged file?)"))
        })?;
        match kind {
            SectionKind::Certificate => {
                let f = compute_fields(&der)?;
                store.certs.push(StoreCert {
                    der: CertificateDer::from(der),
                    friendly_name: None,
                    local_key_id: None,
                    f,
                });
            }
            SectionKind::PrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
                local_key_id: None,
            }),
            SectionKind::RsaPrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
                local_key_id: None,
            }),
            SectionKind::EcPrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
                local_key_id: None,
            }),
            _ => {}
        }
    }
    Ok(store)
}

/// PEM private keys that `rustls-pki-types` would silently skip.
fn refuse_unsupported_pem_keys(data: &[u8]) -> Result<(), Error> {
    let text = String::from_utf8_lossy(data);
    if text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        return Err(Error::BadPrivateKey(
            "encrypted PEM private keys are not supported; decrypt it \
             (`openssl pkey -in key.pem -out plain.pem`) or use a PFX store"
                .into(),
        ));
    }
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            && label.ends_with("PRIVATE KEY")
            && !matches!(label, "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY")
        {
            let what = label.trim_end_matches("PRIVATE KEY").trim();
            return Err(Error::BadPrivateKey(format!(
                "{what} keys are not supported"
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Selection

fn normalize_dn(s: &str) -> String {
    s.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}

fn normalize_hex(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Picks the certificate `subject` names; see [`Certificate::from_store`].
fn select(store: &Store, subject: &str) -> Result<usize, Error> {
    let wanted = subject.trim();
    let has_key: Vec<bool> = store
        .certs
        .iter()
        .map(|c| key_for(store, c).ok().flatten().is_some())
        .collect();
    let pick = |candidates: Vec<usize>| -> Option<usize> {
        candidates
            .iter()
            .copied()
            .find(|&i| has_key[i])
            .or_else(|| candidates.first().copied())
    };
    let all: Vec<usize> = (0..store.certs.len()).collect();
    if wanted.is_empty() || wanted == "*" {
        return pick(all).ok_or_else(|| Error::NoMatchingCertificate(subject.to_string()));
    }
    if let Some(hex) = wanted
        .get(..11)
        .filter(|p| p.eq_ignore_ascii_case("thumbprint="))
        .and_then(|_| wanted.get(11..))
    {
        let hex = normalize_hex(hex);
        let found: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| {
                let f = &store.certs[i].f;
                !hex.is_empty()
                    && (f.thumbprint_md5 == hex
                        || f.thumbprint_sha1 == hex
                        || f.thumbprint_sha256 == hex)
            })
            .collect();
        return pick(found).ok_or_else(|| Error::NoMatchingCertificate(subject.to_string()));
    }
    let norm = normalize_dn(wanted);
    let exact: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| {
            let f = &store.certs[i].f;
            normalize_dn(&f.subject) == norm || normalize_dn(&f.subject_in_encoded_order) == norm
        })
        .collect();
    if let Some(i) = pick(exact) {
        return Ok(i);
    }
    let lower = norm.to_lowercase();
    let partial: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| {
            let f = &store.certs[i].f;
            normalize_dn(&f.subject).to_lowercase().contains(&lower)
                || normalize_dn(&f.subject_in_encoded_order)
                    .to_lowercase()
                    .contains(&lower)
        })
        .collect();
    pick(partial).ok_or_else(|| Error::NoMatchingCertificate(subject.to_string()))
}

/// The index of the store key that belongs to `cert`: first by PKCS#12
/// `localKeyId` (verified against the public key), else by public key.
fn key_for(store: &Store, cert: &StoreCert) -> Result<Option<usize>, Error> {
    if let Some(id) = &cert.local_key_id
        && let Some(i) = store
            .keys
            .iter()
            .position(|k| k.local_key_id.as_ref() == Some(id))
    {
        if key_public_bytes(&store.keys[i].der)? != cert.f.spki_key_bytes {
            return Err(Error::KeyMismatch);
        }
        return Ok(Some(i));
    }
    for (i, k) in store.keys.iter().enumerate() {
        if key_public_bytes(&k.der)? == cert.f.spki_key_bytes {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Builds the selected certificate: chain from the store, its key if any.
fn finish(mut store: Store, index: usize, store_type: CertStoreType) -> Result<Certificate, Error> {
    let cert = store
        .certs
        .get(index)
        .ok_or_else(|| Error::NoMatchingCertificate(String::new()))?;
    let key_index = key_for(&store, cert)?;
    if key_index.is_none() && !store.keys.is_empty() {
        // The store has keys but none for this certificate. If none of them
        // belongs to any certificate in the store either, the key is simply
        // the wrong one.
        let mut any_match = false;
        for c in &store.certs {
            if key_for(&store, c)?.is_some() {
                any_match = true;
                break;
            }
        }
        if !any_match {
            return Err(Error::KeyMismatch);
        }
    }
    let ders: Vec<CertificateDer<'static>> = store.certs.iter().map(|c| c.der.clone()).collect();
    let chain = build_chain(&ders, index);
    let friendly_name = cert.friendly_name.clone();
    let f = cert.f.clone();
    let private_key = match key_index {
        Some(i) if i < store.keys.len() => Some(store.keys.swap_remove(i).der),
        _ => None,
    };
    Ok(Certificate {
        chain,
        private_key,
        store_type: Some(store_type),
        friendly_name,
        f,
    })
}

// ---------------------------------------------------------------------------
// Key / certificate match

/// The public key (as it appears in a certificate's SPKI BIT STRING) of a
/// private key; fails with a message naming unsupported key types.
pub(crate) fn key_public_bytes(key: &PrivateKeyDer<'_>) -> Result<Vec<u8>, Error> {
    Ok(crate::sign::SigningKey::from_der(key)?
        .public_key()
        .to_vec())
}

// ---------------------------------------------------------------------------
// Fields

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn format_time(t: &x509_parser::time::ASN1Time) -> String {
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

fn hex_colons(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn attr_short_name(oid: &str) -> String {
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

fn attr_value(attr: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
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

fn quote_if_needed(v: &str) -> String {
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
fn format_dn(name: &X509Name<'_>) -> (String, String) {
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

fn compute_fields(der: &[u8]) -> Result<Fields, Error> {
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
        let names: Vec<String> = san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(s) | GeneralName::RFC822Name(s) | GeneralName::URI(s) => {
                    Some(s.to_string())
                }
                GeneralName::IPAddress(b) => match b.len() {
                    4 => <[u8; 4]>::try_from(*b)
                        .ok()
                        .map(|a| std::net::Ipv4Addr::from(a).to_string()),
                    16 => <[u8; 16]>::try_from(*b)
                        .ok()
                        .map(|a| std::net::Ipv6Addr::from(a).to_string()),
                    _ => None,
                },
                GeneralName::DirectoryName(dn) => Some(format_dn(dn).0),
                _ => None,
            })
            .collect();
        f.subject_alt_names = names.join(", ");
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pfx::fixtures::*;

    fn pem_blob(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }

    #[test]
    fn store_type_codes_match_the_seed() {
        assert_eq!(CertStoreType::User.code(), 0);
        assert_eq!(CertStoreType::PfxFile.code(), 2);
        assert_eq!(CertStoreType::PemKeyBlob.code(), 7);
        assert_eq!(CertStoreType::JwkBlob.code(), 19);
        assert_eq!(CertStoreType::from_code(20), None);
        assert_eq!(CertStoreType::from_code(21), Some(CertStoreType::BcfksFile));
        assert_eq!(CertStoreType::Pkcs11.code(), 23);
        assert_eq!(CertStoreType::from_code(99), Some(CertStoreType::Auto));
        for t in CertStoreType::ALL {
            assert_eq!(CertStoreType::from_code(t.code()), Some(t));
            assert!(t.name().starts_with("cst"));
        }
    }

    #[test]
    fn unsupported_store_types_say_why() {
        for t in [
            CertStoreType::User,
            CertStoreType::Machine,
            CertStoreType::JksFile,
            CertStoreType::PpkBlob,
            CertStoreType::XmlFile,
            CertStoreType::JwkBlob,
            CertStoreType::BcfksBlob,
            CertStoreType::Pkcs11,
            CertStoreType::SshPublicKeyFile,
            CertStoreType::P7bBlob,
        ] {
            match Certificate::from_store(t, StoreSource::Bytes(b"x"), "", "*") {
                Err(Error::UnsupportedStore(msg)) => {
                    assert!(msg.starts_with(t.name()), "{msg}");
                    assert!(msg.len() > t.name().len() + 10, "{msg}");
                }
                other => panic!("{t:?}: {other:?}"),
            }
            assert!(!t.is_supported());
        }
    }

    #[test]
    fn missing_file_names_the_path() {
        let p = Path::new("/nonexistent/dir/server.pfx");
        match Certificate::from_store(CertStoreType::PfxFile, StoreSource::Path(p), "pw", "*") {
            Err(Error::Io { path, .. }) => assert_eq!(path, "/nonexistent/dir/server.pfx"),
            other => panic!("{other:?}"),
        }
        match Certificate::from_pem_files(Path::new("/nonexistent/c.pem"), p) {
            Err(Error::Io { path, .. }) => assert_eq!(path, "/nonexistent/c.pem"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fields_from_openssl_certificate() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-fields");
        let d = &dir.0;
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
                "-days",
                "30",
                "-subj",
                "/C=US/ST=North Carolina/O=Acme, Inc./CN=www.server.com",
                "-addext",
                "subjectAltName=DNS:www.server.com,IP:127.0.0.1,email:a@b.example",
                "-addext",
                "keyUsage=critical,digitalSignature,keyAgreement",
                "-addext",
                "extendedKeyUsage=serverAuth,clientAuth",
                "-set_serial",
                "0x01020304",
            ],
        );
        let cert = Certificate::from_store(
            CertStoreType::PemKeyFile,
            StoreSource::Path(&dir.path("c.pem")),
            "",
            "*",
        );
        // c.pem has no key: PemKeyFile with certificate only still loads.
        let cert = cert.unwrap();
        assert!(!cert.private_key_available());
        assert!(matches!(
            cert.require_private_key(),
            Err(Error::NoPrivateKey)
        ));
        assert_eq!(
            cert.subject(),
            "CN=www.server.com, O=\"Acme, Inc.\", S=North Carolina, C=US"
        );
        assert_eq!(cert.issuer(), cert.subject());
        assert_eq!(cert.serial_number(), "01020304");
        assert_eq!(cert.version(), "V3");
        assert_eq!(cert.public_key_algorithm(), "EC");
        assert_eq!(cert.public_key_length(), 256);
        assert_eq!(cert.signature_algorithm(), "ecdsa-with-SHA256");
        assert_eq!(
            cert.subject_alt_names(),
            "www.server.com, 127.0.0.1, a@b.example"
        );
        assert_eq!(cert.usage(), "Digital Signature, Key Agreement");
        assert_eq!(cert.usage_flags(), 0x88);
        assert_eq!(
            cert.extended_key_usage(),
            "1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.7.3.2"
        );
        assert_eq!(cert.fingerprint().len(), 16 * 3 - 1);
        assert_eq!(cert.fingerprint_sha1().len(), 20 * 3 - 1);
        assert_eq!(cert.fingerprint_sha256().len(), 32 * 3 - 1);
        assert_eq!(
            cert.thumbprint_sha256(),
            cert.fingerprint_sha256().replace(':', "")
        );
        assert!(
            cert.public_key()
                .starts_with("-----BEGIN PUBLIC KEY-----\n")
        );
        assert!(cert.private_key().is_none());
        assert_eq!(cert.private_key_container(), "");
        assert_eq!(cert.effective_date().len(), "23-Jan-2000 15:00:00".len());
        assert_eq!(
            cert.not_after_unix() - cert.not_before_unix(),
            30 * 24 * 3600
        );
        // Cross-check the SHA-1 fingerprint and dates with openssl.
        let out = std::process::Command::new("openssl")
            .args([
                "x509",
                "-in",
                "c.pem",
                "-noout",
                "-fingerprint",
                "-sha1",
                "-startdate",
            ])
            .current_dir(d)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
        assert!(text.contains(cert.fingerprint_sha1()), "{text}");
        // The PEM round trip gives the same DER.
        let again = Certificate::from_encoded(cert.encoded_pem().as_bytes()).unwrap();
        assert_eq!(again.encoded(), cert.encoded());
        let again = Certificate::from_encoded(cert.encoded_base64().as_bytes()).unwrap();
        assert_eq!(again.encoded(), cert.encoded());
        let again = Certificate::from_der(cert.encoded()).unwrap();
        assert_eq!(again.subject(), cert.subject());
    }

    #[test]
    fn date_format_matches_the_seed() {
        let t = x509_parser::time::ASN1Time::from_timestamp(948639600).unwrap();
        assert_eq!(format_time(&t), "23-Jan-2000 15:00:00");
    }

    #[test]
    fn pem_key_files_all_key_encodings_match() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-pem");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=ec.example");
        self_signed(d, "rsa", "rsa", "/CN=rsa.example");
        self_signed(d, "ed", "ED25519", "/CN=ed.example");
        // SEC1 and PKCS#1 forms of the same keys, and a DER key.
        openssl(d, &["ec", "-in", "ec.key", "-out", "ec.sec1"]);
        openssl(
            d,
            &["rsa", "-in", "rsa.key", "-traditional", "-out", "rsa.pkcs1"],
        );
        openssl(
            d,
            &["pkey", "-in", "ec.key", "-outform", "DER", "-out", "ec.der"],
        );
        openssl(
            d,
            &["x509", "-in", "ec.crt", "-outform", "DER", "-out", "ec.cer"],
        );
        for (crt, key, cn) in [
            ("ec.crt", "ec.key", "CN=ec.example"),
            ("ec.crt", "ec.sec1", "CN=ec.example"),
            ("ec.cer", "ec.der", "CN=ec.example"),
            ("rsa.crt", "rsa.key", "CN=rsa.example"),
            ("rsa.crt", "rsa.pkcs1", "CN=rsa.example"),
            ("ed.crt", "ed.key", "CN=ed.example"),
        ] {
            let c = Certificate::from_pem_files(&dir.path(crt), &dir.path(key))
                .unwrap_or_else(|e| panic!("{crt} + {key}: {e}"));
            assert_eq!(c.subject(), cn);
            assert!(c.private_key_available());
            assert!(c.private_key().unwrap().contains("PRIVATE KEY-----"));
            // Combined PEM blob (key first, then cert) through PemKeyBlob and Auto.
            if !crt.ends_with(".cer") {
                let mut blob = pem_blob(&dir.path(key));
                blob.extend(pem_blob(&dir.path(crt)));
                for t in [CertStoreType::PemKeyBlob, CertStoreType::Auto] {
                    let c = Certificate::from_store(t, StoreSource::Bytes(&blob), "", cn).unwrap();
                    assert!(c.private_key_available(), "{crt} {key} {t:?}");
                }
            }
        }
        let rsa = Certificate::from_file(&dir.path("rsa.crt")).unwrap();
        assert_eq!(rsa.public_key_algorithm(), "RSA");
        assert_eq!(rsa.public_key_length(), 2048);
        assert_eq!(rsa.signature_algorithm(), "sha256WithRSAEncryption");
        // DER certificate through Auto and PublicKeyFile.
        let der = Certificate::from_store(
            CertStoreType::Auto,
            StoreSource::Path(&dir.path("ec.cer")),
            "",
            "*",
        )
        .unwrap();
        assert_eq!(der.subject(), "CN=ec.example");
        assert!(Certificate::from_file(&dir.path("ec.cer")).is_ok());
        let ed = Certificate::from_file(&dir.path("ed.crt")).unwrap();
        assert_eq!(ed.public_key_algorithm(), "Ed25519");
    }

    #[test]
    fn mismatched_key_is_refused() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-mismatch");
        let d = &dir.0;
        self_signed(d, "a", "ec", "/CN=a.example");
        self_signed(d, "b", "ec", "/CN=b.example");
        assert_eq!(
            Certificate::from_pem_files(&dir.path("a.crt"), &dir.path("b.key")).err(),
            Some(Error::KeyMismatch)
        );
        let mut blob = pem_blob(&dir.path("a.crt"));
        blob.extend(pem_blob(&dir.path("b.key")));
        assert_eq!(
            Certificate::from_store(
                CertStoreType::PemKeyBlob,
                StoreSource::Bytes(&blob),
                "",
                "*"
            )
            .err(),
            Some(Error::KeyMismatch)
        );
        // from_parts checks too.
        let a = Certificate::from_file(&dir.path("a.crt")).unwrap();
        let b = Certificate::from_pem_files(&dir.path("b.crt"), &dir.path("b.key")).unwrap();
        let key = b.private_key_der().unwrap().clone_key();
        assert_eq!(
            Certificate::from_parts(a.chain().to_vec(), Some(key)).err(),
            Some(Error::KeyMismatch)
        );
    }

    #[test]
    fn unsupported_keys_are_named() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-unsupported");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=ec.example");
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-521",
                "-out",
                "p521.key",
            ],
        );
        openssl(
            d,
            &[
                "req", "-x509", "-new", "-key", "p521.key", "-out", "p521.crt", "-days", "1",
                "-subj", "/CN=p521",
            ],
        );
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
                "-out",
                "rsa1024.key",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "rsa1024.key",
                "-out",
                "rsa1024.crt",
                "-days",
                "1",
                "-subj",
                "/CN=small",
            ],
        );
        openssl(d, &["genpkey", "-algorithm", "ED448", "-out", "ed448.key"]);
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ed448.key",
                "-out",
                "ed448.crt",
                "-days",
                "1",
                "-subj",
                "/CN=ed448",
            ],
        );
        for (crt, key, expect) in [
            ("p521.crt", "p521.key", "P-521"),
            ("rsa1024.crt", "rsa1024.key", "2048"),
            ("ed448.crt", "ed448.key", "Ed448"),
        ] {
            match Certificate::from_pem_files(&dir.path(crt), &dir.path(key)) {
                Err(Error::BadPrivateKey(msg)) => assert!(msg.contains(expect), "{msg}"),
                other => panic!("{crt}: {other:?}"),
            }
        }
        // DSA is refused (openssl writes it as PKCS#8 "PRIVATE KEY").
        openssl(
            d,
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DSA",
                "-pkeyopt",
                "dsa_paramgen_bits:1024",
                "-out",
                "dsa.param",
            ],
        );
        openssl(
            d,
            &["genpkey", "-paramfile", "dsa.param", "-out", "dsa.key"],
        );
        match Certificate::from_pem_files(&dir.path("ec.crt"), &dir.path("dsa.key")) {
            Err(Error::BadPrivateKey(msg)) => {
                assert!(msg.contains("DSA keys are not supported"), "{msg}")
            }
            other => panic!("dsa: {other:?}"),
        }
        // Encrypted PEM keys: a clear message.
        openssl(
            d,
            &[
                "pkey", "-in", "ec.key", "-aes256", "-passout", "pass:x", "-out", "enc.key",
            ],
        );
        match Certificate::from_pem_files(&dir.path("ec.crt"), &dir.path("enc.key")) {
            Err(Error::BadPrivateKey(msg)) => assert!(msg.contains("encrypted PEM"), "{msg}"),
            other => panic!("encrypted: {other:?}"),
        }
    }

    #[test]
    fn pem_without_certificate_and_truncated_files() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-nocert");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=ec.example");
        match Certificate::from_store(
            CertStoreType::PemKeyFile,
            StoreSource::Path(&dir.path("ec.key")),
            "",
            "*",
        ) {
            Err(Error::MalformedCertificate(msg)) => {
                assert!(msg.contains("no CERTIFICATE"), "{msg}");
                assert!(msg.contains("ec.key"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        match Certificate::from_pem_files(&dir.path("ec.key"), &dir.path("ec.key")) {
            Err(Error::MalformedCertificate(msg)) => {
                assert!(msg.contains("no CERTIFICATE"), "{msg}")
            }
            other => panic!("{other:?}"),
        }
        let pem = pem_blob(&dir.path("ec.crt"));
        let cut = &pem[..pem.len() - 40];
        match Certificate::from_store(
            CertStoreType::PublicKeyBlob,
            StoreSource::Bytes(cut),
            "",
            "*",
        ) {
            Err(Error::MalformedCertificate(msg)) => assert!(msg.contains("PEM"), "{msg}"),
            other => panic!("{other:?}"),
        }
        let der = Certificate::from_file(&dir.path("ec.crt"))
            .unwrap()
            .encoded()
            .to_vec();
        for t in [CertStoreType::PublicKeyBlob, CertStoreType::Auto] {
            match Certificate::from_store(t, StoreSource::Bytes(&der[..der.len() - 5]), "", "*") {
                Err(Error::MalformedCertificate(_)) => {}
                other => panic!("{t:?}: {other:?}"),
            }
        }
        match Certificate::from_store(
            CertStoreType::Auto,
            StoreSource::Bytes(b"garbage!"),
            "",
            "*",
        ) {
            Err(Error::MalformedCertificate(msg)) => assert!(msg.contains("unrecognised"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pfx_stores_and_subject_selection() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("cert-pfx");
        let d = &dir.0;
        ca_and_leaf(d);
        export_pfx(
            d,
            "chain.pfx",
            "leaf.crt",
            Some("leaf.key"),
            &["-certfile", "ca.crt", "-name", "my server"],
        );
        export_pfx(d, "legacy.pfx", "leaf.crt", Some("leaf.key"), &["-legacy"]);
        export_pfx(d, "nokeys.pfx", "leaf.crt", None, &["-certfile", "ca.crt"]);
        let pfx = dir.path("chain.pfx");
        let open = |subject: &str| {
            Certificate::from_store(
                CertStoreType::PfxFile,
                StoreSource::Path(&pfx),
                "pw",
                subject,
            )
        };
        let leaf = open("*").unwrap();
        assert_eq!(leaf.subject(), "CN=leaf.example, O=Test Org");
        assert_eq!(leaf.issuer(), "CN=Test Root CA, O=Test Org");
        assert_eq!(leaf.serial_number(), "1234");
        assert_eq!(leaf.chain().len(), 2);
        assert!(leaf.private_key_available());
        assert_eq!(leaf.friendly_name(), Some("my server"));
        assert_eq!(leaf.store_type(), Some(CertStoreType::PfxFile));
        // Exact DN, either RDN order, spaces ignored.
        assert_eq!(
            open("CN=leaf.example, O=Test Org").unwrap().encoded(),
            leaf.encoded()
        );
        assert_eq!(
            open("O=Test Org,CN=leaf.example").unwrap().encoded(),
            leaf.encoded()
        );
        // Partial, case-insensitive.
        assert_eq!(open("leaf.EXAMPLE").unwrap().encoded(), leaf.encoded());
        // "Test Org" matches both; the one with a key wins.
        assert!(open("O=Test Org").unwrap().private_key_available());
        // The CA can be selected; it has no key in this store.
        let ca = open("CN=Test Root CA").unwrap();
        assert_eq!(ca.subject(), "CN=Test Root CA, O=Test Org");
        assert_eq!(ca.chain().len(), 1);
        assert!(!ca.private_key_available());
        assert_eq!(ca.require_private_key().err(), Some(Error::NoPrivateKey));
        // Thumbprints: MD5, SHA-1, SHA-256, with colons and upper case.
        for t in [
            leaf.thumbprint_md5().to_string(),
            leaf.fingerprint_sha1().to_uppercase(),
            leaf.thumbprint_sha256().to_string(),
        ] {
            let c = open(&format!("Thumbprint={t}")).unwrap();
            assert_eq!(c.encoded(), leaf.encoded());
        }
        assert_eq!(
            open("Thumbprint=00112233").err(),
            Some(Error::NoMatchingCertificate("Thumbprint=00112233".into()))
        );
        assert_eq!(
            open("Thumbpr\u{e9}nt=x").err(),
            Some(Error::NoMatchingCertificate("Thumbpr\u{e9}nt=x".into()))
        );
        assert_eq!(
            open("CN=nobody").err(),
            Some(Error::NoMatchingCertificate("CN=nobody".into()))
        );
        // Wrong password, blob, Base64 blob, Auto.
        assert_eq!(
            Certificate::from_store(CertStoreType::PfxFile, StoreSource::Path(&pfx), "nope", "*")
                .err(),
            Some(Error::WrongPassword)
        );
        let bytes = std::fs::read(&pfx).unwrap();
        let b64 = BASE64.encode(&bytes);
        for (t, data) in [
            (CertStoreType::PfxBlob, bytes.as_slice()),
            (CertStoreType::PfxBlob, b64.as_bytes()),
            (CertStoreType::Auto, bytes.as_slice()),
            (CertStoreType::Auto, b64.as_bytes()),
        ] {
            let c = Certificate::from_store(t, StoreSource::Bytes(data), "pw", "*").unwrap();
            assert!(c.private_key_available(), "{t:?}");
        }
        // Truncated PFX.
        match Certificate::from_store(
            CertStoreType::PfxBlob,
            StoreSource::Bytes(&bytes[..bytes.len() / 2]),
            "pw",
            "*",
        ) {
            Err(Error::MalformedCertificate(msg)) => assert!(msg.starts_with("PKCS#12: "), "{msg}"),
            other => panic!("{other:?}"),
        }
        // Legacy PFX via Auto from a file.
        let c = Certificate::from_store(
            CertStoreType::Auto,
            StoreSource::Path(&dir.path("legacy.pfx")),
            "pw",
            "*",
        )
        .unwrap();
        assert!(c.private_key_available());
        // Store without key: loads, but the key is not there.
        let c = Certificate::from_store(
            CertStoreType::PfxFile,
            StoreSource::Path(&dir.path("nokeys.pfx")),
            "pw",
            "leaf",
        )
        .unwrap();
        assert_eq!(c.require_private_key().err(), Some(Error::NoPrivateKey));
        // Encoded certificate + store: the store's key is found for it.
        let c = Certificate::from_store_with_encoded(
            CertStoreType::PfxFile,
            StoreSource::Path(&pfx),
            "pw",
            &pem_blob(&dir.path("leaf.crt")),
        )
        .unwrap();
        assert!(c.private_key_available());
    }
}
