//! A blocking UDP DTLS 1.2 server over `dtls-core`, with the API of the
//! DTLSServer component the project follows (see `docs/api-mapping.md`).
//!
//! - [`DtlsServer`]: properties, methods and `do_events`.
//! - [`events`]: the seed's events and the [`ServerHandler`] trait (or
//!   [`Handlers`] closures).
//!
//! The `dtls-echo` binary (`src/bin/dtls-echo.rs`) is a ready-to-run echo
//! server built on it.

pub mod events;
pub mod server;

pub use events::{Handlers, ServerHandler};
pub use server::{ConnectionId, DtlsConnection, DtlsServer, LogLevel, ServerError, ServerOptions};
