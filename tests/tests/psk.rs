//! Pre-shared-key handshakes (RFC 4279, RFC 5489; RFC 7925's constrained
//! profile) in the virtual-time harness: every PSK suite both ways, the
//! identity in `Connected`, resumption, a server with certificates and PSK
//! at once, and a wrong key or unknown identity failing the same way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use dtls_core::config::{ClientConfig, ClientPsk, ServerConfig, ServerPsk};
use dtls_core::event::{Event, StatusCode};
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_crypto::CipherSuite;
use dtls_crypto::CryptoProvider;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::{KeyKind, client_config, identity};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

const KEY: &str = "000102030405060708090a0b0c0d0e0f";

fn psk_suites() -> Vec<CipherSuite> {
    CipherSuite::ALL
        .iter()
        .copied()
        .filter(|s| s.auth() == AuthAlgorithm::Psk)
        .collect()
}

fn key_store() -> Arc<PskTable> {
    let mut table = PskTable::new();
    table.insert(b"sensor-1".to_vec(), PresharedKey::from_hex(KEY).unwrap());
    table.insert(
        b"sensor-2".to_vec(),
        PresharedKey::new(vec![0x5a; 48]).unwrap(),
    );
    Arc::new(table)
}

fn psk_server() -> ServerConfig {
    ServerConfig::with_psk(ServerPsk::new(key_store()))
}

fn psk_client(identity: &[u8], key: &str, suite: Option<CipherSuite>) -> ClientConfig {
    let mut config = ClientConfig {
        psk: Some(ClientPsk {
            identity: identity.to_vec(),
            key: PresharedKey::from_hex(key).unwrap(),
        }),
        ..client_config()
    };
    if let Some(suite) = suite {
        config.common.cipher_suites = vec![suite];
    }
    config
}

fn connect(pair: &mut Pair, client: ClientConfig) -> usize {
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    i
}

#[test]
fn every_psk_suite_handshakes_and_carries_data() {
    let suites = psk_suites();
    assert_eq!(suites.len(), 16, "{suites:?}");
    for suite in suites {
        let mut pair = Pair::new(psk_server(), 7);
        let i = connect(&mut pair, psk_client(b"sensor-1", KEY, Some(suite)));
        pair.assert_connected(i);
        let client = pair.clients[i].conn.negotiated().unwrap().clone();
        let server = pair.server_conn(i).unwrap().negotiated().unwrap().clone();
        assert_eq!(client.cipher_suite, suite);
        assert_eq!(server.cipher_suite, suite);
        assert_eq!(server.psk_identity.as_deref(), Some(&b"sensor-1"[..]));
        assert_eq!(client.psk_identity.as_deref(), Some(&b"sensor-1"[..]));
        assert!(
            server.signature_scheme.is_none(),
            "{suite}: PSK signs nothing"
        );
        assert_eq!(
            server.group.is_some(),
            suite.key_exchange().uses_ecdhe(),
            "{suite}: a group exactly for ECDHE_PSK"
        );
        assert!(client.peer_certificates.is_empty());
        pair.assert_only_echo(i, b"coap");
    }
}

#[test]
fn hint_is_sent_when_configured_and_plain_psk_works_without_it() {
    for hint in [None, Some(b"gateway-7".to_vec())] {
        let mut psk = ServerPsk::new(key_store());
        psk.identity_hint = hint.clone();
        let mut pair = Pair::new(ServerConfig::with_psk(psk), 3);
        let suite = CipherSuite::TLS_PSK_WITH_AES_128_CCM_8;
        let i = connect(
            &mut pair,
            psk_client(b"sensor-2", &"5a".repeat(48), Some(suite)),
        );
        pair.assert_connected(i);
        let saw_hint = pair.clients[i]
            .events
            .iter()
            .any(|e| matches!(e, Event::HandshakeProgress(p) if p.contains("PSK identity hint")));
        assert_eq!(saw_hint, hint.is_some());
    }
}

#[test]
fn clients_without_a_key_never_offer_psk_and_servers_without_keys_never_pick_it() {
    // A certificate-only server and a client offering PSK and certificate
    // suites: a certificate suite is chosen.
    let mut pair = Pair::new(ServerConfig::new(identity(KeyKind::EcdsaP256)), 1);
    let i = connect(&mut pair, psk_client(b"sensor-1", KEY, None));
    pair.assert_connected(i);
    let n = pair.clients[i].conn.negotiated().unwrap();
    assert_eq!(n.cipher_suite.auth(), AuthAlgorithm::Ecdsa);
    assert!(n.psk_identity.is_none());

    // A PSK-only server and a client without a key: nothing in common.
    let mut pair = Pair::new(psk_server(), 1);
    let i = connect(&mut pair, client_config());
    assert!(!pair.client_connected(i));
    assert!(
        pair.clients[i].events.iter().any(|e| matches!(e,
        Event::HandshakeFailed(s) if s.description.contains("handshake_failure"))),
        "{:?}",
        pair.clients[i].events
    );

    // A client whose only suites are PSK ones but has no key cannot start.
    let mut config = client_config();
    config.common.cipher_suites = psk_suites();
    let err = dtls_core::Connection::client(
        Arc::new(config),
        "10.0.0.1:4444".parse().unwrap(),
        std::time::Instant::now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("pre-shared key"), "{err}");
}

#[test]
fn a_server_with_certificates_and_psk_serves_both_kinds_of_client() {
    let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
    config.psk = Some(ServerPsk::new(key_store()));
    // Certificate suites first in the server's order, PSK after: a PSK
    // client that offers only PSK suites still gets one.
    let mut pair = Pair::new(config, 5);
    let cert_client = connect(&mut pair, client_config());
    pair.assert_connected(cert_client);
    let n = pair.clients[cert_client].conn.negotiated().unwrap();
    assert_eq!(n.cipher_suite.auth(), AuthAlgorithm::Ecdsa);

    let mut psk_only = psk_client(b"sensor-1", KEY, None);
    psk_only.common.cipher_suites = psk_suites();
    let psk = connect(&mut pair, psk_only);
    pair.assert_connected(psk);
    let n = pair.clients[psk].conn.negotiated().unwrap();
    assert_eq!(n.cipher_suite.auth(), AuthAlgorithm::Psk);
    assert_eq!(
        n.cipher_suite,
        psk_suites()[0],
        "the server's first PSK suite"
    );
}

#[test]
fn psk_sessions_resume_with_their_identity_and_not_once_it_is_revoked() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_CCM_8;
    let mut pair = Pair::new(psk_server(), 9);
    let first = connect(&mut pair, psk_client(b"sensor-1", KEY, Some(suite)));
    pair.assert_connected(first);
    let session = pair.clients[first].conn.session().unwrap();
    assert_eq!(session.psk_identity(), Some(&b"sensor-1"[..]));
    for session in [session.ticket_only(), session.id_only()] {
        let mut config = psk_client(b"sensor-1", KEY, Some(suite));
        config.resume = Some(session);
        let again = connect(&mut pair, config);
        pair.assert_connected(again);
        let n = pair.server_conn(again).unwrap().negotiated().unwrap();
        assert!(n.resumed);
        assert_eq!(n.psk_identity.as_deref(), Some(&b"sensor-1"[..]));
    }

    // The store forgets sensor-1: its session no longer resumes, and the
    // full handshake fails for want of a key.
    let mut revoked = PskTable::new();
    revoked.insert(
        b"sensor-2".to_vec(),
        PresharedKey::new(vec![1; 16]).unwrap(),
    );
    let mut config = ServerConfig::with_psk(ServerPsk::new(Arc::new(revoked)));
    config.common.provider = pair.server.config().common.provider.clone();
    pair.server.set_config(Arc::new(config)).unwrap();
    let mut client = psk_client(b"sensor-1", KEY, Some(suite));
    client.resume = Some(session.ticket_only());
    let i = connect(&mut pair, client);
    assert!(!pair.client_connected(i));
}

/// Runs one client with `identity`/`key` against the standard key store
/// under deterministic crypto, and returns what the server sent and its
/// events, and the client's events.
fn failing_run(identity: &[u8], key: &str) -> (Vec<Vec<u8>>, Vec<Event>, Vec<Event>) {
    let mut server = psk_server();
    server.common.provider = Arc::new(CryptoProvider::insecure_deterministic(11));
    let mut pair = Pair::new(server, 4);
    let mut client = psk_client(identity, key, Some(CipherSuite::TLS_PSK_WITH_AES_128_CCM_8));
    client.common.provider = Arc::new(CryptoProvider::insecure_deterministic(12));
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    let down = Rc::new(RefCell::new(Vec::new()));
    let log = down.clone();
    pair.clients[i].down_filter = Some(Box::new(move |d| {
        log.borrow_mut().push(d.clone());
        vec![d]
    }));
    pair.drive_for(Duration::from_secs(120)).unwrap();
    let down = down.borrow().clone();
    (
        down,
        pair.server_events_of(i),
        pair.clients[i].events.clone(),
    )
}

#[test]
fn a_wrong_key_and_an_unknown_identity_fail_alike_with_a_clear_reason() {
    let wrong_key = "ffeeddccbbaa99887766554433221100";
    let (down_wrong, server_wrong, client_wrong) = failing_run(b"sensor-1", wrong_key);
    let (down_unknown, server_unknown, client_unknown) = failing_run(b"sensor-9", KEY);

    // What the client sees is the same: the same datagrams from the server
    // (same sizes, same count; the identity is the only input that
    // differs), the same events.
    let sizes = |d: &[Vec<u8>]| d.iter().map(Vec::len).collect::<Vec<_>>();
    assert_eq!(sizes(&down_wrong), sizes(&down_unknown));
    let kinds = |events: &[Event]| {
        events
            .iter()
            .map(|e| {
                format!("{e:?}")
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&client_wrong), kinds(&client_unknown));
    let failed = |events: &[Event]| {
        events
            .iter()
            .find_map(|e| match e {
                Event::HandshakeFailed(s) => Some(s.clone()),
                _ => None,
            })
            .expect("the handshake failed")
    };
    let client_status = failed(&client_wrong);
    assert_eq!(client_status.code, StatusCode::HandshakeError);
    assert!(
        client_status.description.contains("pre-shared key"),
        "{client_status:?}"
    );
    assert_eq!(failed(&client_unknown), client_status);

    // The server's application is told which it was, with the seed's 403.
    let wrong = failed(&server_wrong);
    let unknown = failed(&server_unknown);
    assert_eq!(wrong.code, StatusCode::HandshakeError);
    assert_eq!(unknown.code, StatusCode::HandshakeError);
    assert!(wrong.description.contains("differs"), "{wrong:?}");
    assert!(
        unknown
            .description
            .contains("unknown PSK identity \"sensor-9\""),
        "{unknown:?}"
    );
}

#[test]
fn psk_handshakes_survive_loss_and_reordering() {
    for (seed, suite) in [
        (1, CipherSuite::TLS_PSK_WITH_AES_128_CCM_8),
        (2, CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256),
    ] {
        let mut pair = Pair::new(psk_server(), seed);
        let lossy = LinkProfile::lossy(0.3);
        let i = pair.add_client(psk_client(b"sensor-1", KEY, Some(suite)), lossy, lossy);
        pair.drive().unwrap();
        pair.assert_connected(i);
        assert_eq!(
            pair.server_conn(i)
                .unwrap()
                .negotiated()
                .unwrap()
                .cipher_suite,
            suite
        );
    }
}
