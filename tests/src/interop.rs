//! Helpers for interop tests against real, independently written peers
//! (OpenSSL, GnuTLS, mbedTLS) running as separate processes on loopback.
//!
//! A peer that is not installed makes its test fail when `CI=true` and skip
//! with a note otherwise.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dtls_server::events::{
    ConnectedEvent, DataInEvent, DisconnectedEvent, SslClientAuthenticationEvent,
};
use dtls_server::{ConnectionId, DtlsServer, ServerHandler};

use crate::certs::{KeyKind, certificate};

/// Whether `program` can be run. When it cannot and `CI=true`, panics: CI
/// installs every peer, so a missing one is a broken set-up, not a skip.
///
/// # Panics
/// Under `CI=true` when the program is missing.
pub fn require_peer(program: &str, version_arg: &str) -> bool {
    let ok = Command::new(program)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{program} is not installed, and CI=true requires every interop peer");
        }
        eprintln!("note: {program} not installed; skipping this interop test");
    }
    ok
}

/// How long a test waits for a peer or the server to reach a state.
pub const WAIT: Duration = Duration::from_secs(10);

/// What the server saw, for assertions.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    /// Connected events (successes and failures).
    pub connected: Vec<ConnectedEvent>,
    /// Disconnected events.
    pub disconnected: Vec<DisconnectedEvent>,
    /// Client certificates presented.
    pub client_certs: Vec<SslClientAuthenticationEvent>,
    /// Negotiated suite names of successful connections.
    pub suites: Vec<String>,
    /// Whether each successful connection was an abbreviated (resumed)
    /// handshake, in order.
    pub resumed: Vec<bool>,
    /// Whether each successful connection used the extended master secret
    /// (RFC 7627), in order.
    pub extended_master_secret: Vec<bool>,
    /// Datagrams received.
    pub data: Vec<(ConnectionId, Vec<u8>)>,
    /// Clients that moved under a connection ID: (previous, current).
    pub moves: Vec<(std::net::SocketAddr, std::net::SocketAddr)>,
    /// Engine counters summed over the live connections, refreshed every
    /// loop of the server thread.
    pub counters: dtls_core::event::Counters,
}

/// How the test server judges client certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCertVerdict {
    /// Keep the engine's verdict (validated against the configured CAs).
    AsVerified,
    /// Accept every certificate.
    AcceptAll,
    /// Reject every certificate.
    RejectAll,
}

struct EchoRecorder {
    observed: Arc<Mutex<Observed>>,
    verdict: ClientCertVerdict,
}

impl ServerHandler for EchoRecorder {
    fn on_connected(&mut self, server: &mut DtlsServer, e: &ConnectedEvent) {
        let negotiated = server
            .connection(e.connection_id)
            .and_then(|c| c.negotiated.as_ref());
        let suite = negotiated.map(|n| n.cipher_suite.name().to_owned());
        let resumed = negotiated.map(|n| n.resumed);
        let ems = negotiated.map(|n| n.extended_master_secret);
        if let Ok(mut o) = self.observed.lock() {
            o.connected.push(e.clone());
            o.suites.extend(suite);
            o.resumed.extend(resumed);
            o.extended_master_secret.extend(ems);
        }
    }
    fn on_data_in(&mut self, server: &mut DtlsServer, e: &DataInEvent) {
        let _ = server.send_bytes(e.connection_id, &e.datagram);
        if let Ok(mut o) = self.observed.lock() {
            o.data.push((e.connection_id, e.datagram.clone()));
        }
    }
    fn on_peer_address_changed(
        &mut self,
        _server: &mut DtlsServer,
        e: &dtls_server::events::PeerAddressChangedEvent,
    ) {
        if let Ok(mut o) = self.observed.lock() {
            o.moves.push((e.previous, e.current));
        }
    }
    fn on_disconnected(&mut self, _server: &mut DtlsServer, e: &DisconnectedEvent) {
        if let Ok(mut o) = self.observed.lock() {
            o.disconnected.push(e.clone());
        }
    }
    fn on_ssl_client_authentication(
        &mut self,
        _server: &mut DtlsServer,
        e: &mut SslClientAuthenticationEvent,
    ) {
        match self.verdict {
            ClientCertVerdict::AsVerified => {}
            ClientCertVerdict::AcceptAll => e.accept = true,
            ClientCertVerdict::RejectAll => e.accept = false,
        }
        if let Ok(mut o) = self.observed.lock() {
            o.client_certs.push(e.clone());
        }
    }
}

/// An echo server on a background thread, on an ephemeral loopback port.
pub struct TestServer {
    /// The port it listens on.
    pub port: u16,
    /// What it saw.
    pub observed: Arc<Mutex<Observed>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server with this certificate, after `configure` adjusted it
    /// (the bind address is then forced to 127.0.0.1:0).
    ///
    /// # Panics
    /// If the server cannot start.
    #[allow(clippy::expect_used)]
    pub fn start(
        cert: dtls_crypto::cert::Certificate,
        configure: impl FnOnce(&mut DtlsServer) + Send + 'static,
        verdict: ClientCertVerdict,
    ) -> TestServer {
        let observed = Arc::new(Mutex::new(Observed::default()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let thread = {
            let observed = observed.clone();
            let observed_loop = observed.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut server = DtlsServer::new();
                configure(&mut server);
                server.settings_mut().expect("before listening").local_host =
                    "127.0.0.1".to_owned();
                server.settings_mut().expect("before listening").local_port = 0;
                server.set_do_events_wait(Duration::from_millis(20));
                server.set_ssl_cert(cert).expect("certificate");
                server.set_handler(EchoRecorder { observed, verdict });
                server.start_listening().expect("server starts");
                let _ = tx.send(server.local_port());
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    if server.do_events().is_err() {
                        break;
                    }
                    let mut sum = dtls_core::event::Counters::default();
                    let ids: Vec<ConnectionId> =
                        server.connections().map(|c| c.connection_id).collect();
                    for id in ids {
                        if let Some(c) = server.connection_counters(id) {
                            sum.heartbeat_requests_sent += c.heartbeat_requests_sent;
                            sum.heartbeat_responses_sent += c.heartbeat_responses_sent;
                            sum.heartbeat_responses_received += c.heartbeat_responses_received;
                            sum.bad_heartbeat += c.bad_heartbeat;
                            sum.records_in += c.records_in;
                        }
                    }
                    if let Ok(mut o) = observed_loop.lock() {
                        o.counters = sum;
                    }
                }
                server.shutdown();
            })
        };
        let port = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server reports its port");
        TestServer {
            port,
            observed,
            stop,
            thread: Some(thread),
        }
    }

    /// An echo server presenting a generated `kind` certificate, taking
    /// client certificates as verified.
    pub fn echo(kind: KeyKind) -> TestServer {
        TestServer::echo_with(kind, |_| {})
    }

    /// [`echo`](Self::echo), after `configure` adjusted the server.
    pub fn echo_with(
        kind: KeyKind,
        configure: impl FnOnce(&mut DtlsServer) + Send + 'static,
    ) -> TestServer {
        TestServer::start(certificate(kind), configure, ClientCertVerdict::AsVerified)
    }

    /// A snapshot of what the server saw.
    pub fn observed(&self) -> Observed {
        self.observed.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Waits until `f` holds for what the server saw, or `timeout` passes.
    pub fn wait_for(&self, timeout: Duration, f: impl Fn(&Observed) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if f(&self.observed()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        f(&self.observed())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A peer process whose stdout is read line by line in the background.
pub struct PeerProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Everything read so far.
    pub output: Vec<String>,
}

impl PeerProcess {
    /// Spawns `program args...` with piped stdin/stdout (stderr merged into
    /// the captured output through a second reader).
    ///
    /// # Panics
    /// If the program cannot be spawned.
    #[allow(clippy::expect_used)]
    pub fn spawn(program: &str, args: &[String]) -> PeerProcess {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn peer");
        let (tx, rx) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        PeerProcess {
            child,
            lines: rx,
            output: Vec::new(),
        }
    }

    /// Writes a line to the peer's stdin.
    pub fn send_line(&mut self, line: &str) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            // One write, so the peer is less likely to read (and send) the
            // line in pieces; tests still must not rely on record
            // boundaries.
            let _ = stdin.write_all(format!("{line}\n").as_bytes());
            let _ = stdin.flush();
        }
    }

    /// Waits until a line containing `needle` is printed, or `timeout`.
    pub fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        if self.output.iter().any(|l| l.contains(needle)) {
            return true;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    self.output.push(line);
                    if hit {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    /// Collects output for up to `d`.
    pub fn drain_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.output.push(line);
        }
    }

    /// Closes stdin and waits up to `timeout` for exit, killing after.
    pub fn finish(mut self, timeout: Duration) -> Vec<String> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.drain_for(Duration::from_millis(50));
        std::mem::take(&mut self.output)
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `build` (a compiler invocation that writes the peer program
/// `program`) and returns `program`; `None` when it cannot be built, which
/// panics instead under `CI=true` (every peer is required there). `what`
/// names the peer and the packages it needs, for the message.
///
/// # Panics
/// Under `CI=true`, if the build fails.
pub fn build_peer(what: &str, mut build: Command, program: PathBuf) -> Option<PathBuf> {
    match build.output() {
        Ok(o) if o.status.success() => Some(program),
        other => {
            let why = match &other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("cannot build the {what} peer: {why}");
            }
            eprintln!("note: {what} peer not available, skipping: {why}");
            None
        }
    }
}

/// An echo server of this certificate kind that requires client
/// certificates from the ECDSA and the RSA test CAs
/// ([`client_pki_files`](crate::certs::client_pki_files)).
///
/// # Panics
/// If the CA files cannot be made or read.
#[allow(clippy::expect_used)]
pub fn client_auth_server(kind: KeyKind) -> TestServer {
    let cas = [KeyKind::EcdsaP256, KeyKind::Rsa2048]
        .map(|k| std::fs::read_to_string(crate::certs::client_pki_files(k).ca).expect("CA"))
        .concat();
    TestServer::echo_with(kind, move |s| {
        s.settings_mut()
            .expect("before listening")
            .ssl_authenticate_clients = true;
        s.settings_mut()
            .expect("before listening")
            .set_ssl_client_ca_certs(&cas)
            .expect("CA certificates");
    })
}

impl Observed {
    /// The server saw `count` client certificates, all verified, from both
    /// the ECDSA and the RSA test client.
    ///
    /// # Panics
    /// When it did not.
    pub fn assert_client_certificates_verified(&self, count: usize) {
        let certs = &self.client_certs;
        assert_eq!(certs.len(), count, "{certs:#?}");
        assert!(certs.iter().all(|c| c.status == "OK"), "{certs:#?}");
        for subject in ["client-Rsa2048", "client-EcdsaP256"] {
            assert!(
                certs.iter().any(|c| c.cert_subject.contains(subject)),
                "{certs:#?}"
            );
        }
    }

    /// A handshake failed with 403 because the client offered CBC without
    /// Encrypt-then-MAC, and the description says so.
    ///
    /// # Panics
    /// When no such failure was seen.
    pub fn assert_refused_for_encrypt_then_mac(&self) {
        let failed = self.connected.iter().find(|c| c.status_code == 403);
        assert!(
            failed.is_some_and(|f| f.description.contains("Encrypt-then-MAC")),
            "{:#?}",
            self.connected
        );
    }
}

/// The server certificate kinds every peer is tested with, and the suite
/// authentication each needs.
pub const SERVER_CERTIFICATES: [(KeyKind, dtls_crypto::suites::AuthAlgorithm); 2] = [
    (
        KeyKind::EcdsaP256,
        dtls_crypto::suites::AuthAlgorithm::Ecdsa,
    ),
    (KeyKind::Rsa2048, dtls_crypto::suites::AuthAlgorithm::Rsa),
];

/// Runs a peer program to its end: whether it exited with success, and its
/// stdout lines.
///
/// # Panics
/// If it cannot be started.
#[allow(clippy::expect_used)]
pub fn run_to_end(peer: &mut Command) -> (bool, Vec<String>) {
    let out = peer.output().expect("the peer program starts");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    (out.status.success(), lines)
}

/// A peer run (as [`run_to_end`] returns it) succeeded and echoed `bytes`
/// bytes (its "echoed N bytes" line).
///
/// # Panics
/// When it did not.
pub fn assert_echoed(run: &(bool, Vec<String>), bytes: usize) {
    let (ok, lines) = run;
    assert!(*ok, "{lines:#?}");
    assert!(
        lines.contains(&format!("echoed {bytes} bytes")),
        "{lines:#?}"
    );
}

/// The source of a peer program under `tests/peers/`.
pub fn peer_source(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
}

/// Compiles the C peer `tests/peers/<name>.c` with gcc against `libs`;
/// `None` (or a panic under CI=true) if the compiler or the library is
/// missing.
fn build_c_peer(what: &str, name: &str, libs: &[&str]) -> Option<PathBuf> {
    let source = peer_source(&format!("{name}.c"));
    let out = crate::certs::scratch_dir(name).join(name);
    let mut cc = Command::new("cc");
    cc.arg("-O1").arg("-o").arg(&out).arg(&source).args(libs);
    build_peer(what, cc, out)
}

/// The mbedTLS test client (`tests/peers/mbedtls_dtls_client.c`), built
/// once against Debian's libmbedtls-dev.
pub fn mbedtls_client() -> Option<PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            build_c_peer(
                "mbedTLS (gcc, libmbedtls-dev)",
                "mbedtls_dtls_client",
                &["-lmbedtls", "-lmbedx509", "-lmbedcrypto"],
            )
        })
        .clone()
}

/// The GnuTLS PSK client (`tests/peers/gnutls_psk_client.c`), built once
/// against Debian's libgnutls28-dev.
pub fn gnutls_psk_client() -> Option<PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            build_c_peer(
                "GnuTLS (gcc, libgnutls28-dev)",
                "gnutls_psk_client",
                &["-lgnutls"],
            )
        })
        .clone()
}

/// The GnuTLS raw public key client (`tests/peers/gnutls_rpk_client.c`),
/// built once against Debian's libgnutls28-dev.
pub fn gnutls_rpk_client() -> Option<PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            build_c_peer(
                "GnuTLS (gcc, libgnutls28-dev)",
                "gnutls_rpk_client",
                &["-lgnutls"],
            )
        })
        .clone()
}

/// The mbedTLS 3.6 client with RFC 9146 connection IDs
/// (`tests/peers/mbedtls-cid/`), built once from sources on crates.io;
/// `None` (a panic under CI=true) if it cannot be built.
pub fn mbedtls_cid_client() -> Option<PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // Shared by every run: build.sh caches and locks it.
            let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/mbedtls-cid");
            let mut build = Command::new("bash");
            build.arg(peer_source("mbedtls-cid/build.sh")).arg(&out);
            build_peer(
                "mbedTLS 3.6 with connection IDs (curl, gcc)",
                build,
                out.join("bin/cid_client"),
            )
        })
        .clone()
}

/// `openssl s_client -dtls1_2` to our server on loopback `port`, quiet,
/// exiting (with close_notify) when its stdin ends; `extra` arguments after.
pub fn s_client(port: u16, extra: &[&str]) -> PeerProcess {
    let mut args: Vec<String> = vec![
        "s_client".into(),
        "-dtls1_2".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
        "-quiet".into(),
        // -quiet implies -ign_eof; exit (with close_notify) when stdin ends.
        "-no_ign_eof".into(),
        // Lines starting with Q, R or k are not commands to s_client.
        "-nocommands".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    PeerProcess::spawn("openssl", &args)
}
