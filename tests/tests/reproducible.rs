//! With `CryptoProvider::insecure_deterministic` on both sides, a whole
//! handshake (and the data after it) is a function of the seeds, the
//! certificate and the virtual time: two runs put byte-identical datagrams
//! on the wire, and other seeds put other bytes there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use dtls_crypto::suites::AuthAlgorithm;
use dtls_crypto::{CipherSuite, CryptoProvider, kx::NamedGroup};
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::{Filter, Pair};

/// Which way a datagram went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    ToServer,
    ToClient,
}

type Wire = Rc<RefCell<Vec<(Way, Vec<u8>)>>>;

/// A filter that passes every datagram on and writes it down.
fn recorder(wire: &Wire, way: Way) -> Filter {
    let wire = Rc::clone(wire);
    Box::new(move |dgram| {
        wire.borrow_mut().push((way, dgram.clone()));
        vec![dgram]
    })
}

/// Every datagram of one handshake plus one echoed message, in order.
fn run(
    kind: KeyKind,
    group: NamedGroup,
    suite: CipherSuite,
    client_seed: u64,
    server_seed: u64,
) -> Vec<(Way, Vec<u8>)> {
    // The certificate is generated once per process and reused by every run.
    let mut server = server_config(kind);
    server.common.provider = Arc::new(CryptoProvider::insecure_deterministic(server_seed));
    server.common.groups = vec![group];
    server.common.cipher_suites = vec![suite];
    let mut client = client_config();
    client.common.provider = Arc::new(CryptoProvider::insecure_deterministic(client_seed));
    client.common.groups = vec![group];
    client.common.cipher_suites = vec![suite];

    let wire: Wire = Rc::default();
    let mut pair = Pair::new(server, 1);
    let i = pair.add_client(client, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.clients[i].up_filter = Some(recorder(&wire, Way::ToServer));
    pair.clients[i].down_filter = Some(recorder(&wire, Way::ToClient));
    pair.drive().unwrap();
    assert!(pair.client_connected(i), "{kind:?} {group} {suite}");
    pair.client_send(i, b"same bytes every time").unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.clients[i].received,
        [b"same bytes every time".to_vec()]
    );
    wire.take()
}

fn ecdsa_suite(aead: bool) -> CipherSuite {
    CipherSuite::ALL
        .iter()
        .copied()
        .find(|s| s.auth() == AuthAlgorithm::Ecdsa && s.bulk().is_aead() == aead)
        .expect("an ECDSA suite")
}

#[test]
fn same_seeds_give_identical_datagrams() {
    for group in [NamedGroup::X25519, NamedGroup::Secp256r1] {
        for suite in [ecdsa_suite(true), ecdsa_suite(false)] {
            let first = run(KeyKind::EcdsaP256, group, suite, 1, 2);
            let second = run(KeyKind::EcdsaP256, group, suite, 1, 2);
            // HelloVerifyRequest, two server flights, the client's flights
            // and the application data both ways.
            assert!(
                first.len() >= 6,
                "{group} {suite}: {} datagrams",
                first.len()
            );
            assert_eq!(first, second, "{group} {suite}");
        }
    }
    // Ed25519 signatures are deterministic by design (RFC 8032).
    let suite = ecdsa_suite(true);
    let ed25519 = |seed| {
        run(
            KeyKind::Ed25519,
            NamedGroup::Secp384r1,
            suite,
            seed,
            seed + 1,
        )
    };
    assert_eq!(ed25519(5), ed25519(5));
}

#[test]
fn other_seeds_give_other_datagrams() {
    let suite = ecdsa_suite(true);
    let base = run(KeyKind::EcdsaP256, NamedGroup::X25519, suite, 1, 2);
    for (client_seed, server_seed) in [(3, 2), (1, 4)] {
        let other = run(
            KeyKind::EcdsaP256,
            NamedGroup::X25519,
            suite,
            client_seed,
            server_seed,
        );
        assert_eq!(base.len(), other.len());
        assert_ne!(base, other, "seeds {client_seed}/{server_seed}");
        // The first datagram is the ClientHello: its random is the client
        // seed's, so it changes exactly when the client seed does.
        assert_eq!(base[0] == other[0], client_seed == 1);
    }
}
