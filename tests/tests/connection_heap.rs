//! Issue 11: what an idle established connection costs the server in heap,
//! and that application records allocate nothing, counted with a global
//! allocator (`stats_alloc`). The counters are process-wide, so the two
//! measurements run in one `#[test]`: with a second test, libtest's main
//! thread reports the first one's result (and allocates) while the second
//! measures. docs/benchmarks.md has the figures from `dtls-bench`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use dtls_core::config::ServerConfig;
use dtls_core::{Connection, DatagramEvent, Endpoint};
use dtls_tests::certs::{KeyKind, client_config, server_config};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 4433);

fn peer(i: u32) -> SocketAddr {
    let [_, b, c, d] = i.to_be_bytes();
    SocketAddr::from(([10, b, c, d], 5000))
}

/// Runs one client's handshake to completion against `server`.
fn handshake(server: &mut Endpoint, client: &mut Connection, addr: SocketAddr, now: Instant) {
    let (mut buf, mut reply) = (vec![0u8; 16_384], vec![0u8; 1_500]);
    for _ in 0..16 {
        while let Some(len) = client.poll_transmit(now, &mut buf) {
            if let DatagramEvent::Respond(n) =
                server.handle_datagram(now, addr, &mut buf[..len], &mut reply)
            {
                client.handle_datagram(now, &mut reply[..n]);
            }
        }
        let mut flight = Vec::new();
        while let Some(t) = server.poll_transmit(now, &mut buf) {
            flight.push(buf[..t.len].to_vec());
        }
        while server.poll_event().is_some() {}
        for mut d in flight {
            client.handle_datagram(now, &mut d);
        }
        if client.is_established() && client.poll_transmit(now, &mut buf).is_none() {
            return;
        }
    }
}

fn endpoint() -> Endpoint {
    let mut config: ServerConfig = server_config(KeyKind::EcdsaP256);
    config.session_cache_capacity = 0;
    Endpoint::new(Arc::new(config)).unwrap()
}

#[test]
fn idle_connections_are_small_and_records_allocate_nothing() {
    an_idle_established_connection_holds_at_most_4_kib();
    application_records_allocate_nothing();
}

fn an_idle_established_connection_holds_at_most_4_kib() {
    let mut server = endpoint();
    let config = Arc::new(client_config());
    let now = Instant::now();
    // Warm up the endpoint's maps past their first growth steps.
    for i in 0..64 {
        let mut client = Connection::client(config.clone(), SERVER, now).unwrap();
        handshake(&mut server, &mut client, peer(i), now);
    }
    let n = 500;
    let region = Region::new(GLOBAL);
    for i in 64..64 + n {
        let mut client = Connection::client(config.clone(), SERVER, now).unwrap();
        handshake(&mut server, &mut client, peer(i), now);
        assert!(client.is_established());
    }
    let change = region.change();
    let per_connection = (change.bytes_allocated - change.bytes_deallocated) / n as usize;
    eprintln!("heap per idle established connection: {per_connection} bytes");
    assert_eq!(server.connection_count(), 64 + n as usize);
    assert!(
        per_connection <= 4096,
        "{per_connection} bytes per connection"
    );
}

fn application_records_allocate_nothing() {
    let mut server = endpoint();
    let now = Instant::now();
    let mut client = Connection::client(Arc::new(client_config()), SERVER, now).unwrap();
    handshake(&mut server, &mut client, peer(1), now);
    let handle = server.lookup(peer(1)).unwrap();
    let (mut wire, mut reply, mut out) = (vec![0u8; 2048], vec![0u8; 256], vec![0u8; 2048]);
    let mut exchange = |client: &mut Connection, server: &mut Endpoint| {
        client.send(now, &[0x42; 1000]).unwrap();
        let len = client.poll_transmit(now, &mut wire).unwrap();
        server.handle_datagram(now, peer(1), &mut wire[..len], &mut reply);
        while server.poll_event().is_some() {}
        assert_eq!(server.recv(handle, &mut out).unwrap(), Some(1000));
    };
    for _ in 0..10 {
        exchange(&mut client, &mut server);
    }
    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        exchange(&mut client, &mut server);
    }
    assert_eq!(
        region.change().allocations,
        0,
        "allocations for 1000 records"
    );
}
