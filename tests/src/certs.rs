//! Certificates and identities for tests: every key type the server
//! supports, generated once per test process.

use std::path::PathBuf;
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

#[allow(clippy::expect_used)]
fn rsa_certificate() -> Certificate {
    let dir = scratch_dir("rsa");
    let key = dir.join("key.pem");
    let cert = dir.join("cert.pem");
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the openssl CLI is needed for RSA test certificates");
    assert!(status.status.success(), "openssl req failed: {status:?}");
    Certificate::from_pem_files(&cert, &key).expect("RSA certificate")
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
