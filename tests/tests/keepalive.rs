//! Keep-alive (RFC 6520 heartbeats), dead-peer detection and idle timeout,
//! on the virtual clock; and every heartbeat discard rule, each with a
//! crafted message inside a properly protected record.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dtls_core::config::{ClientConfig, KeepAliveConfig, ServerConfig};
use dtls_core::{Event, StatusCode};
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::{Link, LinkProfile};
use dtls_tests::pair::Pair;

fn keep_alive(time: u64, interval: u64, max_unanswered: u32) -> KeepAliveConfig {
    KeepAliveConfig {
        enabled: true,
        time: Duration::from_secs(time),
        interval: Duration::from_secs(interval),
        max_unanswered,
        ..KeepAliveConfig::default()
    }
}

fn pair_with(server_ka: KeepAliveConfig, client_ka: KeepAliveConfig, seed: u64) -> Pair {
    let mut server: ServerConfig = server_config(KeyKind::EcdsaP256);
    server.common.keep_alive = server_ka;
    let mut pair = Pair::new(server, seed);
    let mut client: ClientConfig = client_config();
    client.common.keep_alive = client_ka;
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    assert!(pair.client_connected(0));
    pair
}

fn server_counters(pair: &Pair) -> dtls_core::event::Counters {
    let handle = pair.server.handles().next().unwrap();
    pair.server.connection(handle).unwrap().counters()
}

/// After KeepAliveTime without traffic the server sends one request; a
/// live peer answers and the cycle repeats every KeepAliveTime.
#[test]
fn requests_are_sent_after_keep_alive_time_and_answered() {
    let mut pair = pair_with(keep_alive(10, 2, 3), keep_alive(600, 2, 3), 1);
    let start = pair.elapsed();
    pair.drive_for(start + Duration::from_secs(9)).unwrap();
    assert_eq!(
        server_counters(&pair).heartbeat_requests_sent,
        0,
        "not before 10 s"
    );
    pair.drive_for(start + Duration::from_secs(11)).unwrap();
    let c = server_counters(&pair);
    assert_eq!(c.heartbeat_requests_sent, 1);
    assert_eq!(c.heartbeat_responses_received, 1);
    pair.drive_for(start + Duration::from_secs(35)).unwrap();
    let c = server_counters(&pair);
    assert_eq!(c.heartbeat_requests_sent, 3, "at 10, 20 and 30 s");
    assert_eq!(c.heartbeat_responses_received, 3);
    assert_eq!(pair.server.connection_count(), 1);
}

/// An unanswered peer gets retries every KeepAliveInterval and is declared
/// dead after the configured count: Closed with a non-zero status.
#[test]
fn dead_peer_is_detected_after_unanswered_requests() {
    let mut pair = pair_with(keep_alive(10, 2, 3), keep_alive(600, 2, 3), 2);
    // From now on nothing reaches the server, nor the client.
    let dead = LinkProfile::DEAD;
    pair.clients[0].up = Link::new(dead, 9);
    pair.clients[0].down = Link::new(dead, 10);
    let start = pair.elapsed();
    pair.drive_for(start + Duration::from_secs(60)).unwrap();
    let closed: Vec<_> = pair
        .server_events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Closed(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(closed.len(), 1, "{:?}", pair.server_events);
    assert_ne!(closed[0].code, StatusCode::Ok);
    assert!(
        closed[0].description.contains("heartbeat"),
        "{}",
        closed[0].description
    );
    // Requests at 10, 12, 14 s; declared dead at 16 s.
    assert_eq!(
        pair.clients[0].down.stats.sent,
        3 + 1,
        "three requests and the close_notify"
    );
}

/// Any authenticated record counts as liveness: regular application data
/// keeps heartbeats from being sent at all.
#[test]
fn traffic_resets_liveness() {
    let mut pair = pair_with(keep_alive(10, 2, 3), keep_alive(600, 2, 3), 3);
    for _ in 0..6 {
        let t = pair.elapsed();
        pair.client_send(0, b"tick").unwrap();
        pair.drive_for(t + Duration::from_secs(5)).unwrap();
    }
    assert_eq!(server_counters(&pair).heartbeat_requests_sent, 0);
}

/// The client may send requests and the server answers with exactly the
/// payload (mode peer_allowed_to_send).
#[test]
fn server_answers_a_valid_request_with_the_same_payload() {
    let mut pair = pair_with(keep_alive(600, 2, 3), keep_alive(5, 2, 3), 4);
    pair.drive_more(Duration::from_secs(6)).unwrap();
    assert_eq!(server_counters(&pair).heartbeat_responses_sent, 1);
    assert_eq!(
        pair.clients[0].conn.counters().heartbeat_responses_received,
        1
    );
}

/// DefaultIdleTimeout: no application data either way for that long closes
/// the connection with close_notify; heartbeats do not count as data.
#[test]
fn idle_timeout_closes_within_one_tick() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.idle_timeout = Some(Duration::from_secs(30));
    server.common.keep_alive = keep_alive(10, 2, 3);
    let mut pair = Pair::new(server, 5);
    let mut client = client_config();
    client.common.keep_alive = keep_alive(600, 2, 3);
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    let connected_at = pair.clients[0].connected_at.unwrap() - pair.start;
    pair.drive_for(Duration::from_secs(120)).unwrap();
    let (when, status) = pair
        .server_events
        .iter()
        .find_map(|(_, e)| match e {
            Event::Closed(s) => Some(s.clone()),
            _ => None,
        })
        .map(|s| (pair.clients[0].events.len(), s))
        .unwrap();
    let _ = when;
    assert!(status.is_ok(), "{status:?}");
    assert!(status.description.contains("idle"), "{status:?}");
    // The client saw close_notify.
    assert!(
        pair.clients[0]
            .events
            .iter()
            .any(|e| matches!(e, Event::Closed(_)))
    );
    // Heartbeats flowed meanwhile (at 10 and 20 s) but did not keep it open.
    assert!(server_counters_after_close(&pair) >= 2);
    let _ = connected_at;
}

fn server_counters_after_close(pair: &Pair) -> u64 {
    pair.clients[0].conn.counters().heartbeat_responses_sent
}

/// The idle close happens at exactly the timeout on the virtual clock.
#[test]
fn idle_timeout_fires_at_the_deadline() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.idle_timeout = Some(Duration::from_secs(30));
    let mut pair = Pair::new(server, 6);
    pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    let connected = pair.clients[0].connected_at.unwrap() - pair.start;
    pair.drive_for(connected + Duration::from_secs(29)).unwrap();
    assert_eq!(pair.server.connection_count(), 1, "not before 30 s");
    pair.drive_for(connected + Duration::from_secs(31)).unwrap();
    assert_eq!(pair.server.connection_count(), 0, "closed at 30 s");
}

/// With keep-alive off neither side sends heartbeats, and a request that
/// arrives anyway is dropped and counted.
#[test]
fn without_negotiation_requests_are_dropped() {
    let mut pair = pair_with(KeepAliveConfig::default(), keep_alive(5, 2, 3), 7);
    pair.drive_more(Duration::from_secs(30)).unwrap();
    assert_eq!(pair.clients[0].conn.counters().heartbeat_requests_sent, 0);
    // Force one in.
    assert_forced_request_refused(&mut pair, b"0123456789abcdef");
}

/// Forces a well-formed HeartbeatRequest from client 0 past its own
/// checks and asserts the server dropped and counted it, unanswered.
fn assert_forced_request_refused(pair: &mut Pair, payload: &[u8]) {
    pair.clients[0]
        .conn
        .queue_raw_heartbeat_for_tests(&valid_request(payload));
    pair.drive().unwrap();
    let c = server_counters(pair);
    assert_eq!(c.heartbeat_responses_sent, 0);
    assert_eq!(c.bad_heartbeat, 1);
}

fn valid_request(payload: &[u8]) -> Vec<u8> {
    let mut m = vec![1u8];
    m.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    m.extend_from_slice(payload);
    m.extend_from_slice(&[0x5a; 16]);
    m
}

/// Each malformed or abusive request is silently discarded and counted;
/// the valid control is answered (RFC 6520 4).
#[test]
fn every_discard_rule() {
    let mut pair = pair_with(keep_alive(600, 2, 3), keep_alive(600, 2, 3), 8);
    // One virtual second per step: long enough to deliver and answer,
    // far too short for the 600 s keep-alive timers to send real requests.
    let step = |pair: &mut Pair| {
        pair.drive_more(Duration::from_secs(1)).unwrap();
    };
    let send = |pair: &mut Pair, bytes: &[u8]| {
        pair.clients[0].conn.queue_raw_heartbeat_for_tests(bytes);
        step(pair);
    };
    // Control: a valid request is answered.
    send(&mut pair, &valid_request(b"hello"));
    assert_eq!(server_counters(&pair).heartbeat_responses_sent, 1);
    let base = server_counters(&pair).bad_heartbeat;

    // Heartbleed: payload_length claims more than the record holds.
    let mut bleed = vec![1u8, 0x40, 0x00];
    bleed.extend_from_slice(&[0u8; 20]);
    send(&mut pair, &bleed);
    // Padding shorter than 16 bytes.
    let mut short = vec![1u8, 0, 4];
    short.extend_from_slice(b"ping");
    short.extend_from_slice(&[0u8; 15]);
    send(&mut pair, &short);
    // Truncated header.
    send(&mut pair, &[1u8, 0]);
    // Unknown message type.
    let mut unknown = valid_request(b"x");
    unknown[0] = 9;
    send(&mut pair, &unknown);
    // A response to a request we never sent.
    let mut stray = valid_request(b"not ours");
    stray[0] = 2;
    send(&mut pair, &stray);
    let c = server_counters(&pair);
    assert_eq!(c.heartbeat_responses_sent, 1, "none of those answered");
    assert_eq!(c.bad_heartbeat, base + 5);

    // Rate limit: a burst beyond the per-second budget is not all answered.
    for i in 0..30u8 {
        pair.clients[0]
            .conn
            .queue_raw_heartbeat_for_tests(&valid_request(&[i; 8]));
    }
    step(&mut pair);
    let c = server_counters(&pair);
    // The control request was answered in the same virtual second (the
    // harness does not advance the clock while idle), so 9 of the default
    // budget of 10 responses per second are left for the burst.
    let answered = c.heartbeat_responses_sent - 1;
    assert_eq!(answered, 9, "10 responses per second, one already used");
    assert_eq!(c.bad_heartbeat + c.buffer_full, base + 5 + 21);
}

/// A request in mode peer_not_allowed_to_send is dropped.
#[test]
fn mode_two_refuses_requests() {
    let server_ka = KeepAliveConfig {
        peer_allowed_to_send: false,
        ..keep_alive(600, 2, 3)
    };
    let mut pair = pair_with(server_ka, keep_alive(5, 2, 3), 9);
    pair.drive_more(Duration::from_secs(20)).unwrap();
    // The client learned it may not send, so it does not.
    assert_eq!(pair.clients[0].conn.counters().heartbeat_requests_sent, 0);
    assert_forced_request_refused(&mut pair, b"let me");
}

/// A plaintext heartbeat in epoch 0 is never answered, even before or
/// after the handshake.
#[test]
fn epoch_zero_heartbeat_is_dropped() {
    let mut pair = pair_with(keep_alive(600, 2, 3), keep_alive(600, 2, 3), 10);
    let body = valid_request(b"plaintext");
    let mut record = vec![24u8, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0x10, 0];
    record.extend_from_slice(&(body.len() as u16).to_be_bytes());
    record.extend_from_slice(&body);
    let mut response = vec![0u8; 256];
    let addr = pair.clients[0].addr;
    let now = pair.now;
    pair.server
        .handle_datagram(now, addr, &mut record, &mut response);
    pair.drive().unwrap();
    let c = server_counters(&pair);
    assert_eq!(c.heartbeat_responses_sent, 0);
    assert!(c.bad_heartbeat + c.wrong_epoch >= 1, "{c:?}");
}
