//! A flood of cookieless ClientHellos from many source addresses costs the
//! server no memory: answering one with a HelloVerifyRequest allocates
//! nothing, keeps no state, and sends no more bytes than it received
//! (RFC 6347 4.2.1; docs/security.md). Counted with a global allocator
//! (`stats_alloc`), so this binary holds this one test only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::net::SocketAddr;
use std::sync::Arc;

use dtls_core::{Connection, DatagramEvent, Endpoint};
use dtls_tests::certs::{KeyKind, client_config, server_config};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn cookieless_client_hellos_allocate_nothing_and_are_not_amplified() {
    let mut server = Endpoint::new(Arc::new(server_config(KeyKind::EcdsaP256))).unwrap();
    let server_addr: SocketAddr = "192.0.2.1:4433".parse().unwrap();
    let now = std::time::Instant::now();
    let mut client = Connection::client(Arc::new(client_config()), server_addr, now).unwrap();
    let mut hello = vec![0u8; 1500];
    let len = client.poll_transmit(now, &mut hello).unwrap();
    hello.truncate(len);
    let mut datagram = hello.clone();
    let mut response = vec![0u8; 1500];
    // One warm-up answer: lazily built state (the cookie clock) is not the
    // flood's cost.
    let warm: SocketAddr = "198.51.100.1:1".parse().unwrap();
    server.handle_datagram(now, warm, &mut datagram, &mut response);

    // The allocator counts every thread of the process; a stray allocation
    // of the test harness can land inside the window, so the flood runs up
    // to three times and one clean run is required. A hello that allocated
    // would show in every run, thousands of times.
    let (mut bytes_in, mut bytes_out) = (0usize, 0usize);
    let mut runs = Vec::new();
    for run in 0..3u32 {
        let region = Region::new(GLOBAL);
        for i in 0..5_000u32 {
            let i = run * 5_000 + i;
            let peer = SocketAddr::from(([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 40_000));
            datagram.copy_from_slice(&hello);
            bytes_in += datagram.len();
            match server.handle_datagram(now, peer, &mut datagram, &mut response) {
                DatagramEvent::Respond(n) => bytes_out += n,
                other => panic!("a HelloVerifyRequest is due: {other:?}"),
            }
        }
        let stats = region.change();
        runs.push(stats);
        if stats.allocations == 0 {
            break;
        }
    }
    assert!(
        runs.iter().any(|s| s.allocations == 0),
        "allocations over 5,000 hellos, per run: {runs:?}"
    );
    assert_eq!(server.connection_count(), 0, "no state kept");
    assert!(bytes_out <= bytes_in, "{bytes_out} out for {bytes_in} in");
    assert_eq!(
        server.counters().hello_verify_sent,
        1 + 5_000 * runs.len() as u64
    );
}
