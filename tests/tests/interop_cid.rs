//! Connection ID interop (RFC 9146) with an independent implementation:
//! mbedTLS 3.6 built with `MBEDTLS_SSL_DTLS_CONNECTION_ID` in RFC 9146
//! mode (`tests/peers/mbedtls-cid/`; Debian's 2.28 has only the draft).
//! Our `DtlsServer` issues CIDs; the client moves to a new UDP port
//! mid-session (a NAT rebinding) and the association follows it, with
//! AEAD, CBC + Encrypt-then-MAC and PSK suites, with and without a CID of
//! the client's own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use dtls_tests::certs::KeyKind;
use dtls_tests::interop::{TestServer, WAIT, mbedtls_cid_client};

fn value<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
}

fn run(port: u16, args: &[&str], messages: &[&str]) -> Vec<String> {
    let out = Command::new(mbedtls_cid_client().expect("client built"))
        .args(args)
        .args(["127.0.0.1", &port.to_string()])
        .args(messages)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn cid_server(len: u8) -> TestServer {
    TestServer::echo_with(KeyKind::EcdsaP256, move |s| {
        s.config(&format!("ConnectionIdLength={len}")).unwrap();
    })
}

#[test]
fn mbedtls_moves_mid_session_and_the_association_follows() {
    if mbedtls_cid_client().is_none() {
        return;
    }
    let server = cid_server(8);
    for (own, suite) in [
        ("0", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"),
        ("4", "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256"),
        ("6", "TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256"),
        ("2", "TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8"),
    ] {
        let moves_before = server.observed().moves.len();
        let out = run(
            server.port,
            &["-c", own, "-r", "-s", suite],
            &["one", "two"],
        );
        let what = format!("own CID {own}, {suite}: {out:#?}");
        assert!(
            value(&out, "cid").is_some_and(|c| c.starts_with("on")),
            "{what}"
        );
        let replies: Vec<&str> = out
            .iter()
            .filter_map(|l| l.strip_prefix("reply="))
            .collect();
        assert_eq!(replies, ["one", "two"], "{what}");
        // The server's CID is 8 bytes, as configured.
        let line = out.iter().find(|l| l.starts_with("cid=")).unwrap();
        let peer = line
            .split(' ')
            .find_map(|w| w.strip_prefix("peer="))
            .unwrap();
        assert_eq!(peer.len(), 16, "{what}");
        // Both directions used tls12_cid records when the receiver's CID
        // is not empty.
        let wire = out.iter().find(|l| l.starts_with("wire ")).unwrap();
        let count = |k: &str| -> u32 {
            wire.split(' ')
                .find_map(|w| w.strip_prefix(&format!("{k}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(count("tx_cid") > 0, "{what}");
        assert_eq!(count("rx_cid") > 0, own != "0", "{what}");
        // The server saw the move, from the old port to the new one.
        let rebind = out.iter().find(|l| l.starts_with("rebind ")).unwrap();
        let port_of = |k: &str| -> u16 {
            rebind
                .split(' ')
                .find_map(|w| w.strip_prefix(&format!("{k}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(server.wait_for(WAIT, |o| o.moves.len() > moves_before));
        let (previous, current) = *server.observed().moves.last().unwrap();
        assert_eq!(previous.port(), port_of("old_port"), "{what}");
        assert_eq!(current.port(), port_of("new_port"), "{what}");
    }
    assert_eq!(
        server
            .observed()
            .connected
            .iter()
            .filter(|c| c.status_code == 0)
            .count(),
        4,
        "one handshake per client, none after a move"
    );
}

#[test]
fn without_cids_on_our_side_a_moved_mbedtls_client_is_not_followed() {
    if mbedtls_cid_client().is_none() {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let out = run(
        server.port,
        &["-c", "4", "-r", "-t", "1500"],
        &["one", "two"],
    );
    assert!(
        value(&out, "cid").is_some_and(|c| c.starts_with("off") && c.contains("hello_ext54=1/0")),
        "{out:#?}"
    );
    assert_eq!(value(&out, "reply"), Some("one"), "{out:#?}");
    assert!(!out.iter().any(|l| l == "reply=two"), "{out:#?}");
    assert!(server.observed().moves.is_empty());
}
