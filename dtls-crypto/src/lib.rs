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
//! - [`ct`]: constant-time comparison of secrets (Finished, MACs).
//! - [`psk`]: pre-shared keys and the PSK premaster secret (RFC 4279, RFC 5489).
//! - [`ticket`]: the rotating keys that seal session tickets (RFC 5077).
//! - [`cert`], [`pfx`], [`selfsigned`], [`verify`]: certificates and keys:
//!   loading (PEM, DER, PKCS#12), a certificate's facts as typed values
//!   (their text forms are in `dtls-server`), self-signed generation and client chain validation.
//! - [`provider`]: the [`CryptoProvider`], which
//!   carries everything nondeterministic the engine uses: randomness, key
//!   exchange and signing (and, behind the `test-util` feature, an insecure
//!   seeded provider that makes handshakes reproducible).

pub mod cert;
pub mod cookie;
pub mod ct;
mod der;
pub mod error;
pub mod hash;
mod keyformat;
pub mod kx;
pub mod pfx;
pub mod prf;
pub mod provider;
pub mod psk;
pub mod record;
mod scheme;
pub mod selfsigned;
pub mod shared_secret;
pub mod sign;
mod sigverify;
mod suite_list;
pub mod suites;
pub mod ticket;
pub mod verify;

pub use error::Error;
pub use provider::CryptoProvider;
pub use suites::CipherSuite;
