//! Issue 10: certificate stores a seed user loads, through the seed's
//! `Certificate(storeType, store, storePassword, subject)` constructor
//! (`Certificate::from_store`), checked end-to-end by a handshake where a
//! key is involved.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dtls_crypto::Error as CryptoError;
use dtls_crypto::cert::{CertStoreType, Certificate, StoreSource};
use dtls_server::DtlsServer;
use dtls_tests::certs::{client_config, openssl, scratch_dir};
use dtls_tests::interop::require_peer;
use dtls_tests::udp_client::UdpClient;

/// A self-signed P-256 certificate and its key, written by the openssl CLI
/// into `dir`: `cert.pem`, `plain.pem` (unencrypted PKCS#8), `pkcs8.pem`
/// (PBES2, password "s3cret"), `legacy.pem` (OpenSSL's traditional
/// encryption).
fn write_keys(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ec.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "ec.pem",
            "-out",
            "plain.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "plain.pem",
            "-subj",
            "/CN=encrypted-key",
            "-days",
            "30",
            "-out",
            "cert.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "plain.pem",
            "-passout",
            "pass:s3cret",
            "-out",
            "pkcs8.pem",
        ],
    );
    openssl(
        dir,
        &[
            "ec",
            "-in",
            "plain.pem",
            "-aes128",
            "-passout",
            "pass:s3cret",
            "-out",
            "legacy.pem",
        ],
    );
}

/// `cert.pem` followed by the key file `key`, as one PEM store.
fn store(dir: &std::path::Path, key: &str) -> Vec<u8> {
    let mut data = std::fs::read(dir.join("cert.pem")).unwrap();
    data.extend(std::fs::read(dir.join(key)).unwrap());
    data
}

fn open(data: &[u8], password: &str) -> Result<Certificate, CryptoError> {
    Certificate::from_store(
        CertStoreType::PemKeyBlob,
        StoreSource::Bytes(data),
        password,
        "*",
    )
}

#[test]
fn an_encrypted_pkcs8_key_opens_with_the_store_password_and_serves() {
    if !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("encrypted-key");
    write_keys(&dir);
    let data = store(&dir, "pkcs8.pem");
    assert!(String::from_utf8_lossy(&data).contains("BEGIN ENCRYPTED PRIVATE KEY"));

    let cert = open(&data, "s3cret").unwrap();
    assert!(cert.private_key_available());

    let wrong = open(&data, "guess").unwrap_err().to_string();
    assert!(wrong.contains("wrong password"), "{wrong}");
    let none = open(&data, "").unwrap_err().to_string();
    assert!(none.contains("StorePassword"), "{none}");
    let legacy = open(&store(&dir, "legacy.pem"), "s3cret")
        .unwrap_err()
        .to_string();
    assert!(legacy.contains("openssl pkcs8 -topk8"), "{legacy}");

    // The decrypted key signs a real handshake.
    let mut server = DtlsServer::new();
    server.set_ssl_cert(cert).unwrap();
    server.config("LocalHost=127.0.0.1").unwrap();
    server.set_do_events_wait(Duration::from_millis(2));
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    let mut client = UdpClient::new(addr, client_config());
    let deadline = Instant::now() + Duration::from_secs(5);
    while !client.connected() && !client.ended() && Instant::now() < deadline {
        server.do_events().unwrap();
        client.pump();
    }
    assert!(client.connected(), "{:?}", client.events);
}

#[test]
fn the_empty_certificate_reads_empty_and_a_server_refuses_it() {
    use dtls_server::CertificateFields;
    let empty = Certificate::empty();
    assert!(empty.is_empty() && !empty.private_key_available());
    assert_eq!(empty.subject(), "");
    assert!(empty.encoded().is_empty());
    // Every seed field of it can be read.
    let _ = (
        empty.effective_date(),
        empty.expiration_date(),
        empty.fingerprint(),
        empty.public_key(),
        empty.serial_number(),
        empty.subject_alt_names(),
        empty.version(),
    );
    let mut server = DtlsServer::new();
    server.set_ssl_cert(empty).unwrap();
    assert!(matches!(
        server.start_listening(),
        Err(dtls_server::Error::NoCertificate)
    ));
}

#[test]
fn the_configuration_string_constructor_selects_by_thumbprint_and_refuses_what_it_cannot_do() {
    if !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("store-config");
    write_keys(&dir);
    let data = store(&dir, "plain.pem");
    let cert = open(&data, "").unwrap();
    let thumbprint = hex::encode(cert.digests().sha256);
    let open_with = |config: &str| {
        Certificate::from_store_with_config(
            CertStoreType::PemKeyBlob,
            StoreSource::Bytes(&data),
            "",
            "CN=no such subject",
            config,
        )
    };
    let chosen = open_with(&format!("Thumbprint={thumbprint}\nPersistPFXKey=True")).unwrap();
    assert_eq!(chosen.encoded(), cert.encoded());
    assert!(chosen.private_key_available());
    assert!(
        open_with("").is_err(),
        "without it the subject selects: no match"
    );
    let refused = open_with("PersistPFXKey=False").unwrap_err().to_string();
    assert!(
        refused.contains("PersistPFXKey=False is not supported"),
        "{refused}"
    );
}
