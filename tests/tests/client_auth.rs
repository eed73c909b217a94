//! Client authentication (RFC 5246 7.4.4 CertificateRequest, 7.4.6 client
//! Certificate, 7.4.8 CertificateVerify) and the application's decision
//! (the seed's `SSLClientAuthentication` event).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use dtls_core::config::{ClientAuthMode, ClientConfig, ServerConfig};
use dtls_core::{Event, StatusCode};
use dtls_crypto::verify::{ClientCertVerifier, SecurityFlags};
use dtls_tests::certs::{
    ClientPki, KeyKind, client_config, client_pki, server_config, system_unix_time,
};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::{CertPolicy, Pair};
use rustls_pki_types::CertificateDer;

fn auth_server(pki: &ClientPki, mode: ClientAuthMode) -> ServerConfig {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.client_auth = mode;
    server.unix_time = Some(system_unix_time());
    server.client_verifier = Some(Arc::new(
        ClientCertVerifier::new(
            vec![CertificateDer::from(pki.ca_der.clone())],
            SecurityFlags::NONE,
        )
        .unwrap(),
    ));
    server.client_ca_names = vec![pki.ca_name_der.clone()];
    server
}

/// The usual client PKI ("Test Client CA" issuing alice's certificate)
/// and a server that asks for a client certificate as `mode` says and
/// trusts that CA.
fn alice_and_server(mode: ClientAuthMode) -> (ClientPki, ServerConfig) {
    let pki = client_pki("Test Client CA", "alice");
    let server = auth_server(&pki, mode);
    (pki, server)
}

fn client_with(pki: &ClientPki) -> ClientConfig {
    ClientConfig {
        identity: Some(pki.client.clone()),
        ..client_config()
    }
}

fn run(server: ServerConfig, client: ClientConfig, policy: CertPolicy, seed: u64) -> Pair {
    let mut pair = Pair::new(server, seed);
    pair.cert_policy = policy;
    pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    pair
}

fn failure(events: &[Event]) -> Option<dtls_core::Status> {
    events.iter().find_map(|e| match e {
        Event::HandshakeFailed(s) => Some(s.clone()),
        _ => None,
    })
}

/// How the handshake failed on the server (its connection 0) and on
/// client 0; both must have failed.
fn failures(pair: &Pair) -> (dtls_core::Status, dtls_core::Status) {
    assert!(!pair.client_connected(0), "client 0 connected");
    let server = failure(&pair.server_events_of(0)).expect("server failed");
    let client = failure(&pair.clients[0].events).expect("client failed");
    (server, client)
}

/// A pair whose application defers the client-certificate decision, with
/// one client presenting `pki`'s certificate over a perfect link.
fn deferring_pair(server: ServerConfig, pki: &ClientPki, seed: u64) -> Pair {
    let mut pair = Pair::new(server, seed);
    pair.cert_policy = CertPolicy::Defer;
    pair.add_client(client_with(pki), LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair
}

/// `status` has `code` (when given) and mentions `text`.
fn says(status: &dtls_core::Status, code: Option<StatusCode>, text: &str) {
    if let Some(code) = code {
        assert_eq!(status.code, code, "{status}");
    }
    assert!(status.description.contains(text), "{status}");
}

fn client_cert_event(events: &[Event]) -> Option<(Vec<Vec<u8>>, String, bool)> {
    events.iter().find_map(|e| match e {
        Event::ClientCertificate {
            chain,
            status,
            verified,
            ..
        } => Some((chain.clone(), status.clone(), *verified)),
        _ => None,
    })
}

/// Required + a certificate from the trusted CA: accepted; the event and
/// the negotiated parameters carry the chain.
#[test]
fn required_with_valid_certificate_is_accepted() {
    let (pki, server) = alice_and_server(ClientAuthMode::Required);
    let pair = run(server, client_with(&pki), CertPolicy::AcceptVerified, 1);
    pair.assert_connected(0);
    let server_events = pair.server_events_of(0);
    let (chain, status, verified) = client_cert_event(&server_events).expect("event");
    assert!(verified, "{status}");
    assert_eq!(status, "OK");
    assert_eq!(chain, pki.client.chain);
    let params = pair.server_conn(0).unwrap().negotiated().unwrap().clone();
    assert_eq!(params.peer_certificates, pki.client.chain);
    assert!(!params.resumed);
    // The client sees the server's chain.
    let client_params = pair.clients[0].conn.negotiated().unwrap();
    assert_eq!(client_params.peer_certificates.len(), 1);
}

/// A certificate from an unknown CA is reported unverified; the
/// AcceptVerified policy rejects it with bad_certificate (404) on both
/// sides (RFC 5246 7.2.2).
#[test]
fn unknown_ca_is_rejected_with_bad_certificate() {
    let trusted = client_pki("Trusted CA", "alice");
    let rogue = client_pki("Rogue CA", "mallory");
    let pair = run(
        auth_server(&trusted, ClientAuthMode::Required),
        client_with(&rogue),
        CertPolicy::AcceptVerified,
        2,
    );
    let server_events = pair.server_events_of(0);
    let (_, status, verified) = client_cert_event(&server_events).expect("event");
    assert!(!verified);
    assert_ne!(status, "OK");
    let (server_failure, client_failure) = failures(&pair);
    says(&server_failure, Some(StatusCode::InvalidCertificate), "");
    says(
        &client_failure,
        Some(StatusCode::InvalidCertificate),
        "bad_certificate",
    );
}

/// The RejectAll policy refuses even a valid certificate.
#[test]
fn reject_all_policy_refuses_a_valid_certificate() {
    let (pki, server) = alice_and_server(ClientAuthMode::Optional);
    let pair = run(server, client_with(&pki), CertPolicy::RejectAll, 3);
    let server_events = pair.server_events_of(0);
    assert!(client_cert_event(&server_events).unwrap().2, "valid chain");
    let (server_failure, client_failure) = failures(&pair);
    says(&server_failure, Some(StatusCode::InvalidCertificate), "");
    says(&client_failure, Some(StatusCode::InvalidCertificate), "");
}

/// Required and the client has no certificate: handshake_failure
/// (RFC 5246 7.4.6).
#[test]
fn required_without_client_certificate_fails() {
    let (_, server) = alice_and_server(ClientAuthMode::Required);
    let pair = run(server, client_config(), CertPolicy::AcceptAll, 4);
    let (server_failure, client_failure) = failures(&pair);
    says(&server_failure, Some(StatusCode::InvalidCertificate), "");
    says(&client_failure, None, "handshake_failure");
}

/// Optional and no certificate: the handshake completes, no
/// ClientCertificate event, no peer certificates.
#[test]
fn optional_without_client_certificate_connects() {
    let (_, server) = alice_and_server(ClientAuthMode::Optional);
    let pair = run(server, client_config(), CertPolicy::AcceptVerified, 5);
    pair.assert_connected(0);
    assert!(client_cert_event(&pair.server_events_of(0)).is_none());
    let params = pair.server_conn(0).unwrap().negotiated().unwrap().clone();
    assert!(params.peer_certificates.is_empty());
}

/// A CertificateVerify made with a key that does not match the certificate
/// fails with decrypt_error (RFC 5246 7.4.8, 7.2.2), before the application
/// is asked about the chain.
#[test]
fn certificate_verify_with_wrong_key_is_decrypt_error() {
    let (pki, server) = alice_and_server(ClientAuthMode::Required);
    let other = client_pki("Test Client CA 2", "bob");
    let mut identity = pki.client.clone();
    identity.key = other.client.key.clone();
    let client = ClientConfig {
        identity: Some(identity),
        ..client_config()
    };
    let pair = run(server, client, CertPolicy::AcceptAll, 6);
    let server_events = pair.server_events_of(0);
    assert!(client_cert_event(&server_events).is_none());
    let (server_failure, client_failure) = failures(&pair);
    says(&server_failure, None, "CertificateVerify");
    says(&client_failure, None, "decrypt_error");
}

/// Without a verifier the chain is reported unverified with a reason, and
/// an application that accepts anyway gets a connection.
#[test]
fn no_verifier_reports_unverified_and_app_can_accept() {
    let pki = client_pki("Test Client CA", "alice");
    let mut server = server_config(KeyKind::EcdsaP256);
    server.client_auth = ClientAuthMode::Optional;
    let pair = run(server, client_with(&pki), CertPolicy::AcceptAll, 7);
    pair.assert_connected(0);
    let (_, status, verified) = client_cert_event(&pair.server_events_of(0)).unwrap();
    assert!(!verified);
    assert!(status.contains("not validated"), "{status}");
}

/// The decision may come long after the client's Finished: the server waits
/// (state AwaitDecision), does not retransmit its old flight meanwhile,
/// then completes; or fails when the decision is a rejection.
#[test]
fn late_decision_completes_or_rejects() {
    for accept in [true, false] {
        let (pki, server) = alice_and_server(ClientAuthMode::Required);
        let mut pair = deferring_pair(server, &pki, 8);
        pair.drive_for(Duration::from_secs(3)).unwrap();
        assert!(!pair.client_connected(0));
        let handle = pair.clients[0].server_handles[0];
        assert!(!pair.server.connection(handle).unwrap().is_established());
        assert!(client_cert_event(&pair.server_events_of(0)).is_some());
        let server_sent_before = pair.clients[0].down.stats.sent;
        // The client retransmits its flight meanwhile; the server must not
        // answer with its stale ServerHello flight.
        pair.drive_more(Duration::from_secs(5)).unwrap();
        assert_eq!(pair.clients[0].down.stats.sent, server_sent_before);
        let now = pair.now;
        pair.server
            .decide_client_certificate(handle, now, accept)
            .unwrap();
        pair.drive_more(Duration::from_secs(40)).unwrap();
        assert_eq!(
            pair.client_connected(0),
            accept,
            "{:?}",
            pair.clients[0].events
        );
        if accept {
            pair.client_send(0, b"after decision").unwrap();
            pair.drive_more(Duration::from_secs(5)).unwrap();
            assert_eq!(pair.clients[0].received, vec![b"after decision".to_vec()]);
        } else {
            assert_eq!(
                failure(&pair.clients[0].events).unwrap().code,
                StatusCode::InvalidCertificate
            );
        }
    }
}

/// An application that never decides on the client certificate does not
/// hold the connection forever: no flight is out and no retransmission
/// timer runs while the server waits, so only the handshake deadline ends
/// it.
#[test]
fn an_undecided_client_certificate_ends_at_the_handshake_deadline() {
    let pki = client_pki("Test Client CA", "alice");
    let mut server = auth_server(&pki, ClientAuthMode::Required);
    server.common.handshake_timeout = Some(Duration::from_secs(30));
    let mut pair = deferring_pair(server, &pki, 9);
    pair.drive_for(Duration::from_secs(29)).unwrap();
    let handle = pair.clients[0].server_handles[0];
    assert!(
        pair.server.connection(handle).is_some(),
        "awaiting the decision"
    );
    pair.drive_for(Duration::from_secs(300)).unwrap();
    assert!(pair.server.connection(handle).is_none());
    let failed = pair.server_events_of(0).into_iter().find_map(|e| match e {
        Event::HandshakeFailed(s) => Some(s),
        _ => None,
    });
    let failed = failed.expect("the server reports the give-up");
    assert_eq!(failed.code, StatusCode::HandshakeError);
    assert!(failed.description.contains("deadline"), "{failed:?}");
}
