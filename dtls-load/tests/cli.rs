//! The `dtls-load` binary: the raw UDP echo server subcommand, a `--json`
//! run against it, and the refusal to run DTLS without a certificate
//! decision.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dtls-load");

/// Kills the server child when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn udp_echo_against_the_udp_echo_server_prints_json_figures() {
    let mut server = Server(
        Command::new(BIN)
            .args(["udp-echo-server", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("udp echo server on ")
        .unwrap()
        .to_owned();
    let pid = server.0.id().to_string();
    let out = Command::new(BIN)
        .args([
            "udp-echo",
            "--connect",
            &addr,
            "--clients",
            "2",
            "--duration",
            "1",
        ])
        .args(["--server-pid", &pid, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let value = |name: &str| -> f64 {
        let want = format!("{{\"name\": \"{name}\", \"value\": ");
        let line = text.lines().find(|l| l.starts_with(&want)).unwrap();
        line[want.len()..]
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(value("udp-echo.throughput") > 0.0, "{text}");
    assert_eq!(
        value("udp-echo.bytes_echoed"),
        value("udp-echo.bytes_sent"),
        "{text}"
    );
    assert!(value("udp-echo.server_cpu") > 0.0, "{text}");
}

#[test]
fn dtls_modes_need_insecure_or_a_ca() {
    let out = Command::new(BIN)
        .args(["handshake", "--connect", "127.0.0.1:9", "--duration", "0.1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--ca FILE or --insecure"), "{err}");
}
