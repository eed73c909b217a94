//! The `dtls-echo` binary: bad input exits non-zero with one line that
//! names the problem; good input prints `listening on ADDR:PORT`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

fn echo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dtls-echo"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dtls-echo-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary expecting failure; returns its stderr.
fn fails_with(args: &[&str]) -> String {
    let out = echo().args(args).output().unwrap();
    assert!(!out.status.success(), "expected failure for {args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(stderr.lines().count(), 1, "one line expected: {stderr}");
    stderr
}

/// Runs the binary on a PEM certificate and key expecting failure.
fn fails_with_pem(cert: &std::path::Path, key: &std::path::Path) -> String {
    fails_with(&[
        "--bind",
        "127.0.0.1:0",
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ])
}

#[test]
fn missing_certificate_file_is_named() {
    let dir = scratch("missing");
    let cert = dir.join("nope.pem");
    let key = dir.join("nope.key");
    let err = fails_with_pem(&cert, &key);
    assert!(err.contains("nope.pem"), "{err}");
}

#[test]
fn garbage_certificate_is_reported() {
    let dir = scratch("garbage");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    std::fs::write(&key, "not a key").unwrap();
    let err = fails_with_pem(&cert, &key);
    assert!(err.contains("cert.pem"), "{err}");
}

#[test]
fn wrong_pfx_password_is_reported() {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "openssl missing under CI"
        );
        return;
    }
    let dir = scratch("pfx");
    let key = dir.join("k.pem");
    let cert = dir.join("c.pem");
    let pfx = dir.join("s.pfx");
    assert!(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256"
            ])
            .args(["-nodes", "-days", "1", "-subj", "/CN=x"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:right"])
            .arg("-inkey")
            .arg(&key)
            .arg("-in")
            .arg(&cert)
            .arg("-out")
            .arg(&pfx)
            .output()
            .unwrap()
            .status
            .success()
    );
    let err = fails_with(&[
        "--bind",
        "127.0.0.1:0",
        "--pfx",
        pfx.to_str().unwrap(),
        "--password",
        "wrong",
    ]);
    assert!(err.to_lowercase().contains("password"), "{err}");
}

#[test]
fn busy_port_is_reported() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = fails_with(&["--bind", &addr]);
    assert!(err.contains(&addr), "{err}");
    assert!(err.to_lowercase().contains("in use"), "{err}");
}

#[test]
fn unknown_cipher_suite_is_named() {
    let err = fails_with(&[
        "--bind",
        "127.0.0.1:0",
        "--cipher-suites",
        "TLS_RSA_WITH_RC4_128_MD5",
    ]);
    assert!(err.contains("TLS_RSA_WITH_RC4_128_MD5"), "{err}");
}

#[test]
fn prints_fingerprint_and_listening_line() {
    let (mut child, lines, _) = start(&[]);
    let _ = child.kill();
    let _ = child.wait();
    let first = &lines[0];
    let second = lines.last().unwrap();
    assert!(first.contains("SHA-256 fingerprint"), "{first}");
    let fp = first.rsplit(' ').next().unwrap();
    assert_eq!(fp.split(':').count(), 32, "{fp}");
    assert!(second.starts_with("listening on 127.0.0.1:"), "{second}");
    let port: u16 = second.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "the system-picked port is reported");
}

/// The lines of a child's stdout, read on a thread; the channel closes at
/// the end of the output.
fn lines_of(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Starts the server with `args`; returns it and its stdout lines up to
/// and including the `listening on` line. The caller waits for it.
#[allow(clippy::zombie_processes)]
fn start(
    args: &[&str],
) -> (
    std::process::Child,
    Vec<String>,
    std::sync::mpsc::Receiver<String>,
) {
    let mut child = echo()
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = lines_of(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let done = line.starts_with("listening on");
        lines.push(line);
        if done {
            return (child, lines, rx);
        }
    }
}

#[test]
fn sigterm_and_sigint_exit_cleanly() {
    for signal in ["-TERM", "-INT"] {
        let (mut child, _, rx) = start(&[]);
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(exit.success(), "{signal}: {exit:?}, stderr {stderr}");
        assert!(stderr.trim().is_empty(), "{signal}: {stderr}");
        // The reader thread may still be forwarding the last lines: read
        // until it sees the end of stdout (the channel closes).
        let rest: Vec<String> =
            std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(10)).ok()).collect();
        assert!(rest.iter().any(|l| l == "shutting down"), "{rest:?}");
    }
}

#[test]
fn version_names_the_engine_and_the_suites() {
    let out = echo().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("dtls-echo {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("engine: dtls-core "), "{text}");
    assert!(
        text.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        "{text}"
    );
}

#[test]
fn print_cert_prints_the_pem_a_client_can_pin() {
    let (mut child, lines, _) = start(&["--print-cert"]);
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .expect("a PEM block");
    let end = text.find("-----END CERTIFICATE-----").expect("its end");
    let pem = &text[begin..end + "-----END CERTIFICATE-----".len()];
    use dtls_server::CertificateFields;
    let cert = dtls_crypto::cert::Certificate::from_encoded(pem.as_bytes()).unwrap();
    let fingerprint = lines[0].rsplit(' ').next().unwrap();
    assert_eq!(cert.fingerprint_sha256(), fingerprint);
}

/// Runs a client handshake against `port` and sends `message`.
fn handshake_and_send(port: u16, message: &[u8]) -> u16 {
    let config = dtls_core::config::ClientConfig::default();
    handshake_and_send_with(port, message, config).0
}

/// [`handshake_and_send`] with `config`; also returns the connection.
fn handshake_and_send_with(
    port: u16,
    message: &[u8],
    config: dtls_core::config::ClientConfig,
) -> (u16, dtls_core::Connection) {
    use std::time::Instant;
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let config = std::sync::Arc::new(config);
    let mut conn = dtls_core::Connection::client(config, server, Instant::now()).unwrap();
    let mut buf = vec![0u8; 16_384];
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut sent = false;
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            conn.handle_datagram(Instant::now(), &mut buf[..n]);
        }
        let now = Instant::now();
        if conn.poll_timeout().is_some_and(|t| t <= now) {
            conn.handle_timeout(now);
        }
        if conn.is_established() && !sent {
            conn.send(now, message).unwrap();
            sent = true;
        }
        while let Some(n) = conn.poll_transmit(now, &mut buf) {
            socket.send(&buf[..n]).unwrap();
        }
        if sent && conn.poll_transmit(now, &mut buf).is_none() {
            break;
        }
    }
    assert!(sent, "the handshake completed");
    (socket.local_addr().unwrap().port(), conn)
}

#[test]
fn raw_public_key_prints_the_key_hash_a_client_pins() {
    let (mut child, lines, _rx) = start(&["--raw-public-key"]);
    let hash = lines
        .iter()
        .find_map(|l| l.strip_prefix("raw public key SHA-256 "))
        .unwrap_or_else(|| panic!("{lines:?}"))
        .to_owned();
    let port: u16 = lines
        .last()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let config = dtls_core::config::ClientConfig {
        server_certificate_types: vec![dtls_core::config::CertificateType::RawPublicKey],
        ..Default::default()
    };
    let (_, conn) = handshake_and_send_with(port, b"pinned", config);
    let key = conn
        .negotiated()
        .and_then(|n| n.peer_raw_public_key.clone())
        .expect("the server presented a raw public key");
    let printed: String = dtls_crypto::cert::public_key_sha256(&key)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(printed, hash);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn bad_raw_public_key_options_are_named() {
    let psk_only = fails_with(&[
        "--raw-public-key",
        "--psk-only",
        "--psk",
        "a:00112233445566778899aabbccddeeff",
    ]);
    assert!(psk_only.contains("--raw-public-key needs"), "{psk_only}");
    let missing = fails_with(&[
        "--client-auth",
        "--trusted-client-key",
        "/nonexistent/key.pem",
    ]);
    assert!(
        missing.contains("--trusted-client-key /nonexistent/key.pem"),
        "{missing}"
    );
    let dir = scratch("junk-key");
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a key").unwrap();
    let junk_err = fails_with(&[
        "--client-auth",
        "--trusted-client-key",
        junk.to_str().unwrap(),
    ]);
    assert!(junk_err.contains("PUBLIC KEY"), "{junk_err}");
}

#[test]
fn log_lines_reach_stdout_through_the_log_facade_with_id_and_peer() {
    let (mut child, lines, rx) = start(&["--log-level", "2"]);
    let port: u16 = lines
        .last()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let client_port = handshake_and_send(port, b"hello");
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let out: Vec<String> = lines.into_iter().chain(rx.try_iter()).collect();
    let peer = format!("127.0.0.1:{client_port}]");
    let server_line = out
        .iter()
        .find(|l| l.contains(" dtls_server]") && l.contains(&peer))
        .unwrap_or_else(|| panic!("no dtls_server line naming the peer: {out:#?}"));
    assert!(
        server_line.contains("INFO") || server_line.contains("DEBUG"),
        "{server_line}"
    );
    assert!(
        out.iter()
            .any(|l| l.contains(" dtls_core]") && l.contains(&peer)),
        "the engine's own lines: {out:#?}"
    );
}

#[test]
fn stats_print_a_summary_and_write_a_prometheus_file() {
    let path = scratch("stats").join("dtls.prom");
    let (mut child, lines, rx) = start(&["--stats", "1", "--stats-file", path.to_str().unwrap()]);
    let port: u16 = lines
        .last()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    handshake_and_send(port, b"counted");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut summary = None;
    while summary.is_none() && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.starts_with("stats: ")
            && line.contains("1 completed")
        {
            summary = Some(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let summary = summary.expect("a stats line after the handshake");
    assert!(
        summary.contains("connections 1 (0 handshaking)"),
        "{summary}"
    );
    assert!(summary.contains("records in 1 out 1"), "{summary}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# TYPE dtls_handshakes_completed_total counter"),
        "{text}"
    );
    assert!(text.contains("dtls_handshakes_completed_total 1"), "{text}");
    assert!(
        text.contains("dtls_connections{state=\"established\"} 1"),
        "{text}"
    );
}

#[test]
fn psk_only_serves_an_openssl_psk_client_and_logs_its_identity() {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "openssl missing under CI"
        );
        return;
    }
    let key = "00112233445566778899aabbccddeeff";
    let entry = format!("meter-7:{key}");
    let (mut child, lines, rx) = start(&["--psk-only", "--psk", &entry, "--log-level", "1"]);
    assert!(
        lines.iter().any(|l| l == "1 pre-shared keys loaded"),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("fingerprint")),
        "no certificate with --psk-only: {lines:?}"
    );
    let port = lines.last().unwrap().rsplit(':').next().unwrap().to_owned();
    let mut client = Command::new("openssl")
        .args([
            "s_client",
            "-dtls1_2",
            "-connect",
            &format!("127.0.0.1:{port}"),
        ])
        .args([
            "-quiet",
            "-no_ign_eof",
            "-nocommands",
            "-psk_identity",
            "meter-7",
            "-psk",
            key,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"reading 17.2\n").unwrap();
    let echoed = lines_of(client.stdout.take().unwrap());
    let reply = echoed.recv_timeout(Duration::from_secs(10));
    drop(stdin);
    let _ = client.kill();
    let _ = client.wait();
    let logged: Vec<String> = std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(2)).ok())
        .take(20)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(reply.as_deref(), Ok("reading 17.2"));
    assert!(
        logged
            .iter()
            .any(|l| l.contains("authenticated with PSK identity \"meter-7\"")),
        "{logged:#?}"
    );
}

#[test]
fn bad_psk_options_are_named() {
    assert!(fails_with(&["--psk-only"]).contains("--psk-only needs --psk"));
    assert!(fails_with(&["--psk", "nokey"]).contains("IDENTITY:HEXKEY"));
    assert!(fails_with(&["--psk", "id:xyz"]).contains("hexadecimal"));
    let missing = fails_with(&["--psk-file", "/nonexistent/keys"]);
    assert!(
        missing.contains("--psk-file /nonexistent/keys"),
        "{missing}"
    );
}

#[test]
fn reuse_port_lets_two_processes_serve_one_port() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let spawn = || {
        let mut child = echo()
            .args(["--bind", &bind, "--reuse-port"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let rx = lines_of(child.stdout.take().unwrap());
        let listening = loop {
            let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
            if line.starts_with("listening on") {
                break line;
            }
        };
        (child, listening)
    };
    let (mut a, la) = spawn();
    let (mut b, lb) = spawn();
    assert_eq!(la, format!("listening on {bind}"));
    assert_eq!(lb, la, "both bound the same port");
    handshake_and_send(port, b"shared port");
    for child in [&mut a, &mut b] {
        let _ = child.kill();
        let _ = child.wait();
    }
    // Without the flag the second bind is refused.
    let (mut a, _) = spawn();
    let err = fails_with(&["--bind", &bind]);
    assert!(
        err.contains("Address in use") || err.contains("in use"),
        "{err}"
    );
    let _ = a.kill();
    let _ = a.wait();
}
