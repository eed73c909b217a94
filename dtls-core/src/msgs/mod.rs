//! The DTLS 1.2 wire codec (RFC 6347, on top of the TLS 1.2 structures of
//! RFC 5246).
//!
//! Layering, from the datagram inwards:
//!
//! - [`record`]: the 13-byte DTLS record header (RFC 6347 section 4.1) and
//!   [`record::Records`], which walks the records of one datagram.
//! - [`handshake`]: the 12-byte DTLS handshake header and fragments (RFC 6347
//!   section 4.2.2), [`handshake::HandshakeFragments`] for the fragments in a
//!   record, and [`handshake::HandshakePayload`] dispatching a reassembled
//!   body to its type.
//! - [`messages`]: the handshake bodies (ClientHello with cookie, ServerHello,
//!   HelloVerifyRequest, Certificate, ECDHE ServerKeyExchange and
//!   ClientKeyExchange, CertificateRequest, ServerHelloDone,
//!   CertificateVerify, Finished, NewSessionTicket).
//! - [`extensions`]: hello extensions, typed where the server uses them and
//!   opaque otherwise.
//! - [`alert`], [`ccs`], [`heartbeat`]: the other record content types
//!   (RFC 5246 sections 7.1 and 7.2, RFC 6520).
//! - [`codec`]: the bounds-checked [`codec::Reader`], the [`codec::Codec`]
//!   trait and vector helpers (RFC 5246 section 4).
//!
//! Parsing is zero-copy where the data is transient (records, fragments)
//! and owned where it outlives the datagram (message bodies). Decoding never
//! panics and never allocates more than the bytes actually present justify.
//! Cipher suites, groups and signature schemes stay `u16` here so unknown
//! values survive; the engine maps them to `dtls-crypto` types.

pub mod alert;
pub mod ccs;
pub mod codec;
mod enums;
pub mod extensions;
pub mod handshake;
pub mod heartbeat;
pub mod messages;
pub mod record;
