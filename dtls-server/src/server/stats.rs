//! A snapshot of the server as a whole: the engine's [`EndpointStats`] and
//! what the socket refused.

use dtls_core::EndpointStats;

use super::DtlsServer;

/// The server's state and counters at one moment (the engine's part is
/// zero when there is no socket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Connections (handshaking and established; `DtlsServer::connections`
    /// lists only the established ones), handshakes started, completed and
    /// failed by cause, records and drops, bytes, memory held.
    pub engine: EndpointStats,
    /// Datagrams the socket refused to send.
    pub send_errors: u64,
    /// System calls that received datagrams (each takes up to a batch).
    pub receive_calls: u64,
    /// System calls that sent datagrams (each sends up to a batch).
    pub send_calls: u64,
}

impl ServerStats {
    /// The snapshot in the Prometheus text format, metrics named
    /// `dtls_...` (see [`EndpointStats::to_prometheus`]).
    pub fn to_prometheus(&self) -> String {
        let mut text = self.engine.to_prometheus("dtls");
        text.push_str("# HELP dtls_send_errors_total Datagrams the socket refused to send.\n");
        text.push_str("# TYPE dtls_send_errors_total counter\n");
        text.push_str(&format!("dtls_send_errors_total {}\n", self.send_errors));
        for (name, help, value) in [
            (
                "dtls_socket_receive_calls_total",
                "System calls that received datagrams (batched).",
                self.receive_calls,
            ),
            (
                "dtls_socket_send_calls_total",
                "System calls that sent datagrams (batched).",
                self.send_calls,
            ),
        ] {
            text.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        }
        text
    }
}

impl DtlsServer {
    /// The server's state and counters now; O(live connections), for
    /// monitoring (`dtls-echo --stats`).
    pub fn stats(&self) -> ServerStats {
        ServerStats {
            engine: self
                .listener
                .as_ref()
                .map(|l| l.endpoint.stats())
                .unwrap_or_default(),
            send_errors: self.send_errors,
            receive_calls: self.listener.as_ref().map_or(0, |l| l.io.calls.0),
            send_calls: self.listener.as_ref().map_or(0, |l| l.io.calls.1),
        }
    }
}
