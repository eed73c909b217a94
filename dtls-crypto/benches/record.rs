//! Record protection throughput against the ring floor.
//!
//! `cargo bench -p dtls-crypto --bench record` prints, for 1200-byte records
//! (a typical DTLS datagram), MB/s of our seal/open next to ring's raw AEAD
//! on the same buffer: the difference is our per-record overhead (nonce,
//! additional data, bounds checks). No timing assertions: figures go to
//! docs/benchmarks.md.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use dtls_crypto::CipherSuite;
use dtls_crypto::record::{DirectionKeys, RecordMeta, RecordProtection};

const RECORD: usize = 1200;

fn measure(mut f: impl FnMut()) -> f64 {
    // Warm up, then run for ~1 s and report records per second.
    for _ in 0..1000 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..256 {
            f();
        }
        n += 256;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn keys(suite: CipherSuite) -> DirectionKeys {
    let layout = suite.key_block_layout();
    DirectionKeys {
        mac_key: vec![1; layout.mac_key_len],
        enc_key: vec![2; layout.enc_key_len],
        fixed_iv: vec![3; layout.fixed_iv_len],
    }
}

fn main() {
    println!(
        "{:<48} {:>12} {:>12}",
        "record protection (1200-byte records)", "seal MB/s", "open MB/s"
    );
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    ] {
        let p = RecordProtection::new(suite, &keys(suite)).unwrap();
        let mut buf = vec![0u8; RECORD + p.max_overhead()];
        let mut seq = 0u64;
        let seal = measure(|| {
            seq += 1;
            let meta = RecordMeta {
                content_type: 23,
                version: 0xFEFD,
                epoch: 1,
                sequence: seq,
                cid: &[],
            };
            black_box(p.seal_in_place(&meta, &mut buf, RECORD).unwrap());
        });
        let meta = RecordMeta {
            content_type: 23,
            version: 0xFEFD,
            epoch: 1,
            sequence: 7,
            cid: &[],
        };
        let mut sealed = vec![0u8; RECORD + p.max_overhead()];
        let len = p.seal_in_place(&meta, &mut sealed, RECORD).unwrap();
        sealed.truncate(len);
        let mut work = sealed.clone();
        let open = measure(|| {
            work.copy_from_slice(&sealed);
            black_box(p.open_in_place(&meta, &mut work).unwrap());
        });
        let mbs = |rate: f64| rate * RECORD as f64 / 1e6;
        println!(
            "{:<48} {:>12.0} {:>12.0}",
            suite.name(),
            mbs(seal),
            mbs(open)
        );
    }

    // The floor: ring's AES-128-GCM and ChaCha20-Poly1305 sealing the same
    // 1200 bytes in place, with a 13-byte additional data, nothing else.
    for (name, alg) in [
        ("ring AES-128-GCM (floor)", &ring::aead::AES_128_GCM),
        (
            "ring CHACHA20-POLY1305 (floor)",
            &ring::aead::CHACHA20_POLY1305,
        ),
    ] {
        let key = ring::aead::LessSafeKey::new(
            ring::aead::UnboundKey::new(alg, &vec![2u8; alg.key_len()]).unwrap(),
        );
        let mut buf = vec![0u8; RECORD];
        let mut seq = 0u64;
        let seal = measure(|| {
            seq += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            let tag = key
                .seal_in_place_separate_tag(
                    ring::aead::Nonce::assume_unique_for_key(nonce),
                    ring::aead::Aad::from([0u8; 13]),
                    &mut buf,
                )
                .unwrap();
            let _ = black_box(tag);
        });
        println!(
            "{:<48} {:>12.0} {:>12}",
            name,
            seal * RECORD as f64 / 1e6,
            "-"
        );
    }
}
