//! Opening certificate stores: PKCS#12, PEM and DER files or bytes, Base64
//! text, and auto-detection between them.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use zeroize::Zeroizing;

use super::encrypted_key;
use super::facts::{Fields, compute_fields};
use super::store_type::{CertStoreType, StoreSource};
use crate::Error;
use crate::der::{self, oid};
use crate::pfx::PfxStore;

/// One certificate found in a store, before selection.
pub(super) struct StoreCert {
    pub(super) der: CertificateDer<'static>,
    pub(super) friendly_name: Option<String>,
    pub(super) local_key_id: Option<Vec<u8>>,
    pub(super) f: Fields,
}

/// One private key found in a store, before selection.
pub(super) struct StoreKey {
    pub(super) der: PrivateKeyDer<'static>,
    pub(super) local_key_id: Option<Vec<u8>>,
}

/// The content of an opened store.
#[derive(Default)]
pub(super) struct Store {
    pub(super) certs: Vec<StoreCert>,
    pub(super) keys: Vec<StoreKey>,
}

pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

pub(super) fn with_context(e: Error, what: &str) -> Error {
    match e {
        Error::MalformedCertificate(m) => Error::MalformedCertificate(format!("{what}: {m}")),
        Error::BadPrivateKey(m) => Error::BadPrivateKey(format!("{what}: {m}")),
        other => other,
    }
}

pub(super) fn open_store(
    store_type: CertStoreType,
    source: StoreSource<'_>,
    password: &str,
) -> Result<Store, Error> {
    if let Some(why) = store_type.unsupported_reason() {
        return Err(Error::UnsupportedStore(format!(
            "{}: {why}",
            store_type.name()
        )));
    }
    let (data, origin): (Zeroizing<Vec<u8>>, Option<PathBuf>) = match source {
        StoreSource::Path(p) => (Zeroizing::new(read_file(p)?), Some(p.to_path_buf())),
        StoreSource::Bytes(b) => (Zeroizing::new(b.to_vec()), None),
    };
    let result = match store_type {
        CertStoreType::PfxFile | CertStoreType::PfxBlob => open_pfx(&data, password),
        CertStoreType::PemKeyFile | CertStoreType::PemKeyBlob => {
            parse_pem_or_der(&data, Some(password))
        }
        CertStoreType::PublicKeyFile | CertStoreType::PublicKeyBlob => {
            parse_pem_or_der(&data, None)
        }
        _ => open_auto(&data, password),
    };
    let store = match (result, &origin) {
        (Err(e), Some(p)) => return Err(with_context(e, &p.display().to_string())),
        (r, _) => r?,
    };
    if store.certs.is_empty() {
        let what = origin
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "store data".into());
        return Err(if store.keys.is_empty() {
            Error::MalformedCertificate(format!("{what}: no certificate found"))
        } else {
            Error::MalformedCertificate(format!(
                "{what}: a private key but no CERTIFICATE was found; the certificate is needed too"
            ))
        });
    }
    Ok(store)
}

pub(super) fn open_pfx(data: &[u8], password: &str) -> Result<Store, Error> {
    let decoded;
    let data = if looks_like_pfx(data) {
        data
    } else if let Some(d) = decode_base64_text(data) {
        decoded = Zeroizing::new(d);
        &decoded[..]
    } else {
        data
    };
    let pfx = PfxStore::parse(data, password)?;
    let mut store = Store::default();
    for c in pfx.certificates {
        let f = compute_fields(&c.der)?;
        store.certs.push(StoreCert {
            der: c.der,
            friendly_name: c.friendly_name,
            local_key_id: c.local_key_id,
            f,
        });
    }
    for k in pfx.keys {
        if store.certs.iter().all(|c| c.friendly_name.is_none()) {
            // A key's friendly name is the entry's name; keep it for the cert.
            if let (Some(name), Some(id)) = (&k.friendly_name, &k.local_key_id)
                && let Some(c) = store
                    .certs
                    .iter_mut()
                    .find(|c| c.local_key_id.as_ref() == Some(id))
            {
                c.friendly_name = Some(name.clone());
            }
        }
        store.keys.push(StoreKey {
            der: PrivateKeyDer::Pkcs8(k.der),
            local_key_id: k.local_key_id,
        });
    }
    Ok(store)
}

pub(super) fn open_auto(data: &[u8], password: &str) -> Result<Store, Error> {
    if looks_like_pem(data) {
        return parse_pem_or_der(data, Some(password));
    }
    if looks_like_pfx(data) {
        return open_pfx(data, password);
    }
    if data.first() == Some(&0x30) {
        return parse_pem_or_der(data, Some(password));
    }
    if let Some(decoded) = decode_base64_text(data) {
        let decoded = Zeroizing::new(decoded);
        if looks_like_pfx(&decoded) {
            return open_pfx(&decoded, password);
        }
        if decoded.first() == Some(&0x30) {
            return parse_pem_or_der(&decoded, Some(password));
        }
    }
    Err(Error::MalformedCertificate(
        "unrecognised data: not PKCS#12, PEM, or a DER certificate".into(),
    ))
}

pub(super) fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A PFX is `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data | pkcs7-signedData, ... } ... }`.
pub(super) fn looks_like_pfx(data: &[u8]) -> bool {
    let Some((0x30, body, _)) = der::read_lenient(data) else {
        return false;
    };
    let Some((0x02, version, rest)) = der::read_lenient(body) else {
        return false;
    };
    if version != [3] {
        return false;
    }
    let Some((0x30, content_info, _)) = der::read_lenient(rest) else {
        return false;
    };
    matches!(der::read_lenient(content_info), Some((0x06, oid, _))
        if oid.len() == 9 && oid[..8] == *oid::PKCS7_PREFIX && (oid[8] == 1 || oid[8] == 2))
}

/// Decodes Base64 text (whitespace ignored); `None` if it is not Base64.
pub(super) fn decode_base64_text(data: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return None;
    }
    BASE64.decode(&compact).ok()
}

/// The PEM text (RFC 7468) of `der` under `label`, in 64-column lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Parses PEM (certificates and, if `keys` is given, private keys,
/// encrypted ones opened with that password) or a single DER certificate /
/// DER private key, or Base64 of either.
pub(super) fn parse_pem_or_der(data: &[u8], keys: Option<&str>) -> Result<Store, Error> {
    let with_keys = keys.is_some();
    let mut store = Store::default();
    if !looks_like_pem(data) {
        let decoded;
        let der = if data.first() == Some(&0x30) {
            data
        } else if let Some(d) = decode_base64_text(data) {
            decoded = Zeroizing::new(d);
            &decoded[..]
        } else {
            return Err(Error::MalformedCertificate(
                "neither PEM nor DER data".into(),
            ));
        };
        if let Ok(f) = compute_fields(der) {
            store.certs.push(StoreCert {
                der: CertificateDer::from(der.to_vec()),
                friendly_name: None,
                local_key_id: None,
                f,
            });
            return Ok(store);
        }
        if let Some(password) = keys
            && encrypted_key::is_encrypted_key_der(der)
        {
            store.keys.push(StoreKey {
                der: encrypted_key::decrypt(der, password)?,
                local_key_id: None,
            });
            return Ok(store);
        }
        if with_keys && let Ok(key) = PrivateKeyDer::try_from(der) {
            store.keys.push(StoreKey {
                der: key.clone_key(),
                local_key_id: None,
            });
            return Ok(store);
        }
        if looks_like_pfx(der) {
            return Err(Error::MalformedCertificate(
                "this is a PKCS#12 (PFX) store; use a PFX store type or cstAuto".into(),
            ));
        }
        return Err(Error::MalformedCertificate(
            "DER data is neither an X.509 certificate nor a private key (truncated?)".into(),
        ));
    }
    refuse_unsupported_pem_keys(data)?;
    if let Some(password) = keys {
        for der in encrypted_key::pem_blocks(&String::from_utf8_lossy(data))? {
            store.keys.push(StoreKey {
                der: encrypted_key::decrypt(&der, password)?,
                local_key_id: None,
            });
        }
    }
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(data) {
        let (kind, der) = item.map_err(|e| {
            Error::MalformedCertificate(format!("PEM: {e} (truncated or damaged file?)"))
        })?;
        match kind {
            SectionKind::Certificate => {
                let f = compute_fields(&der)?;
                store.certs.push(StoreCert {
                    der: CertificateDer::from(der),
                    friendly_name: None,
                    local_key_id: None,
                    f,
                });
            }
            SectionKind::PrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
                local_key_id: None,
            }),
            SectionKind::RsaPrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
                local_key_id: None,
            }),
            SectionKind::EcPrivateKey if with_keys => store.keys.push(StoreKey {
                der: PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
                local_key_id: None,
            }),
            _ => {}
        }
    }
    Ok(store)
}

/// PEM private keys that `rustls-pki-types` would silently skip.
pub(super) fn refuse_unsupported_pem_keys(data: &[u8]) -> Result<(), Error> {
    let text = String::from_utf8_lossy(data);
    if encrypted_key::is_legacy_encrypted_pem(&text) {
        return Err(Error::BadPrivateKey(encrypted_key::LEGACY_REFUSAL.into()));
    }
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            && label.ends_with("PRIVATE KEY")
            && !matches!(
                label,
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
            )
        {
            let what = label.trim_end_matches("PRIVATE KEY").trim();
            return Err(Error::BadPrivateKey(format!(
                "{what} keys are not supported"
            )));
        }
    }
    Ok(())
}

/// The public key (as it appears in a certificate's SPKI BIT STRING) of a
/// private key; fails with a message naming unsupported key types.
pub(crate) fn key_public_bytes(key: &PrivateKeyDer<'_>) -> Result<Vec<u8>, Error> {
    Ok(crate::sign::SigningKey::from_der(key)?
        .public_key()
        .to_vec())
}
