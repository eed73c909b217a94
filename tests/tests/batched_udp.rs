//! `DtlsServer`'s batched socket I/O (issue 11): bursts larger than one
//! receive or send batch (32 datagrams) are taken, answered and delivered
//! in full and in order, stateless replies included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_core::Connection;
use dtls_server::events::DataInEvent;
use dtls_server::{ConnectionId, DtlsServer, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config};
use dtls_tests::udp_client::UdpClient;

/// Keeps every DataIn payload, in order, and echoes it if told to.
struct Collect(Arc<Mutex<Vec<Vec<u8>>>>, bool);

impl ServerHandler for Collect {
    fn on_data_in(&mut self, s: &mut DtlsServer, e: &DataInEvent) {
        self.0.lock().unwrap().push(e.datagram.clone());
        if self.1 {
            s.send_bytes(e.connection_id, &e.datagram).unwrap();
        }
    }
}

fn listening() -> (DtlsServer, Arc<Mutex<Vec<Vec<u8>>>>, SocketAddr) {
    listening_with(false)
}

fn listening_with(echo: bool) -> (DtlsServer, Arc<Mutex<Vec<Vec<u8>>>>, SocketAddr) {
    let data = Arc::new(Mutex::new(Vec::new()));
    let mut server = DtlsServer::new();
    let settings = server.settings_mut().expect("before listening");
    settings.local_host = "127.0.0.1".to_owned();
    settings.local_port = 0;
    server.set_do_events_wait(Duration::from_millis(2));
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .unwrap();
    server.set_handler(Collect(data.clone(), echo));
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    (server, data, addr)
}

/// Pumps `server` and `client` until `done` (or 5 s pass).
fn run(server: &mut DtlsServer, client: &mut UdpClient, done: impl Fn(&UdpClient) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !done(client) {
        server.do_events().unwrap();
        client.pump();
    }
}

fn connected(server: &mut DtlsServer, addr: SocketAddr) -> (UdpClient, ConnectionId) {
    let mut client = UdpClient::new(addr, client_config());
    run(server, &mut client, UdpClient::connected);
    assert!(client.connected());
    let port = client.local_addr().unwrap().port();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(c) = server.connections().find(|c| c.remote_port == port) {
            return (client, c.connection_id);
        }
        assert!(Instant::now() < deadline, "the server lists the connection");
        server.do_events().unwrap();
    }
}

/// Message `i` of a burst: its index, then filler.
fn message(i: usize, len: usize) -> Vec<u8> {
    let mut m = vec![(i % 251) as u8; len];
    m[..8].copy_from_slice(&(i as u64).to_be_bytes());
    m
}

/// 100 cookieless ClientHellos queued at once: one `do_events` answers
/// every one with a HelloVerifyRequest (the replies go out batched, four
/// send calls' worth).
#[test]
fn every_hello_of_a_burst_gets_its_hello_verify_request() {
    let (mut server, _, addr) = listening();
    let mut hello = vec![0u8; 1500];
    let len = Connection::client(Arc::new(client_config()), addr, Instant::now())
        .unwrap()
        .poll_transmit(Instant::now(), &mut hello)
        .unwrap();
    hello.truncate(len);
    let clients: Vec<UdpSocket> = (0..100)
        .map(|_| {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            s.send_to(&hello, addr).unwrap();
            s
        })
        .collect();
    // Let every hello reach the server's socket, then one call.
    std::thread::sleep(Duration::from_millis(50));
    let before = server.stats();
    server.do_events().unwrap();
    let after = server.stats();
    // Batched: 100 datagrams in and out in a handful of system calls each
    // (one per datagram before batching).
    let (receives, sends) = (
        after.receive_calls - before.receive_calls,
        after.send_calls - before.send_calls,
    );
    assert!(receives <= 8, "{receives} receive calls for 100 hellos");
    assert!(sends <= 8, "{sends} send calls for 100 replies");
    let mut buf = [0u8; 1500];
    for (i, s) in clients.iter().enumerate() {
        let (n, from) = s
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("client {i} got no reply: {e}"));
        assert_eq!(from, addr);
        // A handshake record whose message is a HelloVerifyRequest (3).
        assert!(n > 25, "client {i}: a {n}-byte reply");
        assert_eq!((buf[0], buf[13]), (22, 3), "client {i}");
    }
}

/// Which messages of `sent` are missing from `got` or out of place (by
/// index), to keep a failure's message short.
fn misplaced(sent: &[Vec<u8>], got: &[Vec<u8>]) -> Vec<usize> {
    (0..sent.len().max(got.len()))
        .filter(|&i| sent.get(i) != got.get(i))
        .collect()
}

/// Bursts the size of a socket buffer's share for loopback: more than a
/// batch, few enough that the kernel drops none (each datagram costs the
/// receive buffer about twice its size).
const BURST: usize = 60;
const LEN: usize = 500;

/// Three bursts of records the client sends back to back reach the
/// application, all of them and in order, however the kernel batches or
/// coalesces them.
#[test]
fn bursts_from_one_client_arrive_whole_and_in_order() {
    let (mut server, data, addr) = listening();
    let (mut client, _) = connected(&mut server, addr);
    let sent: Vec<Vec<u8>> = (0..3 * BURST).map(|i| message(i, LEN)).collect();
    for burst in sent.chunks(BURST) {
        for m in burst {
            client.conn.send(Instant::now(), m).unwrap();
        }
        let expected = data.lock().unwrap().len() + burst.len();
        client.pump();
        let deadline = Instant::now() + Duration::from_secs(5);
        while data.lock().unwrap().len() < expected && Instant::now() < deadline {
            server.do_events().unwrap();
        }
    }
    let got = data.lock().unwrap();
    assert_eq!(misplaced(&sent, &got), Vec::<usize>::new());
}

/// A burst sent before one `do_events` (more than a send batch) reaches
/// the client whole and in order.
#[test]
fn a_burst_to_one_client_leaves_whole_and_in_order() {
    let (mut server, _, addr) = listening();
    let (mut client, id) = connected(&mut server, addr);
    let sent: Vec<Vec<u8>> = (0..BURST).map(|i| message(i, LEN)).collect();
    for m in &sent {
        server.send_bytes(id, m).unwrap();
    }
    run(&mut server, &mut client, |c| c.received.len() >= sent.len());
    assert_eq!(misplaced(&sent, &client.received), Vec::<usize>::new());
}

/// A burst echoed from the DataIn handler leaves in batches: the echoes
/// are sent once the burst's events are through, not one call each.
#[test]
fn echoes_of_a_burst_leave_in_batches() {
    let (mut server, _, addr) = listening_with(true);
    let (mut client, _) = connected(&mut server, addr);
    let sent: Vec<Vec<u8>> = (0..BURST).map(|i| message(i, LEN)).collect();
    for m in &sent {
        client.conn.send(Instant::now(), m).unwrap();
    }
    client.pump();
    std::thread::sleep(Duration::from_millis(20));
    let before = server.stats().send_calls;
    run(&mut server, &mut client, |c| c.received.len() >= sent.len());
    let calls = server.stats().send_calls - before;
    assert_eq!(misplaced(&sent, &client.received), Vec::<usize>::new());
    assert!(calls <= 10, "{calls} send calls for {BURST} echoes");
}
