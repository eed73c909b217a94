//! Picking one certificate of an opened store, its key and its chain.

use super::store::{Store, StoreCert, key_public_bytes};
use super::store_type::CertStoreType;
use rustls_pki_types::CertificateDer;

use super::Certificate;
use super::facts::Fields;
use crate::Error;
use crate::pfx::build_chain;

pub(super) fn normalize_dn(s: &str) -> String {
    s.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}

pub(super) fn normalize_hex(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Picks the certificate `subject` names; see [`Certificate::from_store`].
pub(super) fn select(store: &Store, subject: &str) -> Result<usize, Error> {
    let wanted = subject.trim();
    let has_key: Vec<bool> = store
        .certs
        .iter()
        .map(|c| key_for(store, c).ok().flatten().is_some())
        .collect();
    // Among the certificates `matches` accepts, the first with a key,
    // else the first.
    let pick = |matches: &dyn Fn(&Fields) -> bool| -> Option<usize> {
        let candidates: Vec<usize> = (0..store.certs.len())
            .filter(|&i| matches(&store.certs[i].f))
            .collect();
        candidates
            .iter()
            .copied()
            .find(|&i| has_key[i])
            .or_else(|| candidates.first().copied())
    };
    let none = || Error::NoMatchingCertificate(subject.to_string());
    if wanted.is_empty() || wanted == "*" {
        return pick(&|_| true).ok_or_else(none);
    }
    if let Some(hex) = wanted
        .get(..11)
        .filter(|p| p.eq_ignore_ascii_case("thumbprint="))
        .and_then(|_| wanted.get(11..))
    {
        let hex = normalize_hex(hex);
        let digest_is = |f: &Fields| {
            !hex.is_empty()
                && [&f.digests.md5[..], &f.digests.sha1, &f.digests.sha256]
                    .iter()
                    .any(|d| hex::encode(d) == hex)
        };
        return pick(&digest_is).ok_or_else(none);
    }
    // Either spelling of the subject: as displayed, or in encoded order.
    let subjects = |f: &Fields| {
        [
            normalize_dn(&f.subject),
            normalize_dn(&f.subject_in_encoded_order),
        ]
    };
    let norm = normalize_dn(wanted);
    if let Some(i) = pick(&|f| subjects(f).contains(&norm)) {
        return Ok(i);
    }
    let lower = norm.to_lowercase();
    pick(&|f| {
        subjects(f)
            .iter()
            .any(|s| s.to_lowercase().contains(&lower))
    })
    .ok_or_else(none)
}

/// The index of the store key that belongs to `cert`: first by PKCS#12
/// `localKeyId` (verified against the public key), else by public key.
pub(super) fn key_for(store: &Store, cert: &StoreCert) -> Result<Option<usize>, Error> {
    if let Some(id) = &cert.local_key_id
        && let Some(i) = store
            .keys
            .iter()
            .position(|k| k.local_key_id.as_ref() == Some(id))
    {
        if key_public_bytes(&store.keys[i].der)? != cert.f.spki_key_bytes {
            return Err(Error::KeyMismatch);
        }
        return Ok(Some(i));
    }
    for (i, k) in store.keys.iter().enumerate() {
        if key_public_bytes(&k.der)? == cert.f.spki_key_bytes {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Builds the selected certificate: chain from the store, its key if any.
pub(super) fn finish(
    mut store: Store,
    index: usize,
    store_type: CertStoreType,
) -> Result<Certificate, Error> {
    let cert = store
        .certs
        .get(index)
        .ok_or_else(|| Error::NoMatchingCertificate(String::new()))?;
    let key_index = key_for(&store, cert)?;
    if key_index.is_none() && !store.keys.is_empty() {
        // The store has keys but none for this certificate. If none of them
        // belongs to any certificate in the store either, the key is simply
        // the wrong one.
        let mut any_match = false;
        for c in &store.certs {
            if key_for(&store, c)?.is_some() {
                any_match = true;
                break;
            }
        }
        if !any_match {
            return Err(Error::KeyMismatch);
        }
    }
    let ders: Vec<CertificateDer<'static>> = store.certs.iter().map(|c| c.der.clone()).collect();
    let chain = build_chain(&ders, index);
    let friendly_name = cert.friendly_name.clone();
    let f = cert.f.clone();
    let private_key = match key_index {
        Some(i) if i < store.keys.len() => Some(store.keys.swap_remove(i).der),
        _ => None,
    };
    Ok(Certificate {
        chain,
        private_key,
        store_type: Some(store_type),
        friendly_name,
        f,
    })
}
