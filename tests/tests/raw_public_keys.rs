//! Raw public keys (RFC 7250) in the virtual-time harness: a server
//! presenting a bare key of every type, pinned by the client; a server
//! choosing X.509 or a raw key by the client's offer; a client
//! authenticating with a raw key; refusals (no common type, an unpinned
//! key, configs that cannot work); resumption; one server offering
//! certificates, raw keys and PSK at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use dtls_core::config::{
    CertificateType, ClientAuthMode, ClientConfig, ClientPsk, Identity, ServerConfig, ServerPsk,
};
use dtls_core::event::{Event, StatusCode};
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_crypto::sign::SigningKey;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_tests::certs::{KeyKind, certificate, client_config, identity};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::{CertPolicy, Pair};

use CertificateType::{RawPublicKey, X509};

fn key(kind: KeyKind) -> SigningKey {
    SigningKey::from_der(certificate(kind).require_private_key().unwrap()).unwrap()
}

fn spki(kind: KeyKind) -> Vec<u8> {
    key(kind).subject_public_key_info()
}

/// A server presenting `kind`'s key as a raw public key only.
fn raw_key_server(kind: KeyKind) -> ServerConfig {
    let mut config = ServerConfig::new(Identity::raw_public_key(key(kind)));
    config.certificate_types = vec![RawPublicKey];
    config
}

/// A client that accepts only raw public keys, pinning `trusted`.
fn raw_key_client(trusted: Vec<Vec<u8>>) -> ClientConfig {
    ClientConfig {
        server_certificate_types: vec![RawPublicKey],
        trusted_server_keys: trusted,
        ..client_config()
    }
}

fn connect(pair: &mut Pair, client: ClientConfig) -> usize {
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    i
}

fn failure(events: &[Event]) -> dtls_core::event::Status {
    events
        .iter()
        .find_map(|e| match e {
            Event::HandshakeFailed(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no HandshakeFailed in {events:?}"))
}

#[test]
fn a_server_raw_key_of_every_type_is_pinned_by_the_client() {
    for kind in KeyKind::ALL {
        let mut pair = Pair::new(raw_key_server(kind), 3);
        let i = connect(
            &mut pair,
            raw_key_client(vec![spki(KeyKind::Ed25519), spki(kind)]),
        );
        pair.assert_connected(i);
        let client = pair.clients[i].conn.negotiated().unwrap().clone();
        assert_eq!(client.peer_raw_public_key, Some(spki(kind)), "{kind:?}");
        assert!(client.peer_certificates.is_empty(), "{kind:?}");
        let expected_auth = match kind {
            KeyKind::Rsa2048 => AuthAlgorithm::Rsa,
            _ => AuthAlgorithm::Ecdsa,
        };
        assert_eq!(client.cipher_suite.auth(), expected_auth, "{kind:?}");
        assert!(client.signature_scheme.is_some());
        pair.assert_only_echo(i, b"raw key");
    }
}

#[test]
fn a_raw_key_that_is_not_pinned_fails_with_bad_certificate() {
    let mut pair = Pair::new(raw_key_server(KeyKind::EcdsaP256), 4);
    let i = connect(&mut pair, raw_key_client(vec![spki(KeyKind::EcdsaP384)]));
    assert!(!pair.client_connected(i));
    let client = failure(&pair.clients[i].events);
    assert_eq!(client.code, StatusCode::InvalidCertificate);
    assert!(
        client.description.contains("not among the trusted keys"),
        "{client:?}"
    );
    let server = failure(&pair.server_events_of(i));
    assert!(server.description.contains("bad_certificate"), "{server:?}");

    // With no key pinned, the application pins it from Connected.
    let i = connect(&mut pair, raw_key_client(Vec::new()));
    pair.assert_connected(i);
}

#[test]
fn a_certificate_server_presents_its_key_raw_to_clients_that_ask() {
    let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
    config.certificate_types = vec![RawPublicKey, X509];
    let chain = config.identities[0].chain.clone();
    let mut pair = Pair::new(config, 5);

    // A client without RFC 7250 gets the chain, and no extension.
    let plain = connect(&mut pair, client_config());
    pair.assert_connected(plain);
    let n = pair.clients[plain].conn.negotiated().unwrap();
    assert_eq!(n.peer_certificates, chain);
    assert_eq!(n.peer_raw_public_key, None);

    // A client taking both gets the server's first preference, the raw key.
    let both = ClientConfig {
        server_certificate_types: vec![X509, RawPublicKey],
        ..client_config()
    };
    let i = connect(&mut pair, both);
    pair.assert_connected(i);
    let n = pair.clients[i].conn.negotiated().unwrap();
    assert_eq!(n.peer_raw_public_key, Some(spki(KeyKind::EcdsaP256)));
    assert!(n.peer_certificates.is_empty());

    // A server preferring X.509 gives a chain to the same client.
    let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
    config.certificate_types = vec![X509, RawPublicKey];
    let mut pair = Pair::new(config, 6);
    let both = ClientConfig {
        server_certificate_types: vec![RawPublicKey, X509],
        ..client_config()
    };
    let i = connect(&mut pair, both);
    pair.assert_connected(i);
    let n = pair.clients[i].conn.negotiated().unwrap();
    assert_eq!(n.peer_certificates, chain);
}

#[test]
fn no_certificate_type_in_common_is_unsupported_certificate() {
    let mut pair = Pair::new(ServerConfig::new(identity(KeyKind::EcdsaP256)), 7);
    let i = connect(&mut pair, raw_key_client(Vec::new()));
    assert!(!pair.client_connected(i));
    let client = failure(&pair.clients[i].events);
    assert!(
        client.description.contains("unsupported_certificate"),
        "{client:?}"
    );
    let server = failure(&pair.server_events_of(i));
    assert!(
        server.description.contains("no certificate type in common"),
        "{server:?}"
    );
}

/// A server requiring client authentication and accepting raw keys,
/// trusting `trusted`.
fn client_auth_server(trusted: Vec<Vec<u8>>) -> ServerConfig {
    let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
    config.client_auth = ClientAuthMode::Required;
    config.client_certificate_types = vec![RawPublicKey, X509];
    config.trusted_client_keys = trusted;
    config
}

fn raw_key_client_identity(kind: KeyKind) -> ClientConfig {
    ClientConfig {
        identity: Some(Identity::raw_public_key(key(kind))),
        client_certificate_types: vec![RawPublicKey],
        ..client_config()
    }
}

#[test]
fn a_client_authenticates_with_a_trusted_raw_key() {
    let mut pair = Pair::new(client_auth_server(vec![spki(KeyKind::Ed25519)]), 8);
    let i = connect(&mut pair, raw_key_client_identity(KeyKind::Ed25519));
    pair.assert_connected(i);
    let reported = pair
        .server_events
        .iter()
        .find_map(|(_, e)| match e {
            Event::ClientCertificate {
                chain,
                raw_public_key,
                status,
                verified,
                ..
            } => Some((
                chain.clone(),
                raw_public_key.clone(),
                status.clone(),
                *verified,
            )),
            _ => None,
        })
        .expect("ClientCertificate reported");
    assert_eq!(
        reported,
        (
            Vec::new(),
            Some(spki(KeyKind::Ed25519)),
            "OK".to_owned(),
            true
        )
    );
    let n = pair.server_conn(i).unwrap().negotiated().unwrap();
    assert_eq!(n.peer_raw_public_key, Some(spki(KeyKind::Ed25519)));
    pair.assert_only_echo(i, b"authenticated by key");
}

#[test]
fn an_untrusted_client_key_is_reported_unverified_and_the_application_decides() {
    let mut pair = Pair::new(client_auth_server(vec![spki(KeyKind::EcdsaP384)]), 9);
    let i = connect(&mut pair, raw_key_client_identity(KeyKind::EcdsaP256));
    assert!(!pair.client_connected(i), "AcceptVerified rejects it");
    let status = pair.server_events.iter().find_map(|(_, e)| match e {
        Event::ClientCertificate {
            status, verified, ..
        } => Some((status.clone(), *verified)),
        _ => None,
    });
    assert_eq!(
        status,
        Some((
            "raw public key not among the trusted client keys".to_owned(),
            false
        ))
    );
    // An application that accepts it anyway.
    pair.cert_policy = CertPolicy::AcceptAll;
    let i = connect(&mut pair, raw_key_client_identity(KeyKind::EcdsaP256));
    pair.assert_connected(i);
}

#[test]
fn a_client_key_type_the_server_does_not_take_is_refused() {
    // The server takes X.509 client certificates only; the client can
    // present only a raw key.
    let mut config = client_auth_server(Vec::new());
    config.client_certificate_types = vec![X509];
    let mut pair = Pair::new(config, 10);
    let i = connect(&mut pair, raw_key_client_identity(KeyKind::EcdsaP256));
    assert!(!pair.client_connected(i));
    let client = failure(&pair.clients[i].events);
    assert!(
        client.description.contains("unsupported_certificate"),
        "{client:?}"
    );
}

#[test]
fn raw_key_sessions_resume_with_the_key() {
    let mut pair = Pair::new(raw_key_server(KeyKind::EcdsaP256), 11);
    let first = connect(&mut pair, raw_key_client(vec![spki(KeyKind::EcdsaP256)]));
    pair.assert_connected(first);
    let session = pair.clients[first].conn.session().unwrap();
    assert_eq!(
        session.peer_raw_public_key(),
        Some(spki(KeyKind::EcdsaP256).as_slice())
    );
    for session in [session.ticket_only(), session.id_only()] {
        let mut config = raw_key_client(vec![spki(KeyKind::EcdsaP256)]);
        config.resume = Some(session);
        let again = connect(&mut pair, config);
        pair.assert_connected(again);
        let n = pair.clients[again].conn.negotiated().unwrap();
        assert!(n.resumed);
        assert_eq!(n.peer_raw_public_key, Some(spki(KeyKind::EcdsaP256)));
    }

    // The server side keeps the client's raw key across a ticket.
    let mut pair = Pair::new(client_auth_server(vec![spki(KeyKind::Ed25519)]), 12);
    let first = connect(&mut pair, raw_key_client_identity(KeyKind::Ed25519));
    pair.assert_connected(first);
    let mut config = raw_key_client_identity(KeyKind::Ed25519);
    config.resume = Some(pair.clients[first].conn.session().unwrap().ticket_only());
    let again = connect(&mut pair, config);
    pair.assert_connected(again);
    let n = pair.server_conn(again).unwrap().negotiated().unwrap();
    assert!(n.resumed);
    assert_eq!(n.peer_raw_public_key, Some(spki(KeyKind::Ed25519)));
}

#[test]
fn one_server_offers_certificates_raw_keys_and_psk() {
    let mut table = PskTable::new();
    table.insert(b"sensor".to_vec(), PresharedKey::new(vec![7; 16]).unwrap());
    let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
    config.certificate_types = vec![X509, RawPublicKey];
    config.psk = Some(ServerPsk::new(Arc::new(table)));
    let mut pair = Pair::new(config, 13);

    let cert = connect(&mut pair, client_config());
    let raw = connect(&mut pair, raw_key_client(vec![spki(KeyKind::EcdsaP256)]));
    let mut psk_config = ClientConfig {
        psk: Some(ClientPsk {
            identity: b"sensor".to_vec(),
            key: PresharedKey::new(vec![7; 16]).unwrap(),
        }),
        ..client_config()
    };
    psk_config.common.cipher_suites = vec![dtls_crypto::CipherSuite::TLS_PSK_WITH_AES_128_CCM_8];
    let psk = connect(&mut pair, psk_config);
    for i in [cert, raw, psk] {
        pair.assert_connected(i);
    }
    let n = |i: usize| pair.clients[i].conn.negotiated().unwrap().clone();
    assert!(!n(cert).peer_certificates.is_empty());
    assert_eq!(n(raw).peer_raw_public_key, Some(spki(KeyKind::EcdsaP256)));
    assert_eq!(n(psk).psk_identity.as_deref(), Some(&b"sensor"[..]));
    assert!(n(psk).peer_raw_public_key.is_none() && n(psk).peer_certificates.is_empty());
}

#[test]
fn configs_that_cannot_work_are_refused_with_the_reason() {
    // A raw key identity the server may not present.
    let mut config = ServerConfig::new(Identity::raw_public_key(key(KeyKind::EcdsaP256)));
    config.certificate_types = vec![X509];
    let err = dtls_core::Endpoint::new(Arc::new(config)).unwrap_err();
    assert!(err.to_string().contains("RawPublicKey"), "{err}");

    for types in [Vec::new(), vec![CertificateType::Unknown(1)]] {
        let mut config = ServerConfig::new(identity(KeyKind::EcdsaP256));
        config.certificate_types = types.clone();
        let err = dtls_core::Endpoint::new(Arc::new(config)).unwrap_err();
        assert!(err.to_string().contains("certificate_types"), "{err}");

        let client = ClientConfig {
            server_certificate_types: types,
            ..client_config()
        };
        let err = dtls_core::Connection::client(
            Arc::new(client),
            "10.0.0.1:4444".parse().unwrap(),
            std::time::Instant::now(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("certificate_types"), "{err}");
    }
}

/// Removes the server_certificate_type extension from every ClientHello
/// the client sends: the server then answers as a server without RFC 7250
/// would, with X.509.
fn strip_server_certificate_type(datagram: Vec<u8>) -> Vec<Vec<u8>> {
    use dtls_core::internals::msgs::extensions::ClientExtension;
    use dtls_core::internals::msgs::handshake::{
        HandshakeFragment, HandshakePayload, HandshakeType,
    };
    use dtls_core::internals::msgs::record::{ContentType, Records, encode_record_header};
    let mut out = Vec::new();
    for record in Records::new(&datagram) {
        let Ok(record) = record else {
            return vec![datagram];
        };
        let h = record.header;
        let mut body = record.fragment.to_vec();
        if h.content_type == ContentType::Handshake
            && let Ok((frag, _)) = HandshakeFragment::parse(record.fragment)
            && frag.msg_type == HandshakeType::ClientHello
            && let Ok(HandshakePayload::ClientHello(mut hello)) =
                HandshakePayload::read(HandshakeType::ClientHello, frag.fragment)
        {
            if let Some(exts) = &mut hello.extensions {
                exts.retain(|e| !matches!(e, ClientExtension::ServerCertificateTypes(_)));
            }
            body.clear();
            HandshakePayload::ClientHello(hello).encode_message(frag.message_seq, &mut body);
        }
        let mut header = [0u8; 13];
        encode_record_header(
            &mut header,
            h.content_type,
            h.version,
            h.epoch,
            h.sequence_number,
            body.len(),
        )
        .unwrap();
        out.extend_from_slice(&header);
        out.extend_from_slice(&body);
    }
    vec![out]
}

#[test]
fn a_server_that_ignores_rfc_7250_cannot_pass_a_chain_to_a_raw_key_only_client() {
    // The client pins a key and takes raw keys only; the server never sees
    // the extension and sends its certificate chain.
    let mut pair = Pair::new(ServerConfig::new(identity(KeyKind::EcdsaP256)), 14);
    let i = pair.add_client(
        raw_key_client(vec![spki(KeyKind::EcdsaP256)]),
        LinkProfile::PERFECT,
        LinkProfile::PERFECT,
    );
    pair.clients[i].up_filter = Some(Box::new(strip_server_certificate_type));
    pair.drive().unwrap();
    assert!(!pair.client_connected(i));
    let client = failure(&pair.clients[i].events);
    assert!(
        client.description.contains("no certificate type in common"),
        "{client:?}"
    );
    // The same filter on a client that takes X.509 too changes nothing.
    let both = ClientConfig {
        server_certificate_types: vec![RawPublicKey, X509],
        ..client_config()
    };
    let i = pair.add_client(both, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.clients[i].up_filter = Some(Box::new(strip_server_certificate_type));
    pair.drive().unwrap();
    // (Its transcript differs from the server's: the handshake fails at
    // Finished, not at the certificate type.)
    let client = failure(&pair.clients[i].events);
    assert!(
        !client.description.contains("certificate type"),
        "{client:?}"
    );
}

#[test]
fn sessions_do_not_resume_past_a_config_that_no_longer_trusts_them() {
    // Server side: raw client keys taken out of the config.
    let mut pair = Pair::new(client_auth_server(vec![spki(KeyKind::Ed25519)]), 15);
    let first = connect(&mut pair, raw_key_client_identity(KeyKind::Ed25519));
    pair.assert_connected(first);
    let session = pair.clients[first].conn.session().unwrap();
    let mut config = client_auth_server(Vec::new());
    config.client_certificate_types = vec![X509];
    config.common.provider = pair.server.config().common.provider.clone();
    pair.server.set_config(Arc::new(config)).unwrap();
    let mut again = raw_key_client_identity(KeyKind::Ed25519);
    again.resume = Some(session.ticket_only());
    let i = connect(&mut pair, again);
    assert!(
        pair.server_conn(i)
            .and_then(|c| c.negotiated())
            .is_none_or(|n| !n.resumed),
        "not resumed"
    );

    // Client side: a session with raw key A is not offered once only key
    // B is pinned, nor once raw keys are not taken at all.
    let mut pair = Pair::new(raw_key_server(KeyKind::EcdsaP256), 16);
    let first = connect(&mut pair, raw_key_client(vec![spki(KeyKind::EcdsaP256)]));
    let session = pair.clients[first].conn.session().unwrap();
    for config in [
        raw_key_client(vec![spki(KeyKind::EcdsaP384)]),
        ClientConfig {
            server_certificate_types: vec![X509],
            ..client_config()
        },
    ] {
        let mut config = config;
        config.resume = Some(session.clone());
        let i = connect(&mut pair, config);
        let resumed = pair.clients[i].conn.negotiated().is_some_and(|n| n.resumed);
        assert!(!resumed, "the session was not offered");
    }
}

#[test]
fn client_raw_key_settings_that_cannot_work_are_refused() {
    let start = |config: ClientConfig| {
        dtls_core::Connection::client(
            Arc::new(config),
            "10.0.0.1:4444".parse().unwrap(),
            std::time::Instant::now(),
        )
        .map(|_| ())
    };
    // Raw keys without pins beside trust anchors would bypass the anchors.
    let err = start(ClientConfig {
        server_certificate_types: vec![RawPublicKey, X509],
        trust_anchors: vec![certificate(KeyKind::EcdsaP256).chain()[0].to_vec()],
        ..client_config()
    })
    .unwrap_err();
    assert!(err.to_string().contains("trusted_server_keys"), "{err}");
    // A raw key identity the client may not present.
    let err = start(ClientConfig {
        identity: Some(Identity::raw_public_key(key(KeyKind::EcdsaP256))),
        ..client_config()
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("client_certificate_types"),
        "{err}"
    );
}
