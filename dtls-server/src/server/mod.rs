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

mod dispatch;
mod listener;
mod packet_log;
mod pump;
mod reconfigure;
mod stats;
mod table;
mod udp;

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use dtls_core::ConnectionHandle;
use dtls_crypto::cert::Certificate;

use crate::error::Error;
use crate::events::ServerHandler;
use crate::settings::ServerSettings;
use listener::Listener;
pub use stats::ServerStats;
use table::Connections;
pub use table::{ConnectionId, DtlsConnection};

/// The server. See the module documentation.
pub struct DtlsServer {
    settings: ServerSettings,
    mtu: usize,
    do_events_wait: Duration,
    paused_buffer_limit: usize,
    ssl_cert: Option<Certificate>,
    ca_chain: Vec<Vec<u8>>,
    /// Pre-shared keys (RFC 4279), besides or instead of `ssl_cert`.
    psk: Option<dtls_core::config::ServerPsk>,
    /// Client raw public keys (RFC 7250) reported as verified.
    trusted_client_keys: Vec<Vec<u8>>,
    /// The secret shared with the service's other nodes, if any.
    shared_secret: Option<std::sync::Arc<dtls_crypto::shared_secret::SharedSecret>>,
    /// This server's index in the CIDs it issues, among workers.
    connection_id_prefix: Option<u8>,
    /// Datagrams for other workers' connections, to forward.
    foreign: Vec<ForeignDatagram>,
    /// The socket and engine, while listening or stopped but not shut down.
    listener: Option<Listener>,
    connections: Connections,
    handler: Option<Box<dyn ServerHandler + Send>>,
    /// A handler call is in progress: events raised meanwhile wait in
    /// `pending_events` and the engine's events stay in the engine.
    handler_running: bool,
    /// Seed events raised while a handler ran, delivered as soon as it
    /// returns, in order.
    pending_events: std::collections::VecDeque<dispatch::SeedEvent>,
    dispatching: bool,
    recv_buf: Vec<u8>,
    /// Datagrams received by one system call.
    recv_batch: udp::RecvBatch,
    /// Datagrams to send with one system call.
    send_batch: udp::SendBatch,
    /// Application messages the engine handed over from the datagram being
    /// handled: connection, start and length in the datagram.
    data_spans: Vec<(ConnectionHandle, usize, usize)>,
    /// The DataIn event reused for messages delivered straight from a
    /// datagram (its buffer keeps its capacity).
    data_in_event: Option<crate::events::DataInEvent>,
    /// Stateless replies (HelloVerifyRequests, refusals) to send together.
    replies: udp::SendBatch,
    /// Datagrams that could not be sent (socket errors), for diagnostics.
    pub send_errors: u64,
}

impl fmt::Debug for DtlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsServer")
            .field("listening", &self.listening())
            .field("connections", &self.connections.len())
            .finish_non_exhaustive()
    }
}

/// The send MTU until `set_mtu` changes it.
const DEFAULT_MTU: usize = 1200;

impl Default for DtlsServer {
    fn default() -> Self {
        Self::new()
    }
}

impl DtlsServer {
    /// A server with the seed's defaults, no certificate, not listening.
    pub fn new() -> Self {
        DtlsServer {
            settings: ServerSettings::default(),
            mtu: DEFAULT_MTU,
            do_events_wait: Duration::from_millis(100),
            paused_buffer_limit: 256 * 1024,
            ssl_cert: None,
            ca_chain: Vec::new(),
            psk: None,
            trusted_client_keys: Vec::new(),
            shared_secret: None,
            connection_id_prefix: None,
            foreign: Vec::new(),
            listener: None,
            connections: Connections::new(),
            handler: None,
            handler_running: false,
            pending_events: std::collections::VecDeque::new(),
            dispatching: false,
            recv_buf: vec![0u8; 65_536],
            recv_batch: udp::RecvBatch::default(),
            send_batch: udp::SendBatch::for_mtu(DEFAULT_MTU),
            replies: udp::SendBatch::with_room(udp::REPLY_ROOM),
            data_spans: Vec::new(),
            data_in_event: None,
            send_errors: 0,
        }
    }

    /// The typed settings (the seed's properties and config settings).
    pub fn settings(&self) -> &ServerSettings {
        &self.settings
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

    /// `Listening`.
    pub fn listening(&self) -> bool {
        self.listener.as_ref().is_some_and(|l| l.accepting)
    }

    /// The UDP socket, from `start_listening` until `shutdown`: for
    /// inspection, and for socket options the settings do not cover. Do
    /// not read from it (`do_events` owns its datagrams) and leave it
    /// non-blocking: `do_events` waits in `poll(2)` and then receives and
    /// sends in batches (`recvmmsg`, `sendmmsg`) until the socket would
    /// block.
    pub fn socket(&self) -> Option<&std::net::UdpSocket> {
        self.listener.as_ref().map(|l| l.io.socket())
    }

    /// `LocalHost`: the bound address once listening, else the configured one.
    pub fn local_host(&self) -> Option<IpAddr> {
        match &self.listener {
            Some(l) => Some(l.io.local_addr().ip()),
            None => self.settings.bind_addr().ok().map(|a| a.ip()),
        }
    }

    /// `LocalPort`: the bound port once listening (the system's pick when 0
    /// was configured), else the configured one.
    pub fn local_port(&self) -> u16 {
        match &self.listener {
            Some(l) => l.io.local_addr().port(),
            None => self.settings.local_port,
        }
    }

    /// `DefaultIdleTimeout` in seconds.
    pub fn default_idle_timeout(&self) -> u64 {
        self.settings.default_idle_timeout.as_secs()
    }

    /// `KeepAlive`.
    pub fn keep_alive(&self) -> bool {
        self.settings.keep_alive
    }

    /// `SSLAuthenticateClients`.
    pub fn ssl_authenticate_clients(&self) -> bool {
        self.settings.ssl_authenticate_clients
    }

    /// `Connections`: the established connections, by id.
    pub fn connections(&self) -> impl Iterator<Item = &DtlsConnection> {
        self.connections.values().filter(|c| c.connected())
    }

    /// The engine's counters for a connection: records dropped by reason,
    /// records in and out, retransmissions, heartbeats.
    pub fn connection_counters(&self, id: ConnectionId) -> Option<dtls_core::event::Counters> {
        let handle = self.connections.get(&id)?.handle;
        let listener = self.listener.as_ref()?;
        Some(listener.endpoint.connection(handle)?.counters())
    }

    /// One connection (established or still handshaking).
    pub fn connection(&self, id: ConnectionId) -> Option<&DtlsConnection> {
        self.connections.get(&id)
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
        if self.listener.is_none() {
            return Err(Error::NotListening);
        }
        if self.send_batch.is_full() {
            self.send_batched();
        }
        let listener = self.listener.as_mut().ok_or(Error::NotListening)?;
        // Sealed straight into the send batch when the connection can send
        // now (queued otherwise, and sent by the flush below).
        match self.send_batch.next_slot() {
            Some(slot) => {
                if let Some(t) = listener.endpoint.send_now(handle, now, data, slot)? {
                    self.send_batch.push(t.connection, t.destination, t.len);
                }
            }
            None => listener.endpoint.send(handle, now, data)?,
        }
        // From a handler run by the pump (DataIn, say), the pump sends it
        // with the rest of the batch once its run of events is through.
        if !self.dispatching {
            self.pump(now);
        }
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
        if let Some(listener) = &mut self.listener {
            let _ = listener.endpoint.close(handle, now);
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
        let held = self
            .connections
            .get_mut(&id)
            .ok_or(Error::NoSuchConnection(id.0))?
            .resume();
        for datagram in held {
            self.fire_data_in(id, datagram);
        }
        Ok(())
    }
}

/// A datagram that carries another worker's connection ID
/// (`DatagramEvent::ForeignConnectionId`): hand it to the worker whose
/// `set_connection_id_prefix` is `owner`, with
/// [`DtlsServer::inject_datagram`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignDatagram {
    /// The owner's CID prefix.
    pub owner: u8,
    /// Where it came from.
    pub peer: std::net::SocketAddr,
    /// The datagram, untouched.
    pub datagram: Vec<u8>,
}

/// Most foreign datagrams held between two `take_foreign_datagrams`.
const MAX_FOREIGN: usize = 1024;
