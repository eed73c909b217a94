//! Certificates and raw public keys (RFC 5246 7.4.2, RFC 7250): which
//! certificate type each side presents, the Certificate message we send,
//! and whether we trust what the peer's carried.

use super::peer_error::{CertificateError, Incompatible, PeerError};
use crate::config::{CertificateType, ClientConfig, Identity, ServerConfig};
use crate::msgs::messages::{Certificate, CertificatePayload};

/// The certificate type to use: the first of `ours` (in our preference
/// order) that the peer accepts and `usable` allows. A peer that sent no
/// list accepts X.509 only (RFC 7250 section 4.2).
pub(crate) fn pick_certificate_type(
    ours: &[CertificateType],
    offered: Option<&[CertificateType]>,
    usable: impl Fn(CertificateType) -> bool,
) -> Option<CertificateType> {
    let offered = offered.unwrap_or(&[CertificateType::X509]);
    ours.iter()
        .copied()
        .find(|t| offered.contains(t) && usable(*t))
}

/// The list to announce in a ClientHello extension: `None` for X.509
/// alone, which is what an absent extension means (RFC 7250 section 4.1),
/// so peers without RFC 7250 see the hello they always saw.
pub(crate) fn announced(types: &[CertificateType]) -> Option<Vec<CertificateType>> {
    (types != [CertificateType::X509]).then(|| types.to_vec())
}

/// The Certificate message presenting `identity` as `typ`.
pub(crate) fn certificate_message(identity: &Identity, typ: CertificateType) -> Certificate {
    match typ {
        CertificateType::RawPublicKey => {
            Certificate::raw_public_key(&identity.key.subject_public_key_info())
        }
        _ => Certificate::x509(&identity.chain),
    }
}

/// Checks a certificate type list of a config: not empty, and only types
/// we implement.
pub(crate) fn check_types(
    types: &[CertificateType],
    what: &'static str,
) -> Result<(), crate::Error> {
    let known =
        |t: &CertificateType| matches!(t, CertificateType::X509 | CertificateType::RawPublicKey);
    if types.is_empty() || !types.iter().all(known) {
        return Err(crate::Error::Config(what));
    }
    Ok(())
}

/// The server's Certificate as a client checks it: a non-empty chain that
/// validates if we have trust anchors (RFC 5246 7.4.2), or a raw public key
/// among the pinned ones if we pin any (RFC 7250 section 4.1).
pub(crate) fn check_server_certificate(
    config: &ClientConfig,
    payload: &CertificatePayload,
) -> Result<(), PeerError> {
    match payload {
        CertificatePayload::Chain(chain) if chain.is_empty() => {
            Err(CertificateError::EmptyServerChain.into())
        }
        CertificatePayload::Chain(chain) => validate_server_chain(config, chain),
        CertificatePayload::RawPublicKey(spki) => {
            if config.trusted_server_keys.is_empty() || config.trusted_server_keys.contains(spki) {
                Ok(())
            } else {
                Err(CertificateError::UntrustedServerKey.into())
            }
        }
    }
}

/// RFC 5246 7.4.2: with trust anchors configured, the server's chain must
/// validate (to an anchor, in time, for serverAuth, for `server_name`).
fn validate_server_chain(config: &ClientConfig, chain: &[Vec<u8>]) -> Result<(), PeerError> {
    if config.trust_anchors.is_empty() {
        return Ok(());
    }
    let Some(clock) = &config.unix_time else {
        return Err(CertificateError::NoClock.into());
    };
    fn der(certs: &[Vec<u8>]) -> Vec<rustls_pki_types::CertificateDer<'_>> {
        certs
            .iter()
            .map(|c| rustls_pki_types::CertificateDer::from(c.as_slice()))
            .collect()
    }
    let verifier = dtls_crypto::verify::ServerCertVerifier::new(&der(&config.trust_anchors))
        .map_err(CertificateError::TrustAnchors)?;
    verifier
        .verify(&der(chain), config.server_name.as_deref(), (clock.0)())
        .map_err(|e| CertificateError::ServerRejected(e).into())
}

/// What the server tells the application about a client's certificate or
/// key, which it then accepts or refuses: the status ("OK" or what is
/// wrong) and whether it verified. A chain is validated by the configured
/// verifier; a raw key is verified when it is among the trusted keys.
pub(crate) fn client_certificate_status(
    config: &ServerConfig,
    payload: &CertificatePayload,
) -> (String, bool) {
    let chain = match payload {
        CertificatePayload::RawPublicKey(spki) => {
            return if config.trusted_client_keys.contains(spki) {
                ("OK".to_owned(), true)
            } else {
                (
                    "raw public key not among the trusted client keys".to_owned(),
                    false,
                )
            };
        }
        CertificatePayload::Chain(chain) => chain,
    };
    let Some(verifier) = &config.client_verifier else {
        return (
            "no client CA configured: chain not validated".to_owned(),
            false,
        );
    };
    let Some(clock) = config.unix_time.as_ref() else {
        return (
            "no wall clock configured: chain not validated".to_owned(),
            false,
        );
    };
    let chain: Vec<rustls_pki_types::CertificateDer<'_>> = chain
        .iter()
        .map(|c| rustls_pki_types::CertificateDer::from(c.as_slice()))
        .collect();
    let outcome = verifier.verify(&chain, (clock.0)());
    (outcome.status, outcome.ok)
}

/// The client certificate type a server asks for when it sends a
/// CertificateRequest: one both sides take (RFC 7250 section 4.2); a
/// client offering only types we do not take is refused with
/// unsupported_certificate.
pub(crate) fn client_type_to_request(
    config: &ServerConfig,
    offered: Option<&[CertificateType]>,
) -> Result<CertificateType, PeerError> {
    pick_certificate_type(&config.client_certificate_types, offered, |_| true)
        .ok_or_else(|| Incompatible::NoCertificateTypeInCommon.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertificateType::{RawPublicKey as Rpk, X509};

    #[test]
    fn our_preference_among_what_the_peer_accepts() {
        let all = |_| true;
        assert_eq!(pick_certificate_type(&[Rpk, X509], None, all), Some(X509));
        assert_eq!(pick_certificate_type(&[Rpk], None, all), None);
        assert_eq!(
            pick_certificate_type(&[Rpk, X509], Some(&[X509, Rpk]), all),
            Some(Rpk)
        );
        assert_eq!(
            pick_certificate_type(&[X509, Rpk], Some(&[Rpk, X509]), all),
            Some(X509)
        );
        // The identity cannot be an X.509 certificate: the raw key it is.
        assert_eq!(
            pick_certificate_type(&[X509, Rpk], Some(&[Rpk, X509]), |t| t == Rpk),
            Some(Rpk)
        );
        assert_eq!(
            pick_certificate_type(&[X509], Some(&[CertificateType::Unknown(1)]), all),
            None
        );
    }

    #[test]
    fn x509_alone_is_not_announced() {
        assert_eq!(announced(&[X509]), None);
        assert_eq!(announced(&[Rpk, X509]), Some(vec![Rpk, X509]));
        assert!(check_types(&[], "empty").is_err());
        assert!(check_types(&[CertificateType::Unknown(1)], "unknown").is_err());
        assert!(check_types(&[Rpk], "fine").is_ok());
    }
}
