//! PKCS#12 / PFX stores (the seed's `cstPFXFile` and `cstPFXBlob`).
//!
//! Decoding, MAC verification and decryption are done by the `p12-keystore`
//! crate, which handles every variant `openssl pkcs12 -export` (OpenSSL 3)
//! writes: the default PBES2 (PBKDF2 + AES-256-CBC, HMAC-SHA-256 MAC), the
//! `-legacy` one (40-bit RC2 for certificates, 3DES for the key, HMAC-SHA-1
//! MAC) and the `-certpbe NONE -keypbe NONE` one (plain bags). This module
//! reads the bags through its low-level [`p12_keystore::Pkcs12Archive`] (no
//! alias or trust filtering), maps its errors onto [`Error`] and orders the
//! certificates by issuer/subject linkage.

use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as P12Error;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::Error;
use crate::der;

/// One certificate bag of a PKCS#12 store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PfxCertificate {
    /// The DER-encoded X.509 certificate.
    pub der: CertificateDer<'static>,
    /// The bag's `friendlyName` attribute, if any.
    pub friendly_name: Option<String>,
    /// The bag's `localKeyId` attribute, if any (links it to a key bag).
    pub local_key_id: Option<Vec<u8>>,
}

/// One private key bag of a PKCS#12 store (decrypted).
#[derive(Debug, PartialEq, Eq)]
pub struct PfxKey {
    /// The PKCS#8 (DER) private key.
    pub der: PrivatePkcs8KeyDer<'static>,
    /// The bag's `friendlyName` attribute, if any.
    pub friendly_name: Option<String>,
    /// The bag's `localKeyId` attribute, if any (links it to a certificate bag).
    pub local_key_id: Option<Vec<u8>>,
}

impl Clone for PfxKey {
    fn clone(&self) -> Self {
        Self {
            der: self.der.clone_key(),
            friendly_name: self.friendly_name.clone(),
            local_key_id: self.local_key_id.clone(),
        }
    }
}

/// Everything read from a PKCS#12 store: all certificate bags and all key bags.
///
/// `certificates` is ordered so that end-entity certificates (those that
/// issued no other certificate in the store; the ones with a key first) come
/// before their issuers; use [`PfxStore::chain`] for one linked chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PfxStore {
    /// Every certificate in the store, end-entity certificates first.
    pub certificates: Vec<PfxCertificate>,
    /// Every private key in the store.
    pub keys: Vec<PfxKey>,
}

/// The usual content of a PFX file: one chain and its key.
#[derive(Debug)]
pub struct PfxBundle {
    /// The certificate chain, end-entity first, then each issuer found in the store.
    pub chain: Vec<CertificateDer<'static>>,
    /// The end-entity certificate's private key (PKCS#8), if the store has one.
    pub private_key: Option<PrivateKeyDer<'static>>,
    /// Every friendly name found in the store (key bags first), without duplicates.
    pub friendly_names: Vec<String>,
}

/// Reads a PKCS#12 store and returns its main chain, key and friendly names.
///
/// The end-entity certificate is the one linked to the first key bag by
/// `localKeyId` (or, failing that, the first end-entity certificate).
///
/// # Errors
/// See [`PfxStore::parse`]; additionally `MalformedCertificate` if the store
/// holds no certificate at all.
pub fn load_pfx(data: &[u8], password: &str) -> Result<PfxBundle, Error> {
    let store = PfxStore::parse(data, password)?;
    let leaf = store.leaf_index().ok_or_else(|| {
        Error::MalformedCertificate("PKCS#12: the store contains no certificate".into())
    })?;
    let chain = store.chain(leaf);
    let private_key = store
        .key_index_for(leaf)
        .or(if store.keys.len() == 1 { Some(0) } else { None })
        .and_then(|i| store.keys.get(i))
        .map(|k| PrivateKeyDer::Pkcs8(k.der.clone_key()));
    let mut friendly_names: Vec<String> = Vec::new();
    let names = store
        .keys
        .iter()
        .filter_map(|k| k.friendly_name.as_ref())
        .chain(
            store
                .certificates
                .iter()
                .filter_map(|c| c.friendly_name.as_ref()),
        );
    for name in names {
        if !friendly_names.contains(name) {
            friendly_names.push(name.clone());
        }
    }
    Ok(PfxBundle {
        chain,
        private_key,
        friendly_names,
    })
}

impl PfxStore {
    /// Decodes `data` (DER PKCS#12), verifies its MAC with `password` and
    /// decrypts the bags.
    ///
    /// # Errors
    /// - [`Error::WrongPassword`]: the MAC does not verify, or (for a store
    ///   without MAC) decryption yields bad padding.
    /// - [`Error::MalformedCertificate`] (`"PKCS#12: ..."`): truncated or
    ///   garbled data, or a certificate bag that is not a valid X.509 certificate.
    /// - [`Error::UnsupportedStore`]: an encryption, MAC or bag type that
    ///   `p12-keystore` does not implement.
    /// - [`Error::BadPrivateKey`]: a key bag that is not valid PKCS#8.
    pub fn parse(data: &[u8], password: &str) -> Result<Self, Error> {
        let archive = Pkcs12Archive::from_pkcs12(data, password).map_err(|e| {
            let mapped = map_p12_error(e);
            // Without a MAC nothing checks the password before decryption;
            // ~1 in 256 wrong passwords pass the CBC padding check and fail
            // later as garbage DER. If the outer structure is intact, that
            // garbage came out of the decryption: report the password.
            let garbage = matches!(
                mapped,
                Error::MalformedCertificate(_) | Error::BadPrivateKey(_)
            );
            if garbage && intact_without_mac(data) {
                Error::WrongPassword
            } else {
                mapped
            }
        })?;
        let mut certificates: Vec<PfxCertificate> = archive
            .certs
            .into_iter()
            .map(|bag| PfxCertificate {
                der: CertificateDer::from(bag.cert.as_der().to_vec()),
                friendly_name: bag.friendly_name,
                local_key_id: bag.local_key_id,
            })
            .collect();
        let keys: Vec<PfxKey> = archive
            .keys
            .into_iter()
            .map(|bag| PfxKey {
                der: PrivatePkcs8KeyDer::from(bag.key.as_der().to_vec()),
                friendly_name: bag.friendly_name,
                local_key_id: bag.local_key_id.map(|id| id.as_ref().to_vec()),
            })
            .collect();
        // Drop exact duplicates (some tools write the leaf twice).
        let mut seen: Vec<CertificateDer<'static>> = Vec::new();
        certificates.retain(|c| {
            if seen.contains(&c.der) {
                false
            } else {
                seen.push(c.der.clone());
                true
            }
        });
        let mut store = PfxStore { certificates, keys };
        store.order_end_entities_first();
        Ok(store)
    }

    /// Index (into `certificates`) of the certificate the first key belongs to
    /// by `localKeyId`, else of the first certificate.
    pub fn leaf_index(&self) -> Option<usize> {
        if self.certificates.is_empty() {
            return None;
        }
        let linked = self.keys.iter().find_map(|k| {
            let id = k.local_key_id.as_ref()?;
            self.certificates
                .iter()
                .position(|c| c.local_key_id.as_ref() == Some(id))
        });
        Some(linked.unwrap_or(0))
    }

    /// Index (into `keys`) of the key linked to certificate `cert_index` by
    /// `localKeyId`, if any. (Public-key matching is done by [`crate::cert`].)
    pub fn key_index_for(&self, cert_index: usize) -> Option<usize> {
        let id = self.certificates.get(cert_index)?.local_key_id.as_ref()?;
        self.keys
            .iter()
            .position(|k| k.local_key_id.as_ref() == Some(id))
    }

    /// The chain that starts at certificate `cert_index`: that certificate,
    /// then its issuer found in the store by subject/issuer name linkage, and
    /// so on up to a self-signed certificate or a missing issuer.
    pub fn chain(&self, cert_index: usize) -> Vec<CertificateDer<'static>> {
        let ders: Vec<CertificateDer<'static>> =
            self.certificates.iter().map(|c| c.der.clone()).collect();
        build_chain(&ders, cert_index)
    }

    /// Moves end-entity certificates (those that issued no other certificate
    /// in the store) to the front, those with a linked key first; keeps the
    /// file order otherwise.
    fn order_end_entities_first(&mut self) {
        let names: Vec<Option<(Vec<u8>, Vec<u8>)>> = self
            .certificates
            .iter()
            .map(|c| subject_issuer_raw(&c.der))
            .collect();
        let issued_other = |i: usize| -> bool {
            let Some((subject, _)) = &names[i] else {
                return false;
            };
            names.iter().enumerate().any(|(j, other)| {
                j != i
                    && other
                        .as_ref()
                        .is_some_and(|(s, iss)| iss == subject && s != subject)
            })
        };
        let key_ids: Vec<&Vec<u8>> = self
            .keys
            .iter()
            .filter_map(|k| k.local_key_id.as_ref())
            .collect();
        let rank: Vec<u8> = (0..self.certificates.len())
            .map(|i| {
                let has_key = self.certificates[i]
                    .local_key_id
                    .as_ref()
                    .is_some_and(|id| key_ids.contains(&id));
                match (has_key, issued_other(i)) {
                    (true, _) => 0,
                    (false, false) => 1,
                    (false, true) => 2,
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..self.certificates.len()).collect();
        order.sort_by_key(|&i| rank[i]); // stable: file order within a rank
        let old = std::mem::take(&mut self.certificates);
        let mut slots: Vec<Option<PfxCertificate>> = old.into_iter().map(Some).collect();
        self.certificates = order.iter().filter_map(|&i| slots[i].take()).collect();
    }
}

/// Builds the chain starting at `ders[start]` by following issuer names.
pub(crate) fn build_chain(
    ders: &[CertificateDer<'static>],
    start: usize,
) -> Vec<CertificateDer<'static>> {
    let names: Vec<Option<(Vec<u8>, Vec<u8>)>> =
        ders.iter().map(|d| subject_issuer_raw(d)).collect();
    let mut chain_idx: Vec<usize> = Vec::new();
    let mut current = start;
    if current >= ders.len() {
        return Vec::new();
    }
    chain_idx.push(current);
    while let Some(Some((subject, issuer))) = names.get(current) {
        if subject == issuer {
            break; // self-signed: the top of the chain
        }
        let next = names.iter().enumerate().position(|(j, n)| {
            !chain_idx.contains(&j) && n.as_ref().is_some_and(|(s, _)| s == issuer)
        });
        match next {
            Some(j) => {
                chain_idx.push(j);
                current = j;
            }
            None => break,
        }
    }
    chain_idx.into_iter().map(|i| ders[i].clone()).collect()
}

/// The raw DER subject and issuer names of a certificate.
fn subject_issuer_raw(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some((
        cert.subject().as_raw().to_vec(),
        cert.issuer().as_raw().to_vec(),
    ))
}

/// True if `data` is one complete `PFX ::= SEQUENCE { version 3, authSafe,
/// macData OPTIONAL }` with no `macData` and nothing after it.
fn intact_without_mac(data: &[u8]) -> bool {
    let Some((0x30, body, rest)) = der::read_lenient(data) else {
        return false;
    };
    if !rest.is_empty() {
        return false;
    }
    let Some((0x02, [3], rest)) = der::read_lenient(body) else {
        return false;
    };
    matches!(der::read_lenient(rest), Some((0x30, _, [])))
}

/// Maps `p12-keystore` errors onto ours, separating a wrong password from
/// damaged data.
fn map_p12_error(e: P12Error) -> Error {
    match e {
        // The MAC is computed with a key derived from the password: a
        // mismatch almost always means a wrong password. For MAC-less stores a
        // wrong password shows up as bad CBC padding after decryption.
        P12Error::MacError(_) | P12Error::UnpadError => Error::WrongPassword,
        P12Error::Pkcs5Error(msg) if msg.to_ascii_lowercase().contains("decrypt") => {
            Error::WrongPassword
        }
        P12Error::UnsupportedEncryptionScheme => Error::UnsupportedStore(
            "PFX: the store uses an encryption scheme that is not supported".into(),
        ),
        P12Error::UnsupportedMacAlgorithm => Error::UnsupportedStore(
            "PFX: the store uses a MAC algorithm that is not supported".into(),
        ),
        P12Error::UnsupportedContentType => Error::UnsupportedStore(
            "PFX: the store uses a content type that is not supported (e.g. public-key privacy mode)"
                .into(),
        ),
        P12Error::UnsupportedCertificateType => Error::UnsupportedStore(
            "PFX: the store holds a certificate that is not X.509 (e.g. SDSI)".into(),
        ),
        P12Error::InvalidPrivateKey => {
            Error::BadPrivateKey("PKCS#12: a key bag is not a valid PKCS#8 private key".into())
        }
        P12Error::InvalidVersion => {
            Error::MalformedCertificate("PKCS#12: unsupported PFX version (expected 3)".into())
        }
        P12Error::DerError(d) => Error::MalformedCertificate(format!(
            "PKCS#12: truncated or malformed data ({d})"
        )),
        P12Error::X509Error(x) => Error::MalformedCertificate(format!(
            "PKCS#12: a certificate bag holds an invalid X.509 certificate ({x})"
        )),
        other => Error::MalformedCertificate(format!("PKCS#12: {other}")),
    }
}

/// Test fixtures made with the `openssl` command-line tool.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod fixtures {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh, unique temporary directory, removed on drop.
    pub(crate) struct TempDir(pub(crate) PathBuf);

    impl TempDir {
        pub(crate) fn new(tag: &str) -> TempDir {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let dir = std::env::temp_dir().join(format!(
                "dtls-crypto-{tag}-{}-{n}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        pub(crate) fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// True if `openssl` runs. If not: panics when `CI=true`, otherwise prints
    /// a note (the caller then returns early).
    pub(crate) fn openssl_available() -> bool {
        let ok = Command::new("openssl")
            .arg("version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("the openssl command-line tool is required for this test in CI");
            }
            eprintln!("note: openssl not found; skipping a PKCS#12/PEM fixture test");
        }
        ok
    }

    /// Runs `openssl` with `args` in `dir`; panics with its stderr on failure.
    pub(crate) fn openssl(dir: &Path, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Generates the private key `out` (PKCS#8 PEM): `kind` is "ec" (P-256),
    /// "rsa" (2048) or an `openssl genpkey -algorithm` name.
    pub(crate) fn generate_key(dir: &Path, kind: &str, out: &str) {
        match kind {
            "ec" => openssl(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    out,
                ],
            ),
            "rsa" => openssl(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                    out,
                ],
            ),
            other => openssl(dir, &["genpkey", "-algorithm", other, "-out", out]),
        }
    }

    /// Makes a self-signed certificate and key: `<name>.crt`, `<name>.key`
    /// (PKCS#8 PEM). `kind` is "ec" (P-256) or "rsa" (2048).
    pub(crate) fn self_signed(dir: &Path, name: &str, kind: &str, subj: &str) {
        let key = format!("{name}.key");
        let crt = format!("{name}.crt");
        generate_key(dir, kind, &key);
        openssl(
            dir,
            &[
                "req", "-x509", "-new", "-key", &key, "-out", &crt, "-days", "30", "-subj", subj,
            ],
        );
    }

    /// Makes a CA (`ca.crt`/`ca.key`) and a leaf signed by it
    /// (`leaf.crt`/`leaf.key`), both EC P-256.
    pub(crate) fn ca_and_leaf(dir: &Path) {
        self_signed(dir, "ca", "ec", "/O=Test Org/CN=Test Root CA");
        generate_key(dir, "ec", "leaf.key");
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                "leaf.key",
                "-out",
                "leaf.csr",
                "-subj",
                "/O=Test Org/CN=leaf.example",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-out",
                "leaf.crt",
                "-days",
                "30",
                "-set_serial",
                "4660",
            ],
        );
    }

    /// Exports `crt`+`key` (and `extra` args) to `out` with password `pw`.
    pub(crate) fn export_pfx(dir: &Path, out: &str, crt: &str, key: Option<&str>, extra: &[&str]) {
        let mut args = vec![
            "pkcs12", "-export", "-in", crt, "-out", out, "-passout", "pass:pw",
        ];
        match key {
            Some(k) => {
                args.push("-inkey");
                args.push(k);
            }
            None => args.push("-nokeys"),
        }
        args.extend_from_slice(extra);
        openssl(dir, &args);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn subject_of(der: &[u8]) -> String {
        let (_, c) = X509Certificate::from_der(der).unwrap();
        c.subject().to_string()
    }

    fn key_alg_oid(key: &PrivateKeyDer<'_>) -> String {
        // PKCS#8: SEQUENCE { INTEGER, SEQUENCE { OID, ... }, ... }
        let der = key.secret_der();
        let (_, obj) = x509_parser::der_parser::parse_der(der).unwrap();
        let seq = obj.as_sequence().unwrap();
        let alg = seq[1].as_sequence().unwrap();
        alg[0].as_oid().unwrap().to_id_string()
    }

    const EC_OID: &str = "1.2.840.10045.2.1";
    const RSA_OID: &str = "1.2.840.113549.1.1.1";

    #[test]
    fn openssl_variants_load() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("pfx-variants");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=ec.example/O=Org");
        self_signed(d, "rsa", "rsa", "/CN=rsa.example/O=Org");
        let variants: [(&str, &[&str]); 4] = [
            ("default", &[]),
            ("legacy", &["-legacy"]),
            ("none", &["-certpbe", "NONE", "-keypbe", "NONE"]),
            ("named", &["-name", "my friendly name"]),
        ];
        for (kind, oid) in [("ec", EC_OID), ("rsa", RSA_OID)] {
            for (variant, extra) in variants {
                let out = format!("{kind}-{variant}.pfx");
                export_pfx(
                    d,
                    &out,
                    &format!("{kind}.crt"),
                    Some(&format!("{kind}.key")),
                    extra,
                );
                let data = std::fs::read(dir.path(&out)).unwrap();
                let bundle = load_pfx(&data, "pw")
                    .unwrap_or_else(|e| panic!("{kind} {variant} failed to load: {e}"));
                assert_eq!(bundle.chain.len(), 1, "{kind} {variant}");
                assert_eq!(
                    subject_of(&bundle.chain[0]),
                    format!("CN={kind}.example, O=Org")
                );
                let key = bundle.private_key.as_ref().unwrap();
                assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));
                assert_eq!(key_alg_oid(key), oid, "{kind} {variant}");
                if variant == "named" {
                    assert_eq!(bundle.friendly_names, vec!["my friendly name".to_string()]);
                }
            }
        }
    }

    #[test]
    fn chain_is_ordered_by_linkage() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("pfx-chain");
        let d = &dir.0;
        ca_and_leaf(d);
        // CA first in the file, so file order would be wrong.
        let mut both = std::fs::read(dir.path("ca.crt")).unwrap();
        both.extend(std::fs::read(dir.path("leaf.crt")).unwrap());
        std::fs::write(dir.path("both.crt"), both).unwrap();
        export_pfx(d, "chain.pfx", "both.crt", Some("leaf.key"), &[]);
        // Also a variant where the CA comes via -certfile.
        export_pfx(
            d,
            "chain2.pfx",
            "leaf.crt",
            Some("leaf.key"),
            &["-certfile", "ca.crt"],
        );
        for f in ["chain.pfx", "chain2.pfx"] {
            let data = std::fs::read(dir.path(f)).unwrap();
            let bundle = load_pfx(&data, "pw").unwrap();
            assert_eq!(bundle.chain.len(), 2, "{f}");
            assert_eq!(subject_of(&bundle.chain[0]), "O=Test Org, CN=leaf.example");
            assert_eq!(subject_of(&bundle.chain[1]), "O=Test Org, CN=Test Root CA");
            assert!(bundle.private_key.is_some());
            let store = PfxStore::parse(&data, "pw").unwrap();
            assert_eq!(store.certificates.len(), 2);
            assert_eq!(store.leaf_index(), Some(0));
            assert_eq!(store.key_index_for(0), Some(0));
        }
    }

    #[test]
    fn cert_only_store_has_no_key() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("pfx-nokeys");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=nokey.example");
        export_pfx(d, "nokeys.pfx", "ec.crt", None, &[]);
        let data = std::fs::read(dir.path("nokeys.pfx")).unwrap();
        let bundle = load_pfx(&data, "pw").unwrap();
        assert_eq!(bundle.chain.len(), 1);
        assert!(bundle.private_key.is_none());
    }

    #[test]
    fn wrong_password_and_truncation_are_distinguished() {
        if !openssl_available() {
            return;
        }
        let dir = TempDir::new("pfx-bad");
        let d = &dir.0;
        self_signed(d, "ec", "ec", "/CN=bad.example");
        export_pfx(d, "default.pfx", "ec.crt", Some("ec.key"), &[]);
        export_pfx(d, "legacy.pfx", "ec.crt", Some("ec.key"), &["-legacy"]);
        export_pfx(
            d,
            "plain.pfx",
            "ec.crt",
            Some("ec.key"),
            &["-certpbe", "NONE", "-keypbe", "NONE"],
        );
        // Without a MAC, a wrong password shows up when decrypting.
        export_pfx(d, "nomac.pfx", "ec.crt", Some("ec.key"), &["-nomac"]);
        let nomac = std::fs::read(dir.path("nomac.pfx")).unwrap();
        assert!(load_pfx(&nomac, "pw").unwrap().private_key.is_some());
        // Many wrong passwords: some pass the padding check by chance and
        // must still be reported as a wrong password.
        for i in 0..300 {
            let pw = format!("wrong {i}");
            assert_eq!(
                load_pfx(&nomac, &pw).err(),
                Some(Error::WrongPassword),
                "{pw}"
            );
        }
        for f in ["default.pfx", "legacy.pfx", "plain.pfx"] {
            let data = std::fs::read(dir.path(f)).unwrap();
            assert_eq!(
                load_pfx(&data, "not the password").err(),
                Some(Error::WrongPassword),
                "{f}"
            );
            for cut in [data.len() / 2, data.len() - 1, 10] {
                match load_pfx(&data[..cut], "pw") {
                    Err(Error::MalformedCertificate(msg)) => {
                        assert!(msg.starts_with("PKCS#12: "), "{msg}")
                    }
                    other => panic!("{f} cut at {cut}: unexpected {other:?}"),
                }
            }
        }
    }

    #[test]
    fn garbage_is_malformed() {
        for data in [&b""[..], b"hello world", &[0x30, 0x03, 0x02, 0x01, 0x03]] {
            match load_pfx(data, "pw") {
                Err(Error::MalformedCertificate(msg)) => assert!(msg.starts_with("PKCS#12: ")),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
