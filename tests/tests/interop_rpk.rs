//! Raw public key interop (RFC 7250) with GnuTLS, the one packaged peer
//! that implements it (OpenSSL 3.0, mbedTLS 2.28, pion v2 and SunJSSE do
//! not): our `DtlsServer` presents its key raw to a GnuTLS client
//! (`tests/peers/gnutls_rpk_client.c`) for every key type, takes a
//! client's raw key when it authenticates clients, and our client pins
//! the raw key of `gnutls-serv`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::process::Command;
use std::time::{Duration, Instant};

use dtls_core::config::{CertificateType, ClientConfig};
use dtls_core::event::Event;
use dtls_crypto::sign::SigningKey;
use dtls_server::DtlsServer;
use dtls_tests::certs::{KeyKind, certificate, client_config, openssl, scratch_dir};
use dtls_tests::interop::{PeerProcess, TestServer, WAIT, gnutls_rpk_client, require_peer};
use dtls_tests::udp_client::UdpClient;

/// GnuTLS's DTLS 1.2 priority taking raw public keys from servers (and,
/// with `client`, presenting one).
fn priority(client: bool) -> String {
    let mut p = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:+CTYPE-SRV-RAWPK".to_owned();
    if client {
        p.push_str(":+CTYPE-CLI-RAWPK");
    }
    p
}

fn spki(kind: KeyKind) -> Vec<u8> {
    SigningKey::from_der(certificate(kind).require_private_key().unwrap())
        .unwrap()
        .subject_public_key_info()
}

/// Runs the GnuTLS client; its output lines.
fn gnutls(port: u16, priority: &str, msg: &str, own_key: Option<(&str, &str)>) -> Vec<String> {
    let mut cmd = Command::new(gnutls_rpk_client().expect("client built"));
    cmd.args(["127.0.0.1", &port.to_string(), priority, msg]);
    if let Some((public, private)) = own_key {
        cmd.args([public, private]);
    }
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn value<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
}

fn raw_key_server(
    kind: KeyKind,
    configure: impl FnOnce(&mut DtlsServer) + Send + 'static,
) -> TestServer {
    TestServer::echo_with(kind, move |s| {
        s.config("SSLCertificateTypes=RawPublicKey,X509").unwrap();
        configure(s);
    })
}

#[test]
fn gnutls_clients_take_our_raw_key_for_every_key_type() {
    if gnutls_rpk_client().is_none() {
        return;
    }
    for kind in KeyKind::ALL {
        let server = raw_key_server(kind, |_| {});
        let msg = format!("raw {kind:?}");
        let out = gnutls(server.port, &priority(false), &msg, None);
        assert_eq!(
            value(&out, "reply"),
            Some(msg.as_str()),
            "{kind:?}: {out:#?}"
        );
        assert_eq!(
            value(&out, "server_type"),
            Some("Raw Public Key"),
            "{out:#?}"
        );
        assert_eq!(
            value(&out, "server_key"),
            Some(hex::encode(spki(kind)).as_str()),
            "{kind:?}: GnuTLS got our SubjectPublicKeyInfo"
        );
        // A GnuTLS client without RFC 7250 still gets the certificate.
        let out = gnutls(server.port, "NORMAL:-VERS-ALL:+VERS-DTLS1.2", "x509", None);
        assert_eq!(value(&out, "server_type"), Some("X.509"), "{out:#?}");
        assert_eq!(value(&out, "reply"), Some("x509"));
    }
}

#[test]
fn a_gnutls_client_authenticates_with_its_raw_key() {
    if gnutls_rpk_client().is_none() || !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("rpk-client-key");
    p256_key_files(&dir);
    let client_spki = std::fs::read(dir.join("pub.der")).unwrap();
    let (public, private) = (dir.join("pub.pem"), dir.join("key.pem"));
    let own_key = Some((public.to_str().unwrap(), private.to_str().unwrap()));

    let trusted = client_spki.clone();
    let server = raw_key_server(KeyKind::EcdsaP256, move |s| {
        s.config("SSLAuthenticateClients=True").unwrap();
        s.config("SSLClientCertificateTypes=RawPublicKey").unwrap();
        s.set_trusted_client_keys(vec![trusted]).unwrap();
    });
    let out = gnutls(server.port, &priority(true), "by key", own_key);
    assert_eq!(value(&out, "reply"), Some("by key"), "{out:#?}");
    assert_eq!(
        value(&out, "client_type"),
        Some("Raw Public Key"),
        "{out:#?}"
    );
    let seen = server.observed().client_certs;
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert!(seen[0].raw_public_key && seen[0].accept, "{seen:#?}");
    assert_eq!(seen[0].cert_encoded, client_spki);
    assert_eq!(seen[0].status, "OK");

    // A key we do not trust is refused (the handler keeps the verdict).
    let server = raw_key_server(KeyKind::EcdsaP256, |s| {
        s.config("SSLAuthenticateClients=True").unwrap();
        s.config("SSLClientCertificateTypes=RawPublicKey").unwrap();
        s.set_trusted_client_keys(vec![spki(KeyKind::EcdsaP384)])
            .unwrap();
    });
    let out = gnutls(server.port, &priority(true), "refused", own_key);
    assert_eq!(value(&out, "reply"), None, "{out:#?}");
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code == 404)));
}

/// An ECDSA P-256 key in `dir`: key.pem, its public key as pub.pem and
/// as DER (pub.der, the SubjectPublicKeyInfo).
fn p256_key_files(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem",
        ],
    );
    openssl(
        dir,
        &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
    );
    openssl(
        dir,
        &[
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ],
    );
}

/// A free loopback UDP port (bound, then released for the peer).
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[test]
fn our_client_pins_the_raw_key_of_gnutls_serv() {
    if !require_peer("gnutls-serv", "--version") || !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("rpk-gnutls-serv");
    p256_key_files(&dir);
    let server_spki = std::fs::read(dir.join("pub.der")).unwrap();
    let port = free_port();
    let args: Vec<String> = [
        "--udp",
        "--echo",
        "--quiet",
        "-p",
        &port.to_string(),
        "--rawpkkeyfile",
        dir.join("key.pem").to_str().unwrap(),
        "--rawpkfile",
        dir.join("pub.pem").to_str().unwrap(),
        "--priority",
        "NORMAL:-VERS-ALL:+VERS-DTLS1.2:+CTYPE-SRV-RAWPK",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let _serv = PeerProcess::spawn("gnutls-serv", &args);

    let connect = |trusted: Vec<Vec<u8>>| {
        let config = ClientConfig {
            server_certificate_types: vec![CertificateType::RawPublicKey],
            trusted_server_keys: trusted,
            ..client_config()
        };
        let mut client = UdpClient::new(format!("127.0.0.1:{port}").parse().unwrap(), config);
        let deadline = Instant::now() + WAIT;
        let mut sent = false;
        while Instant::now() < deadline && !client.ended() && client.received.is_empty() {
            client.pump();
            if client.connected() && !sent {
                client.conn.send(Instant::now(), b"pinned").unwrap();
                sent = true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        client
    };
    // gnutls-serv takes a moment to bind: retry the first handshake.
    let mut client = connect(vec![server_spki.clone()]);
    for _ in 0..20 {
        if client.connected() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        client = connect(vec![server_spki.clone()]);
    }
    assert!(client.connected(), "{:#?}", client.events);
    assert_eq!(client.received, vec![b"pinned".to_vec()]);
    let n = client.conn.negotiated().unwrap();
    assert_eq!(
        n.peer_raw_public_key.as_deref(),
        Some(server_spki.as_slice())
    );
    // gnutls-serv serves one DTLS client at a time: end this one.
    client.conn.close(Instant::now());
    client.pump();
    drop(client);

    // Pinning another key fails with the seed's 404.
    let client = connect(vec![spki(KeyKind::EcdsaP256)]);
    assert!(!client.connected());
    let failed = client.events.iter().find_map(|e| match e {
        Event::HandshakeFailed(s) => Some(s.clone()),
        _ => None,
    });
    assert_eq!(
        failed.map(|s| s.code.code()),
        Some(404),
        "{:#?}",
        client.events
    );
}
