//! Nodes sharing a secret (`ServerConfig::shared_secret`): a cookie one
//! node minted is valid at another, a ticket one node issued resumes at
//! another, and nodes with different secrets share nothing; keys rotate
//! by the wall clock's period on every node alike.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use dtls_core::config::{ServerConfig, UnixTime};
use dtls_core::{Connection, DatagramEvent, Endpoint};
use dtls_crypto::shared_secret::SharedSecret;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

const SECRET: [u8; 32] = [0x5e; 32];

fn node(secret: Option<&[u8]>, clock: &Arc<AtomicU64>) -> ServerConfig {
    let mut config = server_config(KeyKind::EcdsaP256);
    config.shared_secret = secret.map(|s| Arc::new(SharedSecret::new(s).unwrap()));
    let clock = clock.clone();
    config.unix_time = Some(UnixTime(Arc::new(move || clock.load(Ordering::SeqCst))));
    config
}

fn wall(secs: u64) -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(secs))
}

#[test]
fn a_ticket_from_one_node_resumes_at_another_with_the_same_secret() {
    let clock = wall(1_800_000_000);
    let mut a = Pair::new(node(Some(&SECRET), &clock), 1);
    let first = a.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    a.drive().unwrap();
    a.assert_connected(first);
    let session = a.clients[first].conn.session().unwrap().ticket_only();

    for (secret, resumes) in [
        (Some(&SECRET[..]), true),
        (Some(&[0x11; 32][..]), false),
        (None, false),
    ] {
        let mut b = Pair::new(node(secret, &clock), 2);
        let mut config = client_config();
        config.resume = Some(session.clone());
        let i = b.add_client(config, LinkProfile::PERFECT, LinkProfile::PERFECT);
        b.drive().unwrap();
        b.assert_connected(i);
        let n = b.clients[i].conn.negotiated().unwrap();
        assert_eq!(n.resumed, resumes, "secret {secret:?}");
    }

    // Two rotation periods later (1 h each by default) the ticket key is
    // gone on every node.
    clock.store(1_800_000_000 + 2 * 3600 + 1, Ordering::SeqCst);
    let mut b = Pair::new(node(Some(&SECRET), &clock), 3);
    let mut config = client_config();
    config.resume = Some(session);
    let i = b.add_client(config, LinkProfile::PERFECT, LinkProfile::PERFECT);
    b.drive().unwrap();
    assert!(!b.clients[i].conn.negotiated().unwrap().resumed);
}

#[test]
fn a_cookie_from_one_node_is_valid_at_another_with_the_same_secret() {
    let clock = wall(1_800_000_100);
    let now = Instant::now();
    let peer = "10.9.8.7:6543".parse().unwrap();
    let server: std::net::SocketAddr = "10.0.0.1:4444".parse().unwrap();
    for (secret, valid) in [(&SECRET[..], true), (&[0x22; 32][..], false)] {
        let mut a = Endpoint::new(Arc::new(node(Some(&SECRET), &clock))).unwrap();
        let mut b = Endpoint::new(Arc::new(node(Some(secret), &clock))).unwrap();
        let mut client = Connection::client(Arc::new(client_config()), server, now).unwrap();
        let mut buf = vec![0u8; 2048];
        let mut response = vec![0u8; 2048];
        let n = client.poll_transmit(now, &mut buf).unwrap();
        let DatagramEvent::Respond(hvr) =
            a.handle_datagram(now, peer, &mut buf[..n], &mut response)
        else {
            panic!("node A answers with a HelloVerifyRequest");
        };
        client.handle_datagram(now, &mut response[..hvr]);
        let n = client.poll_transmit(now, &mut buf).unwrap();
        let event = b.handle_datagram(now, peer, &mut buf[..n], &mut response);
        assert_eq!(
            matches!(event, DatagramEvent::NewConnection(_)),
            valid,
            "secret {secret:?}"
        );
        assert_eq!(b.counters().bad_cookies, u64::from(!valid));
    }
}

#[test]
fn a_shared_secret_needs_a_wall_clock() {
    let mut config = node(Some(&SECRET), &wall(0));
    config.unix_time = None;
    let err = Endpoint::new(Arc::new(config)).unwrap_err();
    assert!(err.to_string().contains("unix_time"), "{err}");
}

#[test]
fn a_shared_session_store_resumes_a_session_id_at_another_node() {
    use dtls_core::session_store::{MemorySessionStore, SessionStore};
    let clock = wall(1_800_000_200);
    let store = Arc::new(MemorySessionStore::new(100));
    let with_store = |store: Option<Arc<MemorySessionStore>>| {
        let mut config = node(Some(&SECRET), &clock);
        config.session_store = store.map(|s| s as Arc<dyn SessionStore>);
        config
    };
    let mut a = Pair::new(with_store(Some(store.clone())), 4);
    let first = a.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    a.drive().unwrap();
    a.assert_connected(first);
    assert_eq!(store.len(), 1, "the session went to the shared store");
    let session = a.clients[first].conn.session().unwrap().id_only();
    assert!(!session.session_id().is_empty());

    for (store, resumes) in [(Some(store.clone()), true), (None, false)] {
        let mut b = Pair::new(with_store(store), 5);
        let mut config = client_config();
        config.resume = Some(session.clone());
        let i = b.add_client(config, LinkProfile::PERFECT, LinkProfile::PERFECT);
        b.drive().unwrap();
        b.assert_connected(i);
        assert_eq!(b.clients[i].conn.negotiated().unwrap().resumed, resumes);
    }

    // A store needs ticket keys to seal its entries.
    let mut config = with_store(Some(store));
    config.session_tickets = false;
    let err = Endpoint::new(Arc::new(config)).unwrap_err();
    assert!(err.to_string().contains("session_tickets"), "{err}");
}
