//! Shared test harness for the `dtls` workspace.
//!
//! - [`net`]: a seeded virtual-time network model (loss, duplication,
//!   reordering, delay, MTU).

pub mod net;
