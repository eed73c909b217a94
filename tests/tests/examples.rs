//! Issue 13: the examples build (as part of `cargo test --workspace`) and
//! work against real clients: `mio_echo` (the sans-IO engine on a mio
//! loop) with `openssl s_client`, `coap_server` (CoAP over DTLS on
//! `DtlsServer`) with our client speaking CoAP through `coap-lite`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use coap_lite::{CoapRequest, Packet, RequestType, ResponseType};
use dtls_tests::certs::client_config;
use dtls_tests::interop::{require_peer, s_client};
use dtls_tests::udp_client::UdpClient;

/// The built example `name` (target/<profile>/examples/), if it exists;
/// under CI=true its absence fails the test.
fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent()?.parent()?.join("examples").join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "{} is not built (cargo test --workspace builds every example)",
        path.display()
    );
    eprintln!(
        "skipping: {} is not built; run cargo test --workspace",
        path.display()
    );
    None
}

/// A running example and the port it printed in `listening on ADDR`.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_example(path: &PathBuf) -> (Running, u16) {
    run_example_with(path, &[])
}

/// [`run_example`] with arguments after the address.
fn run_example_with(path: &PathBuf, args: &[&str]) -> (Running, u16) {
    let mut child = Command::new(path)
        .arg("127.0.0.1:0")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("a first line").unwrap();
    let port = line
        .strip_prefix("listening on ")
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("not a listening line: {line}"));
    std::thread::spawn(move || for _ in lines {});
    (running, port)
}

#[test]
fn mio_echo_echoes_to_openssl_s_client() {
    let Some(path) = example("mio_echo") else {
        return;
    };
    if !require_peer("openssl", "version") {
        return;
    }
    let (_server, port) = run_example(&path);
    let mut client = s_client(port, &[]);
    client.send_line("through mio");
    assert!(
        client.wait_for_line("through mio", Duration::from_secs(10)),
        "{:?}",
        client.output
    );
    let _ = client.finish(Duration::from_secs(2));
}

/// One CoAP request over a DTLS connection; the response.
fn coap(client: &mut UdpClient, method: RequestType, path: &str, payload: &[u8]) -> Packet {
    let mut request: CoapRequest<SocketAddr> = CoapRequest::new();
    request.set_method(method);
    request.set_path(path);
    request.message.header.message_id = 7;
    request.message.set_token(vec![1, 2, 3, 4]);
    request.message.payload = payload.to_vec();
    let bytes = request.message.to_bytes().unwrap();
    client.received.clear();
    client.conn.send(Instant::now(), &bytes).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.received.is_empty() && Instant::now() < deadline {
        client.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    Packet::from_bytes(client.received.first().expect("a CoAP response")).unwrap()
}

#[test]
fn coap_server_answers_coap_requests_over_dtls() {
    let Some(path) = example("coap_server") else {
        return;
    };
    let (_server, port) = run_example(&path);
    let mut client = UdpClient::new(SocketAddr::from(([127, 0, 0, 1], port)), client_config());
    let deadline = Instant::now() + Duration::from_secs(5);
    while !client.connected() && Instant::now() < deadline {
        client.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(client.connected(), "{:?}", client.events);

    let echo = coap(&mut client, RequestType::Post, "echo", b"sensor 21.5C");
    assert_eq!(
        echo.header.code,
        coap_lite::MessageClass::Response(ResponseType::Content)
    );
    assert_eq!(echo.payload, b"sensor 21.5C");
    assert_eq!(echo.get_token(), [1, 2, 3, 4], "the token comes back");

    let core = coap(&mut client, RequestType::Get, ".well-known/core", b"");
    assert!(String::from_utf8_lossy(&core.payload).contains("</echo>"));
    let missing = coap(&mut client, RequestType::Get, "nothing", b"");
    assert_eq!(
        missing.header.code,
        coap_lite::MessageClass::Response(ResponseType::NotFound)
    );
}

const COAP_IDENTITY: &str = "coap-node";
const COAP_KEY: &str = "6c6f6e672d6c697665642d7365637265";

#[test]
fn coap_server_takes_a_psk_client_with_coaps_mandatory_suite() {
    let Some(path) = example("coap_server") else {
        return;
    };
    let spec = format!("{COAP_IDENTITY}:{COAP_KEY}");
    let (_server, port) = run_example_with(&path, &[&spec]);
    let mut config = client_config();
    config.common.cipher_suites = vec![dtls_crypto::CipherSuite::TLS_PSK_WITH_AES_128_CCM_8];
    config.psk = Some(dtls_core::config::ClientPsk {
        identity: COAP_IDENTITY.as_bytes().to_vec(),
        key: dtls_core::psk::PresharedKey::from_hex(COAP_KEY).unwrap(),
    });
    let mut client = UdpClient::new(SocketAddr::from(([127, 0, 0, 1], port)), config);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !client.connected() && Instant::now() < deadline {
        client.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(client.connected(), "{:?}", client.events);
    let hello = coap(&mut client, RequestType::Get, "hello", b"");
    assert_eq!(hello.payload, b"hello over DTLS");
}

/// aiocoap's client over tinydtls (PyPI `DTLSSocket`, which `.ci/run`
/// installs), CoAP's reference constrained peer, with CoAP's mandatory
/// PSK suite: the server must answer a GET over `coaps://`.
#[test]
fn coap_server_answers_aiocoap_over_tinydtls_psk() {
    let Some(path) = example("coap_server") else {
        return;
    };
    if Command::new("aiocoap-client")
        .arg("--help")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "aiocoap-client missing (pip install DTLSSocket aiocoap)"
        );
        eprintln!("skipping: aiocoap-client missing (pip install DTLSSocket aiocoap)");
        return;
    }
    let spec = format!("{COAP_IDENTITY}:{COAP_KEY}");
    let (server, port) = run_example_with(&path, &[&spec]);
    let credentials = format!(
        r#"{{"coaps://127.0.0.1:{port}/*": {{"dtls": {{"psk": {{"hex": "{COAP_KEY}"}}, "client-identity": {{"ascii": "{COAP_IDENTITY}"}}}}}}}}"#
    );
    let file = dtls_tests::certs::scratch_dir("aiocoap").join("credentials.json");
    std::fs::write(&file, credentials).unwrap();
    let out = Command::new("timeout")
        .args(["30", "aiocoap-client", "--credentials"])
        .arg(&file)
        .arg(format!("coaps://127.0.0.1:{port}/hello"))
        .output()
        .unwrap();
    drop(server);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("hello over DTLS"),
        "{text} {} {:?}",
        String::from_utf8_lossy(&out.stderr),
        out.status
    );
}
