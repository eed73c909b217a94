//! `dtls-echo --threads 2 --connection-id-length 8`: two workers on one
//! port. mbedTLS clients with connection IDs (`tests/peers/mbedtls-cid/`)
//! move to a new port mid-session; a move the kernel hashes to the other
//! worker is forwarded to the worker holding the association, by the
//! worker index in the CID, so every client's second echo arrives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn cid_client() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("bash")
        .arg(root.join("tests/peers/mbedtls-cid/build.sh"))
        .arg(root.join("target/mbedtls-cid"))
        .output()
        .unwrap();
    if out.status.success() {
        return Some(root.join("target/mbedtls-cid/bin/cid_client"));
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the mbedTLS CID client must build under CI: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("note: mbedTLS CID client not available; skipping");
    None
}

#[test]
fn a_client_that_moves_reaches_its_worker_whichever_worker_gets_it() {
    let Some(client) = cid_client() else { return };
    let mut server = Command::new(env!("CARGO_BIN_EXE_dtls-echo"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--threads",
            "2",
            "--connection-id-length",
            "8",
        ])
        .args(["--log-level", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = server.stdout.take().unwrap();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.rsplit(':').next().unwrap().to_owned());
            }
            sink.lock().unwrap().push(line);
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    for n in 0..12 {
        let out = Command::new(&client)
            .args(["-c", "0", "-r", "127.0.0.1", &port])
            .args([format!("first {n}"), format!("second {n}")])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.contains(&format!("reply=second {n}")),
            "client {n}: {out}"
        );
    }
    let _ = server.kill();
    let _ = server.wait();
    let lines = lines.lock().unwrap();
    let forwarded = lines
        .iter()
        .filter(|l| l.contains("forwarded a datagram"))
        .count();
    let moved = lines
        .iter()
        .filter(|l| l.contains("moved from") && l.contains("(connection ID)"))
        .count();
    assert_eq!(moved, 12, "every client moved: {lines:#?}");
    // Half the moves land on the other worker, on average: with 12, all
    // on one side has odds of 1 in 2,048.
    assert!(forwarded > 0, "{lines:#?}");
}
