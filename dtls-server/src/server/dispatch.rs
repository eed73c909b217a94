//! Engine events become the seed's events: each [`Event`] of a connection
//! in the table is turned into the handler calls the seed documents, in
//! the order the engine reported them.

use std::io::Write;
use std::time::Instant;

use dtls_core::event::NegotiatedParams;
use dtls_core::{ConnectionHandle, Event, Status, StatusCode};
use dtls_crypto::cert::Certificate;

use super::{ConnectionId, DtlsConnection, DtlsServer};
use crate::events::{
    ConnectedEvent, DataInEvent, DisconnectedEvent, ErrorEvent, LogEvent, PeerAddressChangedEvent,
    ServerHandler, SslClientAuthenticationEvent, SslStatusEvent,
};
use crate::settings::LogType;

impl DtlsServer {
    pub(super) fn dispatch(&mut self, now: Instant, handle: ConnectionHandle, event: Event) {
        let id = ConnectionId::from(handle);
        if !self.connections.contains_key(&id) {
            return;
        }
        match event {
            Event::HandshakeProgress(message) => {
                if self.settings.log_level.enables(LogType::Verbose) {
                    self.log(Some(id), LogType::Verbose, message.clone());
                }
                let e = SslStatusEvent {
                    connection_id: id,
                    message,
                };
                self.emit(SeedEvent::SslStatus(e));
            }
            Event::ClientCertificate {
                chain,
                raw_public_key,
                status,
                verified,
                ..
            } => {
                let is_raw_key = raw_public_key.is_some();
                let encoded =
                    raw_public_key.unwrap_or_else(|| chain.first().cloned().unwrap_or_default());
                let (subject, issuer) = match Certificate::from_der(&encoded) {
                    Ok(c) if !is_raw_key => (c.subject().to_owned(), c.issuer().to_owned()),
                    _ => (String::new(), String::new()),
                };
                let mut e = SslClientAuthenticationEvent {
                    connection_id: id,
                    cert_encoded: encoded,
                    cert_subject: subject,
                    cert_issuer: issuer,
                    raw_public_key: is_raw_key,
                    status,
                    accept: verified,
                };
                self.with_handler(|h, s| h.on_ssl_client_authentication(s, &mut e));
                if let Some(listener) = &mut self.listener {
                    let _ = listener
                        .endpoint
                        .decide_client_certificate(handle, now, e.accept);
                }
            }
            Event::PeerAddressChanged { previous, current } => {
                if let Some(c) = self.connections.get_mut(&id) {
                    c.remote_host = current.ip();
                    c.remote_port = current.port();
                }
                self.log(
                    Some(id),
                    LogType::Info,
                    format!("moved from {previous} to {current} (connection ID)"),
                );
                self.emit(SeedEvent::PeerAddressChanged(PeerAddressChangedEvent {
                    connection_id: id,
                    previous,
                    current,
                }));
            }
            Event::Connected(params) => self.on_handshake_done(id, handle, &params),
            Event::HandshakeFailed(status) => self.on_handshake_failed(id, status),
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

    /// The handshake completed: key log line, `Log`, `Connected` (0, "OK").
    fn on_handshake_done(
        &mut self,
        id: ConnectionId,
        handle: ConnectionHandle,
        params: &NegotiatedParams,
    ) {
        self.write_key_log(handle);
        let Some(c) = self.connections.get_mut(&id) else {
            return;
        };
        c.negotiated = Some(params.clone());
        let line = format!(
            "connected {}:{} ({}{})",
            c.remote_host,
            c.remote_port,
            params.cipher_suite,
            if params.resumed { ", resumed" } else { "" }
        );
        let e = connected_event(c, 0, "OK".to_owned());
        self.log(Some(id), LogType::Info, line);
        self.emit(SeedEvent::Connected(e));
    }

    /// The handshake failed: `Log`, `Connected` and `Disconnected` with the
    /// failure's code and description.
    fn on_handshake_failed(&mut self, id: ConnectionId, status: Status) {
        let Some(c) = self.connections.get(&id) else {
            return;
        };
        let line = format!(
            "handshake with {}:{} failed: {status}",
            c.remote_host, c.remote_port
        );
        let e = connected_event(c, status.code.code(), status.description.clone());
        self.log(Some(id), LogType::Error, line);
        self.emit(SeedEvent::Connected(e));
        self.remove_connection(id, status.code.code(), status.description);
    }

    fn drain_data(&mut self, id: ConnectionId, handle: ConnectionHandle) {
        let mut buf = std::mem::take(&mut self.recv_buf);
        while let Some(Ok(Some(n))) = self
            .listener
            .as_mut()
            .map(|listener| listener.endpoint.recv(handle, &mut buf))
        {
            let datagram = buf.get(..n).unwrap_or(&[]).to_vec();
            let limit = self.paused_buffer_limit;
            match self.connections.get_mut(&id) {
                Some(c) if c.paused => c.hold(datagram, limit),
                Some(_) => self.fire_data_in(id, datagram),
                None => {}
            }
        }
        self.recv_buf = buf;
    }

    /// DataIn for the messages the engine handed over as spans of
    /// `datagram` (see `handle_datagram`): each is copied once, into a
    /// reused event, and handed to the handler at once.
    pub(super) fn deliver_spans(&mut self, datagram: &[u8]) {
        let mut spans = std::mem::take(&mut self.data_spans);
        for &(handle, start, len) in &spans {
            let Some(bytes) = start
                .checked_add(len)
                .and_then(|end| datagram.get(start..end))
            else {
                continue;
            };
            let id = ConnectionId::from(handle);
            let limit = self.paused_buffer_limit;
            match self.connections.get_mut(&id) {
                // A handler paused it meanwhile.
                Some(c) if c.paused => c.hold(bytes.to_vec(), limit),
                Some(_) => self.fire_data_in_borrowed(id, bytes),
                None => {}
            }
        }
        spans.clear();
        self.data_spans = spans;
    }

    /// DataIn with `bytes`, without allocating: delivered now through the
    /// reused event, or queued as a copy behind events already waiting.
    fn fire_data_in_borrowed(&mut self, id: ConnectionId, bytes: &[u8]) {
        if self.handler.is_none() && !self.handler_running {
            return; // nobody listens
        }
        if self.handler_running || !self.pending_events.is_empty() {
            self.fire_data_in(id, bytes.to_vec());
            return;
        }
        let mut e = self.data_in_event.take().unwrap_or(DataInEvent {
            connection_id: id,
            datagram: Vec::new(),
        });
        e.connection_id = id;
        e.datagram.clear();
        e.datagram.extend_from_slice(bytes);
        // As in the pump: what the handler sends leaves with the batch.
        let dispatching = std::mem::replace(&mut self.dispatching, true);
        self.with_handler(|h, s| h.on_data_in(s, &e));
        self.dispatching = dispatching;
        self.data_in_event = Some(e);
    }

    pub(super) fn fire_data_in(&mut self, id: ConnectionId, datagram: Vec<u8>) {
        let e = DataInEvent {
            connection_id: id,
            datagram,
        };
        self.emit(SeedEvent::DataIn(e));
    }

    /// Takes a connection out of the table and fires `Disconnected`.
    pub(super) fn remove_connection(
        &mut self,
        id: ConnectionId,
        status_code: u16,
        description: String,
    ) {
        let Some(conn) = self.connections.remove(&id) else {
            return;
        };
        let log_type = if status_code == 0 {
            LogType::Info
        } else {
            LogType::Error
        };
        let line = format!(
            "disconnected {}:{} ({status_code}: {description})",
            conn.remote_host, conn.remote_port
        );
        self.log(Some(id), log_type, line);
        let e = DisconnectedEvent {
            connection_id: id,
            status_code,
            description,
        };
        self.emit(SeedEvent::Disconnected(e));
    }

    fn write_key_log(&mut self, handle: ConnectionHandle) {
        let Some(listener) = &mut self.listener else {
            return;
        };
        let Some(file) = listener.key_log.as_mut() else {
            return;
        };
        let Some(conn) = listener.endpoint.connection(handle) else {
            return;
        };
        if let Some(line) = conn.key_log_line() {
            // NSS key log format, one line, append only.
            let _ = writeln!(file, "{line}");
        }
    }

    /// Fires `Log` if the `LogLevel` setting enables `log_type`.
    pub(super) fn log(&mut self, id: Option<ConnectionId>, log_type: LogType, message: String) {
        if !self.settings.log_level.enables(log_type) {
            return;
        }
        // The same line to the `log` facade (target `dtls_server`), with the
        // connection's id and peer address in front when it has one.
        let level = log_type.facade_level();
        if log::log_enabled!(target: "dtls_server", level) {
            match id.and_then(|id| self.connections.get(&id)) {
                Some(c) => log::log!(
                    target: "dtls_server",
                    level,
                    "[{} {}:{}] {message}",
                    c.connection_id,
                    c.remote_host,
                    c.remote_port
                ),
                None => log::log!(target: "dtls_server", level, "{message}"),
            }
        }
        let e = LogEvent {
            connection_id: id,
            log_level: log_type.level().as_u8(),
            message,
            log_type: log_type.as_str(),
        };
        self.emit(SeedEvent::Log(e));
    }

    /// Reports an error through the `Error` event.
    pub(super) fn error(
        &mut self,
        id: Option<ConnectionId>,
        code: StatusCode,
        description: String,
    ) {
        let e = ErrorEvent {
            connection_id: id,
            error_code: code.code(),
            description,
        };
        self.emit(SeedEvent::Error(e));
    }

    /// The seed's Error event for a socket operation that failed: the code
    /// is the operating system's error number (`errno`, e.g. 101 for
    /// "network unreachable" on Linux), never one of the seed's DTLS codes
    /// 400-405, and the description names the operation and the OS text.
    pub(super) fn socket_error(
        &mut self,
        id: Option<ConnectionId>,
        e: &std::io::Error,
        description: String,
    ) {
        let code = e
            .raw_os_error()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|&n| n != 0)
            .unwrap_or(SOCKET_ERROR_WITHOUT_ERRNO);
        let e = ErrorEvent {
            connection_id: id,
            error_code: code,
            description,
        };
        self.emit(SeedEvent::Error(e));
    }

    /// Raises a seed event: delivered now, or, when a handler is running
    /// (it called `disconnect`, `process_data` and the like), right after
    /// it returns. No event is lost to re-entrancy.
    pub(super) fn emit(&mut self, event: SeedEvent) {
        if self.handler.is_none() && !self.handler_running {
            return; // nobody listens
        }
        self.pending_events.push_back(event);
        if !self.handler_running {
            self.deliver_pending();
        }
    }

    fn deliver_pending(&mut self) {
        while let Some(event) = self.pending_events.pop_front() {
            self.call_handler(|h, s| event.deliver(h, s));
        }
    }

    /// Calls the handler for an event that returns an answer
    /// (ConnectionRequest, SSLClientAuthentication); inside another handler
    /// call the answer stays the default. Events raised meanwhile follow.
    pub(super) fn with_handler(&mut self, f: impl FnOnce(&mut dyn ServerHandler, &mut DtlsServer)) {
        if self.handler_running {
            return;
        }
        self.call_handler(f);
        self.deliver_pending();
    }

    fn call_handler(&mut self, f: impl FnOnce(&mut dyn ServerHandler, &mut DtlsServer)) {
        let Some(mut handler) = self.handler.take() else {
            self.pending_events.clear();
            return;
        };
        self.handler_running = true;
        f(handler.as_mut(), self);
        self.handler_running = false;
        // A handler that installed another one (set_handler) keeps it.
        if self.handler.is_none() {
            self.handler = Some(handler);
        }
    }
}

/// A seed event that waits for the handler (see [`DtlsServer::emit`]).
/// The Error code of a socket failure the OS gave no number for.
pub(super) const SOCKET_ERROR_WITHOUT_ERRNO: u16 = 1;

pub(super) enum SeedEvent {
    Log(LogEvent),
    SslStatus(SslStatusEvent),
    Connected(ConnectedEvent),
    DataIn(DataInEvent),
    Disconnected(DisconnectedEvent),
    Error(ErrorEvent),
    PeerAddressChanged(PeerAddressChangedEvent),
}

impl SeedEvent {
    fn deliver(self, h: &mut dyn ServerHandler, s: &mut DtlsServer) {
        match self {
            SeedEvent::Log(e) => h.on_log(s, &e),
            SeedEvent::SslStatus(e) => h.on_ssl_status(s, &e),
            SeedEvent::Connected(e) => h.on_connected(s, &e),
            SeedEvent::DataIn(e) => h.on_data_in(s, &e),
            SeedEvent::Disconnected(e) => h.on_disconnected(s, &e),
            SeedEvent::Error(e) => h.on_error(s, &e),
            SeedEvent::PeerAddressChanged(e) => h.on_peer_address_changed(s, &e),
        }
    }
}

/// `Connected` for a connection of the table: `status_code` 0 when the
/// handshake completed, else why it failed.
fn connected_event(c: &DtlsConnection, status_code: u16, description: String) -> ConnectedEvent {
    ConnectedEvent {
        connection_id: c.connection_id,
        source_addr: c.remote_host,
        source_port: c.remote_port,
        status_code,
        description,
        psk_identity: c.negotiated.as_ref().and_then(|n| n.psk_identity.clone()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::{DtlsServer, SOCKET_ERROR_WITHOUT_ERRNO};
    use crate::events::{ErrorEvent, ServerHandler};

    struct Errors(Arc<Mutex<Vec<ErrorEvent>>>);

    impl ServerHandler for Errors {
        fn on_error(&mut self, _s: &mut DtlsServer, e: &ErrorEvent) {
            self.0.lock().unwrap().push(e.clone());
        }
    }

    #[test]
    fn socket_errors_carry_the_os_error_number_not_a_dtls_code() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut server = DtlsServer::new();
        server.set_handler(Errors(seen.clone()));
        let unreachable = std::io::Error::from_raw_os_error(101);
        server.socket_error(None, &unreachable, "cannot send".into());
        let other = std::io::Error::other("no number");
        server.socket_error(None, &other, "cannot send".into());
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].error_code, 101);
        assert_eq!(seen[1].error_code, SOCKET_ERROR_WITHOUT_ERRNO);
        assert!(seen.iter().all(|e| !(400..=405).contains(&e.error_code)));
    }
}
