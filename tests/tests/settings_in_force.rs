//! Issue 10: what a setting reads back is what is in force, and every change
//! takes effect or is refused with the reason, over real loopback UDP
//! through `DtlsServer` (docs/api-mapping.md, "Every change takes effect").

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_crypto::CipherSuite;
use dtls_crypto::cert::Certificate;
use dtls_crypto::kx::NamedGroup;
use dtls_server::events::LogEvent;
use dtls_server::{DtlsServer, Error, ServerHandler};
use dtls_tests::certs::{KeyKind, certificate, client_config, scratch_dir};
use dtls_tests::udp_client::UdpClient;

/// Keeps every Log line, SSLStatus message and Error event, and echoes
/// data.
struct Recorder(Arc<Mutex<Vec<String>>>);

impl ServerHandler for Recorder {
    fn on_log(&mut self, _s: &mut DtlsServer, e: &LogEvent) {
        self.0.lock().unwrap().push(e.message.clone());
    }
    fn on_ssl_status(&mut self, _s: &mut DtlsServer, e: &dtls_server::events::SslStatusEvent) {
        self.0
            .lock()
            .unwrap()
            .push(format!("status: {}", e.message));
    }
    fn on_error(&mut self, _s: &mut DtlsServer, e: &dtls_server::events::ErrorEvent) {
        let id = e.connection_id.map(|c| c.0);
        let line = format!("error {} {id:?}: {}", e.error_code, e.description);
        self.0.lock().unwrap().push(line);
    }
    fn on_data_in(&mut self, s: &mut DtlsServer, e: &dtls_server::events::DataInEvent) {
        let _ = s.send_bytes(e.connection_id, &e.datagram);
    }
}

/// A server configured by `configure` before listening on loopback, its
/// Log lines, and its address.
fn listening(
    configure: impl FnOnce(&mut DtlsServer),
) -> (DtlsServer, Arc<Mutex<Vec<String>>>, SocketAddr) {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let mut server = DtlsServer::new();
    server.set_handler(Recorder(logs.clone()));
    server
        .set_ssl_cert(certificate(KeyKind::EcdsaP256))
        .unwrap();
    server.config("LocalHost=127.0.0.1").unwrap();
    server.set_do_events_wait(Duration::from_millis(2));
    configure(&mut server);
    server.start_listening().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.local_port()));
    (server, logs, addr)
}

/// Runs a new client until it connects or ends (5 s bound).
fn handshake(server: &mut DtlsServer, addr: SocketAddr) -> UdpClient {
    let mut client = UdpClient::new(addr, client_config());
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !client.connected() && !client.ended() {
        server.do_events().unwrap();
        client.pump();
    }
    client
}

/// Sends `message` from `client` and asserts the server echoes it (and
/// nothing else has arrived), within 5 s.
fn assert_echoed(server: &mut DtlsServer, client: &mut UdpClient, message: &[u8]) {
    client.conn.send(Instant::now(), message).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.received.is_empty() && Instant::now() < deadline {
        client.pump();
        server.do_events().unwrap();
    }
    assert_eq!(client.received, vec![message.to_vec()]);
}

/// The negotiated group and suite of the server's connection to `client`.
fn negotiated(server: &DtlsServer, client: &UdpClient) -> (Option<NamedGroup>, CipherSuite) {
    let port = client.local_addr().unwrap().port();
    let conn = server
        .connections()
        .find(|c| c.remote_port == port)
        .expect("the server lists the client");
    let n = conn.negotiated.as_ref().unwrap();
    (n.group, n.cipher_suite)
}

#[test]
fn groups_read_back_what_is_negotiated() {
    let (mut server, _, addr) = listening(|_| {});
    assert!(
        server
            .config("TLS12SupportedGroups")
            .unwrap()
            .starts_with("ecdhe_x25519,"),
        "the default lists the group the engine prefers"
    );
    let client = handshake(&mut server, addr);
    assert!(client.connected());
    assert_eq!(negotiated(&server, &client).0, Some(NamedGroup::X25519));

    // The seed's own default, set explicitly, is exactly what is used.
    let seed = "ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1";
    server
        .config(&format!("TLS12SupportedGroups={seed}"))
        .unwrap();
    assert_eq!(server.config("TLS12SupportedGroups").unwrap(), seed);
    let client = handshake(&mut server, addr);
    assert!(client.connected());
    assert_eq!(negotiated(&server, &client).0, Some(NamedGroup::Secp256r1));
}

#[test]
fn the_seeds_signature_list_is_accepted_with_each_refused_entry_logged() {
    let seed = "sha512-ecdsa,sha512-rsa,sha512-dsa,sha384-ecdsa,sha384-rsa,sha384-dsa,\
                sha256-ecdsa,sha256-rsa,sha256-dsa,sha224-ecdsa,sha224-rsa,sha224-dsa,\
                sha1-ecdsa,sha1-rsa,sha1-dsa";
    let (mut server, logs, addr) = listening(|s| {
        s.config(&format!("TLS12SignatureAlgorithms={seed}"))
            .unwrap();
    });
    assert_eq!(
        server.config("TLS12SignatureAlgorithms").unwrap(),
        "sha512-rsa,sha384-ecdsa,sha384-rsa,sha256-ecdsa,sha256-rsa"
    );
    let skipped: Vec<String> = logs
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("TLS12SignatureAlgorithms: skipped"))
        .cloned()
        .collect();
    assert_eq!(skipped.len(), 10, "{skipped:#?}");
    assert!(
        skipped
            .iter()
            .any(|l| l.contains("sha1-rsa (MD5 and SHA-1"))
    );
    assert!(handshake(&mut server, addr).connected());

    // A list with a refused and an unknown entry is refused whole, naming
    // the unknown one; nothing changes.
    let err = server
        .config("TLS12SupportedGroups=ffdhe2048,brainpoolP256r1")
        .unwrap_err();
    assert!(err.to_string().contains("brainpoolP256r1"), "{err}");
    assert!(
        server
            .config("TLS12SupportedGroups")
            .unwrap()
            .starts_with("ecdhe_x25519")
    );
}

#[test]
fn client_authentication_turned_on_while_stopped_applies_at_restart() {
    let (mut server, _, addr) = listening(|_| {});
    assert!(handshake(&mut server, addr).connected());
    server.stop_listening();
    server.set_ssl_authenticate_clients(true).unwrap();
    server.start_listening().unwrap();
    let refused = handshake(&mut server, addr);
    assert!(
        !refused.connected() && refused.ended(),
        "a client without a certificate is refused once SSLAuthenticateClients is on"
    );
}

#[test]
fn tls_settings_changed_while_listening_apply_to_new_connections() {
    let (mut server, _, addr) = listening(|_| {});
    let mut first = handshake(&mut server, addr);
    let (_, before) = negotiated(&server, &first);
    assert_ne!(before, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    server
        .config("SSLEnabledCipherSuites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
        .unwrap();
    let second = handshake(&mut server, addr);
    assert_eq!(
        negotiated(&server, &second).1,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    );
    // The first connection keeps its suite and still works.
    assert_eq!(negotiated(&server, &first).1, before);
    assert_echoed(&mut server, &mut first, b"still here");
}

#[test]
fn socket_settings_are_refused_while_the_socket_exists_and_nothing_changes() {
    let (mut server, _, _) = listening(|_| {});
    let port = server.local_port();
    assert!(matches!(
        server.config("LocalPort=1"),
        Err(Error::WhileBound("LocalPort"))
    ));
    assert!(matches!(
        server.update_settings(|s| {
            s.log_level = dtls_server::LogLevel::Debug;
            s.dont_fragment = true;
        }),
        Err(Error::WhileBound("DontFragment"))
    ));
    assert_ne!(
        server.config("LogLevel").unwrap(),
        "3",
        "a refused update changes nothing"
    );
    assert!(matches!(server.settings_mut(), Err(Error::WhileBound(_))));
    server.stop_listening();
    assert!(matches!(
        server.config("UseIPv6=True"),
        Err(Error::WhileBound("UseIPv6"))
    ));
    assert_eq!(server.local_port(), port);
    server.shutdown();
    server.config("LocalPort=0").unwrap();
    server.settings_mut().unwrap().dont_fragment = true;
}

#[test]
fn a_change_that_cannot_take_effect_is_undone() {
    let (mut server, _, addr) = listening(|_| {});
    let full = certificate(KeyKind::EcdsaP256);
    let public_only = Certificate::from_der(full.chain()[0].as_ref()).unwrap();
    let err = server.set_ssl_cert(public_only).unwrap_err();
    assert!(matches!(err, Error::NoCertificate), "{err}");
    assert!(server.ssl_cert().unwrap().private_key_available());
    assert!(handshake(&mut server, addr).connected());
}

#[test]
fn a_key_log_file_set_while_listening_is_written_for_the_next_connection() {
    let (mut server, _, addr) = listening(|_| {});
    let path = scratch_dir("keylog-live").join("keys.log");
    let _ = std::fs::remove_file(&path);
    server
        .config(&format!("SSLKeyLogFile={}", path.display()))
        .unwrap();
    assert!(handshake(&mut server, addr).connected());
    let text = std::fs::read_to_string(&path).expect("the key log exists");
    assert!(text.starts_with("CLIENT_RANDOM "), "{text}");
}

#[test]
fn dont_fragment_and_dscp_reach_the_socket() {
    let (server, _, _) = listening(|s| {
        s.config("DontFragment=True").unwrap();
        s.config("QOSDSCPValue=46").unwrap();
    });
    let socket = server.socket().unwrap();
    use rustix::net::sockopt;
    assert_eq!(
        sockopt::ip_mtu_discover(socket).unwrap(),
        sockopt::Ipv4PathMtuDiscovery::DO
    );
    assert_eq!(sockopt::ip_tos(socket).unwrap(), 46 << 2);
    let (plain, _, _) = listening(|_| {});
    assert_ne!(
        sockopt::ip_mtu_discover(plain.socket().unwrap()).unwrap(),
        sockopt::Ipv4PathMtuDiscovery::DO,
        "off by default"
    );
}

#[test]
fn renegotiation_cannot_be_enabled_and_says_why() {
    let mut server = DtlsServer::new();
    server.config("SSLEnableRenegotiation=False").unwrap();
    let err = server.config("SSLEnableRenegotiation=True").unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("not implemented"), "{err}");
    assert_eq!(server.config("SSLEnableRenegotiation").unwrap(), "False");
}

#[test]
fn log_ssl_packets_reports_every_record_through_ssl_status() {
    let (mut server, lines, addr) = listening(|_| {});
    server.config("LogSSLPackets=True").unwrap();
    let mut client = handshake(&mut server, addr);
    assert!(client.connected());
    client.conn.send(Instant::now(), b"ping").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.received.is_empty() && Instant::now() < deadline {
        client.pump();
        server.do_events().unwrap();
    }
    let lines = lines.lock().unwrap();
    let has = |prefix: &str| lines.iter().any(|l| l.starts_with(prefix));
    assert!(
        has("status: received handshake record, epoch 0"),
        "{lines:#?}"
    );
    assert!(has("status: sent handshake record, epoch 0"), "{lines:#?}");
    assert!(has("status: received change_cipher_spec record"));
    assert!(has("status: received application_data record, epoch 1"));
    assert!(has("status: sent application_data record, epoch 1"));
}

#[test]
fn a_garbage_datagram_on_a_connection_raises_error_400_and_harms_nothing() {
    let (mut server, lines, addr) = listening(|_| {});
    let mut client = handshake(&mut server, addr);
    assert!(client.connected());
    // An application-data record at the current epoch that cannot
    // authenticate, then bytes that are no record at all.
    let mut forged = vec![23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 99, 0, 40];
    forged.extend_from_slice(&[0x5A; 40]);
    client.send_raw(&forged);
    client.send_raw(&[0x17, 0xFE]);
    for _ in 0..20 {
        server.do_events().unwrap();
    }
    {
        let lines = lines.lock().unwrap();
        let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("error ")).collect();
        assert_eq!(errors.len(), 2, "{lines:#?}");
        assert!(errors[0].starts_with("error 400 Some("), "{}", errors[0]);
        assert!(errors[0].contains("failed authentication"), "{}", errors[0]);
        assert!(errors[1].contains("could not be decoded"), "{}", errors[1]);
    }
    assert_echoed(&mut server, &mut client, b"after");
}
