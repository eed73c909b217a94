//! The off-path and half-open rules over real loopback UDP, against the
//! blocking `DtlsServer` that `dtls-echo` runs: clients that pass the
//! cookie exchange and then go silent must not keep a real peer
//! (`openssl s_client`) out.
//!
//! The same rules in virtual time, with exact counts, are in
//! `half_open.rs`, `deadlines.rs` and `offpath.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_tests::certs::KeyKind;
use dtls_tests::interop::{TestServer, require_peer, s_client};
use dtls_tests::udp_client::stall_after_cookie;

/// The bound: a real client completes within this under attack.
const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// A handshake that passes the cookie from a fresh port and goes silent;
/// whether the server started its flight for it.
fn stall(server: SocketAddr) -> bool {
    stall_after_cookie(server, std::net::Ipv4Addr::LOCALHOST.into()).is_some()
}

fn s_client_echoes(port: u16) -> bool {
    let mut client = s_client(port, &[]);
    client.send_line("still reachable");
    let echoed = client.wait_for_line("still reachable", CONNECT_WITHIN);
    let _ = client.finish(Duration::from_secs(2));
    echoed
}

#[test]
fn four_stalled_handshakes_do_not_fill_four_slots() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = TestServer::echo_with(KeyKind::EcdsaP256, |s| {
        s.config("MaxConnections=4").expect("MaxConnections");
    });
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port));
    for _ in 0..4 {
        assert!(stall(addr), "the server answered a cookie-bearing hello");
    }
    assert!(
        s_client_echoes(server.port),
        "with MaxConnections=4 held by stalled handshakes, s_client did not connect within {CONNECT_WITHIN:?}"
    );
}

#[test]
fn a_flood_of_5000_stalled_handshakes_does_not_keep_a_real_client_out() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port));
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || (0..1250).filter(|_| stall(addr)).count()))
        .collect();
    let answered: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    // Each stalled client proved its address; the server worked for it.
    assert!(
        answered > 4_000,
        "only {answered} of 5000 stalls got a flight"
    );
    let started = Instant::now();
    assert!(
        s_client_echoes(server.port),
        "after 5000 stalled handshakes s_client did not connect within {CONNECT_WITHIN:?}"
    );
    assert!(started.elapsed() < CONNECT_WITHIN + Duration::from_secs(1));
}

#[test]
fn the_handshake_timeout_setting_ends_a_stalled_handshake_over_udp() {
    let failed = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut server = dtls_server::DtlsServer::new();
    server
        .set_ssl_cert(dtls_tests::certs::certificate(KeyKind::EcdsaP256))
        .expect("certificate");
    server.config("LocalHost=127.0.0.1").unwrap();
    server.config("HandshakeTimeout=1").unwrap();
    let seen = failed.clone();
    server.set_handler(dtls_server::Handlers {
        on_connected: Some(Box::new(
            move |_, e: &dtls_server::events::ConnectedEvent| {
                seen.lock()
                    .unwrap()
                    .push((Instant::now(), e.status_code, e.description.clone()));
            },
        )),
        ..Default::default()
    });
    server.set_do_events_wait(Duration::from_millis(10));
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    let staller = std::thread::spawn(move || stall(addr));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !staller.is_finished() {
        server.do_events().unwrap();
    }
    assert!(staller.join().unwrap(), "the server answered the stall");
    let stalled_at = Instant::now();
    while Instant::now() < deadline && failed.lock().unwrap().is_empty() {
        server.do_events().unwrap();
    }
    let failed = failed.lock().unwrap().clone();
    let [(at, code, description)] = failed.as_slice() else {
        panic!("expected one failed handshake, saw {failed:?}");
    };
    assert_ne!(*code, 0, "{description}");
    let after = at.duration_since(stalled_at);
    assert!(
        after < Duration::from_secs(3),
        "ended {after:?} after the stall, not at the 1 s deadline ({description})"
    );
    server.shutdown();
}
