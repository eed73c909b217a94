//! Issue 10: every method a handler may call, from every handler, over real
//! loopback UDP. Each (event, method) pair runs a client through a
//! handshake with a client certificate (so SSLClientAuthentication fires),
//! one echoed message and a shutdown, and checks what the seed promises:
//! nothing panics or hangs, every connection that connected is
//! disconnected exactly once, and no event for it follows its Disconnected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_crypto::cert::Certificate;
use dtls_server::events::{
    ConnectedEvent, ConnectionRequestEvent, DataInEvent, DisconnectedEvent, ErrorEvent, LogEvent,
    SslClientAuthenticationEvent, SslStatusEvent,
};
use dtls_server::{ConnectionId, DtlsServer, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config, client_pki};
use dtls_tests::udp_client::UdpClient;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    ConnectionRequest,
    SslClientAuthentication,
    SslStatus,
    Connected,
    DataIn,
    Log,
    Disconnected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    SendBytes,
    Disconnect,
    PauseThenProcess,
    Shutdown,
    StopListening,
    ConfigWrite,
    ConfigRead,
    DoEvents,
}

/// What the handler saw, in order.
#[derive(Default)]
struct Seen {
    /// (event name, connection) in arrival order.
    events: Vec<(&'static str, Option<ConnectionId>)>,
    fired: bool,
    echoed: bool,
}

struct Matrix {
    trigger: Trigger,
    method: Method,
    seen: Arc<Mutex<Seen>>,
}

impl Matrix {
    /// Records the event; on the first `trigger`, calls `method`.
    fn on(&mut self, s: &mut DtlsServer, name: &'static str, id: Option<ConnectionId>, t: Trigger) {
        let fire = {
            let mut seen = self.seen.lock().unwrap();
            seen.events.push((name, id));
            let fire = t == self.trigger && !seen.fired;
            seen.fired |= fire;
            fire
        };
        if !fire {
            return;
        }
        // ConnectionRequest has no id yet: a bogus one must fail cleanly.
        let id = id.unwrap_or(ConnectionId(u64::MAX));
        match self.method {
            Method::SendBytes => drop(s.send_bytes(id, b"from a handler")),
            Method::Disconnect => drop(s.disconnect(id)),
            Method::PauseThenProcess => {
                let _ = s.pause_data(id);
                let _ = s.process_data(id);
            }
            Method::Shutdown => s.shutdown(),
            Method::StopListening => s.stop_listening(),
            Method::ConfigWrite => drop(s.config("KeepAliveTime=30")),
            Method::ConfigRead => drop(s.config(&format!("SSLNegotiatedCipher[{}]", id.0))),
            Method::DoEvents => drop(s.do_events()),
        }
    }
}

impl ServerHandler for Matrix {
    fn on_connection_request(&mut self, s: &mut DtlsServer, _e: &mut ConnectionRequestEvent) {
        self.on(s, "ConnectionRequest", None, Trigger::ConnectionRequest);
    }
    fn on_ssl_client_authentication(
        &mut self,
        s: &mut DtlsServer,
        e: &mut SslClientAuthenticationEvent,
    ) {
        self.on(
            s,
            "SSLClientAuthentication",
            Some(e.connection_id),
            Trigger::SslClientAuthentication,
        );
    }
    fn on_ssl_status(&mut self, s: &mut DtlsServer, e: &SslStatusEvent) {
        self.on(s, "SSLStatus", Some(e.connection_id), Trigger::SslStatus);
    }
    fn on_connected(&mut self, s: &mut DtlsServer, e: &ConnectedEvent) {
        let name = if e.status_code == 0 {
            "Connected"
        } else {
            "ConnectFailed"
        };
        self.on(s, name, Some(e.connection_id), Trigger::Connected);
    }
    fn on_data_in(&mut self, s: &mut DtlsServer, e: &DataInEvent) {
        if s.send_bytes(e.connection_id, &e.datagram).is_ok() {
            self.seen.lock().unwrap().echoed = true;
        }
        self.on(s, "DataIn", Some(e.connection_id), Trigger::DataIn);
    }
    fn on_log(&mut self, s: &mut DtlsServer, e: &LogEvent) {
        self.on(s, "Log", e.connection_id, Trigger::Log);
    }
    fn on_disconnected(&mut self, s: &mut DtlsServer, e: &DisconnectedEvent) {
        self.on(
            s,
            "Disconnected",
            Some(e.connection_id),
            Trigger::Disconnected,
        );
    }
    fn on_error(&mut self, _s: &mut DtlsServer, e: &ErrorEvent) {
        self.seen
            .lock()
            .unwrap()
            .events
            .push(("Error", e.connection_id));
    }
}

/// One (trigger, method) run; returns a description of what broke.
fn run(trigger: Trigger, method: Method) -> Result<(), String> {
    let pki = client_pki("matrix CA", "matrix client");
    let ca_pem = Certificate::from_der(&pki.ca_der).unwrap().encoded_pem();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = DtlsServer::new();
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .unwrap();
    {
        let st = server.settings_mut().unwrap();
        st.local_host = "127.0.0.1".to_owned();
        st.ssl_authenticate_clients = true;
        st.set_ssl_client_ca_certs(&ca_pem).unwrap();
    }
    server.config("LogLevel=3").unwrap();
    server.set_do_events_wait(Duration::from_millis(1));
    server.set_handler(Matrix {
        trigger,
        method,
        seen: seen.clone(),
    });
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    let mut config = client_config();
    config.identity = Some(pki.client);
    let mut client = UdpClient::new(addr, config);

    let pump_for = |server: &mut DtlsServer, client: &mut UdpClient, d: Duration| {
        let until = Instant::now() + d;
        while Instant::now() < until {
            if server.listening() || server.socket().is_some() {
                server.do_events().map_err(|e| e.to_string())?;
            }
            client.pump();
        }
        Ok::<(), String>(())
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    while !client.connected() && !client.ended() && Instant::now() < deadline {
        pump_for(&mut server, &mut client, Duration::from_millis(5))?;
    }
    if client.connected() {
        client
            .conn
            .send(Instant::now(), b"ping")
            .map_err(|e| e.to_string())?;
    }
    pump_for(&mut server, &mut client, Duration::from_millis(150))?;
    server.shutdown();
    pump_for(&mut server, &mut client, Duration::from_millis(20))?;

    let seen = seen.lock().unwrap();
    if !seen.fired && !matches!(trigger, Trigger::Disconnected) {
        return Err(format!("the trigger never fired: {:?}", seen.events));
    }
    // Every connected id is disconnected exactly once, and nothing
    // follows its Disconnected.
    let mut state: HashMap<ConnectionId, &str> = HashMap::new();
    for &(name, id) in &seen.events {
        let Some(id) = id else { continue };
        match (state.get(&id).copied(), name) {
            (Some("gone"), _) => return Err(format!("{name} for {id} after Disconnected")),
            (_, "Disconnected") => {
                state.insert(id, "gone");
            }
            (_, "Connected") => {
                state.insert(id, "up");
            }
            _ => {}
        }
    }
    if let Some((id, _)) = state.iter().find(|(_, s)| **s == "up") {
        return Err(format!(
            "{id} connected but never disconnected: {:?}",
            seen.events
        ));
    }
    let harmless = matches!(
        method,
        Method::SendBytes | Method::ConfigWrite | Method::ConfigRead | Method::DoEvents
    ) || trigger == Trigger::Disconnected;
    if harmless && !(seen.echoed && client.received.iter().any(|m| m == b"ping")) {
        return Err(format!("the echo was lost: {:?}", seen.events));
    }
    Ok(())
}

#[test]
fn every_method_from_every_handler_loses_no_event() {
    let triggers = [
        Trigger::ConnectionRequest,
        Trigger::SslClientAuthentication,
        Trigger::SslStatus,
        Trigger::Connected,
        Trigger::DataIn,
        Trigger::Log,
        Trigger::Disconnected,
    ];
    let methods = [
        Method::SendBytes,
        Method::Disconnect,
        Method::PauseThenProcess,
        Method::Shutdown,
        Method::StopListening,
        Method::ConfigWrite,
        Method::ConfigRead,
        Method::DoEvents,
    ];
    let mut failures = Vec::new();
    for trigger in triggers {
        for method in methods {
            if let Err(why) = run(trigger, method) {
                failures.push(format!("{trigger:?} x {method:?}: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
