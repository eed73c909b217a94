//! Admission in the sans-IO engine (dtls-core/src/endpoint/admission.rs):
//! the application decides on a verified peer before any handshake work,
//! once per attempt, and every refusal of a verified peer is an alert.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_core::config::ServerConfig;
use dtls_core::{Connection, DatagramEvent, Endpoint, Refusal};
use dtls_tests::certs::{KeyKind, client_config, server_config};

/// A fatal access_denied alert at epoch 0.
const ACCESS_DENIED: [u8; 2] = [2, 49];

/// Everything the endpoint has to send now.
fn transmits(endpoint: &mut Endpoint, now: Instant) -> Vec<Vec<u8>> {
    let mut buf = vec![0u8; 16_384];
    let mut out = Vec::new();
    while let Some(t) = endpoint.poll_transmit(now, &mut buf) {
        out.push(buf[..t.len].to_vec());
    }
    out
}

/// Sends the client's pending datagrams to the endpoint; the last event.
fn to_server(
    from: SocketAddr,
    client: &mut Connection,
    endpoint: &mut Endpoint,
    now: Instant,
) -> (DatagramEvent, Vec<u8>) {
    let mut buf = vec![0u8; 16_384];
    let mut response = vec![0u8; 1500];
    let mut last = (DatagramEvent::Consumed, Vec::new());
    while let Some(n) = client.poll_transmit(now, &mut buf) {
        let event = endpoint.handle_datagram(now, from, &mut buf[..n], &mut response);
        let reply = match event {
            DatagramEvent::Respond(r) | DatagramEvent::Refused { respond: r, .. } => {
                response[..r].to_vec()
            }
            _ => Vec::new(),
        };
        last = (event, reply);
    }
    last
}

/// A client past the cookie exchange: the endpoint has just been handed
/// its cookie-bearing ClientHello.
fn proven_client(
    endpoint: &mut Endpoint,
    now: Instant,
    port: u16,
) -> (Connection, DatagramEvent, Vec<u8>) {
    let from = SocketAddr::from(([127, 0, 0, 1], port));
    let mut client = Connection::client(
        Arc::new(client_config()),
        SocketAddr::from(([127, 0, 0, 1], 4433)),
        now,
    )
    .unwrap();
    let (event, mut hvr) = to_server(from, &mut client, endpoint, now);
    assert!(matches!(event, DatagramEvent::Respond(_)));
    client.handle_datagram(now, &mut hvr);
    let (event, reply) = to_server(from, &mut client, endpoint, now);
    (client, event, reply)
}

#[test]
fn a_rejected_peer_costs_no_handshake_and_is_asked_about_once() {
    let now = Instant::now();
    let mut endpoint = Endpoint::new(Arc::new(server_config(KeyKind::EcdsaP256))).unwrap();
    let (mut client, event, _) = proven_client(&mut endpoint, now, 5000);
    let DatagramEvent::NewConnection(handle) = event else {
        panic!("{event:?}");
    };
    endpoint.reject(handle);
    let sent = transmits(&mut endpoint, now);
    assert_eq!(
        sent.len(),
        1,
        "only the alert, no ServerHello flight: {sent:?}"
    );
    assert_eq!(sent[0].len(), 15);
    assert_eq!(sent[0][0], 21, "an alert record");
    assert_eq!(&sent[0][13..], &ACCESS_DENIED);

    // The client never saw the alert: it retransmits the same ClientHello.
    let later = now + Duration::from_secs(1);
    client.handle_timeout(later);
    let (event, reply) = to_server(
        SocketAddr::from(([127, 0, 0, 1], 5000)),
        &mut client,
        &mut endpoint,
        later,
    );
    assert_eq!(
        event,
        DatagramEvent::Refused {
            reason: Refusal::RefusedBefore,
            respond: 15
        }
    );
    assert_eq!(&reply[13..], &ACCESS_DENIED);
    assert_eq!(
        endpoint.counters().connections_created,
        1,
        "no second connection"
    );
    assert_eq!(endpoint.connection_count(), 0);
}

#[test]
fn an_accepted_peer_starts_its_handshake_only_when_accepted() {
    let now = Instant::now();
    let mut endpoint = Endpoint::new(Arc::new(server_config(KeyKind::EcdsaP256))).unwrap();
    let (_client, event, _) = proven_client(&mut endpoint, now, 5001);
    let DatagramEvent::NewConnection(handle) = event else {
        panic!("{event:?}");
    };
    assert!(
        endpoint.poll_timeout().is_some(),
        "its handshake deadline runs"
    );
    endpoint.accept(handle, now);
    let sent = transmits(&mut endpoint, now);
    assert!(!sent.is_empty());
    assert_eq!(sent[0][0], 22, "the server's flight");
    assert_eq!(sent[0][13], 2, "a ServerHello");
}

#[test]
fn refusals_of_verified_peers_are_alerts_with_the_reason() {
    let now = Instant::now();
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.max_connections = 1;
    let mut endpoint = Endpoint::new(Arc::new(config)).unwrap();
    let (_first, event, _) = proven_client(&mut endpoint, now, 5002);
    assert!(matches!(event, DatagramEvent::NewConnection(_)));
    // A half-open handshake gives way to a newer client...
    let (_second, event, _) = proven_client(&mut endpoint, now, 5003);
    assert!(matches!(event, DatagramEvent::NewConnection(_)));
    assert_eq!(endpoint.counters().evicted_half_open, 1);

    // ...but while not accepting, a proven peer gets an alert and a reason.
    endpoint.set_accepting(false);
    let (_third, event, reply) = proven_client(&mut endpoint, now, 5004);
    assert_eq!(
        event,
        DatagramEvent::Refused {
            reason: Refusal::NotAccepting,
            respond: 15
        }
    );
    assert_eq!(&reply[13..], &ACCESS_DENIED);
    assert_eq!(endpoint.counters().refused, 1);
}
