//! Independent cross-checks of the key schedule, ECDHE and signatures
//! against the OpenSSL command-line tool (a different implementation).
//!
//! If `openssl` is not installed the tests print a note and pass, except
//! when the environment variable `CI` is `true`: there a missing tool is a
//! failure, so CI can never silently skip these checks.

#![allow(clippy::unwrap_used)]

use dtls_crypto::kx::NamedGroup;
use dtls_crypto::prf;
use dtls_crypto::sign::{
    KeyType, SignatureScheme, SigningKey, verify_raw_key_signature, verify_signature,
};
use dtls_crypto::suites::{CipherSuite, PrfHash};
use dtls_crypto::{CryptoProvider, Error};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use std::path::PathBuf;
use std::process::Command;

/// Whether the OpenSSL CLI can be used; panics in CI if it cannot.
fn openssl_available() -> bool {
    match Command::new("openssl").arg("version").output() {
        Ok(out) if out.status.success() => true,
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("the openssl CLI is required for the cross-checks when CI=true");
            }
            eprintln!("note: openssl CLI not found; skipping the OpenSSL cross-check");
            false
        }
    }
}

/// Runs `openssl args...`, asserting success, and returns stdout.
fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether `openssl args...` exits successfully (for verification).
fn openssl_ok(args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .output()
        .unwrap()
        .status
        .success()
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let suffix = hex::encode(CryptoProvider::default().random_array::<8>().unwrap());
        let dir = std::env::temp_dir().join(format!("dtls-crypto-{name}-{suffix}"));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A scratch directory holding `message` as `msg.bin` (and that
    /// file's path), if the openssl CLI is there to use it.
    fn with_message(name: &str, message: &[u8]) -> Option<(Self, String)> {
        if !openssl_available() {
            return None;
        }
        let dir = Scratch::new(name);
        let msg = dir.write("msg.bin", message);
        Some((dir, msg))
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).to_string_lossy().into_owned()
    }

    fn write(&self, file: &str, bytes: &[u8]) -> String {
        let p = self.path(file);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------- PRF ---

/// `openssl kdf ... TLS1-PRF`: OpenSSL takes the label as the start of the
/// seed, exactly as RFC 5246 section 5 defines PRF(secret, label, seed).
fn openssl_prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let digest = match hash {
        PrfHash::Sha256 => "digest:SHA256",
        PrfHash::Sha384 => "digest:SHA384",
    };
    let mut full_seed = label.to_vec();
    full_seed.extend_from_slice(seed);
    let out = openssl(&[
        "kdf",
        "-binary",
        "-keylen",
        &len.to_string(),
        "-kdfopt",
        digest,
        "-kdfopt",
        &format!("hexsecret:{}", hex::encode(secret)),
        "-kdfopt",
        &format!("hexseed:{}", hex::encode(full_seed)),
        "TLS1-PRF",
    ]);
    assert_eq!(out.len(), len);
    out
}

#[test]
fn prf_known_answers_agree_with_openssl() {
    if !openssl_available() {
        return;
    }
    // The IETF TLS list vectors (see prf.rs): OpenSSL and we must agree.
    for (hash, secret, seed, len) in [
        (
            PrfHash::Sha256,
            "9bbe436ba940f017b17652849a71db35",
            "a0ba9f936cda311827a6f796ffd5198c",
            100,
        ),
        (
            PrfHash::Sha384,
            "b80b733d6ceefcdc71566ea48e5567df",
            "cd665cf6a8447dd6ff8b27555edb7465",
            148,
        ),
    ] {
        let secret = hex::decode(secret).unwrap();
        let seed = hex::decode(seed).unwrap();
        let mut ours = vec![0u8; len];
        prf::prf(hash, &secret, b"test label", &seed, &mut ours);
        assert_eq!(ours, openssl_prf(hash, &secret, b"test label", &seed, len));
    }
}

#[test]
fn key_schedule_agrees_with_openssl() {
    if !openssl_available() {
        return;
    }
    let suites = [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];
    for suite in suites {
        let hash = suite.prf_hash();
        let pre_master: [u8; 32] = CryptoProvider::default().random_array().unwrap();
        let cr: [u8; 32] = CryptoProvider::default().random_array().unwrap();
        let sr: [u8; 32] = CryptoProvider::default().random_array().unwrap();
        let mut session_hash = vec![0u8; hash.output_len()];
        CryptoProvider::default()
            .fill_random(&mut session_hash)
            .unwrap();
        let crsr = [cr.as_slice(), sr.as_slice()].concat();
        let srcr = [sr.as_slice(), cr.as_slice()].concat();

        // Master secret (RFC 5246 8.1).
        let ms = prf::master_secret(hash, &pre_master, &cr, &sr);
        assert_eq!(
            ms.as_bytes().as_slice(),
            openssl_prf(hash, &pre_master, b"master secret", &crsr, 48),
            "{suite}"
        );

        // Extended master secret (RFC 7627 4).
        let ems = prf::extended_master_secret(hash, &pre_master, &session_hash);
        assert_eq!(
            ems.as_bytes().as_slice(),
            openssl_prf(
                hash,
                &pre_master,
                b"extended master secret",
                &session_hash,
                48
            ),
            "{suite}"
        );

        // Key block (RFC 5246 6.3), in the RFC's order.
        let kb = prf::key_block(suite, &ems, &cr, &sr);
        let layout = suite.key_block_layout();
        let expected = openssl_prf(
            hash,
            ems.as_bytes(),
            b"key expansion",
            &srcr,
            layout.total_len(),
        );
        let ours = [
            kb.client_write.mac_key.as_slice(),
            kb.server_write.mac_key.as_slice(),
            kb.client_write.enc_key.as_slice(),
            kb.server_write.enc_key.as_slice(),
            kb.client_write.fixed_iv.as_slice(),
            kb.server_write.fixed_iv.as_slice(),
        ]
        .concat();
        assert_eq!(ours, expected, "{suite}");

        // Finished (RFC 5246 7.4.9).
        for (from_client, label) in [(true, &b"client finished"[..]), (false, b"server finished")] {
            assert_eq!(
                prf::verify_data(hash, &ms, from_client, &session_hash).as_slice(),
                openssl_prf(hash, ms.as_bytes(), label, &session_hash, 12),
                "{suite}"
            );
        }

        // Exporter with a context (RFC 5705 4).
        let mut exported = [0u8; 60];
        prf::export_keying_material(
            hash,
            &ms,
            b"EXTRACTOR-dtls_srtp",
            Some(b"ctx"),
            &cr,
            &sr,
            &mut exported,
        )
        .unwrap();
        let seed = [crsr.as_slice(), &[0, 3], b"ctx"].concat();
        assert_eq!(
            exported.as_slice(),
            openssl_prf(hash, ms.as_bytes(), b"EXTRACTOR-dtls_srtp", &seed, 60)
        );
    }
}

// --------------------------------------------------------------- ECDHE ---

/// SubjectPublicKeyInfo DER prefix for each group; the raw public key
/// follows (RFC 5480 section 2 for the NIST curves, RFC 8410 for X25519).
fn spki_prefix(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::X25519 => "302a300506032b656e032100",
        NamedGroup::Secp256r1 => "3059301306072a8648ce3d020106082a8648ce3d030107034200",
        NamedGroup::Secp384r1 => "3076301006072a8648ce3d020106052b81040022036200",
        NamedGroup::Secp521r1 => "30819b301006072a8648ce3d020106052b8104002303818600",
        _ => unreachable!("no other groups are implemented"),
    }
}

#[test]
fn x25519_against_the_rfc7748_key_pair() {
    if !openssl_available() {
        return;
    }
    // RFC 7748 section 6.1: Alice's and Bob's keys and the shared secret.
    // ring will not take a fixed private key, so we play Bob with a fresh
    // key and let OpenSSL play Alice with her RFC private key.
    let alice_private = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    let alice_public = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    let bob_public = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    let k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    let dir = Scratch::new("x25519");
    // PKCS#8 envelope of an X25519 private key (RFC 8410 section 7).
    let alice = dir.write(
        "alice.der",
        &hex::decode(format!("302e020100300506032b656e04220420{alice_private}")).unwrap(),
    );
    let bob = dir.write(
        "bob.der",
        &hex::decode(format!("{}{bob_public}", spki_prefix(NamedGroup::X25519))).unwrap(),
    );
    // Sanity: OpenSSL reproduces the RFC's K from the RFC's keys.
    let rfc_k = openssl_derive(&[&alice, "-keyform", "DER"], &bob);
    assert_eq!(hex::encode(rfc_k), k);

    let ours = CryptoProvider::default()
        .start_key_exchange(NamedGroup::X25519)
        .unwrap();
    let our_spki = dir.write(
        "ours.der",
        &hex::decode(format!(
            "{}{}",
            spki_prefix(NamedGroup::X25519),
            hex::encode(ours.public_key())
        ))
        .unwrap(),
    );
    let theirs = openssl_derive(&[&alice, "-keyform", "DER"], &our_spki);
    let shared = ours.agree(&hex::decode(alice_public).unwrap()).unwrap();
    assert_eq!(shared.as_bytes(), theirs.as_slice());
}

/// The shared secret OpenSSL derives from the private key `inkey` (its path
/// and any `-keyform`) and the DER public key at `peer_der`.
fn openssl_derive(inkey: &[&str], peer_der: &str) -> Vec<u8> {
    let args = [&["pkeyutl", "-derive", "-inkey"][..], inkey];
    openssl(
        &[
            &args.concat()[..],
            &["-peerkey", peer_der, "-peerform", "DER"],
        ]
        .concat(),
    )
}

#[test]
fn ecdhe_against_openssl_peers() {
    if !openssl_available() {
        return;
    }
    let dir = Scratch::new("ecdhe");
    for (group, curve) in [
        (NamedGroup::X25519, None),
        (NamedGroup::Secp256r1, Some("P-256")),
        (NamedGroup::Secp384r1, Some("P-384")),
        (NamedGroup::Secp521r1, Some("P-521")),
    ] {
        let peer = dir.path(&format!("peer-{}.pem", group.to_u16()));
        match curve {
            Some(c) => openssl(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{c}"),
                "-out",
                &peer,
            ]),
            None => openssl(&["genpkey", "-algorithm", "X25519", "-out", &peer]),
        };
        let peer_spki = openssl(&["pkey", "-in", &peer, "-pubout", "-outform", "DER"]);
        let peer_point = &peer_spki[peer_spki.len() - group.public_key_len()..];
        assert_eq!(
            hex::encode(&peer_spki[..peer_spki.len() - peer_point.len()]),
            spki_prefix(group)
        );

        let ours = CryptoProvider::default().start_key_exchange(group).unwrap();
        let our_spki = dir.write(
            &format!("ours-{}.der", group.to_u16()),
            &[
                hex::decode(spki_prefix(group)).unwrap(),
                ours.public_key().to_vec(),
            ]
            .concat(),
        );
        let theirs = openssl_derive(&[&peer], &our_spki);
        let shared = ours.agree(peer_point).unwrap();
        assert_eq!(shared.as_bytes(), theirs.as_slice(), "{group}");
    }
}

// ---------------------------------------------------------- signatures ---

fn load_key(pem_path: &str) -> Result<SigningKey, Error> {
    let pem = std::fs::read(pem_path).unwrap();
    let der = PrivateKeyDer::from_pem_slice(&pem).unwrap();
    SigningKey::from_der(&der)
}

fn self_signed_cert(dir: &Scratch, key: &str, name: &str) -> Vec<u8> {
    let out = dir.path(&format!("{name}.crt.der"));
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        key,
        "-subj",
        "/CN=interop",
        "-days",
        "1",
        "-outform",
        "DER",
        "-out",
        &out,
    ]);
    std::fs::read(out).unwrap()
}

fn spki_key_bits(cert: &[u8]) -> Vec<u8> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).unwrap();
    parsed.public_key().subject_public_key.data.to_vec()
}

fn digest_flag(scheme: SignatureScheme) -> &'static str {
    use SignatureScheme as S;
    match scheme {
        S::EcdsaSecp256r1Sha256 | S::RsaPkcs1Sha256 | S::RsaPssRsaeSha256 => "-sha256",
        S::EcdsaSecp384r1Sha384 | S::RsaPkcs1Sha384 | S::RsaPssRsaeSha384 => "-sha384",
        S::EcdsaSecp521r1Sha512 | S::RsaPkcs1Sha512 | S::RsaPssRsaeSha512 => "-sha512",
        S::RsaPkcs1Sha1 | S::EcdsaSha1 => "-sha1",
        _ => "",
    }
}

/// Extra `openssl dgst` options for RSA-PSS as TLS uses it: salt length
/// equal to the hash length (RFC 8446 section 4.2.3).
fn pss_opts(scheme: SignatureScheme) -> &'static [&'static str] {
    use SignatureScheme as S;
    match scheme {
        S::RsaPssRsaeSha256 | S::RsaPssRsaeSha384 | S::RsaPssRsaeSha512 => &[
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ],
        _ => &[],
    }
}

/// OpenSSL signs `msg_path` with `key` under `scheme`; returns the signature.
fn openssl_sign(dir: &Scratch, key: &str, scheme: SignatureScheme, msg: &str) -> Vec<u8> {
    let sig = dir.path("openssl.sig");
    if scheme == SignatureScheme::Ed25519 {
        openssl(&[
            "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", msg, "-out", &sig,
        ]);
    } else {
        let mut args = vec!["dgst", digest_flag(scheme), "-sign", key, "-out", &sig];
        args.extend_from_slice(pss_opts(scheme));
        args.push(msg);
        openssl(&args);
    }
    std::fs::read(sig).unwrap()
}

/// Whether OpenSSL accepts `sig` over `msg_path` with the key's public half.
fn openssl_verifies(
    dir: &Scratch,
    key: &str,
    scheme: SignatureScheme,
    msg: &str,
    sig: &[u8],
) -> bool {
    let pub_path = dir.path("pub.pem");
    openssl(&["pkey", "-in", key, "-pubout", "-out", &pub_path]);
    let sig_path = dir.write("ours.sig", sig);
    if scheme == SignatureScheme::Ed25519 {
        openssl_ok(&[
            "pkeyutl", "-verify", "-pubin", "-inkey", &pub_path, "-rawin", "-in", msg, "-sigfile",
            &sig_path,
        ])
    } else {
        let mut args = vec![
            "dgst",
            digest_flag(scheme),
            "-verify",
            &pub_path,
            "-signature",
            &sig_path,
        ];
        args.extend_from_slice(pss_opts(scheme));
        args.push(msg);
        openssl_ok(&args)
    }
}

#[test]
fn signing_keys_from_openssl_interoperate() {
    let msg_bytes = b"client_random || server_random || ServerECDHParams";
    let Some((dir, msg)) = Scratch::with_message("sign", msg_bytes) else {
        return;
    };

    let cases: [(&str, &[&str], KeyType); 7] = [
        (
            "p256-pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
            KeyType::EcdsaP256,
        ),
        (
            "p256-sec1",
            &["ecparam", "-name", "prime256v1", "-genkey", "-noout"],
            KeyType::EcdsaP256,
        ),
        (
            "p384-pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
            ],
            KeyType::EcdsaP384,
        ),
        (
            "p384-sec1",
            &["ecparam", "-name", "secp384r1", "-genkey", "-noout"],
            KeyType::EcdsaP384,
        ),
        (
            "rsa2048-pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            KeyType::Rsa { bits: 2048 },
        ),
        (
            "rsa3072-pkcs1",
            &["genrsa", "-traditional", "3072"],
            KeyType::Rsa { bits: 3072 },
        ),
        (
            "ed25519",
            &["genpkey", "-algorithm", "ED25519"],
            KeyType::Ed25519,
        ),
    ];
    for (name, gen_args, key_type) in cases {
        let key_path = dir.path(&format!("{name}.pem"));
        // "-out" right after the command: genrsa wants the size last.
        let mut args = gen_args.to_vec();
        args.splice(1..1, ["-out", key_path.as_str()]);
        openssl(&args);
        let pem = std::fs::read_to_string(&key_path).unwrap();
        // Make sure the encoding under test is really the one we meant.
        let label = if name.ends_with("sec1") {
            "-----BEGIN EC PRIVATE KEY-----"
        } else if name.ends_with("pkcs1") {
            "-----BEGIN RSA PRIVATE KEY-----"
        } else {
            "-----BEGIN PRIVATE KEY-----"
        };
        assert!(pem.contains(label), "{name}: {pem}");

        let key = load_key(&key_path).unwrap();
        assert_eq!(key.key_type(), key_type, "{name}");
        let cert = self_signed_cert(&dir, &key_path, name);
        assert_eq!(key.public_key(), spki_key_bits(&cert).as_slice(), "{name}");
        // The raw public key (RFC 7250) we send is OpenSSL's
        // SubjectPublicKeyInfo of the same key, byte for byte.
        let spki = openssl(&["pkey", "-in", &key_path, "-pubout", "-outform", "DER"]);
        assert_eq!(key.subject_public_key_info(), spki, "{name}");

        for &scheme in key.supported_schemes() {
            // We sign; we and OpenSSL verify.
            let sig = key.sign(scheme, msg_bytes).unwrap();
            verify_signature(scheme, &cert, msg_bytes, &sig).unwrap();
            verify_raw_key_signature(scheme, &spki, msg_bytes, &sig).unwrap();
            assert!(
                openssl_verifies(&dir, &key_path, scheme, &msg, &sig),
                "{name} {scheme}"
            );
            let mut tampered = sig.clone();
            tampered[sig.len() / 3] ^= 0x01;
            assert_eq!(
                verify_signature(scheme, &cert, msg_bytes, &tampered),
                Err(Error::BadSignature),
                "{name} {scheme}"
            );
            assert_eq!(
                verify_signature(scheme, &cert, b"another message", &sig),
                Err(Error::BadSignature),
                "{name} {scheme}"
            );
            assert_eq!(
                verify_raw_key_signature(scheme, &spki, msg_bytes, &tampered),
                Err(Error::BadSignature),
                "{name} {scheme}"
            );
            // OpenSSL signs; we verify.
            let theirs = openssl_sign(&dir, &key_path, scheme, &msg);
            verify_signature(scheme, &cert, msg_bytes, &theirs).unwrap();
        }

        // TLS 1.2 ECDSA code points are not bound to the curve
        // (RFC 8422 5.1.3): OpenSSL signs with the "other" hash, we verify.
        if matches!(key_type, KeyType::EcdsaP256 | KeyType::EcdsaP384) {
            for scheme in [
                SignatureScheme::EcdsaSecp256r1Sha256,
                SignatureScheme::EcdsaSecp384r1Sha384,
            ] {
                let theirs = openssl_sign(&dir, &key_path, scheme, &msg);
                verify_signature(scheme, &cert, msg_bytes, &theirs).unwrap();
            }
        }
        // RSA with SHA-1 verifies (legacy, verification only).
        if matches!(key_type, KeyType::Rsa { .. }) {
            let theirs = openssl_sign(&dir, &key_path, SignatureScheme::RsaPkcs1Sha1, &msg);
            verify_signature(SignatureScheme::RsaPkcs1Sha1, &cert, msg_bytes, &theirs).unwrap();
            assert_eq!(
                key.sign(SignatureScheme::RsaPkcs1Sha1, msg_bytes),
                Err(Error::UnsupportedSignatureScheme(0x0201))
            );
        }
    }
}

#[test]
fn p521_certificates_verify_but_keys_are_refused() {
    let msg_bytes = b"CertificateVerify transcript";
    let Some((dir, msg)) = Scratch::with_message("p521", msg_bytes) else {
        return;
    };
    let pkcs8 = dir.path("p521.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-521",
        "-out",
        &pkcs8,
    ]);
    let sec1 = dir.path("p521-sec1.pem");
    openssl(&["ec", "-in", &pkcs8, "-out", &sec1]);
    assert!(
        std::fs::read_to_string(&sec1)
            .unwrap()
            .contains("BEGIN EC PRIVATE KEY")
    );
    for path in [&pkcs8, &sec1] {
        let e = load_key(path).unwrap_err();
        assert!(
            matches!(&e, Error::BadPrivateKey(m) if m.contains("P-521") && m.contains("not supported")),
            "{e}"
        );
    }
    let cert = self_signed_cert(&dir, &pkcs8, "p521");
    for scheme in [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::EcdsaSecp521r1Sha512,
    ] {
        let sig = openssl_sign(&dir, &pkcs8, scheme, &msg);
        verify_signature(scheme, &cert, msg_bytes, &sig).unwrap();
        assert_eq!(
            verify_signature(scheme, &cert, b"other", &sig),
            Err(Error::BadSignature)
        );
        let mut tampered = sig.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        assert_eq!(
            verify_signature(scheme, &cert, msg_bytes, &tampered),
            Err(Error::BadSignature)
        );
    }
}
