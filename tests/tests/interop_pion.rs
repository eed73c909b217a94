//! Interop against pion/dtls v2 (Go; Debian `golang-go` and
//! `golang-github-pion-dtls.v2-dev`), through the small client in
//! `tests/peers/pion_client/`, built offline in GOPATH mode at test time.
//!
//! pion v2 offers AES-CCM, AES-CCM-8 and AES-GCM with ECDHE, and
//! AES-256-CBC-SHA without Encrypt-then-MAC, which this server refuses by
//! policy (docs/security.md): that refusal is asserted too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use dtls_crypto::CipherSuite;
use dtls_tests::certs::{KeyKind, client_pki_files, scratch_dir};
use dtls_tests::interop::{
    SERVER_CERTIFICATES, TestServer, WAIT, assert_echoed, build_peer, client_auth_server,
    peer_source, run_to_end,
};
use dtls_tests::proxy::LossyProxy;

/// The suites pion v2 implements with certificates (its `cipher_suite.go`).
const PION_SUITES: [CipherSuite; 8] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
];

/// Builds the client once; `None` (or a panic under CI=true) if Go or
/// pion's sources are missing.
fn client() -> Option<PathBuf> {
    static CLIENT: OnceLock<Option<PathBuf>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let source = peer_source("pion_client");
            let dir = scratch_dir("pion");
            let out = dir.join("pion_client");
            let mut go = Command::new("go");
            go.arg("build")
                .arg("-o")
                .arg(&out)
                .arg(".")
                .current_dir(source);
            // Offline, from the Debian packages: GOPATH mode, no proxy.
            go.env("GO111MODULE", "off")
                .env("GOFLAGS", "")
                .env("GOPROXY", "off");
            go.env("GOPATH", format!("/usr/share/gocode:{}", dir.display()));
            go.env("GOCACHE", dir.join("cache"));
            build_peer(
                "pion/dtls v2 (golang-go, golang-github-pion-dtls.v2-dev)",
                go,
                out,
            )
        })
        .clone()
}

/// Runs the client against `port` with `args`; returns whether it exited
/// with success and its stdout lines.
fn run(port: u16, args: &[&str]) -> (bool, Vec<String>) {
    run_to_end(
        Command::new(client().expect("client built"))
            .arg("-addr")
            .arg(format!("127.0.0.1:{port}"))
            .args(args),
    )
}

/// Every suite both sides support, with ECDSA and RSA server certificates,
/// without a client certificate and with ECDSA and RSA client certificates.
#[test]
fn every_common_suite_by_certificate_and_client_certificate() {
    if client().is_none() {
        return;
    }
    for (kind, auth) in SERVER_CERTIFICATES {
        let plain = TestServer::echo(kind);
        let authenticating = client_auth_server(kind);
        let common = PION_SUITES
            .iter()
            .filter(|s| s.auth() == auth && !s.name().contains("CBC"));
        for suite in common {
            let name = suite.name();
            assert_echoed(&run(plain.port, &["-suite", name, "-count", "3"]), 300);
            for client_kind in [KeyKind::EcdsaP256, KeyKind::Rsa2048] {
                let pki = client_pki_files(client_kind);
                let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
                let (ok, lines) = run(
                    authenticating.port,
                    &["-suite", name, "-cert", cert, "-key", key],
                );
                assert!(ok, "{kind:?} {name} client {client_kind:?}: {lines:#?}");
            }
        }
        let seen = plain.observed();
        let expected: Vec<String> = PION_SUITES
            .iter()
            .filter(|s| s.auth() == auth && !s.name().contains("CBC"))
            .map(|s| s.name().to_owned())
            .collect();
        assert_eq!(seen.suites, expected, "{kind:?}");
        authenticating
            .observed()
            .assert_client_certificates_verified(expected.len() * 2);
    }
}

/// pion's CBC suites come without Encrypt-then-MAC (RFC 7366), which the
/// server refuses by policy: a handshake_failure and a 403 that says why.
#[test]
fn cbc_without_encrypt_then_mac_is_refused_with_the_reason() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let (ok, lines) = run(
        server.port,
        &["-suite", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"],
    );
    assert!(!ok, "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("HandshakeFailure")),
        "{lines:#?}"
    );
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code == 403)));
    server.observed().assert_refused_for_encrypt_then_mac();
}

/// A mebibyte echoed in 1,000-byte messages, every byte checked by the client.
#[test]
fn one_mebibyte_in_thousand_byte_messages() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    assert_echoed(
        &run(server.port, &["-count", "1049", "-size", "1000"]),
        1049000,
    );
}

/// pion resumes by session ID; the second handshake is abbreviated. A
/// client without the extended master secret connects but is never resumed
/// (RFC 7627 5.3).
#[test]
fn resumption_with_and_without_extended_master_secret() {
    if client().is_none() {
        return;
    }
    // pion v2 with a SessionStore needs the server's flight in one
    // datagram (docs/interop.md): packed messages.
    let packed = |s: &mut dtls_server::DtlsServer| {
        s.update_settings(|st| st.pack_handshake_messages = true)
            .unwrap();
    };
    let server = TestServer::echo_with(KeyKind::EcdsaP256, packed);
    let (ok, lines) = run(server.port, &["-resume"]);
    assert!(ok, "{lines:#?}");
    assert!(server.wait_for(WAIT, |o| o.resumed.len() == 2));
    assert_eq!(server.observed().resumed, vec![false, true]);

    let server = TestServer::echo_with(KeyKind::EcdsaP256, packed);
    let (ok, lines) = run(server.port, &["-resume", "-ems", "disable"]);
    assert!(ok, "{lines:#?}");
    assert!(server.wait_for(WAIT, |o| o.resumed.len() == 2));
    assert_eq!(server.observed().resumed, vec![false, false]);
    assert_eq!(server.observed().extended_master_secret, vec![false, false]);
}

/// A 300-byte MTU on both sides: the RSA flight goes out in fragments.
#[test]
fn small_mtu_with_rsa() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo_with(KeyKind::Rsa2048, |s| s.set_mtu(300).expect("MTU"));
    let (ok, lines) = run(server.port, &["-mtu", "300", "-count", "5"]);
    assert!(ok, "{lines:#?}");
}

/// One datagram in ten lost each way: both sides retransmit and finish.
#[test]
fn lossy_link() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo_with(KeyKind::EcdsaP256, |_| {});
    let proxy = LossyProxy::in_front_of(server.port, 10);
    assert_echoed(&run(proxy.addr.port(), &["-count", "30", "-retry"]), 3000);
    assert!(proxy.dropped.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

/// Large records: pion sends one of 2^14 bytes (RFC 6347 4.1, the largest
/// plaintext) and the server reads it; pion reads datagrams into an
/// 8,192-byte buffer (`inboundBufferSize` in its `conn.go`), so the echo
/// comes back whole only up to that size.
#[test]
fn large_records_as_far_as_pion_reads_them() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let (ok, lines) = run(server.port, &["-size", "16384"]);
    assert!(!ok, "pion cannot read a 16 KiB datagram: {lines:#?}");
    assert!(server.wait_for(WAIT, |o| o.data.iter().any(|(_, d)| d.len() == 16384)));
    let largest = 8192 - 13 - 8 - 16; // record header, GCM nonce and tag
    let size = largest.to_string();
    assert_echoed(
        &run(server.port, &["-count", "2", "-size", &size]),
        2 * largest,
    );
}
