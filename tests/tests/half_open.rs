//! Caps on handshakes under way (docs/security.md): peers that pass the
//! cookie and then stall cannot keep a legitimate client out. At a cap the
//! oldest half-open handshake yields; established connections never do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{plain_fragments, plain_record, stall_after_cookie};
use dtls_core::config::ServerConfig;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::{Filter, Pair};

/// Adds `n` clients that stall right after the cookie exchange.
fn add_stalled(pair: &mut Pair, n: usize) {
    for _ in 0..n {
        let mut client = client_config();
        client.common.handshake_timeout = None;
        let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.clients[i].up_filter = Some(stall_after_cookie());
    }
}

fn add_legit(pair: &mut Pair) -> usize {
    pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT)
}

/// 3,000 stalled handshakes against a cap of 1,000: the table never holds
/// more than the cap, the oldest yield, and a real client then connects
/// with no retransmission.
#[test]
fn a_client_connects_past_thousands_of_stalled_handshakes() {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 31);
    add_stalled(&mut pair, 3000);
    pair.drive_for(Duration::from_secs(2)).unwrap();
    assert_eq!(pair.server.connection_count(), 1000);
    assert_eq!(pair.server.counters().evicted_half_open, 2000);
    let legit = add_legit(&mut pair);
    pair.drive_more(Duration::from_secs(2)).unwrap();
    pair.assert_connected(legit);
    assert_eq!(pair.clients[legit].conn.counters().retransmissions, 0);
    assert!(pair.server.connection_count() <= 1000);
    pair.assert_only_echo(legit, b"through the flood");
}

/// With `max_connections` 4 and four stalled handshakes, a real client
/// connects at once; with four established connections instead, a fifth
/// client is refused and no established connection is evicted.
#[test]
fn at_max_connections_a_stalled_handshake_yields_an_established_one_never() {
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.max_connections = 4;
    let mut pair = Pair::new(config.clone(), 32);
    add_stalled(&mut pair, 4);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    assert_eq!(pair.server.connection_count(), 4);
    let legit = add_legit(&mut pair);
    pair.drive_more(Duration::from_secs(1)).unwrap();
    pair.assert_connected(legit);
    assert_eq!(pair.server.counters().evicted_half_open, 1);

    let mut pair = Pair::new(config, 33);
    let established: Vec<usize> = (0..4).map(|_| add_legit(&mut pair)).collect();
    pair.drive_for(Duration::from_secs(2)).unwrap();
    assert!(established.iter().all(|&i| pair.client_connected(i)));
    let late = add_legit(&mut pair);
    pair.drive_more(Duration::from_secs(5)).unwrap();
    assert!(!pair.client_connected(late));
    assert!(pair.server.counters().refused > 0);
    assert_eq!(pair.server.counters().evicted_half_open, 0);
    assert!(established.iter().all(|&i| pair.client_connected(i)));
    for i in established {
        pair.assert_only_echo(i, b"kept");
    }
}

/// One source address (many ports) cannot hold more than its share: its
/// own oldest handshakes yield, and a client from another address is not
/// touched.
#[test]
fn one_source_address_is_capped_on_its_own() {
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.max_half_open_per_source = 4;
    let mut pair = Pair::new(config, 34);
    let other = pair.add_client(client_config(), LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.clients[other].up_filter = Some(stall_after_cookie());
    add_stalled(&mut pair, 10);
    for (n, c) in pair.clients.iter_mut().skip(1).enumerate() {
        c.addr = SocketAddr::from(([10, 9, 9, 9], 6000 + n as u16));
    }
    pair.drive_for(Duration::from_secs(2)).unwrap();
    assert_eq!(pair.server.connection_count(), 1 + 4);
    assert_eq!(pair.server.counters().evicted_half_open, 6);
    assert!(
        pair.server_conn(other).is_some(),
        "the other source kept its place"
    );
}

/// An up filter that passes the cookie exchange and the ClientHello, then,
/// instead of the client's second flight, sends the first byte of two
/// handshake messages declaring 60,000 bytes each: three small datagrams
/// that ask the server to buffer 120 kB for a handshake that never ends.
fn hog_reassembly() -> Filter {
    let mut hellos = 0;
    Box::new(move |d| {
        if plain_fragments(&d).iter().any(|f| f.0 == 1) {
            hellos += 1;
            return vec![d];
        }
        if hellos < 2 {
            return vec![d];
        }
        if hellos == 2 {
            hellos += 1;
            return (2u16..4)
                .map(|seq| {
                    let mut body = vec![11, 0x00, 0xEA, 0x60];
                    body.extend_from_slice(&seq.to_be_bytes());
                    body.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0x30]);
                    plain_record(22, 0, 1_000 + u64::from(seq), &body)
                })
                .collect();
        }
        vec![]
    })
}

/// Handshakes that make the server buffer all they can stay within half of
/// `peer_buffer_budget` however many there are: the oldest yield to newer
/// ones, an established connection keeps receiving, a real client still
/// connects, and after the handshake deadline nothing is held or left.
#[test]
fn handshakes_filling_reassembly_stay_within_the_shared_budget() {
    let budget = 1024 * 1024;
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.peer_buffer_budget = budget;
    config.common.handshake_timeout = Some(Duration::from_secs(10));
    let mut pair = Pair::new(config, 35);
    let established = add_legit(&mut pair);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    pair.assert_connected(established);
    for _ in 0..40 {
        let mut client = client_config();
        client.common.handshake_timeout = None;
        let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.clients[i].up_filter = Some(hog_reassembly());
    }
    let mut peak = 0;
    for _ in 0..20 {
        pair.drive_more(Duration::from_millis(100)).unwrap();
        peak = peak.max(pair.server.buffered_bytes());
    }
    assert!(peak > budget / 4, "the hogs did fill reassembly: {peak}");
    assert!(
        peak <= budget / 2,
        "handshakes held {peak} of a {budget} budget"
    );

    let legit = add_legit(&mut pair);
    pair.drive_more(Duration::from_secs(1)).unwrap();
    pair.assert_connected(legit);
    assert_eq!(
        pair.server.counters().evicted_half_open,
        1,
        "one hog made room"
    );
    assert!(pair.server.buffered_bytes() <= budget / 2);

    // Both echoes run until idle: past every hog's deadline.
    pair.assert_only_echo(established, b"still served");
    pair.assert_only_echo(legit, b"through the hogs");
    assert_eq!(pair.server.half_open_count(), 0);
    assert_eq!(
        pair.server.connection_count(),
        2,
        "only the two real clients"
    );
    assert_eq!(pair.server.buffered_bytes(), 0);
}

/// The endpoint-wide snapshot counts how handshakes ended, the records of
/// connections gone as well as live ones, and renders as Prometheus text.
#[test]
fn endpoint_stats_add_up_and_render_for_prometheus() {
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.max_connections = 1;
    let mut pair = Pair::new(config, 36);
    add_stalled(&mut pair, 1);
    pair.drive_for(Duration::from_secs(1)).unwrap();
    let legit = add_legit(&mut pair);
    pair.drive_more(Duration::from_secs(1)).unwrap();
    pair.assert_only_echo(legit, b"counted");
    let stats = pair.server.stats();
    assert_eq!(stats.connections, 1);
    assert_eq!(stats.half_open, 0);
    assert_eq!(stats.endpoint.connections_created, 2);
    assert_eq!(stats.handshakes_completed, 1);
    assert_eq!(
        stats.handshakes_failed,
        [0, 0, 0, 1, 0, 0],
        "the evicted one: 403"
    );
    assert_eq!(
        (stats.records.records_in, stats.records.records_out),
        (1, 1)
    );
    assert!(stats.bytes_in > 0 && stats.bytes_out > 0 && stats.datagrams_out > 0);
    let text = stats.to_prometheus("dtls");
    for line in [
        "# TYPE dtls_handshakes_failed_total counter",
        "dtls_handshakes_failed_total{code=\"403\"} 1",
        "dtls_handshakes_completed_total 1",
        "dtls_connections{state=\"established\"} 1",
        "dtls_records_total{direction=\"in\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line} missing from:\n{text}"
        );
    }
}
