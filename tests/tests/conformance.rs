//! Conformance of the engine to the rules it claims: SNI (RFC 6066 3), ALPN
//! (RFC 7301), fragmented ClientHello (RFC 6347 4.2.3), final-flight
//! retransmission (RFC 6347 4.2.4), early epoch-1 records (RFC 6347 4.1),
//! unauthenticated alerts, renegotiation refusal (RFC 5746 4.4), peer
//! restart (RFC 6347 4.2.8), EMS (RFC 7627 5.2), Encrypt-then-MAC
//! (RFC 7366 3), record_size_limit (RFC 8449 4).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use common::{has_ccs, plain_fragments, plain_record, records, rewrite_client_hello};
use dtls_core::internals::msgs::extensions::ClientExtension;
use dtls_core::{Connection, Event, StatusCode};
use dtls_crypto::CipherSuite;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::{KeyKind, client_config, named_identity, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

fn failure(events: &[Event]) -> Option<dtls_core::Status> {
    events.iter().find_map(|e| match e {
        Event::HandshakeFailed(s) => Some(s.clone()),
        _ => None,
    })
}

fn perfect(pair: &mut Pair, client: dtls_core::config::ClientConfig) -> usize {
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT)
}

/// RFC 6066 3: the identity whose names match the SNI is presented; the
/// name is reported on both sides; an unknown name gets the first identity.
#[test]
fn sni_selects_the_matching_identity() {
    let a = named_identity(&["a.example"]);
    let b = named_identity(&["b.example", "*.b.example"]);
    let mut server = dtls_core::config::ServerConfig::new(a.clone());
    server.identities.push(b.clone());
    let mut pair = Pair::new(server, 1);
    for (name, want) in [
        (Some("b.example"), &b),
        (Some("www.b.example"), &b),
        (Some("a.example"), &a),
        (Some("unknown.example"), &a),
        (None, &a),
    ] {
        let mut client = client_config();
        client.server_name = name.map(str::to_owned);
        let i = perfect(&mut pair, client);
        pair.drive().unwrap();
        assert!(pair.client_connected(i), "{name:?}");
        let params = pair.clients[i].conn.negotiated().unwrap().clone();
        assert_eq!(params.peer_certificates, want.chain, "{name:?}");
        let server_params = pair.server_conn(i).unwrap().negotiated().unwrap().clone();
        assert_eq!(server_params.server_name.as_deref(), name, "{name:?}");
        assert_eq!(params.server_name.as_deref(), name);
    }
}

/// Whether the ServerHello the server sends `client` acknowledges
/// server_name.
fn server_hello_acks_sni(server: dtls_core::config::ServerConfig, name: &str) -> bool {
    use dtls_core::internals::msgs::codec::Codec;
    use dtls_core::internals::msgs::extensions::ServerExtension;
    use dtls_core::internals::msgs::messages::ServerHello;
    let mut pair = Pair::new(server, 2);
    let mut client = client_config();
    client.server_name = Some(name.to_owned());
    perfect(&mut pair, client);
    let hellos = Rc::new(RefCell::new(Vec::new()));
    let seen = hellos.clone();
    pair.clients[0].down_filter = Some(Box::new(move |d| {
        for r in records(&d) {
            let body = &r.bytes[13..];
            if r.content_type == 22 && body[0] == 2 {
                let len = u32::from_be_bytes([0, body[1], body[2], body[3]]) as usize;
                seen.borrow_mut()
                    .push(ServerHello::read_bytes(&body[12..12 + len]).unwrap());
            }
        }
        vec![d]
    }));
    pair.drive().unwrap();
    pair.assert_connected(0);
    let hellos = hellos.borrow();
    let exts = hellos[0].extensions.clone().unwrap_or_default();
    exts.contains(&ServerExtension::ServerNameAck)
}

/// RFC 6066 3: the empty server_name acknowledgement is sent only when the
/// name was used, here to choose among several certificates. With one
/// certificate it is not (pion/dtls v2 discards a ServerHello carrying the
/// empty extension, issue 15).
#[test]
fn server_name_is_acknowledged_only_when_it_chose_the_certificate() {
    let a = named_identity(&["a.example"]);
    let b = named_identity(&["b.example"]);
    let single = dtls_core::config::ServerConfig::new(a.clone());
    assert!(!server_hello_acks_sni(single, "a.example"));
    let mut two = dtls_core::config::ServerConfig::new(a);
    two.identities.push(b);
    assert!(server_hello_acks_sni(two.clone(), "b.example"));
    assert!(!server_hello_acks_sni(two, "unknown.example"));
}

/// RFC 7301 3.2: the server picks by its own preference among the offered
/// protocols; no overlap is a fatal no_application_protocol.
#[test]
fn alpn_agreement_and_no_application_protocol() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.alpn_protocols = vec![b"coap".to_vec(), b"x-test".to_vec()];
    let mut pair = Pair::new(server, 2);
    let mut client = client_config();
    client.common.alpn_protocols = vec![b"x-test".to_vec(), b"coap".to_vec()];
    perfect(&mut pair, client);
    let mut client = client_config();
    client.common.alpn_protocols = vec![b"h2".to_vec()];
    perfect(&mut pair, client);
    perfect(&mut pair, client_config());
    pair.drive().unwrap();

    assert!(pair.client_connected(0));
    let c = pair.clients[0].conn.negotiated().unwrap();
    assert_eq!(c.alpn_protocol.as_deref(), Some(&b"coap"[..]));
    let s = pair.server_conn(0).unwrap().negotiated().unwrap();
    assert_eq!(s.alpn_protocol.as_deref(), Some(&b"coap"[..]));

    assert!(!pair.client_connected(1));
    let client_failure = failure(&pair.clients[1].events).unwrap();
    assert!(
        client_failure
            .description
            .contains("no_application_protocol"),
        "{client_failure}"
    );
    let server_failure = failure(&pair.server_events_of(1)).unwrap();
    assert!(
        server_failure.description.contains("ALPN"),
        "{server_failure}"
    );

    // A client that offers nothing still connects, without a protocol.
    assert!(pair.client_connected(2));
    assert_eq!(
        pair.clients[2].conn.negotiated().unwrap().alpn_protocol,
        None
    );
}

/// RFC 6347 4.2.3: with a tiny MTU the client fragments its ClientHello
/// over several datagrams; the cookie is verified from the first fragment
/// and the new connection reassembles the rest.
#[test]
fn fragmented_client_hello_completes() {
    let mut pair = Pair::with_mtu(KeyKind::EcdsaP256, 150, 3);
    let fragments = Rc::new(RefCell::new(Vec::new()));
    let seen = fragments.clone();
    pair.clients[0].up_filter = Some(Box::new(move |d| {
        seen.borrow_mut().extend(plain_fragments(&d));
        vec![d]
    }));
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert_eq!(pair.clients[0].up.stats.too_big, 0);
    let hello_fragments: Vec<_> = fragments
        .borrow()
        .iter()
        .filter(|f| f.0 == 1 && f.1 == 1)
        .copied()
        .collect();
    assert!(
        hello_fragments.len() >= 2 && hello_fragments.iter().any(|f| f.2 > 0),
        "the cookie-bearing ClientHello must be fragmented: {hello_fragments:?}"
    );
    assert_eq!(pair.server.counters().connections_created, 1);
}

/// RFC 6347 4.2.4: the server's final flight (CCS, Finished) is lost once;
/// the client's timer re-sends its flight, the server answers with its
/// final flight again, and the handshake completes.
#[test]
fn lost_final_flight_is_resent_when_the_client_retransmits() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 4);
    perfect(&mut pair, client_config());
    let mut dropped = false;
    pair.clients[0].down_filter = Some(Box::new(move |d| {
        if !dropped && has_ccs(&d) {
            dropped = true;
            return vec![];
        }
        vec![d]
    }));
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert!(pair.clients[0].conn.counters().retransmissions >= 1);
    assert!(pair.server_conn(0).unwrap().counters().retransmissions >= 1);
    pair.assert_only_echo(0, b"after loss");
}

/// Moves a datagram's epoch-1 records into a datagram of their own, sent
/// before the rest (so Finished overtakes ChangeCipherSpec).
fn epoch1_first(d: Vec<u8>) -> Vec<Vec<u8>> {
    if !has_ccs(&d) {
        return vec![d];
    }
    let recs = records(&d);
    let early: Vec<u8> = recs
        .iter()
        .filter(|r| r.epoch == 1)
        .flat_map(|r| r.bytes.clone())
        .collect();
    let rest: Vec<u8> = recs
        .iter()
        .filter(|r| r.epoch == 0)
        .flat_map(|r| r.bytes.clone())
        .collect();
    vec![early, rest]
}

/// RFC 6347 4.1: epoch-1 records arriving before the ChangeCipherSpec are
/// buffered and used once it arrives, in both directions, with no
/// retransmission needed.
#[test]
fn early_epoch1_records_are_buffered_and_used() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 5);
    perfect(&mut pair, client_config());
    pair.clients[0].up_filter = Some(Box::new(epoch1_first));
    pair.clients[0].down_filter = Some(Box::new(epoch1_first));
    pair.drive().unwrap();
    pair.assert_connected(0);
    let client = pair.clients[0].conn.counters();
    let server = pair.server_conn(0).unwrap().counters();
    assert_eq!(client.retransmissions, 0, "{client:?}");
    assert_eq!(server.retransmissions, 0, "{server:?}");
    assert_eq!(client.dropped(), 0, "{client:?}");
    assert_eq!(server.dropped(), 0, "{server:?}");
}

/// An epoch-0 (unauthenticated) fatal alert after the handshake is
/// ignored on both sides: anyone could forge it.
#[test]
fn plaintext_fatal_alert_after_handshake_is_ignored() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 6);
    assert!(pair.client_connected(0));
    let alert = plain_record(21, 0, 1000, &[2, 40]);
    let (now, addr) = (pair.now, pair.clients[0].addr);
    let mut response = vec![0u8; 1500];
    pair.server
        .handle_datagram(now, addr, &mut alert.clone(), &mut response);
    pair.clients[0]
        .conn
        .handle_datagram(now, &mut alert.clone());
    pair.drive().unwrap();
    assert!(pair.client_connected(0));
    assert!(pair.server_conn(0).unwrap().is_established());
    assert!(pair.server_conn(0).unwrap().counters().wrong_epoch >= 1);
    assert!(pair.clients[0].conn.counters().wrong_epoch >= 1);
    pair.assert_only_echo(0, b"still here");
}

/// RFC 6347 4.2.8: a client that lost its state sends a new ClientHello
/// from the same address; after the cookie exchange it gets a new
/// connection, and the old one is reported closed and removed.
#[test]
fn restarted_peer_gets_a_new_connection() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 7);
    assert!(pair.client_connected(0));
    let old = pair.clients[0].server_handles[0];
    pair.clients[0].conn =
        Connection::client(Arc::new(client_config()), pair.server_addr, pair.now).unwrap();
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert_eq!(pair.clients[0].server_handles.len(), 2);
    assert_eq!(pair.server.connection_count(), 1);
    assert!(pair.server.connection(old).is_none());
    assert!(
        pair.server_events
            .iter()
            .any(|(h, e)| *h == old && matches!(e, Event::Closed(_)))
    );
    pair.assert_only_echo(0, b"new life");
}

/// Runs `client`'s ClientHello from `addr` through the server's cookie
/// exchange (asserting the HelloVerifyRequest) and returns what the server
/// made of the cookie-bearing ClientHello.
fn through_the_cookie(
    pair: &mut Pair,
    client: &mut Connection,
    addr: std::net::SocketAddr,
) -> dtls_core::DatagramEvent {
    let now = pair.now;
    let (mut buf, mut response) = (vec![0u8; 1500], vec![0u8; 1500]);
    let n = client.poll_transmit(now, &mut buf).unwrap();
    let event = pair
        .server
        .handle_datagram(now, addr, &mut buf[..n], &mut response);
    let dtls_core::DatagramEvent::Respond(m) = event else {
        panic!("a HelloVerifyRequest is due: {event:?}");
    };
    client.handle_datagram(now, &mut response[..m]);
    let n = client.poll_transmit(now, &mut buf).unwrap();
    pair.server
        .handle_datagram(now, addr, &mut buf[..n], &mut response)
}

/// A client that closes with close_notify and at once starts a new
/// handshake from the same address: the new ClientHello arrives before the
/// closed association is reaped (the server has not polled since). It is
/// answered with a HelloVerifyRequest (it used to be swallowed by the
/// closed connection, costing the client a retransmission timeout), the
/// new handshake completes, and the old connection is reported closed once.
#[test]
fn a_hello_right_after_close_notify_starts_a_new_handshake() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 16);
    let addr = pair.clients[0].addr;
    let old = pair.clients[0].server_handles[0];
    let now = pair.now;
    let (mut buf, mut response) = (vec![0u8; 1500], vec![0u8; 1500]);
    pair.clients[0].conn.close(now);
    let n = pair.clients[0].conn.poll_transmit(now, &mut buf).unwrap();
    let event = pair
        .server
        .handle_datagram(now, addr, &mut buf[..n], &mut response);
    assert!(
        matches!(event, dtls_core::DatagramEvent::Consumed),
        "{event:?}"
    );
    let mut fresh = Connection::client(Arc::new(client_config()), pair.server_addr, now).unwrap();
    let event = through_the_cookie(&mut pair, &mut fresh, addr);
    let dtls_core::DatagramEvent::NewConnection(new) = event else {
        panic!("the cookie-bearing hello makes a connection: {event:?}");
    };
    pair.server.accept(new, now);
    pair.clients[0].conn = fresh;
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert!(pair.server.connection(old).is_none());
    assert!(pair.server.connection(new).unwrap().is_established());
    assert_eq!(pair.server.lookup(addr), Some(new));
    let closed = pair
        .server_events
        .iter()
        .filter(|(h, e)| *h == old && matches!(e, Event::Closed(_)))
        .count();
    assert_eq!(closed, 1, "the old connection is reported closed once");
    pair.clients[0].received.clear();
    pair.assert_only_echo(0, b"second life");
}

/// Issue 16, RFC 6347 4.2.8: a cookie-bearing ClientHello from an
/// established peer's address (sent here by an on-path observer that saw
/// the HelloVerifyRequest) used to end the association as soon as the
/// cookie verified. Now the association stays, and keeps working, until a
/// new handshake's Finished verifies, which this one never does.
#[test]
fn a_spoofed_restart_does_not_end_the_association() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 15);
    let victim = pair.clients[0].addr;
    let old = pair.clients[0].server_handles[0];
    let now = pair.now;
    let mut spoof = Connection::client(Arc::new(client_config()), pair.server_addr, now).unwrap();
    let event = through_the_cookie(&mut pair, &mut spoof, victim);
    assert!(
        matches!(event, dtls_core::DatagramEvent::NewConnection(_)),
        "{event:?}"
    );
    assert!(pair.server.connection(old).unwrap().is_established());
    assert_eq!(pair.server.lookup(victim), Some(old));
    pair.assert_only_echo(0, b"still mine");
    // The new handshake's flight went to the real client, which ignores
    // it; the handshake dies at its deadline and the association stays.
    pair.drive_more(Duration::from_secs(120)).unwrap();
    assert!(pair.server.connection(old).unwrap().is_established());
    assert_eq!(pair.server.connection_count(), 1);
    assert!(
        !pair
            .server_events
            .iter()
            .any(|(h, e)| *h == old && matches!(e, Event::Closed(_)))
    );
    pair.clients[0].received.clear();
    pair.assert_only_echo(0, b"still mine after");
}

/// A delayed duplicate of the cookie-bearing ClientHello that arrives
/// after the handshake is not a restart (RFC 6347 4.2.8 is about a *new*
/// ClientHello): the connection survives.
#[test]
fn duplicate_client_hello_after_handshake_is_not_a_restart() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 14);
    perfect(&mut pair, client_config());
    let hellos = Rc::new(RefCell::new(Vec::new()));
    let seen = hellos.clone();
    pair.clients[0].up_filter = Some(Box::new(move |d| {
        if plain_fragments(&d).iter().any(|f| f.0 == 1) {
            seen.borrow_mut().push(d.clone());
        }
        vec![d]
    }));
    pair.drive().unwrap();
    assert!(pair.client_connected(0));
    let handle = pair.clients[0].server_handles[0];
    let with_cookie = hellos.borrow().last().unwrap().clone();
    let (now, addr) = (pair.now, pair.clients[0].addr);
    let mut response = vec![0u8; 1500];
    let event = pair
        .server
        .handle_datagram(now, addr, &mut with_cookie.clone(), &mut response);
    assert_eq!(event, dtls_core::DatagramEvent::Consumed);
    pair.drive().unwrap();
    assert_eq!(pair.server.connection_count(), 1);
    assert!(pair.server.connection(handle).unwrap().is_established());
    assert!(pair.client_connected(0));
    pair.assert_only_echo(0, b"same connection");
}

/// RFC 7627 5.2/5.3: a server requiring the extended master secret refuses
/// a client that does not offer it, with handshake_failure and a clear
/// reason; by default (issue 15) the handshake completes without EMS, with
/// a warning on both sides, and the session is not resumable.
#[test]
fn extended_master_secret_requirement() {
    let mut legacy = client_config();
    legacy.offer_extended_master_secret = false;

    let mut requiring = server_config(KeyKind::EcdsaP256);
    requiring.common.require_extended_master_secret = true;
    let mut pair = Pair::new(requiring, 8);
    perfect(&mut pair, legacy.clone());
    pair.drive().unwrap();
    assert!(!pair.client_connected(0));
    let server_failure = failure(&pair.server_events_of(0)).unwrap();
    assert_eq!(server_failure.code, StatusCode::HandshakeError);
    assert!(
        server_failure
            .description
            .contains("extended master secret"),
        "{server_failure}"
    );
    let client_failure = failure(&pair.clients[0].events).unwrap();
    assert!(
        client_failure.description.contains("handshake_failure"),
        "{client_failure}"
    );

    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 9);
    perfect(&mut pair, legacy);
    pair.drive().unwrap();
    pair.assert_connected(0);
    let client = &pair.clients[0].conn;
    assert!(!client.negotiated().unwrap().extended_master_secret);
    assert!(client.session().is_none(), "nothing to resume without EMS");
    let warned = |events: &[Event]| {
        events.iter().any(|e| {
            matches!(e, Event::HandshakeProgress(t)
                if t.starts_with("warning") && t.contains("extended master secret"))
        })
    };
    assert!(warned(&pair.server_events_of(0)));
    assert!(warned(&pair.clients[0].events));
}

fn ecdsa_suites() -> (CipherSuite, CipherSuite) {
    let ecdsa = CipherSuite::ALL
        .iter()
        .copied()
        .filter(|s| s.auth() == AuthAlgorithm::Ecdsa);
    let cbc = ecdsa
        .clone()
        .find(|s| s.requires_encrypt_then_mac())
        .unwrap();
    let aead = ecdsa
        .clone()
        .find(|s| !s.requires_encrypt_then_mac())
        .unwrap();
    (cbc, aead)
}

fn strip_etm(d: Vec<u8>) -> Vec<Vec<u8>> {
    vec![rewrite_client_hello(d, |h| {
        if let Some(exts) = &mut h.extensions {
            exts.retain(|e| !matches!(e, ClientExtension::EncryptThenMac));
        }
    })]
}

/// The cipher suite of a ServerHello in this datagram, if any.
fn server_hello_suite(d: &[u8]) -> Option<u16> {
    records(d).iter().find_map(|r| {
        let b = &r.bytes;
        if r.content_type != 22 || r.epoch != 0 || b.len() < 25 + 35 || b[13] != 2 {
            return None;
        }
        let body = &b[25..];
        let sid = usize::from(body[34]);
        Some(u16::from_be_bytes([
            *body.get(35 + sid)?,
            *body.get(36 + sid)?,
        ]))
    })
}

/// RFC 7366 3: a CBC suite is chosen only with Encrypt-then-MAC. A client
/// hello stripped of the extension (by a man in the middle: the Finished
/// then fails, which is the point of Finished) gets an AEAD suite in the
/// ServerHello, or handshake_failure if the server only has CBC suites.
#[test]
fn cbc_only_with_encrypt_then_mac() {
    let (cbc, aead) = ecdsa_suites();
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.cipher_suites = vec![cbc, aead];
    let mut pair = Pair::new(server, 10);
    perfect(&mut pair, client_config());
    let i = perfect(&mut pair, client_config());
    pair.clients[i].up_filter = Some(Box::new(strip_etm));
    let chosen = Rc::new(RefCell::new(None));
    let seen = chosen.clone();
    pair.clients[i].down_filter = Some(Box::new(move |d| {
        if let Some(suite) = server_hello_suite(&d) {
            *seen.borrow_mut() = Some(suite);
        }
        vec![d]
    }));
    pair.drive().unwrap();
    assert_eq!(pair.clients[0].conn.negotiated().unwrap().cipher_suite, cbc);
    assert!(
        pair.clients[0]
            .conn
            .negotiated()
            .unwrap()
            .extended_master_secret
    );
    assert_eq!(*chosen.borrow(), Some(aead.id()));
    // The tampered hello is caught by the Finished check.
    assert!(!pair.client_connected(1));

    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.cipher_suites = vec![cbc];
    let mut pair = Pair::new(server, 11);
    perfect(&mut pair, client_config());
    pair.clients[0].up_filter = Some(Box::new(strip_etm));
    pair.drive().unwrap();
    assert!(!pair.client_connected(0));
    let server_failure = failure(&pair.server_events_of(0)).unwrap();
    assert!(
        server_failure.description.contains("Encrypt-then-MAC"),
        "{server_failure}"
    );
}

/// RFC 8449 4: the client's record_size_limit caps what the server sends
/// (`max_message_len` shrinks); an oversized send is refused.
#[test]
fn record_size_limit_is_honoured() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 12);
    let mut client = client_config();
    client.common.record_size_limit = Some(256);
    perfect(&mut pair, client);
    pair.drive().unwrap();
    pair.assert_connected(0);
    let handle = pair.clients[0].server_handles[0];
    let max = pair.server.connection(handle).unwrap().max_message_len();
    assert!(max <= 256, "{max}");
    let now = pair.now;
    assert!(matches!(
        pair.server.send(handle, now, &[0u8; 257]),
        Err(dtls_core::Error::MessageTooLarge { .. })
    ));
    pair.server.send(handle, now, &[1u8; 256]).unwrap();
    pair.drive().unwrap();
    assert_eq!(pair.clients[0].received, vec![vec![1u8; 256]]);
    // The server's own (2^14) limit leaves the client at the MTU bound.
    assert!(pair.clients[0].conn.max_message_len() > 1000);
}

/// The harness drives virtual time; this guards against a test above
/// accidentally relying on wall-clock time.
#[test]
fn virtual_time_is_bounded() {
    let pair = Pair::after_handshake(KeyKind::EcdsaP256, 13);
    assert!(pair.elapsed() < Duration::from_secs(1));
}
