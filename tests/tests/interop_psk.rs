//! Pre-shared-key interop (RFC 4279, RFC 5489): OpenSSL's `s_client -psk`,
//! a GnuTLS client (`tests/peers/gnutls_psk_client.c`: gnutls-cli 3.7.9
//! crashes after ECDHE-PSK handshakes), and the mbedTLS test client with
//! `PEER_PSK`, against our `DtlsServer` holding a certificate and PSKs at
//! once. Every PSK suite a peer implements must handshake and echo, and
//! every suite of the constrained profile must work with at least two of
//! them; a wrong key fails on both sides without an echo.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use dtls_core::config::ServerPsk;
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_crypto::CipherSuite;
use dtls_crypto::suites::{AuthAlgorithm, KeyExchangeAlgorithm};
use dtls_tests::certs::KeyKind;
use dtls_tests::interop::{TestServer, gnutls_psk_client, mbedtls_client, require_peer, s_client};

const WAIT: Duration = Duration::from_secs(10);
const IDENTITY: &str = "coap-device-1";
const KEY: &str = "3f1a5c7e9b2d4f60a1c3e5f70819bdce";

fn psk_suites() -> impl Iterator<Item = CipherSuite> {
    CipherSuite::ALL
        .iter()
        .copied()
        .filter(|s| s.auth() == AuthAlgorithm::Psk)
}

/// A server with an ECDSA certificate and the test key, giving a stalled
/// handshake 3 s (so a wrong key's failure is reported quickly).
fn server() -> TestServer {
    TestServer::echo_with(KeyKind::EcdsaP256, |s| {
        let mut keys = PskTable::new();
        keys.insert(
            IDENTITY.as_bytes().to_vec(),
            PresharedKey::from_hex(KEY).unwrap(),
        );
        s.set_psk(Some(ServerPsk::new(Arc::new(keys)))).unwrap();
        s.update_settings(|st| st.handshake_timeout = Duration::from_secs(3))
            .unwrap();
    })
}

/// OpenSSL 3.0's name for a PSK suite; `None` for the RFC 8442 ECDHE_PSK
/// AEAD suites it does not implement for TLS 1.2.
fn openssl_name(suite: CipherSuite) -> Option<&'static str> {
    use CipherSuite as S;
    Some(match suite {
        S::TLS_PSK_WITH_AES_128_CCM_8 => "PSK-AES128-CCM8",
        S::TLS_PSK_WITH_AES_256_CCM_8 => "PSK-AES256-CCM8",
        S::TLS_PSK_WITH_AES_128_CCM => "PSK-AES128-CCM",
        S::TLS_PSK_WITH_AES_256_CCM => "PSK-AES256-CCM",
        S::TLS_PSK_WITH_AES_128_GCM_SHA256 => "PSK-AES128-GCM-SHA256",
        S::TLS_PSK_WITH_AES_256_GCM_SHA384 => "PSK-AES256-GCM-SHA384",
        S::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 => "PSK-CHACHA20-POLY1305",
        S::TLS_PSK_WITH_AES_128_CBC_SHA256 => "PSK-AES128-CBC-SHA256",
        S::TLS_PSK_WITH_AES_256_CBC_SHA384 => "PSK-AES256-CBC-SHA384",
        S::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-PSK-CHACHA20-POLY1305",
        S::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 => "ECDHE-PSK-AES128-CBC-SHA256",
        S::TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384 => "ECDHE-PSK-AES256-CBC-SHA384",
        _ => return None,
    })
}

/// Whether `suite` is one of RFC 8442's ECDHE_PSK AEAD suites, which
/// neither OpenSSL 3.0 nor GnuTLS 3.7 nor mbedTLS 2.28 implements.
fn rfc8442(suite: CipherSuite) -> bool {
    suite.key_exchange() == KeyExchangeAlgorithm::EcdhePsk
        && suite.bulk().is_aead()
        && suite.bulk() != dtls_crypto::suites::BulkCipher::ChaCha20Poly1305
}

/// A GnuTLS priority string selecting exactly `suite`, if GnuTLS 3.7 has
/// it.
fn gnutls_priority(suite: CipherSuite) -> Option<String> {
    use dtls_crypto::suites::BulkCipher as B;
    if rfc8442(suite) {
        return None;
    }
    let kx = match suite.key_exchange() {
        KeyExchangeAlgorithm::Psk => "+PSK",
        KeyExchangeAlgorithm::EcdhePsk => "+ECDHE-PSK",
        _ => return None,
    };
    let (cipher, mac) = match suite.bulk() {
        B::Aes128Gcm => ("+AES-128-GCM", "+AEAD"),
        B::Aes256Gcm => ("+AES-256-GCM", "+AEAD"),
        B::Aes128Ccm => ("+AES-128-CCM", "+AEAD"),
        B::Aes256Ccm => ("+AES-256-CCM", "+AEAD"),
        B::Aes128Ccm8 => ("+AES-128-CCM-8", "+AEAD"),
        B::Aes256Ccm8 => ("+AES-256-CCM-8", "+AEAD"),
        B::ChaCha20Poly1305 => ("+CHACHA20-POLY1305", "+AEAD"),
        B::Aes128Cbc => ("+AES-128-CBC", "+SHA256"),
        B::Aes256Cbc => ("+AES-256-CBC", "+SHA384"),
    };
    Some(format!(
        "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:{kx}:-CIPHER-ALL:{cipher}:-MAC-ALL:{mac}"
    ))
}

fn openssl_echo(
    port: u16,
    name: &str,
    key: &str,
    msg: &str,
    wait: Duration,
) -> (bool, Vec<String>) {
    let mut client = s_client(
        port,
        &["-cipher", name, "-psk_identity", IDENTITY, "-psk", key],
    );
    client.send_line(msg);
    let echoed = client.wait_for_line(msg, wait);
    (echoed, client.finish(Duration::from_secs(2)))
}

fn gnutls_echo(port: u16, priority: &str, msg: &str) -> (bool, Vec<String>) {
    let out = Command::new(gnutls_psk_client().expect("client built"))
        .args(["127.0.0.1", &port.to_string(), priority, IDENTITY, KEY, msg])
        .output()
        .unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    (lines.iter().any(|l| *l == format!("reply={msg}")), lines)
}

fn mbedtls_echo(port: u16, suite: &str, key: &str, msg: &str) -> Vec<String> {
    let mut cmd = Command::new(mbedtls_client().expect("client built"));
    cmd.env("PEER_PSK", format!("{IDENTITY}:{key}"));
    cmd.args(["127.0.0.1", &port.to_string(), msg, suite]);
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs every PSK suite `name_of` maps against one server; returns the
/// suites that echoed, after checking the server negotiated each with our
/// identity.
fn run_peer(
    peer: &str,
    name_of: impl Fn(CipherSuite) -> Option<String>,
    echo: impl Fn(u16, &str, &str) -> (bool, Vec<String>),
) -> Vec<CipherSuite> {
    let server = server();
    let mut worked = Vec::new();
    for suite in psk_suites() {
        let Some(name) = name_of(suite) else { continue };
        let msg = format!("{peer} over {}", suite.name());
        let (echoed, output) = echo(server.port, &name, &msg);
        assert!(echoed, "{peer} {suite}: no echo; it said {output:#?}");
        worked.push(suite);
    }
    assert!(server.wait_for(WAIT, |o| o.suites.len() >= worked.len()));
    let observed = server.observed();
    let names: Vec<&str> = worked.iter().map(|s| s.name()).collect();
    assert_eq!(observed.suites, names, "{peer}");
    for connected in observed.connected.iter().filter(|c| c.status_code == 0) {
        assert_eq!(
            connected.psk_identity.as_deref(),
            Some(IDENTITY.as_bytes()),
            "{peer}: the identity is reported"
        );
    }
    worked
}

#[test]
fn psk_suites_with_openssl_gnutls_and_mbedtls() {
    let mut peers_of: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    if require_peer("openssl", "version") {
        let worked = run_peer(
            "openssl",
            |s| openssl_name(s).map(str::to_owned),
            |port, name, msg| openssl_echo(port, name, KEY, msg, WAIT),
        );
        assert_eq!(worked.len(), 12, "OpenSSL 3.0 has 12 of our PSK suites");
        worked
            .iter()
            .for_each(|s| peers_of.entry(s.name()).or_default().push("openssl"));
    }
    if gnutls_psk_client().is_some() {
        let worked = run_peer("gnutls", gnutls_priority, gnutls_echo);
        assert_eq!(worked.len(), 12, "GnuTLS 3.7 has 12 of our PSK suites");
        worked
            .iter()
            .for_each(|s| peers_of.entry(s.name()).or_default().push("gnutls"));
    }
    if mbedtls_client().is_some() {
        // mbedTLS 2.28 spells the IANA names with dashes and has no RFC
        // 8442 suites; it reports "unknown-suite" for those.
        let server = server();
        let mut worked = Vec::new();
        for suite in psk_suites() {
            let name = suite.name().replace('_', "-");
            let out = mbedtls_echo(server.port, &name, KEY, "mbedtls psk");
            if out.iter().any(|l| l.starts_with("error=unknown-suite")) {
                continue;
            }
            assert!(
                out.iter().any(|l| l == "reply=mbedtls psk"),
                "mbedTLS {suite}: {out:#?}"
            );
            worked.push(suite);
        }
        assert!(worked.len() >= 9, "mbedTLS: {worked:?}");
        worked
            .iter()
            .for_each(|s| peers_of.entry(s.name()).or_default().push("mbedtls"));
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        // The constrained profile's suites (RFC 7925, RFC 7252 9.1.3.1)
        // each work with at least two independent peers.
        for suite in [
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
            CipherSuite::TLS_PSK_WITH_AES_128_CCM,
            CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
            CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
        ] {
            let peers = peers_of.get(suite.name()).cloned().unwrap_or_default();
            assert!(peers.len() >= 2, "{suite}: only {peers:?}");
        }
    }
}

#[test]
fn a_wrong_key_fails_on_both_sides_and_the_server_says_why() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = server();
    let wrong = "00000000000000000000000000000000";
    let (echoed, _) = openssl_echo(
        server.port,
        "PSK-AES128-CCM8",
        wrong,
        "must not echo",
        Duration::from_secs(2),
    );
    assert!(!echoed);
    // The server's handshake deadline (3 s) reports the mismatch with the
    // seed's 403, naming the identity.
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code != 0)));
    let observed = server.observed();
    let failure = observed
        .connected
        .iter()
        .find(|c| c.status_code != 0)
        .unwrap();
    assert_eq!(failure.status_code, 403, "{failure:?}");
    assert!(
        failure.description.contains("differs") && failure.description.contains(IDENTITY),
        "{failure:?}"
    );
    assert!(observed.suites.is_empty());
}
