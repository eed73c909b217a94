//! The server's handshake state machine (RFC 5246 7.3, RFC 6347 4.2.4).
//!
//! ```text
//!   ClientHello (with valid cookie)   ->  ServerHello, Certificate,
//!                                         ServerKeyExchange,
//!                                         [CertificateRequest],
//!                                         ServerHelloDone
//!   [Certificate], ClientKeyExchange,
//!   [CertificateVerify],
//!   ChangeCipherSpec, Finished        ->  ChangeCipherSpec, Finished
//! ```
//!
//! Each state is a struct holding exactly what the next step needs; a
//! transition consumes it.

use std::sync::Arc;
use std::time::Instant;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::{EphemeralKeyPair, NamedGroup};
use dtls_crypto::prf::{self, MasterSecret};
use dtls_crypto::record::RecordProtection;
use dtls_crypto::sign::{KeyType, SignatureScheme};
use dtls_crypto::suites::AuthAlgorithm;

use super::{Ctx, Fatal, Message, SessionSecrets, SideConfig};
use crate::config::{ClientAuthMode, Identity, ServerConfig};
use crate::event::{Event, NegotiatedParams, StatusCode};
use crate::msgs::alert::AlertDescription;
use crate::msgs::codec::Codec;
use crate::msgs::extensions::{ClientExtension, ServerExtension};
use crate::msgs::handshake::{HandshakePayload, HandshakeType};
use crate::msgs::messages::{
    Certificate, CertificateRequest, ClientHello, DigitallySigned, Finished, ServerEcdhParams,
    ServerHello, ServerHelloDone, ServerKeyExchange,
};
use crate::msgs::record::ProtocolVersion;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 3.3).
const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;
/// CertificateRequest certificate types (RFC 5246 7.4.4, RFC 8422 5.5).
const RSA_SIGN: u8 = 1;
const ECDSA_SIGN: u8 = 64;

/// What the ServerHello settled.
struct Negotiated {
    suite: CipherSuite,
    group: NamedGroup,
    scheme: SignatureScheme,
    client_random: [u8; 32],
    server_random: [u8; 32],
    extended_master_secret: bool,
    alpn: Option<Vec<u8>>,
    server_name: Option<String>,
    client_auth: ClientAuthMode,
    /// Signature schemes offered in our CertificateRequest.
    requested_schemes: Vec<u16>,
}

/// Waiting for the client's Certificate (we sent a CertificateRequest) or
/// directly its ClientKeyExchange.
pub(crate) struct ExpectClientFlight {
    negotiated: Negotiated,
    key_share: EphemeralKeyPair,
    expect_certificate: bool,
    client_chain: Vec<Vec<u8>>,
}

/// Keys are derived; waiting for CertificateVerify, ChangeCipherSpec, or
/// Finished.
pub(crate) struct KeysDerived {
    negotiated: Negotiated,
    master: MasterSecret,
    server_write: RecordProtection,
    client_chain: Vec<Vec<u8>>,
    /// The application's verdict on the client certificate, once given.
    decision: Option<bool>,
}

/// The handshake is over.
pub(crate) struct Established {
    secrets: SessionSecrets,
}

/// The server handshake state.
pub(crate) enum State {
    ExpectClientHello,
    ExpectClientFlight(Box<ExpectClientFlight>),
    ExpectCertificateVerify(Box<KeysDerived>),
    ExpectChangeCipherSpec(Box<KeysDerived>),
    ExpectFinished(Box<KeysDerived>),
    /// Client Finished verified; waiting for the application's decision on
    /// the client certificate.
    AwaitDecision(Box<KeysDerived>),
    Established(Box<Established>),
    /// After a fatal error; nothing more happens.
    Failed,
}

fn unexpected(what: &str) -> Fatal {
    Fatal::new(
        AlertDescription::UnexpectedMessage,
        StatusCode::InvalidFlow,
        format!("unexpected {what}"),
    )
}

fn decode_failure(what: impl std::fmt::Display) -> Fatal {
    Fatal::new(
        AlertDescription::DecodeError,
        StatusCode::InvalidDatagram,
        format!("malformed handshake message: {what}"),
    )
}

fn internal(what: impl std::fmt::Display) -> Fatal {
    Fatal::new(
        AlertDescription::InternalError,
        StatusCode::HandshakeError,
        format!("internal error: {what}"),
    )
}

impl State {
    pub(crate) fn initial() -> Self {
        State::ExpectClientHello
    }

    pub(crate) fn set_client_certificate_decision(&mut self, accept: bool) {
        match self {
            State::ExpectCertificateVerify(k)
            | State::ExpectChangeCipherSpec(k)
            | State::ExpectFinished(k)
            | State::AwaitDecision(k) => k.decision = Some(accept),
            _ => {}
        }
    }

    pub(crate) fn session_secrets(&self) -> Option<&SessionSecrets> {
        match self {
            State::Established(e) => Some(&e.secrets),
            _ => None,
        }
    }

    /// Advances the handshake with one complete message (or none, to act on
    /// a pending ChangeCipherSpec or decision). Returns whether anything
    /// changed.
    pub(crate) fn step(
        &mut self,
        ctx: &mut Ctx,
        now: Instant,
        message: Option<&Message>,
    ) -> Result<bool, Fatal> {
        let _ = now;
        let state = std::mem::replace(self, State::Failed);
        let (next, progressed) = match (state, message) {
            (State::ExpectChangeCipherSpec(k), None) if ctx.peer_ccs_pending => {
                ctx.peer_ccs_pending = false;
                ctx.records.activate_read_epoch1();
                ctx.progress("received ChangeCipherSpec");
                (State::ExpectFinished(k), true)
            }
            (State::AwaitDecision(k), None) if k.decision.is_some() => (finish(ctx, *k)?, true),
            (state, None) => (state, false),
            (state, Some(msg)) => (on_message(ctx, state, msg)?, true),
        };
        *self = next;
        Ok(progressed)
    }
}

fn on_message(ctx: &mut Ctx, state: State, msg: &Message) -> Result<State, Fatal> {
    let typ = HandshakeType::from(msg.msg_type());
    let payload = HandshakePayload::read(typ, msg.body()).map_err(decode_failure)?;
    match (state, payload) {
        (State::ExpectClientHello, HandshakePayload::ClientHello(hello)) => {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            on_client_hello(ctx, &hello)
        }
        (State::ExpectClientFlight(mut s), HandshakePayload::Certificate(cert))
            if s.expect_certificate =>
        {
            ctx.peer_flight_started();
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            if cert.certificate_list.is_empty()
                && s.negotiated.client_auth == ClientAuthMode::Required
            {
                // RFC 5246 7.4.6: the server may answer a missing
                // certificate with a fatal handshake_failure.
                return Err(Fatal::new(
                    AlertDescription::HandshakeFailure,
                    StatusCode::InvalidCertificate,
                    "the client sent no certificate, but one is required",
                ));
            }
            ctx.progress(format!(
                "received client Certificate ({} certificates)",
                cert.certificate_list.len()
            ));
            s.client_chain = cert.certificate_list;
            s.expect_certificate = false;
            Ok(State::ExpectClientFlight(s))
        }
        (State::ExpectClientFlight(s), HandshakePayload::ClientKeyExchange(cke))
            if !s.expect_certificate =>
        {
            ctx.peer_flight_started();
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            on_client_key_exchange(ctx, *s, &cke.public)
        }
        (State::ExpectCertificateVerify(mut k), HandshakePayload::CertificateVerify(cv)) => {
            let scheme_ok = k.negotiated.requested_schemes.contains(&cv.signed.scheme);
            let scheme = SignatureScheme::from_u16(cv.signed.scheme).filter(|_| scheme_ok);
            let Some(scheme) = scheme else {
                return Err(Fatal::new(
                    AlertDescription::IllegalParameter,
                    StatusCode::InvalidCertificate,
                    format!(
                        "CertificateVerify uses signature scheme 0x{:04x}, which was not offered",
                        cv.signed.scheme
                    ),
                ));
            };
            let leaf = k
                .client_chain
                .first()
                .ok_or_else(|| unexpected("CertificateVerify"))?;
            // RFC 5246 7.4.8: the signature covers all handshake messages so
            // far, not including this one.
            dtls_crypto::sign::verify_signature(
                scheme,
                leaf,
                ctx.transcript.bytes(),
                &cv.signed.signature,
            )
            .map_err(|_| {
                Fatal::new(
                    AlertDescription::DecryptError,
                    StatusCode::InvalidCertificate,
                    "the client's CertificateVerify signature does not verify",
                )
            })?;
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            report_client_certificate(ctx, &mut k);
            Ok(State::ExpectChangeCipherSpec(k))
        }
        (State::ExpectFinished(k), HandshakePayload::Finished(fin)) => {
            let hash = k.negotiated.suite.prf_hash();
            let expected = prf::verify_data(hash, &k.master, true, &ctx.transcript.hash(hash));
            if !constant_time_eq(&expected, &fin.verify_data) {
                return Err(Fatal::new(
                    AlertDescription::DecryptError,
                    StatusCode::HandshakeError,
                    "the client's Finished message does not verify",
                ));
            }
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            ctx.progress("received client Finished");
            if !k.client_chain.is_empty() && k.decision.is_none() {
                return Ok(State::AwaitDecision(k));
            }
            finish(ctx, *k)
        }
        (State::Established(e), HandshakePayload::ClientHello(_)) => {
            // RFC 5746 4.4 / RFC 5246 7.2.2: we never renegotiate.
            ctx.queue_alert_warning(AlertDescription::NoRenegotiation);
            Ok(State::Established(e))
        }
        (_, payload) => Err(unexpected(&format!("{:?}", payload.handshake_type()))),
    }
}

fn report_client_certificate(ctx: &mut Ctx, k: &mut KeysDerived) {
    let SideConfig::Server(config) = &ctx.config else {
        return;
    };
    let (status, verified) = match &config.client_verifier {
        Some(verifier) => {
            let chain: Vec<rustls_pki_types::CertificateDer<'_>> = k
                .client_chain
                .iter()
                .map(|c| rustls_pki_types::CertificateDer::from(c.as_slice()))
                .collect();
            match config.unix_time.as_ref() {
                Some(clock) => {
                    let outcome = verifier.verify(&chain, (clock.0)());
                    (outcome.status, outcome.ok)
                }
                None => (
                    "no wall clock configured: chain not validated".to_owned(),
                    false,
                ),
            }
        }
        None => (
            "no client CA configured: chain not validated".to_owned(),
            false,
        ),
    };
    ctx.emit(Event::ClientCertificate {
        chain: k.client_chain.clone(),
        status,
        verified,
    });
}

/// Sends our ChangeCipherSpec and Finished (flight 6) and completes.
fn finish(ctx: &mut Ctx, k: KeysDerived) -> Result<State, Fatal> {
    if k.decision == Some(false) {
        return Err(Fatal::new(
            AlertDescription::BadCertificate,
            StatusCode::InvalidCertificate,
            "the client certificate was rejected",
        ));
    }
    let hash = k.negotiated.suite.prf_hash();
    let verify = prf::verify_data(hash, &k.master, false, &ctx.transcript.hash(hash));
    // The final flight is only re-sent when the client re-sends its own
    // (RFC 6347 4.2.4), so no timer.
    ctx.begin_flight(false);
    ctx.queue_change_cipher_spec(k.server_write);
    let mut body = Vec::new();
    Finished {
        verify_data: verify.to_vec(),
    }
    .encode(&mut body);
    ctx.queue_handshake(u8::from(HandshakeType::Finished), body);
    let n = k.negotiated;
    let params = NegotiatedParams {
        version: "DTLS 1.2",
        cipher_suite: n.suite,
        group: Some(n.group),
        signature_scheme: Some(n.scheme),
        resumed: false,
        extended_master_secret: n.extended_master_secret,
        alpn_protocol: n.alpn.clone(),
        server_name: n.server_name.clone(),
        peer_certificates: k.client_chain,
    };
    ctx.progress("handshake complete");
    ctx.established(params);
    Ok(State::Established(Box::new(Established {
        secrets: SessionSecrets {
            suite: n.suite,
            master: k.master,
            client_random: n.client_random,
            server_random: n.server_random,
        },
    })))
}

fn on_client_key_exchange(
    ctx: &mut Ctx,
    s: ExpectClientFlight,
    client_public: &[u8],
) -> Result<State, Fatal> {
    let n = s.negotiated;
    let pre_master = s.key_share.agree(client_public).map_err(|_| {
        Fatal::new(
            AlertDescription::IllegalParameter,
            StatusCode::HandshakeError,
            "the client's ECDHE public key is invalid",
        )
    })?;
    let hash = n.suite.prf_hash();
    let master = if n.extended_master_secret {
        // RFC 7627 4: session_hash covers up to and including the
        // ClientKeyExchange.
        prf::extended_master_secret(hash, pre_master.as_bytes(), &ctx.transcript.hash(hash))
    } else {
        prf::master_secret(
            hash,
            pre_master.as_bytes(),
            &n.client_random,
            &n.server_random,
        )
    };
    let keys = prf::key_block(n.suite, &master, &n.client_random, &n.server_random);
    let client_write = RecordProtection::new(n.suite, &keys.client_write).map_err(internal)?;
    let server_write = RecordProtection::new(n.suite, &keys.server_write).map_err(internal)?;
    ctx.records.install_read_keys(client_write);
    ctx.progress("received ClientKeyExchange; keys derived");
    let has_cert = !s.client_chain.is_empty();
    let k = Box::new(KeysDerived {
        negotiated: n,
        master,
        server_write,
        client_chain: s.client_chain,
        decision: None,
    });
    Ok(if has_cert {
        State::ExpectCertificateVerify(k)
    } else {
        State::ExpectChangeCipherSpec(k)
    })
}

/// Picks suite, group, signature scheme, identity and extensions, and
/// queues flight 4.
fn on_client_hello(ctx: &mut Ctx, hello: &ClientHello) -> Result<State, Fatal> {
    let SideConfig::Server(config) = &ctx.config else {
        return Err(internal("server state on a client connection"));
    };
    let config: Arc<ServerConfig> = config.clone();
    ctx.progress("received ClientHello");

    // RFC 6347 4.1 / 4.2.1: DTLS 1.2 is 0xFEFD; DTLS 1.0 is 0xFEFF (numerically
    // larger means older).
    if u16::from(hello.client_version) > 0xFEFD {
        return Err(Fatal::new(
            AlertDescription::ProtocolVersion,
            StatusCode::NotSupported,
            format!(
                "the client offers only DTLS version 0x{:04x}; DTLS 1.2 is required",
                u16::from(hello.client_version)
            ),
        ));
    }
    // RFC 5246 7.4.1.2: the null compression method must be offered.
    if !hello.compression_methods.contains(&0) {
        return Err(Fatal::new(
            AlertDescription::IllegalParameter,
            StatusCode::NotSupported,
            "the client does not offer null compression",
        ));
    }
    let exts = hello.extensions.as_deref().unwrap_or(&[]);
    let mut offered_groups: Option<&[u16]> = None;
    let mut offered_schemes: Option<&[u16]> = None;
    let mut point_formats: Option<&[u8]> = None;
    let mut alpn_offered: Option<&[Vec<u8>]> = None;
    let mut sni: Option<String> = None;
    let mut ems = false;
    let mut etm = false;
    let mut reneg_info: Option<&[u8]> = None;
    let mut record_size_limit = None;
    for ext in exts {
        match ext {
            ClientExtension::SupportedGroups(g) => offered_groups = Some(g),
            ClientExtension::SignatureAlgorithms(s) => offered_schemes = Some(s),
            ClientExtension::EcPointFormats(f) => point_formats = Some(f),
            ClientExtension::Alpn(p) => alpn_offered = Some(p),
            ClientExtension::ServerName(name) => {
                sni = Some(String::from_utf8_lossy(name).to_ascii_lowercase());
            }
            ClientExtension::ExtendedMasterSecret => ems = true,
            ClientExtension::EncryptThenMac => etm = true,
            ClientExtension::RenegotiationInfo(r) => reneg_info = Some(r),
            ClientExtension::RecordSizeLimit(l) => record_size_limit = Some(*l),
            _ => {}
        }
    }

    // RFC 5746 3.6: an initial ClientHello's renegotiation_info must be empty.
    if reneg_info.is_some_and(|r| !r.is_empty()) {
        return Err(Fatal::new(
            AlertDescription::HandshakeFailure,
            StatusCode::HandshakeError,
            "renegotiation_info is not empty in an initial handshake",
        ));
    }
    let secure_renegotiation =
        reneg_info.is_some() || hello.cipher_suites.contains(&EMPTY_RENEGOTIATION_INFO_SCSV);

    // RFC 7627 5.3: a server that requires the extension aborts without it.
    if !ems && config.common.require_extended_master_secret {
        return Err(Fatal::new(
            AlertDescription::HandshakeFailure,
            StatusCode::HandshakeError,
            "the client does not support the extended master secret (RFC 7627), which is required",
        ));
    }
    // RFC 8422 5.1.2: uncompressed points must be supported.
    if point_formats.is_some_and(|f| !f.contains(&0)) {
        return Err(Fatal::new(
            AlertDescription::IllegalParameter,
            StatusCode::NotSupported,
            "the client does not support uncompressed EC points",
        ));
    }

    // RFC 8422 4: without supported_groups, assume the client supports the
    // common curves; we pick P-256.
    let group = match offered_groups {
        Some(offered) => config
            .common
            .groups
            .iter()
            .copied()
            .find(|g| offered.contains(&g.to_u16())),
        None => config
            .common
            .groups
            .iter()
            .copied()
            .find(|g| *g == NamedGroup::Secp256r1),
    };
    let Some(group) = group else {
        return Err(Fatal::new(
            AlertDescription::HandshakeFailure,
            StatusCode::HandshakeError,
            "no ECDHE group in common with the client",
        ));
    };

    // RFC 5246 7.4.1.4.1: without signature_algorithms the client implies
    // SHA-1, which we only use if configured.
    let default_schemes = [0x0201u16, 0x0203];
    let client_schemes = offered_schemes.unwrap_or(&default_schemes);
    let acceptable: Vec<u16> = config
        .common
        .signature_schemes
        .iter()
        .map(|s| s.to_u16())
        .filter(|s| client_schemes.contains(s))
        .collect();

    let identities = order_identities(&config.identities, sni.as_deref());
    let mut chosen = None;
    'suites: for suite in &config.common.cipher_suites {
        if !hello.cipher_suites.contains(&suite.id()) {
            continue;
        }
        // RFC 7366 3: CBC suites only with Encrypt-then-MAC.
        if suite.requires_encrypt_then_mac() && !etm {
            continue;
        }
        for identity in &identities {
            if auth_of(identity.key.key_type()) != suite.auth() {
                continue;
            }
            if let Some(scheme) = identity.key.choose_scheme(&acceptable) {
                chosen = Some((*suite, *identity, scheme));
                break 'suites;
            }
        }
    }
    let Some((suite, identity, scheme)) = chosen else {
        return Err(Fatal::new(
            AlertDescription::HandshakeFailure,
            StatusCode::HandshakeError,
            "no cipher suite in common with the client (check SSLEnabledCipherSuites, the certificate's key type, signature algorithms and Encrypt-then-MAC)",
        ));
    };

    // RFC 7301 3.2: with ALPN configured and offered, no overlap is fatal.
    let alpn = match alpn_offered {
        Some(offered) if !config.common.alpn_protocols.is_empty() => {
            let pick = config
                .common
                .alpn_protocols
                .iter()
                .find(|p| offered.contains(p))
                .cloned();
            if pick.is_none() {
                return Err(Fatal::new(
                    AlertDescription::NoApplicationProtocol,
                    StatusCode::HandshakeError,
                    "no application protocol (ALPN) in common with the client",
                ));
            }
            pick
        }
        _ => None,
    };

    let server_random: [u8; 32] = dtls_crypto::random::array().map_err(internal)?;
    let key_share = EphemeralKeyPair::generate(group).map_err(internal)?;

    let mut server_exts = Vec::new();
    if secure_renegotiation {
        server_exts.push(ServerExtension::RenegotiationInfo(Vec::new()));
    }
    if ems {
        server_exts.push(ServerExtension::ExtendedMasterSecret);
    }
    if suite.requires_encrypt_then_mac() {
        server_exts.push(ServerExtension::EncryptThenMac);
    }
    if point_formats.is_some() {
        server_exts.push(ServerExtension::EcPointFormats(vec![0]));
    }
    if let Some(p) = &alpn {
        server_exts.push(ServerExtension::Alpn(p.clone()));
    }
    // RFC 6066 3: acknowledge server_name when it selected the certificate.
    if sni
        .as_deref()
        .is_some_and(|name| identity_matches(identity, name))
    {
        server_exts.push(ServerExtension::ServerNameAck);
    }
    if let Some(limit) = record_size_limit {
        // RFC 8449 4: in TLS 1.2 the value limits the plaintext.
        ctx.peer_record_size_limit = Some(usize::from(limit));
        let ours = config.common.record_size_limit.unwrap_or(1 << 14);
        server_exts.push(ServerExtension::RecordSizeLimit(ours.clamp(64, 1 << 14)));
    }

    ctx.begin_flight(true);
    let server_hello = ServerHello {
        server_version: ProtocolVersion::Dtls1_2,
        random: server_random,
        session_id: Vec::new(),
        cipher_suite: suite.id(),
        compression_method: 0,
        extensions: Some(server_exts),
    };
    queue(ctx, HandshakeType::ServerHello, |b| server_hello.encode(b));
    let certificate = Certificate {
        certificate_list: identity.chain.clone(),
    };
    queue(ctx, HandshakeType::Certificate, |b| certificate.encode(b));

    // RFC 8422 5.4: the signature covers client_random, server_random and
    // the ServerECDHParams.
    let params = ServerEcdhParams {
        named_curve: group.to_u16(),
        public: key_share.public_key().to_vec(),
    };
    let signed_input = params.signed_message(&hello.random, &server_random);
    let signature = identity.key.sign(scheme, &signed_input).map_err(internal)?;
    let ske = ServerKeyExchange {
        params,
        signed_params: DigitallySigned {
            scheme: scheme.to_u16(),
            signature,
        },
    };
    queue(ctx, HandshakeType::ServerKeyExchange, |b| ske.encode(b));

    let mut requested_schemes = Vec::new();
    let request_cert = config.client_auth != ClientAuthMode::None;
    if request_cert {
        requested_schemes = config
            .common
            .signature_schemes
            .iter()
            .map(|s| s.to_u16())
            .collect();
        let request = CertificateRequest {
            certificate_types: vec![ECDSA_SIGN, RSA_SIGN],
            supported_signature_algorithms: requested_schemes.clone(),
            certificate_authorities: config.client_ca_names.clone(),
        };
        queue(ctx, HandshakeType::CertificateRequest, |b| {
            request.encode(b)
        });
    }
    queue(ctx, HandshakeType::ServerHelloDone, |b| {
        ServerHelloDone.encode(b)
    });
    ctx.progress(format!(
        "sent ServerHello ({}, {}, {})",
        suite.name(),
        group.name(),
        scheme.name()
    ));

    Ok(State::ExpectClientFlight(Box::new(ExpectClientFlight {
        negotiated: Negotiated {
            suite,
            group,
            scheme,
            client_random: hello.random,
            server_random,
            extended_master_secret: ems,
            alpn,
            server_name: sni,
            client_auth: config.client_auth,
            requested_schemes,
        },
        key_share,
        expect_certificate: request_cert,
        client_chain: Vec::new(),
    })))
}

fn queue(ctx: &mut Ctx, typ: HandshakeType, encode: impl FnOnce(&mut Vec<u8>)) {
    let mut body = Vec::new();
    encode(&mut body);
    ctx.queue_handshake(u8::from(typ), body);
}

/// Which suite family a key can authenticate (RFC 8422 2).
pub(crate) fn auth_of(key: KeyType) -> AuthAlgorithm {
    match key {
        KeyType::Rsa { .. } => AuthAlgorithm::Rsa,
        _ => AuthAlgorithm::Ecdsa,
    }
}

/// Whether an identity serves host `name` (exact, or a `*.` wildcard for
/// one label; RFC 6066 3, RFC 6125 6.4.3).
fn identity_matches(id: &Identity, name: &str) -> bool {
    id.names.iter().any(|n| {
        n == name
            || n.strip_prefix("*.")
                .is_some_and(|suffix| name.split_once('.').is_some_and(|(_, rest)| rest == suffix))
    })
}

/// Identities whose names match the SNI first, then the rest (RFC 6066 3).
fn order_identities<'a>(identities: &'a [Identity], sni: Option<&str>) -> Vec<&'a Identity> {
    let matches = |id: &Identity| sni.is_some_and(|name| identity_matches(id, name));
    let mut out: Vec<&Identity> = identities.iter().filter(|i| matches(i)).collect();
    out.extend(identities.iter().filter(|i| !matches(i)));
    out
}

/// Compares two byte strings without an early exit.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
