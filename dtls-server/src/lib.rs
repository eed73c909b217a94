//! A blocking UDP DTLS 1.2 server over `dtls-core`, exposing the seed's
//! DTLSServer API (work in progress: see the server issue).
//!
//! - [`settings`]: the seed's properties and config settings, typed, with
//!   the `config("Name=Value")` string form over them.
//! - [`error`]: the crate's error type.

pub mod error;
pub mod settings;

pub use error::Error;
pub use settings::ServerSettings;
