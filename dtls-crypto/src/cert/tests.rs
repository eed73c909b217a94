#![allow(clippy::unwrap_used)]

use super::*;
use crate::pfx::fixtures::*;
use sha2::{Digest, Sha256};

/// `aa:bb:...`, as openssl prints fingerprints.
fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn pem_blob(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn store_type_codes_match_the_seed() {
    use CertStoreType::*;
    let seed = [
        (User, 0),
        (PfxFile, 2),
        (PemKeyBlob, 7),
        (JwkBlob, 19),
        (BcfksFile, 21),
    ];
    for (t, code) in seed.into_iter().chain([(Pkcs11, 23), (Auto, 99)]) {
        assert_eq!(CertStoreType::from_code(code), Some(t), "{code}");
    }
    assert_eq!(CertStoreType::from_code(20), None);
    for t in CertStoreType::ALL {
        assert_eq!(CertStoreType::from_code(t.code()), Some(t));
        assert!(t.name().starts_with("cst"));
    }
}

#[test]
fn unsupported_store_types_say_why() {
    for t in [
        CertStoreType::User,
        CertStoreType::Machine,
        CertStoreType::JksFile,
        CertStoreType::PpkBlob,
        CertStoreType::XmlFile,
        CertStoreType::JwkBlob,
        CertStoreType::BcfksBlob,
        CertStoreType::Pkcs11,
        CertStoreType::SshPublicKeyFile,
        CertStoreType::P7bBlob,
    ] {
        match Certificate::from_store(t, StoreSource::Bytes(b"x"), "", "*") {
            Err(Error::UnsupportedStore(msg)) => {
                assert!(msg.starts_with(t.name()), "{msg}");
                assert!(msg.len() > t.name().len() + 10, "{msg}");
            }
            other => panic!("{t:?}: {other:?}"),
        }
        assert!(!t.is_supported());
    }
}

#[test]
fn missing_file_names_the_path() {
    let p = Path::new("/nonexistent/dir/server.pfx");
    match Certificate::from_store(CertStoreType::PfxFile, StoreSource::Path(p), "pw", "*") {
        Err(Error::Io { path, .. }) => assert_eq!(path, "/nonexistent/dir/server.pfx"),
        other => panic!("{other:?}"),
    }
    match Certificate::from_pem_files(Path::new("/nonexistent/c.pem"), p) {
        Err(Error::Io { path, .. }) => assert_eq!(path, "/nonexistent/c.pem"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn fields_from_openssl_certificate() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-fields");
    let d = &dir.0;
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "30",
            "-subj",
            "/C=US/ST=North Carolina/O=Acme, Inc./CN=www.server.com",
            "-addext",
            "subjectAltName=DNS:www.server.com,IP:127.0.0.1,email:a@b.example",
            "-addext",
            "keyUsage=critical,digitalSignature,keyAgreement",
            "-addext",
            "extendedKeyUsage=serverAuth,clientAuth",
            "-set_serial",
            "0x01020304",
        ],
    );
    let cert = Certificate::from_store(
        CertStoreType::PemKeyFile,
        StoreSource::Path(&dir.path("c.pem")),
        "",
        "*",
    );
    // c.pem has no key: PemKeyFile with certificate only still loads.
    let cert = cert.unwrap();
    assert!(!cert.private_key_available());
    assert!(matches!(
        cert.require_private_key(),
        Err(Error::NoPrivateKey)
    ));
    assert_eq!(
        cert.subject(),
        "CN=www.server.com, O=\"Acme, Inc.\", S=North Carolina, C=US"
    );
    assert_eq!(cert.issuer(), cert.subject());
    assert_eq!(cert.serial(), [1, 2, 3, 4]);
    assert_eq!(cert.x509_version(), 3);
    assert_eq!(cert.key_algorithm(), &KeyAlgorithm::Ec);
    assert_eq!(cert.public_key_bits(), 256);
    assert_eq!(
        cert.signature_algorithm_id().short_name.as_deref(),
        Some("ecdsa-with-SHA256")
    );
    assert_eq!(cert.signature_algorithm_id().oid, "1.2.840.10045.4.3.2");
    assert_eq!(
        cert.alt_names(),
        [
            SubjectAltName::Dns("www.server.com".into()),
            SubjectAltName::Ip([127, 0, 0, 1].into()),
            SubjectAltName::Email("a@b.example".into()),
        ]
    );
    assert_eq!(cert.dns_names().collect::<Vec<_>>(), ["www.server.com"]);
    assert_eq!(cert.key_usage().bits(), 0x88);
    assert!(cert.key_usage().contains(KeyUsage::DIGITAL_SIGNATURE));
    assert!(cert.key_usage().contains(KeyUsage::KEY_AGREEMENT));
    assert_eq!(
        cert.extended_key_usages(),
        ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
    );
    assert_eq!(
        cert.digests().sha256.to_vec(),
        Sha256::digest(cert.encoded()).to_vec()
    );
    assert_eq!(cert.spki_der().first(), Some(&0x30));
    assert!(cert.spki_der().ends_with(cert.spki_public_key()));
    assert!(cert.private_key_pem().is_none());
    assert_eq!(
        cert.not_after_unix() - cert.not_before_unix(),
        30 * 24 * 3600
    );
    // Cross-check the SHA-1 fingerprint and dates with openssl.
    let out = std::process::Command::new("openssl")
        .args([
            "x509",
            "-in",
            "c.pem",
            "-noout",
            "-fingerprint",
            "-sha1",
            "-startdate",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(text.contains(&colon_hex(&cert.digests().sha1)), "{text}");
    // The PEM round trip gives the same DER.
    let again = Certificate::from_encoded(cert.encoded_pem().as_bytes()).unwrap();
    assert_eq!(again.encoded(), cert.encoded());
    let again = Certificate::from_encoded(cert.encoded_base64().as_bytes()).unwrap();
    assert_eq!(again.encoded(), cert.encoded());
    let again = Certificate::from_der(cert.encoded()).unwrap();
    assert_eq!(again.subject(), cert.subject());
}

#[test]
fn pem_key_files_all_key_encodings_match() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-pem");
    let d = &dir.0;
    self_signed(d, "ec", "ec", "/CN=ec.example");
    self_signed(d, "rsa", "rsa", "/CN=rsa.example");
    self_signed(d, "ed", "ED25519", "/CN=ed.example");
    // SEC1 and PKCS#1 forms of the same keys, and a DER key.
    openssl(d, &["ec", "-in", "ec.key", "-out", "ec.sec1"]);
    openssl(
        d,
        &["rsa", "-in", "rsa.key", "-traditional", "-out", "rsa.pkcs1"],
    );
    openssl(
        d,
        &["pkey", "-in", "ec.key", "-outform", "DER", "-out", "ec.der"],
    );
    openssl(
        d,
        &["x509", "-in", "ec.crt", "-outform", "DER", "-out", "ec.cer"],
    );
    for (crt, key, cn) in [
        ("ec.crt", "ec.key", "CN=ec.example"),
        ("ec.crt", "ec.sec1", "CN=ec.example"),
        ("ec.cer", "ec.der", "CN=ec.example"),
        ("rsa.crt", "rsa.key", "CN=rsa.example"),
        ("rsa.crt", "rsa.pkcs1", "CN=rsa.example"),
        ("ed.crt", "ed.key", "CN=ed.example"),
    ] {
        let c = Certificate::from_pem_files(&dir.path(crt), &dir.path(key))
            .unwrap_or_else(|e| panic!("{crt} + {key}: {e}"));
        assert_eq!(c.subject(), cn);
        assert!(c.private_key_available());
        assert!(c.private_key_pem().unwrap().contains("PRIVATE KEY-----"));
        // Combined PEM blob (key first, then cert) through PemKeyBlob and Auto.
        if !crt.ends_with(".cer") {
            let mut blob = pem_blob(&dir.path(key));
            blob.extend(pem_blob(&dir.path(crt)));
            for t in [CertStoreType::PemKeyBlob, CertStoreType::Auto] {
                let c = Certificate::from_store(t, StoreSource::Bytes(&blob), "", cn).unwrap();
                assert!(c.private_key_available(), "{crt} {key} {t:?}");
            }
        }
    }
    let rsa = Certificate::from_file(&dir.path("rsa.crt")).unwrap();
    assert_eq!(rsa.key_algorithm(), &KeyAlgorithm::Rsa);
    assert_eq!(rsa.public_key_bits(), 2048);
    assert_eq!(
        rsa.signature_algorithm_id().short_name.as_deref(),
        Some("sha256WithRSAEncryption")
    );
    // DER certificate through Auto and PublicKeyFile.
    let der = Certificate::from_store(
        CertStoreType::Auto,
        StoreSource::Path(&dir.path("ec.cer")),
        "",
        "*",
    )
    .unwrap();
    assert_eq!(der.subject(), "CN=ec.example");
    assert!(Certificate::from_file(&dir.path("ec.cer")).is_ok());
    let ed = Certificate::from_file(&dir.path("ed.crt")).unwrap();
    assert_eq!(ed.key_algorithm(), &KeyAlgorithm::Ed25519);
}

#[test]
fn mismatched_key_is_refused() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-mismatch");
    let d = &dir.0;
    self_signed(d, "a", "ec", "/CN=a.example");
    self_signed(d, "b", "ec", "/CN=b.example");
    assert_eq!(
        Certificate::from_pem_files(&dir.path("a.crt"), &dir.path("b.key")).err(),
        Some(Error::KeyMismatch)
    );
    let mut blob = pem_blob(&dir.path("a.crt"));
    blob.extend(pem_blob(&dir.path("b.key")));
    assert_eq!(
        Certificate::from_store(
            CertStoreType::PemKeyBlob,
            StoreSource::Bytes(&blob),
            "",
            "*"
        )
        .err(),
        Some(Error::KeyMismatch)
    );
    // from_parts checks too.
    let a = Certificate::from_file(&dir.path("a.crt")).unwrap();
    let b = Certificate::from_pem_files(&dir.path("b.crt"), &dir.path("b.key")).unwrap();
    let key = b.private_key_der().unwrap().clone_key();
    assert_eq!(
        Certificate::from_parts(a.chain().to_vec(), Some(key)).err(),
        Some(Error::KeyMismatch)
    );
}

#[test]
fn unsupported_keys_are_named() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-unsupported");
    let d = &dir.0;
    self_signed(d, "ec", "ec", "/CN=ec.example");
    openssl(
        d,
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:1024",
            "-out",
            "dsa.param",
        ],
    );
    // Each key goes through the PEM-file path with a certificate of its own
    // (DSA with the EC one: the key is refused before the pair is matched).
    for (name, genpkey, expect) in [
        (
            "p521",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"][..],
            "P-521",
        ),
        (
            "rsa1024",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            "2048",
        ),
        ("ed448", &["-algorithm", "ED448"], "Ed448"),
        (
            "dsa",
            &["-paramfile", "dsa.param"],
            "DSA keys are not supported",
        ),
        ("rsapss", &["-algorithm", "RSA-PSS"], "RSASSA-PSS"),
        ("x25519", &["-algorithm", "X25519"], "X25519"),
    ] {
        let key = format!("{name}.key");
        // DSA, RSA-PSS and X25519 keys go with the EC certificate: they
        // are refused before the pair is matched.
        let refused_early = ["dsa", "rsapss", "x25519"].contains(&name);
        let crt = if refused_early {
            "ec.crt".to_string()
        } else {
            format!("{name}.crt")
        };
        openssl(d, &[&["genpkey", "-out", &key][..], genpkey].concat());
        if !refused_early {
            let subj = format!("/CN={name}");
            openssl(
                d,
                &[
                    "req", "-x509", "-new", "-key", &key, "-out", &crt, "-days", "1", "-subj",
                    &subj,
                ],
            );
        }
        match Certificate::from_pem_files(&dir.path(&crt), &dir.path(&key)) {
            Err(Error::BadPrivateKey(msg)) => assert!(msg.contains(expect), "{name}: {msg}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // An encrypted key file without a password (from_pem_files has none):
    // the message says where the password goes.
    openssl(
        d,
        &[
            "pkey", "-in", "ec.key", "-aes256", "-passout", "pass:x", "-out", "enc.key",
        ],
    );
    match Certificate::from_pem_files(&dir.path("ec.crt"), &dir.path("enc.key")) {
        Err(Error::BadPrivateKey(msg)) => assert!(msg.contains("StorePassword"), "{msg}"),
        other => panic!("encrypted: {other:?}"),
    }
}

#[test]
fn pem_without_certificate_and_truncated_files() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-nocert");
    let d = &dir.0;
    self_signed(d, "ec", "ec", "/CN=ec.example");
    match Certificate::from_store(
        CertStoreType::PemKeyFile,
        StoreSource::Path(&dir.path("ec.key")),
        "",
        "*",
    ) {
        Err(Error::MalformedCertificate(msg)) => {
            assert!(msg.contains("no CERTIFICATE"), "{msg}");
            assert!(msg.contains("ec.key"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    match Certificate::from_pem_files(&dir.path("ec.key"), &dir.path("ec.key")) {
        Err(Error::MalformedCertificate(msg)) => {
            assert!(msg.contains("no CERTIFICATE"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    let pem = pem_blob(&dir.path("ec.crt"));
    let cut = &pem[..pem.len() - 40];
    match Certificate::from_store(
        CertStoreType::PublicKeyBlob,
        StoreSource::Bytes(cut),
        "",
        "*",
    ) {
        Err(Error::MalformedCertificate(msg)) => assert!(msg.contains("PEM"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let der = Certificate::from_file(&dir.path("ec.crt"))
        .unwrap()
        .encoded()
        .to_vec();
    for t in [CertStoreType::PublicKeyBlob, CertStoreType::Auto] {
        match Certificate::from_store(t, StoreSource::Bytes(&der[..der.len() - 5]), "", "*") {
            Err(Error::MalformedCertificate(_)) => {}
            other => panic!("{t:?}: {other:?}"),
        }
    }
    match Certificate::from_store(
        CertStoreType::Auto,
        StoreSource::Bytes(b"garbage!"),
        "",
        "*",
    ) {
        Err(Error::MalformedCertificate(msg)) => assert!(msg.contains("unrecognised"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pfx_stores_and_subject_selection() {
    if !openssl_available() {
        return;
    }
    let dir = TempDir::new("cert-pfx");
    let d = &dir.0;
    ca_and_leaf(d);
    export_pfx(
        d,
        "chain.pfx",
        "leaf.crt",
        Some("leaf.key"),
        &["-certfile", "ca.crt", "-name", "my server"],
    );
    export_pfx(d, "legacy.pfx", "leaf.crt", Some("leaf.key"), &["-legacy"]);
    export_pfx(d, "nokeys.pfx", "leaf.crt", None, &["-certfile", "ca.crt"]);
    let pfx = dir.path("chain.pfx");
    let open = |subject: &str| {
        Certificate::from_store(
            CertStoreType::PfxFile,
            StoreSource::Path(&pfx),
            "pw",
            subject,
        )
    };
    let leaf = open("*").unwrap();
    assert_eq!(leaf.subject(), "CN=leaf.example, O=Test Org");
    assert_eq!(leaf.issuer(), "CN=Test Root CA, O=Test Org");
    assert_eq!(leaf.serial(), [0x12, 0x34]);
    assert_eq!(leaf.chain().len(), 2);
    assert!(leaf.private_key_available());
    assert_eq!(leaf.friendly_name(), Some("my server"));
    assert_eq!(leaf.store_type(), Some(CertStoreType::PfxFile));
    // Exact DN, either RDN order, spaces ignored.
    assert_eq!(
        open("CN=leaf.example, O=Test Org").unwrap().encoded(),
        leaf.encoded()
    );
    assert_eq!(
        open("O=Test Org,CN=leaf.example").unwrap().encoded(),
        leaf.encoded()
    );
    // Partial, case-insensitive.
    assert_eq!(open("leaf.EXAMPLE").unwrap().encoded(), leaf.encoded());
    // "Test Org" matches both; the one with a key wins.
    assert!(open("O=Test Org").unwrap().private_key_available());
    // The CA can be selected; it has no key in this store.
    let ca = open("CN=Test Root CA").unwrap();
    assert_eq!(ca.subject(), "CN=Test Root CA, O=Test Org");
    assert_eq!(ca.chain().len(), 1);
    assert!(!ca.private_key_available());
    assert_eq!(ca.require_private_key().err(), Some(Error::NoPrivateKey));
    // Thumbprints: MD5, SHA-1, SHA-256, with colons and upper case.
    for t in [
        hex::encode(leaf.digests().md5),
        colon_hex(&leaf.digests().sha1).to_uppercase(),
        hex::encode(leaf.digests().sha256),
    ] {
        let c = open(&format!("Thumbprint={t}")).unwrap();
        assert_eq!(c.encoded(), leaf.encoded());
    }
    assert_eq!(
        open("Thumbprint=00112233").err(),
        Some(Error::NoMatchingCertificate("Thumbprint=00112233".into()))
    );
    assert_eq!(
        open("Thumbpr\u{e9}nt=x").err(),
        Some(Error::NoMatchingCertificate("Thumbpr\u{e9}nt=x".into()))
    );
    assert_eq!(
        open("CN=nobody").err(),
        Some(Error::NoMatchingCertificate("CN=nobody".into()))
    );
    // Wrong password, blob, Base64 blob, Auto.
    assert_eq!(
        Certificate::from_store(CertStoreType::PfxFile, StoreSource::Path(&pfx), "nope", "*").err(),
        Some(Error::WrongPassword)
    );
    let bytes = std::fs::read(&pfx).unwrap();
    let b64 = BASE64.encode(&bytes);
    for (t, data) in [
        (CertStoreType::PfxBlob, bytes.as_slice()),
        (CertStoreType::PfxBlob, b64.as_bytes()),
        (CertStoreType::Auto, bytes.as_slice()),
        (CertStoreType::Auto, b64.as_bytes()),
    ] {
        let c = Certificate::from_store(t, StoreSource::Bytes(data), "pw", "*").unwrap();
        assert!(c.private_key_available(), "{t:?}");
    }
    // Truncated PFX.
    match Certificate::from_store(
        CertStoreType::PfxBlob,
        StoreSource::Bytes(&bytes[..bytes.len() / 2]),
        "pw",
        "*",
    ) {
        Err(Error::MalformedCertificate(msg)) => assert!(msg.starts_with("PKCS#12: "), "{msg}"),
        other => panic!("{other:?}"),
    }
    // Legacy PFX via Auto from a file.
    let c = Certificate::from_store(
        CertStoreType::Auto,
        StoreSource::Path(&dir.path("legacy.pfx")),
        "pw",
        "*",
    )
    .unwrap();
    assert!(c.private_key_available());
    // Store without key: loads, but the key is not there.
    let c = Certificate::from_store(
        CertStoreType::PfxFile,
        StoreSource::Path(&dir.path("nokeys.pfx")),
        "pw",
        "leaf",
    )
    .unwrap();
    assert_eq!(c.require_private_key().err(), Some(Error::NoPrivateKey));
    // Encoded certificate + store: the store's key is found for it.
    let c = Certificate::from_store_with_encoded(
        CertStoreType::PfxFile,
        StoreSource::Path(&pfx),
        "pw",
        &pem_blob(&dir.path("leaf.crt")),
    )
    .unwrap();
    assert!(c.private_key_available());
}
