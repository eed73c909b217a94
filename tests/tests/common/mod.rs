//! Wire-level helpers shared by the conformance tests: split datagrams into
//! records, rewrite a ClientHello, forge plaintext records.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use dtls_core::internals::msgs::codec::Codec;
use dtls_core::internals::msgs::messages::ClientHello;

/// One record of a datagram.
#[derive(Debug, Clone)]
pub struct Rec {
    /// Content type (20 CCS, 21 alert, 22 handshake, 23 data).
    pub content_type: u8,
    /// Epoch.
    pub epoch: u16,
    /// The whole record, header included.
    pub bytes: Vec<u8>,
}

/// Splits a datagram into its records (RFC 6347 4.1 header: 13 bytes).
pub fn records(dgram: &[u8]) -> Vec<Rec> {
    let mut out = Vec::new();
    let mut rest = dgram;
    while rest.len() >= 13 {
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        let total = (13 + len).min(rest.len());
        out.push(Rec {
            content_type: rest[0],
            epoch: u16::from_be_bytes([rest[3], rest[4]]),
            bytes: rest[..total].to_vec(),
        });
        rest = &rest[total..];
    }
    out
}

/// Whether the datagram holds a ChangeCipherSpec record.
pub fn has_ccs(dgram: &[u8]) -> bool {
    records(dgram).iter().any(|r| r.content_type == 20)
}

/// The handshake fragments (msg_type, message_seq, offset, length) of the
/// plaintext (epoch 0) handshake records of a datagram.
pub fn plain_fragments(dgram: &[u8]) -> Vec<(u8, u16, u32, u32)> {
    records(dgram)
        .iter()
        .filter(|r| r.content_type == 22 && r.epoch == 0)
        .map(|r| {
            let b = &r.bytes[13..];
            let u24 = |i: usize| u32::from_be_bytes([0, b[i], b[i + 1], b[i + 2]]);
            (b[0], u16::from_be_bytes([b[4], b[5]]), u24(6), u24(1))
        })
        .collect()
}

/// If the datagram is a single unfragmented ClientHello record, decodes
/// it, lets `f` change it, and re-encodes it (lengths fixed). Anything else
/// is returned unchanged.
pub fn rewrite_client_hello(dgram: Vec<u8>, f: impl FnOnce(&mut ClientHello)) -> Vec<u8> {
    let recs = records(&dgram);
    let [rec] = recs.as_slice() else {
        return dgram;
    };
    let b = &rec.bytes;
    if rec.content_type != 22 || rec.epoch != 0 || b.len() < 25 || b[13] != 1 {
        return dgram;
    }
    let body = &b[25..];
    let length = u32::from_be_bytes([0, b[14], b[15], b[16]]) as usize;
    let frag_len = u32::from_be_bytes([0, b[22], b[23], b[24]]) as usize;
    if length != body.len() || frag_len != body.len() {
        return dgram;
    }
    let mut hello = ClientHello::read_bytes(body).expect("ClientHello");
    f(&mut hello);
    let mut new_body = Vec::new();
    hello.encode(&mut new_body);
    let n = new_body.len() as u32;
    let mut out = b[..13].to_vec();
    let rec_len = (12 + new_body.len()) as u16;
    out[11..13].copy_from_slice(&rec_len.to_be_bytes());
    out.push(1);
    out.extend_from_slice(&n.to_be_bytes()[1..]);
    out.extend_from_slice(&b[17..19]); // message_seq
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&n.to_be_bytes()[1..]);
    out.extend_from_slice(&new_body);
    out
}

/// A plaintext record of `epoch` with this sequence number.
pub fn plain_record(content_type: u8, epoch: u16, seq: u64, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type, 0xFE, 0xFD];
    out.extend_from_slice(&epoch.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes()[2..]);
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The datagram's single ClientHello record cut to the first half of its
/// fragment: a valid first fragment of a message that never completes.
pub fn first_half_of_client_hello(dgram: Vec<u8>) -> Vec<u8> {
    let recs = records(&dgram);
    let [rec] = recs.as_slice() else {
        return dgram;
    };
    let mut bytes = rec.bytes.clone();
    let fragment_len = bytes.len() - 13 - 12;
    let half = fragment_len / 2;
    // Handshake header: fragment_length is its last 3 bytes.
    bytes[13 + 9..13 + 12].copy_from_slice(&(half as u32).to_be_bytes()[1..]);
    bytes[11..13].copy_from_slice(&((12 + half) as u16).to_be_bytes());
    bytes.truncate(13 + 12 + half);
    bytes
}

/// An up filter that passes the cookie exchange, then sends only the first
/// half of the cookie-bearing ClientHello and nothing after: a handshake
/// the server holds open that never progresses.
pub fn stall_after_cookie() -> Box<dyn FnMut(Vec<u8>) -> Vec<Vec<u8>>> {
    let mut hellos = 0;
    Box::new(move |d| {
        if plain_fragments(&d).iter().any(|f| f.0 == 1) {
            hellos += 1;
            if hellos == 2 {
                return vec![first_half_of_client_hello(d)];
            }
        }
        if hellos >= 2 { vec![] } else { vec![d] }
    })
}
