//! The client's handshake state machine (RFC 5246 7.3, RFC 6347 4.2).
//!
//! ```text
//!   ClientHello                       ->
//!                                     <-  HelloVerifyRequest (optional)
//!   ClientHello (with cookie)         ->
//!                                     <-  ServerHello, Certificate,
//!                                         ServerKeyExchange,
//!                                         [CertificateRequest],
//!                                         ServerHelloDone
//!   [Certificate], ClientKeyExchange,
//!   [CertificateVerify],
//!   ChangeCipherSpec, Finished        ->
//!                                     <-  [NewSessionTicket],
//!                                         ChangeCipherSpec, Finished
//! ```
//!
//! Resuming (RFC 5246 7.3, RFC 5077 3.1): the ClientHello carries the
//! session ID and/or ticket of [`ClientConfig::resume`]; if the ServerHello
//! echoes the session ID, the handshake is abbreviated:
//!
//! ```text
//!                                     <-  ServerHello, [NewSessionTicket],
//!                                         ChangeCipherSpec, Finished
//!   ChangeCipherSpec, Finished        ->
//! ```
//!
//! Our last flight then gets no timer: it is re-sent only when the server
//! re-sends its flight (RFC 6347 4.2.4).
//!
//! Under a PSK suite (RFC 4279 2, RFC 5489 2) the server sends no
//! Certificate; its ServerKeyExchange (a hint, and ECDHE parameters for
//! ECDHE_PSK) is optional for plain PSK, and our ClientKeyExchange names
//! [`ClientConfig::psk`]'s identity.

use std::time::Instant;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::record::RecordProtection;
use dtls_crypto::sign::{PeerSignature, SignatureScheme};
use dtls_crypto::suites::{AuthAlgorithm, KeyExchangeAlgorithm};

use super::client_flight::{
    first_hello, offers_encrypt_then_mac, offers_suite, send_client_flight,
};
use super::common::{queue_message, record_received};
use super::credentials::check_server_certificate;
use super::keys::{HelloAgreement, PeerCredentials};
use super::peer_error::{CertificateError, Incompatible, Misbehaved, Peer, PeerError, PskError};
use super::record_layer::ConnectionIds;
use super::session::ClientSession;
use super::{Ctx, Message, SessionSecrets};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::event::KeyExchangeUsed;
use crate::msgs::alert::AlertDescription;
use crate::msgs::extensions::{CertificateType, HeartbeatMode, ServerExtension};
use crate::msgs::handshake::{HandshakePayload, HandshakeType};
use crate::msgs::messages::{
    Certificate, CertificatePayload, ClientHello, HelloVerifyRequest, NewSessionTicket,
    ServerHello, ServerKeyExchange, ServerKeyExchangeParams,
};
use crate::msgs::record::ProtocolVersion;

/// How many HelloVerifyRequests we follow before giving up (a server that
/// keeps asking is broken or hostile).
const MAX_HELLO_VERIFY: u8 = 4;

/// What the ServerHello settled.
pub(super) struct Negotiated {
    pub(super) agreed: HelloAgreement,
    /// The server acknowledged session_ticket: a NewSessionTicket comes
    /// before its ChangeCipherSpec (RFC 5077 3.3).
    pub(super) expect_ticket: bool,
    /// The ticket it sent (empty means none).
    pub(super) ticket: Option<Vec<u8>>,
    /// What the server's Certificate carries (RFC 7250 4.2).
    pub(super) server_certificate_type: CertificateType,
    /// What ours must carry if the server asks (RFC 7250 4.2).
    pub(super) client_certificate_type: CertificateType,
}

pub(crate) struct ExpectServerHello {
    pub(super) hello: ClientHello,
    pub(super) hello_verify_count: u8,
    /// The session offered for resumption.
    pub(super) offered: Option<ClientSession>,
    /// Whether we sent the session_ticket extension.
    pub(super) ticket_ext: bool,
}

/// Abbreviated handshake: keys derived from the resumed master secret;
/// waiting for the server's [NewSessionTicket], ChangeCipherSpec, Finished.
pub(crate) struct Resuming {
    n: Negotiated,
    session: ClientSession,
    secrets: SessionSecrets,
    client_write: RecordProtection,
}

pub(crate) struct ExpectCertificate {
    n: Negotiated,
}

pub(crate) struct ExpectServerKeyExchange {
    n: Negotiated,
    server_certificate: CertificatePayload,
}

pub(crate) struct ExpectServerHelloDone {
    pub(super) n: Negotiated,
    pub(super) server_certificate: CertificatePayload,
    /// The server's ECDHE group and share, unless the suite is plain PSK.
    pub(super) ecdhe: Option<(NamedGroup, Vec<u8>)>,
    /// The server's signature scheme (certificate suites).
    pub(super) scheme: Option<SignatureScheme>,
    /// Signature schemes the server accepts for our CertificateVerify, if
    /// it asked for a certificate.
    pub(super) certificate_request: Option<Vec<u16>>,
}

pub(crate) struct ExpectServerFinished {
    pub(super) n: Negotiated,
    pub(super) server_certificate: CertificatePayload,
    pub(super) key_exchange: KeyExchangeUsed,
    pub(super) secrets: SessionSecrets,
}

pub(crate) struct Established {
    secrets: SessionSecrets,
    /// What a later connection can resume.
    session: Option<ClientSession>,
}

/// The client handshake state.
pub(crate) enum State {
    ExpectServerHello(Box<ExpectServerHello>),
    ExpectCertificate(Box<ExpectCertificate>),
    ExpectServerKeyExchange(Box<ExpectServerKeyExchange>),
    ExpectServerHelloDone(Box<ExpectServerHelloDone>),
    ExpectChangeCipherSpec(Box<ExpectServerFinished>),
    ExpectFinished(Box<ExpectServerFinished>),
    ResumeExpectChangeCipherSpec(Box<Resuming>),
    ResumeExpectFinished(Box<Resuming>),
    Established(Box<Established>),
    Failed,
}

impl State {
    /// Builds and queues the first ClientHello.
    pub(crate) fn start(config: &ClientConfig, ctx: &mut Ctx) -> Result<State, Error> {
        Ok(State::ExpectServerHello(Box::new(first_hello(
            config, ctx,
        )?)))
    }

    pub(crate) fn session_secrets(&self) -> Option<&SessionSecrets> {
        match self {
            State::Established(e) => Some(&e.secrets),
            _ => None,
        }
    }

    pub(crate) fn session(&self) -> Option<ClientSession> {
        match self {
            State::Established(e) => e.session.clone(),
            _ => None,
        }
    }

    /// Why a handshake that ran out of time stalled, when the state knows
    /// more than "no answer": under a PSK suite, a server that never
    /// answers our Finished could not open it, so its key is not ours.
    pub(crate) fn stall_reason(&self) -> Option<PeerError> {
        match self {
            State::ExpectChangeCipherSpec(s) | State::ExpectFinished(s)
                if s.n.agreed.suite.auth() == AuthAlgorithm::Psk =>
            {
                Some(PskError::ServerKeyDiffers.into())
            }
            _ => None,
        }
    }

    /// Advances the handshake with one complete message (or none, to act on
    /// a pending ChangeCipherSpec). Returns whether anything changed.
    pub(crate) fn step(
        &mut self,
        config: &ClientConfig,
        ctx: &mut Ctx,
        now: Instant,
        message: Option<&Message>,
    ) -> Result<bool, PeerError> {
        let _ = now;
        let state = std::mem::replace(self, State::Failed);
        let (next, progressed) = match (state, message) {
            // A promised NewSessionTicket precedes the CCS (RFC 5077 3.3):
            // act on an early CCS only after it, so the ticket (epoch 0) is
            // not read as a stale message once epoch 1 is active.
            (State::ExpectChangeCipherSpec(s), None)
                if ctx.peer_ccs_pending && !s.n.expect_ticket =>
            {
                on_change_cipher_spec(ctx);
                (State::ExpectFinished(s), true)
            }
            (State::ResumeExpectChangeCipherSpec(s), None)
                if ctx.peer_ccs_pending && !s.n.expect_ticket =>
            {
                on_change_cipher_spec(ctx);
                (State::ResumeExpectFinished(s), true)
            }
            (state, None) => (state, false),
            (state, Some(msg)) => (on_message(ctx, config, state, msg)?, true),
        };
        *self = next;
        Ok(progressed)
    }
}

/// The server's ChangeCipherSpec: read epoch 1 from now on (RFC 5246 7.1).
fn on_change_cipher_spec(ctx: &mut Ctx) {
    ctx.peer_ccs_pending = false;
    ctx.records.activate_read_epoch1();
}

fn on_message(
    ctx: &mut Ctx,
    config: &ClientConfig,
    state: State,
    msg: &Message,
) -> Result<State, PeerError> {
    let typ = HandshakeType::from(msg.msg_type());
    let payload = HandshakePayload::read(typ, msg.body()).map_err(PeerError::Decode)?;
    match (state, payload) {
        (State::ExpectServerHello(s), HandshakePayload::HelloVerifyRequest(hvr)) => {
            on_hello_verify_request(ctx, s, hvr)
        }
        (State::ExpectServerHello(s), HandshakePayload::ServerHello(sh)) => {
            ctx.peer_flight_started();
            record_received(ctx, msg);
            on_server_hello(ctx, config, *s, sh)
        }
        (State::ExpectChangeCipherSpec(mut s), HandshakePayload::NewSessionTicket(nst))
            if s.n.expect_ticket =>
        {
            s.n.ticket = on_new_session_ticket(ctx, msg, &mut s.n, nst);
            Ok(State::ExpectChangeCipherSpec(s))
        }
        (State::ResumeExpectChangeCipherSpec(mut s), HandshakePayload::NewSessionTicket(nst))
            if s.n.expect_ticket =>
        {
            if let Some(ticket) = on_new_session_ticket(ctx, msg, &mut s.n, nst) {
                s.session.ticket = Some(ticket);
            }
            Ok(State::ResumeExpectChangeCipherSpec(s))
        }
        (State::ResumeExpectFinished(s), HandshakePayload::Finished(fin)) => {
            finish_resumption(ctx, config, *s, msg, &fin.verify_data)
        }
        (State::ExpectCertificate(s), HandshakePayload::Certificate(cert)) => {
            record_received(ctx, msg);
            on_certificate(ctx, config, s.n, cert)
        }
        (State::ExpectServerKeyExchange(s), HandshakePayload::ServerKeyExchange(ske)) => {
            let next = on_server_key_exchange(ctx, config, *s, &ske)?;
            record_received(ctx, msg);
            Ok(next)
        }
        // RFC 4279 2: without a hint, a plain PSK server omits its
        // ServerKeyExchange.
        (State::ExpectServerKeyExchange(s), HandshakePayload::ServerHelloDone(_))
            if s.n.agreed.suite.key_exchange() == KeyExchangeAlgorithm::Psk =>
        {
            record_received(ctx, msg);
            let s = ExpectServerHelloDone {
                n: s.n,
                server_certificate: s.server_certificate,
                ecdhe: None,
                scheme: None,
                certificate_request: None,
            };
            send_client_flight(ctx, config, s)
        }
        // RFC 4279 2: no CertificateRequest under a PSK suite.
        (State::ExpectServerHelloDone(mut s), HandshakePayload::CertificateRequest(cr))
            if s.certificate_request.is_none() && s.n.agreed.suite.auth() != AuthAlgorithm::Psk =>
        {
            record_received(ctx, msg);
            s.certificate_request = Some(cr.supported_signature_algorithms);
            Ok(State::ExpectServerHelloDone(s))
        }
        (State::ExpectServerHelloDone(s), HandshakePayload::ServerHelloDone(_)) => {
            record_received(ctx, msg);
            send_client_flight(ctx, config, *s)
        }
        (State::ExpectFinished(s), HandshakePayload::Finished(fin)) => {
            finish(ctx, config, *s, &fin.verify_data)
        }
        (State::Established(e), HandshakePayload::HelloRequest) => {
            // RFC 5246 7.2.2: decline renegotiation.
            ctx.queue_alert_warning(AlertDescription::NoRenegotiation);
            Ok(State::Established(e))
        }
        (_, payload) => Err(PeerError::Unexpected(payload.handshake_type())),
    }
}

/// RFC 6347 4.2.1: resend the same hello with the cookie; the first hello
/// and the HelloVerifyRequest are not part of the transcript.
fn on_hello_verify_request(
    ctx: &mut Ctx,
    mut s: Box<ExpectServerHello>,
    hvr: HelloVerifyRequest,
) -> Result<State, PeerError> {
    ctx.peer_flight_started();
    s.hello_verify_count += 1;
    if s.hello_verify_count > MAX_HELLO_VERIFY {
        return Err(Misbehaved::TooManyHelloVerifyRequests.into());
    }
    s.hello.cookie = hvr.cookie;
    // Whatever the server sent before this HelloVerifyRequest belongs to a
    // handshake it has given up (its cookie expired or it lost its state):
    // a buffered message of that flight would be taken for the next one.
    ctx.inbox.reassembler.clear();
    ctx.transcript.clear();
    ctx.begin_flight(true);
    queue_message(ctx, HandshakeType::ClientHello, &s.hello);
    ctx.progress("received HelloVerifyRequest; sent ClientHello with cookie");
    Ok(State::ExpectServerHello(s))
}

/// The server's choices: version, suite and compression we offered, and
/// only extensions we offered; an echoed session ID means it resumes.
fn on_server_hello(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: ExpectServerHello,
    sh: ServerHello,
) -> Result<State, PeerError> {
    if sh.server_version != ProtocolVersion::Dtls1_2 {
        return Err(Misbehaved::UnofferedVersion(u16::from(sh.server_version)).into());
    }
    let suite = CipherSuite::from_id(sh.cipher_suite)
        .filter(|suite| offers_suite(config, *suite))
        .ok_or(Misbehaved::UnofferedCipherSuite(sh.cipher_suite))?;
    if sh.compression_method != 0 {
        return Err(Misbehaved::UnofferedCompression.into());
    }
    let answer = read_server_extensions(ctx, config, &s, &sh, suite)?;
    if let Some(cids) = answer.connection_ids {
        ctx.records.set_connection_ids(cids);
    }
    let n = Negotiated {
        agreed: HelloAgreement {
            suite,
            client_random: s.hello.random,
            server_random: sh.random,
            extended_master_secret: answer.extended_master_secret,
            alpn: answer.alpn,
            session_id: sh.session_id.clone(),
        },
        expect_ticket: answer.ticket_ack,
        ticket: None,
        server_certificate_type: answer.server_certificate_type,
        client_certificate_type: answer.client_certificate_type,
    };
    // RFC 5246 7.4.1.3 / RFC 5077 3.4: the echoed session ID means the
    // server resumes.
    if let Some(session) = s.offered
        && !sh.session_id.is_empty()
        && sh.session_id == s.hello.session_id
    {
        return start_resumption(ctx, n, session);
    }
    ctx.progress(format!("received ServerHello ({})", suite.name()));
    if suite.auth() == AuthAlgorithm::Psk {
        // RFC 4279 2: no Certificate under a PSK suite.
        return Ok(State::ExpectServerKeyExchange(Box::new(
            ExpectServerKeyExchange {
                n,
                server_certificate: CertificatePayload::default(),
            },
        )));
    }
    // RFC 7250 4.2: no server_certificate_type means X.509, which a client
    // that takes raw public keys only must refuse (its pinned keys would
    // otherwise be bypassed by any chain).
    if !config
        .server_certificate_types
        .contains(&n.server_certificate_type)
    {
        return Err(Incompatible::NoCertificateTypeInCommon.into());
    }
    Ok(State::ExpectCertificate(Box::new(ExpectCertificate { n })))
}

/// What the ServerHello's extensions settled.
struct ServerAnswer {
    extended_master_secret: bool,
    alpn: Option<Vec<u8>>,
    ticket_ack: bool,
    server_certificate_type: CertificateType,
    client_certificate_type: CertificateType,
    connection_ids: Option<ConnectionIds>,
}

/// Reads the ServerHello's extensions: applies the peer's record size
/// limit and heartbeat mode; refuses what we did not offer (RFC 5246
/// 7.4.1.4) and what we require but the server lacks.
fn read_server_extensions(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: &ExpectServerHello,
    sh: &ServerHello,
    suite: CipherSuite,
) -> Result<ServerAnswer, PeerError> {
    let exts = sh.extensions.as_deref().unwrap_or(&[]);
    let has = |want: fn(&ServerExtension) -> bool| exts.iter().any(want);
    let ems = has(|e| matches!(e, ServerExtension::ExtendedMasterSecret));
    let etm = has(|e| matches!(e, ServerExtension::EncryptThenMac));
    let ticket_ack = has(|e| matches!(e, ServerExtension::SessionTicketAck));
    let mut alpn = None;
    let mut server_certificate_type = CertificateType::X509;
    let mut client_certificate_type = CertificateType::X509;
    let mut connection_ids = None;
    for ext in exts {
        match ext {
            ServerExtension::Alpn(p) => alpn = Some(p.clone()),
            ServerExtension::ServerCertificateType(t) => {
                server_certificate_type = offered_type(
                    s.hello.server_certificate_types(),
                    *t,
                    "server_certificate_type",
                )?;
            }
            // RFC 9146 3: the server's CID, for our records; ours goes in
            // its records.
            ServerExtension::ConnectionId(theirs) => {
                let ours = config
                    .connection_id
                    .clone()
                    .ok_or(Misbehaved::UnsolicitedExtension("connection_id"))?;
                connection_ids = Some(ConnectionIds {
                    ours,
                    theirs: theirs.clone(),
                });
            }
            ServerExtension::ClientCertificateType(t) => {
                client_certificate_type = offered_type(
                    s.hello.client_certificate_types(),
                    *t,
                    "client_certificate_type",
                )?;
            }
            ServerExtension::RecordSizeLimit(l) => {
                ctx.peer_record_size_limit = Some(usize::from(*l));
            }
            ServerExtension::Heartbeat(m) if ctx.keepalive.enabled() => {
                ctx.peer_heartbeat_mode = Some(*m == HeartbeatMode::PeerAllowedToSend);
            }
            _ => {}
        }
    }
    if ems && !config.offer_extended_master_secret {
        return Err(Misbehaved::UnsolicitedExtension("extended_master_secret").into());
    }
    if etm && !offers_encrypt_then_mac(config) {
        return Err(Misbehaved::UnsolicitedExtension("encrypt_then_mac").into());
    }
    // RFC 7301 3.1: the server selects one of the offered protocols.
    if let Some(p) = &alpn
        && !config.common.alpn_protocols.contains(p)
    {
        return Err(Misbehaved::UnofferedAlpn(p.clone()).into());
    }
    if ticket_ack && !s.ticket_ext {
        return Err(Misbehaved::UnsolicitedExtension("session_ticket").into());
    }
    if !ems && config.common.require_extended_master_secret {
        return Err(Incompatible::NoExtendedMasterSecret(Peer::Server).into());
    }
    if !ems {
        ctx.progress(
            "warning: the server does not use the extended master secret (RFC 7627); \
             this session will not be resumable",
        );
    }
    if suite.requires_encrypt_then_mac() && !etm {
        return Err(Misbehaved::CbcWithoutEncryptThenMac.into());
    }
    Ok(ServerAnswer {
        extended_master_secret: ems,
        alpn,
        ticket_ack,
        server_certificate_type,
        client_certificate_type,
        connection_ids,
    })
}

/// A certificate type the server chose: one we offered in that extension
/// (RFC 7250 4.2), which we only send when we offer more than X.509.
fn offered_type(
    offered: Option<&[CertificateType]>,
    chosen: CertificateType,
    ext: &'static str,
) -> Result<CertificateType, PeerError> {
    match offered {
        None => Err(Misbehaved::UnsolicitedExtension(ext).into()),
        Some(list) if list.contains(&chosen) => Ok(chosen),
        Some(_) => Err(Misbehaved::UnofferedCertificateType(ext, u8::from(chosen)).into()),
    }
}

/// A promised NewSessionTicket (RFC 5077 3.3): returns its ticket unless
/// empty (the server may decline to issue one).
fn on_new_session_ticket(
    ctx: &mut Ctx,
    msg: &Message,
    n: &mut Negotiated,
    nst: NewSessionTicket,
) -> Option<Vec<u8>> {
    record_received(ctx, msg);
    n.expect_ticket = false;
    ctx.progress("received NewSessionTicket");
    (!nst.ticket.is_empty()).then_some(nst.ticket)
}

/// The server's Certificate, of the negotiated type (RFC 7250 3): a
/// non-empty chain, valid if we have trust anchors, or a raw public key,
/// pinned if we pin any.
fn on_certificate(
    ctx: &mut Ctx,
    config: &ClientConfig,
    n: Negotiated,
    cert: Certificate,
) -> Result<State, PeerError> {
    let server_certificate = cert
        .read_as(n.server_certificate_type)
        .map_err(PeerError::Decode)?;
    check_server_certificate(config, &server_certificate)?;
    if server_certificate.raw_public_key().is_some() {
        ctx.progress("received the server's raw public key (RFC 7250)");
    }
    Ok(State::ExpectServerKeyExchange(Box::new(
        ExpectServerKeyExchange {
            n,
            server_certificate,
        },
    )))
}

/// The server's ServerKeyExchange, read by the suite's key exchange: an
/// ECDHE share in a group we offered, signed by its certificate's key
/// over both randoms (RFC 8422 5.4); or a PSK identity hint, with an
/// unsigned share for ECDHE_PSK (RFC 4279 2, RFC 5489 2).
fn on_server_key_exchange(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: ExpectServerKeyExchange,
    ske: &ServerKeyExchange,
) -> Result<State, PeerError> {
    let offered_group = |named_curve: u16| {
        NamedGroup::from_u16(named_curve)
            .filter(|g| config.common.groups.contains(g))
            .ok_or(Misbehaved::UnofferedGroup(named_curve))
    };
    let kx = s.n.agreed.suite.key_exchange();
    let (ecdhe, scheme, hint) = match ske.params(kx).map_err(PeerError::Decode)? {
        ServerKeyExchangeParams::Ecdhe {
            params,
            signed_params,
        } => {
            let group = offered_group(params.named_curve)?;
            let scheme = SignatureScheme::from_u16(signed_params.scheme)
                .filter(|sc| config.common.signature_schemes.contains(sc))
                .ok_or(Misbehaved::UnofferedSignatureScheme(signed_params.scheme))?;
            let signer = s
                .server_certificate
                .signer()
                .ok_or(CertificateError::EmptyServerChain)?;
            let signed =
                params.signed_message(&s.n.agreed.client_random, &s.n.agreed.server_random);
            config
                .common
                .provider
                .verify_signature(&PeerSignature {
                    scheme,
                    signer,
                    message: &signed,
                    signature: &signed_params.signature,
                })
                .map_err(|_| Misbehaved::BadServerKeyExchangeSignature)?;
            (Some((group, params.public)), Some(scheme), None)
        }
        ServerKeyExchangeParams::Psk { identity_hint } => (None, None, Some(identity_hint)),
        ServerKeyExchangeParams::EcdhePsk {
            identity_hint,
            params,
        } => {
            let group = offered_group(params.named_curve)?;
            (Some((group, params.public)), None, Some(identity_hint))
        }
    };
    if let Some(hint) = hint.filter(|h| !h.is_empty()) {
        ctx.progress(format!(
            "received a PSK identity hint of {} bytes",
            hint.len()
        ));
    }
    Ok(State::ExpectServerHelloDone(Box::new(
        ExpectServerHelloDone {
            n: s.n,
            server_certificate: s.server_certificate,
            ecdhe,
            scheme,
            certificate_request: None,
        },
    )))
}

/// The server's Finished of a full handshake: verify it and complete.
fn finish(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: ExpectServerFinished,
    verify_data: &[u8],
) -> Result<State, PeerError> {
    let psk = psk_identity_used(config, &s.n);
    s.secrets
        .check_finished(&ctx.transcript, Peer::Server, false, verify_data)
        .map_err(|e| match psk {
            Some(_) => PskError::ServerKeyDiffers.into(),
            None => e,
        })?;
    ctx.begin_flight(false);
    let n = s.n;
    let peer = PeerCredentials {
        certificate: s.server_certificate.clone(),
        psk_identity: psk.clone(),
    };
    let params = n
        .agreed
        .params(Some(s.key_exchange), config.server_name.clone(), peer);
    ctx.progress("handshake complete");
    ctx.established(params);
    let resumable =
        n.agreed.extended_master_secret && (!n.agreed.session_id.is_empty() || n.ticket.is_some());
    let session = resumable.then(|| ClientSession {
        session_id: n.agreed.session_id,
        ticket: n.ticket,
        suite: n.agreed.suite,
        master: s.secrets.master.clone(),
        extended_master_secret: n.agreed.extended_master_secret,
        peer_certificate: s.server_certificate,
        psk_identity: psk,
        server_name: config.server_name.clone(),
    });
    Ok(State::Established(Box::new(Established {
        secrets: s.secrets,
        session,
    })))
}

/// Our PSK identity, if the negotiated suite uses the pre-shared key.
fn psk_identity_used(config: &ClientConfig, n: &Negotiated) -> Option<Vec<u8>> {
    if n.agreed.suite.auth() != AuthAlgorithm::Psk {
        return None;
    }
    config.psk.as_ref().map(|psk| psk.identity.clone())
}

/// The server resumes: check the session still fits (RFC 5246 7.4.1.3 the
/// same suite; RFC 7627 5.3 the same EMS status) and derive the keys from
/// its master secret.
fn start_resumption(
    ctx: &mut Ctx,
    n: Negotiated,
    session: ClientSession,
) -> Result<State, PeerError> {
    if n.agreed.suite != session.suite {
        return Err(Misbehaved::ResumedWithOtherSuite.into());
    }
    if n.agreed.extended_master_secret != session.extended_master_secret {
        return Err(Misbehaved::ResumedWithOtherEms.into());
    }
    let secrets = SessionSecrets::resumed(
        n.agreed.suite,
        session.master.clone(),
        n.agreed.client_random,
        n.agreed.server_random,
    );
    let client_write = secrets.install_read_keys(ctx, Peer::Client)?;
    ctx.progress(format!(
        "received ServerHello ({}); resuming the session",
        n.agreed.suite.name()
    ));
    Ok(State::ResumeExpectChangeCipherSpec(Box::new(Resuming {
        n,
        session,
        secrets,
        client_write,
    })))
}

/// The server's Finished of an abbreviated handshake: verify it, then send
/// our ChangeCipherSpec and Finished (no timer: re-sent only when the
/// server re-sends, RFC 6347 4.2.4).
fn finish_resumption(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: Resuming,
    msg: &Message,
    verify_data: &[u8],
) -> Result<State, PeerError> {
    s.secrets
        .check_finished(&ctx.transcript, Peer::Server, true, verify_data)?;
    record_received(ctx, msg);
    ctx.begin_flight(false);
    s.secrets.queue_finished(ctx, Peer::Client, s.client_write);
    let peer = PeerCredentials {
        certificate: s.session.peer_certificate.clone(),
        psk_identity: s.session.psk_identity.clone(),
    };
    let params = s.n.agreed.params(None, config.server_name.clone(), peer);
    ctx.progress("sent ChangeCipherSpec, Finished; session resumed");
    ctx.established(params);
    Ok(State::Established(Box::new(Established {
        secrets: s.secrets,
        session: Some(s.session),
    })))
}
