//! Bare public keys, as raw public key peers use them (RFC 7250): a pinned
//! key loaded from a PEM `PUBLIC KEY` block or DER, and its fingerprint.

use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::Error;

/// The DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) in `data`: a
/// PEM `PUBLIC KEY` block (what `openssl pkey -pubout` writes) or the DER
/// itself, checked to be exactly one SubjectPublicKeyInfo.
///
/// # Errors
/// [`Error::MalformedCertificate`] naming what is wrong.
pub fn load_public_key(data: &[u8]) -> Result<Vec<u8>, Error> {
    let der = match SubjectPublicKeyInfoDer::from_pem_slice(data) {
        Ok(der) => der.as_ref().to_vec(),
        Err(_) if data.first() == Some(&0x30) => data.to_vec(),
        Err(e) => {
            return Err(Error::MalformedCertificate(format!(
                "no PEM PUBLIC KEY block and not DER: {e}"
            )));
        }
    };
    match SubjectPublicKeyInfo::from_der(&der) {
        Ok(([], _)) => Ok(der),
        Ok(_) => Err(Error::MalformedCertificate(
            "trailing bytes after the SubjectPublicKeyInfo".to_owned(),
        )),
        Err(e) => Err(Error::MalformedCertificate(format!(
            "not a SubjectPublicKeyInfo: {e}"
        ))),
    }
}

/// The SHA-256 of a DER SubjectPublicKeyInfo: the fingerprint a raw
/// public key is pinned by (RFC 7250 section 6; the same digest as
/// `openssl pkey -pubin -outform DER | sha256sum`).
pub fn public_key_sha256(spki: &[u8]) -> [u8; 32] {
    Sha256::digest(spki).into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pem_and_der_load_to_the_same_key_and_junk_is_refused() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        use rcgen::PublicKeyData;
        let der = key.subject_public_key_info();
        let pem = crate::cert::pem_encode("PUBLIC KEY", &der);
        assert_eq!(load_public_key(pem.as_bytes()).unwrap(), der);
        assert_eq!(load_public_key(&der).unwrap(), der);
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(load_public_key(&trailing).is_err());
        assert!(load_public_key(b"not a key").is_err());
        assert!(load_public_key(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
        // FIPS 180-2 appendix B.1.
        assert_eq!(
            hex::encode(public_key_sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
