//! `DtlsServer`: the seed's DTLSServer component over one UDP socket.
//!
//! ```no_run
//! use dtls_server::{DtlsServer, Handlers};
//! use dtls_crypto::selfsigned::generate_self_signed;
//!
//! let mut server = DtlsServer::new();
//! server.set_ssl_cert(generate_self_signed("localhost", &[]).unwrap());
//! let mut handlers = Handlers::default();
//! handlers.on_data_in = Some(Box::new(|srv, e| {
//!     let _ = srv.send_bytes(e.connection_id, &e.datagram); // echo
//! }));
//! server.set_handler(handlers);
//! server.start_listening().unwrap();
//! while server.listening() {
//!     server.do_events().unwrap();
//! }
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dtls_core::config::{ClientAuthMode, Identity, KeepAliveConfig, ServerConfig, UnixTime};
use dtls_core::event::NegotiatedParams;
use dtls_core::{ConnectionHandle, DatagramEvent, Endpoint, Event, StatusCode};
use dtls_crypto::cert::Certificate;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::SignatureScheme;
use dtls_crypto::verify::ClientCertVerifier;

use crate::error::Error;
use crate::events::{
    ConnectedEvent, ConnectionRequestEvent, DataInEvent, DisconnectedEvent, ErrorEvent, LogEvent,
    ServerHandler, SslClientAuthenticationEvent, SslStatusEvent,
};
use crate::settings::{
    ConnectionInfoSource, KeepAliveMode, LogLevel, NegotiatedInfo, ServerSettings,
};

/// A connection's identifier (the seed's ConnectionId), unique for the
/// server's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One connection, as the seed's `DTLSConnection` plus what was negotiated
/// (the seed's `SSLNegotiated*[connId]`).
#[derive(Debug, Clone)]
pub struct DtlsConnection {
    /// The id.
    pub connection_id: ConnectionId,
    /// Our address.
    pub local_host: IpAddr,
    /// Our port.
    pub local_port: u16,
    /// The peer's address.
    pub remote_host: IpAddr,
    /// The peer's port.
    pub remote_port: u16,
    /// What the handshake settled, once connected.
    pub negotiated: Option<NegotiatedParams>,
    /// Whether data delivery is paused (the seed's PauseData).
    pub paused: bool,
    /// Datagrams dropped because the paused buffer was full.
    pub dropped_while_paused: u64,
    held: VecDeque<Vec<u8>>,
    held_bytes: usize,
    last_activity: Instant,
    handle: ConnectionHandle,
    /// Why we closed it, reported by Disconnected instead of the engine's
    /// generic "closed locally".
    close_reason: Option<String>,
}

impl DtlsConnection {
    /// Whether the handshake has completed.
    pub fn connected(&self) -> bool {
        self.negotiated.is_some()
    }
}

/// The server. See the module documentation.
pub struct DtlsServer {
    settings: ServerSettings,
    mtu: usize,
    do_events_wait: Duration,
    paused_buffer_limit: usize,
    ssl_cert: Option<Certificate>,
    ca_chain: Vec<Vec<u8>>,
    socket: Option<UdpSocket>,
    endpoint: Option<Endpoint>,
    listening: bool,
    connections: BTreeMap<ConnectionId, DtlsConnection>,
    by_handle: HashMap<ConnectionHandle, ConnectionId>,
    handler: Option<Box<dyn ServerHandler + Send>>,
    dispatching: bool,
    recv_buf: Vec<u8>,
    send_buf: Vec<u8>,
    key_log: Option<std::fs::File>,
    next_id: u64,
    /// Datagrams that could not be sent (socket errors), for diagnostics.
    pub send_errors: u64,
}

impl fmt::Debug for DtlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsServer")
            .field("listening", &self.listening)
            .field("connections", &self.connections.len())
            .finish_non_exhaustive()
    }
}

impl Default for DtlsServer {
    fn default() -> Self {
        Self::new()
    }
}

/// Live connection facts for `config("SSLNegotiated*[id]")`.
struct LiveConnections<'a> {
    connections: &'a BTreeMap<ConnectionId, DtlsConnection>,
    listening: bool,
}

impl ConnectionInfoSource for LiveConnections<'_> {
    fn negotiated(&self, connection_id: &str) -> Option<NegotiatedInfo> {
        let id = ConnectionId(connection_id.trim().parse().ok()?);
        let n = self.connections.get(&id)?.negotiated.as_ref()?;
        Some(NegotiatedInfo {
            version: n.version.to_owned(),
            cipher_suite: n.cipher_suite,
            key_exchange_strength: n.group.map(|g| g.strength_bits()),
        })
    }

    fn listening(&self) -> bool {
        self.listening
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl DtlsServer {
    /// A server with the seed's defaults, no certificate, not listening.
    pub fn new() -> Self {
        DtlsServer {
            settings: ServerSettings::default(),
            mtu: 1200,
            do_events_wait: Duration::from_millis(100),
            paused_buffer_limit: 256 * 1024,
            ssl_cert: None,
            ca_chain: Vec::new(),
            socket: None,
            endpoint: None,
            listening: false,
            connections: BTreeMap::new(),
            by_handle: HashMap::new(),
            handler: None,
            dispatching: false,
            recv_buf: vec![0u8; 65_536],
            send_buf: vec![0u8; 65_536],
            key_log: None,
            next_id: 1,
            send_errors: 0,
        }
    }

    /// The typed settings (the seed's properties and config settings).
    pub fn settings(&self) -> &ServerSettings {
        &self.settings
    }

    /// Changes the typed settings; socket and TLS settings take effect at
    /// the next `start_listening`.
    pub fn settings_mut(&mut self) -> &mut ServerSettings {
        &mut self.settings
    }

    /// The seed's `Config` method: `"Name=Value"` sets, `"Name"` reads,
    /// `"SSLNegotiatedCipher[connId]"` reads a connection's parameters.
    ///
    /// # Errors
    /// Unknown names, invalid values, read-only or unsupported settings,
    /// and settings that cannot change while listening, each named.
    pub fn config(&mut self, spec: &str) -> Result<String, Error> {
        let live = LiveConnections {
            connections: &self.connections,
            listening: self.socket.is_some(),
        };
        let result = self.settings.config_with(spec, &live)?;
        self.apply_runtime_settings();
        Ok(result)
    }

    /// Pushes the settings that may change while listening (KeepAliveTime,
    /// KeepAliveInterval, DefaultIdleTimeout) into the engine.
    fn apply_runtime_settings(&mut self) {
        let st = &self.settings;
        let idle = Some(st.default_idle_timeout).filter(|d| !d.is_zero());
        let (time, interval) = (st.keep_alive_time, st.keep_alive_interval);
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.set_keep_alive_timing(time, interval, idle);
        }
    }

    /// The largest datagram the server sends (the path MTU budget, RFC 6347
    /// 4.1.1.1); handshake flights are fragmented to fit. Default 1200
    /// bytes, safe on any IPv4 or IPv6 path. Not a seed setting: the seed's
    /// `MaxPacketSize` is the largest datagram *received*. Takes effect at
    /// the next `start_listening`.
    pub fn set_mtu(&mut self, bytes: usize) {
        self.mtu = bytes.clamp(256, 65_507);
    }

    /// The send MTU set with [`set_mtu`](Self::set_mtu).
    pub fn mtu(&self) -> usize {
        self.mtu
    }

    /// How long `do_events` waits for a datagram when nothing is ready
    /// (default 100 ms; the seed's DoEvents has no setting for it).
    pub fn set_do_events_wait(&mut self, wait: Duration) {
        self.do_events_wait = wait.max(Duration::from_millis(1));
    }

    /// Cap on application bytes held per connection while its data is
    /// paused (default 256 KiB); beyond it datagrams are dropped and counted
    /// in `DtlsConnection::dropped_while_paused`.
    pub fn set_paused_buffer_limit(&mut self, bytes: usize) {
        self.paused_buffer_limit = bytes;
    }

    /// Sets the event handler.
    pub fn set_handler(&mut self, handler: impl ServerHandler + Send + 'static) {
        self.handler = Some(Box::new(handler));
    }

    /// `SSLCert`: the certificate (with private key) the server presents.
    pub fn ssl_cert(&self) -> Option<&Certificate> {
        self.ssl_cert.as_ref()
    }

    /// Sets `SSLCert`.
    pub fn set_ssl_cert(&mut self, cert: Certificate) {
        self.ssl_cert = Some(cert);
    }

    /// `SSLCACerts`: intermediate certificates sent after the server's
    /// certificate (DER).
    pub fn set_ssl_ca_certs(&mut self, chain: Vec<Vec<u8>>) {
        self.ca_chain = chain;
    }

    /// `Listening`.
    pub fn listening(&self) -> bool {
        self.listening
    }

    /// `LocalHost`: the bound address once listening, else the configured one.
    pub fn local_host(&self) -> Option<IpAddr> {
        match &self.socket {
            Some(s) => s.local_addr().ok().map(|a| a.ip()),
            None => self.settings.bind_addr().ok().map(|a| a.ip()),
        }
    }

    /// `LocalPort`: the bound port once listening (the system's pick when 0
    /// was configured), else the configured one.
    pub fn local_port(&self) -> u16 {
        match &self.socket {
            Some(s) => s.local_addr().map(|a| a.port()).unwrap_or(0),
            None => self.settings.local_port,
        }
    }

    /// `DefaultIdleTimeout` in seconds.
    pub fn default_idle_timeout(&self) -> u64 {
        self.settings.default_idle_timeout.as_secs()
    }

    /// Sets `DefaultIdleTimeout`; applies at once to every connection.
    pub fn set_default_idle_timeout(&mut self, seconds: u64) {
        self.settings.default_idle_timeout = Duration::from_secs(seconds);
        self.apply_runtime_settings();
    }

    /// `KeepAlive`.
    pub fn keep_alive(&self) -> bool {
        self.settings.keep_alive
    }

    /// `SSLAuthenticateClients`.
    pub fn ssl_authenticate_clients(&self) -> bool {
        self.settings.ssl_authenticate_clients
    }

    /// Sets `SSLAuthenticateClients` (before `start_listening`).
    pub fn set_ssl_authenticate_clients(&mut self, on: bool) {
        self.settings.ssl_authenticate_clients = on;
    }

    /// `Connections`: the established connections, by id.
    pub fn connections(&self) -> impl Iterator<Item = &DtlsConnection> {
        self.connections.values().filter(|c| c.connected())
    }

    /// The engine's counters for a connection: records dropped by reason,
    /// records in and out, retransmissions, heartbeats.
    pub fn connection_counters(&self, id: ConnectionId) -> Option<dtls_core::event::Counters> {
        let handle = self.connections.get(&id)?.handle;
        Some(self.endpoint.as_ref()?.connection(handle)?.counters())
    }

    /// One connection (established or still handshaking).
    pub fn connection(&self, id: ConnectionId) -> Option<&DtlsConnection> {
        self.connections.get(&id)
    }

    fn build_config(&self) -> Result<ServerConfig, Error> {
        let st = &self.settings;
        let cert = self.ssl_cert.as_ref().ok_or(Error::NoCertificate)?;
        if !cert.private_key_available() {
            return Err(Error::NoCertificate);
        }
        let mut identity = Identity::from_certificate(cert).map_err(|e| match e {
            dtls_core::Error::Crypto(source) => Error::Certificate {
                setting: "SSLCert",
                source,
            },
            other => Error::Dtls(other),
        })?;
        // SSLCACerts: the chain sent after SSLCert.
        if !st.ssl_ca_certs().trim().is_empty() {
            let chain = Certificate::from_encoded(st.ssl_ca_certs().as_bytes())
                .map_err(|source| Error::Certificate {
                    setting: "SSLCACerts",
                    source,
                })?;
            identity
                .chain
                .extend(chain.chain().iter().map(|c| c.as_ref().to_vec()));
        }
        identity.chain.extend(self.ca_chain.iter().cloned());
        let mut config = ServerConfig::new(identity);
        config.common.cipher_suites = st.effective_cipher_suites()?;
        config.common.mtu = self.mtu;
        config.max_connections = st.max_connections.get();
        // The seed's default group and signature lists are narrower than the
        // engine's (no X25519, no RSA-PSS, no Ed25519); only an explicit
        // setting replaces the engine's safer default.
        let defaults = ServerSettings::default();
        if st.supported_groups() != defaults.supported_groups() {
            config.common.groups = st
                .supported_groups()
                .iter()
                .filter_map(|name| NamedGroup::parse(name).ok())
                .collect();
        }
        if st.effective_signature_algorithms() != defaults.effective_signature_algorithms() {
            config.common.signature_schemes = st
                .effective_signature_algorithms()
                .iter()
                .filter_map(|name| SignatureScheme::parse(name).ok())
                .collect();
        }
        config.unix_time = Some(UnixTime(Arc::new(unix_now)));
        // ReuseSSLSession: session-ID cache and RFC 5077 tickets.
        if !st.reuse_ssl_session {
            config.session_cache_capacity = 0;
            config.session_tickets = false;
        }
        // KeepAlive*: RFC 6520 heartbeats run inside the engine, whose
        // poll_timeout carries their deadlines; DefaultIdleTimeout too.
        config.common.keep_alive = KeepAliveConfig {
            enabled: st.keep_alive,
            peer_allowed_to_send: st.keep_alive_mode == KeepAliveMode::PeerAllowedToSend,
            time: st.keep_alive_time,
            interval: st.keep_alive_interval,
            ..KeepAliveConfig::default()
        };
        config.common.idle_timeout = Some(st.default_idle_timeout).filter(|d| !d.is_zero());
        if st.ssl_authenticate_clients {
            config.client_auth = ClientAuthMode::Required;
            if !st.ssl_client_ca_certs().trim().is_empty() {
                let verifier = ClientCertVerifier::from_pem(
                    st.ssl_client_ca_certs().as_bytes(),
                    st.ssl_security_flags,
                )
                .map_err(|source| Error::Certificate {
                    setting: "SSLClientCACerts",
                    source,
                })?;
                // RFC 5246 7.4.4: tell clients which CAs we accept.
                config.client_ca_names = verifier.ca_names();
                config.client_verifier = Some(Arc::new(verifier));
            }
        }
        Ok(config)
    }

    fn bind(&self) -> Result<UdpSocket, Error> {
        use socket2::{Domain, Protocol, Socket, Type};
        let st = &self.settings;
        let addr = st.bind_addr()?;
        let io = |what: &str, e: io::Error| Error::io(format!("{what} {addr}"), e);
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
            .map_err(|e| io("cannot create a socket for", e))?;
        if st.share_local_port {
            socket
                .set_reuse_port(true)
                .map_err(|e| io("cannot set SO_REUSEPORT (ShareLocalPort) on", e))?;
        }
        if let Some(size) = st.in_buffer_size {
            socket
                .set_recv_buffer_size(size.get())
                .map_err(|e| io("cannot set InBufferSize on", e))?;
        }
        if let Some(size) = st.out_buffer_size {
            socket
                .set_send_buffer_size(size.get())
                .map_err(|e| io("cannot set OutBufferSize on", e))?;
        }
        if st.qos_dscp.value() != 0 && addr.is_ipv4() {
            socket
                .set_tos_v4(st.qos_dscp.tos())
                .map_err(|e| io("cannot set IP_TOS (QOSDSCPValue) on", e))?;
        }
        socket
            .bind(&addr.into())
            .map_err(|e| io("cannot bind", e))?;
        Ok(socket.into())
    }

    /// `StartListening`: binds the socket and accepts handshakes.
    ///
    /// # Errors
    /// No usable certificate, or the socket cannot be bound (the message
    /// names the address and the OS error, e.g. "address in use").
    pub fn start_listening(&mut self) -> Result<(), Error> {
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.set_accepting(true);
            self.listening = true;
            return Ok(());
        }
        let config = self.build_config()?;
        let socket = self.bind()?;
        let endpoint = Endpoint::new(Arc::new(config))?;
        if let Some(path) = &self.settings.ssl_key_log_file {
            // Append only, and readable by the owner alone: the file holds
            // every session's keys.
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options
                .open(path)
                .map_err(|e| Error::io(format!("SSLKeyLogFile {}", path.display()), e))?;
            self.key_log = Some(file);
        }
        // MaxPacketSize: the largest datagram we accept; longer ones are
        // truncated by the kernel and then fail authentication.
        self.recv_buf = vec![0u8; self.settings.max_packet_size()];
        self.socket = Some(socket);
        self.endpoint = Some(endpoint);
        self.listening = true;
        let (host, port) = (self.local_host(), self.local_port());
        let host = host.map_or_else(|| "0.0.0.0".to_owned(), |h| h.to_string());
        self.log(
            None,
            LogLevel::Info,
            "Info",
            format!("listening on {host}:{port}"),
        );
        Ok(())
    }

    /// `StopListening`: new handshakes are ignored; existing connections
    /// stay.
    pub fn stop_listening(&mut self) {
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.set_accepting(false);
        }
        self.listening = false;
    }

    /// `Shutdown`: stop listening, close every connection with close_notify,
    /// and release the socket.
    pub fn shutdown(&mut self) {
        self.stop_listening();
        let now = Instant::now();
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.close_all(now);
        }
        self.pump(now);
        let ids: Vec<ConnectionId> = self.connections.keys().copied().collect();
        for id in ids {
            self.remove_connection(id, 0, "server shut down".to_owned());
        }
        self.endpoint = None;
        self.socket = None;
        self.key_log = None;
    }

    /// `Reset`: shut down and restore every setting to its default.
    pub fn reset(&mut self) {
        self.shutdown();
        self.settings = ServerSettings::default();
        self.ssl_cert = None;
        self.ca_chain.clear();
    }

    fn handle_of(&self, id: ConnectionId) -> Result<ConnectionHandle, Error> {
        self.connections
            .get(&id)
            .map(|c| c.handle)
            .ok_or(Error::NoSuchConnection(id.0))
    }

    /// `SendBytes`: one datagram of application data to a connection.
    ///
    /// # Errors
    /// Unknown id, not yet connected, or more than one record can carry
    /// (nothing is sent in those cases).
    pub fn send_bytes(&mut self, id: ConnectionId, data: &[u8]) -> Result<(), Error> {
        let handle = self.handle_of(id)?;
        let now = Instant::now();
        let endpoint = self.endpoint.as_mut().ok_or(Error::NotListening)?;
        endpoint.send(handle, now, data)?;
        if let Some(c) = self.connections.get_mut(&id) {
            c.last_activity = now;
        }
        self.pump(now);
        Ok(())
    }

    /// `SendText`: sends text encoded in the `CodePage` setting (UTF-8 by
    /// default).
    ///
    /// # Errors
    /// A character the code page cannot encode, or as
    /// [`send_bytes`](Self::send_bytes).
    pub fn send_text(&mut self, id: ConnectionId, text: &str) -> Result<(), Error> {
        let bytes = self.settings.code_page.encode(text)?;
        self.send_bytes(id, &bytes)
    }

    /// Decodes received bytes with the `CodePage` setting (the seed's text
    /// view of `DataIn`'s datagram).
    pub fn decode_text(&self, bytes: &[u8]) -> String {
        self.settings.code_page.decode(bytes)
    }

    /// `Disconnect`: sends close_notify and removes the connection
    /// (Disconnected fires with status 0).
    ///
    /// # Errors
    /// Unknown id.
    pub fn disconnect(&mut self, id: ConnectionId) -> Result<(), Error> {
        let handle = self.handle_of(id)?;
        let now = Instant::now();
        if let Some(c) = self.connections.get_mut(&id) {
            c.close_reason = Some("disconnected locally".to_owned());
        }
        if let Some(endpoint) = &mut self.endpoint {
            let _ = endpoint.close(handle, now);
        }
        self.pump(now);
        if self.connections.contains_key(&id) {
            self.remove_connection(id, 0, "disconnected locally".to_owned());
        }
        Ok(())
    }

    /// `PauseData`: stop DataIn for this connection; records are held (up
    /// to a cap; beyond it they are dropped and counted).
    ///
    /// # Errors
    /// Unknown id.
    pub fn pause_data(&mut self, id: ConnectionId) -> Result<(), Error> {
        let c = self
            .connections
            .get_mut(&id)
            .ok_or(Error::NoSuchConnection(id.0))?;
        c.paused = true;
        Ok(())
    }

    /// `ProcessData`: deliver what was held, in order, and resume DataIn.
    ///
    /// # Errors
    /// Unknown id.
    pub fn process_data(&mut self, id: ConnectionId) -> Result<(), Error> {
        let held = {
            let c = self
                .connections
                .get_mut(&id)
                .ok_or(Error::NoSuchConnection(id.0))?;
            c.paused = false;
            c.held_bytes = 0;
            std::mem::take(&mut c.held)
        };
        for datagram in held {
            let e = DataInEvent {
                connection_id: id,
                datagram,
            };
            self.with_handler(|h, s| h.on_data_in(s, &e));
        }
        Ok(())
    }

    /// `DoEvents`: processes everything that is ready (datagrams, timers,
    /// idle timeouts) and, if nothing is, waits up to
    /// [`set_do_events_wait`](Self::set_do_events_wait) (default 100 ms) for a datagram.
    ///
    /// # Errors
    /// A socket error other than a timeout.
    pub fn do_events(&mut self) -> Result<(), Error> {
        let Some(socket) = self.socket.as_ref() else {
            std::thread::sleep(self.do_events_wait);
            return Ok(());
        };
        let now = Instant::now();
        let mut wait = self.do_events_wait;
        if let Some(at) = self.endpoint.as_ref().and_then(Endpoint::poll_timeout) {
            wait = wait.min(at.saturating_duration_since(now));
        }
        let wait = wait.max(Duration::from_millis(1));
        socket
            .set_read_timeout(Some(wait))
            .map_err(|e| Error::io("socket", e))?;
        let mut received = 0usize;
        while let Some(socket) = self.socket.as_ref() {
            let mut buf = std::mem::take(&mut self.recv_buf);
            let result = socket.recv_from(&mut buf);
            match result {
                Ok((n, peer)) => {
                    let now = Instant::now();
                    self.handle_datagram(now, peer, &mut buf, n);
                    self.recv_buf = buf;
                    received += 1;
                    if received == 1 {
                        // Drain what else is queued without waiting.
                        if let Some(s) = self.socket.as_ref() {
                            let _ = s.set_nonblocking(true);
                        }
                    }
                    if received >= 256 {
                        break;
                    }
                }
                Err(e) => {
                    self.recv_buf = buf;
                    match e.kind() {
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => break,
                        // ICMP port unreachable from a peer that went away
                        // surfaces here on Linux: not the server's problem.
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
                            continue;
                        }
                        _ => {
                            if let Some(s) = self.socket.as_ref() {
                                let _ = s.set_nonblocking(false);
                            }
                            return Err(Error::io("receive", e));
                        }
                    }
                }
            }
        }
        if let Some(s) = self.socket.as_ref() {
            let _ = s.set_nonblocking(false);
        }
        let now = Instant::now();
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.handle_timeout(now);
        }
        self.pump(now);
        Ok(())
    }

    fn handle_datagram(&mut self, now: Instant, peer: SocketAddr, buf: &mut [u8], n: usize) {
        if self.endpoint.is_none() {
            return;
        }
        let Some(datagram) = buf.get_mut(..n) else {
            return;
        };
        if self.settings.log_level >= LogLevel::Debug {
            let line = format!("received {n} bytes from {peer}");
            self.log(None, LogLevel::Debug, "Debug", line);
        }
        let endpoint = match self.endpoint.as_mut() {
            Some(e) => e,
            None => return,
        };
        let mut response = [0u8; 256];
        match endpoint.handle_datagram(now, peer, datagram, &mut response) {
            DatagramEvent::Respond(len) => {
                if let (Some(socket), Some(reply)) = (self.socket.as_ref(), response.get(..len))
                    && socket.send_to(reply, peer).is_err()
                {
                    self.send_errors += 1;
                }
            }
            DatagramEvent::NewConnection(handle) => self.on_new_connection(now, handle, peer),
            DatagramEvent::Consumed => {
                if let Some(id) = endpoint.lookup(peer).and_then(|h| self.by_handle.get(&h))
                    && let Some(c) = self.connections.get_mut(id)
                {
                    c.last_activity = now;
                }
            }
        }
    }

    fn on_new_connection(&mut self, now: Instant, handle: ConnectionHandle, peer: SocketAddr) {
        let mut request = ConnectionRequestEvent {
            address: peer.ip(),
            port: peer.port(),
            accept: true,
        };
        self.with_handler(|h, s| h.on_connection_request(s, &mut request));
        if !request.accept {
            if let Some(endpoint) = &mut self.endpoint {
                endpoint.reject(handle);
            }
            self.log(
                None,
                LogLevel::Info,
                "Info",
                format!("refused connection from {peer}"),
            );
            return;
        }
        // Small sequential ids, like the seed's; never reused.
        let id = ConnectionId(self.next_id);
        self.next_id += 1;
        let local = self
            .socket
            .as_ref()
            .and_then(|s| s.local_addr().ok())
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        self.by_handle.insert(handle, id);
        self.connections.insert(
            id,
            DtlsConnection {
                connection_id: id,
                local_host: local.ip(),
                local_port: local.port(),
                remote_host: peer.ip(),
                remote_port: peer.port(),
                negotiated: None,
                paused: false,
                dropped_while_paused: 0,
                held: VecDeque::new(),
                held_bytes: 0,
                last_activity: now,
                handle,
                close_reason: None,
            },
        );
    }

    /// Sends every datagram the endpoint has, then dispatches its events.
    fn pump(&mut self, now: Instant) {
        self.flush(now);
        if self.dispatching {
            return;
        }
        self.dispatching = true;
        while let Some((handle, event)) = self.endpoint.as_mut().and_then(Endpoint::poll_event) {
            self.dispatch(now, handle, event);
            self.flush(now);
        }
        self.dispatching = false;
    }

    fn flush(&mut self, now: Instant) {
        let (Some(endpoint), Some(socket)) = (self.endpoint.as_mut(), self.socket.as_ref()) else {
            return;
        };
        let mut failures = Vec::new();
        while let Some(t) = endpoint.poll_transmit(now, &mut self.send_buf) {
            let Some(datagram) = self.send_buf.get(..t.len) else {
                continue;
            };
            if let Err(e) = socket.send_to(datagram, t.destination) {
                self.send_errors += 1;
                failures.push((t.connection, t.destination, e));
            }
        }
        // The seed's Error event: a datagram could not be sent (the
        // connection's retransmission or keep-alive will notice if it
        // matters).
        for (handle, destination, e) in failures {
            let id = self.by_handle.get(&handle).copied();
            self.error(
                id,
                StatusCode::InvalidFlow,
                format!("cannot send a datagram to {destination}: {e}"),
            );
        }
    }

    fn dispatch(&mut self, now: Instant, handle: ConnectionHandle, event: Event) {
        let Some(&id) = self.by_handle.get(&handle) else {
            return;
        };
        match event {
            Event::HandshakeProgress(message) => {
                if self.settings.log_level >= LogLevel::Verbose {
                    self.log(Some(id), LogLevel::Verbose, "Verbose", message.clone());
                }
                let e = SslStatusEvent {
                    connection_id: id,
                    message,
                };
                self.with_handler(|h, s| h.on_ssl_status(s, &e));
            }
            Event::ClientCertificate {
                chain,
                status,
                verified,
            } => {
                let leaf = chain.first().cloned().unwrap_or_default();
                let (subject, issuer) = match Certificate::from_der(&leaf) {
                    Ok(c) => (c.subject().to_owned(), c.issuer().to_owned()),
                    Err(_) => (String::new(), String::new()),
                };
                let mut e = SslClientAuthenticationEvent {
                    connection_id: id,
                    cert_encoded: leaf,
                    cert_subject: subject,
                    cert_issuer: issuer,
                    status,
                    accept: verified,
                };
                self.with_handler(|h, s| h.on_ssl_client_authentication(s, &mut e));
                if let Some(endpoint) = &mut self.endpoint {
                    let _ = endpoint.decide_client_certificate(handle, now, e.accept);
                }
            }
            Event::Connected(params) => {
                self.write_key_log(handle);
                let (host, port) = match self.connections.get_mut(&id) {
                    Some(c) => {
                        c.negotiated = Some(*params.clone());
                        c.last_activity = now;
                        (c.remote_host, c.remote_port)
                    }
                    None => return,
                };
                self.log(
                    Some(id),
                    LogLevel::Info,
                    "Info",
                    format!("connected {host}:{port} ({})", params.cipher_suite),
                );
                let e = ConnectedEvent {
                    connection_id: id,
                    source_addr: host,
                    source_port: port,
                    status_code: 0,
                    description: "OK".to_owned(),
                };
                self.with_handler(|h, s| h.on_connected(s, &e));
            }
            Event::HandshakeFailed(status) => {
                let (host, port) = match self.connections.get(&id) {
                    Some(c) => (c.remote_host, c.remote_port),
                    None => return,
                };
                self.log(
                    Some(id),
                    LogLevel::Info,
                    "Error",
                    format!("handshake with {host}:{port} failed: {status}"),
                );
                let e = ConnectedEvent {
                    connection_id: id,
                    source_addr: host,
                    source_port: port,
                    status_code: status.code.code(),
                    description: status.description.clone(),
                };
                self.with_handler(|h, s| h.on_connected(s, &e));
                self.remove_connection(id, status.code.code(), status.description);
            }
            Event::DataReadable => self.drain_data(id, handle),
            Event::Closed(status) => {
                let reason = self
                    .connections
                    .get_mut(&id)
                    .and_then(|c| c.close_reason.take());
                let description = reason.unwrap_or(status.description);
                self.remove_connection(id, status.code.code(), description);
            }
            _ => {}
        }
    }

    fn drain_data(&mut self, id: ConnectionId, handle: ConnectionHandle) {
        let mut buf = std::mem::take(&mut self.recv_buf);
        while let Some(Ok(Some(n))) = self
            .endpoint
            .as_mut()
            .map(|endpoint| endpoint.recv(handle, &mut buf))
        {
            let datagram = buf.get(..n).unwrap_or(&[]).to_vec();
            let limit = self.paused_buffer_limit;
            let deliver = match self.connections.get_mut(&id) {
                Some(c) if c.paused => {
                    if c.held_bytes + datagram.len() > limit {
                        c.dropped_while_paused += 1;
                    } else {
                        c.held_bytes += datagram.len();
                        c.held.push_back(datagram.clone());
                    }
                    false
                }
                Some(_) => true,
                None => false,
            };
            if deliver {
                let e = DataInEvent {
                    connection_id: id,
                    datagram,
                };
                self.with_handler(|h, s| h.on_data_in(s, &e));
            }
        }
        self.recv_buf = buf;
    }

    fn remove_connection(&mut self, id: ConnectionId, status_code: u16, description: String) {
        let Some(conn) = self.connections.remove(&id) else {
            return;
        };
        self.by_handle.remove(&conn.handle);
        let level_type = if status_code == 0 { "Info" } else { "Error" };
        self.log(
            Some(id),
            LogLevel::Info,
            level_type,
            format!(
                "disconnected {}:{} ({status_code}: {description})",
                conn.remote_host, conn.remote_port
            ),
        );
        let e = DisconnectedEvent {
            connection_id: id,
            status_code,
            description,
        };
        self.with_handler(|h, s| h.on_disconnected(s, &e));
    }

    fn write_key_log(&mut self, handle: ConnectionHandle) {
        let Some(file) = self.key_log.as_mut() else {
            return;
        };
        let Some(conn) = self.endpoint.as_ref().and_then(|e| e.connection(handle)) else {
            return;
        };
        if let Some(line) = conn.key_log_line() {
            // NSS key log format, one line, append only.
            let _ = writeln!(file, "{line}");
        }
    }

    /// Fires `Log` if `level` is within the configured `LogLevel`.
    fn log(
        &mut self,
        id: Option<ConnectionId>,
        level: LogLevel,
        log_type: &'static str,
        message: String,
    ) {
        if level > self.settings.log_level || level == LogLevel::None {
            return;
        }
        let e = LogEvent {
            connection_id: id,
            log_level: level as u8,
            message,
            log_type,
        };
        self.with_handler(|h, s| h.on_log(s, &e));
    }

    /// Reports an error through the `Error` event.
    fn error(&mut self, id: Option<ConnectionId>, code: StatusCode, description: String) {
        let e = ErrorEvent {
            connection_id: id,
            error_code: code.code(),
            description,
        };
        self.with_handler(|h, s| h.on_error(s, &e));
    }

    fn with_handler(&mut self, f: impl FnOnce(&mut dyn ServerHandler, &mut DtlsServer)) {
        if let Some(mut handler) = self.handler.take() {
            f(handler.as_mut(), self);
            if self.handler.is_none() {
                self.handler = Some(handler);
            }
        }
    }
}
