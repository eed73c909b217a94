//! `dtls-load`: drives concurrent DTLS handshakes or echo streams (or plain
//! UDP echoes) against a server and prints rates and CPU figures; also a
//! raw UDP echo server for the ceiling. See the library docs for the
//! figures.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use dtls_load::{LoadOptions, Mode, Report, UdpEchoServer, Verification};

/// A DTLS 1.2 load generator on the dtls-core client.
#[derive(Debug, Parser)]
#[command(name = "dtls-load", about, version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Full handshakes back to back from every client (no resumption).
    Handshake(LoadArgs),
    /// One handshake per client, then a window of echoed records.
    Echo(LoadArgs),
    /// Plain UDP datagrams in a window, echoed (no DTLS): the raw ceiling.
    UdpEcho(LoadArgs),
    /// A plain UDP echo server batching with quinn-udp (recvmmsg/GRO in,
    /// GSO out), one thread; runs until killed.
    UdpEchoServer {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:5555")]
        bind: SocketAddr,
    },
}

/// The options of a load run.
#[derive(Debug, Args)]
struct LoadArgs {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:4444")]
    connect: SocketAddr,
    /// Concurrent clients, one UDP socket (source port) each.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Seconds after the run that echoes still in flight may come back.
    #[arg(long, default_value_t = 1.0)]
    drain: f64,
    /// Payload bytes per echoed record or datagram.
    #[arg(long, default_value_t = 1200)]
    size: usize,
    /// Records or datagrams each echo client keeps in flight.
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// handshake: keep one socket (source port) per client for the whole
    /// run instead of a new one for every connection.
    #[arg(long)]
    reuse_socket: bool,
    /// Generator threads (clients are split evenly).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Also report this server process's CPU time (from /proc/PID/stat).
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Seconds before an unfinished handshake counts as failed.
    #[arg(long, default_value_t = 5.0)]
    handshake_timeout: f64,
    /// Seconds without an echo before a client's window counts as lost.
    #[arg(long, default_value_t = 1.0)]
    stall_timeout: f64,
    /// Do not check the server certificate (e.g. dtls-echo's self-signed
    /// one). DTLS modes need this or --ca.
    #[arg(long, conflicts_with = "ca")]
    insecure: bool,
    /// PEM file of CAs the server certificate must chain to.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Server name to send (SNI) and, with --ca, to check.
    #[arg(long)]
    server_name: Option<String>,
    /// Cipher suites to offer: `*` or a `;`/`,`-separated list of IANA
    /// names.
    #[arg(long, default_value = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    cipher_suites: String,
    /// Print one JSON line per figure instead of a table.
    #[arg(long)]
    json: bool,
}

fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value).map_err(|_| format!("--{name} {value}: not a duration"))
}

fn options(mode: Mode, args: &LoadArgs) -> Result<LoadOptions, String> {
    let mut opts = LoadOptions::new(mode, args.connect);
    opts.clients = args.clients;
    opts.duration = seconds("duration", args.duration)?;
    opts.drain = seconds("drain", args.drain)?;
    opts.size = args.size;
    opts.window = args.window;
    opts.threads = args.threads;
    opts.new_socket = !args.reuse_socket;
    opts.server_pid = args.server_pid;
    opts.handshake_timeout = seconds("handshake-timeout", args.handshake_timeout)?;
    opts.stall_timeout = seconds("stall-timeout", args.stall_timeout)?;
    opts.server_name = args.server_name.clone();
    if mode != Mode::UdpEcho {
        opts.verification = match (&args.ca, args.insecure) {
            (Some(ca), _) => Verification::TrustAnchors(
                dtls_load::load_trust_anchors(ca).map_err(|e| e.to_string())?,
            ),
            (None, true) => Verification::Insecure,
            (None, false) => return Err("pass --ca FILE or --insecure".into()),
        };
        opts.cipher_suites = dtls_crypto::suites::parse_suite_list(&args.cipher_suites)
            .map_err(|e| format!("--cipher-suites: {e}"))?;
    }
    Ok(opts)
}

fn print(report: &Report, json: bool) {
    for figure in report.figures() {
        if json {
            println!("{}", figure.to_json());
        } else {
            println!("{figure}");
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let (mode, args) = match &cli.command {
        Command::Handshake(args) => (Mode::Handshake, args),
        Command::Echo(args) => (Mode::Echo, args),
        Command::UdpEcho(args) => (Mode::UdpEcho, args),
        Command::UdpEchoServer { bind } => {
            let server = UdpEchoServer::bind(*bind).map_err(|e| format!("--bind {bind}: {e}"))?;
            let addr = server.local_addr().map_err(|e| e.to_string())?;
            println!("udp echo server on {addr}");
            server
                .serve(&AtomicBool::new(false))
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
    };
    let opts = options(mode, args)?;
    let report = dtls_load::run(&opts).map_err(|e| e.to_string())?;
    print(&report, args.json);
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dtls-load: {e}");
            ExitCode::FAILURE
        }
    }
}
