//! Issue 10: what a handler does to the server from inside an event loses
//! no event. Each case calls a `DtlsServer` method from a handler, over
//! real loopback UDP, and checks every event the seed promises arrives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_server::events::{ConnectedEvent, ConnectionRequestEvent, DataInEvent, DisconnectedEvent};
use dtls_server::{ConnectionId, DtlsServer, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config};
use dtls_tests::udp_client::UdpClient;

/// What a handler does with the server.
type Action = Box<dyn FnMut(&mut DtlsServer, ConnectionId) + Send>;

#[derive(Default)]
struct Seen {
    connected: Vec<ConnectionId>,
    data: Vec<(ConnectionId, Vec<u8>)>,
    disconnected: Vec<(ConnectionId, u16)>,
    requests: usize,
}

#[derive(Default)]
struct Scripted {
    seen: Arc<Mutex<Seen>>,
    on_connected: Option<Action>,
    on_data_in: Option<Action>,
}

impl ServerHandler for Scripted {
    fn on_connection_request(&mut self, _s: &mut DtlsServer, _e: &mut ConnectionRequestEvent) {
        self.seen.lock().unwrap().requests += 1;
    }
    fn on_connected(&mut self, s: &mut DtlsServer, e: &ConnectedEvent) {
        self.seen.lock().unwrap().connected.push(e.connection_id);
        if let Some(act) = &mut self.on_connected {
            act(s, e.connection_id);
        }
    }
    fn on_data_in(&mut self, s: &mut DtlsServer, e: &DataInEvent) {
        let entry = (e.connection_id, e.datagram.clone());
        self.seen.lock().unwrap().data.push(entry);
        if let Some(act) = &mut self.on_data_in {
            act(s, e.connection_id);
        }
    }
    fn on_disconnected(&mut self, _s: &mut DtlsServer, e: &DisconnectedEvent) {
        let entry = (e.connection_id, e.status_code);
        self.seen.lock().unwrap().disconnected.push(entry);
    }
}

fn server(handler: Scripted) -> (DtlsServer, SocketAddr) {
    let mut server = DtlsServer::new();
    server.settings_mut().expect("before listening").local_host = "127.0.0.1".to_owned();
    server.settings_mut().expect("before listening").local_port = 0;
    server.set_do_events_wait(Duration::from_millis(2));
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .expect("certificate");
    server.set_handler(handler);
    server.start_listening().unwrap();
    let port = server.local_port();
    (server, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// A listening server whose handler is `handler`, with what it records.
fn scripted(handler: Scripted) -> (Arc<Mutex<Seen>>, DtlsServer, SocketAddr) {
    let seen = handler.seen.clone();
    let (server, addr) = server(handler);
    (seen, server, addr)
}

/// Runs server and clients until `done` or 5 s pass.
fn run_until(server: &mut DtlsServer, clients: &mut [&mut UdpClient], done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !done() {
        server.do_events().unwrap();
        for c in clients.iter_mut() {
            c.pump();
        }
    }
}

/// Disconnect from on_connected and from on_data_in: Disconnected fires
/// (status 0) and the client sees the close_notify.
#[test]
fn disconnect_from_a_handler_fires_disconnected() {
    for from_data in [false, true] {
        let disconnect: Action = Box::new(|s, id| s.disconnect(id).unwrap());
        let handler = if from_data {
            Scripted {
                on_data_in: Some(disconnect),
                ..Scripted::default()
            }
        } else {
            Scripted {
                on_connected: Some(disconnect),
                ..Scripted::default()
            }
        };
        let (seen, mut server, addr) = scripted(handler);
        let mut client = UdpClient::new(addr, client_config());
        run_until(&mut server, &mut [&mut client], || client_connected(&seen));
        if from_data {
            client.conn.send(Instant::now(), b"bye").unwrap();
        }
        run_until(&mut server, &mut [&mut client], || disconnected(&seen));
        for _ in 0..50 {
            server.do_events().unwrap();
            client.pump();
            if client.ended() {
                break;
            }
        }
        assert!(client.ended(), "close_notify reached the client");
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.disconnected,
            vec![(seen.connected[0], 0)],
            "{from_data}"
        );
        assert_eq!(server.connections().count(), 0);
    }
}

fn disconnected(seen: &Arc<Mutex<Seen>>) -> bool {
    !seen.lock().unwrap().disconnected.is_empty()
}

fn client_connected(seen: &Arc<Mutex<Seen>>) -> bool {
    !seen.lock().unwrap().connected.is_empty()
}

/// The first client's data is held (PauseData); the second client's
/// Connected handler calls ProcessData for the first: all five arrive.
#[test]
fn process_data_from_a_handler_delivers_the_held_datagrams() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let first: Arc<Mutex<Option<ConnectionId>>> = Arc::default();
    let first_in_handler = first.clone();
    let handler = Scripted {
        seen: seen.clone(),
        on_connected: Some(Box::new(move |s, id| {
            let mut first = first_in_handler.lock().unwrap();
            match *first {
                None => {
                    *first = Some(id);
                    s.pause_data(id).unwrap();
                }
                Some(held) => s.process_data(held).unwrap(),
            }
        })),
        ..Scripted::default()
    };
    let (mut server, addr) = server(handler);
    let mut a = UdpClient::new(addr, client_config());
    run_until(&mut server, &mut [&mut a], || client_connected(&seen));
    for i in 0..5u8 {
        a.conn.send(Instant::now(), &[i; 10]).unwrap();
    }
    run_until(&mut server, &mut [&mut a], || false);
    assert!(seen.lock().unwrap().data.is_empty(), "paused");
    let mut b = UdpClient::new(addr, client_config());
    run_until(&mut server, &mut [&mut a, &mut b], || {
        seen.lock().unwrap().data.len() == 5
    });
    let data: Vec<Vec<u8>> = seen
        .lock()
        .unwrap()
        .data
        .iter()
        .map(|d| d.1.clone())
        .collect();
    assert_eq!(data, (0..5u8).map(|i| vec![i; 10]).collect::<Vec<_>>());
}

/// Shutdown from a handler: every connection's Disconnected still fires.
#[test]
fn shutdown_from_on_data_in_fires_every_disconnected() {
    let (seen, mut server, addr) = scripted(Scripted {
        on_data_in: Some(Box::new(|s, _| s.shutdown())),
        ..Scripted::default()
    });
    let mut a = UdpClient::new(addr, client_config());
    let mut b = UdpClient::new(addr, client_config());
    run_until(&mut server, &mut [&mut a, &mut b], || {
        seen.lock().unwrap().connected.len() == 2
    });
    a.conn.send(Instant::now(), b"stop").unwrap();
    run_until(&mut server, &mut [&mut a, &mut b], || {
        seen.lock().unwrap().disconnected.len() == 2
    });
    assert_eq!(seen.lock().unwrap().disconnected.len(), 2);
    assert!(!server.listening());
}

/// DoEvents from a handler only sends: a client whose hellos arrive while
/// the handler runs (the handler drives it) still gets its
/// ConnectionRequest, from the outer DoEvents.
#[test]
fn do_events_from_a_handler_loses_no_connection_request() {
    let later: Arc<Mutex<Option<UdpClient>>> = Arc::default();
    let in_handler = later.clone();
    let (seen, mut server, addr) = scripted(Scripted {
        on_connected: Some(Box::new(move |s, _| {
            // The first Connected starts a second client and drives it
            // from inside the handler.
            let mut b = in_handler.lock().unwrap();
            if b.is_some() {
                return;
            }
            let port = s.local_port();
            let b = b.insert(UdpClient::new(
                ([127, 0, 0, 1], port).into(),
                client_config(),
            ));
            for _ in 0..50 {
                b.pump();
                s.do_events().unwrap();
            }
        })),
        ..Scripted::default()
    });
    let mut a = UdpClient::new(addr, client_config());
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && seen.lock().unwrap().connected.len() < 2 {
        server.do_events().unwrap();
        a.pump();
        if let Some(b) = later.lock().unwrap().as_mut() {
            b.pump();
        }
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.connected.len(), 2);
    assert_eq!(seen.requests, 2, "one ConnectionRequest per client");
}
