//! Interop against GnuTLS's `gnutls-cli --udp`, a second independent DTLS
//! client, talking to our `DtlsServer` over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dtls_tests::certs::{KeyKind, certificate};
use dtls_tests::interop::{ClientCertVerdict, PeerProcess, TestServer, require_peer};

const WAIT: Duration = Duration::from_secs(10);

/// Runs gnutls-cli with a priority string, sends `msg`, and returns whether
/// it came back, plus the output.
fn echo_once(port: u16, priority: &str, extra: &[&str], msg: &str) -> (bool, Vec<String>) {
    let mut args: Vec<String> = vec![
        "--udp".into(),
        "--insecure".into(),
        "--port".into(),
        port.to_string(),
        "--priority".into(),
        priority.into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.push("127.0.0.1".into());
    let mut client = PeerProcess::spawn("gnutls-cli", &args);
    client.wait_for_line("Handshake was completed", WAIT);
    client.send_line(msg);
    let echoed = client.wait_for_line(msg, WAIT);
    (echoed, client.finish(Duration::from_secs(2)))
}

fn priority(cipher: &str) -> String {
    format!("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:{cipher}")
}

#[test]
fn suites_with_ecdsa_and_rsa_certificates() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    let cases: &[(KeyKind, &str, &str)] = &[
        (
            KeyKind::EcdsaP256,
            "+AES-128-GCM",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        ),
        (
            KeyKind::EcdsaP256,
            "+AES-256-GCM",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ),
        (
            KeyKind::EcdsaP256,
            "+CHACHA20-POLY1305",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        ),
        (
            KeyKind::EcdsaP256,
            "+AES-128-CCM",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        ),
        (
            KeyKind::EcdsaP256,
            "+AES-128-CCM-8",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        ),
        (
            KeyKind::EcdsaP256,
            "+AES-128-CBC:-MAC-ALL:+SHA1",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        ),
        (
            KeyKind::EcdsaP256,
            "+AES-256-CBC:-MAC-ALL:+SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        ),
        (
            KeyKind::Rsa2048,
            "+AES-128-GCM",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ),
        (
            KeyKind::Rsa2048,
            "+CHACHA20-POLY1305",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ),
        (
            KeyKind::Rsa2048,
            "+AES-128-CBC:-MAC-ALL:+SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        ),
    ];
    for kind in [KeyKind::EcdsaP256, KeyKind::Rsa2048] {
        let server = TestServer::start(certificate(kind), |_| {}, ClientCertVerdict::AsVerified);
        let mine: Vec<_> = cases.iter().filter(|c| c.0 == kind).collect();
        for (_, cipher, _) in &mine {
            let msg = format!("gnutls {cipher}");
            let (echoed, output) = echo_once(server.port, &priority(cipher), &[], &msg);
            assert!(echoed, "{kind:?} {cipher}: {output:#?}");
        }
        assert!(server.wait_for(WAIT, |o| o.suites.len() >= mine.len()));
        let expected: Vec<String> = mine.iter().map(|c| c.2.to_owned()).collect();
        assert_eq!(server.observed().suites, expected);
    }
}

#[test]
fn every_group() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    let server = TestServer::start(
        certificate(KeyKind::EcdsaP256),
        |_| {},
        ClientCertVerdict::AsVerified,
    );
    for group in ["X25519", "SECP256R1", "SECP384R1", "SECP521R1"] {
        let prio = format!("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-GROUP-ALL:+GROUP-{group}");
        let (echoed, output) = echo_once(server.port, &prio, &[], group);
        assert!(echoed, "{group}: {output:#?}");
        assert!(
            output
                .iter()
                .any(|l| l.contains("Description") && l.contains(group)),
            "{group}: {output:#?}"
        );
    }
}

#[test]
fn small_mtu() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    let options = |s: &mut dtls_server::DtlsServer| s.set_mtu(400);
    let server = TestServer::start(
        certificate(KeyKind::Rsa2048),
        options,
        ClientCertVerdict::AsVerified,
    );
    let prio = priority("+AES-128-GCM");
    let (echoed, output) = echo_once(server.port, &prio, &["--mtu", "400"], "small mtu");
    assert!(echoed, "{output:#?}");
}
