//! What a load run does: [`LoadOptions`] and its [`Mode`].

use std::net::SocketAddr;
use std::time::Duration;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;

/// What each client does in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Full DTLS handshakes, back to back: each client creates a new
    /// connection (no resumption), completes the handshake, sends
    /// close_notify and starts again, on a new socket unless
    /// [`LoadOptions::new_socket`] is off.
    Handshake,
    /// One DTLS handshake per client, then a window of records in flight
    /// that the server echoes back.
    Echo,
    /// Plain UDP datagrams (no DTLS) in a window, echoed by the server: the
    /// raw ceiling for [`Mode::Echo`].
    UdpEcho,
}

impl Mode {
    /// The mode's name in figures and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Handshake => "handshake",
            Mode::Echo => "echo",
            Mode::UdpEcho => "udp-echo",
        }
    }
}

/// How clients check the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Not at all (load testing against a self-signed certificate).
    Insecure,
    /// Against these DER trust anchors, with the name in
    /// [`LoadOptions::server_name`] when set.
    TrustAnchors(Vec<Vec<u8>>),
}

/// A load run's settings; [`LoadOptions::new`] gives the defaults the
/// socket figures use.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// What clients do.
    pub mode: Mode,
    /// The server's address.
    pub connect: SocketAddr,
    /// Concurrent clients, each with its own UDP socket (so its own source
    /// port, which lets `SO_REUSEPORT` spread them over server threads).
    pub clients: usize,
    /// How long clients start new work; in-flight echoes then get
    /// [`drain`](Self::drain) to come back.
    pub duration: Duration,
    /// How long after `duration` outstanding echoes may still arrive.
    pub drain: Duration,
    /// Payload bytes per echoed record or datagram.
    pub size: usize,
    /// Records (or datagrams) each echo client keeps in flight.
    pub window: usize,
    /// Handshake mode: give each new connection a new socket (a new source
    /// port), as a new client would have; default on. Off, a client's next
    /// ClientHello follows its close_notify from the same address at once,
    /// and a server that has not yet reaped the closed association may
    /// swallow it (seen with dtls-echo: a 1 s retransmission each time).
    pub new_socket: bool,
    /// Generator threads; clients are split evenly over them.
    pub threads: usize,
    /// A server process whose CPU time is read before and after the run
    /// (`/proc/<pid>/stat`), for CPU per handshake or per megabyte.
    pub server_pid: Option<u32>,
    /// A handshake not done this long after it started counts as failed
    /// and the client starts a new one.
    pub handshake_timeout: Duration,
    /// An echo client that gets no reply this long writes its window off
    /// as lost and sends a new one.
    pub stall_timeout: Duration,
    /// Server certificate check.
    pub verification: Verification,
    /// The server name to send (SNI) and, with trust anchors, to check.
    pub server_name: Option<String>,
    /// Cipher suites offered, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// ECDHE groups offered, in preference order.
    pub groups: Vec<NamedGroup>,
}

impl LoadOptions {
    /// The defaults: 64 clients for 5 s, 1200-byte payloads, a window of
    /// 8, one thread, ECDHE P-256 with AES-128-GCM (ECDSA), no certificate
    /// check.
    pub fn new(mode: Mode, connect: SocketAddr) -> Self {
        LoadOptions {
            mode,
            connect,
            clients: 64,
            duration: Duration::from_secs(5),
            drain: Duration::from_secs(1),
            size: 1200,
            window: 8,
            new_socket: true,
            threads: 1,
            server_pid: None,
            handshake_timeout: Duration::from_secs(5),
            stall_timeout: Duration::from_secs(1),
            verification: Verification::Insecure,
            server_name: None,
            cipher_suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
            groups: vec![NamedGroup::Secp256r1],
        }
    }

    /// Checks the settings that would make a run meaningless.
    ///
    /// # Errors
    /// A description of the first bad setting.
    pub fn validate(&self) -> Result<(), String> {
        if self.clients == 0 {
            return Err("clients must be at least 1".into());
        }
        if self.threads == 0 {
            return Err("threads must be at least 1".into());
        }
        if self.duration.is_zero() {
            return Err("duration must be positive".into());
        }
        if self.mode != Mode::Handshake {
            if self.window == 0 {
                return Err("window must be at least 1".into());
            }
            if self.size == 0 || self.size > 16_384 {
                return Err("size must be 1 to 16384 bytes".into());
            }
        }
        if self.mode != Mode::UdpEcho && self.cipher_suites.is_empty() {
            return Err("no cipher suites".into());
        }
        Ok(())
    }
}
