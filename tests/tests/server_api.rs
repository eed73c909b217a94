//! The seed's server API on a real socket: properties, PauseData /
//! ProcessData, send errors, Disconnect, StopListening, Shutdown,
//! ConnectionRequest refusal and DefaultIdleTimeout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_core::Event;
use dtls_server::events::{ConnectedEvent, ConnectionRequestEvent, DataInEvent, DisconnectedEvent};
use dtls_server::{ConnectionId, DtlsServer, Error, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config};
use dtls_tests::udp_client::UdpClient;

#[derive(Default)]
struct Seen {
    connected: Vec<ConnectedEvent>,
    data: Vec<DataInEvent>,
    disconnected: Vec<DisconnectedEvent>,
    requests: Vec<ConnectionRequestEvent>,
}

struct Recorder {
    seen: Arc<Mutex<Seen>>,
    refuse: bool,
}

impl ServerHandler for Recorder {
    fn on_connected(&mut self, _s: &mut DtlsServer, e: &ConnectedEvent) {
        self.seen.lock().unwrap().connected.push(e.clone());
    }
    fn on_connection_request(&mut self, _s: &mut DtlsServer, e: &mut ConnectionRequestEvent) {
        if self.refuse {
            e.accept = false;
        }
        self.seen.lock().unwrap().requests.push(e.clone());
    }
    fn on_data_in(&mut self, _s: &mut DtlsServer, e: &DataInEvent) {
        self.seen.lock().unwrap().data.push(e.clone());
    }
    fn on_disconnected(&mut self, _s: &mut DtlsServer, e: &DisconnectedEvent) {
        self.seen.lock().unwrap().disconnected.push(e.clone());
    }
}

fn server(refuse: bool) -> (DtlsServer, Arc<Mutex<Seen>>, SocketAddr) {
    server_configured(refuse, |_| {})
}

/// [`server`] (accepting), after `configure` adjusted the settings.
fn server_with(
    configure: impl FnOnce(&mut DtlsServer),
) -> (DtlsServer, Arc<Mutex<Seen>>, SocketAddr) {
    server_configured(false, configure)
}

fn server_configured(
    refuse: bool,
    configure: impl FnOnce(&mut DtlsServer),
) -> (DtlsServer, Arc<Mutex<Seen>>, SocketAddr) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = DtlsServer::new();
    configure(&mut server);
    server.settings_mut().expect("before listening").local_host = "127.0.0.1".to_owned();
    server.settings_mut().expect("before listening").local_port = 0;
    server.set_do_events_wait(Duration::from_millis(2));
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .expect("certificate");
    server.set_handler(Recorder {
        seen: seen.clone(),
        refuse,
    });
    server.start_listening().unwrap();
    assert!(server.listening());
    let port = server.local_port();
    assert_ne!(port, 0, "LocalPort reports the system's pick");
    (server, seen, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Runs server and clients until `done` or a 5 s wall-clock bound.
fn run(
    server: &mut DtlsServer,
    clients: &mut [&mut UdpClient],
    done: impl Fn(&DtlsServer, &[&mut UdpClient]) -> bool,
) -> bool {
    run_for(Duration::from_secs(5), server, clients, done)
}

/// Runs server and clients until `done` or `bound` passes.
fn run_for(
    bound: Duration,
    server: &mut DtlsServer,
    clients: &mut [&mut UdpClient],
    done: impl Fn(&DtlsServer, &[&mut UdpClient]) -> bool,
) -> bool {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        server.do_events().unwrap();
        for c in clients.iter_mut() {
            c.pump();
        }
        if done(server, clients) {
            return true;
        }
    }
    false
}

/// Whether a new client at `addr` connects within 1.5 s.
fn newcomer_connects(server: &mut DtlsServer, addr: SocketAddr) -> bool {
    let mut client = UdpClient::new(addr, client_config());
    run_for(
        Duration::from_millis(1500),
        server,
        &mut [&mut client],
        |_, c| c[0].connected(),
    )
}

fn connect(server: &mut DtlsServer, addr: SocketAddr) -> (UdpClient, ConnectionId) {
    let mut client = UdpClient::new(addr, client_config());
    assert!(run(server, &mut [&mut client], |s, c| c[0].connected()
        && s.connections().count() > 0));
    let local = client.local_addr().unwrap();
    let id = server
        .connections()
        .find(|c| c.remote_port == local.port())
        .unwrap()
        .connection_id;
    (client, id)
}

#[test]
fn connections_collection_reports_negotiated_parameters() {
    let (mut server, seen, addr) = server(false);
    let (client, id) = connect(&mut server, addr);
    let conn = server.connection(id).unwrap();
    assert_eq!(conn.remote_port, client.local_addr().unwrap().port());
    assert_eq!(conn.local_port, addr.port());
    let negotiated = conn.negotiated.as_ref().unwrap();
    assert_eq!(negotiated.version, "DTLS 1.2");
    assert_eq!(seen.lock().unwrap().connected[0].status_code, 0);
    assert_eq!(seen.lock().unwrap().requests.len(), 1);
}

#[test]
fn pause_holds_data_and_process_delivers_it_in_order() {
    let (mut server, seen, addr) = server(false);
    let (mut client, id) = connect(&mut server, addr);
    server.pause_data(id).unwrap();
    for i in 0..5u8 {
        client.conn.send(Instant::now(), &[i; 10]).unwrap();
    }
    client.pump();
    run_for(
        Duration::from_millis(300),
        &mut server,
        &mut [&mut client],
        |_, _| false,
    );
    assert!(seen.lock().unwrap().data.is_empty(), "paused: no DataIn");
    server.process_data(id).unwrap();
    let data: Vec<Vec<u8>> = seen
        .lock()
        .unwrap()
        .data
        .iter()
        .map(|d| d.datagram.clone())
        .collect();
    assert_eq!(data, (0..5u8).map(|i| vec![i; 10]).collect::<Vec<_>>());
}

#[test]
fn send_errors_are_clear_and_nothing_half_sent() {
    let (mut server, _seen, addr) = server(false);
    let (mut client, id) = connect(&mut server, addr);
    assert!(matches!(
        server.send_bytes(ConnectionId(9999), b"x"),
        Err(Error::NoSuchConnection(9999))
    ));
    let too_big = vec![0u8; (1 << 14) + 1];
    assert!(matches!(
        server.send_bytes(id, &too_big),
        Err(Error::Dtls(dtls_core::Error::MessageTooLarge { .. }))
    ));
    server.send_text(id, "fits").unwrap();
    assert!(run(&mut server, &mut [&mut client], |_, c| !c[0]
        .received
        .is_empty()));
    assert_eq!(client.received, vec![b"fits".to_vec()]);
}

/// Issue 10: one send_bytes is one record of up to 2^14 bytes, whatever the
/// handshake MTU; IP fragments the datagram. DontFragment keeps records
/// within the MTU and refuses larger ones with the limit named.
#[test]
fn one_send_is_one_record_up_to_two_to_the_fourteen() {
    let (mut server, _seen, addr) = server(false);
    let (mut client, id) = connect(&mut server, addr);
    let messages: Vec<Vec<u8>> = [1400usize, 5000, 1 << 14]
        .iter()
        .map(|&n| (0..n).map(|i| (i % 251) as u8).collect())
        .collect();
    for m in &messages {
        server.send_bytes(id, m).unwrap();
    }
    assert!(run(&mut server, &mut [&mut client], |_, c| c[0]
        .received
        .len()
        == 3));
    assert_eq!(client.received, messages);

    let (mut server, _seen, addr) =
        server_with(|s| s.settings_mut().expect("before listening").dont_fragment = true);
    let (_client, id) = connect(&mut server, addr);
    match server.send_bytes(id, &messages[0]) {
        Err(Error::Dtls(e @ dtls_core::Error::MessageTooLarge { max, .. })) => {
            assert!(max < 1200, "{e}");
            assert!(e.to_string().contains("MTU"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn disconnect_sends_close_notify_and_fires_disconnected() {
    let (mut server, seen, addr) = server(false);
    let (mut client, id) = connect(&mut server, addr);
    server.disconnect(id).unwrap();
    assert!(server.connection(id).is_none());
    assert!(run(&mut server, &mut [&mut client], |_, c| c[0].ended()));
    assert!(
        client
            .events
            .iter()
            .any(|e| matches!(e, Event::Closed(s) if s.is_ok()))
    );
    let d = &seen.lock().unwrap().disconnected;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].status_code, 0);
}

#[test]
fn stop_listening_keeps_existing_connections_and_refuses_new_ones() {
    let (mut server, _seen, addr) = server(false);
    let (mut old, id) = connect(&mut server, addr);
    server.stop_listening();
    assert!(!server.listening());
    assert!(
        !newcomer_connects(&mut server, addr),
        "no new handshakes while not listening"
    );
    server.send_text(id, "still served").unwrap();
    assert!(run(&mut server, &mut [&mut old], |_, c| !c[0]
        .received
        .is_empty()));
}

#[test]
fn shutdown_closes_everyone() {
    let (mut server, seen, addr) = server(false);
    let (mut a, _) = connect(&mut server, addr);
    let (mut b, _) = connect(&mut server, addr);
    server.shutdown();
    assert!(!server.listening());
    for c in [&mut a, &mut b] {
        let deadline = Instant::now() + Duration::from_secs(2);
        while !c.ended() && Instant::now() < deadline {
            c.pump();
        }
        assert!(c.ended(), "client got close_notify");
    }
    assert_eq!(seen.lock().unwrap().disconnected.len(), 2);
}

#[test]
fn refused_connection_request_never_connects() {
    let (mut server, seen, addr) = server(true);
    assert!(!newcomer_connects(&mut server, addr));
    assert!(!seen.lock().unwrap().requests.is_empty());
    assert_eq!(server.connections().count(), 0);
}

#[test]
fn idle_connections_are_removed() {
    let (mut server, seen, addr) = server(false);
    server.set_default_idle_timeout(1).expect("idle timeout");
    let (mut client, _) = connect(&mut server, addr);
    let start = Instant::now();
    assert!(run(&mut server, &mut [&mut client], |_, c| c[0].ended()));
    assert!(start.elapsed() >= Duration::from_millis(900));
    let d = &seen.lock().unwrap().disconnected;
    assert_eq!(d.len(), 1);
    assert!(d[0].description.contains("idle"), "{:?}", d[0]);
}

#[test]
fn config_string_form_reads_live_connections_and_guards_listening_settings() {
    let (mut server, _seen, addr) = server(false);
    let (_client, id) = connect(&mut server, addr);
    let suite = server
        .config(&format!("SSLNegotiatedCipherSuite[{id}]"))
        .unwrap();
    let negotiated = server.connection(id).unwrap().negotiated.clone().unwrap();
    assert!(suite.contains("AES") || suite.contains("CHACHA"), "{suite}");
    assert_eq!(
        server
            .config(&format!("SSLNegotiatedVersion[{id}]"))
            .unwrap(),
        negotiated.version
    );
    assert!(server.config("SSLNegotiatedCipherSuite[424242]").is_err());
    // Read by StartListening: refused while listening.
    let err = server.config("LocalPort=5000").unwrap_err();
    assert!(err.to_string().contains("LocalPort"), "{err}");
    // Runtime settings work while listening; names are case-insensitive.
    assert_eq!(server.config("loglevel=3").unwrap(), "");
    assert_eq!(server.config("LogLevel").unwrap(), "3");
    assert!(server.config("NoSuchSetting").is_err());
}

/// Issue 16: `DefaultIdleTimeout=18446744073709551615` was accepted and
/// panicked the server at the first handshake ("overflow when adding
/// duration to instant"); `set_default_idle_timeout(u64::MAX)` panicked at
/// once with a client connected. A timeout too large for the clock now
/// means "never".
#[test]
fn the_largest_idle_timeout_means_never_and_panics_nothing() {
    let (mut server, _seen, addr) = server(false);
    server
        .config("DefaultIdleTimeout=18446744073709551615")
        .unwrap();
    let (mut client, _) = connect(&mut server, addr);
    server
        .set_default_idle_timeout(u64::MAX)
        .expect("idle timeout");
    assert!(!run_for(
        Duration::from_millis(300),
        &mut server,
        &mut [&mut client],
        |_, c| c[0].ended()
    ));
    assert_eq!(server.connections().count(), 1);
}

/// Issue 10: a suite list with one refused entry takes effect with the
/// others, and the Log event names the skipped entry and why.
#[test]
fn skipped_cipher_suites_are_logged() {
    struct Logs(Arc<Mutex<Vec<String>>>);
    impl ServerHandler for Logs {
        fn on_log(&mut self, _s: &mut DtlsServer, e: &dtls_server::events::LogEvent) {
            self.0.lock().unwrap().push(e.message.clone());
        }
    }
    let logs = Arc::new(Mutex::new(Vec::new()));
    let mut server = DtlsServer::new();
    server.set_handler(Logs(logs.clone()));
    server
        .config("SSLEnabledCipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA;TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        .unwrap();
    assert_eq!(
        server.config("SSLEnabledCipherSuites").unwrap(),
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    );
    let logs = logs.lock().unwrap();
    assert!(
        logs.iter()
            .any(|l| l.contains("skipped") && l.contains("TLS_RSA_WITH_AES_128_CBC_SHA")),
        "{logs:#?}"
    );
}
