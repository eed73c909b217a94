//! A sans-IO DTLS 1.2 engine (RFC 6347).
//!
//! Bytes and timer ticks go in; datagrams, timeouts and events come out. This
//! crate opens no sockets, starts no threads, never reads a clock (every input
//! takes `now`) and contains no `unsafe` code. No input can make it panic.
//!
//! - [`msgs`]: the wire codec for records, handshake messages and extensions.
//! - [`error`]: the crate's error type and its mapping to alerts.
//! - [`record`]: record sequence numbers and the anti-replay window.
//! - [`handshake`]: handshake message fragmentation, reassembly and the
//!   buffered last flight.
//! - [`timer`]: the handshake retransmission timer.

pub mod error;
pub mod handshake;
pub mod msgs;
pub mod record;
pub mod timer;

pub use error::Error;
