//! The off-path rule (docs/security.md): no datagram that does not
//! authenticate under the current epoch may close, stall, desynchronise or
//! re-key an association, in any state, on either side.
//!
//! Tested by class: forged records of every content type, at every epoch
//! other than the current one or with a bad MAC, with hostile sequence
//! numbers and malformed bodies, injected from the peer's address before
//! every genuine datagram in both directions, so every state of both state
//! machines sees them. The handshake must complete as if nothing happened.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::plain_record;
use dtls_core::Event;
use dtls_core::config::{ClientConfig, ClientPsk, ServerConfig, ServerPsk};
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_crypto::CipherSuite;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

const MAX_SEQ: u64 = (1 << 48) - 1;

/// Forgeries that are harmless in every state: none authenticates.
fn forgeries() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // ChangeCipherSpec bodies that are not the single byte 1, plaintext.
    for body in [&[][..], &[2], &[1, 1], &[0]] {
        for seq in [0, 7, MAX_SEQ] {
            out.push(plain_record(20, 0, seq, body));
        }
    }
    // Unknown and heartbeat content types in plaintext, hostile sequence
    // numbers: must not move any replay window.
    for content_type in [24, 25, 99, 255] {
        out.push(plain_record(content_type, 0, MAX_SEQ, &[1, 0, 3, 1, 2, 3]));
    }
    // Plaintext application data: never accepted at epoch 0.
    out.push(plain_record(23, 0, MAX_SEQ, b"forged data"));
    // Every content type under epochs with no keys or wrong keys.
    for content_type in [20, 21, 22, 23, 24, 99] {
        for epoch in [1, 2, u16::MAX] {
            for seq in [0, 1, MAX_SEQ] {
                out.push(plain_record(content_type, epoch, seq, &[0xAB; 48]));
            }
        }
    }
    out
}

/// Prepends every forgery to each genuine datagram.
fn with_forgeries(d: Vec<u8>) -> Vec<Vec<u8>> {
    let mut out = forgeries();
    out.push(d);
    out
}

fn closes(events: &[Event]) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| matches!(e, Event::HandshakeFailed(_) | Event::Closed(_)))
        .collect()
}

/// The handshakes the forgeries run against: ECDSA and RSA certificates,
/// plain PSK and ECDHE_PSK (whose flights differ: no Certificate, an
/// optional or unsigned ServerKeyExchange).
fn handshakes() -> Vec<(&'static str, ServerConfig, ClientConfig)> {
    let psk = || {
        let mut keys = PskTable::new();
        keys.insert(b"node".to_vec(), PresharedKey::new(vec![7; 16]).unwrap());
        ServerConfig::with_psk(ServerPsk::new(Arc::new(keys)))
    };
    let psk_client = |suite| {
        let mut c = client_config();
        c.psk = Some(ClientPsk {
            identity: b"node".to_vec(),
            key: PresharedKey::new(vec![7; 16]).unwrap(),
        });
        c.common.cipher_suites = vec![suite];
        c
    };
    vec![
        ("ECDSA", server_config(KeyKind::EcdsaP256), client_config()),
        ("RSA", server_config(KeyKind::Rsa2048), client_config()),
        (
            "PSK",
            psk(),
            psk_client(CipherSuite::TLS_PSK_WITH_AES_128_CCM_8),
        ),
        (
            "ECDHE_PSK",
            psk(),
            psk_client(CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256),
        ),
    ]
}

#[test]
fn forged_records_in_every_state_change_nothing() {
    for (name, server, client) in handshakes() {
        eprintln!("{name}");
        let mut pair = Pair::new(server, 21);
        pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.clients[0].up_filter = Some(Box::new(with_forgeries));
        pair.clients[0].down_filter = Some(Box::new(with_forgeries));
        pair.drive().unwrap();
        pair.assert_connected(0);
        let server = pair.server_conn(0).unwrap();
        assert!(server.is_established());
        assert!(
            server.counters().dropped() > 0,
            "the forgeries were counted"
        );
        assert!(closes(&pair.clients[0].events).is_empty());
        assert!(closes(&pair.server_events_of(0)).is_empty());
        // No retransmission was needed: nothing desynchronised.
        assert_eq!(pair.clients[0].conn.counters().retransmissions, 0);
        assert_eq!(server.counters().retransmissions, 0);
        pair.assert_only_echo(0, b"untouched");
    }
}

/// Issue 16's first finding: a 13-byte plaintext ChangeCipherSpec from the
/// client's address closed an established session with decode_error.
#[test]
fn a_plaintext_change_cipher_spec_does_not_kill_an_established_session() {
    for body in [&[2u8][..], &[], &[1, 1], &[1]] {
        let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 22);
        let (now, addr) = (pair.now, pair.clients[0].addr);
        let mut response = vec![0u8; 1500];
        let mut forged = plain_record(20, 0, 12345, body);
        pair.server
            .handle_datagram(now, addr, &mut forged, &mut response);
        pair.clients[0]
            .conn
            .handle_datagram(now, &mut plain_record(20, 0, 12345, body));
        pair.drive().unwrap();
        assert!(pair.server_conn(0).unwrap().is_established(), "{body:?}");
        assert!(pair.client_connected(0), "{body:?}");
        assert!(closes(&pair.server_events_of(0)).is_empty(), "{body:?}");
        pair.assert_only_echo(0, b"still here");
    }
}

/// Issue 16: a cookie-bearing ClientHello whose record sequence number is
/// near 2^48 made the server's epoch-0 numbers run out after ServerHello,
/// and the handshake never completed. It is now dropped and counted; the
/// client's retransmission (a normal number) connects.
#[test]
fn a_client_hello_near_the_end_of_the_sequence_space_is_dropped() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 23);
    pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    let mut hellos = 0;
    pair.clients[0].up_filter = Some(Box::new(move |mut d| {
        if common::plain_fragments(&d).iter().any(|f| f.0 == 1) {
            hellos += 1;
            if hellos == 2 {
                // The record header's 48-bit sequence number: bytes 5..11.
                d[5..11].copy_from_slice(&(MAX_SEQ - 5).to_be_bytes()[2..]);
            }
        }
        vec![d]
    }));
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert_eq!(pair.server.counters().malformed, 1);
    assert_eq!(pair.server.counters().connections_created, 1);
    pair.assert_only_echo(0, b"connected");
}
