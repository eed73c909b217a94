//! The connection table: one entry per connection the application
//! accepted, keyed by a [`ConnectionId`] derived from the engine's
//! [`ConnectionHandle`], so the two can never disagree.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use dtls_core::ConnectionHandle;
use dtls_core::event::NegotiatedParams;

use crate::settings::{ConnectionInfoSource, NegotiatedInfo};

/// A connection's identifier (the seed's ConnectionId): the engine's
/// [`ConnectionHandle::id`]. Unique among the live connections of one
/// listening session and never reused by it (each engine slot carries a
/// generation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl From<ConnectionHandle> for ConnectionId {
    fn from(handle: ConnectionHandle) -> Self {
        ConnectionId(handle.id())
    }
}

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
    pub(super) handle: ConnectionHandle,
    /// Why we closed it, reported by Disconnected instead of the engine's
    /// generic "closed locally".
    pub(super) close_reason: Option<String>,
}

impl DtlsConnection {
    /// A connection the engine just created for `peer`, reached on `local`.
    pub(super) fn new(handle: ConnectionHandle, local: SocketAddr, peer: SocketAddr) -> Self {
        DtlsConnection {
            connection_id: ConnectionId::from(handle),
            local_host: local.ip(),
            local_port: local.port(),
            remote_host: peer.ip(),
            remote_port: peer.port(),
            negotiated: None,
            paused: false,
            dropped_while_paused: 0,
            held: VecDeque::new(),
            held_bytes: 0,
            handle,
            close_reason: None,
        }
    }

    /// Whether the handshake has completed.
    pub fn connected(&self) -> bool {
        self.negotiated.is_some()
    }

    /// Keeps a datagram that arrived while paused, unless `limit` bytes are
    /// already held (then it is dropped and counted).
    pub(super) fn hold(&mut self, datagram: Vec<u8>, limit: usize) {
        if self.held_bytes + datagram.len() > limit {
            self.dropped_while_paused += 1;
        } else {
            self.held_bytes += datagram.len();
            self.held.push_back(datagram);
        }
    }

    /// Resumes delivery and hands back what was held, in arrival order.
    pub(super) fn resume(&mut self) -> VecDeque<Vec<u8>> {
        self.paused = false;
        self.held_bytes = 0;
        std::mem::take(&mut self.held)
    }
}

/// The table itself.
pub(super) type Connections = BTreeMap<ConnectionId, DtlsConnection>;

/// Live connection facts for `config("SSLNegotiated*[id]")`.
pub(super) struct LiveConnections<'a> {
    pub(super) connections: &'a Connections,
    pub(super) socket_bound: bool,
}

impl ConnectionInfoSource for LiveConnections<'_> {
    fn negotiated(&self, connection_id: &str) -> Option<NegotiatedInfo> {
        let id = ConnectionId(connection_id.trim().parse().ok()?);
        let n = self.connections.get(&id)?.negotiated.as_ref()?;
        Some(NegotiatedInfo {
            version: n.version.to_owned(),
            cipher_suite: n.cipher_suite,
            key_exchange_strength: n.group.map(|g| g.strength_bits()),
            psk_identity: n.psk_identity.clone(),
        })
    }

    fn socket_bound(&self) -> bool {
        self.socket_bound
    }
}
