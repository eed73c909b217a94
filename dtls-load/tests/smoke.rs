//! Short runs against an in-process echo server like dtls-echo (dtls-server
//! with an echo handler) and against the raw UDP echo server, over
//! loopback: handshakes complete, and on a quiet loopback every byte sent
//! comes back.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use dtls_load::{LoadOptions, Mode, Report, UdpEchoServer, Verification};
use dtls_server::events::DataInEvent;
use dtls_server::{DtlsServer, ServerHandler};

struct Echo;

impl ServerHandler for Echo {
    fn on_data_in(&mut self, server: &mut DtlsServer, e: &DataInEvent) {
        let _ = server.send_bytes(e.connection_id, &e.datagram);
    }
}

/// A running server and how to stop it.
struct Running {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// dtls-echo's set-up in one thread: a self-signed ECDSA P-256
/// certificate, MTU 1500 (1200-byte records), room for every client's
/// handshake from 127.0.0.1.
fn dtls_echo() -> Running {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
    dtls_echo_with(cert)
}

fn dtls_echo_with(cert: dtls_crypto::cert::Certificate) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut server = DtlsServer::new();
            {
                let st = server.settings_mut().unwrap();
                st.local_host = "127.0.0.1".to_owned();
                st.local_port = 0;
                st.max_half_open_per_source = NonZeroUsize::new(1000).unwrap();
            }
            server.set_mtu(1500).unwrap();
            server.set_do_events_wait(Duration::from_millis(20));
            server.set_ssl_cert(cert).unwrap();
            server.set_handler(Echo);
            server.start_listening().unwrap();
            tx.send(server.local_port()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                if server.do_events().is_err() {
                    break;
                }
            }
            server.shutdown();
        })
    };
    let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    Running {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        stop,
        thread: Some(thread),
    }
}

fn udp_echo() -> Running {
    let server = UdpEchoServer::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = server.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            server.serve(&stop).unwrap();
        })
    };
    Running {
        addr,
        stop,
        thread: Some(thread),
    }
}

fn options(mode: Mode, addr: SocketAddr) -> LoadOptions {
    let mut opts = LoadOptions::new(mode, addr);
    opts.clients = 4;
    opts.duration = Duration::from_secs(2);
    opts.drain = Duration::from_secs(2);
    opts.stall_timeout = Duration::from_secs(3);
    opts.verification = Verification::Insecure;
    opts.server_pid = Some(std::process::id());
    opts
}

fn assert_every_echo_back(report: &Report) {
    let t = &report.tally;
    assert!(t.bytes_sent > 0, "{report:?}");
    assert_eq!(t.bytes_echoed, t.bytes_sent, "{report:?}");
    assert_eq!(t.messages_lost, 0, "{report:?}");
    assert_eq!(t.wrong_replies, 0, "{report:?}");
    assert!(report.echo_megabytes_per_second() > 0.0, "{report:?}");
}

#[test]
fn handshakes_complete_against_an_echo_server() {
    let server = dtls_echo();
    let mut opts = options(Mode::Handshake, server.addr);
    opts.threads = 2;
    let report = dtls_load::run(&opts).unwrap();
    let t = &report.tally;
    assert!(t.handshakes > 0, "{report:?}");
    assert_eq!(t.handshakes_failed, 0, "{report:?}");
    assert!(report.server_cpu_us_per_handshake().is_some(), "{report:?}");
    assert!(report.own_cpu_cores() > 0.0, "{report:?}");
    let names: Vec<String> = report.figures().into_iter().map(|f| f.name).collect();
    assert!(names.iter().any(|n| n == "handshake.rate"), "{names:?}");
}

#[test]
fn handshakes_complete_from_reused_sockets() {
    let server = dtls_echo();
    let mut opts = options(Mode::Handshake, server.addr);
    opts.new_socket = false;
    let report = dtls_load::run(&opts).unwrap();
    assert!(report.tally.handshakes > 0, "{report:?}");
    assert_eq!(report.tally.handshakes_failed, 0, "{report:?}");
}

#[test]
fn every_dtls_echo_comes_back() {
    let server = dtls_echo();
    let report = dtls_load::run(&options(Mode::Echo, server.addr)).unwrap();
    assert_eq!(report.tally.handshakes, 4, "{report:?}");
    assert_every_echo_back(&report);
}

#[test]
fn every_udp_echo_comes_back() {
    let server = udp_echo();
    let report = dtls_load::run(&options(Mode::UdpEcho, server.addr)).unwrap();
    assert_every_echo_back(&report);
}

#[test]
fn no_server_means_failed_handshakes_not_a_hang() {
    // A port nobody listens on: ICMP errors, no handshake; the run still
    // ends at its duration.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    drop(socket);
    let mut opts = options(Mode::Handshake, addr);
    opts.server_pid = None;
    opts.handshake_timeout = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let report = dtls_load::run(&opts).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{report:?}");
    assert_eq!(report.tally.handshakes, 0, "{report:?}");
    assert!(report.tally.handshakes_failed > 0, "{report:?}");
}

#[test]
fn json_figures_are_one_object_a_line() {
    let server = udp_echo();
    let mut opts = options(Mode::UdpEcho, server.addr);
    opts.duration = Duration::from_millis(300);
    let report = dtls_load::run(&opts).unwrap();
    for figure in report.figures() {
        let line = figure.to_json();
        assert!(line.starts_with("{\"name\": \"udp-echo."), "{line}");
        assert!(line.ends_with('}') && !line.contains('\n'), "{line}");
    }
}

#[test]
fn the_server_certificate_is_checked_with_trust_anchors() {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
    let anchor = cert.chain()[0].as_ref().to_vec();
    let server = dtls_echo_with(cert);
    let mut opts = options(Mode::Handshake, server.addr);
    opts.duration = Duration::from_secs(1);
    opts.server_name = Some("localhost".to_owned());
    opts.verification = Verification::TrustAnchors(vec![anchor]);
    let report = dtls_load::run(&opts).unwrap();
    assert!(report.tally.handshakes > 0, "{report:?}");
    assert_eq!(report.tally.handshakes_failed, 0, "{report:?}");

    let other = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
    opts.verification = Verification::TrustAnchors(vec![other.chain()[0].as_ref().to_vec()]);
    let report = dtls_load::run(&opts).unwrap();
    assert_eq!(report.tally.handshakes, 0, "{report:?}");
    assert!(report.tally.handshakes_failed > 0, "{report:?}");
}

#[test]
fn trust_anchors_load_from_pem() {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
    let path = std::env::temp_dir().join(format!("dtls-load-ca-{}.pem", std::process::id()));
    std::fs::write(&path, cert.encoded_pem()).unwrap();
    let anchors = dtls_load::load_trust_anchors(&path);
    std::fs::write(&path, "not pem").unwrap();
    let empty = dtls_load::load_trust_anchors(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(anchors.unwrap(), vec![cert.chain()[0].as_ref().to_vec()]);
    assert!(empty.is_err());
}
