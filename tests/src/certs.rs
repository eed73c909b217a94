//! Certificates and identities for tests: every key type the server
//! supports, generated once per test process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use dtls_core::config::{ClientConfig, Identity, ServerConfig};
use dtls_crypto::cert::Certificate;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The key types a server certificate can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA, 2048 bits (made with the openssl CLI: ring cannot generate RSA).
    Rsa2048,
}

impl KeyKind {
    /// Every key type.
    pub const ALL: [KeyKind; 4] = [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Ed25519,
        KeyKind::Rsa2048,
    ];
}

/// A self-signed certificate with its key, for `localhost`.
///
/// # Panics
/// If generation fails (a broken test environment).
#[allow(clippy::expect_used)]
pub fn certificate(kind: KeyKind) -> Certificate {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(KeyKind, Certificate)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().expect("cert cache");
    if let Some((_, c)) = cache.iter().find(|(k, _)| *k == kind) {
        return c.clone();
    }
    let cert = match kind {
        KeyKind::Rsa2048 => rsa_certificate(),
        _ => {
            let alg = match kind {
                KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
                KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
                _ => &rcgen::PKCS_ED25519,
            };
            let key = rcgen::KeyPair::generate_for(alg).expect("key");
            let params =
                rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
            let cert = params.self_signed(&key).expect("self-signed");
            Certificate::from_parts(
                vec![CertificateDer::from(cert.der().to_vec())],
                Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    key.serialize_der(),
                ))),
            )
            .expect("certificate")
        }
    };
    cache.push((kind, cert.clone()));
    cert
}

/// A scratch directory unique to this process.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dtls-tests-{}-{name}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs the `openssl` CLI with `args` in `dir` (file names in `args` are
/// relative to it).
///
/// # Panics
/// If openssl cannot run or fails.
#[allow(clippy::expect_used)]
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is needed for test certificates");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

#[allow(clippy::expect_used)]
fn rsa_certificate() -> Certificate {
    let dir = scratch_dir("rsa");
    let args: Vec<&str> = concat!(
        "req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost",
        " -addext subjectAltName=DNS:localhost -keyout key.pem -out cert.pem"
    )
    .split(' ')
    .collect();
    openssl(&dir, &args);
    Certificate::from_pem_files(&dir.join("cert.pem"), &dir.join("key.pem"))
        .expect("RSA certificate")
}

/// The server identity for a key type.
///
/// # Panics
/// If the identity cannot be built.
#[allow(clippy::expect_used)]
pub fn identity(kind: KeyKind) -> Identity {
    Identity::from_certificate(&certificate(kind)).expect("identity")
}

/// A server config presenting a certificate of this key type.
pub fn server_config(kind: KeyKind) -> ServerConfig {
    ServerConfig::new(identity(kind))
}

/// A client config that accepts any server certificate (the harness does
/// not validate server chains).
pub fn client_config() -> ClientConfig {
    ClientConfig::default()
}

/// A shared, cheap-to-clone server config.
pub fn shared_server_config(kind: KeyKind) -> Arc<ServerConfig> {
    Arc::new(server_config(kind))
}

/// A test certificate authority and a client certificate it issued.
pub struct ClientPki {
    /// The CA certificate (DER), to trust in a `ClientCertVerifier`.
    pub ca_der: Vec<u8>,
    /// The CA's subject name (DER), for `ServerConfig::client_ca_names`.
    pub ca_name_der: Vec<u8>,
    /// A client identity (P-256 leaf with EKU clientAuth) issued by the CA.
    pub client: Identity,
}

/// A fresh CA named `ca_cn` and a client certificate for `client_cn` issued
/// by it (RFC 5280 extended key usage id-kp-clientAuth).
///
/// # Panics
/// If generation fails (a broken test environment).
#[allow(clippy::expect_used)]
pub fn client_pki(ca_cn: &str, client_cn: &str) -> ClientPki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.distinguished_name.push(DnType::CommonName, ca_cn);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let ca_der = ca_cert.der().to_vec();
    let ca_name_der = x509_subject(&ca_der);
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("leaf key");
    let mut leaf_params =
        CertificateParams::new(vec![format!("{client_cn}.test")]).expect("leaf params");
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, client_cn);
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("leaf certificate");
    let cert = Certificate::from_parts(
        vec![CertificateDer::from(leaf.der().to_vec())],
        Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            leaf_key.serialize_der(),
        ))),
    )
    .expect("client certificate");
    ClientPki {
        ca_der,
        ca_name_der,
        client: Identity::from_certificate(&cert).expect("client identity"),
    }
}

/// The DER subject Name of a DER certificate (tbsCertificate.subject).
///
/// # Panics
/// If the certificate is malformed.
#[allow(clippy::expect_used)]
pub fn x509_subject(cert_der: &[u8]) -> Vec<u8> {
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version,
    // serialNumber, signature, issuer, validity, subject, ... } ... }
    fn tlv(b: &[u8]) -> (usize, usize) {
        // Returns (header length, content length).
        let len0 = b[1];
        if len0 < 0x80 {
            (2, usize::from(len0))
        } else {
            let n = usize::from(len0 & 0x7f);
            let mut l = 0usize;
            for i in 0..n {
                l = l << 8 | usize::from(b[2 + i]);
            }
            (2 + n, l)
        }
    }
    let (h, _) = tlv(cert_der);
    let tbs = &cert_der[h..];
    let (h, _) = tlv(tbs);
    let mut rest = &tbs[h..];
    let skip = |rest: &mut &[u8]| -> Vec<u8> {
        let (h, l) = tlv(rest);
        let item = rest[..h + l].to_vec();
        *rest = &rest[h + l..];
        item
    };
    if rest[0] == 0xa0 {
        skip(&mut rest); // version
    }
    skip(&mut rest); // serialNumber
    skip(&mut rest); // signature
    skip(&mut rest); // issuer
    skip(&mut rest); // validity
    let subject = skip(&mut rest);
    assert_eq!(subject[0], 0x30, "subject is a SEQUENCE");
    subject
}

/// A P-256 server identity for these DNS names (for SNI selection tests).
///
/// # Panics
/// If generation fails.
#[allow(clippy::expect_used)]
pub fn named_identity(names: &[&str]) -> Identity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("params");
    let cert = params.self_signed(&key).expect("self-signed");
    let cert = Certificate::from_parts(
        vec![CertificateDer::from(cert.der().to_vec())],
        Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            key.serialize_der(),
        ))),
    )
    .expect("certificate");
    Identity::from_certificate(&cert).expect("identity")
}

/// A wall clock for certificate validity checks in tests.
pub fn system_unix_time() -> dtls_core::config::UnixTime {
    dtls_core::config::UnixTime(Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }))
}

/// A CA and a client certificate it issued, as PEM files (plus a PKCS#12
/// bundle of the client's key and chain, password `changeit`), for
/// interop peers that read files.
pub struct ClientPkiFiles {
    /// The CA certificate (PEM).
    pub ca: PathBuf,
    /// The client certificate (PEM).
    pub cert: PathBuf,
    /// The client's private key (PEM, PKCS#8).
    pub key: PathBuf,
    /// The client's key and certificate as PKCS#12, password `changeit`.
    pub p12: PathBuf,
}

/// Makes (once per process and key type) a CA and a client certificate for
/// `CN=client <kind>` with extended key usage clientAuth (RFC 5280
/// 4.2.1.12). `kind` is the client's key: ECDSA P-256 or RSA 2048.
///
/// # Panics
/// If the openssl CLI fails, or `kind` is neither of those.
#[allow(clippy::expect_used)]
pub fn client_pki_files(kind: KeyKind) -> ClientPkiFiles {
    let newkey = match kind {
        KeyKind::EcdsaP256 => "ec -pkeyopt ec_paramgen_curve:P-256",
        KeyKind::Rsa2048 => "rsa:2048",
        other => panic!("no client PKI for {other:?}"),
    };
    let name = format!("client-pki-{kind:?}");
    let dir = scratch_dir(&name);
    let files = ClientPkiFiles {
        ca: dir.join("ca.pem"),
        cert: dir.join("client.pem"),
        key: dir.join("client.key"),
        p12: dir.join("client.p12"),
    };
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = MAKING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if files.p12.exists() {
        return files;
    }
    let run = |line: String| openssl(&dir, &line.split(' ').collect::<Vec<_>>());
    run(format!(
        "req -x509 -newkey {newkey} -nodes -days 2 -subj /CN=Test-Client-CA -keyout ca.key -out ca.pem"
    ));
    run(format!(
        "req -newkey {newkey} -nodes -subj /CN=client-{kind:?} -keyout client.key -out client.csr"
    ));
    std::fs::write(dir.join("ext.cnf"), "extendedKeyUsage=clientAuth\n").expect("ext.cnf");
    run(concat!(
        "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2",
        " -extfile ext.cnf -out client.pem"
    )
    .to_owned());
    run(concat!(
        "pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem",
        " -passout pass:changeit -out client.p12"
    )
    .to_owned());
    files
}
