//! The floor: what ring alone needs for a server's full handshake (ECDHE
//! key pair, key agreement, one ECDSA P-256 signature) and for records
//! (AEAD seal and open), with nothing of DTLS around it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};

/// Microseconds of ring work a server spends on one full ECDHE-ECDSA
/// handshake with `group` (X25519 or P-256): generate its key pair, agree
/// with the client's share, sign the ServerKeyExchange.
pub fn server_handshake_us(x25519: bool, iterations: u32) -> f64 {
    let rng = SystemRandom::new();
    let alg = if x25519 { &X25519 } else { &ECDH_P256 };
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map(|d| d.as_ref().to_vec())
        .unwrap_or_default();
    let Ok(signer) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &rng) else {
        return f64::NAN;
    };
    let peer = EphemeralPrivateKey::generate(alg, &rng)
        .and_then(|k| k.compute_public_key())
        .map(|k| k.as_ref().to_vec())
        .unwrap_or_default();
    let message = [0x5Au8; 100];
    let start = Instant::now();
    for _ in 0..iterations {
        let Ok(ours) = EphemeralPrivateKey::generate(alg, &rng) else {
            return f64::NAN;
        };
        let public = ours.compute_public_key();
        black_box(&public);
        let shared =
            agreement::agree_ephemeral(ours, &UnparsedPublicKey::new(alg, &peer), |s| s.len());
        black_box(shared.ok());
        black_box(signer.sign(&rng, &message).ok());
    }
    per_op_us(start.elapsed(), iterations)
}

/// MB/s of payload through AES-128-GCM seal then open of `size`-byte
/// records, for `duration`.
pub fn aead_seal_open_mbps(size: usize, duration: Duration) -> f64 {
    let Ok(unbound) = UnboundKey::new(&AES_128_GCM, &[7u8; 16]) else {
        return f64::NAN;
    };
    let key = LessSafeKey::new(unbound);
    let mut buf = vec![0x42u8; size + 16];
    let aad = [0u8; 13];
    let start = Instant::now();
    let mut bytes = 0u64;
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..64 {
            n += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&n.to_be_bytes());
            buf.truncate(size);
            let tag = key.seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut buf,
            );
            if let Ok(tag) = tag {
                buf.extend_from_slice(tag.as_ref());
            }
            let opened = key
                .open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    &mut buf,
                )
                .map(|p| p.len());
            black_box(opened.ok());
            bytes += size as u64;
        }
    }
    mbps(bytes, start.elapsed())
}

/// Microseconds per operation.
pub fn per_op_us(elapsed: Duration, ops: u32) -> f64 {
    elapsed.as_secs_f64() * 1e6 / f64::from(ops.max(1))
}

/// Megabytes (10^6) per second.
pub fn mbps(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}
