//! Cross-checks the TLS 1.2 key schedule against OpenSSL's independent
//! implementation (`openssl kdf ... TLS1-PRF`, OpenSSL 3), on random
//! inputs: master secret (RFC 5246 8.1), extended master secret (RFC 7627
//! 4), key block (RFC 5246 6.3) and Finished verify_data (RFC 5246 7.4.9).
//!
//! Fails under `CI=true` if the `openssl` CLI is missing; skips otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use dtls_crypto::CipherSuite;
use dtls_crypto::prf::{
    MasterSecret, extended_master_secret, key_block, master_secret, verify_data,
};
use dtls_crypto::suites::PrfHash;

fn openssl_available() -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok();
    if !ok {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "the openssl CLI is required under CI=true"
        );
        eprintln!("note: openssl not installed; skipping the cross-check");
    }
    ok
}

/// OpenSSL's TLS1-PRF over `secret` with seed `label || seed`.
fn openssl_prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let digest = match hash {
        PrfHash::Sha256 => "SHA256",
        PrfHash::Sha384 => "SHA384",
    };
    let full_seed = [label, seed].concat();
    let out = Command::new("openssl")
        .args(["kdf", "-keylen", &len.to_string()])
        .args(["-kdfopt", &format!("digest:{digest}")])
        .args(["-kdfopt", &format!("hexsecret:{}", hex::encode(secret))])
        .args(["-kdfopt", &format!("hexseed:{}", hex::encode(full_seed))])
        .arg("TLS1-PRF")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    hex::decode(text.trim().replace(':', "")).unwrap()
}

fn random<const N: usize>() -> [u8; N] {
    dtls_crypto::random::array::<N>().unwrap()
}

#[test]
fn key_schedule_matches_openssl() {
    if !openssl_available() {
        return;
    }
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    ] {
        let hash = suite.prf_hash();
        let pre_master: [u8; 32] = random();
        let client_random: [u8; 32] = random();
        let server_random: [u8; 32] = random();

        let ours = master_secret(hash, &pre_master, &client_random, &server_random);
        let theirs = openssl_prf(
            hash,
            &pre_master,
            b"master secret",
            &[client_random, server_random].concat(),
            48,
        );
        assert_eq!(ours.as_bytes().as_slice(), theirs.as_slice(), "{suite}");

        let session_hash = vec![0x5a; hash.output_len()];
        let ems = extended_master_secret(hash, &pre_master, &session_hash);
        let theirs = openssl_prf(
            hash,
            &pre_master,
            b"extended master secret",
            &session_hash,
            48,
        );
        assert_eq!(ems.as_bytes().as_slice(), theirs.as_slice(), "{suite} EMS");

        let master = MasterSecret::from_bytes(*ems.as_bytes());
        let block = key_block(suite, &master, &client_random, &server_random);
        let layout = suite.key_block_layout();
        let theirs = openssl_prf(
            hash,
            master.as_bytes(),
            b"key expansion",
            &[server_random, client_random].concat(),
            layout.total_len(),
        );
        let ours = [
            block.client_write.mac_key.as_slice(),
            block.server_write.mac_key.as_slice(),
            block.client_write.enc_key.as_slice(),
            block.server_write.enc_key.as_slice(),
            block.client_write.fixed_iv.as_slice(),
            block.server_write.fixed_iv.as_slice(),
        ]
        .concat();
        assert_eq!(ours, theirs, "{suite} key block");

        let transcript_hash = vec![0xa5; hash.output_len()];
        for (from_client, label) in [(true, &b"client finished"[..]), (false, b"server finished")] {
            let ours = verify_data(hash, &master, from_client, &transcript_hash);
            let theirs = openssl_prf(hash, master.as_bytes(), label, &transcript_hash, 12);
            assert_eq!(ours.as_slice(), theirs.as_slice(), "{suite} {label:?}");
        }
    }
}
