//! Cryptography for the `dtls` project.
//!
//! This is the only crate in the workspace that touches cryptographic
//! primitives. Everything the DTLS engine (`dtls-core`) needs is behind the
//! narrow interface exported here:
//!
//! - [`suites`]: the cipher suites we implement, by IANA id and by name, and
//!   the ones we refuse (with the reason).
//! - [`record`]: record protection (AEAD and CBC + Encrypt-then-MAC) sealing
//!   and opening in place, in caller-owned buffers.
//! - [`prf`]: the TLS 1.2 PRF and key schedule (master secret, extended master
//!   secret, key block, Finished, keying-material exporter).
//! - [`hash`]: the handshake transcript hash.
//! - [`kx`]: ephemeral ECDHE key exchange over the supported groups.
//! - [`sign`]: signing (ServerKeyExchange, client CertificateVerify) and
//!   signature verification.
//! - [`cookie`]: the stateless HelloVerifyRequest cookie secret.
//! - [`ticket`]: the rotating keys that seal session tickets (RFC 5077).
//! - [`cert`], [`pfx`], [`selfsigned`], [`verify`]: certificates and keys:
//!   loading (PEM, DER, PKCS#12), a certificate's facts as typed values
//!   (their text forms are in `dtls-server`), self-signed generation and client chain validation.
//! - [`provider`]: the [`CryptoProvider`](provider::CryptoProvider), which
//!   carries the source of randomness the engine uses.
//! - [`random`]: the operating system's randomness, for callers outside the
//!   engine.

pub mod cert;
pub mod cookie;
mod der;
pub mod error;
pub mod hash;
mod keyformat;
pub mod kx;
pub mod pfx;
pub mod prf;
pub mod provider;
pub mod random;
pub mod record;
pub mod selfsigned;
pub mod sign;
pub mod suites;
pub mod ticket;
pub mod verify;

pub use error::Error;
pub use provider::CryptoProvider;
pub use suites::CipherSuite;
