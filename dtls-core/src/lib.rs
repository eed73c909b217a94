//! A sans-IO DTLS 1.2 engine (RFC 6347).
//!
//! Bytes and timer ticks go in; datagrams, timeouts and events come out. This
//! crate opens no sockets, starts no threads, never reads a clock (every input
//! takes `now`) and contains no `unsafe` code. No input can make it panic.
//!
//! - [`msgs`]: the wire codec for records, handshake messages and extensions.
//! - [`error`]: the crate's error type and its mapping to alerts.

pub mod error;
pub mod msgs;

pub use error::Error;
