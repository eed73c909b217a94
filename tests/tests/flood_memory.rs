//! Memory under a flood, over real loopback UDP (docs/security.md, "Memory
//! budget"): 5,000 handshakes from 500 addresses pass the cookie, then each
//! sends the first byte of two handshake messages declaring 60,000 bytes,
//! asking the server to buffer 600 MB in all. The server's peer buffers stay
//! within half of `PeerBufferBudget`, its resident memory grows by at most
//! the documented bound, a real client still connects, and after the
//! handshake deadline the table is empty.
//!
//! One test in its own binary, so the process's peak RSS is this test's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use dtls_core::config::ClientConfig;
use dtls_server::DtlsServer;
use dtls_tests::certs::{KeyKind, certificate};
use dtls_tests::udp_client::{UdpClient, stall_after_cookie};

const BUDGET: usize = 16 * 1024 * 1024;
const MAX_HALF_OPEN: usize = 1000;
/// What one handshake under way may cost beyond its peer buffers (the
/// connection, our flight, the transcript): the documented bound.
const PER_HANDSHAKE: usize = 24 * 1024;

/// A record holding the first byte of handshake message `seq` (a
/// Certificate) that declares 60,000 bytes.
fn hog_fragment(seq: u16) -> Vec<u8> {
    let mut body = vec![11, 0x00, 0xEA, 0x60];
    body.extend_from_slice(&seq.to_be_bytes());
    body.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0x30]);
    let mut record = vec![22, 0xFE, 0xFD, 0, 0];
    record.extend_from_slice(&(1_000 + u64::from(seq)).to_be_bytes()[2..]);
    record.extend_from_slice(&(body.len() as u16).to_be_bytes());
    record.extend_from_slice(&body);
    record
}

/// Peak and current resident set of this process, in bytes.
fn rss() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<usize>().ok())
            .expect(name)
            * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[test]
fn a_reassembly_flood_stays_within_the_memory_budget() {
    let mut server = DtlsServer::new();
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .expect("certificate");
    server.config("LocalHost=127.0.0.1").unwrap();
    server.config("HandshakeTimeout=3").unwrap();
    server
        .config(&format!("PeerBufferBudget={BUDGET}"))
        .unwrap();
    server
        .config(&format!("MaxHalfOpen={MAX_HALF_OPEN}"))
        .unwrap();
    server.set_do_events_wait(Duration::from_millis(1));
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    server.do_events().unwrap();
    let (_, baseline) = rss();

    let flooders: Vec<_> = (0..4u8)
        .map(|t| {
            std::thread::spawn(move || {
                let mut answered = 0;
                for i in 0..1250u16 {
                    let from = IpAddr::V4(Ipv4Addr::new(127, 1 + t, (i % 125) as u8, 2));
                    if let Some(socket) = stall_after_cookie(addr, from) {
                        answered += 1;
                        for seq in 2..4 {
                            let _ = socket.send(&hog_fragment(seq));
                        }
                    }
                }
                answered
            })
        })
        .collect();
    let (mut peak_buffered, mut peak_half_open) = (0, 0);
    while !flooders.iter().all(|f| f.is_finished()) {
        server.do_events().unwrap();
        let stats = server.stats();
        peak_buffered = peak_buffered.max(stats.engine.buffered_bytes);
        peak_half_open = peak_half_open.max(stats.engine.half_open);
    }
    let answered: usize = flooders.into_iter().map(|f| f.join().unwrap()).sum();
    for _ in 0..50 {
        server.do_events().unwrap();
    }
    let (peak_rss, _) = rss();
    let growth = peak_rss.saturating_sub(baseline);
    let stats = server.stats();
    eprintln!(
        "answered {answered}, peak half-open {peak_half_open}, peak buffered {peak_buffered}, \
         RSS growth {} KiB, {stats:?}",
        growth / 1024
    );
    assert!(
        answered > 4_000,
        "only {answered} of 5000 stalls got a flight"
    );
    assert!(peak_buffered > BUDGET / 4, "the flood did fill reassembly");
    assert!(
        peak_buffered <= BUDGET / 2,
        "peer buffers held {peak_buffered}"
    );
    assert!(peak_half_open <= MAX_HALF_OPEN);
    let bound = BUDGET / 2 + MAX_HALF_OPEN * PER_HANDSHAKE;
    assert!(
        growth <= bound,
        "RSS grew {growth} bytes, over the documented {bound}"
    );

    let mut client = UdpClient::new(addr, ClientConfig::default());
    let started = Instant::now();
    while !client.connected() && started.elapsed() < Duration::from_secs(5) {
        client.pump();
        server.do_events().unwrap();
    }
    assert!(
        client.connected(),
        "a real client connected after the flood"
    );

    let deadline = Instant::now() + Duration::from_secs(6);
    while Instant::now() < deadline && server.stats().engine.connections > 1 {
        client.pump();
        server.do_events().unwrap();
    }
    let stats = server.stats();
    assert_eq!(stats.engine.half_open, 0, "{stats:?}");
    assert_eq!(
        stats.engine.connections, 1,
        "only the real client is left: {stats:?}"
    );
    assert_eq!(stats.engine.buffered_bytes, 0, "{stats:?}");
    server.shutdown();
}
