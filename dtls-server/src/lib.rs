//! A blocking UDP DTLS 1.2 server over `dtls-core`, with the API of the
//! DTLSServer component the project follows (see `docs/api-mapping.md`).
//!
//! - [`DtlsServer`]: properties, methods, `do_events` and `config`.
//! - [`settings`]: the seed's properties and config settings, typed, with
//!   the `config("Name=Value")` string form over them.
//! - [`events`]: the seed's events and the [`ServerHandler`] trait (or
//!   [`Handlers`] closures).
//! - [`error`]: the crate's error type.
//!
//! The `dtls-echo` package (`dtls-echo/` in the workspace) is a
//! ready-to-run echo server built on it; it alone depends on `clap` and
//! `ctrlc`.

pub mod certificate;
pub mod error;
pub mod events;
pub mod server;
pub mod settings;

pub use certificate::CertificateFields;
pub use error::Error;
pub use events::{Handlers, ServerHandler};
pub use server::{ConnectionId, DtlsConnection, DtlsServer, ServerStats};
pub use settings::{LogLevel, ServerSettings};

/// The README's examples, compiled (and, unless marked `no_run`, run) by
/// `cargo test --doc` so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme_doctests {}
