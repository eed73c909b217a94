//! The seed's events, as Rust types, and the handler that receives them.
//!
//! Every handler method gets `&mut DtlsServer`, so it can answer the way the
//! seed's examples do (send in `on_data_in`, disconnect in `on_connected`...).
//! Implement [`ServerHandler`] on your own type, or use [`Handlers`] to set
//! closures one by one.

use std::net::IpAddr;

use crate::server::{ConnectionId, DtlsServer};

/// `Connected`: a handshake completed (`status_code == 0`) or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// The peer's address.
    pub source_addr: IpAddr,
    /// The peer's port.
    pub source_port: u16,
    /// 0 on success, else one of the seed's 400-405 codes.
    pub status_code: u16,
    /// "OK" or what went wrong.
    pub description: String,
    /// Under a PSK suite, the identity the client proved it holds the key
    /// of (RFC 4279 2); such a client presents no certificate, so
    /// `SSLClientAuthentication` does not fire for it. Not in the seed.
    pub psk_identity: Option<Vec<u8>>,
}

/// `PeerAddressChanged` (ours, not the seed's): a client that negotiated a
/// connection ID (RFC 9146; the `ConnectionIdLength` setting) now sends
/// from another address, after a NAT rebinding or roaming. The
/// connection's `remote_host` / `remote_port` already show the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAddressChangedEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// The address it had.
    pub previous: std::net::SocketAddr,
    /// The address it has now.
    pub current: std::net::SocketAddr,
}

/// `ConnectionRequest`: a peer proved its address with the cookie exchange
/// and is about to handshake. Set `accept = false` to refuse it (it is
/// dropped silently).
///
/// Unlike a TCP accept, this fires only after the stateless cookie round
/// trip (RFC 6347 4.2.1), so spoofed source addresses never reach
/// application code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequestEvent {
    /// The peer's address.
    pub address: IpAddr,
    /// The peer's port.
    pub port: u16,
    /// Whether to accept (default `true`).
    pub accept: bool,
}

/// `DataIn`: one datagram of application data arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataInEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// The decrypted datagram.
    pub datagram: Vec<u8>,
}

/// `Disconnected`: a connection ended and was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisconnectedEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// 0 for an orderly close, else one of the seed's codes.
    pub status_code: u16,
    /// What happened.
    pub description: String,
}

/// `Error`: something went wrong outside any handshake (a socket error, a
/// send that failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEvent {
    /// The connection, if the error belongs to one.
    pub connection_id: Option<ConnectionId>,
    /// The seed's error code.
    pub error_code: u16,
    /// What went wrong.
    pub description: String,
}

/// `Log`: one log line, filtered by the `LogLevel` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// The connection, if the line belongs to one.
    pub connection_id: Option<ConnectionId>,
    /// 1 (Info), 2 (Verbose) or 3 (Debug).
    pub log_level: u8,
    /// The line.
    pub message: String,
    /// "Info", "Error", "Verbose" or "Debug".
    pub log_type: &'static str,
}

/// `SSLClientAuthentication`: the client presented a certificate. `accept`
/// starts as whether the chain validated; the handler may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslClientAuthenticationEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// The client's end-entity certificate, DER; or its raw public key
    /// (a DER SubjectPublicKeyInfo) when `raw_public_key` is set.
    pub cert_encoded: Vec<u8>,
    /// Its subject DN (empty for a raw public key).
    pub cert_subject: String,
    /// Its issuer DN (empty for a raw public key).
    pub cert_issuer: String,
    /// Whether the client presented a raw public key (RFC 7250) instead
    /// of a certificate. Not in the seed.
    pub raw_public_key: bool,
    /// "OK" or the problems found with the chain.
    pub status: String,
    /// Whether to accept the client.
    pub accept: bool,
}

/// `SSLStatus`: handshake progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslStatusEvent {
    /// The connection.
    pub connection_id: ConnectionId,
    /// What happened.
    pub message: String,
}

type Callback<E> = Box<dyn FnMut(&mut DtlsServer, &E) + Send>;
type MutCallback<E> = Box<dyn FnMut(&mut DtlsServer, &mut E) + Send>;

/// Declares [`ServerHandler`] (a default, do-nothing method per event),
/// [`Handlers`] (an optional closure per event) and the forwarding between
/// them, from one list of the seed's events.
macro_rules! events {
    ($(
        $(#[$doc:meta])*
        $seed:literal => fn $method:ident(e: $arg:ty), $callback:ty;
    )*) => {
        /// Receives the server's events. Every method has a default that does
        /// nothing (and accepts, where there is a choice).
        #[allow(unused_variables)]
        pub trait ServerHandler {
            $(
                $(#[$doc])*
                fn $method(&mut self, server: &mut DtlsServer, e: $arg) {}
            )*
        }

        /// A [`ServerHandler`] made of optional closures, for the seed's
        /// `server.OnDataIn += ...` style.
        #[derive(Default)]
        pub struct Handlers {
            $(
                #[doc = concat!("`", $seed, "`.")]
                pub $method: Option<$callback>,
            )*
        }

        impl ServerHandler for Handlers {
            $(
                fn $method(&mut self, server: &mut DtlsServer, e: $arg) {
                    if let Some(f) = &mut self.$method {
                        f(server, e);
                    }
                }
            )*
        }
    };
}

events! {
    /// A handshake completed or failed.
    "Connected" => fn on_connected(e: &ConnectedEvent), Callback<ConnectedEvent>;
    /// A verified peer wants to connect; clear `e.accept` to refuse.
    "ConnectionRequest" => fn on_connection_request(e: &mut ConnectionRequestEvent),
        MutCallback<ConnectionRequestEvent>;
    /// Application data arrived.
    "DataIn" => fn on_data_in(e: &DataInEvent), Callback<DataInEvent>;
    /// A connection ended.
    "Disconnected" => fn on_disconnected(e: &DisconnectedEvent), Callback<DisconnectedEvent>;
    /// An error outside a handshake.
    "Error" => fn on_error(e: &ErrorEvent), Callback<ErrorEvent>;
    /// A log line.
    "Log" => fn on_log(e: &LogEvent), Callback<LogEvent>;
    /// A client presented a certificate; set `e.accept`.
    "SSLClientAuthentication" => fn on_ssl_client_authentication(
        e: &mut SslClientAuthenticationEvent
    ), MutCallback<SslClientAuthenticationEvent>;
    /// Handshake progress.
    "SSLStatus" => fn on_ssl_status(e: &SslStatusEvent), Callback<SslStatusEvent>;
    /// A client moved to another address under its connection ID (ours).
    "PeerAddressChanged" => fn on_peer_address_changed(e: &PeerAddressChangedEvent),
        Callback<PeerAddressChangedEvent>;
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handlers { .. }")
    }
}
