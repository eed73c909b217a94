//! Certificate loading from bytes: every blob store type the seed has
//! (PFX, JKS, PEM with a key, public-key PEM/DER/Base64, SSH, PKCS#7),
//! with and without a password, and then every field the seed shows.
//! The first byte picks the store type (bits 0-6) and the password
//! `changeit` (bit 7). Must never panic; what loads must describe itself.
#![no_main]

use dtls_crypto::cert::{CertStoreType, Certificate, StoreSource};
use dtls_server::CertificateFields;
use libfuzzer_sys::fuzz_target;

const BLOBS: [CertStoreType; 6] = [
    CertStoreType::PfxBlob,
    CertStoreType::JksBlob,
    CertStoreType::PemKeyBlob,
    CertStoreType::PublicKeyBlob,
    CertStoreType::SshPublicKeyBlob,
    CertStoreType::P7bBlob,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, store)) = data.split_first() else {
        return;
    };
    let store_type = BLOBS[usize::from(selector & 0x7f) % BLOBS.len()];
    let password = if selector & 0x80 != 0 { "changeit" } else { "" };
    let Ok(cert) = Certificate::from_store(store_type, StoreSource::Bytes(store), password, "*")
    else {
        return;
    };
    let _ = (cert.subject(), cert.issuer(), cert.serial_number());
    let _ = (cert.effective_date(), cert.expiration_date(), cert.usage());
    let _ = (
        cert.public_key(),
        cert.public_key_length(),
        cert.signature_algorithm(),
    );
    let _ = (
        cert.subject_alt_names(),
        cert.fingerprint_sha256(),
        cert.private_key(),
    );
    let _ = dtls_core::config::Identity::from_certificate(&cert);
});
