//! `dtls-load`: a DTLS 1.2 load generator on the dtls-core client.
//!
//! It drives N concurrent clients, each on its own UDP socket (so its own
//! source port, which lets `SO_REUSEPORT` spread them over server
//! threads), against any server address, for a fixed duration, and reports
//! rates, its own CPU time and, given the server's pid, the server's CPU
//! time (`/proc/<pid>/stat`, user + system, all threads) over the same
//! interval. Its figures are the socket figures of the performance notes:
//!
//! - **`handshake`**: each client runs full handshakes back to back (a new
//!   [`dtls_core::Connection`] each time, no session tickets or resumption,
//!   close_notify after each, a new socket each time unless
//!   `--reuse-socket`). Handshakes per second, and with
//!   `--server-pid` the server's CPU microseconds per handshake.
//! - **`echo`**: each client handshakes once, then keeps a window of
//!   `--window` records of `--size` payload bytes in flight; the server
//!   echoes them. Echoed MB/s (10^6 bytes).
//! - **`udp-echo`**: the same over plain UDP (no DTLS), against
//!   `dtls-load udp-echo-server`, which batches with quinn-udp (recvmmsg
//!   with GRO in, GSO out) as dtls-server does: the raw ceiling.
//!
//! By default clients offer ECDHE P-256 with
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 only. A handshake that does not
//! finish within `--handshake-timeout` counts as failed and the client
//! starts another; an echo client with no reply for `--stall-timeout`
//! writes its window off as lost. Every run ends at its duration plus at
//! most the drain (`--drain`, for echoes still in flight).
//!
//! # Command line
//!
//! ```text
//! dtls-load udp-echo-server --bind 127.0.0.1:5555
//! dtls-load handshake --connect 127.0.0.1:4444 --clients 64 --duration 5 --insecure --server-pid PID
//! dtls-load echo --connect 127.0.0.1:4444 --clients 4 --window 16 --size 1200 --insecure --json
//! dtls-load udp-echo --connect 127.0.0.1:5555 --clients 4 --window 16 --size 1200
//! ```
//!
//! `--json` prints one line per figure, `{"name": "...", "value": N,
//! "unit": "..."}`; `--threads T` splits the clients over T generator
//! threads (check `generator_cpu`, in cores: near T means the generator,
//! not the server, is the limit). `dtls-load/socket-figures.sh` runs every
//! figure against dtls-echo, the pion/dtls echo server
//! (`dtls-load/peers/pion_echo`) and the raw UDP echo server.
//!
//! Against dtls-echo, give it `--max-half-open-per-source` above the
//! client count (all clients share 127.0.0.1) and `--mtu 1500` for
//! 1200-byte echoed records (a 1200-byte payload makes a 1237-byte
//! datagram).
//!
//! # Library
//!
//! ```no_run
//! use dtls_load::{LoadOptions, Mode, run};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut opts = LoadOptions::new(Mode::Handshake, "127.0.0.1:4444".parse()?);
//! opts.clients = 64;
//! opts.server_pid = Some(12345);
//! let report = run(&opts)?;
//! println!("{:.0} handshakes/s", report.handshakes_per_second());
//! for figure in report.figures() {
//!     println!("{}", figure.to_json());
//! }
//! # Ok(())
//! # }
//! ```

pub mod cpu;
mod dtls_client;
mod error;
mod options;
mod report;
mod run;
mod udp_client;
mod udp_echo_server;
mod worker;

pub use error::Error;
pub use options::{LoadOptions, Mode, Verification};
pub use report::{Figure, Report, Tally};
pub use run::run;
pub use udp_echo_server::{EchoServerStats, UdpEchoServer};

/// Reads the `CERTIFICATE` blocks of a PEM file as DER trust anchors.
///
/// # Errors
/// When the file cannot be read, holds damaged PEM, or holds no
/// certificate.
pub fn load_trust_anchors(path: &std::path::Path) -> Result<Vec<Vec<u8>>, Error> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(Error::io(path.display().to_string()))?;
    let anchors = CertificateDer::pem_slice_iter(&pem)
        .map(|cert| cert.map(|c| c.as_ref().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Options(format!("{}: PEM: {e}", path.display())))?;
    if anchors.is_empty() {
        return Err(Error::Options(format!(
            "{}: no CERTIFICATE block",
            path.display()
        )));
    }
    Ok(anchors)
}
