//! What the endpoint tells the `log` facade (target `dtls_core`): each
//! connection's progress with its handle and peer address. Disabled levels
//! cost one comparison.

use std::net::SocketAddr;

use super::ConnectionHandle;
use crate::event::Event;

/// Logs `event` of the connection `handle` with `peer`.
pub(super) fn event(handle: ConnectionHandle, peer: SocketAddr, event: &Event) {
    match event {
        Event::HandshakeProgress(text) => {
            log::debug!(target: "dtls_core", "[{handle} {peer}] {text}");
        }
        Event::ClientCertificate { status, .. } => {
            log::debug!(target: "dtls_core", "[{handle} {peer}] client certificate: {status}");
        }
        Event::Connected(params) => log::info!(
            target: "dtls_core",
            "[{handle} {peer}] connected: {}{}",
            params.cipher_suite,
            if params.resumed { ", resumed" } else { "" }
        ),
        Event::HandshakeFailed(status) => {
            log::info!(target: "dtls_core", "[{handle} {peer}] handshake failed: {status}");
        }
        Event::Closed(status) => {
            log::info!(target: "dtls_core", "[{handle} {peer}] closed: {status}");
        }
        Event::PeerAddressChanged { previous, current } => {
            log::info!(target: "dtls_core", "[{handle} {peer}] moved from {previous} to {current}");
        }
        Event::DataReadable => {}
    }
}
