//! Interop against `openssl s_client -dtls1_2`, an independent DTLS client,
//! talking to our `DtlsServer` over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use dtls_crypto::CipherSuite;
use dtls_crypto::cert::{CertStoreType, Certificate, StoreSource};
use dtls_tests::certs::{KeyKind, certificate, openssl, scratch_dir};
use dtls_tests::interop::{ClientCertVerdict, PeerProcess, TestServer, require_peer, s_client};

const WAIT: Duration = Duration::from_secs(10);

/// OpenSSL's name for each of our suites.
fn openssl_name(suite: CipherSuite) -> &'static str {
    use CipherSuite as S;
    match suite {
        S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        S::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        S::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        S::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        S::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        S::TLS_ECDHE_ECDSA_WITH_AES_128_CCM => "ECDHE-ECDSA-AES128-CCM",
        S::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 => "ECDHE-ECDSA-AES128-CCM8",
        S::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 => "ECDHE-ECDSA-AES256-SHA384",
        S::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 => "ECDHE-ECDSA-AES128-SHA256",
        S::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA => "ECDHE-ECDSA-AES256-SHA",
        S::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA => "ECDHE-ECDSA-AES128-SHA",
        S::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 => "ECDHE-RSA-AES256-SHA384",
        S::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 => "ECDHE-RSA-AES128-SHA256",
        S::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA => "ECDHE-RSA-AES256-SHA",
        S::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA => "ECDHE-RSA-AES128-SHA",
        _ => "",
    }
}

/// Connects, sends `msg`, and returns whether it was echoed back.
fn echo_once(port: u16, extra: &[&str], msg: &str) -> (bool, Vec<String>) {
    echo_within(port, extra, msg, WAIT)
}

/// As [`echo_once`], waiting at most `wait` for the echo (short for cases
/// that must not echo).
fn echo_within(port: u16, extra: &[&str], msg: &str, wait: Duration) -> (bool, Vec<String>) {
    let mut client = s_client(port, extra);
    // s_client reads stdin only once its handshake is done, so the line
    // can be written at once (a resumed handshake prints no verify lines
    // to wait for).
    client.send_line(msg);
    let echoed = client.wait_for_line(msg, wait);
    (echoed, client.finish(Duration::from_secs(2)))
}

#[test]
fn every_common_suite_with_ecdsa_and_rsa_certificates() {
    if !require_peer("openssl", "version") {
        return;
    }
    for kind in [KeyKind::EcdsaP256, KeyKind::Rsa2048] {
        let server = TestServer::echo(kind);
        let wanted = if kind == KeyKind::Rsa2048 {
            dtls_crypto::suites::AuthAlgorithm::Rsa
        } else {
            dtls_crypto::suites::AuthAlgorithm::Ecdsa
        };
        let mut expected = Vec::new();
        for suite in CipherSuite::ALL.iter().filter(|s| s.auth() == wanted) {
            let name = openssl_name(*suite);
            let msg = format!("hello over {name}");
            let (echoed, output) = echo_once(server.port, &["-cipher", name], &msg);
            assert!(
                echoed,
                "{kind:?} {name}: no echo; s_client said {output:#?}"
            );
            expected.push(suite.name().to_owned());
        }
        assert!(server.wait_for(WAIT, |o| o.suites.len() >= expected.len()));
        assert_eq!(server.observed().suites, expected, "{kind:?}");
    }
}

#[test]
fn small_mtu_fragments_the_rsa_flight() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = TestServer::echo_with(KeyKind::Rsa2048, |s| s.set_mtu(512).expect("MTU"));
    let (echoed, output) = echo_once(server.port, &["-mtu", "512"], "small mtu");
    assert!(echoed, "{output:#?}");
}

#[test]
fn pfx_loaded_certificate_serves() {
    if !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("pfx-interop");
    self_signed_p256(&dir, "pfx.test", "key.pem", "cert.pem");
    // OpenSSL 3 defaults: PBES2 / AES-256-CBC / PBKDF2.
    openssl(
        &dir,
        &[
            "pkcs12",
            "-export",
            "-passout",
            "pass:secret",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-out",
            "server.pfx",
        ],
    );
    let pfx = dir.join("server.pfx");
    let loaded = Certificate::from_store(
        CertStoreType::PfxFile,
        StoreSource::Path(&pfx),
        "secret",
        "*",
    )
    .unwrap();
    let server = TestServer::start(loaded, |_| {}, ClientCertVerdict::AsVerified);
    let (echoed, output) = echo_once(server.port, &[], "from a pfx");
    assert!(echoed, "{output:#?}");
    assert!(output.iter().any(|l| l.contains("pfx.test")), "{output:#?}");
}

/// Writes a self-signed P-256 certificate for `cn`, valid two days, and
/// its key to the files `cert` and `key` in `dir`.
fn self_signed_p256(dir: &Path, cn: &str, key: &str, cert: &str) {
    let subject = format!("/CN={cn}");
    let mut args: Vec<&str> =
        "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
            .split(' ')
            .collect();
    args.extend(["-subj", &subject, "-keyout", key, "-out", cert]);
    openssl(dir, &args);
}

/// Makes a CA and a client certificate it signs (with clientAuth usage).
fn client_pki(name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch_dir(name);
    let run = |args: &[&str]| openssl(&dir, args);
    self_signed_p256(&dir, "Test Client CA", "ca.key", "ca.pem");
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=client one",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
    ]);
    std::fs::write(dir.join("ext.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "client.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("client.pem"),
        dir.join("client.key"),
    )
}

#[test]
fn client_certificates_accepted_and_rejected() {
    if !require_peer("openssl", "version") {
        return;
    }
    let (ca, client_cert, client_key) = client_pki("client-auth");
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    let options = move |s: &mut dtls_server::DtlsServer| {
        s.settings_mut()
            .expect("before listening")
            .ssl_authenticate_clients = true;
        s.settings_mut()
            .expect("before listening")
            .set_ssl_client_ca_certs(&ca_pem)
            .unwrap();
    };
    let cert_args = [
        "-cert",
        client_cert.to_str().unwrap(),
        "-key",
        client_key.to_str().unwrap(),
    ];

    // A certificate from the configured CA is accepted.
    let server = TestServer::echo_with(KeyKind::EcdsaP256, options.clone());
    let (echoed, output) = echo_once(server.port, &cert_args, "with a client cert");
    assert!(echoed, "{output:#?}");
    let seen = server.observed();
    assert_eq!(seen.client_certs.len(), 1);
    assert!(seen.client_certs[0].cert_subject.contains("client one"));
    assert_eq!(seen.client_certs[0].status, "OK");
    drop(server);

    // The same certificate, rejected by the handler: no data flows.
    let server = TestServer::start(
        certificate(KeyKind::EcdsaP256),
        options.clone(),
        ClientCertVerdict::RejectAll,
    );
    let short = Duration::from_secs(3);
    let (echoed, _) = echo_within(server.port, &cert_args, "should not echo", short);
    assert!(!echoed);
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code == 404)));
    drop(server);

    // No certificate at all while one is required.
    let server = TestServer::echo_with(KeyKind::EcdsaP256, options);
    let (echoed, _) = echo_within(server.port, &[], "no cert", short);
    assert!(!echoed);
    assert!(server.wait_for(WAIT, |o| o.connected.iter().any(|c| c.status_code != 0)));
}

#[test]
fn key_log_matches_openssl() {
    if !require_peer("openssl", "version") {
        return;
    }
    let dir = scratch_dir("keylog");
    let ours = dir.join("server.keylog");
    let theirs = dir.join("client.keylog");
    let _ = std::fs::remove_file(&ours);
    let _ = std::fs::remove_file(&theirs);
    let path = ours.clone();
    let options = move |s: &mut dtls_server::DtlsServer| {
        s.settings_mut().expect("before listening").ssl_key_log_file = Some(path)
    };
    let server = TestServer::echo_with(KeyKind::EcdsaP256, options);
    let (echoed, output) = echo_once(
        server.port,
        &["-keylogfile", theirs.to_str().unwrap()],
        "keylog",
    );
    assert!(echoed, "{output:#?}");
    drop(server);
    let ours = std::fs::read_to_string(&ours).unwrap();
    let theirs = std::fs::read_to_string(&theirs).unwrap();
    let line = ours.lines().next().expect("one key log line");
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields.len(), 3, "{line}");
    assert_eq!(fields[0], "CLIENT_RANDOM");
    assert_eq!(fields[1].len(), 64);
    assert_eq!(fields[2].len(), 96);
    assert!(
        theirs.lines().any(|l| l.trim() == line),
        "OpenSSL logged {theirs:?}, we logged {line:?}"
    );
}

#[test]
fn fifty_concurrent_clients() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    let mut clients: Vec<PeerProcess> = (0..50).map(|_| s_client(server.port, &[])).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        assert!(
            c.wait_for_line("verify return", Duration::from_secs(30)),
            "client {i} did not connect: {:#?}",
            c.output
        );
    }
    for (i, c) in clients.iter_mut().enumerate() {
        c.send_line(&format!("client number {i}"));
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let msg = format!("client number {i}");
        assert!(c.wait_for_line(&msg, WAIT), "client {i}: {:#?}", c.output);
    }
    let seen = server.observed();
    let mut per_port = std::collections::BTreeMap::new();
    for c in seen.connected.iter().filter(|c| c.status_code == 0) {
        *per_port.entry(c.source_port).or_insert(0) += 1;
    }
    let repeated: Vec<_> = per_port.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "ports with several handshakes: {repeated:?}; {:#?}",
        seen.disconnected
    );
    assert_eq!(
        seen.connected.iter().filter(|c| c.status_code == 0).count(),
        50
    );
    // Compare byte streams per connection: a peer may split a line into
    // several records.
    let mut streams: std::collections::BTreeMap<_, Vec<u8>> = Default::default();
    for (id, bytes) in &seen.data {
        streams.entry(*id).or_default().extend_from_slice(bytes);
    }
    let mut lines: Vec<String> = streams
        .values()
        .map(|b| String::from_utf8_lossy(b).trim().to_owned())
        .collect();
    lines.sort();
    let mut expected: Vec<String> = (0..50).map(|i| format!("client number {i}")).collect();
    expected.sort();
    assert_eq!(lines, expected);
}

/// Session resumption with s_client `-sess_out`/`-sess_in`: by RFC 5077
/// ticket (OpenSSL's default) and by session ID (`-no_ticket`), each an
/// abbreviated handshake on our side.
#[test]
fn session_resumption_by_ticket_and_by_id() {
    if !require_peer("openssl", "version") {
        return;
    }
    let server = TestServer::echo(KeyKind::EcdsaP256);
    for (mode, extra) in [("ticket", None), ("session id", Some("-no_ticket"))] {
        let sess = scratch_dir("resume").join(format!("{}.pem", mode.replace(' ', "_")));
        let _ = std::fs::remove_file(&sess);
        let mut first: Vec<&str> = vec!["-sess_out", sess.to_str().unwrap()];
        first.extend(extra);
        let (echoed, output) = echo_once(server.port, &first, &format!("first {mode}"));
        assert!(echoed, "{mode}: {output:#?}");
        let mut second: Vec<&str> = vec!["-sess_in", sess.to_str().unwrap()];
        second.extend(extra);
        let (echoed, output) = echo_once(server.port, &second, &format!("second {mode}"));
        assert!(echoed, "{mode}: {output:#?}");
    }
    assert!(server.wait_for(WAIT, |o| o.resumed.len() >= 4));
    assert_eq!(server.observed().resumed, vec![false, true, false, true]);
}
