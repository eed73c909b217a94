//! A snapshot of the server as a whole: what its engine holds and counted.

use dtls_core::EndpointCounters;

use super::DtlsServer;

/// The server's state and counters at one moment (all zero when not
/// listening). Reading it costs nothing per connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Connections the engine holds: established and handshaking
    /// (`DtlsServer::connections` lists only the established ones).
    pub connections: usize,
    /// Of those, handshakes under way (passed the cookie, not complete).
    pub half_open: usize,
    /// Bytes peers have made the server buffer, counted against
    /// `PeerBufferBudget`.
    pub buffered_bytes: usize,
    /// What the engine's stateless path answered, refused and evicted.
    pub endpoint: EndpointCounters,
    /// Datagrams the socket refused to send.
    pub send_errors: u64,
}

impl DtlsServer {
    /// The server's state and counters now.
    pub fn stats(&self) -> ServerStats {
        let mut stats = ServerStats {
            send_errors: self.send_errors,
            ..ServerStats::default()
        };
        if let Some(listener) = &self.listener {
            let endpoint = &listener.endpoint;
            stats.connections = endpoint.connection_count();
            stats.half_open = endpoint.half_open_count();
            stats.buffered_bytes = endpoint.buffered_bytes();
            stats.endpoint = endpoint.counters();
        }
        stats
    }
}
