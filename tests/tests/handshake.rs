//! End-to-end handshakes between our client and our server over the
//! virtual-time network model (RFC 6347 4.2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dtls_core::Event;
use dtls_crypto::CipherSuite;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

fn suites_for(kind: KeyKind) -> Vec<CipherSuite> {
    let auth = match kind {
        KeyKind::Rsa2048 => AuthAlgorithm::Rsa,
        _ => AuthAlgorithm::Ecdsa,
    };
    CipherSuite::ALL
        .iter()
        .copied()
        .filter(|s| s.auth() == auth)
        .collect()
}

/// Every suite with every certificate type completes and carries data both
/// ways, on a perfect network.
#[test]
fn every_suite_and_key_type_completes_and_echoes() {
    for kind in KeyKind::ALL {
        for suite in suites_for(kind) {
            let mut pair = Pair::new(server_config(kind), 1);
            let mut client = client_config();
            client.common.cipher_suites = vec![suite];
            pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
            pair.drive().unwrap();
            assert!(
                pair.client_connected(0),
                "{kind:?} {suite}: {:?}",
                pair.clients[0].events
            );
            let negotiated = pair.clients[0].conn.negotiated().unwrap().clone();
            assert_eq!(negotiated.cipher_suite, suite);
            assert!(negotiated.extended_master_secret);
            pair.client_send(0, b"ping").unwrap();
            pair.drive().unwrap();
            assert_eq!(pair.server_received.len(), 1, "{kind:?} {suite}");
            assert_eq!(
                pair.clients[0].received,
                vec![b"ping".to_vec()],
                "{kind:?} {suite}"
            );
        }
    }
}

/// Every group completes (RFC 8422 5.1.1).
#[test]
fn every_group_completes() {
    use dtls_crypto::kx::NamedGroup;
    for group in [
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
        NamedGroup::Secp521r1,
    ] {
        let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 2);
        let mut client = client_config();
        client.common.groups = vec![group];
        pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.drive().unwrap();
        assert!(pair.client_connected(0), "{group:?}");
        assert_eq!(
            pair.clients[0].conn.negotiated().unwrap().group,
            Some(group)
        );
    }
}

/// The first ClientHello gets a HelloVerifyRequest and creates no state
/// (RFC 6347 4.2.1); the connection exists only after the cookie returns.
#[test]
fn hello_verify_request_is_stateless_and_small() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 3);
    pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    let mut buf = vec![0u8; 2048];
    let now = pair.now;
    let n = pair.clients[0].conn.poll_transmit(now, &mut buf).unwrap();
    let mut hello = buf[..n].to_vec();
    let record_seq = hello[5..11].to_vec();
    let mut response = vec![0u8; 1500];
    let addr = pair.clients[0].addr;
    let event = pair
        .server
        .handle_datagram(now, addr, &mut hello, &mut response);
    let dtls_core::DatagramEvent::Respond(len) = event else {
        panic!("expected a HelloVerifyRequest, got {event:?}");
    };
    assert_eq!(
        pair.server.connection_count(),
        0,
        "no state before the cookie"
    );
    assert!(
        len <= n,
        "HelloVerifyRequest ({len}) larger than the ClientHello ({n})"
    );
    assert_eq!(response[0], 22, "handshake record");
    assert_eq!(
        &response[5..11],
        &record_seq[..],
        "echoes the record sequence number"
    );
    assert_eq!(response[13], 3, "hello_verify_request");
    assert_eq!(pair.server.counters().hello_verify_sent, 1);
}

/// Rewrites the 32-byte cookie into a first ClientHello (record, handshake
/// and body lengths patched).
fn with_cookie(hello: &[u8], cookie: &[u8; 32]) -> Vec<u8> {
    let cookie_len_at = 13 + 12 + 2 + 32 + 1;
    assert_eq!(hello[cookie_len_at], 0, "expected an empty cookie");
    let mut forged = hello[..cookie_len_at].to_vec();
    forged.push(32);
    forged.extend_from_slice(cookie);
    forged.extend_from_slice(&hello[cookie_len_at + 1..]);
    let fix = |b: &mut Vec<u8>, at: usize, width: usize| {
        let mut v = 0usize;
        for i in 0..width {
            v = v << 8 | usize::from(b[at + i]);
        }
        v += 32;
        for i in (0..width).rev() {
            b[at + i] = (v & 0xff) as u8;
            v >>= 8;
        }
    };
    fix(&mut forged, 11, 2);
    fix(&mut forged, 14, 3);
    fix(&mut forged, 22, 3);
    forged
}

/// A ClientHello with a forged cookie is answered with a fresh
/// HelloVerifyRequest, never with a connection.
#[test]
fn forged_cookie_creates_no_connection() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 4);
    let mut buf = vec![0u8; 2048];
    let mut client = dtls_core::Connection::client(
        std::sync::Arc::new(client_config()),
        pair.server_addr,
        pair.now,
    )
    .unwrap();
    let n = client.poll_transmit(pair.now, &mut buf).unwrap();
    let mut hello = with_cookie(&buf[..n], &[0xAB; 32]);
    let mut response = vec![0u8; 1500];
    let spoofed = "10.9.9.9:9999".parse().unwrap();
    let event = pair
        .server
        .handle_datagram(pair.now, spoofed, &mut hello, &mut response);
    assert!(
        matches!(event, dtls_core::DatagramEvent::Respond(_)),
        "{event:?}"
    );
    assert_eq!(pair.server.connection_count(), 0);
    assert_eq!(pair.server.counters().bad_cookies, 1);
}

/// With an MTU of 256 the RSA certificate flight is fragmented, no datagram
/// exceeds the MTU (the link drops any that would), and the handshake
/// completes (RFC 6347 4.1.1, 4.2.3).
#[test]
fn small_mtu_fragments_every_flight() {
    let mut pair = Pair::with_mtu(KeyKind::Rsa2048, 256, 5);
    pair.drive().unwrap();
    pair.assert_connected(0);
    assert_eq!(pair.clients[0].up.stats.too_big, 0);
    assert_eq!(pair.clients[0].down.stats.too_big, 0);
    assert!(
        pair.clients[0].down.stats.sent > 4,
        "the server flight must be split"
    );
}

/// The client's retransmission schedule against a silent server, then
/// give-up (RFC 6347 4.2.4.1). The whole schedule (123 s) outlasts the
/// default handshake deadline, which is turned off here.
#[test]
fn retransmission_schedule_and_give_up() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 6);
    let dead = LinkProfile::DEAD;
    let mut client = client_config();
    client.common.handshake_timeout = None;
    pair.add_client(client, dead, dead);
    pair.drive().unwrap();
    let stats = pair.clients[0].up.stats;
    let retransmit = dtls_core::RetransmitConfig::default();
    assert_eq!(
        stats.sent,
        1 + u64::from(retransmit.max_retransmissions),
        "one transmission plus the configured retransmissions"
    );
    let failed = pair.clients[0].events.iter().any(|e| {
        matches!(e, Event::HandshakeFailed(s) if s.code == dtls_core::StatusCode::HandshakeError)
    });
    assert!(failed, "{:?}", pair.clients[0].events);
    // Waits of 1, 2, 4, 8, 16, 32 s between transmissions, then 60 s.
    assert_eq!(
        pair.elapsed(),
        Duration::from_secs(1 + 2 + 4 + 8 + 16 + 32 + 60)
    );
}

/// Both sides derive the same keying material (RFC 5705).
#[test]
fn exporter_agrees() {
    let pair = Pair::after_handshake(KeyKind::EcdsaP256, 7);
    let handle = pair.server.handles().next().unwrap();
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    pair.clients[0]
        .conn
        .export_keying_material(b"EXPERIMENTAL test", None, &mut a)
        .unwrap();
    pair.server
        .connection(handle)
        .unwrap()
        .export_keying_material(b"EXPERIMENTAL test", None, &mut b)
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, [0u8; 32]);
}

/// Sending before the handshake, or more than one record holds, is an
/// error and nothing is queued.
#[test]
fn send_errors_are_clear() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 8);
    pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    assert_eq!(
        pair.client_send(0, b"early"),
        Err(dtls_core::Error::NotConnected)
    );
    pair.drive().unwrap();
    let max = pair.clients[0].conn.max_message_len();
    assert!(max > 1000 && max < 1200, "{max}");
    let too_big = vec![0u8; max + 1];
    assert!(matches!(
        pair.client_send(0, &too_big),
        Err(dtls_core::Error::MessageTooLarge { .. })
    ));
    pair.client_send(0, &vec![7u8; max]).unwrap();
    pair.drive().unwrap();
    assert_eq!(pair.server_received.len(), 1);
    assert_eq!(pair.server_received[0].1.len(), max);
}

/// close_notify from the client closes both sides cleanly (RFC 5246 7.2.1).
#[test]
fn close_notify_closes_both_sides() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 9);
    let now = pair.now;
    pair.clients[0].conn.close(now);
    pair.drive().unwrap();
    assert!(
        pair.clients[0]
            .events
            .iter()
            .any(|e| matches!(e, Event::Closed(s) if s.is_ok()))
    );
    assert!(
        pair.server_events
            .iter()
            .any(|(_, e)| matches!(e, Event::Closed(s) if s.is_ok()))
    );
    assert_eq!(
        pair.server.connection_count(),
        0,
        "drained connection removed"
    );
}

/// A corrupted record is dropped and counted, a replayed one too, and the
/// genuine one is delivered once (RFC 6347 4.1.2.6, 4.1.2.7).
#[test]
fn corrupted_and_replayed_records_are_dropped_and_counted() {
    let mut pair = Pair::after_handshake(KeyKind::EcdsaP256, 10);
    pair.client_send(0, b"hello").unwrap();
    let mut buf = vec![0u8; 2048];
    let now = pair.now;
    let n = pair.clients[0].conn.poll_transmit(now, &mut buf).unwrap();
    let handle = pair.server.handles().next().unwrap();
    let mut response = vec![0u8; 1500];
    let addr = pair.clients[0].addr;
    let mut bad = buf[..n].to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    pair.server
        .handle_datagram(now, addr, &mut bad, &mut response);
    assert_eq!(
        pair.server.connection(handle).unwrap().counters().bad_mac,
        1
    );
    let good = buf[..n].to_vec();
    pair.server
        .handle_datagram(now, addr, &mut good.clone(), &mut good.clone());
    pair.server
        .handle_datagram(now, addr, &mut good.clone(), &mut response);
    assert_eq!(
        pair.server.connection(handle).unwrap().counters().replayed,
        1
    );
    pair.drive().unwrap();
    assert_eq!(pair.server_received.len(), 1);
}

/// With trust anchors, our client validates the server chain and name
/// (RFC 5246 7.4.2); any failure ends the handshake with bad_certificate
/// (404) and a description, and so does a missing wall clock.
#[test]
fn client_validates_the_server_certificate() {
    use dtls_tests::certs::{certificate, system_unix_time};
    let server_cert = certificate(KeyKind::EcdsaP256);
    let anchor = server_cert.chain()[0].as_ref().to_vec();
    let other = certificate(KeyKind::EcdsaP384).chain()[0].as_ref().to_vec();
    let run = |anchors: Vec<Vec<u8>>, name: Option<&str>, clock: bool| {
        let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 13);
        let mut client = client_config();
        client.trust_anchors = anchors;
        client.server_name = name.map(str::to_owned);
        client.unix_time = clock.then(system_unix_time);
        pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.drive().unwrap();
        let failure = pair.clients[0].events.iter().find_map(|e| match e {
            Event::HandshakeFailed(s) => Some(s.clone()),
            _ => None,
        });
        (pair.client_connected(0), failure)
    };
    let (ok, failure) = run(vec![anchor.clone()], Some("localhost"), true);
    assert!(ok, "{failure:?}");
    for (anchors, name, clock, why) in [
        (vec![other], Some("localhost"), true, "unknown issuer"),
        (
            vec![anchor.clone()],
            Some("example.com"),
            true,
            "wrong name",
        ),
        (vec![anchor], Some("localhost"), false, "no clock"),
    ] {
        let (ok, failure) = run(anchors, name, clock);
        assert!(!ok, "{why}");
        let failure = failure.unwrap_or_else(|| panic!("{why}: no failure event"));
        assert_eq!(
            failure.code,
            dtls_core::StatusCode::InvalidCertificate,
            "{why}"
        );
        assert!(
            failure.description.contains("certificate"),
            "{why}: {failure:?}"
        );
    }
}

/// A forged plaintext copy of an old client handshake fragment (anyone can
/// send one with the client's address) must not turn the server into an
/// amplifier: re-sends of its larger final flight are paced to one per half
/// initial timeout, and stop once the flight is older than twice the
/// largest timeout (RFC 6347 4.2.4).
#[test]
fn spoofed_old_fragments_do_not_amplify() {
    let mut pair = Pair::after_handshake(KeyKind::Rsa2048, 14);
    assert!(pair.client_connected(0));
    // The client's flight 5 starts with a plaintext epoch-0 record.
    let forged = pair.clients[0]
        .sent
        .iter()
        .find(|d| d[0] == 22 && d[3..5] == [0, 0] && d[13] != 1)
        .expect("an epoch-0 handshake datagram after the hellos")
        .clone();
    let addr = pair.clients[0].addr;
    let mut response = vec![0u8; 1500];
    let mut out = vec![0u8; 2048];
    // Exact copies die in the epoch-0 replay window, so the attacker gives
    // each forgery a fresh plaintext record sequence number.
    let mut seq = 1_000u64;
    let mut flood = |pair: &mut Pair, at: std::time::Instant, n: usize| {
        let (mut received, mut sent) = (0usize, 0usize);
        for _ in 0..n {
            let mut d = forged.clone();
            seq += 1;
            d[5..11].copy_from_slice(&seq.to_be_bytes()[2..]);
            received += d.len();
            pair.server.handle_datagram(at, addr, &mut d, &mut response);
            while let Some(t) = pair.server.poll_transmit(at, &mut out) {
                sent += t.len;
            }
        }
        (received, sent)
    };
    // Right after the handshake: within the pacing gap, nothing is re-sent.
    let now = pair.now;
    let (_, sent) = flood(&mut pair, now, 100);
    assert_eq!(sent, 0);
    // A second later one re-send is allowed, however many forgeries arrive.
    let later = now + Duration::from_secs(1);
    let (received, sent) = flood(&mut pair, later, 100);
    assert!(sent > 0, "a genuine retransmission would still be answered");
    assert!(sent < received, "{sent} bytes out for {received} in");
    // Long after, the final flight is gone: nothing at all.
    let much_later = now + Duration::from_secs(200);
    let (_, sent) = flood(&mut pair, much_later, 10);
    let (_, sent_again) = flood(&mut pair, much_later + Duration::from_secs(5), 10);
    assert_eq!(sent + sent_again, 0);
}
