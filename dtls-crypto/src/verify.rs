//! Client certificate chain validation (when the server authenticates
//! clients), with `rustls-webpki` and *ring*'s signature algorithms.
//!
//! The trusted roots are the seed's `SSLClientCACerts`; the checks can be
//! relaxed with the seed's `SSLSecurityFlags` ([`SecurityFlags`]). The
//! outcome carries a status text for the `SSLClientAuthentication` event,
//! where the application may still accept a rejected certificate.
//!
//! What is checked: signatures along the path to a trusted root, validity
//! times (at the time passed in: this API never reads a clock), basic
//! constraints / path length, name constraints, critical extensions, and the
//! extended key usage (clientAuth, if the certificate has an EKU extension).
//! Revocation (CRL / OCSP) is **not** checked, so the revocation flags have
//! nothing to relax; certificate trust lists (CTLs) do not exist here.

use std::ops::{BitOr, BitOrAssign};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, KeyUsage};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::Error;

/// The seed's `SSLSecurityFlags`: which certificate problems to ignore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SecurityFlags(pub u32);

impl SecurityFlags {
    /// No problem is ignored (the default).
    pub const NONE: SecurityFlags = SecurityFlags(0);
    /// 0x00000001: ignore the time validity of the certificates (expired,
    /// not yet valid). Honoured: the chain is checked at a time inside the
    /// certificates' validity instead.
    pub const IGNORE_TIME_VALIDITY: SecurityFlags = SecurityFlags(0x0000_0001);
    /// 0x00000002: ignore the time validity of the CTL. No CTLs here: no effect.
    pub const IGNORE_CTL_TIME_VALIDITY: SecurityFlags = SecurityFlags(0x0000_0002);
    /// 0x00000004: ignore non-nested certificate times. Nesting is never
    /// required here: no effect.
    pub const IGNORE_NON_NESTED_TIMES: SecurityFlags = SecurityFlags(0x0000_0004);
    /// 0x00000010: allow an unknown certificate authority. Honoured: the
    /// certificates the client sent are trusted as roots; if the issuer is
    /// still missing the signature cannot be checked and only the leaf's
    /// validity time and usage are checked.
    pub const ALLOW_UNKNOWN_CA: SecurityFlags = SecurityFlags(0x0000_0010);
    /// 0x00000020: ignore a wrong certificate usage (extended key usage
    /// without clientAuth). Honoured.
    pub const IGNORE_WRONG_USAGE: SecurityFlags = SecurityFlags(0x0000_0020);
    /// 0x00000100: ignore an unknown revocation status. Revocation is never
    /// checked: no effect.
    pub const IGNORE_UNKNOWN_REVOCATION: SecurityFlags = SecurityFlags(0x0000_0100);
    /// 0x00000200: ignore an unknown CTL signer revocation status. No effect.
    pub const IGNORE_UNKNOWN_CTL_SIGNER_REVOCATION: SecurityFlags = SecurityFlags(0x0000_0200);
    /// 0x00000400: ignore an unknown CA revocation status. No effect.
    pub const IGNORE_UNKNOWN_CA_REVOCATION: SecurityFlags = SecurityFlags(0x0000_0400);
    /// 0x00000800: ignore an unknown root revocation status. No effect.
    pub const IGNORE_UNKNOWN_ROOT_REVOCATION: SecurityFlags = SecurityFlags(0x0000_0800);
    /// 0x00004000: trust the (Microsoft) test root. Windows only: no effect.
    pub const TRUST_TEST_ROOT: SecurityFlags = SecurityFlags(0x0000_4000);
    /// 0x00008000: allow the (Microsoft) test root. Windows only: no effect.
    pub const ALLOW_TEST_ROOT: SecurityFlags = SecurityFlags(0x0000_8000);
    /// 0x80000000: ignore a certificate CN that does not match the server
    /// name. Client certificates are not matched against a name: no effect.
    pub const IGNORE_CN_MISMATCH: SecurityFlags = SecurityFlags(0x8000_0000);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Flags from raw bits (unknown bits are kept and ignored).
    pub const fn from_bits(bits: u32) -> SecurityFlags {
        SecurityFlags(bits)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: SecurityFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for SecurityFlags {
    type Output = SecurityFlags;
    fn bitor(self, rhs: SecurityFlags) -> SecurityFlags {
        SecurityFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for SecurityFlags {
    fn bitor_assign(&mut self, rhs: SecurityFlags) {
        self.0 |= rhs.0;
    }
}

/// The result of a chain validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// `"OK"`; `"OK (ignored: ...)"` when a problem was ignored because of a
    /// [`SecurityFlags`] bit; otherwise what is wrong, e.g.
    /// `"certificate expired"` or `"unknown certificate authority"`.
    pub status: String,
    /// Whether the chain is acceptable.
    pub ok: bool,
}

impl VerifyOutcome {
    fn ok(ignored: &[String]) -> VerifyOutcome {
        let status = if ignored.is_empty() {
            "OK".to_string()
        } else {
            format!("OK (ignored: {})", ignored.join("; "))
        };
        VerifyOutcome { status, ok: true }
    }

    fn fail(status: impl Into<String>) -> VerifyOutcome {
        VerifyOutcome {
            status: status.into(),
            ok: false,
        }
    }
}

/// Validates client certificate chains against a set of trusted roots.
#[derive(Debug, Clone)]
pub struct ClientCertVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    flags: SecurityFlags,
}

impl ClientCertVerifier {
    /// A verifier trusting `roots` (DER certificates; typically CA roots,
    /// but any certificate may be a trust anchor), relaxed by `flags`.
    /// No roots is allowed: every chain then has an unknown CA.
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] naming the root that cannot be parsed.
    pub fn new(
        roots: Vec<CertificateDer<'static>>,
        flags: SecurityFlags,
    ) -> Result<ClientCertVerifier, Error> {
        Ok(ClientCertVerifier {
            anchors: trust_anchors(&roots)?,
            flags,
        })
    }

    /// The DER distinguished names of the trusted CAs, as a server lists
    /// them in CertificateRequest.certificate_authorities (RFC 5246 7.4.4),
    /// so clients can pick a certificate those CAs issued.
    pub fn ca_names(&self) -> Vec<Vec<u8>> {
        self.anchors
            .iter()
            .map(|a| {
                // The anchor keeps the Name's contents; TLS sends the whole
                // DER Name (a SEQUENCE).
                let body = a.subject.as_ref();
                let mut out = vec![0x30];
                let len = body.len();
                if len < 0x80 {
                    out.push(len as u8);
                } else if len <= 0xff {
                    out.extend_from_slice(&[0x81, len as u8]);
                } else {
                    out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
                }
                out.extend_from_slice(body);
                out
            })
            .collect()
    }

    /// A verifier trusting the `CERTIFICATE` blocks of a PEM list (the
    /// seed's `SSLClientCACerts` format: newline-separated PEM certificates).
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] for damaged PEM or certificates.
    pub fn from_pem(pem: &[u8], flags: SecurityFlags) -> Result<ClientCertVerifier, Error> {
        let roots = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::MalformedCertificate(format!("SSLClientCACerts: PEM: {e}")))?;
        Self::new(roots, flags)
    }

    /// The flags in force.
    pub fn flags(&self) -> SecurityFlags {
        self.flags
    }

    /// The number of trusted roots.
    pub fn root_count(&self) -> usize {
        self.anchors.len()
    }

    /// Validates `chain` (the client's end-entity certificate first, then
    /// the intermediates it sent, in any order) at `now_unix_secs`.
    pub fn verify(&self, chain: &[CertificateDer<'_>], now_unix_secs: u64) -> VerifyOutcome {
        let Some(leaf_der) = chain.first() else {
            return VerifyOutcome::fail("no client certificate");
        };
        let leaf = match EndEntityCert::try_from(leaf_der) {
            Ok(l) => l,
            Err(e) => return VerifyOutcome::fail(describe(&e)),
        };
        let intermediates = &chain[1..];
        let mut time = now_unix_secs;
        let mut any_usage = false;
        let mut extra_anchors: Vec<TrustAnchor<'_>> = Vec::new();
        let mut time_relaxed = false;
        let mut ca_relaxed = false;
        let mut ignored: Vec<String> = Vec::new();

        // Each pass relaxes at most one more check; four passes cover them all.
        for _ in 0..4 {
            let anchors: Vec<TrustAnchor<'_>> = self
                .anchors
                .iter()
                .cloned()
                .chain(extra_anchors.iter().cloned())
                .collect();
            let usage = ClientUsage { any: any_usage };
            let result = leaf.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                intermediates,
                UnixTime::since_unix_epoch(std::time::Duration::from_secs(time)),
                &usage,
                None,
                None,
            );
            let err = match result {
                Ok(_) => return VerifyOutcome::ok(&ignored),
                Err(e) => e,
            };
            let flags = self.flags;
            if is_time_error(&err)
                && flags.contains(SecurityFlags::IGNORE_TIME_VALIDITY)
                && !time_relaxed
            {
                time_relaxed = true;
                ignored.push(describe(&err));
                time = time_inside_validity(chain).unwrap_or(time);
                continue;
            }
            if is_usage_error(&err)
                && flags.contains(SecurityFlags::IGNORE_WRONG_USAGE)
                && !any_usage
            {
                any_usage = true;
                ignored.push(describe(&err));
                continue;
            }
            if matches!(err, webpki::Error::UnknownIssuer)
                && flags.contains(SecurityFlags::ALLOW_UNKNOWN_CA)
            {
                if !ca_relaxed {
                    ca_relaxed = true;
                    ignored.push(describe(&err));
                    // Trust what the client sent; signatures inside the
                    // presented chain are still checked.
                    extra_anchors = chain
                        .iter()
                        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
                        .collect();
                    continue;
                }
                // The issuer is nowhere: check what can be checked without it.
                return match self.check_leaf_alone(leaf_der, now_unix_secs, time_relaxed, any_usage)
                {
                    Ok(more) => {
                        ignored.extend(more);
                        VerifyOutcome::ok(&ignored)
                    }
                    Err(status) => VerifyOutcome::fail(status),
                };
            }
            return VerifyOutcome::fail(describe(&err));
        }
        VerifyOutcome::fail("certificate chain could not be validated")
    }

    /// Time and usage checks of a leaf whose issuer is unknown (only with
    /// [`SecurityFlags::ALLOW_UNKNOWN_CA`]). Returns problems ignored by flags.
    fn check_leaf_alone(
        &self,
        leaf: &[u8],
        now: u64,
        time_ignored: bool,
        usage_ignored: bool,
    ) -> Result<Vec<String>, String> {
        let (_, cert) =
            X509Certificate::from_der(leaf).map_err(|e| format!("malformed certificate: {e}"))?;
        let mut ignored = Vec::new();
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let validity = cert.validity();
        let time_problem = if now > validity.not_after.timestamp() {
            Some("certificate expired")
        } else if now < validity.not_before.timestamp() {
            Some("certificate is not yet valid")
        } else {
            None
        };
        if let Some(p) = time_problem {
            if !(time_ignored || self.flags.contains(SecurityFlags::IGNORE_TIME_VALIDITY)) {
                return Err(p.to_string());
            }
            if !time_ignored {
                ignored.push(p.to_string());
            }
        }
        if let Ok(Some(eku)) = cert.extended_key_usage() {
            let e = eku.value;
            if !(e.client_auth || e.any || usage_ignored) {
                let p = "certificate not valid for client authentication (extended key usage)";
                if !self.flags.contains(SecurityFlags::IGNORE_WRONG_USAGE) {
                    return Err(p.to_string());
                }
                ignored.push(p.to_string());
            }
        }
        Ok(ignored)
    }
}

/// The clientAuth EKU policy, or (with `any`) no EKU policy at all.
struct ClientUsage {
    any: bool,
}

impl ExtendedKeyUsageValidator for ClientUsage {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        if self.any {
            return Ok(());
        }
        KeyUsage::client_auth().validate(iter)
    }
}

fn is_time_error(e: &webpki::Error) -> bool {
    matches!(
        e,
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. }
    )
}

#[allow(deprecated)]
fn is_usage_error(e: &webpki::Error) -> bool {
    matches!(
        e,
        webpki::Error::RequiredEkuNotFound | webpki::Error::RequiredEkuNotFoundContext(_)
    )
}

/// A time inside the validity of every certificate in `chain`, if any.
fn time_inside_validity(chain: &[CertificateDer<'_>]) -> Option<u64> {
    let mut start = i64::MIN;
    let mut end = i64::MAX;
    let mut leaf_start = None;
    for der in chain {
        let Ok((_, cert)) = X509Certificate::from_der(der) else {
            continue;
        };
        let v = cert.validity();
        start = start.max(v.not_before.timestamp());
        end = end.min(v.not_after.timestamp());
        leaf_start.get_or_insert(v.not_before.timestamp());
    }
    let t = if start <= end { start } else { leaf_start? };
    u64::try_from(t.max(0)).ok()
}

/// A short description of a validation failure.
#[allow(deprecated)]
fn describe(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => "certificate expired".into(),
        E::CertNotValidYet { .. } => "certificate is not yet valid".into(),
        E::InvalidCertValidity => "certificate has an invalid validity period".into(),
        E::UnknownIssuer => "unknown certificate authority".into(),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
            "certificate not valid for client authentication (extended key usage)".into()
        }
        E::InvalidSignatureForPublicKey => "invalid certificate signature".into(),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "unsupported certificate signature algorithm".into()
        }
        E::SignatureAlgorithmMismatch => "certificate signature algorithm mismatch".into(),
        E::CaUsedAsEndEntity => "a CA certificate was presented as the client certificate".into(),
        E::EndEntityUsedAsCa => "an end-entity certificate was used as a CA".into(),
        E::PathLenConstraintViolated => "path length constraint violated".into(),
        E::NameConstraintViolation => "name constraint violated".into(),
        E::UnsupportedCriticalExtension => "unsupported critical extension".into(),
        E::UnsupportedCertVersion => "unsupported certificate version".into(),
        E::CertRevoked => "certificate revoked".into(),
        E::CertDistrusted => "certificate distrusted".into(),
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "malformed certificate".into(),
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => "certificate chain too long or complex".into(),
        other => format!("certificate rejected: {other}"),
    }
}

/// Validates a server's certificate chain for a client (RFC 5246 7.4.2,
/// RFC 6125 name checks via rustls-webpki): the chain must lead to one of
/// the trust anchors, be valid at the given time, carry the serverAuth
/// usage, and, when a name is given, be issued for that name.
pub struct ServerCertVerifier {
    anchors: Vec<TrustAnchor<'static>>,
}

impl std::fmt::Debug for ServerCertVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertVerifier")
            .field("anchors", &self.anchors.len())
            .finish()
    }
}

impl ServerCertVerifier {
    /// A verifier trusting these DER root certificates.
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`] naming a root that cannot serve as a
    /// trust anchor; [`Error::InvalidInput`] for an empty list.
    pub fn new(roots: &[CertificateDer<'_>]) -> Result<ServerCertVerifier, Error> {
        if roots.is_empty() {
            return Err(Error::InvalidInput("no trust anchors"));
        }
        Ok(ServerCertVerifier {
            anchors: trust_anchors(roots)?,
        })
    }

    /// Checks `chain` (end-entity first) at `now_unix_secs` and, if given,
    /// against `server_name` (a DNS name or IP address).
    ///
    /// # Errors
    /// [`Error::CertificateInvalid`] saying what is wrong.
    pub fn verify(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: Option<&str>,
        now_unix_secs: u64,
    ) -> Result<(), Error> {
        let invalid = |what: String| Error::CertificateInvalid(what);
        let leaf_der = chain
            .first()
            .ok_or_else(|| invalid("the server sent no certificate".to_owned()))?;
        let leaf = EndEntityCert::try_from(leaf_der)
            .map_err(|e| invalid(format!("the server certificate does not parse: {e}")))?;
        let intermediates = chain.get(1..).unwrap_or(&[]);
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            intermediates,
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(now_unix_secs)),
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| invalid(describe(&e)))?;
        if let Some(name) = server_name {
            let name = rustls_pki_types::ServerName::try_from(name)
                .map_err(|_| invalid(format!("{name:?} is not a valid server name")))?;
            leaf.verify_is_valid_for_subject_name(&name)
                .map_err(|e| invalid(format!("the certificate is not valid for {name:?}: {e}")))?;
        }
        Ok(())
    }
}

/// Turns DER roots into webpki trust anchors, naming any that cannot serve.
fn trust_anchors(roots: &[CertificateDer<'_>]) -> Result<Vec<TrustAnchor<'static>>, Error> {
    roots
        .iter()
        .enumerate()
        .map(|(i, der)| {
            webpki::anchor_from_trusted_cert(der)
                .map(|a| a.to_owned())
                .map_err(|e| {
                    Error::MalformedCertificate(format!(
                        "trusted root #{i} cannot be used as a trust anchor: {e}"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };

    /// 2025-06-15: inside rcgen's default validity (1975..4096).
    const NOW: u64 = 1_750_000_000;

    struct Pki {
        root: CertificateDer<'static>,
        intermediate: CertificateDer<'static>,
        leaf: CertificateDer<'static>,
        inter_params: CertificateParams,
        inter_key: KeyPair,
    }

    fn ca_params(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p
    }

    fn leaf_params(cn: &str, eku: ExtendedKeyUsagePurpose) -> CertificateParams {
        let mut p = CertificateParams::new(vec!["client.example".to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![eku];
        p
    }

    fn pki() -> Pki {
        let root_key = KeyPair::generate().unwrap();
        let root_params = ca_params("Test Root");
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let inter_key = KeyPair::generate().unwrap();
        let inter_params = ca_params("Test Intermediate");
        let intermediate = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
        let leaf = sign_leaf(
            &leaf_params("client", ExtendedKeyUsagePurpose::ClientAuth),
            &inter_params,
            &inter_key,
        );
        Pki {
            root: root.der().clone(),
            intermediate: intermediate.der().clone(),
            leaf,
            inter_params,
            inter_key,
        }
    }

    fn sign_leaf(
        params: &CertificateParams,
        issuer_params: &CertificateParams,
        issuer_key: &KeyPair,
    ) -> CertificateDer<'static> {
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(issuer_params, issuer_key);
        params.signed_by(&key, &issuer).unwrap().der().clone()
    }

    fn verifier(roots: Vec<CertificateDer<'static>>, flags: SecurityFlags) -> ClientCertVerifier {
        ClientCertVerifier::new(roots, flags).unwrap()
    }

    #[test]
    fn flag_values_match_the_seed() {
        assert_eq!(SecurityFlags::IGNORE_TIME_VALIDITY.bits(), 0x1);
        assert_eq!(SecurityFlags::IGNORE_CTL_TIME_VALIDITY.bits(), 0x2);
        assert_eq!(SecurityFlags::IGNORE_NON_NESTED_TIMES.bits(), 0x4);
        assert_eq!(SecurityFlags::ALLOW_UNKNOWN_CA.bits(), 0x10);
        assert_eq!(SecurityFlags::IGNORE_WRONG_USAGE.bits(), 0x20);
        assert_eq!(SecurityFlags::IGNORE_UNKNOWN_REVOCATION.bits(), 0x100);
        assert_eq!(
            SecurityFlags::IGNORE_UNKNOWN_CTL_SIGNER_REVOCATION.bits(),
            0x200
        );
        assert_eq!(SecurityFlags::IGNORE_UNKNOWN_CA_REVOCATION.bits(), 0x400);
        assert_eq!(SecurityFlags::IGNORE_UNKNOWN_ROOT_REVOCATION.bits(), 0x800);
        assert_eq!(SecurityFlags::TRUST_TEST_ROOT.bits(), 0x4000);
        assert_eq!(SecurityFlags::ALLOW_TEST_ROOT.bits(), 0x8000);
        assert_eq!(SecurityFlags::IGNORE_CN_MISMATCH.bits(), 0x8000_0000);
        let both = SecurityFlags::ALLOW_UNKNOWN_CA | SecurityFlags::IGNORE_WRONG_USAGE;
        assert!(both.contains(SecurityFlags::ALLOW_UNKNOWN_CA));
        assert!(!both.contains(SecurityFlags::IGNORE_TIME_VALIDITY));
        assert_eq!(SecurityFlags::from_bits(0x30), both);
    }

    #[test]
    fn good_chain_is_ok() {
        let p = pki();
        let v = verifier(vec![p.root.clone()], SecurityFlags::NONE);
        let out = v.verify(&[p.leaf.clone(), p.intermediate.clone()], NOW);
        assert_eq!(
            out,
            VerifyOutcome {
                status: "OK".into(),
                ok: true
            }
        );
        // The intermediate itself may also be the trust anchor.
        let v = verifier(vec![p.intermediate.clone()], SecurityFlags::NONE);
        assert!(v.verify(std::slice::from_ref(&p.leaf), NOW).ok);
        // Without the intermediate the path is broken.
        let v = verifier(vec![p.root.clone()], SecurityFlags::NONE);
        let out = v.verify(std::slice::from_ref(&p.leaf), NOW);
        assert!(!out.ok);
        assert_eq!(out.status, "unknown certificate authority");
        assert_eq!(v.verify(&[], NOW).status, "no client certificate");
    }

    #[test]
    fn unknown_ca_fails_unless_allowed() {
        let p = pki();
        let other_key = KeyPair::generate().unwrap();
        let other_root = ca_params("Other Root")
            .self_signed(&other_key)
            .unwrap()
            .der()
            .clone();
        let chain = [p.leaf.clone(), p.intermediate.clone(), p.root.clone()];
        let v = verifier(vec![other_root.clone()], SecurityFlags::NONE);
        let out = v.verify(&chain, NOW);
        assert!(!out.ok);
        assert_eq!(out.status, "unknown certificate authority");

        let v = verifier(vec![other_root], SecurityFlags::ALLOW_UNKNOWN_CA);
        let out = v.verify(&chain, NOW);
        assert!(out.ok, "{}", out.status);
        assert_eq!(out.status, "OK (ignored: unknown certificate authority)");
        // Leaf alone, issuer nowhere: accepted on time and usage only.
        let out = v.verify(std::slice::from_ref(&p.leaf), NOW);
        assert!(out.ok, "{}", out.status);
        // ...but an expired leaf is still refused without the time flag.
        let mut expired = leaf_params("old", ExtendedKeyUsagePurpose::ClientAuth);
        expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
        expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let old = sign_leaf(&expired, &p.inter_params, &p.inter_key);
        let out = v.verify(&[old], NOW);
        assert!(!out.ok);
        assert_eq!(out.status, "certificate expired");
        // A self-signed client certificate, with the flag.
        let key = KeyPair::generate().unwrap();
        let selfsigned = leaf_params("self", ExtendedKeyUsagePurpose::ClientAuth)
            .self_signed(&key)
            .unwrap();
        assert!(v.verify(&[selfsigned.der().clone()], NOW).ok);
        // A tampered chain is not rescued by the flag: the signature fails.
        let mut bad = p.leaf.to_vec();
        let last = bad.len() - 3;
        bad[last] ^= 0x55;
        let out = v.verify(&[CertificateDer::from(bad), p.intermediate.clone()], NOW);
        assert!(!out.ok, "{}", out.status);
    }

    #[test]
    fn expired_leaf_fails_unless_time_ignored() {
        let p = pki();
        let mut params = leaf_params("expired", ExtendedKeyUsagePurpose::ClientAuth);
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let leaf = sign_leaf(&params, &p.inter_params, &p.inter_key);
        let chain = [leaf, p.intermediate.clone()];
        let out = verifier(vec![p.root.clone()], SecurityFlags::NONE).verify(&chain, NOW);
        assert_eq!(out.status, "certificate expired");
        assert!(!out.ok);
        let v = verifier(vec![p.root.clone()], SecurityFlags::IGNORE_TIME_VALIDITY);
        let out = v.verify(&chain, NOW);
        assert!(out.ok, "{}", out.status);
        assert_eq!(out.status, "OK (ignored: certificate expired)");
        // Not yet valid.
        let mut params = leaf_params("future", ExtendedKeyUsagePurpose::ClientAuth);
        params.not_before = rcgen::date_time_ymd(2090, 1, 1);
        params.not_after = rcgen::date_time_ymd(2091, 1, 1);
        let leaf = sign_leaf(&params, &p.inter_params, &p.inter_key);
        let chain = [leaf, p.intermediate.clone()];
        let out = verifier(vec![p.root.clone()], SecurityFlags::NONE).verify(&chain, NOW);
        assert_eq!(out.status, "certificate is not yet valid");
        assert!(v.verify(&chain, NOW).ok);
    }

    #[test]
    fn wrong_usage_fails_unless_ignored() {
        let p = pki();
        let params = leaf_params("server-only", ExtendedKeyUsagePurpose::ServerAuth);
        let leaf = sign_leaf(&params, &p.inter_params, &p.inter_key);
        let chain = [leaf, p.intermediate.clone()];
        let out = verifier(vec![p.root.clone()], SecurityFlags::NONE).verify(&chain, NOW);
        assert!(!out.ok);
        assert_eq!(
            out.status,
            "certificate not valid for client authentication (extended key usage)"
        );
        let out =
            verifier(vec![p.root.clone()], SecurityFlags::IGNORE_WRONG_USAGE).verify(&chain, NOW);
        assert!(out.ok, "{}", out.status);
        // All three problems at once, all three flags.
        let mut params = leaf_params("everything", ExtendedKeyUsagePurpose::ServerAuth);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        let leaf = sign_leaf(&params, &p.inter_params, &p.inter_key);
        let all = SecurityFlags::IGNORE_TIME_VALIDITY
            | SecurityFlags::IGNORE_WRONG_USAGE
            | SecurityFlags::ALLOW_UNKNOWN_CA;
        let out = verifier(vec![], all).verify(&[leaf.clone(), p.intermediate.clone()], NOW);
        assert!(out.ok, "{}", out.status);
        let out = verifier(vec![], all).verify(&[leaf], NOW);
        assert!(out.ok, "{}", out.status);
    }

    #[test]
    fn roots_from_pem_and_bad_roots() {
        let p = pki();
        let pem = format!(
            "{}\r\n{}",
            crate::cert::Certificate::from_der(&p.intermediate)
                .unwrap()
                .encoded_pem(),
            crate::cert::Certificate::from_der(&p.root)
                .unwrap()
                .encoded_pem()
        );
        let v = ClientCertVerifier::from_pem(pem.as_bytes(), SecurityFlags::NONE).unwrap();
        assert_eq!(v.root_count(), 2);
        assert!(v.verify(std::slice::from_ref(&p.leaf), NOW).ok);
        assert!(matches!(
            ClientCertVerifier::new(
                vec![CertificateDer::from(vec![0x30, 0x01])],
                SecurityFlags::NONE
            ),
            Err(Error::MalformedCertificate(_))
        ));
    }
    #[test]
    fn ca_names_are_the_roots_der_subjects() {
        let ca = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "A CA with a rather long name for the length",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&ca).unwrap();
        let der = CertificateDer::from(cert.der().to_vec());
        let verifier = ClientCertVerifier::new(vec![der.clone()], SecurityFlags::NONE).unwrap();
        let (_, parsed) = X509Certificate::from_der(der.as_ref()).unwrap();
        assert_eq!(
            verifier.ca_names(),
            vec![parsed.subject().as_raw().to_vec()]
        );
    }
}
