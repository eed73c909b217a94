//! Interop: `openssl s_client -dtls1_2`, an independent DTLS client, talks
//! to our tokio listener over loopback.
//!
//! Without openssl the test is skipped with a note, except under `CI=true`,
//! where every interop peer must be installed and its absence fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use dtls_core::config::{Identity, ServerConfig};
use dtls_tokio::DtlsListener;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

/// Whether openssl can run; under `CI=true` its absence is a failure.
async fn openssl_present() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is not installed, and CI=true requires every interop peer"
        );
        eprintln!("note: openssl not installed; skipping this interop test");
    }
    ok
}

#[tokio::test]
async fn openssl_s_client_echo_and_close() {
    if !openssl_present().await {
        return;
    }
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).unwrap();
    let config = ServerConfig::new(Identity::from_certificate(&cert).unwrap());
    let mut listener = DtlsListener::bind("127.0.0.1:0", Arc::new(config))
        .await
        .unwrap();
    let port = listener.local_addr().port();

    let mut child = Command::new("openssl")
        .args(["s_client", "-dtls1_2", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        // -quiet implies -ign_eof; -no_ign_eof exits (with close_notify)
        // when stdin ends; -nocommands keeps lines from being commands.
        .args(["-quiet", "-no_ign_eof", "-nocommands"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn openssl");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();

    let mut stream = timeout(WAIT, listener.accept())
        .await
        .expect("s_client connects in time")
        .unwrap();
    assert!(stream.peer_addr().ip().is_loopback());
    assert_eq!(stream.negotiated().version, "DTLS 1.2");

    // s_client reads stdin once its handshake is done.
    stdin.write_all(b"hello from s_client\n").await.unwrap();
    stdin.flush().await.unwrap();
    let mut received = Vec::new();
    while !received.ends_with(b"\n") {
        let message = timeout(WAIT, stream.recv())
            .await
            .expect("data in time")
            .unwrap()
            .expect("not closed yet");
        received.extend_from_slice(&message);
    }
    assert_eq!(received, b"hello from s_client\n");

    stream.send(b"hello from tokio\n").await.unwrap();
    let line = timeout(WAIT, async {
        loop {
            match lines.next_line().await.unwrap() {
                Some(line) if line.contains("hello from tokio") => break line,
                Some(_) => {}
                None => panic!("s_client exited before the echo"),
            }
        }
    })
    .await
    .expect("s_client prints our message");
    assert_eq!(line, "hello from tokio");

    // Closing s_client's stdin makes it send close_notify.
    drop(stdin);
    let end = timeout(WAIT, stream.recv()).await.expect("close in time");
    assert!(matches!(end, Ok(None)), "{end:?}");
    let _ = timeout(WAIT, child.wait()).await;
}
