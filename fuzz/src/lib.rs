//! Shared by the fuzz targets and the corpus recorder: the input format (a
//! [`Script`] of datagrams with virtual-time gaps) and the two harnesses
//! that play one against a server [`Endpoint`] or a client [`Connection`].
//!
//! Built with `--cfg fuzzing` (cargo-fuzz and `run.sh` set it), dtls-crypto
//! protects records with nothing and its PRF returns zeros, so a recorded
//! handshake replays byte for byte and a mutated one still reaches every
//! state behind the MACs (`dtls-crypto/src/record/null.rs`).

#[cfg(not(fuzzing))]
compile_error!("build the fuzz crate with `--cfg fuzzing`: `fuzz/run.sh` or `cargo fuzz` set it");

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dtls_core::config::{
    CertificateType, ClientAuthMode, ClientConfig, ClientPsk, Identity, ServerConfig, ServerPsk,
};
use dtls_core::event::Event;
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_core::{Connection, ConnectionHandle, DatagramEvent, Endpoint};
use dtls_crypto::CryptoProvider;

/// Largest datagram a step carries or a harness sends.
pub const MAX_DATAGRAM: usize = 16_384;

/// The server's address, as the client sees it.
pub const SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 4433);

/// The server's idle timeout: a script's connections all end within it
/// of their last datagram (handshakes end sooner, at their deadline).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The four client addresses a script can send from.
pub fn client_addr(source: u8) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1 + (source & 3)], 5000 + u16::from(source & 3)))
}

/// One datagram of a script: who sends it, how long after the previous
/// one, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Which client address (server target) or which application action
    /// after delivery (client target), 0..=3.
    pub source: u8,
    /// Virtual time between the previous step and this one, as a code:
    /// `wait_code^2 * 10 ms`, so 0..=63 spans 0 to ~40 s.
    pub wait_code: u8,
    /// The datagram.
    pub datagram: Vec<u8>,
}

impl Step {
    /// The virtual time this step waits before it is delivered.
    pub fn wait(&self) -> Duration {
        Duration::from_millis(u64::from(self.wait_code) * u64::from(self.wait_code) * 10)
    }

    /// The smallest wait code that waits at least `gap`.
    pub fn code_for(gap: Duration) -> u8 {
        (0..=63u8)
            .find(|c| u128::from(*c) * u128::from(*c) * 10 >= gap.as_millis())
            .unwrap_or(63)
    }
}

/// A fuzz input: a variant byte choosing the configuration, then steps,
/// each `header (source in bits 0-1, wait code in bits 2-7) ‖ u16 length ‖
/// datagram`. Decoding stops at the first truncated step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Which configuration the harness uses (taken modulo the number it has).
    pub variant: u8,
    /// The datagrams, in order.
    pub steps: Vec<Step>,
}

impl Script {
    /// Reads a script; whatever the bytes, it decodes.
    pub fn decode(data: &[u8]) -> Script {
        let Some((&variant, mut rest)) = data.split_first() else {
            return Script::default();
        };
        let mut steps = Vec::new();
        while let [header, hi, lo, tail @ ..] = rest {
            let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(MAX_DATAGRAM);
            let Some((datagram, after)) = tail.split_at_checked(len) else {
                break;
            };
            steps.push(Step {
                source: header & 3,
                wait_code: header >> 2,
                datagram: datagram.to_vec(),
            });
            rest = after;
        }
        Script { variant, steps }
    }

    /// The bytes [`decode`](Self::decode) reads back as this script.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.variant];
        for step in &self.steps {
            out.push((step.wait_code.min(63) << 2) | (step.source & 3));
            let len = step.datagram.len().min(MAX_DATAGRAM);
            out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
            out.extend_from_slice(&step.datagram[..len]);
        }
        out
    }
}

/// How many configurations [`server_config`] and [`client_config`] have.
pub const VARIANTS: u8 = 3;

/// The PSK identity both fuzzing configs share.
pub const PSK_IDENTITY: &[u8] = b"fuzz";

fn psk_key() -> PresharedKey {
    PresharedKey::new(vec![0x42; 16]).unwrap_or_else(|_| unreachable!("16 bytes is a valid key"))
}

/// The server configuration a script's variant picks (modulo
/// [`VARIANTS`]): plain, requesting a client certificate, or a 300-byte MTU
/// (fragmented flights); every variant also has a pre-shared key for
/// [`PSK_IDENTITY`], so the PSK suites are reachable. Each call has a fresh
/// seeded provider, so every run draws the same cookie secret and the same
/// "random" bytes.
pub fn server_config(variant: u8) -> Arc<ServerConfig> {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    let mut c = ServerConfig::new(IDENTITY.get_or_init(|| identity("server")).clone());
    let mut keys = PskTable::new();
    keys.insert(PSK_IDENTITY.to_vec(), psk_key());
    c.psk = Some(ServerPsk::new(Arc::new(keys)));
    // Raw public keys (RFC 7250) after X.509, both ways: a hello without
    // the extensions is answered as before, one with them reaches the
    // raw key paths.
    c.certificate_types = vec![CertificateType::X509, CertificateType::RawPublicKey];
    c.client_certificate_types = vec![CertificateType::X509, CertificateType::RawPublicKey];
    // Connection IDs (RFC 9146) for clients that offer them.
    c.connection_id_length = Some(4);
    c.common.provider = Arc::new(CryptoProvider::fuzzing(1));
    // So that the target can check nothing outlives its deadlines.
    c.common.idle_timeout = Some(IDLE_TIMEOUT);
    match variant % VARIANTS {
        1 => c.client_auth = ClientAuthMode::Optional,
        2 => c.common.mtu = 300,
        _ => {}
    }
    Arc::new(c)
}

/// The client configuration a script's variant picks: plain, with a
/// certificate, or a 300-byte MTU, each with the server's pre-shared key;
/// a fresh seeded provider each call.
pub fn client_config(variant: u8) -> ClientConfig {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    let mut c = ClientConfig {
        psk: Some(ClientPsk {
            identity: PSK_IDENTITY.to_vec(),
            key: psk_key(),
        }),
        ..ClientConfig::default()
    };
    c.common.provider = Arc::new(CryptoProvider::fuzzing(2));
    match variant % VARIANTS {
        1 => c.identity = Some(IDENTITY.get_or_init(|| identity("client")).clone()),
        2 => {
            c.common.mtu = 300;
            // A connection ID, so server answers with one reach the
            // tls12_cid record paths (RFC 9146).
            c.connection_id = Some(vec![0xc1, 0xd0]);
        }
        _ => {}
    }
    c
}

#[allow(clippy::expect_used)]
fn identity(name: &str) -> Identity {
    let cert = dtls_crypto::selfsigned::generate_self_signed(name, &[]).expect("certificate");
    Identity::from_certificate(&cert).expect("identity")
}

/// A server [`Endpoint`] driven in virtual time, with an application that
/// echoes every message and accepts every client certificate.
pub struct ServerHarness {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The virtual time now.
    pub now: Instant,
    /// Application messages received, over all connections.
    pub received: usize,
    buf: Vec<u8>,
    response: Vec<u8>,
}

impl ServerHarness {
    /// A fresh endpoint on `config`.
    #[allow(clippy::expect_used)]
    pub fn new(config: Arc<ServerConfig>, now: Instant) -> Self {
        ServerHarness {
            endpoint: Endpoint::new(config).expect("endpoint"),
            now,
            received: 0,
            buf: vec![0; 65_536],
            response: vec![0; 1500],
        }
    }

    /// Lets `wait` of virtual time pass (firing every timer due on the
    /// way), delivers `datagram` from `from`, runs the application, and
    /// returns every datagram the endpoint sends, with its destination.
    ///
    /// # Panics
    /// If a stateless reply is larger than the datagram that caused it
    /// (the amplification bound, RFC 6347 4.2.1).
    pub fn deliver(
        &mut self,
        wait: Duration,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Vec<(SocketAddr, Vec<u8>)> {
        let mut out = self.advance(wait);
        let mut dgram = datagram.to_vec();
        if let DatagramEvent::Respond(n) | DatagramEvent::Refused { respond: n, .. } = self
            .endpoint
            .handle_datagram(self.now, from, &mut dgram, &mut self.response)
        {
            assert!(
                n <= datagram.len(),
                "amplification: {n} > {}",
                datagram.len()
            );
            out.push((from, self.response[..n].to_vec()));
        }
        out.extend(self.run_application());
        out
    }

    /// Lets `wait` pass, firing timers as they fall due.
    pub fn advance(&mut self, wait: Duration) -> Vec<(SocketAddr, Vec<u8>)> {
        let until = self.now + wait;
        let mut out = Vec::new();
        let mut fired = 0u32;
        while let Some(t) = self.endpoint.poll_timeout().filter(|t| *t <= until) {
            fired += 1;
            assert!(fired < 100_000, "a timer re-arms at the instant it fires");
            self.now = t.max(self.now);
            self.endpoint.handle_timeout(self.now);
            out.extend(self.run_application());
        }
        self.now = until;
        out
    }

    fn run_application(&mut self) -> Vec<(SocketAddr, Vec<u8>)> {
        let now = self.now;
        while let Some((handle, event)) = self.endpoint.poll_event() {
            match event {
                Event::ClientCertificate { .. } => {
                    let _ = self.endpoint.decide_client_certificate(handle, now, true);
                }
                Event::DataReadable => self.echo(handle),
                _ => {}
            }
        }
        let mut out = Vec::new();
        while let Some(t) = self.endpoint.poll_transmit(now, &mut self.buf) {
            out.push((t.destination, self.buf[..t.len].to_vec()));
        }
        out
    }

    fn echo(&mut self, handle: ConnectionHandle) {
        while let Ok(Some(n)) = self.endpoint.recv(handle, &mut self.buf) {
            self.received += 1;
            let msg = self.buf[..n].to_vec();
            let _ = self.endpoint.send(handle, self.now, &msg);
        }
    }
}

/// What the client application does after a step is delivered (the
/// step's `source` bits in the client target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAction {
    /// Nothing.
    None,
    /// Sends a short message.
    Send,
    /// Sends a message as large as one record may be.
    SendLarge,
    /// Closes the connection.
    Close,
}

impl ClientAction {
    /// The action a step's source bits name.
    pub fn from_bits(bits: u8) -> Self {
        match bits & 3 {
            0 => ClientAction::None,
            1 => ClientAction::Send,
            2 => ClientAction::SendLarge,
            _ => ClientAction::Close,
        }
    }

    /// The bits [`from_bits`](Self::from_bits) reads as this action.
    pub fn bits(self) -> u8 {
        match self {
            ClientAction::None => 0,
            ClientAction::Send => 1,
            ClientAction::SendLarge => 2,
            ClientAction::Close => 3,
        }
    }
}

/// A client [`Connection`] driven in virtual time.
pub struct ClientHarness {
    /// The connection.
    pub conn: Connection,
    /// The virtual time now.
    pub now: Instant,
    /// Application messages received.
    pub received: usize,
    buf: Vec<u8>,
}

impl ClientHarness {
    /// A client on `config`, its first flight queued.
    #[allow(clippy::expect_used)]
    pub fn new(config: Arc<ClientConfig>, now: Instant) -> Self {
        ClientHarness {
            conn: Connection::client(config, SERVER, now).expect("client"),
            now,
            received: 0,
            buf: vec![0; 65_536],
        }
    }

    /// Lets `wait` pass (firing due timers), delivers `datagram` (if any),
    /// performs `action`, and returns every datagram the client sends.
    pub fn deliver(
        &mut self,
        wait: Duration,
        datagram: Option<&[u8]>,
        action: ClientAction,
    ) -> Vec<Vec<u8>> {
        let until = self.now + wait;
        let mut out = Vec::new();
        let mut fired = 0u32;
        while let Some(t) = self.conn.poll_timeout().filter(|t| *t <= until) {
            fired += 1;
            assert!(fired < 100_000, "a timer re-arms at the instant it fires");
            self.now = t.max(self.now);
            self.conn.handle_timeout(self.now);
            out.extend(self.run_application());
        }
        self.now = until;
        if let Some(d) = datagram {
            let mut dgram = d.to_vec();
            self.conn.handle_datagram(self.now, &mut dgram);
        }
        match action {
            ClientAction::None => {}
            ClientAction::Send => {
                let _ = self.conn.send(self.now, b"fuzz");
            }
            ClientAction::SendLarge => {
                let len = self.conn.max_message_len().min(self.buf.len());
                let msg = vec![0x5a; len];
                let _ = self.conn.send(self.now, &msg);
            }
            ClientAction::Close => self.conn.close(self.now),
        }
        out.extend(self.run_application());
        out
    }

    fn run_application(&mut self) -> Vec<Vec<u8>> {
        while let Some(event) = self.conn.poll_event() {
            if matches!(event, Event::DataReadable) {
                while let Ok(Some(_)) = self.conn.recv(&mut self.buf) {
                    self.received += 1;
                }
            }
        }
        let mut out = Vec::new();
        while let Some(n) = self.conn.poll_transmit(self.now, &mut self.buf) {
            out.push(self.buf[..n].to_vec());
        }
        out
    }
}
