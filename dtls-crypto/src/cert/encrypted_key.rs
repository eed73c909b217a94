//! Password-protected private keys: PKCS#8 `EncryptedPrivateKeyInfo`
//! (RFC 5958 3, PBES2 from RFC 8018 6.2: what `openssl pkcs8 -topk8` and
//! `openssl genpkey -aes256` write), as PEM `ENCRYPTED PRIVATE KEY` blocks
//! or DER, decrypted with the store password (the seed's StorePassword).
//! The legacy OpenSSL scheme (`Proc-Type: 4,ENCRYPTED` headers, an MD5 key
//! derivation) is refused with the command that converts it.

use pkcs8::EncryptedPrivateKeyInfoRef;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::Error;

const BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// Whether `text` holds a PEM key encrypted the legacy OpenSSL way.
pub(super) fn is_legacy_encrypted_pem(text: &str) -> bool {
    text.contains("Proc-Type: 4,ENCRYPTED")
}

/// Why a legacy encrypted PEM key is refused, and how to convert it.
pub(super) const LEGACY_REFUSAL: &str = "PEM keys encrypted the legacy OpenSSL way \
    (Proc-Type: 4,ENCRYPTED, an MD5 key derivation) are not supported; convert the key to \
    PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key8.pem`, which this \
    server opens with the store password";

/// The DER of every `ENCRYPTED PRIVATE KEY` block of PEM `text`.
pub(super) fn pem_blocks(text: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            return Err(Error::BadPrivateKey(
                "an ENCRYPTED PRIVATE KEY block has no END line (truncated file?)".into(),
            ));
        };
        let end = start + len + END.len();
        let (_, der) = pkcs8::der::pem::decode_vec(&rest.as_bytes()[start..end]).map_err(|e| {
            Error::BadPrivateKey(format!("ENCRYPTED PRIVATE KEY: {e} (damaged PEM?)"))
        })?;
        blocks.push(der);
        rest = &rest[end..];
    }
    Ok(blocks)
}

/// Whether `der` is a PKCS#8 `EncryptedPrivateKeyInfo`.
pub(super) fn is_encrypted_key_der(der: &[u8]) -> bool {
    EncryptedPrivateKeyInfoRef::try_from(der).is_ok()
}

/// Decrypts an `EncryptedPrivateKeyInfo` with `password`.
pub(super) fn decrypt(der: &[u8], password: &str) -> Result<PrivateKeyDer<'static>, Error> {
    let info = EncryptedPrivateKeyInfoRef::try_from(der)
        .map_err(|e| Error::BadPrivateKey(format!("ENCRYPTED PRIVATE KEY is not PKCS#8: {e}")))?;
    let plain = info.decrypt(password).map_err(|e| {
        Error::BadPrivateKey(if password.is_empty() {
            "the private key is encrypted: give its password as the store password \
             (StorePassword)"
                .into()
        } else {
            format!("cannot decrypt the private key with the store password (wrong password?): {e}")
        })
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}
