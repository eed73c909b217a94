//! The TLS 1.2 pseudo-random function and the key schedule built on it.
//!
//! - [`prf`]: `PRF(secret, label, seed)` = `P_<hash>(secret, label + seed)`
//!   (RFC 5246 section 5). DTLS 1.2 uses the TLS 1.2 PRF unchanged
//!   (RFC 6347 section 4.2).
//! - [`master_secret`] (RFC 5246 section 8.1) and [`extended_master_secret`]
//!   (RFC 7627 section 4).
//! - [`key_block`]: the per-direction keys (RFC 5246 section 6.3).
//! - [`verify_data`]: the Finished message contents (RFC 5246 section 7.4.9).
//! - [`export_keying_material`]: the keying-material exporter (RFC 5705
//!   section 4), used e.g. by DTLS-SRTP.
//!
//! HMAC comes from `ring`; this module only arranges its inputs.

use crate::Error;
use crate::record::DirectionKeys;
use crate::suites::{CipherSuite, PrfHash};
use ring::hmac;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Largest PRF hash output (SHA-384).
#[cfg_attr(fuzzing, allow(dead_code))]
const MAX_HASH_LEN: usize = 48;

/// Length of the master secret (RFC 5246 section 8.1).
pub const MASTER_SECRET_LEN: usize = 48;

/// Length of `verify_data` for every TLS 1.2 cipher suite we implement
/// (RFC 5246 section 7.4.9: `verify_data_length` defaults to 12).
pub const VERIFY_DATA_LEN: usize = 12;

/// Exporter labels that must not be used because they collide with the
/// labels of the key schedule itself (RFC 5705 section 4 and the IANA "TLS
/// Exporter Labels" registry, which marks these as reserved; RFC 7627
/// section 4 adds "extended master secret").
const RESERVED_EXPORTER_LABELS: [&[u8]; 5] = [
    b"client finished",
    b"server finished",
    b"master secret",
    b"key expansion",
    b"extended master secret",
];

#[cfg_attr(fuzzing, allow(dead_code))]
fn hmac_algorithm(hash: PrfHash) -> hmac::Algorithm {
    match hash {
        PrfHash::Sha256 => hmac::HMAC_SHA256,
        PrfHash::Sha384 => hmac::HMAC_SHA384,
    }
}

/// `P_hash(secret, seed)` of RFC 5246 section 5, with the seed given as the
/// concatenation of `seed_parts` (the label is simply the first part), so
/// callers never have to allocate to concatenate.
///
/// ```text
/// A(0) = seed
/// A(i) = HMAC_hash(secret, A(i-1))
/// P_hash = HMAC_hash(secret, A(1) + seed) + HMAC_hash(secret, A(2) + seed) + ...
/// ```
///
/// **Under `cfg(fuzzing)` the output is all zeros**, so a fuzzer can write
/// a valid Finished and every key is known (see `record/null.rs`).
#[cfg(fuzzing)]
fn p_hash(_: PrfHash, _: &[u8], _: &[&[u8]], out: &mut [u8]) {
    out.fill(0);
}

/// `P_hash` as RFC 5246 section 5 defines it (see the fuzzing variant).
#[cfg(not(fuzzing))]
fn p_hash(hash: PrfHash, secret: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(hmac_algorithm(hash), secret);
    let len = hash.output_len();
    let mut a = [0u8; MAX_HASH_LEN];

    // A(1) = HMAC(secret, seed).
    let mut ctx = hmac::Context::with_key(&key);
    for part in seed_parts {
        ctx.update(part);
    }
    a[..len].copy_from_slice(ctx.sign().as_ref());

    let mut chunks = out.chunks_mut(len).peekable();
    while let Some(chunk) = chunks.next() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(&a[..len]);
        for part in seed_parts {
            ctx.update(part);
        }
        let block = ctx.sign();
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        if chunks.peek().is_some() {
            // A(i+1) = HMAC(secret, A(i)).
            let next = hmac::sign(&key, &a[..len]);
            a[..len].copy_from_slice(next.as_ref());
        }
    }
    a.zeroize();
}

/// The TLS 1.2 PRF: fills `out` with `PRF(secret, label, seed)` =
/// `P_<hash>(secret, label + seed)` (RFC 5246 section 5).
///
/// `hash` is the suite's PRF hash ([`CipherSuite::prf_hash`]); every suite we
/// implement uses P_SHA256 or P_SHA384.
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    p_hash(hash, secret, &[label, seed], out);
}

/// The 48-byte master secret of a session (RFC 5246 section 8.1). Zeroized
/// when dropped; its `Debug` output does not show the bytes.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecret([u8; MASTER_SECRET_LEN]);

impl MasterSecret {
    /// Wraps 48 bytes that are already a master secret (e.g. taken from a
    /// session cache for an abbreviated handshake, RFC 5246 section 7.3).
    pub fn from_bytes(bytes: [u8; MASTER_SECRET_LEN]) -> Self {
        MasterSecret(bytes)
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterSecret { .. }")
    }
}

/// `master_secret = PRF(pre_master_secret, "master secret",
/// ClientHello.random + ServerHello.random)[0..47]` (RFC 5246 section 8.1).
///
/// Only for sessions that did not negotiate the extended master secret; use
/// [`extended_master_secret`] when both sides sent the extension (RFC 7627
/// section 5.2).
pub fn master_secret(
    hash: PrfHash,
    pre_master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> MasterSecret {
    let mut out = [0u8; MASTER_SECRET_LEN];
    p_hash(
        hash,
        pre_master,
        &[b"master secret", client_random, server_random],
        &mut out,
    );
    MasterSecret(out)
}

/// `master_secret = PRF(pre_master_secret, "extended master secret",
/// session_hash)[0..47]` (RFC 7627 section 4), where `session_hash` is the
/// transcript hash of the handshake messages up to and including the
/// ClientKeyExchange (RFC 7627 section 3), computed with the PRF hash.
pub fn extended_master_secret(
    hash: PrfHash,
    pre_master: &[u8],
    session_hash: &[u8],
) -> MasterSecret {
    let mut out = [0u8; MASTER_SECRET_LEN];
    p_hash(
        hash,
        pre_master,
        &[b"extended master secret", session_hash],
        &mut out,
    );
    MasterSecret(out)
}

/// The keys of both directions of a connection, cut from the key block
/// (RFC 5246 section 6.3). Both halves are zeroized when dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBlock {
    /// `client_write_MAC_key`, `client_write_key`, `client_write_IV`: the keys
    /// protecting records the client sends (the server opens with them).
    pub client_write: DirectionKeys,
    /// `server_write_MAC_key`, `server_write_key`, `server_write_IV`: the keys
    /// protecting records the server sends.
    pub server_write: DirectionKeys,
}

/// Expands the master secret into the key block of `suite`
/// (RFC 5246 section 6.3):
///
/// ```text
/// key_block = PRF(master_secret, "key expansion",
///                 server_random + client_random)
/// ```
///
/// cut, in this order, into client MAC key, server MAC key, client key,
/// server key, client IV, server IV; lengths from
/// [`CipherSuite::key_block_layout`]. Note the seed order: server random
/// first, unlike the master secret.
pub fn key_block(
    suite: CipherSuite,
    master: &MasterSecret,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> KeyBlock {
    let layout = suite.key_block_layout();
    let mut block = Zeroizing::new(vec![0u8; layout.total_len()]);
    p_hash(
        suite.prf_hash(),
        master.as_bytes(),
        &[b"key expansion", server_random, client_random],
        &mut block,
    );
    let (client_mac, rest) = block.split_at(layout.mac_key_len);
    let (server_mac, rest) = rest.split_at(layout.mac_key_len);
    let (client_key, rest) = rest.split_at(layout.enc_key_len);
    let (server_key, rest) = rest.split_at(layout.enc_key_len);
    let (client_iv, server_iv) = rest.split_at(layout.fixed_iv_len);
    KeyBlock {
        client_write: DirectionKeys {
            mac_key: client_mac.to_vec(),
            enc_key: client_key.to_vec(),
            fixed_iv: client_iv.to_vec(),
        },
        server_write: DirectionKeys {
            mac_key: server_mac.to_vec(),
            enc_key: server_key.to_vec(),
            fixed_iv: server_iv.to_vec(),
        },
    }
}

/// The `verify_data` of a Finished message (RFC 5246 section 7.4.9):
///
/// ```text
/// verify_data = PRF(master_secret, finished_label,
///                   Hash(handshake_messages))[0..11]
/// ```
///
/// with `finished_label` "client finished" when `from_client`, else
/// "server finished". `handshake_hash` is the PRF-hash transcript hash of
/// all handshake messages before this Finished (for the server's Finished it
/// includes the client's Finished); in DTLS the messages are hashed with
/// their DTLS headers as if unfragmented (RFC 6347 section 4.2.6).
pub fn verify_data(
    hash: PrfHash,
    master: &MasterSecret,
    from_client: bool,
    handshake_hash: &[u8],
) -> [u8; VERIFY_DATA_LEN] {
    let label: &[u8] = if from_client {
        b"client finished"
    } else {
        b"server finished"
    };
    let mut out = [0u8; VERIFY_DATA_LEN];
    p_hash(hash, master.as_bytes(), &[label, handshake_hash], &mut out);
    out
}

/// The keying-material exporter of RFC 5705 section 4: fills `out` with
///
/// ```text
/// PRF(master_secret, label, client_random + server_random
///     [+ context_value_length (uint16) + context_value])
/// ```
///
/// A `context` of `Some(&[])` (empty context) is different from `None` (no
/// context), as RFC 5705 section 4 requires.
///
/// RFC 7627 section 5.4 advises exporting only from sessions that used the
/// extended master secret; that policy belongs to the caller, which knows
/// what the session negotiated.
///
/// # Errors
/// [`Error::InvalidInput`] if `label` is one of the labels reserved by the
/// key schedule ("client finished", "server finished", "master secret",
/// "key expansion", "extended master secret"; RFC 5705 section 4, IANA TLS
/// Exporter Labels registry, RFC 7627 section 4), or if the context is longer
/// than 65535 bytes (its length must fit the uint16 length prefix).
pub fn export_keying_material(
    hash: PrfHash,
    master: &MasterSecret,
    label: &[u8],
    context: Option<&[u8]>,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    out: &mut [u8],
) -> Result<(), Error> {
    if RESERVED_EXPORTER_LABELS.contains(&label) {
        return Err(Error::InvalidInput(
            "exporter label is reserved by the TLS key schedule (RFC 5705 section 4)",
        ));
    }
    match context {
        None => p_hash(
            hash,
            master.as_bytes(),
            &[label, client_random, server_random],
            out,
        ),
        Some(context) => {
            let len = u16::try_from(context.len()).map_err(|_| {
                Error::InvalidInput(
                    "exporter context is longer than 65535 bytes (RFC 5705 section 4)",
                )
            })?;
            p_hash(
                hash,
                master.as_bytes(),
                &[
                    label,
                    client_random,
                    server_random,
                    &len.to_be_bytes(),
                    context,
                ],
                out,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let compact: String = s.split_whitespace().collect();
        hex::decode(compact).unwrap()
    }

    /// `N` bytes of `PRF(secret, label, seed)`: the expected values below.
    fn prf_out<const N: usize>(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8]) -> [u8; N] {
        let mut out = [0u8; N];
        prf(hash, secret, label, seed, &mut out);
        out
    }

    /// The SHA-256 exporter of `ms` with all-zero randoms.
    fn export(
        ms: &MasterSecret,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        export_keying_material(PrfHash::Sha256, ms, label, context, &[0; 32], &[0; 32], out)
    }

    // Known-answer vectors for the TLS 1.2 PRF, posted to the IETF TLS
    // working group list ("TLS 1.2 test vectors", 2010,
    // https://www.ietf.org/mail-archive/web/tls/current/msg03416.html) and
    // reproduced in the test suites of many TLS libraries (mbedTLS, Botan,
    // wolfSSL, Netty, BoringSSL bindings). The same numbers are re-derived
    // with the OpenSSL CLI in tests/openssl_interop.rs.

    #[test]
    fn p_hash_known_answers() {
        // (hash, secret, seed, 100 or 148 bytes of PRF output)
        let vectors = [
            (
                PrfHash::Sha256,
                "9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35",
                "a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c",
                "e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53
             c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4 e6 1e db 5a
             6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af
             0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab
             4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba
             a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01
             87 34 7b 66",
            ),
            (
                PrfHash::Sha384,
                "b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df",
                "cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65",
                "7b 0c 18 e9 ce d4 10 ed 18 04 f2 cf a3 4a 33 6a
             1c 14 df fb 49 00 bb 5f d7 94 21 07 e8 1c 83 cd
             e9 ca 0f aa 60 be 9f e3 4f 82 b1 23 3c 91 46 a0
             e5 34 cb 40 0f ed 27 00 88 4f 9d c2 36 f8 0e dd
             8b fa 96 11 44 c9 e8 d7 92 ec a7 22 a7 b3 2f c3
             d4 16 d4 73 eb c2 c5 fd 4a bf da d0 5d 91 84 25
             9b 5b f8 cd 4d 90 fa 0d 31 e2 de c4 79 e4 f1 a2
             60 66 f2 ee a9 a6 92 36 a3 e5 26 55 c9 e9 ae e6
             91 c8 f3 a2 68 54 30 8d 5e aa 3b e8 5e 09 90 70
             3d 73 e5 6f",
            ),
        ];
        for (hash, secret, seed, expected) in vectors {
            let expected = unhex(expected);
            let mut out = vec![0u8; expected.len()];
            prf(hash, &unhex(secret), b"test label", &unhex(seed), &mut out);
            assert_eq!(out, expected, "{hash:?}");
        }
        assert_eq!(unhex(vectors[0].3).len(), 100);
        assert_eq!(unhex(vectors[1].3).len(), 148);
    }

    #[test]
    fn output_is_a_prefix_of_longer_output() {
        // P_hash output does not depend on the requested length (RFC 5246 5).
        let mut long = [0u8; 100];
        prf(PrfHash::Sha256, b"k", b"l", b"s", &mut long);
        for n in [0, 1, 31, 32, 33, 64, 99] {
            let mut short = vec![0u8; n];
            prf(PrfHash::Sha256, b"k", b"l", b"s", &mut short);
            assert_eq!(short, long[..n]);
        }
    }

    #[test]
    fn master_secret_is_prf_with_label_and_randoms() {
        let pms = [7u8; 48];
        let cr = [1u8; 32];
        let sr = [2u8; 32];
        let ms = master_secret(PrfHash::Sha256, &pms, &cr, &sr);
        let mut seed = cr.to_vec();
        seed.extend_from_slice(&sr);
        let expected = prf_out(PrfHash::Sha256, &pms, b"master secret", &seed);
        assert_eq!(ms.as_bytes(), &expected);
        assert_eq!(format!("{ms:?}"), "MasterSecret { .. }");
    }

    #[test]
    fn extended_master_secret_uses_session_hash() {
        let pms = [9u8; 32];
        let sh = [3u8; 48];
        let ms = extended_master_secret(PrfHash::Sha384, &pms, &sh);
        let expected = prf_out(PrfHash::Sha384, &pms, b"extended master secret", &sh);
        assert_eq!(ms.as_bytes(), &expected);
    }

    #[test]
    fn key_block_is_cut_in_rfc_order() {
        let ms = MasterSecret::from_bytes([5u8; 48]);
        let cr = [1u8; 32];
        let sr = [2u8; 32];
        for &suite in CipherSuite::ALL {
            let l = suite.key_block_layout();
            let mut seed = sr.to_vec();
            seed.extend_from_slice(&cr);
            let mut raw = vec![0u8; l.total_len()];
            prf(
                suite.prf_hash(),
                ms.as_bytes(),
                b"key expansion",
                &seed,
                &mut raw,
            );
            let kb = key_block(suite, &ms, &cr, &sr);
            let mut expected = Vec::new();
            expected.extend_from_slice(&kb.client_write.mac_key);
            expected.extend_from_slice(&kb.server_write.mac_key);
            expected.extend_from_slice(&kb.client_write.enc_key);
            expected.extend_from_slice(&kb.server_write.enc_key);
            expected.extend_from_slice(&kb.client_write.fixed_iv);
            expected.extend_from_slice(&kb.server_write.fixed_iv);
            assert_eq!(expected, raw, "{suite}");
            assert_eq!(kb.client_write.mac_key.len(), l.mac_key_len);
            assert_eq!(kb.server_write.enc_key.len(), l.enc_key_len);
            assert_eq!(kb.server_write.fixed_iv.len(), l.fixed_iv_len);
        }
    }

    #[test]
    fn verify_data_labels_differ() {
        let ms = MasterSecret::from_bytes([5u8; 48]);
        let h = [0xAAu8; 32];
        let c = verify_data(PrfHash::Sha256, &ms, true, &h);
        let s = verify_data(PrfHash::Sha256, &ms, false, &h);
        assert_ne!(c, s);
        let expected = prf_out(PrfHash::Sha256, ms.as_bytes(), b"client finished", &h);
        assert_eq!(c, expected);
    }

    #[test]
    fn exporter_seed_layout_and_context() {
        let ms = MasterSecret::from_bytes([5u8; 48]);
        let label = b"EXTRACTOR-dtls_srtp";
        let (cr, sr) = ([1u8; 32], [2u8; 32]);
        let exported = |context: Option<&[u8]>| {
            let mut out = [0u8; 40];
            export_keying_material(PrfHash::Sha256, &ms, label, context, &cr, &sr, &mut out)
                .unwrap();
            out
        };
        let mut seed = cr.to_vec();
        seed.extend_from_slice(&sr);
        let no_ctx = exported(None);
        assert_eq!(
            no_ctx,
            prf_out(PrfHash::Sha256, ms.as_bytes(), label, &seed)
        );

        // An empty context is not the same as no context (RFC 5705 4).
        let empty_ctx = exported(Some(&[]));
        assert_ne!(no_ctx, empty_ctx);
        seed.extend_from_slice(&[0, 0]);
        assert_eq!(
            empty_ctx,
            prf_out(PrfHash::Sha256, ms.as_bytes(), label, &seed)
        );
    }

    #[test]
    fn exporter_rejects_reserved_labels_and_long_context() {
        let ms = MasterSecret::from_bytes([5u8; 48]);
        let mut out = [0u8; 16];
        for label in RESERVED_EXPORTER_LABELS {
            let r = export(&ms, label, None, &mut out);
            assert!(matches!(r, Err(Error::InvalidInput(_))));
        }
        let big = vec![0u8; 65536];
        let r = export(&ms, b"EXPORTER-x", Some(&big), &mut out);
        assert!(matches!(r, Err(Error::InvalidInput(_))));
        let ok = vec![0u8; 65535];
        assert!(export(&ms, b"EXPORTER-x", Some(&ok), &mut out).is_ok());
    }
}
