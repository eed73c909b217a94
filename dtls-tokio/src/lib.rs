//! DTLS 1.2 (RFC 6347) over tokio: a [`DtlsListener`] that accepts
//! [`DtlsStream`]s, and [`DtlsStream::connect`] for clients.
//!
//! Both drive the sans-IO engine of `dtls-core` unchanged: one task per UDP
//! socket owns the socket and the engine (a [`dtls_core::Endpoint`] on a
//! server, a [`dtls_core::Connection`] on a client), feeds it datagrams,
//! writes what it transmits, and sleeps with `tokio::time` until its next
//! timer (retransmission, keep-alive, idle). Streams talk to that task over
//! channels, so any number of them can be used from any tasks.
//!
//! - **Messages, not bytes.** One [`DtlsStream::send`] is one record in one
//!   datagram and arrives as one [`DtlsStream::recv`], or not at all: DTLS
//!   does not retransmit application data.
//! - **Backpressure.** Each stream has a bounded queue
//!   ([`STREAM_QUEUE_MESSAGES`]). While it is full the task stops reading
//!   that stream's records out of the engine, which keeps at most
//!   `limits.max_receive_buffer` bytes and then drops records (counted as
//!   `buffer_full`). A stream nobody reads never stalls the others.
//! - **Cancellation.** Every method says what a dropped future leaves
//!   behind; `recv` and `accept` are cancel safe.
//! - **Errors.** One [`Error`] enum; I/O and engine causes are its
//!   [`source`](std::error::Error::source).
//!
//! # Example
//!
//! An echo server and a client on loopback (certificate checks are off in
//! the default [`ClientConfig`](dtls_core::config::ClientConfig): set
//! `trust_anchors` in real use).
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use dtls_core::config::{ClientConfig, Identity, ServerConfig};
//! use dtls_tokio::{DtlsListener, DtlsStream};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])?;
//! let config = Arc::new(ServerConfig::new(Identity::from_certificate(&cert)?));
//! let mut listener = DtlsListener::bind("127.0.0.1:0", config).await?;
//! let addr = listener.local_addr();
//!
//! tokio::spawn(async move {
//!     while let Ok(mut stream) = listener.accept().await {
//!         tokio::spawn(async move {
//!             while let Ok(Some(message)) = stream.recv().await {
//!                 if stream.send(&message).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         });
//!     }
//! });
//!
//! let mut client = DtlsStream::connect(addr, Arc::new(ClientConfig::default())).await?;
//! println!("{}", client.negotiated().cipher_suite.name());
//! client.send(b"ping").await?;
//! assert_eq!(client.recv().await?.as_deref(), Some(&b"ping"[..]));
//! client.close().await?;
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
mod io;
mod listener;
mod stream;

pub use error::Error;
pub use listener::{ACCEPT_BACKLOG, DtlsListener};
pub use stream::{DtlsStream, STREAM_QUEUE_MESSAGES};
