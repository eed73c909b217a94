//! Interop against GnuTLS's `gnutls-cli --udp`, a second independent DTLS
//! client, talking to our `DtlsServer` over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dtls_tests::certs::KeyKind;
use dtls_tests::interop::{PeerProcess, TestServer, require_peer};

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
        let server = TestServer::echo(kind);
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
    let server = TestServer::echo(KeyKind::EcdsaP256);
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

/// A client without the extended master secret (`%NO_SESSION_HASH`)
/// connects, and `--resume` gets a full handshake again (RFC 7627 5.3);
/// with it, the second connection is resumed.
#[test]
fn extended_master_secret_decides_resumption() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    for (prio, resumed) in [
        ("NORMAL:-VERS-ALL:+VERS-DTLS1.2:%NO_SESSION_HASH", false),
        ("NORMAL:-VERS-ALL:+VERS-DTLS1.2", true),
    ] {
        let server = TestServer::echo(KeyKind::EcdsaP256);
        let (echoed, output) = echo_once(server.port, prio, &["--resume"], "resume?");
        assert!(echoed, "{prio}: {output:#?}");
        assert!(
            server.wait_for(WAIT, |o| o.resumed.len() == 2),
            "{prio}: {output:#?}"
        );
        assert_eq!(server.observed().resumed, vec![false, resumed], "{prio}");
    }
}

#[test]
fn small_mtu() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    let server = TestServer::echo_with(KeyKind::Rsa2048, |s| s.set_mtu(400).expect("MTU"));
    let prio = priority("+AES-128-GCM");
    let (echoed, output) = echo_once(server.port, &prio, &["--mtu", "400"], "small mtu");
    assert!(echoed, "{output:#?}");
}

/// Builds the GnuTLS heartbeat client once (`tests/peers/`), against
/// Debian's libgnutls28-dev; `None` (or a panic under CI=true) if missing.
fn heartbeat_client() -> Option<std::path::PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let source = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("peers/gnutls_heartbeat_client.c");
            let out = dtls_tests::certs::scratch_dir("gnutls-hb").join("gnutls_heartbeat_client");
            let built = std::process::Command::new("cc")
                .arg("-O1")
                .arg("-o")
                .arg(&out)
                .arg(&source)
                .arg("-lgnutls")
                .output();
            match built {
                Ok(o) if o.status.success() => Some(out),
                other => {
                    assert!(
                        std::env::var("CI").map_or(true, |v| v != "true"),
                        "cannot build the GnuTLS heartbeat peer (libgnutls28-dev?): {other:?}"
                    );
                    eprintln!("note: GnuTLS heartbeat peer not available: {other:?}");
                    None
                }
            }
        })
        .clone()
}

fn keep_alive_server() -> TestServer {
    TestServer::echo_with(KeyKind::EcdsaP256, |s| {
        let st = s.settings_mut().expect("before listening");
        st.keep_alive = true;
        st.keep_alive_time = Duration::from_secs(1);
        st.keep_alive_interval = Duration::from_secs(1);
    })
}

/// Our keep-alive HeartbeatRequests (after 1 s of silence) are answered by
/// gnutls-cli --heartbeat, and we accept its responses (RFC 6520).
#[test]
fn gnutls_answers_our_heartbeats() {
    if !require_peer("gnutls-cli", "--version") {
        return;
    }
    let server = keep_alive_server();
    let args: Vec<String> = [
        "--udp",
        "--insecure",
        "--heartbeat",
        "--port",
        &server.port.to_string(),
        "127.0.0.1",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut client = PeerProcess::spawn("gnutls-cli", &args);
    assert!(
        client.wait_for_line("Handshake was completed", WAIT),
        "{:#?}",
        client.output
    );
    assert!(
        server.wait_for(WAIT, |o| o.counters.heartbeat_responses_received >= 2),
        "{:?}",
        server.observed().counters
    );
    // gnutls-cli's interactive loop stops reading stdin while pings arrive
    // every second, so liveness is checked on our side: every request was
    // answered and the connection is still open.
    let seen = server.observed();
    // At most the one request in flight at the snapshot is unanswered.
    assert!(
        seen.counters.heartbeat_responses_received + 1 >= seen.counters.heartbeat_requests_sent,
        "{seen:?}"
    );
    assert!(seen.disconnected.is_empty(), "{seen:?}");
    drop(client);
    assert_eq!(server.observed().counters.bad_heartbeat, 0);
}

/// GnuTLS's own gnutls_heartbeat_ping (300-byte payload, waiting for the
/// matching response) succeeds against our server.
#[test]
fn we_answer_gnutls_heartbeats() {
    let Some(client) = heartbeat_client() else {
        return;
    };
    let server = keep_alive_server();
    let out = std::process::Command::new(client)
        .args(["127.0.0.1", &server.port.to_string()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("handshake=ok"), "{stdout}");
    assert!(stdout.contains("ping=ok"), "{stdout}");
    assert!(
        server.wait_for(WAIT, |o| o.counters.heartbeat_responses_sent >= 1)
            || stdout.contains("ping=ok")
    );
}
