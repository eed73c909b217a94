//! Engine throughput: full handshakes per second and application records
//! per second through the whole path (send -> seal into the transmit buffer
//! -> datagram -> open in place -> recv), client and server in one process
//! with no network. `cargo bench -p dtls-tests --bench engine`.
//! Figures go to docs/benchmarks.md; nothing here asserts timings.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use dtls_crypto::CipherSuite;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

fn handshakes(kind: KeyKind, suite: CipherSuite) -> f64 {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_secs(2) {
        let mut pair = Pair::new(server_config(kind), u64::from(n));
        let mut client = client_config();
        client.common.cipher_suites = vec![suite];
        pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
        pair.drive().unwrap();
        assert!(pair.client_connected(0));
        n += 1;
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn records(suite: CipherSuite, size: usize) -> f64 {
    let mut pair = Pair::new(server_config(KeyKind::EcdsaP256), 1);
    pair.echo = false;
    let mut client = client_config();
    client.common.cipher_suites = vec![suite];
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    let handle = pair.server.handles().next().unwrap();
    let payload = vec![0x42u8; size];
    let mut wire = vec![0u8; 2048];
    let mut response = vec![0u8; 256];
    let mut out = vec![0u8; 2048];
    let addr = pair.clients[0].addr;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..256 {
            let now = pair.now;
            pair.clients[0].conn.send(now, &payload).unwrap();
            let len = pair.clients[0].conn.poll_transmit(now, &mut wire).unwrap();
            let datagram = &mut wire[..len];
            pair.server
                .handle_datagram(now, addr, datagram, &mut response);
            while pair.server.poll_event().is_some() {}
            let got = pair.server.recv(handle, &mut out).unwrap();
            black_box(got);
        }
        n += 256;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    println!(
        "{:<52} {:>12}",
        "full handshakes (client + server, one core)", "per second"
    );
    for (kind, suite) in [
        (
            KeyKind::EcdsaP256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            KeyKind::Ed25519,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ),
        (
            KeyKind::Rsa2048,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ),
    ] {
        println!(
            "{:<52} {:>12.0}",
            format!("{kind:?} {}", suite.name()),
            handshakes(kind, suite)
        );
    }
    println!();
    println!(
        "{:<52} {:>12} {:>10}",
        "application records, client -> server", "records/s", "MB/s"
    );
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        for size in [64usize, 1100] {
            let rate = records(suite, size);
            println!(
                "{:<52} {:>12.0} {:>10.0}",
                format!("{} {size} B", suite.name()),
                rate,
                rate * size as f64 / 1e6
            );
        }
    }
}
