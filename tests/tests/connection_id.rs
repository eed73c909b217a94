//! Connection IDs (RFC 9146) in the virtual-time harness: negotiation in
//! every combination of our and their CID length, the `tls12_cid` record
//! format on the wire, NAT rebinding mid-stream without a handshake, what
//! may and may not move an association (replays, delayed records,
//! forgeries), the amplification bound toward an unproven address and its
//! heartbeat proof, resumption, and refused settings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use dtls_core::DatagramEvent;
use dtls_core::config::{ClientConfig, ServerConfig};
use dtls_core::event::Event;
use dtls_tests::certs::{KeyKind, client_config, server_config};
use dtls_tests::net::LinkProfile;
use dtls_tests::pair::Pair;

const TLS12_CID: u8 = 25;

fn server(cid_len: Option<u8>) -> ServerConfig {
    let mut config = server_config(KeyKind::EcdsaP256);
    config.connection_id_length = cid_len;
    config
}

fn client(cid: Option<&[u8]>) -> ClientConfig {
    ClientConfig {
        connection_id: cid.map(<[u8]>::to_vec),
        ..client_config()
    }
}

/// Datagrams a tap saw, in order.
type Seen = Rc<RefCell<Vec<Vec<u8>>>>;

/// Records every datagram of both directions of client `i`.
fn tap(pair: &mut Pair, i: usize) -> (Seen, Seen) {
    let up = Rc::new(RefCell::new(Vec::new()));
    let down = Rc::new(RefCell::new(Vec::new()));
    let (u, d) = (up.clone(), down.clone());
    pair.clients[i].up_filter = Some(Box::new(move |dg| {
        u.borrow_mut().push(dg.clone());
        vec![dg]
    }));
    pair.clients[i].down_filter = Some(Box::new(move |dg| {
        d.borrow_mut().push(dg.clone());
        vec![dg]
    }));
    (up, down)
}

/// Sends `data` from client `i` and asserts its echo is the latest thing
/// the client received.
#[track_caller]
fn assert_echo(pair: &mut Pair, i: usize, data: &[u8]) {
    let before = pair.clients[i].received.len();
    pair.client_send(i, data).unwrap();
    pair.drive().unwrap();
    assert_eq!(pair.clients[i].received.len(), before + 1, "one echo");
    assert_eq!(
        pair.clients[i].received.last().map(Vec::as_slice),
        Some(data)
    );
}

fn connect(pair: &mut Pair, config: ClientConfig) -> usize {
    let i = pair.add_client(config, LinkProfile::PERFECT, LinkProfile::PERFECT);
    pair.drive().unwrap();
    pair.assert_connected(i);
    i
}

#[test]
fn negotiation_matrix_and_the_record_format_on_the_wire() {
    let ours: [Option<u8>; 3] = [None, Some(0), Some(6)];
    let theirs: [Option<&[u8]>; 3] = [None, Some(&[]), Some(&[0xaa, 0xbb, 0xcc])];
    for server_len in ours {
        for client_cid in theirs {
            let what = format!("server {server_len:?}, client {client_cid:?}");
            let mut pair = Pair::new(server(server_len), 1);
            let i = pair.add_client(
                client(client_cid),
                LinkProfile::PERFECT,
                LinkProfile::PERFECT,
            );
            let (up, down) = tap(&mut pair, i);
            pair.drive().unwrap();
            pair.assert_connected(i);
            pair.assert_only_echo(i, b"cid matrix");

            let agreed = server_len.is_some() && client_cid.is_some();
            let conn = &pair.clients[i].conn;
            let srv = pair.server_conn(i).unwrap();
            if agreed {
                let server_cid = srv.connection_id().unwrap().to_vec();
                assert_eq!(server_cid.len(), usize::from(server_len.unwrap()), "{what}");
                assert_eq!(
                    conn.peer_connection_id(),
                    Some(server_cid.as_slice()),
                    "{what}"
                );
                assert_eq!(conn.connection_id(), client_cid, "{what}");
                assert_eq!(srv.peer_connection_id(), client_cid, "{what}");
            } else {
                assert_eq!(conn.connection_id(), None, "{what}");
                assert_eq!(srv.connection_id(), None, "{what}");
            }
            // Records of the protected epoch carry a CID exactly when the
            // receiver's CID is non-empty (RFC 9146 3, 4); the first
            // flights never do.
            let cid_records = |dgrams: &[Vec<u8>]| {
                dgrams
                    .iter()
                    .filter(|d| d.first() == Some(&TLS12_CID))
                    .count()
            };
            let server_cid_used = agreed && server_len != Some(0);
            let client_cid_used = agreed && client_cid.is_some_and(|c| !c.is_empty());
            assert_eq!(cid_records(&up.borrow()) > 0, server_cid_used, "{what}: up");
            assert_eq!(
                cid_records(&down.borrow()) > 0,
                client_cid_used,
                "{what}: down"
            );
            assert!(up.borrow().first().is_some_and(|d| d[0] == 22), "{what}");
        }
    }
}

/// A client at a new address: what a NAT rebinding looks like.
fn move_client(pair: &mut Pair, i: usize, to: SocketAddr) -> SocketAddr {
    std::mem::replace(&mut pair.clients[i].addr, to)
}

fn moved_events(pair: &Pair, i: usize) -> Vec<(SocketAddr, SocketAddr)> {
    pair.server_events_of(i)
        .into_iter()
        .filter_map(|e| match e {
            Event::PeerAddressChanged { previous, current } => Some((previous, current)),
            _ => None,
        })
        .collect()
}

#[test]
fn nat_rebinding_keeps_the_association_without_a_handshake() {
    let mut pair = Pair::new(server(Some(8)), 2);
    let i = connect(&mut pair, client(Some(&[])));
    pair.assert_only_echo(i, b"before");
    let new_addr: SocketAddr = "198.51.100.7:40000".parse().unwrap();
    let old_addr = move_client(&mut pair, i, new_addr);

    pair.client_send(i, b"after the move").unwrap();
    pair.drive().unwrap();
    assert_eq!(moved_events(&pair, i), vec![(old_addr, new_addr)]);
    assert_eq!(
        pair.clients[i].received.last().map(Vec::as_slice),
        Some(&b"after the move"[..]),
        "the echo reached the new address"
    );
    assert_eq!(
        pair.server.counters().connections_created,
        1,
        "no new handshake"
    );
    assert_eq!(pair.server_conn(i).unwrap().peer(), new_addr);
    assert!(pair.server.lookup(old_addr).is_none());
    // And it keeps working, several times over.
    for n in 0..3u16 {
        let addr = SocketAddr::from(([203, 0, 113, 1], 41000 + n));
        move_client(&mut pair, i, addr);
        assert_echo(&mut pair, i, format!("move {n}").as_bytes());
        assert_eq!(pair.server_conn(i).unwrap().peer(), addr);
    }
}

/// Sends `dgram` to the server from `from`, as an off-path attacker can.
fn inject(pair: &mut Pair, from: SocketAddr, mut dgram: Vec<u8>) -> DatagramEvent {
    let mut response = vec![0u8; 1500];
    let now = pair.now;
    pair.server
        .handle_datagram(now, from, &mut dgram, &mut response)
}

#[test]
fn replays_delayed_records_and_forgeries_do_not_move_the_association() {
    let mut pair = Pair::new(server(Some(8)), 3);
    let i = connect(&mut pair, client(Some(&[])));
    let (up, _down) = tap(&mut pair, i);
    let home = pair.clients[i].addr;
    // Two records from the client; the server sees only the second now.
    pair.client_send(i, b"first").unwrap();
    pair.client_send(i, b"second").unwrap();
    pair.drive().unwrap();
    pair.clients[i].up_filter = None;
    let records: Vec<Vec<u8>> = up.borrow().clone();
    assert!(records.len() >= 2, "{records:?}");
    let received_before = pair.server_received.len();
    let attacker: SocketAddr = "192.0.2.66:6666".parse().unwrap();

    // A replay of a record the server already took, from elsewhere.
    inject(&mut pair, attacker, records.last().unwrap().clone());
    // A forgery: the right CID, a flipped byte of the ciphertext.
    let mut forged = records.last().unwrap().clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    inject(&mut pair, attacker, forged);
    // A CID nobody holds.
    let mut unknown = records.last().unwrap().clone();
    unknown[11] ^= 0xff;
    inject(&mut pair, attacker, unknown);
    pair.drive().unwrap();
    assert_eq!(pair.server_conn(i).unwrap().peer(), home);
    assert!(moved_events(&pair, i).is_empty());
    assert_eq!(
        pair.server_received.len(),
        received_before,
        "nothing new delivered"
    );
    assert_eq!(pair.server.counters().unknown_connection_id, 1);
    assert_echo(&mut pair, i, b"still home");
}

#[test]
fn an_older_record_from_a_new_address_is_read_but_does_not_move_the_peer() {
    let mut pair = Pair::new(server(Some(4)), 4);
    let i = connect(&mut pair, client(Some(&[])));
    let home = pair.clients[i].addr;
    // Hold back the client's next two records, then deliver the second
    // from home and the first (older) from another address.
    let held = Rc::new(RefCell::new(Vec::new()));
    let h = held.clone();
    pair.clients[i].up_filter = Some(Box::new(move |dg| {
        h.borrow_mut().push(dg);
        vec![]
    }));
    pair.client_send(i, b"older").unwrap();
    pair.drive().unwrap();
    pair.client_send(i, b"newer").unwrap();
    pair.drive().unwrap();
    pair.clients[i].up_filter = None;
    let held = held.borrow().clone();
    assert_eq!(held.len(), 2);
    inject(&mut pair, home, held[1].clone());
    let elsewhere: SocketAddr = "192.0.2.77:7777".parse().unwrap();
    inject(&mut pair, elsewhere, held[0].clone());
    pair.drive().unwrap();
    let got: Vec<&[u8]> = pair
        .server_received
        .iter()
        .map(|(_, m)| m.as_slice())
        .collect();
    assert!(
        got.ends_with(&[b"newer".as_slice(), b"older".as_slice()]),
        "{got:?}"
    );
    assert_eq!(pair.server_conn(i).unwrap().peer(), home);
    assert!(moved_events(&pair, i).is_empty());
}

#[test]
fn toward_an_unproven_address_at_most_three_bytes_per_byte_received() {
    for heartbeats in [false, true] {
        let mut config = server(Some(8));
        config.common.keep_alive.enabled = heartbeats;
        let mut pair = Pair::new(config, 5);
        pair.echo = false;
        let mut cc = client(Some(&[]));
        cc.common.keep_alive.enabled = heartbeats;
        let i = connect(&mut pair, cc);
        let new_addr: SocketAddr = "198.51.100.9:45000".parse().unwrap();
        move_client(&mut pair, i, new_addr);
        let (up, down) = tap(&mut pair, i);
        pair.client_send(i, b"hi").unwrap();
        pair.drive().unwrap();
        assert_eq!(pair.server_conn(i).unwrap().peer(), new_addr);
        // The application sends 40 KB toward the new address at once.
        let handle = pair.server.lookup(new_addr).unwrap();
        for _ in 0..40 {
            pair.server.send(handle, pair.now, &[0x55; 1000]).unwrap();
        }
        pair.drive_for(Duration::from_secs(5)).unwrap();
        let bytes = |d: &Seen| d.borrow().iter().map(Vec::len).sum::<usize>();
        let (sent_in, sent_out) = (bytes(&up), bytes(&down));
        if heartbeats {
            // The probe was answered: the path is proven, all of it went.
            assert!(sent_out >= 40_000, "{sent_out} out for {sent_in} in");
        } else {
            // A 1,000-byte record does not fit three times a short
            // request: it waits.
            assert!(sent_out <= 3 * sent_in, "{sent_out} out for {sent_in} in");
            // More from the peer raises the allowance.
            pair.client_send(i, &[1; 900]).unwrap();
            pair.drive().unwrap();
            assert!(bytes(&down) > sent_out);
            assert!(bytes(&down) <= 3 * bytes(&up));
        }
    }
}

#[test]
fn cids_are_negotiated_again_on_resumption_and_survive_rebinding() {
    let mut pair = Pair::new(server(Some(5)), 6);
    let first = connect(&mut pair, client(Some(&[9, 9])));
    let session = pair.clients[first].conn.session().unwrap();
    let mut config = client(Some(&[7, 7, 7]));
    config.resume = Some(session.ticket_only());
    let again = connect(&mut pair, config);
    let n = pair.clients[again].conn.negotiated().unwrap().clone();
    assert!(n.resumed);
    assert_eq!(
        pair.clients[again].conn.connection_id(),
        Some(&[7, 7, 7][..])
    );
    let server_cid = pair
        .server_conn(again)
        .unwrap()
        .connection_id()
        .unwrap()
        .to_vec();
    assert_eq!(server_cid.len(), 5);
    let first_cid = pair
        .server_conn(first)
        .unwrap()
        .connection_id()
        .unwrap()
        .to_vec();
    assert_ne!(server_cid, first_cid, "unique within the endpoint");
    move_client(&mut pair, again, "198.51.100.20:50000".parse().unwrap());
    pair.assert_only_echo(again, b"resumed and moved");
}

#[test]
fn unusable_cid_settings_are_refused_with_the_reason() {
    let err = dtls_core::Endpoint::new(Arc::new(server(Some(33)))).unwrap_err();
    assert!(err.to_string().contains("connection_id_length"), "{err}");
    let err = dtls_core::Connection::client(
        Arc::new(client(Some(&[0; 256]))),
        "10.0.0.1:4444".parse().unwrap(),
        std::time::Instant::now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("255"), "{err}");
}

#[test]
fn a_cid_of_another_worker_is_handed_back_untouched() {
    let mut config = server(Some(6));
    config.connection_id_prefix = Some(1);
    let mut pair = Pair::new(config, 7);
    let i = connect(&mut pair, client(Some(&[])));
    let cid = pair
        .server_conn(i)
        .unwrap()
        .connection_id()
        .unwrap()
        .to_vec();
    assert_eq!(cid[0], 1, "the CID names its worker");
    // The client's next record, held back from worker 1.
    let held = Rc::new(RefCell::new(Vec::new()));
    let h = held.clone();
    pair.clients[i].up_filter = Some(Box::new(move |dg| {
        h.borrow_mut().push(dg);
        vec![]
    }));
    pair.client_send(i, b"for worker 1").unwrap();
    pair.drive().unwrap();
    pair.clients[i].up_filter = None;
    let record = held.borrow().last().unwrap().clone();

    // Worker 0 gets it (the client moved; the kernel hashed it there).
    let mut other = server(Some(6));
    other.connection_id_prefix = Some(0);
    let mut worker0 = dtls_core::Endpoint::new(Arc::new(other)).unwrap();
    let mut dgram = record.clone();
    let mut response = vec![0u8; 1500];
    let event = worker0.handle_datagram(
        pair.now,
        "198.51.100.30:1234".parse().unwrap(),
        &mut dgram,
        &mut response,
    );
    assert_eq!(event, DatagramEvent::ForeignConnectionId { owner: 1 });
    assert_eq!(dgram, record, "untouched, to forward");
    // Worker 1, given it, moves the association.
    let from: SocketAddr = "198.51.100.30:1234".parse().unwrap();
    inject(&mut pair, from, dgram);
    pair.drive().unwrap();
    assert!(
        pair.server_conn(i).is_none(),
        "no longer at the old address"
    );
    assert!(pair.server.lookup(from).is_some());
    assert_eq!(pair.server_received.last().unwrap().1, b"for worker 1");

    let mut bad = server(Some(3));
    bad.connection_id_prefix = Some(0);
    let err = dtls_core::Endpoint::new(Arc::new(bad)).unwrap_err();
    assert!(err.to_string().contains("connection_id_prefix"), "{err}");
}

#[test]
fn a_close_toward_an_unproven_address_completes_even_without_room_for_its_alert() {
    let mut pair = Pair::new(server(Some(8)), 9);
    pair.echo = false;
    let i = connect(&mut pair, client(Some(&[])));
    let new_addr: SocketAddr = "198.51.100.40:46000".parse().unwrap();
    move_client(&mut pair, i, new_addr);
    let (up, down) = tap(&mut pair, i);
    pair.client_send(i, b"x").unwrap();
    pair.drive().unwrap();
    let bytes_in: usize = up.borrow().iter().map(Vec::len).sum();
    let handle = pair.server.lookup(new_addr).expect("moved");
    // Use the allowance up to 20 bytes: less than an alert record.
    // A record to the client: header 13, GCM nonce 8, tag 16.
    let message = 3 * bytes_in - 20 - (13 + 8 + 16);
    pair.server
        .send(handle, pair.now, &vec![7; message])
        .unwrap();
    pair.drive().unwrap();
    assert_eq!(
        down.borrow().iter().map(Vec::len).sum::<usize>(),
        3 * bytes_in - 20
    );
    pair.server.close(handle, pair.now).unwrap();
    pair.step();
    pair.drive().unwrap();
    assert!(
        pair.server_events_of(i)
            .iter()
            .any(|e| matches!(e, Event::Closed(_))),
        "{:?}",
        pair.server_events_of(i)
    );
    assert!(
        pair.server.lookup(new_addr).is_none(),
        "the connection is gone"
    );
}

#[test]
fn cid_settings_cannot_change_under_live_connections() {
    let pair = Pair::new(server(Some(8)), 10);
    let mut endpoint = pair.server;
    let mut changed = server(Some(6));
    changed.common.provider = endpoint.config().common.provider.clone();
    let err = endpoint.set_config(Arc::new(changed)).unwrap_err();
    assert!(err.to_string().contains("connection_id_length"), "{err}");
}

#[test]
fn a_full_size_message_travels_in_a_cid_record() {
    let mut config = server(Some(4));
    config.common.application_records_fit_mtu = false;
    let mut pair = Pair::new(config, 11);
    let mut cc = client(Some(&[1, 2]));
    cc.common.application_records_fit_mtu = false;
    let i = connect(&mut pair, cc);
    let big = vec![0xab; 1 << 14];
    pair.client_send(i, &big).unwrap();
    pair.drive().unwrap();
    assert_eq!(
        pair.clients[i].received.last(),
        Some(&big),
        "echoed whole both ways"
    );
}
