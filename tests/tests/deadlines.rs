//! Every connection has a deadline (docs/security.md): a handshake that
//! stalls ends at the handshake deadline however it stalls, and durations
//! too large for `Instant` mean "never" instead of a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::stall_after_cookie;
use dtls_core::{Event, StatusCode};
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

const DEADLINE: Duration = Duration::from_secs(20);

fn handshake_failures(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::HandshakeFailed(s) if s.code == StatusCode::HandshakeError => {
                Some(s.description.clone())
            }
            _ => None,
        })
        .collect()
}

/// The client proves its address with the cookie, then sends only the
/// first half of that ClientHello and falls silent. The server holds a
/// connection reassembling a message that never completes; it has sent no
/// flight, so no retransmission timer runs. The handshake deadline ends it.
#[test]
fn a_handshake_stalled_in_mid_client_hello_ends_at_the_deadline() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.handshake_timeout = Some(DEADLINE);
    let mut pair = Pair::new(server, 11);
    let mut client = client_config();
    client.common.handshake_timeout = None;
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.clients[i].up_filter = Some(stall_after_cookie());
    pair.drive_for(DEADLINE - Duration::from_secs(1)).unwrap();
    assert!(
        pair.server_conn(i).is_some(),
        "the cookie verified from the first fragment: a connection exists"
    );
    pair.drive_for(Duration::from_secs(300)).unwrap();
    assert!(
        pair.server_conn(i).is_none(),
        "the stalled handshake is gone"
    );
    let failures = handshake_failures(&pair.server_events_of(i));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("deadline"), "{failures:?}");
}

/// A huge idle timeout and handshake timeout cannot overflow `Instant`: the
/// handshake completes and the connection simply never times out.
#[test]
fn durations_beyond_instant_mean_never() {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.handshake_timeout = Some(Duration::MAX);
    server.common.idle_timeout = Some(Duration::MAX);
    let mut pair = Pair::new(server, 12);
    let mut client = client_config();
    client.common.handshake_timeout = Some(Duration::MAX);
    client.common.idle_timeout = Some(Duration::MAX);
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    pair.assert_connected(0);
    pair.assert_only_echo(0, b"still here");
    let conn = pair.server_conn(0).unwrap();
    assert_eq!(conn.poll_timeout(), None, "no deadline is due ever");
}
