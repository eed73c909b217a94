//! `dtls-echo`: a DTLS 1.2 echo server. Every datagram a client sends comes
//! back to it. With no certificate options it generates a self-signed ECDSA
//! P-256 certificate and prints its SHA-256 fingerprint; `--psk` adds
//! pre-shared keys (and `--psk-only` drops the certificate);
//! `--raw-public-key` also presents the certificate's key alone (RFC 7250)
//! to clients that ask for it, and prints the key's SHA-256 to pin.
//!
//! Try it with: `openssl s_client -dtls1_2 -connect 127.0.0.1:4444`, or
//! with `--psk dev:00112233445566778899aabbccddeeff`:
//! `openssl s_client -dtls1_2 -connect 127.0.0.1:4444 -psk_identity dev
//! -psk 00112233445566778899aabbccddeeff`

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod psk;
mod workers;

use clap::Parser;
use dtls_crypto::cert::{CertStoreType, Certificate, StoreSource};
use dtls_server::{CertificateFields, DtlsServer, LogLevel, ServerHandler};

/// A DTLS 1.2 echo server.
#[derive(Debug, Parser)]
#[command(name = "dtls-echo", about, disable_version_flag = true)]
struct Args {
    /// Print the version, the engine's version and the cipher suites, then
    /// exit.
    #[arg(long, short = 'V')]
    version: bool,
    /// Print the server certificate (PEM) at start, so a client can pin it.
    #[arg(long)]
    print_cert: bool,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:4444")]
    bind: SocketAddr,
    /// PEM certificate (chain) file; needs --key.
    #[arg(long, requires = "key", conflicts_with = "pfx")]
    cert: Option<PathBuf>,
    /// PEM private key file for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// PKCS#12 / PFX file holding the certificate and key.
    #[arg(long)]
    pfx: Option<PathBuf>,
    /// Password of the --pfx file.
    #[arg(long, default_value = "")]
    password: String,
    /// A pre-shared key, IDENTITY:HEXKEY (repeatable): clients that offer
    /// PSK suites (RFC 4279, RFC 5489) authenticate with it.
    #[arg(long, value_name = "IDENTITY:HEXKEY")]
    psk: Vec<String>,
    /// A file of IDENTITY:HEXKEY lines (`#` comments), as GnuTLS's
    /// psktool writes.
    #[arg(long, value_name = "PATH")]
    psk_file: Option<PathBuf>,
    /// The PSK identity hint sent to clients (RFC 4279 5.2; none by
    /// default, as RFC 7925 4.2 advises).
    #[arg(long, value_name = "TEXT")]
    psk_hint: Option<String>,
    /// Authenticate with pre-shared keys only: no certificate.
    #[arg(long)]
    psk_only: bool,
    /// Also present the certificate's key as a raw public key (RFC 7250)
    /// to clients that ask for one; prints the key's SHA-256 for pinning.
    #[arg(long)]
    raw_public_key: bool,
    /// Serve with this many worker threads on one port (`SO_REUSEPORT`),
    /// one event loop each, sharing cookie and ticket secrets; with
    /// `--connection-id-length` (at least 4) a CID names its worker, and a
    /// client that moved to an address hashed to another worker is
    /// forwarded to its own.
    #[arg(long, default_value_t = 1, conflicts_with_all = ["stats", "stats_file"])]
    threads: u8,
    /// Share the port with other processes (`SO_REUSEPORT`, the seed's
    /// ShareLocalPort): the kernel spreads clients over them by address,
    /// one core each; give them one `--shared-secret-file`.
    #[arg(long)]
    reuse_port: bool,
    /// Connection IDs (RFC 9146) of this many bytes (0 to 32) for clients
    /// that offer them, so a client survives a NAT rebinding.
    #[arg(long, value_name = "BYTES")]
    connection_id_length: Option<u8>,
    /// A file holding a secret shared with the service's other nodes (at
    /// least 32 bytes, in hex: `openssl rand -hex 32`): any node then
    /// verifies another's cookies and resumes its session tickets.
    #[arg(long, value_name = "PATH")]
    shared_secret_file: Option<PathBuf>,
    /// Require a client certificate.
    #[arg(long)]
    client_auth: bool,
    /// A client raw public key (PEM `PUBLIC KEY` or DER) to trust; with
    /// it, `--client-auth` also takes raw keys (RFC 7250). Repeatable.
    #[arg(long, value_name = "PATH", requires = "client_auth")]
    trusted_client_key: Vec<PathBuf>,
    /// PEM file of CAs that client certificates must chain to.
    #[arg(long, requires = "client_auth")]
    ca: Option<PathBuf>,
    /// Cipher suites, `*` or a `;`/`,`-separated list of IANA names.
    #[arg(long, default_value = "*")]
    cipher_suites: String,
    /// Close connections idle for this many seconds (0 = never).
    #[arg(long, default_value_t = 0)]
    idle_timeout: u64,
    /// Send DTLS heartbeats (RFC 6520) to quiet peers and drop dead ones.
    #[arg(long)]
    keep_alive: bool,
    /// Largest datagram the server sends, in bytes.
    #[arg(long, default_value_t = 1200)]
    mtu: usize,
    /// 0 = quiet, 1 = connections, 2 = handshake progress, 3 = every datagram.
    #[arg(long, default_value_t = 1)]
    log_level: u8,
    /// Append NSS key log lines here (lets Wireshark decrypt; debugging only).
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Most simultaneous connections.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
    /// Seconds a handshake may take from its first datagram, whatever the
    /// peer sends.
    #[arg(long, default_value_t = 60)]
    handshake_timeout: u64,
    /// Most handshakes under way at once; at the cap the oldest yields to a
    /// newer client that passed the cookie.
    #[arg(long, default_value_t = 1_000)]
    max_half_open: usize,
    /// Most handshakes under way from one IP address.
    #[arg(long, default_value_t = 16)]
    max_half_open_per_source: usize,
    /// Most bytes all connections together hold for their peers
    /// (reassembly, early records, unread data); handshakes get half.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    peer_buffer_budget: usize,
    /// Print a one-line summary of the server's counters every SECS
    /// seconds.
    #[arg(long, value_name = "SECS")]
    stats: Option<u64>,
    /// Write the counters in the Prometheus text format to this file every
    /// period (`--stats`, default 10 s), replacing it atomically (for a
    /// textfile collector).
    #[arg(long, value_name = "PATH")]
    stats_file: Option<PathBuf>,
}

/// One line of the counters, for `--stats`.
fn stats_line(stats: &dtls_server::ServerStats) -> String {
    let e = &stats.engine;
    format!(
        "stats: connections {} ({} handshaking), handshakes {} started / {} completed / {} failed / \
         {} evicted, records in {} out {} dropped {}, bytes in {} out {}, buffered {}, \
         hello-verify {}, send errors {}",
        e.connections,
        e.half_open,
        e.endpoint.connections_created,
        e.handshakes_completed,
        e.handshakes_failed.iter().sum::<u64>(),
        e.endpoint.evicted_half_open,
        e.records.records_in,
        e.records.records_out,
        e.records.dropped(),
        e.bytes_in,
        e.bytes_out,
        e.buffered_bytes,
        e.endpoint.hello_verify_sent,
        stats.send_errors
    )
}

/// Writes the Prometheus text to `path` through a temporary file and a
/// rename, so a reader never sees half of it.
fn write_stats_file(
    path: &std::path::Path,
    stats: &dtls_server::ServerStats,
) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, stats.to_prometheus())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("--stats-file {}: {e}", path.display()))
}

/// Echoes data. Log lines reach stdout through the `log` facade.
struct Echo;

impl ServerHandler for Echo {
    fn on_connected(&mut self, _server: &mut DtlsServer, e: &dtls_server::events::ConnectedEvent) {
        if let Some(identity) = &e.psk_identity {
            log::info!(
                "[{}] {}:{} authenticated with PSK identity \"{}\"",
                e.connection_id,
                e.source_addr,
                e.source_port,
                String::from_utf8_lossy(identity).escape_debug()
            );
        }
    }

    fn on_data_in(&mut self, server: &mut DtlsServer, e: &dtls_server::events::DataInEvent) {
        if let Err(err) = server.send_bytes(e.connection_id, &e.datagram) {
            log::warn!("[{}] echo failed: {err}", e.connection_id);
        }
    }
}

/// Prints the `log` facade's lines on stdout, one per event: `RUST_LOG`
/// when set (e.g. `RUST_LOG=dtls_core=debug`), else what `--log-level`
/// asks the server to report.
fn init_logging(log_level: u8) {
    let default = match log_level {
        0 => "off",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default))
        .target(env_logger::Target::Stdout)
        .init();
}

fn load_certificate(args: &Args) -> Result<Certificate, String> {
    if let Some(pfx) = &args.pfx {
        return Certificate::from_store(
            CertStoreType::PfxFile,
            StoreSource::Path(pfx),
            &args.password,
            "*",
        )
        .map_err(|e| format!("{}: {e}", pfx.display()));
    }
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        return Certificate::from_pem_files(cert, key)
            .map_err(|e| format!("{} / {}: {e}", cert.display(), key.display()));
    }
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])
        .map_err(|e| format!("cannot generate a certificate: {e}"))?;
    println!(
        "generated a self-signed ECDSA P-256 certificate, SHA-256 fingerprint {}",
        cert.fingerprint_sha256()
    );
    Ok(cert)
}

/// `--version`: this binary, the engine and what it negotiates.
fn version_text() -> String {
    let suites: Vec<String> = dtls_crypto::CipherSuite::ALL
        .iter()
        .map(ToString::to_string)
        .collect();
    format!(
        "dtls-echo {}\nengine: dtls-core {} (DTLS 1.2, RFC 6347)\ncipher suites: {}",
        env!("CARGO_PKG_VERSION"),
        dtls_core::VERSION,
        suites.join(", ")
    )
}

/// What every worker's server is built from.
struct WorkerSetup {
    index: u8,
    threads: u8,
    /// The port worker 0 bound, for the others.
    port: Option<u16>,
    cert: Option<Certificate>,
    psk: Option<dtls_core::config::ServerPsk>,
    /// The shared secret, in hex.
    shared_secret: Option<String>,
}

/// One worker's server, configured from `args`, not yet listening.
fn build_server(args: &Args, log_level: LogLevel, w: &WorkerSetup) -> Result<DtlsServer, String> {
    let mut server = DtlsServer::new();
    {
        let st = server.settings_mut().map_err(|e| e.to_string())?;
        st.local_host = args.bind.ip().to_string();
        st.use_ipv6 = args.bind.is_ipv6();
        st.local_port = args.bind.port();
        let suites = dtls_crypto::suites::parse_suite_list(&args.cipher_suites)
            .map_err(|e| format!("--cipher-suites: {e}"))?;
        st.set_cipher_suites(&suites)
            .map_err(|e| format!("--cipher-suites: {e}"))?;
        st.default_idle_timeout = Duration::from_secs(args.idle_timeout);
        st.log_level = log_level;
        st.ssl_key_log_file = args.keylog.clone();
        st.max_connections = NonZeroUsize::new(args.max_connections)
            .ok_or("--max-connections must be at least 1")?;
        if args.handshake_timeout == 0 {
            return Err("--handshake-timeout must be at least 1 second".into());
        }
        st.handshake_timeout = Duration::from_secs(args.handshake_timeout);
        st.max_half_open =
            NonZeroUsize::new(args.max_half_open).ok_or("--max-half-open must be at least 1")?;
        st.max_half_open_per_source = NonZeroUsize::new(args.max_half_open_per_source)
            .ok_or("--max-half-open-per-source must be at least 1")?;
        st.config(&format!("PeerBufferBudget={}", args.peer_buffer_budget))
            .map_err(|e| format!("--peer-buffer-budget: {e}"))?;
        st.ssl_authenticate_clients = args.client_auth;
        st.share_local_port = args.reuse_port || w.threads > 1;
        if let Some(port) = w.port {
            st.local_port = port;
        }
        if let Some(len) = args.connection_id_length {
            st.config(&format!("ConnectionIdLength={len}"))
                .map_err(|e| format!("--connection-id-length: {e}"))?;
        }
        if args.raw_public_key {
            st.config("SSLCertificateTypes=RawPublicKey,X509")
                .map_err(|e| format!("--raw-public-key: {e}"))?;
        }
        if !args.trusted_client_key.is_empty() {
            st.config("SSLClientCertificateTypes=RawPublicKey,X509")
                .map_err(|e| format!("--trusted-client-key: {e}"))?;
        }
        st.keep_alive = args.keep_alive;
        if let Some(ca) = &args.ca {
            let pem =
                std::fs::read_to_string(ca).map_err(|e| format!("--ca {}: {e}", ca.display()))?;
            st.set_ssl_client_ca_certs(&pem)
                .map_err(|e| format!("--ca {}: {e}", ca.display()))?;
        }
    }
    server
        .set_mtu(args.mtu)
        .map_err(|e| format!("--mtu: {e}"))?;
    if let Some(psk) = &w.psk {
        server
            .set_psk(Some(psk.clone()))
            .map_err(|e| format!("--psk: {e}"))?;
    }
    if let Some(cert) = w.cert.clone() {
        if args.raw_public_key && w.index == 0 {
            // The bytes the server sends: its key's SubjectPublicKeyInfo.
            let key = cert
                .require_private_key()
                .and_then(dtls_crypto::sign::SigningKey::from_der)
                .map_err(|e| format!("--raw-public-key: {e}"))?;
            println!(
                "raw public key SHA-256 {}",
                dtls_crypto::cert::public_key_sha256(&key.subject_public_key_info())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
        }
        server.set_ssl_cert(cert).map_err(|e| e.to_string())?;
    } else if args.raw_public_key {
        return Err("--raw-public-key needs a certificate's key (not with --psk-only)".into());
    }
    if let Some(secret) = &w.shared_secret {
        let secret = dtls_crypto::shared_secret::SharedSecret::from_hex(secret)
            .map_err(|e| format!("--shared-secret-file: {e}"))?;
        server
            .set_shared_secret(Some(secret))
            .map_err(|e| format!("--shared-secret-file: {e}"))?;
    }
    if w.threads > 1 && args.connection_id_length.is_some() {
        // The CID names its worker, so a client that moved is forwarded
        // to the worker holding its association.
        server
            .set_connection_id_prefix(Some(w.index))
            .map_err(|e| format!("--threads with --connection-id-length: {e}"))?;
    }
    let mut trusted = Vec::new();
    for path in &args.trusted_client_key {
        let key = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|data| dtls_crypto::cert::load_public_key(&data).map_err(|e| e.to_string()))
            .map_err(|e| format!("--trusted-client-key {}: {e}", path.display()))?;
        trusted.push(key);
    }
    if !trusted.is_empty() {
        server
            .set_trusted_client_keys(trusted)
            .map_err(|e| format!("--trusted-client-key: {e}"))?;
    }
    server.set_handler(Echo);
    Ok(server)
}

fn run(args: Args) -> Result<(), String> {
    if args.version {
        println!("{}", version_text());
        return Ok(());
    }
    let log_level = LogLevel::from_u8(args.log_level)
        .ok_or_else(|| format!("--log-level {}: must be 0, 1, 2 or 3", args.log_level))?;
    init_logging(args.log_level);
    let keys = psk::load(&args.psk, args.psk_file.as_deref())?;
    if args.psk_only && keys.is_empty() {
        return Err("--psk-only needs --psk or --psk-file".into());
    }
    let cert = match args.psk_only {
        true => None,
        false => Some(load_certificate(&args)?),
    };
    if let (true, Some(cert)) = (args.print_cert, &cert) {
        print!("{}", cert.encoded_pem());
    }
    let psk = (!keys.is_empty()).then(|| {
        println!("{} pre-shared keys loaded", keys.len());
        let mut psk = dtls_core::config::ServerPsk::new(Arc::new(keys));
        psk.identity_hint = args.psk_hint.clone().map(String::into_bytes);
        psk
    });
    if args.threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    let shared_secret = match &args.shared_secret_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("--shared-secret-file {}: {e}", path.display()))?,
        ),
        // Workers of one process share a secret of their own.
        None if args.threads > 1 => Some(
            dtls_crypto::CryptoProvider::default()
                .random_array::<32>()
                .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>())
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let mut setup = WorkerSetup {
        index: 0,
        threads: args.threads,
        port: None,
        cert,
        psk,
        shared_secret,
    };
    let mut server = build_server(&args, log_level, &setup)?;
    // Before the listening line: a signal right after it must stop the
    // server cleanly, not kill it.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot install the signal handler: {e}"))?;
    server.start_listening().map_err(|e| e.to_string())?;
    let mut others = Vec::new();
    for index in 1..args.threads {
        setup.index = index;
        setup.port = Some(server.local_port());
        let mut worker = build_server(&args, log_level, &setup)?;
        worker.start_listening().map_err(|e| e.to_string())?;
        others.push(worker);
    }
    let host = server
        .local_host()
        .map_or_else(|| "?".to_owned(), |h| h.to_string());
    println!(
        "listening on {}",
        SocketAddr::new(host.parse().unwrap_or(args.bind.ip()), server.local_port())
    );

    if !others.is_empty() {
        others.insert(0, server);
        workers::run(others, &stop);
        println!("shutting down");
        return Ok(());
    }
    let period = args
        .stats
        .or(args.stats_file.as_ref().map(|_| 10))
        .map(|secs| Duration::from_secs(secs.max(1)));
    let mut next_stats = period.map(|p| std::time::Instant::now() + p);
    while !stop.load(Ordering::SeqCst) {
        server.do_events().map_err(|e| e.to_string())?;
        if let (Some(due), Some(period)) = (next_stats, period)
            && std::time::Instant::now() >= due
        {
            let stats = server.stats();
            if let Some(path) = &args.stats_file {
                write_stats_file(path, &stats)?;
            }
            if args.stats.is_some() {
                println!("{}", stats_line(&stats));
            }
            next_stats = Some(due + period);
        }
    }
    println!("shutting down");
    server.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dtls-echo: {message}");
            ExitCode::FAILURE
        }
    }
}
