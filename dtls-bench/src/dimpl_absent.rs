//! dimpl's side of the bench when dtls-bench is built without the `dimpl`
//! feature: each figure is "n/a" and its note says how to get it.

use std::time::Duration;

/// Why there is no figure.
fn absent() -> String {
    "not built: cargo run --release -p dtls-bench --features dimpl".to_owned()
}

/// See the `dimpl` feature's `handshake_us`.
pub fn handshake_us(_x25519: bool, _n: u32) -> Result<(f64, f64), String> {
    Err(absent())
}

/// See the `dimpl` feature's `records_mbps`.
pub fn records_mbps(_size: usize, _duration: Duration) -> Result<f64, String> {
    Err(absent())
}
