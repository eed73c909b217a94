//! Issue 10, over real loopback UDP through `DtlsServer`: a refused client
//! is told at once (a fatal alert once its address is proven), the server
//! says why in a Log line and counts it, ConnectionRequest fires once per
//! attempt, and a connection reports the interface address it came in on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_server::events::{ConnectionRequestEvent, LogEvent};
use dtls_server::{DtlsServer, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config};
use dtls_tests::udp_client::UdpClient;

#[derive(Default)]
struct Seen {
    logs: Vec<(u8, String)>,
    requests: usize,
}

struct Recorder {
    seen: Arc<Mutex<Seen>>,
    refuse: bool,
}

impl ServerHandler for Recorder {
    fn on_log(&mut self, _s: &mut DtlsServer, e: &LogEvent) {
        self.seen
            .lock()
            .unwrap()
            .logs
            .push((e.log_level, e.message.clone()));
    }
    fn on_connection_request(&mut self, _s: &mut DtlsServer, e: &mut ConnectionRequestEvent) {
        self.seen.lock().unwrap().requests += 1;
        e.accept = !self.refuse;
    }
}

fn server(refuse: bool, settings: &[&str]) -> (DtlsServer, Arc<Mutex<Seen>>, SocketAddr) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = DtlsServer::new();
    server.set_handler(Recorder {
        seen: seen.clone(),
        refuse,
    });
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .unwrap();
    server.set_do_events_wait(Duration::from_millis(2));
    for s in settings {
        server.config(s).unwrap();
    }
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    (server, seen, addr)
}

/// Runs a new client until it connects or ends, at most `bound`.
fn attempt(server: &mut DtlsServer, addr: SocketAddr, bound: Duration) -> (UdpClient, Duration) {
    let mut client = UdpClient::new(addr, client_config());
    let started = Instant::now();
    while started.elapsed() < bound && !client.connected() && !client.ended() {
        server.do_events().unwrap();
        client.pump();
    }
    (client, started.elapsed())
}

fn logged(seen: &Arc<Mutex<Seen>>, needle: &str) -> Option<(u8, String)> {
    let seen = seen.lock().unwrap();
    seen.logs.iter().find(|(_, l)| l.contains(needle)).cloned()
}

#[test]
fn at_max_connections_a_client_is_told_at_once_and_the_refusal_is_logged() {
    let (mut server, seen, addr) = server(false, &["MaxConnections=1", "LogLevel=1"]);
    let (first, _) = attempt(&mut server, addr, Duration::from_secs(5));
    assert!(first.connected());
    let (second, took) = attempt(&mut server, addr, Duration::from_secs(5));
    assert!(
        !second.connected() && second.ended(),
        "the second client was told"
    );
    assert!(
        took < Duration::from_secs(1),
        "at once, not at its own timeout: {took:?}"
    );
    let (level, line) = logged(&seen, "connection limit").expect("a Log line");
    assert_eq!(level, 1);
    assert!(line.contains("MaxConnections=1"), "{line}");
    assert_eq!(server.stats().engine.endpoint.refused, 1);
}

#[test]
fn after_stop_listening_a_client_is_told_at_once_and_the_refusal_is_logged() {
    let (mut server, seen, addr) = server(false, &[]);
    server.stop_listening();
    let (client, took) = attempt(&mut server, addr, Duration::from_secs(5));
    assert!(!client.connected() && client.ended());
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(logged(&seen, "not accepting new connections").is_some());
    assert_eq!(seen.lock().unwrap().requests, 0, "no ConnectionRequest");
    assert_eq!(server.stats().engine.endpoint.refused, 1);
}

#[test]
fn a_refused_connection_request_fires_once_and_the_client_is_told() {
    let (mut server, seen, addr) = server(true, &[]);
    let (client, took) = attempt(&mut server, addr, Duration::from_secs(5));
    assert!(!client.connected() && client.ended());
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Keep pumping: nothing more is asked.
    let until = Instant::now() + Duration::from_millis(300);
    while Instant::now() < until {
        server.do_events().unwrap();
    }
    assert_eq!(seen.lock().unwrap().requests, 1);
    assert!(logged(&seen, "ConnectionRequest said no").is_some());
    assert_eq!(server.stats().engine.connections, 0);
}

#[test]
fn a_connection_reports_the_interface_address_it_came_in_on() {
    // LocalHost empty: the socket is bound to 0.0.0.0.
    let (mut server, _, _) = server(false, &[]);
    assert_eq!(server.local_host(), Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    let (client, _) = attempt(&mut server, addr, Duration::from_secs(5));
    assert!(client.connected());
    let conn = server.connections().next().unwrap();
    assert_eq!(conn.local_host, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(conn.local_port, server.local_port());
}
