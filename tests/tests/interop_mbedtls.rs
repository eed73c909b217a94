//! Interop against mbedTLS (Debian's libmbedtls-dev), a third independent
//! DTLS implementation, through the small client in
//! `tests/peers/mbedtls_dtls_client.c`, compiled at test time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use dtls_crypto::CipherSuite;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::KeyKind;
use dtls_tests::interop::{TestServer, mbedtls_client as client};

/// Runs one connection; returns the client's stdout lines.
fn run(port: u16, msg: &str, suite: &str, mtu: Option<u16>) -> Vec<String> {
    run_with(port, msg, suite, mtu, false)
}

/// [`run`], optionally without the extended master secret (RFC 7627).
fn run_with(port: u16, msg: &str, suite: &str, mtu: Option<u16>, no_ems: bool) -> Vec<String> {
    let bin = client().expect("client built");
    let mut cmd = Command::new(bin);
    cmd.env("PEER_NO_EMS", if no_ems { "1" } else { "0" });
    cmd.args(["127.0.0.1", &port.to_string(), msg, suite]);
    if let Some(mtu) = mtu {
        cmd.arg(mtu.to_string());
    }
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_suite_with_ecdsa_and_rsa_certificates() {
    if client().is_none() {
        return;
    }
    for (kind, auth) in [
        (KeyKind::EcdsaP256, AuthAlgorithm::Ecdsa),
        (KeyKind::Rsa2048, AuthAlgorithm::Rsa),
    ] {
        let server = TestServer::echo(kind);
        for suite in CipherSuite::ALL.iter().filter(|s| s.auth() == auth) {
            let name = suite.name().replace('_', "-");
            let msg = format!("mbedtls {name}");
            let lines = run(server.port, &msg, &name, None);
            assert!(
                lines.contains(&format!("suite={name}")),
                "{kind:?} {name}: {lines:#?}"
            );
            assert!(
                lines.contains(&format!("reply={msg}")),
                "{kind:?} {name}: {lines:#?}"
            );
        }
    }
}

#[test]
fn small_mtu_with_rsa() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo_with(KeyKind::Rsa2048, |s| s.set_mtu(300).expect("MTU"));
    let lines = run(server.port, "tiny datagrams", "-", Some(300));
    assert!(
        lines.contains(&"reply=tiny datagrams".to_owned()),
        "{lines:#?}"
    );
}

/// A client with the extended master secret disabled still connects (the
/// server accepts it by default, issue 15), in a full handshake without it.
#[test]
fn a_client_without_extended_master_secret_connects() {
    if client().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let lines = run_with(server.port, "no ems", "-", None, true);
    assert!(lines.contains(&"reply=no ems".to_owned()), "{lines:#?}");
    assert!(server.wait_for(dtls_tests::interop::WAIT, |o| o.resumed == vec![false]));
    assert_eq!(server.observed().extended_master_secret, vec![false]);
    let lines = run_with(server.port, "with ems", "-", None, false);
    assert!(lines.contains(&"reply=with ems".to_owned()), "{lines:#?}");
    assert!(server.wait_for(dtls_tests::interop::WAIT, |o| o.resumed.len() == 2));
    assert_eq!(server.observed().extended_master_secret, vec![false, true]);
}
