//! A sans-IO DTLS 1.2 engine (RFC 6347).
//!
//! Bytes and timer ticks go in; datagrams, timeouts and events come out. This
//! crate opens no sockets, starts no threads, never reads a clock (every input
//! takes `now`) and contains no `unsafe` code. No input can make it panic.
//!
//! - [`Endpoint`]: a server: stateless cookie exchange and a slab of
//!   connections with an ordered timer index.
//! - [`Connection`]: one association, server or client side.
//! - [`config`], [`event`]: configuration, and what connections report.
//! - [`msgs`]: the wire codec for records, handshake messages and extensions.
//! - [`error`]: the crate's error type and its mapping to alerts.
//! - [`record`]: record sequence numbers and the anti-replay window.
//! - [`handshake`]: handshake message fragmentation, reassembly and the
//!   buffered last flight.
//! - [`timer`]: the handshake retransmission timer.

pub mod config;
pub mod conn;
pub mod endpoint;
pub mod error;
pub mod event;
pub mod handshake;
pub mod msgs;
pub mod record;
pub mod timer;

pub use conn::{Connection, Side};
pub use endpoint::{ConnectionHandle, DatagramEvent, Endpoint, Transmit};
pub use error::Error;
pub use event::{Event, Status, StatusCode};

/// The origin of virtual time in unit tests: the one clock read in this
/// crate, and only in tests (everything else takes `now` from the caller).
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_origin() -> std::time::Instant {
    std::time::Instant::now()
}
