//! A sans-IO DTLS 1.2 engine (RFC 6347).
//!
//! Bytes and timer ticks go in; datagrams, timeouts and events come out. This
//! crate opens no sockets, starts no threads, never reads a clock (every input
//! takes `now`) and contains no `unsafe` code. No input can make it panic.
//! The application owns the socket and the clock; `dtls-server` is one such
//! application.
//!
//! # The pieces
//!
//! - [`Endpoint`]: a server. It answers new peers statelessly with a cookie
//!   (RFC 6347 4.2.1) and keeps a [`Connection`] per peer that proved its
//!   address, named by a [`ConnectionHandle`].
//! - [`Connection`]: one association. A client uses one directly
//!   ([`Connection::client`]); server connections live in the endpoint.
//! - [`config`]: [`ServerConfig`](config::ServerConfig) and
//!   [`ClientConfig`](config::ClientConfig), built once and shared in an
//!   `Arc`.
//! - [`event`]: what connections report ([`Event`]), with a [`Status`] when
//!   they end, and their counters.
//! - [`Error`]: what an API call refused.
//!
//! # Driving it
//!
//! The same loop drives an endpoint and a client connection:
//!
//! 1. **Feed input.** Pass each received datagram to `handle_datagram`
//!    (the endpoint also takes a buffer for a stateless reply: send it back
//!    when it returns [`DatagramEvent::Respond`]). Call `send`, `close` and
//!    the other API calls whenever the application wants.
//! 2. **Drain output.** After any input, call `poll_transmit` until it
//!    returns `None`, sending each datagram, then `poll_event` until it
//!    returns `None`. Read data with `recv` after [`Event::DataReadable`].
//! 3. **Sleep.** Wait for the next datagram or until `poll_timeout`, and
//!    when that instant passes call `handle_timeout(now)` (retransmission,
//!    keep-alive and idle timers), then drain again.
//!
//! A new connection's ClientHello waits for the application: after
//! [`DatagramEvent::NewConnection`] call [`Endpoint::accept`] (or
//! [`Endpoint::reject`], which costs no key exchange and sends the peer a
//! fatal alert); the next `poll_transmit` accepts whatever is still
//! waiting. A [`DatagramEvent::Refused`] carries an alert for a proven peer
//! the endpoint would not take (not accepting, at capacity).
//!
//! # Threat model
//!
//! Anyone can send a datagram with any source address. The engine holds
//! to these rules, each tested (`docs/security.md` in the repository lists
//! the attack classes, their tests and the fuzzing):
//!
//! - **Nothing for unproven peers.** Until a ClientHello returns a valid
//!   cookie nothing is allocated and no reply is larger than what arrived,
//!   so spoofed floods neither fill memory nor amplify.
//! - **The off-path rule.** No datagram that does not authenticate under
//!   the current epoch can close, stall, desynchronise or re-key an
//!   association; it is dropped and counted ([`event::Counters`]). A peer
//!   restart replaces an association only once the new handshake's
//!   Finished verifies (RFC 6347 4.2.8).
//! - **Everything has a bound.** A handshake deadline from creation,
//!   idle and keep-alive timers, caps on handshakes under way (in all and
//!   per source address; the oldest yields to a newer client), a memory
//!   budget across connections for everything peers can fill, and caps on
//!   every per-connection buffer ([`config::Limits`]).
//! - **Retransmissions cannot be bought.** A plaintext trigger re-sends a
//!   flight only once it has paid for it in bytes, and a bounded number of
//!   times.
//!
//! What it does not defend against: an on-path attacker who can drop or
//! delay datagrams (DTLS cannot), and, during a handshake before anything
//! authenticates, a forged fragment with the exact next message sequence
//! that makes that handshake fail (the deadline bounds the cost).
//!
//! # Example
//!
//! A server endpoint and a client connection, talking in memory:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//!
//! use dtls_core::config::{ClientConfig, Identity, ServerConfig};
//! use dtls_core::{Connection, DatagramEvent, Endpoint, Event};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])?;
//! let config = ServerConfig::new(Identity::from_certificate(&cert)?);
//! let mut server = Endpoint::new(Arc::new(config))?;
//! let (server_addr, client_addr) = ("192.0.2.1:4433".parse()?, "192.0.2.2:5000".parse()?);
//! let now = Instant::now();
//! let mut client = Connection::client(Arc::new(ClientConfig::default()), server_addr, now)?;
//!
//! let (mut buf, mut reply) = ([0u8; 1500], [0u8; 1500]);
//! // A real loop waits on the socket and on poll_timeout(); here every
//! // datagram arrives at once, so a few rounds finish the handshake.
//! for _ in 0..8 {
//!     while let Some(len) = client.poll_transmit(now, &mut buf) {
//!         let event = server.handle_datagram(now, client_addr, &mut buf[..len], &mut reply);
//!         if let DatagramEvent::Respond(n) = event {
//!             client.handle_datagram(now, &mut reply[..n]); // HelloVerifyRequest
//!         }
//!     }
//!     while let Some(transmit) = server.poll_transmit(now, &mut buf) {
//!         client.handle_datagram(now, &mut buf[..transmit.len]);
//!     }
//! }
//! assert!(client.is_established());
//!
//! client.send(now, b"ping")?;
//! while let Some(len) = client.poll_transmit(now, &mut buf) {
//!     server.handle_datagram(now, client_addr, &mut buf[..len], &mut reply);
//! }
//! let mut received = Vec::new();
//! while let Some((handle, event)) = server.poll_event() {
//!     if event == Event::DataReadable {
//!         let n = server.recv(handle, &mut buf)?.unwrap_or(0);
//!         received.extend_from_slice(&buf[..n]);
//!     }
//! }
//! assert_eq!(received, b"ping");
//!
//! // Sleep until the next deadline (retransmission, keep-alive, idle),
//! // then run what is due and drain again.
//! if let Some(deadline) = server.poll_timeout() {
//!     server.handle_timeout(deadline);
//! }
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod event;
pub mod psk;
pub mod session_store;

mod conn;
mod endpoint;
mod error;
mod handshake;
mod msgs;
mod record;
mod timer;

/// This crate's version (what `dtls-echo --version` names as the engine).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use conn::{ClientSession, Connection, Side};
pub use endpoint::{
    ConnectionHandle, DatagramEvent, Endpoint, EndpointCounters, EndpointStats, Refusal, Transmit,
};
pub use error::Error;
pub use event::{Event, Status, StatusCode};
pub use timer::RetransmitConfig;

/// Not API: building blocks re-exported for the fuzz targets and the test
/// crates, which craft and parse raw traffic. Nothing here is stable or
/// documented; applications use the crate root, [`config`] and [`event`].
#[doc(hidden)]
pub mod internals {
    /// The wire codec (records, handshake messages, extensions, alerts).
    pub mod msgs {
        pub use crate::msgs::*;
    }
    pub use crate::handshake::{fragmenter, reassembler};
}

/// The origin of virtual time in unit tests: the one clock read in this
/// crate, and only in tests (everything else takes `now` from the caller).
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_origin() -> std::time::Instant {
    std::time::Instant::now()
}
