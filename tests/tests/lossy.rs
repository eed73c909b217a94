//! Property: over a network with up to 30% loss plus duplication and
//! reordering in both directions, every handshake completes within a bounded
//! virtual time and every application message is delivered at most once
//! (RFC 6347 4.1.2.6 replay protection, 4.2.4 retransmission).
//!
//! Set `DTLS_LOSSY_CASES` to run more cases (default 24, quick on 2 cores).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;
use proptest::prelude::*;

/// Worst virtual completion time allowed. With 30% loss each way a flight
/// fails about half the time; the timer doubles from 1 s up to 60 s, so a
/// handshake needing every retransmission still ends inside 2 minutes per
/// flight. The bound is what the property promises users.
const BOUND: Duration = Duration::from_secs(10 * 60);

fn cases() -> u32 {
    std::env::var("DTLS_LOSSY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn handshake_completes_and_data_is_delivered_at_most_once(
        seed in any::<u64>(),
        loss_up in 0.0f64..0.3,
        loss_down in 0.0f64..0.3,
        mtu in prop_oneof![Just(1200usize), Just(512), Just(300)],
        clients in 1usize..4,
    ) {
        completes_and_delivers_at_most_once(seed, loss_up, loss_down, mtu, clients)?;
    }
}

/// A case the property once found: the client's Finished retransmissions
/// were lost until the server's final flight was over two minutes old, and
/// the server then ignored the client's (authenticated) Finished for good.
#[test]
fn a_late_authenticated_retransmission_still_gets_the_final_flight() {
    completes_and_delivers_at_most_once(
        3342597749980118499,
        0.28348051599893437,
        0.15042426525732883,
        1200,
        1,
    )
    .unwrap();
}

/// A case the property found: the server gave up its flight, the client's
/// cookie expired, and after the fresh HelloVerifyRequest the client took a
/// ServerKeyExchange it had buffered from the abandoned flight for the
/// next message of the new one ("unexpected ServerKeyExchange").
#[test]
fn a_new_hello_verify_request_discards_the_abandoned_flight() {
    completes_and_delivers_at_most_once(
        17924751416622446756,
        0.24564505630843791,
        0.24800364464056096,
        300,
        1,
    )
    .unwrap();
}

fn completes_and_delivers_at_most_once(
    seed: u64,
    loss_up: f64,
    loss_down: f64,
    mtu: usize,
    clients: usize,
) -> Result<(), TestCaseError> {
    let mut server = server_config(KeyKind::EcdsaP256);
    server.common.mtu = mtu;
    // The property bounds completion itself; the deadlines sit at it.
    server.common.handshake_timeout = Some(BOUND);
    let mut pair = Pair::new(server, seed);
    for _ in 0..clients {
        let mut client = client_config();
        client.common.mtu = mtu;
        client.common.handshake_timeout = Some(BOUND);
        // Give up only far past the bound so a failure shows as a
        // property violation rather than a give-up.
        client.common.retransmit.max_retransmissions = 30;
        let up = LinkProfile::lossy(loss_up).with_mtu(mtu);
        let down = LinkProfile::lossy(loss_down).with_mtu(mtu);
        pair.add_client(client, up, down);
    }
    pair.drive_for(BOUND)
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    for (i, c) in pair.clients.iter().enumerate() {
        prop_assert!(
            pair.client_connected(i),
            "client {i} not connected after {:?}: {:?}",
            pair.elapsed(),
            c.events
        );
        let at = c.connected_at.expect("connected_at") - pair.start;
        prop_assert!(at <= BOUND, "client {i} connected late: {at:?}");
    }
    // Each client sends numbered messages; lost ones stay lost (DTLS is
    // unreliable), but none may arrive twice.
    for i in 0..clients {
        for n in 0u32..20 {
            let msg = [&[i as u8][..], &n.to_be_bytes()[..]].concat();
            pair.client_send(i, &msg).unwrap();
        }
    }
    pair.drive_more(Duration::from_secs(30))
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
    for (_, msg) in &pair.server_received {
        *seen.entry(msg.clone()).or_default() += 1;
    }
    for (msg, count) in &seen {
        prop_assert_eq!(*count, 1, "message {:?} delivered {} times", msg, count);
    }
    for c in &pair.clients {
        let mut echoed: HashMap<&Vec<u8>, u32> = HashMap::new();
        for m in &c.received {
            *echoed.entry(m).or_default() += 1;
        }
        prop_assert!(echoed.values().all(|&n| n == 1), "echo delivered twice");
    }
    Ok(())
}

/// One fixed, heavily lossy run whose figures are printed for the closing
/// note (`cargo test -p dtls-tests --test lossy -- --nocapture`).
#[test]
fn report_worst_case_over_seeds() {
    let mut worst = Duration::ZERO;
    let runs = 40;
    for seed in 0..runs {
        let mut server = server_config(KeyKind::EcdsaP256);
        server.common.handshake_timeout = Some(BOUND);
        let mut pair = Pair::new(server, seed);
        let mut client = client_config();
        client.common.handshake_timeout = Some(BOUND);
        client.common.retransmit.max_retransmissions = 30;
        pair.add_client(client, LinkProfile::lossy(0.3), LinkProfile::lossy(0.3));
        pair.drive_for(BOUND).unwrap();
        assert!(
            pair.client_connected(0),
            "seed {seed}: {:?}",
            pair.clients[0].events
        );
        let at = pair.clients[0].connected_at.unwrap() - pair.start;
        worst = worst.max(at);
    }
    println!("lossy 30%/30% + dup + reorder: {runs} seeds, worst virtual completion {worst:?}");
    assert!(worst <= BOUND);
}
