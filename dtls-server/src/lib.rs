//! A blocking UDP DTLS 1.2 server over `dtls-core`, with the API of a
//! classic DTLSServer component, in Rust form.
//!
//! # From the component to Rust
//!
//! - **Methods** are methods of [`DtlsServer`]: `do_events`,
//!   `start_listening`, `stop_listening`, `shutdown`, `reset`,
//!   `send_bytes` / `send_text`, `disconnect`, `pause_data` /
//!   `process_data`, `config`.
//! - **Properties** are getters and setters, and the fields of the typed
//!   [`ServerSettings`] (changed with [`DtlsServer::update_settings`]);
//!   `Connections` is [`DtlsServer::connections`], each a
//!   [`DtlsConnection`].
//! - **Config settings** are the same fields, and the component's string
//!   form `config("Name=Value")` / `config("Name")` works over them: every
//!   change takes effect or is refused with the reason.
//! - **Events** are methods of the [`ServerHandler`] trait (or closures in
//!   [`Handlers`]), called from inside `do_events`; a handler may call any
//!   method of the server, and no event is lost to it.
//! - **Error codes** 400-405 are `dtls_core::StatusCode`, reported by
//!   Connected, Disconnected and Error; caller mistakes are [`Error`]
//!   values instead.
//! - The **Certificate** type is `dtls_crypto::cert::Certificate`, its
//!   text fields from [`CertificateFields`].
//!
//! The repository's `docs/api-mapping.md` lists every item of the component
//! with what provides it and the test that shows it.
//!
//! ```no_run
//! use dtls_server::{DtlsServer, Handlers};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut server = DtlsServer::new();
//! server.set_ssl_cert(dtls_crypto::selfsigned::generate_self_signed("localhost", &[])?)?;
//! server.config("LocalPort=4444")?;
//! server.config("MaxConnections=100")?;
//! let mut handlers = Handlers::default();
//! handlers.on_data_in = Some(Box::new(|server, e| {
//!     let _ = server.send_bytes(e.connection_id, &e.datagram); // echo
//! }));
//! server.set_handler(handlers);
//! server.start_listening()?;
//! while server.listening() {
//!     server.do_events()?;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
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
pub use server::ForeignDatagram;
pub use server::{ConnectionId, DtlsConnection, DtlsServer, ServerStats};
pub use settings::{LogLevel, ServerSettings};

/// The README's examples, compiled (and, unless marked `no_run`, run) by
/// `cargo test --doc` so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme_doctests {}
