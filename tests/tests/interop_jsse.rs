//! Interop against the JDK's SunJSSE (Debian `default-jdk-headless`):
//! `tests/peers/JsseDtlsClient.java`, an `SSLEngine` over a
//! `DatagramSocket`, compiled with `javac` at test time.
//!
//! The client hands each datagram to one `SSLEngine::unwrap` call, as the
//! JDK's own DTLS sample does, so it reads only a datagram's first record:
//! the server sends one record per datagram (docs/design.md, flight packing).
//! SunJSSE has no AES-CCM in DTLS and offers CBC without Encrypt-then-MAC,
//! which this server refuses by policy; that refusal is asserted too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use dtls_crypto::CipherSuite;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::{KeyKind, client_pki_files, scratch_dir};
use dtls_tests::interop::{
    SERVER_CERTIFICATES, TestServer, WAIT, assert_echoed, build_peer, client_auth_server,
    peer_source, run_to_end,
};
use dtls_tests::proxy::LossyProxy;

/// Compiles the client once; the directory of its class, or `None` (a
/// panic under CI=true) without a JDK.
fn classes() -> Option<PathBuf> {
    static CLASSES: OnceLock<Option<PathBuf>> = OnceLock::new();
    CLASSES
        .get_or_init(|| {
            let source = peer_source("JsseDtlsClient.java");
            let out = scratch_dir("jsse");
            let mut javac = Command::new("javac");
            javac.arg("-d").arg(&out).arg(source);
            build_peer("SunJSSE (default-jdk-headless)", javac, out)
        })
        .clone()
}

/// The suites SunJSSE (JDK 17) and this server share with `auth`.
fn common_suites(auth: AuthAlgorithm) -> Vec<CipherSuite> {
    CipherSuite::ALL
        .iter()
        .copied()
        .filter(|s| s.auth() == auth && (s.name().contains("GCM") || s.name().contains("CHACHA")))
        .collect()
}

/// Runs one client process; returns whether it succeeded and its stdout.
fn run(port: u16, java_opts: &[&str], args: &[&str]) -> (bool, Vec<String>) {
    run_to_end(
        Command::new("java")
            .args(java_opts)
            .arg("-cp")
            .arg(classes().expect("client built"))
            .arg("JsseDtlsClient")
            .args(["127.0.0.1", &port.to_string()])
            .args(args),
    )
}

/// Every common suite with ECDSA and RSA server certificates, without a
/// client certificate and with ECDSA and RSA ones, two rounds each (the
/// second resumes the first).
#[test]
fn every_common_suite_by_certificate_and_client_certificate() {
    if classes().is_none() {
        return;
    }
    for (kind, auth) in SERVER_CERTIFICATES {
        let server = client_auth_server(kind);
        let plain = TestServer::echo(kind);
        let suites = common_suites(auth);
        assert_eq!(
            suites.len(),
            3,
            "AES-128-GCM, AES-256-GCM, ChaCha20: {suites:?}"
        );
        for suite in &suites {
            let name = suite.name();
            let (ok, lines) = run(plain.port, &[], &[name, "-", "2", "100", "2"]);
            assert!(ok, "{kind:?} {name}: {lines:#?}");
            assert!(lines.contains(&format!("connected {name}")), "{lines:#?}");
            assert!(lines.contains(&"resumed-session".to_owned()), "{lines:#?}");
            for client in [KeyKind::EcdsaP256, KeyKind::Rsa2048] {
                let p12 = client_pki_files(client).p12;
                let (ok, lines) = run(
                    server.port,
                    &[],
                    &[name, p12.to_str().unwrap(), "1", "50", "1"],
                );
                assert!(ok, "{kind:?} {name} client {client:?}: {lines:#?}");
            }
        }
        assert!(plain.wait_for(WAIT, |o| o.resumed.len() == 2 * suites.len()));
        let seen = plain.observed();
        assert_eq!(
            seen.resumed.iter().filter(|r| **r).count(),
            suites.len(),
            "{kind:?}"
        );
        server
            .observed()
            .assert_client_certificates_verified(2 * suites.len());
    }
}

/// SunJSSE's CBC suites come without Encrypt-then-MAC (RFC 7366): refused
/// with a 403 that names the reason.
#[test]
fn cbc_without_encrypt_then_mac_is_refused_with_the_reason() {
    if classes().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let suite = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    let (ok, lines) = run(server.port, &[], &[suite, "-", "1", "10", "1"]);
    assert!(!ok, "{lines:#?}");
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code == 403)));
    server.observed().assert_refused_for_encrypt_then_mac();
}

/// Without the extended master secret (RFC 7627) a client connects, and
/// its session is never resumed (RFC 7627 5.3).
#[test]
fn a_client_without_extended_master_secret_is_never_resumed() {
    if classes().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let no_ems = ["-Djdk.tls.useExtendedMasterSecret=false"];
    let (ok, lines) = run(server.port, &no_ems, &["-", "-", "1", "100", "2"]);
    assert!(ok, "{lines:#?}");
    assert!(!lines.contains(&"resumed-session".to_owned()), "{lines:#?}");
    assert!(server.wait_for(WAIT, |o| o.resumed.len() == 2));
    assert_eq!(server.observed().resumed, vec![false, false]);
    assert_eq!(server.observed().extended_master_secret, vec![false, false]);
}

/// A 300-byte MTU on both sides: the RSA flight goes out in fragments.
#[test]
fn small_mtu_with_rsa() {
    if classes().is_none() {
        return;
    }
    let server = TestServer::echo_with(KeyKind::Rsa2048, |s| s.set_mtu(300).expect("MTU"));
    let (ok, lines) = run(server.port, &[], &["-", "-", "5", "100", "1", "300"]);
    assert!(ok, "{lines:#?}");
}

/// One datagram in ten lost each way: both sides retransmit and finish.
#[test]
fn lossy_link() {
    if classes().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let proxy = LossyProxy::in_front_of(server.port, 10);
    assert_echoed(
        &run(
            proxy.addr.port(),
            &[],
            &["-", "-", "30", "100", "1", "1200", "retry"],
        ),
        3000,
    );
    assert!(proxy.dropped.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

/// Large transfers: a mebibyte in 1,000-byte messages, and records of
/// 2^14 bytes each way (RFC 6347 4.1: the largest plaintext; the client's
/// packet size is raised so that SunJSSE sends each as one record). Every
/// byte is checked.
#[test]
fn a_mebibyte_and_records_of_two_to_the_fourteen_bytes() {
    if classes().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let mebibyte = run(server.port, &[], &["-", "-", "1049", "1000", "1"]);
    assert_echoed(&mebibyte, 1_049_000);
    let largest = run(server.port, &[], &["-", "-", "2", "16384", "1", "17000"]);
    assert_echoed(&largest, 32768);
    let sizes: Vec<usize> = server
        .observed()
        .data
        .iter()
        .map(|(_, d)| d.len())
        .collect();
    assert_eq!(&sizes[1049..], &[16384, 16384]);
}
