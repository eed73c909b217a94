//! Issue 11: the zero-copy paths of a connection. `send_now` seals the
//! caller's bytes straight into the transmit buffer (queueing only when
//! something must go first), and `handle_datagram_with` hands each opened
//! record to the caller by reference, in order with anything queued.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use dtls_core::{Connection, ConnectionHandle, DatagramEvent, Endpoint, Event};
use dtls_tests::certs::{KeyKind, client_config, server_config};

const SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 4433);
const CLIENT: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 5000);

/// An endpoint and a client connection, handshake done.
fn established() -> (Endpoint, ConnectionHandle, Connection, Instant) {
    let now = Instant::now();
    let mut server = Endpoint::new(Arc::new(server_config(KeyKind::EcdsaP256))).unwrap();
    let mut client = Connection::client(Arc::new(client_config()), SERVER, now).unwrap();
    let (mut buf, mut reply) = (vec![0u8; 16_384], vec![0u8; 1_500]);
    for _ in 0..16 {
        while let Some(len) = client.poll_transmit(now, &mut buf) {
            match server.handle_datagram(now, CLIENT, &mut buf[..len], &mut reply) {
                DatagramEvent::Respond(n) => client.handle_datagram(now, &mut reply[..n]),
                DatagramEvent::NewConnection(h) => server.accept(h, now),
                _ => {}
            }
        }
        while let Some(t) = server.poll_transmit(now, &mut buf) {
            client.handle_datagram(now, &mut buf[..t.len]);
        }
        while server.poll_event().is_some() {}
        if client.is_established() && client.poll_transmit(now, &mut buf).is_none() {
            break;
        }
    }
    assert!(client.is_established());
    while client.poll_event().is_some() {}
    let handle = server.lookup(CLIENT).unwrap();
    (server, handle, client, now)
}

/// What the server reads from everything the client has to send.
fn server_reads(server: &mut Endpoint, handle: ConnectionHandle, wire: &mut [u8]) -> Vec<Vec<u8>> {
    let mut reply = [0u8; 256];
    server.handle_datagram(Instant::now(), CLIENT, wire, &mut reply);
    let mut out = vec![0u8; 2048];
    let mut got = Vec::new();
    while let Ok(Some(n)) = server.recv(handle, &mut out) {
        got.push(out[..n].to_vec());
    }
    got
}

#[test]
fn send_now_writes_the_record_without_queueing() {
    let (mut server, handle, mut client, now) = established();
    let mut wire = vec![0u8; 1500];
    let len = client
        .send_now(now, b"straight out", &mut wire)
        .unwrap()
        .unwrap();
    assert!(
        client.poll_transmit(now, &mut vec![0u8; 1500]).is_none(),
        "nothing was queued"
    );
    assert_eq!(
        server_reads(&mut server, handle, &mut wire[..len]),
        [b"straight out".to_vec()]
    );
}

#[test]
fn send_now_keeps_order_behind_queued_messages() {
    let (mut server, handle, mut client, now) = established();
    client.send(now, b"first").unwrap();
    let mut wire = vec![0u8; 1500];
    let len = client.send_now(now, b"second", &mut wire).unwrap().unwrap();
    let mut got = server_reads(&mut server, handle, &mut wire[..len]);
    let len = client.poll_transmit(now, &mut wire).unwrap();
    got.extend(server_reads(&mut server, handle, &mut wire[..len]));
    assert_eq!(got, [b"first".to_vec(), b"second".to_vec()]);
    assert!(client.poll_transmit(now, &mut wire).is_none());
}

#[test]
fn send_now_queues_what_does_not_fit_the_buffer() {
    let (mut server, handle, mut client, now) = established();
    let mut small = vec![0u8; 64];
    assert_eq!(client.send_now(now, &[7u8; 200], &mut small).unwrap(), None);
    let mut wire = vec![0u8; 1500];
    let len = client.poll_transmit(now, &mut wire).unwrap();
    assert_eq!(
        server_reads(&mut server, handle, &mut wire[..len]),
        [vec![7u8; 200]]
    );
}

#[test]
fn send_now_refuses_as_send_does() {
    let now = Instant::now();
    let mut client = Connection::client(Arc::new(client_config()), SERVER, now).unwrap();
    let mut wire = vec![0u8; 1500];
    assert!(client.send_now(now, b"early", &mut wire).is_err());
}

#[test]
fn handle_datagram_with_hands_records_over_in_order() {
    let (mut server, handle, mut client, now) = established();
    let mut wire = vec![0u8; 1500];
    let mut out = vec![0u8; 64];
    let mut record_from_server = |msg: &[u8], wire: &mut Vec<u8>| {
        server.send(handle, now, msg).unwrap();
        server.poll_transmit(now, wire).unwrap().len
    };
    // "one" is queued for recv by the usual path.
    let len = record_from_server(b"one", &mut wire);
    client.handle_datagram(now, &mut wire[..len]);
    // "two" waits behind it, though handed in with a callback.
    let len = record_from_server(b"two", &mut wire);
    let mut seen: Vec<Vec<u8>> = Vec::new();
    client.handle_datagram_with(now, &mut wire[..len], |d| seen.push(d.to_vec()));
    assert!(seen.is_empty(), "queued behind the unread message");
    let n = client.recv(&mut out).unwrap().unwrap();
    assert_eq!(&out[..n], b"one");
    let n = client.recv(&mut out).unwrap().unwrap();
    assert_eq!(&out[..n], b"two");
    while client.poll_event().is_some() {}
    // With nothing queued, "three" goes straight to the callback.
    let len = record_from_server(b"three", &mut wire);
    client.handle_datagram_with(now, &mut wire[..len], |d| seen.push(d.to_vec()));
    assert_eq!(seen, [b"three".to_vec()]);
    assert_eq!(client.recv(&mut out).unwrap(), None);
    assert!(
        !std::iter::from_fn(|| client.poll_event()).any(|e| matches!(e, Event::DataReadable)),
        "a record handed over by reference raises no DataReadable"
    );
}

#[test]
fn the_endpoint_hands_records_over_with_their_connection() {
    let (mut server, handle, mut client, now) = established();
    let mut wire = vec![0u8; 1500];
    let len = client
        .send_now(now, b"by reference", &mut wire)
        .unwrap()
        .unwrap();
    let mut reply = [0u8; 256];
    let mut seen = Vec::new();
    server.handle_datagram_with(now, CLIENT, &mut wire[..len], &mut reply, |h, d| {
        seen.push((h, d.to_vec()));
    });
    assert_eq!(seen, [(handle, b"by reference".to_vec())]);
    let mut out = [0u8; 64];
    assert_eq!(
        server.recv(handle, &mut out).unwrap(),
        None,
        "not queued too"
    );
    assert!(
        !std::iter::from_fn(|| server.poll_event()).any(|(_, e)| matches!(e, Event::DataReadable)),
        "no DataReadable for what the callback took"
    );
}

#[test]
fn the_endpoint_seals_straight_into_the_callers_buffer() {
    let (mut server, handle, mut client, now) = established();
    let mut wire = vec![0u8; 1500];
    let counted = server.stats().datagrams_out;
    let t = server
        .send_now(handle, now, b"from the endpoint", &mut wire)
        .unwrap()
        .expect("sent at once");
    assert_eq!((t.destination, t.connection), (CLIENT, handle));
    assert!(
        server.poll_transmit(now, &mut vec![0u8; 1500]).is_none(),
        "nothing queued"
    );
    let mut seen = Vec::new();
    client.handle_datagram_with(now, &mut wire[..t.len], |d| seen.push(d.to_vec()));
    assert_eq!(seen, [b"from the endpoint".to_vec()]);
    assert_eq!(server.stats().datagrams_out, counted + 1, "counted as sent");
}
