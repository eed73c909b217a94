//! Our engine in memory: a server `Endpoint` and client `Connection`s
//! exchanging datagrams with no socket, so the figures are CPU alone. The
//! server's share is timed around its own calls only.

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_core::config::{ClientConfig, Identity, ServerConfig};
use dtls_core::{Connection, DatagramEvent, Endpoint, Event};
use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use crate::floor::{mbps, per_op_us};

/// The allocator every figure's allocation counts come from.
pub static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const SUITE: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
/// The server's address, as the clients see it.
pub const SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 4433);

/// Configs for ECDHE with `group`, ECDSA P-256, AES-128-GCM.
pub fn configs(group: NamedGroup) -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])
        .unwrap_or_else(|e| panic!("certificate: {e}"));
    let identity = Identity::from_certificate(&cert).unwrap_or_else(|e| panic!("identity: {e}"));
    let mut server = ServerConfig::new(identity);
    server.common.cipher_suites = vec![SUITE];
    server.common.groups = vec![group];
    server.session_cache_capacity = 0;
    server.session_tickets = false;
    server.max_connections = 1_000_000;
    let mut client = ClientConfig::default();
    client.common.cipher_suites = vec![SUITE];
    client.common.groups = vec![group];
    // One record per send of any size up to 2^14 (IP fragments larger
    // datagrams), as DtlsServer does without DontFragment.
    client.common.application_records_fit_mtu = false;
    server.common.application_records_fit_mtu = false;
    (Arc::new(server), Arc::new(client))
}

/// A distinct client address per `i`, each its own source IP (so the
/// per-source cap on handshakes under way never binds).
pub fn peer(i: u32) -> SocketAddr {
    let [_, b, c, d] = i.to_be_bytes();
    SocketAddr::from(([10, b, c, d], 5000))
}

/// One handshake of a new client at `addr`; the time spent in server calls.
pub fn handshake(
    server: &mut Endpoint,
    client: &mut Connection,
    addr: SocketAddr,
    now: Instant,
) -> Duration {
    let mut buf = vec![0u8; 16_384];
    let mut reply = vec![0u8; 1_500];
    let mut in_server = Duration::ZERO;
    for _ in 0..16 {
        while let Some(len) = client.poll_transmit(now, &mut buf) {
            let t = Instant::now();
            let event = server.handle_datagram(now, addr, &mut buf[..len], &mut reply);
            in_server += t.elapsed();
            if let DatagramEvent::Respond(n) = event {
                client.handle_datagram(now, &mut reply[..n]);
            }
        }
        let t = Instant::now();
        let mut flight = Vec::new();
        while let Some(transmit) = server.poll_transmit(now, &mut buf) {
            flight.push(buf[..transmit.len].to_vec());
        }
        while server.poll_event().is_some() {}
        in_server += t.elapsed();
        for mut datagram in flight {
            client.handle_datagram(now, &mut datagram);
        }
        if client.is_established() && client.poll_transmit(now, &mut buf).is_none() {
            break;
        }
    }
    in_server
}

/// Server and total microseconds per full handshake (cookie exchange
/// included), over `n` clients.
pub fn handshake_us(group: NamedGroup, n: u32) -> (f64, f64) {
    let (server_config, client_config) = configs(group);
    let mut server = Endpoint::new(server_config).unwrap_or_else(|e| panic!("{e}"));
    let now = Instant::now();
    let mut in_server = Duration::ZERO;
    let start = Instant::now();
    for i in 0..n {
        let mut client = Connection::client(client_config.clone(), SERVER, now)
            .unwrap_or_else(|e| panic!("{e}"));
        in_server += handshake(&mut server, &mut client, peer(i), now);
        assert!(client.is_established(), "handshake {i} did not complete");
    }
    (per_op_us(in_server, n), per_op_us(start.elapsed(), n))
}

/// An established pair: the server, the client, its address, its handle.
fn established() -> (
    Endpoint,
    Connection,
    SocketAddr,
    dtls_core::ConnectionHandle,
) {
    let (server_config, client_config) = configs(NamedGroup::X25519);
    let mut server = Endpoint::new(server_config).unwrap_or_else(|e| panic!("{e}"));
    let now = Instant::now();
    let mut client =
        Connection::client(client_config, SERVER, now).unwrap_or_else(|e| panic!("{e}"));
    handshake(&mut server, &mut client, peer(1), now);
    let handle = server
        .lookup(peer(1))
        .unwrap_or_else(|| panic!("no connection"));
    (server, client, peer(1), handle)
}

/// What records cost: payload MB/s one way through send, seal, open and
/// recv, and allocations per record on each side.
pub struct RecordFigures {
    /// Payload megabytes per second.
    pub mbps: f64,
    /// Allocations per record on the sending side (send + poll_transmit).
    pub allocs_send: f64,
    /// Allocations per record on the receiving side (handle_datagram,
    /// poll_event, recv).
    pub allocs_receive: f64,
}

/// How records go through the engine.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RecordPath {
    /// `send` + `poll_transmit`, then `handle_datagram` + `recv`: one copy
    /// into the send queue, one into the receive queue, one out of it.
    Queued,
    /// `send_now` (sealed straight into the transmit buffer), then
    /// `handle_datagram_with` (handed over in place): no copy but the
    /// plaintext into the record before sealing.
    ZeroCopy,
}

/// One-way records of `size` bytes, client to server, for `duration`.
pub fn records(size: usize, duration: Duration, path: RecordPath) -> RecordFigures {
    let (mut server, mut client, addr, handle) = established();
    let payload = vec![0x42u8; size];
    assert!(client.is_established(), "the record pair is connected");
    {
        let mut probe = vec![0u8; 20_000];
        let sent = client.send(Instant::now(), &payload);
        let len = client.poll_transmit(Instant::now(), &mut probe);
        assert!(
            sent.is_ok() && len.is_some_and(|n| n > size),
            "{sent:?} {len:?}"
        );
    }
    let (mut wire, mut reply, mut out) = (vec![0u8; 20_000], vec![0u8; 256], vec![0u8; 20_000]);
    let now = Instant::now();
    let mut one = |server: &mut Endpoint,
                   client: &mut Connection,
                   send_allocs: &mut u64,
                   recv_allocs: &mut u64| {
        let region = Region::new(GLOBAL);
        let len = if path == RecordPath::ZeroCopy {
            client.send_now(now, &payload, &mut wire).ok().flatten()
        } else {
            let _ = client.send(now, &payload);
            client.poll_transmit(now, &mut wire)
        };
        let len = len.unwrap_or(0);
        *send_allocs += region.change().allocations as u64;
        let region = Region::new(GLOBAL);
        if path == RecordPath::ZeroCopy {
            server.handle_datagram_with(now, addr, &mut wire[..len], &mut reply, |_, data| {
                black_box(data.first());
            });
        } else {
            server.handle_datagram(now, addr, &mut wire[..len], &mut reply);
        }
        while let Some((_, event)) = server.poll_event() {
            black_box(event == Event::DataReadable);
        }
        if path == RecordPath::Queued {
            black_box(server.recv(handle, &mut out).ok());
        }
        *recv_allocs += region.change().allocations as u64;
    };
    let (mut send_allocs, mut recv_allocs) = (0u64, 0u64);
    for _ in 0..100 {
        one(&mut server, &mut client, &mut send_allocs, &mut recv_allocs);
    }
    let (mut send_allocs, mut recv_allocs) = (0u64, 0u64);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..256 {
            one(&mut server, &mut client, &mut send_allocs, &mut recv_allocs);
        }
        n += 256;
    }
    let elapsed = start.elapsed();
    RecordFigures {
        mbps: mbps(n * size as u64, elapsed),
        allocs_send: send_allocs as f64 / n as f64,
        allocs_receive: recv_allocs as f64 / n as f64,
    }
}

/// Allocations per cookieless ClientHello (the stateless path), from
/// `n` distinct addresses.
pub fn allocations_per_cookieless_hello(n: u32) -> f64 {
    let (server_config, client_config) = configs(NamedGroup::X25519);
    let mut server = Endpoint::new(server_config).unwrap_or_else(|e| panic!("{e}"));
    let now = Instant::now();
    let mut client =
        Connection::client(client_config, SERVER, now).unwrap_or_else(|e| panic!("{e}"));
    let mut hello = vec![0u8; 2048];
    let len = client.poll_transmit(now, &mut hello).unwrap_or(0);
    let hello = hello[..len].to_vec();
    let (mut datagram, mut reply) = (vec![0u8; len], vec![0u8; 1_500]);
    // Warm up (the first datagram starts the cookie clock).
    datagram.copy_from_slice(&hello);
    server.handle_datagram(now, peer(0), &mut datagram, &mut reply);
    let region = Region::new(GLOBAL);
    for i in 1..=n {
        datagram.copy_from_slice(&hello);
        black_box(server.handle_datagram(now, peer(i), &mut datagram, &mut reply));
    }
    region.change().allocations as f64 / f64::from(n)
}

/// Heap bytes the server holds per idle established connection (session
/// cache off), and per handshake under way, over `n` of each.
pub fn heap_per_connection(n: u32) -> (f64, f64) {
    let (server_config, client_config) = configs(NamedGroup::X25519);
    let mut server = Endpoint::new(server_config).unwrap_or_else(|e| panic!("{e}"));
    let now = Instant::now();
    let live = |r: &Region<'_, std::alloc::System>| {
        let c = r.change();
        // stats_alloc already counts reallocations in both totals.
        c.bytes_allocated as f64 - c.bytes_deallocated as f64
    };
    let region = Region::new(GLOBAL);
    for i in 0..n {
        let mut client = Connection::client(client_config.clone(), SERVER, now)
            .unwrap_or_else(|e| panic!("{e}"));
        handshake(&mut server, &mut client, peer(i), now);
    }
    let established = live(&region) / f64::from(n);

    let region = Region::new(GLOBAL);
    let (mut buf, mut reply) = (vec![0u8; 16_384], vec![0u8; 1_500]);
    for i in n..2 * n {
        let mut client = Connection::client(client_config.clone(), SERVER, now)
            .unwrap_or_else(|e| panic!("{e}"));
        // Hello, HelloVerifyRequest, hello with the cookie, the server's
        // flight: then the client goes silent.
        for _ in 0..2 {
            while let Some(len) = client.poll_transmit(now, &mut buf) {
                if let DatagramEvent::Respond(r) =
                    server.handle_datagram(now, peer(i), &mut buf[..len], &mut reply)
                {
                    client.handle_datagram(now, &mut reply[..r]);
                }
            }
        }
        while server.poll_transmit(now, &mut buf).is_some() {}
    }
    let half_open = live(&region) / f64::from(n);
    black_box(&server);
    // For a heap profiler (heaptrack): keep the connections alive to the
    // end so they show as what the process still holds.
    if std::env::var_os("DTLS_BENCH_KEEP_CONNECTIONS").is_some() {
        std::mem::forget(server);
    }
    (established, half_open)
}
