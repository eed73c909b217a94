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

use std::time::Instant;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::{EphemeralKeyPair, NamedGroup};
use dtls_crypto::prf::{self, MasterSecret};
use dtls_crypto::sign::SignatureScheme;

use super::server::{auth_of, constant_time_eq};
use super::session::ClientSession;
use super::{Ctx, Fatal, Message, SessionSecrets};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::event::{NegotiatedParams, StatusCode};
use crate::msgs::alert::AlertDescription;
use crate::msgs::codec::Codec;
use crate::msgs::extensions::{ClientExtension, HeartbeatMode, ServerExtension};
use crate::msgs::handshake::{HandshakePayload, HandshakeType};
use crate::msgs::messages::{
    Certificate, CertificateVerify, ClientHello, ClientKeyExchange, DigitallySigned, Finished,
};
use crate::msgs::record::ProtocolVersion;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 3.3).
const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;
/// How many HelloVerifyRequests we follow before giving up (a server that
/// keeps asking is broken or hostile).
const MAX_HELLO_VERIFY: u8 = 4;

/// What the ServerHello settled.
struct Negotiated {
    suite: CipherSuite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    extended_master_secret: bool,
    alpn: Option<Vec<u8>>,
    /// The session ID the server assigned.
    session_id: Vec<u8>,
    /// The server acknowledged session_ticket: a NewSessionTicket comes
    /// before its ChangeCipherSpec (RFC 5077 3.3).
    expect_ticket: bool,
    /// The ticket it sent (empty means none).
    ticket: Option<Vec<u8>>,
}

pub(crate) struct ExpectServerHello {
    hello: ClientHello,
    hello_verify_count: u8,
    /// The session offered for resumption.
    offered: Option<ClientSession>,
    /// Whether we sent the session_ticket extension.
    ticket_ext: bool,
}

/// Abbreviated handshake: keys derived from the resumed master secret;
/// waiting for the server's [NewSessionTicket], ChangeCipherSpec, Finished.
pub(crate) struct Resuming {
    n: Negotiated,
    session: ClientSession,
    client_write: dtls_crypto::record::RecordProtection,
}

pub(crate) struct ExpectCertificate {
    n: Negotiated,
}

pub(crate) struct ExpectServerKeyExchange {
    n: Negotiated,
    chain: Vec<Vec<u8>>,
}

pub(crate) struct ExpectServerHelloDone {
    n: Negotiated,
    chain: Vec<Vec<u8>>,
    group: NamedGroup,
    scheme: SignatureScheme,
    server_public: Vec<u8>,
    /// Signature schemes the server accepts for our CertificateVerify, if
    /// it asked for a certificate.
    certificate_request: Option<Vec<u16>>,
}

pub(crate) struct ExpectServerFinished {
    n: Negotiated,
    chain: Vec<Vec<u8>>,
    group: NamedGroup,
    scheme: SignatureScheme,
    master: MasterSecret,
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
        let common = &config.common;
        if common.cipher_suites.is_empty() {
            return Err(Error::Config("no cipher suites enabled"));
        }
        let mut suites: Vec<u16> = common.cipher_suites.iter().map(|s| s.id()).collect();
        suites.push(EMPTY_RENEGOTIATION_INFO_SCSV);
        let mut exts = vec![
            ClientExtension::SupportedGroups(common.groups.iter().map(|g| g.to_u16()).collect()),
            ClientExtension::EcPointFormats(vec![0]),
            ClientExtension::SignatureAlgorithms(
                common
                    .signature_schemes
                    .iter()
                    .map(|s| s.to_u16())
                    .collect(),
            ),
        ];
        if config.offer_extended_master_secret {
            exts.push(ClientExtension::ExtendedMasterSecret);
        }
        if common
            .cipher_suites
            .iter()
            .any(|s| s.requires_encrypt_then_mac())
        {
            exts.push(ClientExtension::EncryptThenMac);
        }
        if let Some(name) = &config.server_name {
            exts.push(ClientExtension::ServerName(name.as_bytes().to_vec()));
        }
        if !common.alpn_protocols.is_empty() {
            exts.push(ClientExtension::Alpn(common.alpn_protocols.clone()));
        }
        if ctx.keepalive.enabled() {
            exts.push(ClientExtension::Heartbeat(
                super::server::our_heartbeat_mode(ctx),
            ));
        }
        // RFC 5077 3.4 / RFC 5246 7.4.1.2: offer the session only to the
        // same server name, and only with its suite still enabled.
        let offered = config.resume.clone().filter(|s| {
            s.server_name == config.server_name && common.cipher_suites.contains(&s.suite)
        });
        let mut session_id = Vec::new();
        let mut ticket_ext = None;
        if let Some(s) = &offered {
            session_id = s.session_id.clone();
            if let Some(t) = &s.ticket {
                ticket_ext = Some(t.clone());
                if session_id.is_empty() {
                    // RFC 5077 3.4: a fresh ID, which the server echoes if
                    // it accepts the ticket.
                    session_id = common.provider.random_array::<32>()?.to_vec();
                }
            }
        }
        if ticket_ext.is_none() && config.session_tickets {
            ticket_ext = Some(Vec::new());
        }
        let ticket_offered = ticket_ext.is_some();
        if let Some(t) = ticket_ext {
            exts.push(ClientExtension::SessionTicket(t));
        }
        if let Some(limit) = common.record_size_limit {
            // RFC 8449 4: 64..=2^14 in TLS 1.2.
            exts.push(ClientExtension::RecordSizeLimit(limit.clamp(64, 1 << 14)));
        }
        let hello = ClientHello {
            client_version: ProtocolVersion::Dtls1_2,
            random: common.provider.random_array()?,
            session_id,
            cookie: Vec::new(),
            cipher_suites: suites,
            compression_methods: vec![0],
            extensions: Some(exts),
        };
        ctx.begin_flight(true);
        queue(ctx, HandshakeType::ClientHello, |b| hello.encode(b));
        ctx.progress("sent ClientHello");
        Ok(State::ExpectServerHello(Box::new(ExpectServerHello {
            hello,
            hello_verify_count: 0,
            offered,
            ticket_ext: ticket_offered,
        })))
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

    pub(crate) fn step(
        &mut self,
        config: &ClientConfig,
        ctx: &mut Ctx,
        now: Instant,
        message: Option<&Message>,
    ) -> Result<bool, Fatal> {
        let _ = now;
        let state = std::mem::replace(self, State::Failed);
        let (next, progressed) = match (state, message) {
            // A promised NewSessionTicket precedes the CCS (RFC 5077 3.3):
            // act on an early CCS only after it, so the ticket (epoch 0) is
            // not read as a stale message once epoch 1 is active.
            (State::ExpectChangeCipherSpec(s), None)
                if ctx.peer_ccs_pending && !s.n.expect_ticket =>
            {
                ctx.peer_ccs_pending = false;
                ctx.records.activate_read_epoch1();
                (State::ExpectFinished(s), true)
            }
            (State::ResumeExpectChangeCipherSpec(s), None)
                if ctx.peer_ccs_pending && !s.n.expect_ticket =>
            {
                ctx.peer_ccs_pending = false;
                ctx.records.activate_read_epoch1();
                (State::ResumeExpectFinished(s), true)
            }
            (state, None) => (state, false),
            (state, Some(msg)) => (on_message(config, ctx, state, msg)?, true),
        };
        *self = next;
        Ok(progressed)
    }
}

fn queue(ctx: &mut Ctx, typ: HandshakeType, encode: impl FnOnce(&mut Vec<u8>)) {
    let mut body = Vec::new();
    encode(&mut body);
    ctx.queue_handshake(u8::from(typ), body);
}

fn on_message(
    config: &ClientConfig,
    ctx: &mut Ctx,
    state: State,
    msg: &Message,
) -> Result<State, Fatal> {
    let typ = HandshakeType::from(msg.msg_type());
    let payload = HandshakePayload::read(typ, msg.body()).map_err(|e| {
        Fatal::new(
            AlertDescription::DecodeError,
            StatusCode::InvalidDatagram,
            format!("malformed handshake message: {e}"),
        )
    })?;
    match (state, payload) {
        (State::ExpectServerHello(mut s), HandshakePayload::HelloVerifyRequest(hvr)) => {
            ctx.peer_flight_started();
            s.hello_verify_count += 1;
            if s.hello_verify_count > MAX_HELLO_VERIFY {
                return Err(Fatal::new(
                    AlertDescription::HandshakeFailure,
                    StatusCode::InvalidFlow,
                    "the server keeps sending HelloVerifyRequest",
                ));
            }
            // RFC 6347 4.2.1: resend the same hello with the cookie; the
            // first hello and the HelloVerifyRequest are not part of the
            // transcript.
            s.hello.cookie = hvr.cookie;
            ctx.transcript.clear();
            ctx.begin_flight(true);
            queue(ctx, HandshakeType::ClientHello, |b| s.hello.encode(b));
            ctx.progress("received HelloVerifyRequest; sent ClientHello with cookie");
            Ok(State::ExpectServerHello(s))
        }
        (State::ExpectServerHello(s), HandshakePayload::ServerHello(sh)) => {
            ctx.peer_flight_started();
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            if sh.server_version != ProtocolVersion::Dtls1_2 {
                return Err(Fatal::new(
                    AlertDescription::ProtocolVersion,
                    StatusCode::NotSupported,
                    format!(
                        "the server chose version 0x{:04x}",
                        u16::from(sh.server_version)
                    ),
                ));
            }
            let suite = CipherSuite::from_id(sh.cipher_suite)
                .filter(|suite| config.common.cipher_suites.contains(suite))
                .ok_or_else(|| {
                    Fatal::new(
                        AlertDescription::IllegalParameter,
                        StatusCode::HandshakeError,
                        format!(
                            "the server chose cipher suite 0x{:04x}, which we did not offer",
                            sh.cipher_suite
                        ),
                    )
                })?;
            if sh.compression_method != 0 {
                return Err(Fatal::new(
                    AlertDescription::IllegalParameter,
                    StatusCode::HandshakeError,
                    "the server chose a compression method",
                ));
            }
            let exts = sh.extensions.as_deref().unwrap_or(&[]);
            let ems = exts
                .iter()
                .any(|e| matches!(e, ServerExtension::ExtendedMasterSecret));
            let etm = exts
                .iter()
                .any(|e| matches!(e, ServerExtension::EncryptThenMac));
            let alpn = exts.iter().find_map(|e| match e {
                ServerExtension::Alpn(p) => Some(p.clone()),
                _ => None,
            });
            if let Some(limit) = exts.iter().find_map(|e| match e {
                ServerExtension::RecordSizeLimit(l) => Some(*l),
                _ => None,
            }) {
                ctx.peer_record_size_limit = Some(usize::from(limit));
            }
            if let Some(mode) = exts.iter().find_map(|e| match e {
                ServerExtension::Heartbeat(m) => Some(*m),
                _ => None,
            }) && ctx.keepalive.enabled()
            {
                ctx.peer_heartbeat_mode = Some(mode == HeartbeatMode::PeerAllowedToSend);
            }
            // RFC 5246 7.4.1.4: a server must not send an extension the
            // client did not offer.
            if ems && !config.offer_extended_master_secret {
                return Err(Fatal::new(
                    AlertDescription::UnsupportedExtension,
                    StatusCode::HandshakeError,
                    "the server sent extended_master_secret, which we did not offer",
                ));
            }
            let etm_offered = config
                .common
                .cipher_suites
                .iter()
                .any(|s| s.requires_encrypt_then_mac());
            if etm && !etm_offered {
                return Err(Fatal::new(
                    AlertDescription::UnsupportedExtension,
                    StatusCode::HandshakeError,
                    "the server sent encrypt_then_mac, which we did not offer",
                ));
            }
            // RFC 7301 3.1: the server selects one of the offered protocols.
            if let Some(p) = &alpn
                && !config.common.alpn_protocols.contains(p)
            {
                return Err(Fatal::new(
                    AlertDescription::IllegalParameter,
                    StatusCode::HandshakeError,
                    format!(
                        "the server selected application protocol {:?}, which we did not offer",
                        String::from_utf8_lossy(p)
                    ),
                ));
            }
            let ticket_ack = exts
                .iter()
                .any(|e| matches!(e, ServerExtension::SessionTicketAck));
            if ticket_ack && !s.ticket_ext {
                return Err(Fatal::new(
                    AlertDescription::UnsupportedExtension,
                    StatusCode::HandshakeError,
                    "the server sent session_ticket, which we did not offer",
                ));
            }
            if !ems && config.common.require_extended_master_secret {
                return Err(Fatal::new(
                    AlertDescription::HandshakeFailure,
                    StatusCode::HandshakeError,
                    "the server does not support the extended master secret (RFC 7627)",
                ));
            }
            if suite.requires_encrypt_then_mac() && !etm {
                return Err(Fatal::new(
                    AlertDescription::HandshakeFailure,
                    StatusCode::HandshakeError,
                    "the server chose a CBC suite without Encrypt-then-MAC (RFC 7366)",
                ));
            }
            let n = Negotiated {
                suite,
                client_random: s.hello.random,
                server_random: sh.random,
                extended_master_secret: ems,
                alpn,
                session_id: sh.session_id.clone(),
                expect_ticket: ticket_ack,
                ticket: None,
            };
            // RFC 5246 7.4.1.3 / RFC 5077 3.4: the echoed session ID means
            // the server resumes.
            if let Some(session) = s.offered
                && !sh.session_id.is_empty()
                && sh.session_id == s.hello.session_id
            {
                return start_resumption(ctx, n, session);
            }
            ctx.progress(format!("received ServerHello ({})", suite.name()));
            Ok(State::ExpectCertificate(Box::new(ExpectCertificate { n })))
        }
        (State::ExpectChangeCipherSpec(mut s), HandshakePayload::NewSessionTicket(nst))
            if s.n.expect_ticket =>
        {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            s.n.expect_ticket = false;
            s.n.ticket = (!nst.ticket.is_empty()).then_some(nst.ticket);
            ctx.progress("received NewSessionTicket");
            Ok(State::ExpectChangeCipherSpec(s))
        }
        (State::ResumeExpectChangeCipherSpec(mut s), HandshakePayload::NewSessionTicket(nst))
            if s.n.expect_ticket =>
        {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            s.n.expect_ticket = false;
            if !nst.ticket.is_empty() {
                s.session.ticket = Some(nst.ticket);
            }
            ctx.progress("received NewSessionTicket");
            Ok(State::ResumeExpectChangeCipherSpec(s))
        }
        (State::ResumeExpectFinished(s), HandshakePayload::Finished(fin)) => {
            finish_resumption(ctx, config, *s, msg, &fin.verify_data)
        }
        (State::ExpectCertificate(s), HandshakePayload::Certificate(cert)) => {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            if cert.certificate_list.is_empty() {
                return Err(Fatal::new(
                    AlertDescription::DecodeError,
                    StatusCode::InvalidCertificate,
                    "the server sent an empty certificate chain",
                ));
            }
            validate_server_chain(config, &cert.certificate_list)?;
            Ok(State::ExpectServerKeyExchange(Box::new(
                ExpectServerKeyExchange {
                    n: s.n,
                    chain: cert.certificate_list,
                },
            )))
        }
        (State::ExpectServerKeyExchange(s), HandshakePayload::ServerKeyExchange(ske)) => {
            let group = NamedGroup::from_u16(ske.params.named_curve)
                .filter(|g| config.common.groups.contains(g))
                .ok_or_else(|| {
                    Fatal::new(
                        AlertDescription::IllegalParameter,
                        StatusCode::HandshakeError,
                        format!(
                            "the server chose group 0x{:04x}, which we did not offer",
                            ske.params.named_curve
                        ),
                    )
                })?;
            let scheme = SignatureScheme::from_u16(ske.signed_params.scheme)
                .filter(|sc| config.common.signature_schemes.contains(sc))
                .ok_or_else(|| {
                    Fatal::new(
                        AlertDescription::IllegalParameter,
                        StatusCode::HandshakeError,
                        format!(
                            "the server signed with scheme 0x{:04x}, which we did not offer",
                            ske.signed_params.scheme
                        ),
                    )
                })?;
            let leaf = s
                .chain
                .first()
                .ok_or_else(|| Fatal::internal("empty chain"))?;
            let signed = ske
                .params
                .signed_message(&s.n.client_random, &s.n.server_random);
            dtls_crypto::sign::verify_signature(
                scheme,
                leaf,
                &signed,
                &ske.signed_params.signature,
            )
            .map_err(|_| {
                Fatal::new(
                    AlertDescription::DecryptError,
                    StatusCode::HandshakeError,
                    "the ServerKeyExchange signature does not verify",
                )
            })?;
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            Ok(State::ExpectServerHelloDone(Box::new(
                ExpectServerHelloDone {
                    n: s.n,
                    chain: s.chain,
                    group,
                    scheme,
                    server_public: ske.params.public,
                    certificate_request: None,
                },
            )))
        }
        (State::ExpectServerHelloDone(mut s), HandshakePayload::CertificateRequest(cr))
            if s.certificate_request.is_none() =>
        {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            s.certificate_request = Some(cr.supported_signature_algorithms);
            Ok(State::ExpectServerHelloDone(s))
        }
        (State::ExpectServerHelloDone(s), HandshakePayload::ServerHelloDone(_)) => {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            send_client_flight(ctx, config, *s)
        }
        (State::ExpectFinished(s), HandshakePayload::Finished(fin)) => {
            let hash = s.n.suite.prf_hash();
            let expected = prf::verify_data(hash, &s.master, false, &ctx.transcript.hash(hash));
            if !constant_time_eq(&expected, &fin.verify_data) {
                return Err(Fatal::new(
                    AlertDescription::DecryptError,
                    StatusCode::HandshakeError,
                    "the server's Finished message does not verify",
                ));
            }
            ctx.begin_flight(false);
            let params = NegotiatedParams {
                version: "DTLS 1.2",
                cipher_suite: s.n.suite,
                group: Some(s.group),
                signature_scheme: Some(s.scheme),
                resumed: false,
                extended_master_secret: s.n.extended_master_secret,
                alpn_protocol: s.n.alpn.clone(),
                server_name: config.server_name.clone(),
                peer_certificates: s.chain.clone(),
            };
            ctx.progress("handshake complete");
            ctx.established(params);
            let session =
                (!s.n.session_id.is_empty() || s.n.ticket.is_some()).then(|| ClientSession {
                    session_id: s.n.session_id.clone(),
                    ticket: s.n.ticket.clone(),
                    suite: s.n.suite,
                    master: s.master.clone(),
                    extended_master_secret: s.n.extended_master_secret,
                    peer_certificates: s.chain.clone(),
                    server_name: config.server_name.clone(),
                });
            Ok(State::Established(Box::new(Established {
                secrets: SessionSecrets {
                    suite: s.n.suite,
                    master: s.master,
                    client_random: s.n.client_random,
                    server_random: s.n.server_random,
                },
                session,
            })))
        }
        (State::Established(e), HandshakePayload::HelloRequest) => {
            // RFC 5246 7.2.2: decline renegotiation.
            ctx.queue_alert_warning(AlertDescription::NoRenegotiation);
            Ok(State::Established(e))
        }
        (_, payload) => Err(Fatal::new(
            AlertDescription::UnexpectedMessage,
            StatusCode::InvalidFlow,
            format!("unexpected {:?}", payload.handshake_type()),
        )),
    }
}

/// The server resumes: check the session still fits (RFC 5246 7.4.1.3 the
/// same suite; RFC 7627 5.3 the same EMS status) and derive the keys from
/// its master secret.
fn start_resumption(ctx: &mut Ctx, n: Negotiated, session: ClientSession) -> Result<State, Fatal> {
    if n.suite != session.suite {
        return Err(Fatal::new(
            AlertDescription::IllegalParameter,
            StatusCode::HandshakeError,
            "the server resumed the session with a different cipher suite",
        ));
    }
    if n.extended_master_secret != session.extended_master_secret {
        return Err(Fatal::new(
            AlertDescription::HandshakeFailure,
            StatusCode::HandshakeError,
            "the server resumed the session with a different extended master secret status (RFC 7627 5.3)",
        ));
    }
    let keys = prf::key_block(n.suite, &session.master, &n.client_random, &n.server_random);
    let client_write = dtls_crypto::record::RecordProtection::new(n.suite, &keys.client_write)
        .map_err(Fatal::internal)?;
    let server_write = dtls_crypto::record::RecordProtection::new(n.suite, &keys.server_write)
        .map_err(Fatal::internal)?;
    ctx.records.install_read_keys(server_write);
    ctx.progress(format!(
        "received ServerHello ({}); resuming the session",
        n.suite.name()
    ));
    Ok(State::ResumeExpectChangeCipherSpec(Box::new(Resuming {
        n,
        session,
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
) -> Result<State, Fatal> {
    let hash = s.n.suite.prf_hash();
    let master = &s.session.master;
    let expected = prf::verify_data(hash, master, false, &ctx.transcript.hash(hash));
    if !constant_time_eq(&expected, verify_data) {
        return Err(Fatal::new(
            AlertDescription::DecryptError,
            StatusCode::HandshakeError,
            "the server's Finished message does not verify (abbreviated handshake)",
        ));
    }
    ctx.transcript
        .add_message(msg.msg_type(), msg.message_seq(), msg.body());
    ctx.begin_flight(false);
    ctx.queue_change_cipher_spec(s.client_write);
    let verify = prf::verify_data(hash, master, true, &ctx.transcript.hash(hash));
    let fin = Finished {
        verify_data: verify.to_vec(),
    };
    queue(ctx, HandshakeType::Finished, |b| fin.encode(b));
    let params = NegotiatedParams {
        version: "DTLS 1.2",
        cipher_suite: s.n.suite,
        group: None,
        signature_scheme: None,
        resumed: true,
        extended_master_secret: s.n.extended_master_secret,
        alpn_protocol: s.n.alpn.clone(),
        server_name: config.server_name.clone(),
        peer_certificates: s.session.peer_certificates.clone(),
    };
    ctx.progress("sent ChangeCipherSpec, Finished; session resumed");
    ctx.established(params);
    Ok(State::Established(Box::new(Established {
        secrets: SessionSecrets {
            suite: s.n.suite,
            master: s.session.master.clone(),
            client_random: s.n.client_random,
            server_random: s.n.server_random,
        },
        session: Some(s.session),
    })))
}

/// Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify],
/// ChangeCipherSpec, Finished.
fn send_client_flight(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: ExpectServerHelloDone,
) -> Result<State, Fatal> {
    ctx.peer_flight_started();
    let n = s.n;
    let key_share = EphemeralKeyPair::generate(s.group).map_err(Fatal::internal)?;
    let public = key_share.public_key().to_vec();
    let pre_master = key_share.agree(&s.server_public).map_err(|_| {
        Fatal::new(
            AlertDescription::IllegalParameter,
            StatusCode::HandshakeError,
            "the server's ECDHE public key is invalid",
        )
    })?;
    ctx.begin_flight(true);

    // RFC 5246 7.4.6: answer a CertificateRequest with our chain, or an
    // empty one.
    let mut signing = None;
    if let Some(accepted) = &s.certificate_request {
        let chain = match &config.identity {
            Some(identity) => {
                let scheme = identity.key.choose_scheme(accepted, false);
                if let Some(scheme) = scheme {
                    signing = Some((identity.key.clone(), scheme));
                    identity.chain.clone()
                } else {
                    Vec::new()
                }
            }
            None => Vec::new(),
        };
        let cert = Certificate {
            certificate_list: chain,
        };
        queue(ctx, HandshakeType::Certificate, |b| cert.encode(b));
    }
    let cke = ClientKeyExchange { public };
    queue(ctx, HandshakeType::ClientKeyExchange, |b| cke.encode(b));

    let hash = n.suite.prf_hash();
    let master = if n.extended_master_secret {
        prf::extended_master_secret(hash, pre_master.as_bytes(), &ctx.transcript.hash(hash))
    } else {
        prf::master_secret(
            hash,
            pre_master.as_bytes(),
            &n.client_random,
            &n.server_random,
        )
    };
    if let Some((key, scheme)) = signing {
        let signature = key
            .sign(scheme, ctx.transcript.bytes())
            .map_err(Fatal::internal)?;
        let cv = CertificateVerify {
            signed: DigitallySigned {
                scheme: scheme.to_u16(),
                signature,
            },
        };
        queue(ctx, HandshakeType::CertificateVerify, |b| cv.encode(b));
    }
    let keys = prf::key_block(n.suite, &master, &n.client_random, &n.server_random);
    let client_write = dtls_crypto::record::RecordProtection::new(n.suite, &keys.client_write)
        .map_err(Fatal::internal)?;
    let server_write = dtls_crypto::record::RecordProtection::new(n.suite, &keys.server_write)
        .map_err(Fatal::internal)?;
    ctx.records.install_read_keys(server_write);
    ctx.queue_change_cipher_spec(client_write);
    let verify = prf::verify_data(hash, &master, true, &ctx.transcript.hash(hash));
    let fin = Finished {
        verify_data: verify.to_vec(),
    };
    queue(ctx, HandshakeType::Finished, |b| fin.encode(b));
    ctx.progress("sent ClientKeyExchange, ChangeCipherSpec, Finished");
    let _ = auth_of;
    Ok(State::ExpectChangeCipherSpec(Box::new(
        ExpectServerFinished {
            n,
            chain: s.chain,
            group: s.group,
            scheme: s.scheme,
            master,
        },
    )))
}

/// RFC 5246 7.4.2: with trust anchors configured, the server's chain must
/// validate (to an anchor, in time, for serverAuth, for `server_name`).
fn validate_server_chain(config: &ClientConfig, chain: &[Vec<u8>]) -> Result<(), Fatal> {
    if config.trust_anchors.is_empty() {
        return Ok(());
    }
    let bad = |text: String| {
        Fatal::new(
            AlertDescription::BadCertificate,
            StatusCode::InvalidCertificate,
            text,
        )
    };
    let Some(clock) = &config.unix_time else {
        return Err(bad(
            "trust anchors are set but no wall clock (ClientConfig::unix_time): \
             the server certificate cannot be validated"
                .to_owned(),
        ));
    };
    let anchors: Vec<rustls_pki_types::CertificateDer<'_>> = config
        .trust_anchors
        .iter()
        .map(|c| rustls_pki_types::CertificateDer::from(c.as_slice()))
        .collect();
    let verifier = dtls_crypto::verify::ServerCertVerifier::new(&anchors)
        .map_err(|e| bad(format!("trust anchors: {e}")))?;
    let chain: Vec<rustls_pki_types::CertificateDer<'_>> = chain
        .iter()
        .map(|c| rustls_pki_types::CertificateDer::from(c.as_slice()))
        .collect();
    verifier
        .verify(&chain, config.server_name.as_deref(), (clock.0)())
        .map_err(|e| bad(format!("server certificate rejected: {e}")))
}
