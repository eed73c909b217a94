//! Session resumption: the abbreviated handshake of RFC 5246 7.3 by
//! session ID (the endpoint's cache) and by RFC 5077 ticket, and every way
//! a resumption must fall back to a full handshake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dtls_core::ClientSession;
use dtls_core::config::{ClientConfig, ServerConfig};
use dtls_core::event::NegotiatedParams;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

fn resuming(session: ClientSession) -> ClientConfig {
    ClientConfig {
        resume: Some(session),
        ..client_config()
    }
}

/// Connects a fresh client over a perfect link and returns its index.
fn connect(pair: &mut Pair, client: ClientConfig) -> usize {
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    pair.assert_connected(i);
    i
}

/// Connects a fresh client with a full handshake and returns the session
/// it kept.
fn full_handshake_session(pair: &mut Pair) -> ClientSession {
    let i = connect(pair, client_config());
    pair.clients[i].conn.session().unwrap()
}

/// A server with no session cache: resumption by ticket only.
fn ticket_only_server() -> ServerConfig {
    ServerConfig {
        session_cache_capacity: 0,
        ..server_config(KeyKind::EcdsaP256)
    }
}

fn params(pair: &Pair, i: usize) -> (NegotiatedParams, NegotiatedParams) {
    (
        pair.clients[i].conn.negotiated().unwrap().clone(),
        pair.server_conn(i).unwrap().negotiated().unwrap().clone(),
    )
}

fn exporter_agrees(pair: &Pair, i: usize) {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    pair.clients[i]
        .conn
        .export_keying_material(b"EXPERIMENTAL resumption", None, &mut a)
        .unwrap();
    pair.server_conn(i)
        .unwrap()
        .export_keying_material(b"EXPERIMENTAL resumption", None, &mut b)
        .unwrap();
    assert_eq!(a, b);
}

/// A full handshake leaves a session with an ID and a ticket; resuming by
/// ID is abbreviated on both sides, keeps the suite, EMS and certificates,
/// and data and the exporter work.
#[test]
fn resumption_by_session_id() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 1);
    let session = full_handshake_session(&mut pair);
    assert_eq!(session.session_id().len(), 32);
    assert!(session.has_ticket());
    assert_eq!(pair.server.session_cache_len(), 1);
    let (c0, _) = params(&pair, 0);
    assert!(!c0.resumed);

    let i = connect(&mut pair, resuming(session.id_only()));
    let (c, s) = params(&pair, i);
    assert!(c.resumed && s.resumed);
    assert_eq!(c.cipher_suite, c0.cipher_suite);
    assert!(c.extended_master_secret && s.extended_master_secret);
    assert_eq!(c.group, None);
    assert_eq!(c.peer_certificates, c0.peer_certificates);
    // Session ID only, with an empty session_ticket extension: the server
    // issues a ticket for the same session.
    let again = pair.clients[i].conn.session().unwrap();
    assert!(
        again.has_ticket(),
        "the empty session_ticket extension asks for one"
    );
    exporter_agrees(&pair, i);
    pair.assert_only_echo(i, b"resumed");
    // No new cache entry for a resumed session.
    assert_eq!(pair.server.session_cache_len(), 1);
}

/// Resuming by ticket alone (the server has no cache) is abbreviated and
/// brings a fresh ticket.
#[test]
fn resumption_by_ticket() {
    let mut pair = Pair::new(ticket_only_server(), 2);
    let session = full_handshake_session(&mut pair);
    assert!(session.session_id().is_empty(), "no cache, no ID");
    assert!(session.has_ticket());

    let i = connect(&mut pair, resuming(session.clone()));
    let (c, s) = params(&pair, i);
    assert!(c.resumed && s.resumed);
    exporter_agrees(&pair, i);
    let renewed = pair.clients[i].conn.session().unwrap();
    assert!(renewed.has_ticket());

    // The renewed ticket resumes again.
    let j = connect(&mut pair, resuming(renewed));
    assert!(params(&pair, j).0.resumed);
}

/// A cached session and a ticket past `session_lifetime` are refused: a
/// full handshake follows.
#[test]
fn expired_session_gets_a_full_handshake() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.session_lifetime = Duration::from_secs(60);
    let mut pair = Pair::new(server, 3);
    let session = full_handshake_session(&mut pair);
    pair.now += Duration::from_secs(120);
    for offered in [session.id_only(), session.ticket_only()] {
        let i = connect(&mut pair, resuming(offered));
        let (c, s) = params(&pair, i);
        assert!(!c.resumed && !s.resumed);
    }
    // Within the lifetime it resumes.
    let fresh = pair.clients.last().unwrap().conn.session().unwrap();
    let i = connect(&mut pair, resuming(fresh));
    assert!(params(&pair, i).0.resumed);
}

/// A ticket sealed under a key rotated out twice is refused; one rotation
/// is still fine (RFC 5077 5.5 key rotation).
#[test]
fn ticket_from_rotated_out_key_gets_a_full_handshake() {
    let mut pair = Pair::new(ticket_only_server(), 4);
    let session = full_handshake_session(&mut pair);
    pair.server.rotate_ticket_keys();
    let i = connect(&mut pair, resuming(session.clone()));
    assert!(params(&pair, i).0.resumed, "previous key still accepted");
    pair.server.rotate_ticket_keys();
    pair.server.rotate_ticket_keys();
    let i = connect(&mut pair, resuming(session));
    assert!(!params(&pair, i).0.resumed);
}

/// Periodic rotation (ServerConfig::ticket_rotation) happens as datagrams
/// arrive, and two periods retire a ticket.
#[test]
fn periodic_ticket_rotation_retires_old_tickets() {
    let mut server = ticket_only_server();
    server.ticket_rotation = Duration::from_secs(10);
    let mut pair = Pair::new(server, 5);
    let session = full_handshake_session(&mut pair);
    pair.now += Duration::from_secs(25);
    let i = connect(&mut pair, resuming(session));
    assert!(!params(&pair, i).0.resumed);
}

/// A ticket with a flipped byte fails authentication: full handshake, no
/// error.
#[test]
fn tampered_ticket_gets_a_full_handshake() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 6);
    let session = full_handshake_session(&mut pair);
    let i = connect(
        &mut pair,
        resuming(session.ticket_only().with_tampered_ticket()),
    );
    assert!(!params(&pair, i).0.resumed);
    // An unknown session ID likewise.
    let mut pair2 = Pair::new(server_config(KeyKind::EcdsaP256), 7);
    let i = connect(&mut pair2, resuming(session.id_only()));
    assert!(!params(&pair2, i).0.resumed);
}

/// The cache keeps at most `session_cache_capacity` sessions, evicting the
/// oldest.
#[test]
fn cache_capacity_evicts_the_oldest() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.session_cache_capacity = 2;
    let mut pair = Pair::new(server, 8);
    let sessions: Vec<_> = (0..3)
        .map(|_| {
            let i = connect(&mut pair, client_config());
            pair.clients[i].conn.session().unwrap().id_only()
        })
        .collect();
    assert_eq!(pair.server.session_cache_len(), 2);
    let i = connect(&mut pair, resuming(sessions[0].clone()));
    assert!(!params(&pair, i).0.resumed, "evicted");
    let i = connect(&mut pair, resuming(sessions[2].clone()));
    assert!(params(&pair, i).0.resumed);
}

/// RFC 7627 5.3/5.4: a session made without the extended master secret is
/// never resumed, with EMS or without (the server assigns it no session ID
/// or ticket). RFC 6066 3: an EMS session is not offered for another
/// server_name, and is resumed for the same one.
#[test]
fn resumption_requires_ems_and_the_same_server_name() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 9);
    let mut legacy = client_config();
    legacy.offer_extended_master_secret = false;
    legacy.server_name = Some("a.example".into());
    let first = connect(&mut pair, legacy.clone());
    assert!(pair.clients[first].conn.session().is_none());
    let server_said = pair.clients[first].conn.negotiated().unwrap();
    assert!(!server_said.extended_master_secret);

    let mut modern = client_config();
    modern.server_name = Some("a.example".into());
    let i = connect(&mut pair, modern.clone());
    let session = pair.clients[i].conn.session().unwrap();
    // Another name: not offered, full handshake.
    let mut other = modern.clone();
    other.resume = Some(session.clone());
    other.server_name = Some("b.example".into());
    let i = connect(&mut pair, other);
    assert!(!params(&pair, i).0.resumed);
    // A client that stops offering EMS gets no resumption either.
    let mut downgraded = legacy;
    downgraded.resume = Some(session.clone());
    let i = connect(&mut pair, downgraded);
    assert!(!params(&pair, i).0.resumed);
    // Same name, with EMS: resumed.
    let mut same = modern;
    same.resume = Some(session);
    let i = connect(&mut pair, same);
    let (c, s) = params(&pair, i);
    assert!(c.resumed && s.resumed && c.extended_master_secret);
    assert_eq!(s.server_name.as_deref(), Some("a.example"));
}

/// RFC 6347 4.2.4 for the abbreviated handshake: the server's flight
/// (ServerHello .. Finished) is retransmitted on its timer when lost; the
/// client's final flight is re-sent only when the server re-sends.
#[test]
fn abbreviated_handshake_recovers_lost_flights() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 10);
    let session = full_handshake_session(&mut pair);
    // Lose the server's first abbreviated flight and the client's first
    // final flight.
    let i = pair.add_client(
        resuming(session),
        LinkProfile::PERFECT,
        LinkProfile::PERFECT,
    );
    let mut dropped_down = false;
    pair.clients[i].down_filter = Some(Box::new(move |d| {
        let ccs = d.windows(1).next().is_some() && has_ccs(&d);
        if ccs && !dropped_down {
            dropped_down = true;
            return vec![];
        }
        vec![d]
    }));
    let mut dropped_up = false;
    pair.clients[i].up_filter = Some(Box::new(move |d| {
        if has_ccs(&d) && !dropped_up {
            dropped_up = true;
            return vec![];
        }
        vec![d]
    }));
    pair.drive().unwrap();
    pair.assert_connected(i);
    let (c, s) = params(&pair, i);
    assert!(c.resumed && s.resumed);
    assert!(pair.server_conn(i).unwrap().counters().retransmissions >= 2);
    assert!(pair.clients[i].conn.counters().retransmissions >= 1);
    assert!(pair.server_conn(i).unwrap().poll_timeout().is_none());
    pair.assert_only_echo(i, b"x");
}

fn has_ccs(d: &[u8]) -> bool {
    let mut rest = d;
    while rest.len() >= 13 {
        if rest[0] == 20 {
            return true;
        }
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        rest = rest.get(13 + len..).unwrap_or(&[]);
    }
    false
}

/// Resumed handshakes (by ID and by ticket) complete over 30% loss with
/// duplication and reordering, for many seeds and MTUs.
#[test]
fn resumed_handshakes_over_lossy_links() {
    for seed in 0..24u64 {
        let mtu = [1200usize, 512, 300][seed as usize % 3];
        let mut server: ServerConfig = server_config(KeyKind::EcdsaP256);
        server.common.mtu = mtu;
        server.common.handshake_timeout = None;
        // The server's abbreviated flight needs an answer too: the same
        // patience as the client's over 30% loss each way.
        server.common.retransmit.max_retransmissions = 30;
        let mut pair = Pair::new(server, seed);
        let mut base = client_config();
        base.common.mtu = mtu;
        base.common.handshake_timeout = None;
        base.common.retransmit.max_retransmissions = 30;
        let first = connect(&mut pair, base.clone());
        let session = pair.clients[first].conn.session().unwrap();
        for offered in [session.id_only(), session.ticket_only()] {
            let link = LinkProfile::lossy(0.3).with_mtu(mtu);
            let mut client = base.clone();
            client.resume = Some(offered);
            let i = pair.add_client(client, link, link);
            pair.drive_more(Duration::from_secs(600)).unwrap();
            assert!(
                pair.client_connected(i),
                "seed {seed}: {:?}",
                pair.clients[i].events
            );
            assert!(
                pair.server_conn(i).is_some(),
                "seed {seed} mtu {mtu}: {:?} / server {:?}",
                pair.clients[i].events,
                pair.server_events_of(i)
            );
            let (c, s) = params(&pair, i);
            assert!(c.resumed && s.resumed, "seed {seed}");
            exporter_agrees(&pair, i);
        }
    }
}
