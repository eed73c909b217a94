//! Issue 10: the seed's events, their parameters and the error codes
//! 400-405, each asserted end to end over real loopback UDP through
//! `DtlsServer` (docs/api-mapping.md, "Events" and "Error codes").
//! 400 is in `settings_in_force.rs`, 403 in the pion and JSSE interop tests,
//! 404 in the OpenSSL interop test; here are 401, 402 and 405 and the event
//! parameters.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{plain_fragments, plain_record, rewrite_client_hello};
use dtls_core::Connection;
use dtls_crypto::cert::Certificate;
use dtls_server::events::{
    ConnectedEvent, DisconnectedEvent, LogEvent, SslClientAuthenticationEvent, SslStatusEvent,
};
use dtls_server::{DtlsServer, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config, client_pki};

#[derive(Default)]
struct Seen {
    connected: Vec<ConnectedEvent>,
    disconnected: Vec<DisconnectedEvent>,
    logs: Vec<LogEvent>,
    status: Vec<SslStatusEvent>,
    client_auth: Vec<SslClientAuthenticationEvent>,
}

struct Recorder(Arc<Mutex<Seen>>);

impl ServerHandler for Recorder {
    fn on_connected(&mut self, _s: &mut DtlsServer, e: &ConnectedEvent) {
        self.0.lock().unwrap().connected.push(e.clone());
    }
    fn on_disconnected(&mut self, _s: &mut DtlsServer, e: &DisconnectedEvent) {
        self.0.lock().unwrap().disconnected.push(e.clone());
    }
    fn on_log(&mut self, _s: &mut DtlsServer, e: &LogEvent) {
        self.0.lock().unwrap().logs.push(e.clone());
    }
    fn on_ssl_status(&mut self, _s: &mut DtlsServer, e: &SslStatusEvent) {
        self.0.lock().unwrap().status.push(e.clone());
    }
    fn on_ssl_client_authentication(
        &mut self,
        _s: &mut DtlsServer,
        e: &mut SslClientAuthenticationEvent,
    ) {
        self.0.lock().unwrap().client_auth.push(e.clone());
    }
}

fn server(settings: &[&str]) -> (DtlsServer, Arc<Mutex<Seen>>, SocketAddr) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = DtlsServer::new();
    server.set_handler(Recorder(seen.clone()));
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .unwrap();
    server.config("LocalHost=127.0.0.1").unwrap();
    for s in settings {
        server.config(s).unwrap();
    }
    server.set_do_events_wait(Duration::from_millis(1));
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    (server, seen, addr)
}

/// A client `Connection` on its own socket whose outgoing datagrams pass
/// through `rewrite` (which may drop, change or add datagrams).
struct ScriptedClient {
    socket: UdpSocket,
    conn: Connection,
}

impl ScriptedClient {
    fn new(server: SocketAddr, config: dtls_core::config::ClientConfig) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        socket.connect(server).unwrap();
        let conn = Connection::client(Arc::new(config), server, Instant::now()).unwrap();
        ScriptedClient { socket, conn }
    }

    fn local_port(&self) -> u16 {
        self.socket.local_addr().unwrap().port()
    }

    /// Runs client and server for `d`.
    fn run(
        &mut self,
        server: &mut DtlsServer,
        d: Duration,
        rewrite: &mut dyn FnMut(Vec<u8>) -> Vec<Vec<u8>>,
    ) {
        let until = Instant::now() + d;
        let mut buf = vec![0u8; 16_384];
        while Instant::now() < until {
            server.do_events().unwrap();
            while let Ok(n) = self.socket.recv(&mut buf) {
                self.conn.handle_datagram(Instant::now(), &mut buf[..n]);
            }
            let now = Instant::now();
            if self.conn.poll_timeout().is_some_and(|t| t <= now) {
                self.conn.handle_timeout(now);
            }
            while let Some(n) = self.conn.poll_transmit(now, &mut buf) {
                for d in rewrite(buf[..n].to_vec()) {
                    let _ = self.socket.send(&d);
                }
            }
            while self.conn.poll_event().is_some() {}
        }
    }
}

/// A rewrite that passes both ClientHellos, sends `record` instead of the
/// client's next datagram, and then nothing.
fn instead_of_second_flight(record: Vec<u8>) -> impl FnMut(Vec<u8>) -> Vec<Vec<u8>> {
    let mut hellos = 0;
    let mut record = Some(record);
    move |d: Vec<u8>| {
        if plain_fragments(&d).iter().any(|f| f.0 == 1) {
            hellos += 1;
            return vec![d];
        }
        if hellos == 2 {
            return record.take().into_iter().collect();
        }
        vec![]
    }
}

fn pass(d: Vec<u8>) -> Vec<Vec<u8>> {
    vec![d]
}

/// The Connected event of a failed handshake from `port`.
fn failure_from(seen: &Arc<Mutex<Seen>>, port: u16) -> ConnectedEvent {
    let seen = seen.lock().unwrap();
    seen.connected
        .iter()
        .find(|c| c.source_port == port && c.status_code != 0)
        .cloned()
        .unwrap_or_else(|| panic!("no failed Connected from port {port}: {:?}", seen.connected))
}

#[test]
fn a_successful_handshake_reports_every_parameter_of_its_events() {
    let pki = client_pki("events CA", "events client");
    let ca_pem = Certificate::from_der(&pki.ca_der).unwrap().encoded_pem();
    let (mut server, seen, addr) = server(&["LogLevel=3", "SSLAuthenticateClients=True"]);
    server.stop_listening();
    server
        .update_settings(|s| s.set_ssl_client_ca_certs(&ca_pem).unwrap())
        .unwrap();
    server.start_listening().unwrap();
    let mut config = client_config();
    config.identity = Some(pki.client);
    let mut client = ScriptedClient::new(addr, config);
    client.run(&mut server, Duration::from_millis(300), &mut pass);
    assert!(client.conn.is_established());
    client.conn.close(Instant::now());
    client.run(&mut server, Duration::from_millis(100), &mut pass);

    let seen = seen.lock().unwrap();
    let [connected] = seen.connected.as_slice() else {
        panic!("{:?}", seen.connected);
    };
    assert_eq!(connected.source_addr.to_string(), "127.0.0.1");
    assert_eq!(connected.source_port, client.local_port());
    assert_eq!(
        (connected.status_code, connected.description.as_str()),
        (0, "OK")
    );
    let id = connected.connection_id;

    let [auth] = seen.client_auth.as_slice() else {
        panic!("{:?}", seen.client_auth);
    };
    assert_eq!(auth.connection_id, id);
    assert!(
        auth.cert_subject.contains("events client"),
        "{}",
        auth.cert_subject
    );
    assert!(
        auth.cert_issuer.contains("events CA"),
        "{}",
        auth.cert_issuer
    );
    assert_eq!(auth.status, "OK");
    assert!(auth.accept, "a chain that validated starts accepted");
    let leaf = Certificate::from_der(&auth.cert_encoded).unwrap();
    assert_eq!(leaf.subject(), auth.cert_subject);

    assert!(!seen.status.is_empty());
    assert!(
        seen.status
            .iter()
            .all(|s| s.connection_id == id && !s.message.is_empty())
    );
    assert!(
        seen.status
            .iter()
            .any(|s| s.message.to_lowercase().contains("clienthello")),
        "{:?}",
        seen.status
    );
    // Log: levels 1-3 with their LogType names, some for the connection.
    for (level, kind) in [(1, "Info"), (2, "Verbose"), (3, "Debug")] {
        assert!(
            seen.logs
                .iter()
                .any(|l| l.log_level == level && l.log_type == kind),
            "no {kind} line at level {level}"
        );
    }
    assert!(seen.logs.iter().any(|l| l.connection_id == Some(id)));

    let [gone] = seen.disconnected.as_slice() else {
        panic!("{:?}", seen.disconnected);
    };
    assert_eq!((gone.connection_id, gone.status_code), (id, 0));
    assert!(!gone.description.is_empty());
}

#[test]
fn an_unexpected_handshake_message_is_401() {
    let (mut server, seen, addr) = server(&[]);
    let mut client = ScriptedClient::new(addr, client_config());
    // After the cookie-bearing ClientHello (message_seq 1), a Finished
    // (message_seq 2) in place of the client's second flight.
    let mut body = vec![20, 0, 0, 12, 0, 2, 0, 0, 0, 0, 0, 12];
    body.extend_from_slice(&[0u8; 12]);
    let mut rewrite = instead_of_second_flight(plain_record(22, 0, 500, &body));
    client.run(&mut server, Duration::from_millis(400), &mut rewrite);
    let failed = failure_from(&seen, client.local_port());
    assert_eq!(failed.status_code, 401, "{failed:?}");
    assert!(!failed.description.is_empty());
}

#[test]
fn a_client_hello_without_null_compression_is_402() {
    let (mut server, seen, addr) = server(&[]);
    let mut client = ScriptedClient::new(addr, client_config());
    let mut hellos = 0;
    let mut rewrite = |d: Vec<u8>| {
        if plain_fragments(&d).iter().any(|f| f.0 == 1) {
            hellos += 1;
            if hellos >= 2 {
                // The cookie does not cover compression_methods.
                return vec![rewrite_client_hello(d, |h| h.compression_methods = vec![1])];
            }
        }
        vec![d]
    };
    client.run(&mut server, Duration::from_millis(400), &mut rewrite);
    let failed = failure_from(&seen, client.local_port());
    assert_eq!(failed.status_code, 402, "{failed:?}");
    assert!(
        failed.description.to_lowercase().contains("compression"),
        "{failed:?}"
    );
}

#[test]
fn a_fatal_alert_from_the_client_is_405() {
    let (mut server, seen, addr) = server(&[]);
    let mut client = ScriptedClient::new(addr, client_config());
    // After the cookie-bearing ClientHello, a fatal handshake_failure alert
    // in place of the second flight (what a client that gives up sends).
    let mut rewrite = instead_of_second_flight(plain_record(21, 0, 500, &[2, 40]));
    client.run(&mut server, Duration::from_millis(400), &mut rewrite);
    let failed = failure_from(&seen, client.local_port());
    assert_eq!(failed.status_code, 405, "{failed:?}");
    assert!(
        failed.description.contains("handshake_failure"),
        "{failed:?}"
    );
}
