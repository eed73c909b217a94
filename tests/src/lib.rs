//! Shared test harness for the `dtls` workspace.
//!
//! - [`certs`]: test certificates of every key type.
//! - [`pair`]: a virtual-time server + clients harness.
//! - [`net`]: a seeded virtual-time network model (loss, duplication,
//!   reordering, delay, MTU).

pub mod certs;
pub mod interop;
pub mod net;
pub mod pair;
pub mod proxy;
pub mod udp_client;
