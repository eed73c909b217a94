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
//! Abbreviated handshake (RFC 5246 7.3 figure 2; session ID from the
//! endpoint's cache or an RFC 5077 ticket):
//!
//! ```text
//!   ClientHello (session ID / ticket) ->  ServerHello (echoes the ID),
//!                                         [NewSessionTicket],
//!                                         ChangeCipherSpec, Finished
//!   ChangeCipherSpec, Finished        ->
//! ```
//!
//! Here the server's flight expects an answer, so its retransmission timer
//! runs until the client's Finished arrives (RFC 6347 4.2.4).
//!
//! Each state is a struct holding exactly what the next step needs; a
//! transition consumes it.

use std::time::Instant;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::{EphemeralKeyPair, NamedGroup};
use dtls_crypto::prf::{self, MasterSecret};
use dtls_crypto::record::RecordProtection;
use dtls_crypto::sign::{KeyType, SignatureScheme};
use dtls_crypto::suites::AuthAlgorithm;

use super::session::{ServerResumption, StoredSession};
use super::{Ctx, Fatal, Message, SessionSecrets};
use crate::config::{ClientAuthMode, Identity, ServerConfig};
use crate::event::{Event, NegotiatedParams, StatusCode};
use crate::msgs::alert::AlertDescription;
use crate::msgs::codec::Codec;
use crate::msgs::extensions::{ClientExtension, HeartbeatMode, ServerExtension};
use crate::msgs::handshake::{HandshakePayload, HandshakeType};
use crate::msgs::messages::{
    Certificate, CertificateRequest, ClientHello, DigitallySigned, Finished, NewSessionTicket,
    ServerEcdhParams, ServerHello, ServerHelloDone, ServerKeyExchange,
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
    /// The session ID we assigned (empty when the cache is off).
    session_id: Vec<u8>,
    /// Whether we promised a NewSessionTicket (RFC 5077 3.2).
    issue_ticket: bool,
}

/// An abbreviated handshake: our flight is out; waiting for the client's
/// ChangeCipherSpec and Finished.
pub(crate) struct Resumed {
    session: StoredSession,
    client_random: [u8; 32],
    server_random: [u8; 32],
    alpn: Option<Vec<u8>>,
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
    /// Abbreviated handshake, before the client's ChangeCipherSpec.
    ResumeExpectChangeCipherSpec(Box<Resumed>),
    /// Abbreviated handshake, before the client's Finished.
    ResumeExpectFinished(Box<Resumed>),
    Established(Box<Established>),
    /// After a fatal error; nothing more happens.
    Failed,
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
        config: &ServerConfig,
        resumption: Option<&mut ServerResumption>,
        ctx: &mut Ctx,
        now: Instant,
        message: Option<&Message>,
    ) -> Result<bool, Fatal> {
        let state = std::mem::replace(self, State::Failed);
        let (next, progressed) = match (state, message) {
            (State::ExpectChangeCipherSpec(k), None) if ctx.peer_ccs_pending => {
                ctx.peer_ccs_pending = false;
                ctx.records.activate_read_epoch1();
                ctx.progress("received ChangeCipherSpec");
                (State::ExpectFinished(k), true)
            }
            (State::ResumeExpectChangeCipherSpec(r), None) if ctx.peer_ccs_pending => {
                ctx.peer_ccs_pending = false;
                ctx.records.activate_read_epoch1();
                ctx.progress("received ChangeCipherSpec");
                (State::ResumeExpectFinished(r), true)
            }
            (State::AwaitDecision(k), None) if k.decision.is_some() => {
                (finish(resumption, ctx, *k, now)?, true)
            }
            (state, None) => (state, false),
            (state, Some(msg)) => (on_message(config, resumption, ctx, state, msg, now)?, true),
        };
        *self = next;
        Ok(progressed)
    }
}

fn on_message(
    config: &ServerConfig,
    resumption: Option<&mut ServerResumption>,
    ctx: &mut Ctx,
    state: State,
    msg: &Message,
    now: Instant,
) -> Result<State, Fatal> {
    let typ = HandshakeType::from(msg.msg_type());
    let payload = HandshakePayload::read(typ, msg.body()).map_err(Fatal::decode)?;
    match (state, payload) {
        (State::ExpectClientHello, HandshakePayload::ClientHello(hello)) => {
            ctx.transcript
                .add_message(msg.msg_type(), msg.message_seq(), msg.body());
            on_client_hello(config, resumption.as_deref(), ctx, &hello, now)
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
                .ok_or_else(|| Fatal::unexpected("CertificateVerify"))?;
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
            report_client_certificate(config, ctx, &mut k);
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
            finish(resumption, ctx, *k, now)
        }
        (State::ResumeExpectFinished(r), HandshakePayload::Finished(fin)) => {
            let hash = r.session.suite.prf_hash();
            let expected =
                prf::verify_data(hash, &r.session.master, true, &ctx.transcript.hash(hash));
            if !constant_time_eq(&expected, &fin.verify_data) {
                return Err(Fatal::new(
                    AlertDescription::DecryptError,
                    StatusCode::HandshakeError,
                    "the client's Finished message does not verify (abbreviated handshake)",
                ));
            }
            // The client's Finished acknowledges our flight (RFC 6347 4.2.4).
            ctx.peer_flight_started();
            ctx.progress("received client Finished; session resumed");
            let params = NegotiatedParams {
                version: "DTLS 1.2",
                cipher_suite: r.session.suite,
                group: None,
                signature_scheme: None,
                resumed: true,
                extended_master_secret: r.session.extended_master_secret,
                alpn_protocol: r.alpn,
                server_name: r.session.server_name.clone(),
                peer_certificates: r.session.peer_certificates.clone(),
            };
            ctx.established(params);
            Ok(State::Established(Box::new(Established {
                secrets: SessionSecrets {
                    suite: r.session.suite,
                    master: r.session.master,
                    client_random: r.client_random,
                    server_random: r.server_random,
                },
            })))
        }
        (State::Established(e), HandshakePayload::ClientHello(_)) => {
            // RFC 5746 4.4 / RFC 5246 7.2.2: we never renegotiate.
            ctx.queue_alert_warning(AlertDescription::NoRenegotiation);
            Ok(State::Established(e))
        }
        (_, payload) => Err(Fatal::unexpected(&format!(
            "{:?}",
            payload.handshake_type()
        ))),
    }
}

fn report_client_certificate(config: &ServerConfig, ctx: &mut Ctx, k: &mut KeysDerived) {
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

/// Sends [NewSessionTicket], ChangeCipherSpec and Finished (flight 6),
/// hands the new session to the endpoint's cache, and completes.
fn finish(
    resumption: Option<&mut ServerResumption>,
    ctx: &mut Ctx,
    k: KeysDerived,
    now: Instant,
) -> Result<State, Fatal> {
    if k.decision == Some(false) {
        return Err(Fatal::new(
            AlertDescription::BadCertificate,
            StatusCode::InvalidCertificate,
            "the client certificate was rejected",
        ));
    }
    let hash = k.negotiated.suite.prf_hash();
    // The final flight is only re-sent when the client re-sends its own
    // (RFC 6347 4.2.4), so no timer.
    ctx.begin_flight(false);
    if let Some(res) = resumption {
        let session = StoredSession {
            id: k.negotiated.session_id.clone(),
            suite: k.negotiated.suite,
            master: k.master.clone(),
            extended_master_secret: k.negotiated.extended_master_secret,
            peer_certificates: k.client_chain.clone(),
            server_name: k.negotiated.server_name.clone(),
            created_secs: res.secs(now),
        };
        let ticket = if k.negotiated.issue_ticket {
            Some(seal_ticket(res, &session))
        } else {
            None
        };
        if res.cache_enabled && !session.id.is_empty() {
            res.new_session = Some(session);
        }
        if let Some(nst) = ticket {
            // RFC 5077 3.3: after the client's Finished, before our CCS;
            // part of the transcript our Finished covers.
            queue(ctx, HandshakeType::NewSessionTicket, |b| nst.encode(b));
        }
    }
    let verify = prf::verify_data(hash, &k.master, false, &ctx.transcript.hash(hash));
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

/// Largest ticket plaintext we seal; a bigger session (a huge client
/// chain) gets an empty ticket (RFC 5077 3.3 allows it).
const MAX_TICKET_STATE: usize = 16 * 1024;

/// The NewSessionTicket for `session` (RFC 5077 3.3).
fn seal_ticket(res: &ServerResumption, session: &StoredSession) -> NewSessionTicket {
    let state = session.encode_ticket_state();
    let ticket = match &res.tickets {
        Some(keys) if state.len() <= MAX_TICKET_STATE => keys.seal(&state).unwrap_or_default(),
        _ => Vec::new(),
    };
    NewSessionTicket {
        ticket_lifetime_hint: u32::try_from(res.lifetime_secs).unwrap_or(u32::MAX),
        ticket,
    }
}

/// The session a ClientHello may resume (RFC 5246 7.4.1.2, RFC 5077 3.4):
/// a valid, fresh ticket first, else the cached session its ID names. The
/// session must still be acceptable under today's config and this hello:
/// its suite offered and enabled (RFC 5246 7.4.1.3), with EtM for CBC
/// (RFC 7366 3.1), the same EMS status (RFC 7627 5.3), the same
/// server_name (RFC 6066 3), and a client chain if one is now required.
fn find_resumable(
    resumption: Option<&ServerResumption>,
    config: &ServerConfig,
    hello: &ClientHello,
    ticket: Option<&[u8]>,
    offers: (bool, bool, Option<&str>),
    now: Instant,
) -> Option<StoredSession> {
    let res = resumption?;
    let (ems, etm, sni) = offers;
    let from_ticket = match (ticket, &res.tickets) {
        (Some(t), Some(keys)) if !t.is_empty() => keys
            .open(t)
            .and_then(|state| StoredSession::decode_ticket_state(&state)),
        _ => None,
    };
    let from_cache = res
        .candidate
        .as_ref()
        .filter(|c| !hello.session_id.is_empty() && c.id == hello.session_id)
        .cloned();
    let session = from_ticket
        .filter(|s| s.is_fresh(res.secs(now), res.lifetime_secs))
        .or(from_cache)?;
    let acceptable = hello.cipher_suites.contains(&session.suite.id())
        && config.common.cipher_suites.contains(&session.suite)
        && (!session.suite.requires_encrypt_then_mac() || etm)
        && session.extended_master_secret == ems
        && session.server_name.as_deref() == sni
        && (config.client_auth != ClientAuthMode::Required
            || !session.peer_certificates.is_empty());
    acceptable.then_some(session)
}

/// RFC 7301 3.2: with ALPN configured and offered, the server's most
/// preferred common protocol; no overlap is fatal.
fn select_alpn(
    config: &ServerConfig,
    offered: Option<&[Vec<u8>]>,
) -> Result<Option<Vec<u8>>, Fatal> {
    match offered {
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
            Ok(pick)
        }
        _ => Ok(None),
    }
}

/// Queues the abbreviated handshake's flight: ServerHello echoing the
/// client's session ID, [NewSessionTicket], ChangeCipherSpec, Finished
/// (RFC 5246 7.3, RFC 5077 3.1).
///
/// `ticketing` is the resumption state when the client offered a ticket.
fn resume(
    config: &ServerConfig,
    ticketing: Option<&ServerResumption>,
    ctx: &mut Ctx,
    hello: &ClientHello,
    session: StoredSession,
    mut server_exts: Vec<ServerExtension>,
    alpn: Option<Vec<u8>>,
) -> Result<State, Fatal> {
    let suite = session.suite;
    let server_random: [u8; 32] = config
        .common
        .provider
        .random_array()
        .map_err(Fatal::internal)?;
    if session.extended_master_secret {
        server_exts.push(ServerExtension::ExtendedMasterSecret);
    }
    if suite.requires_encrypt_then_mac() {
        server_exts.push(ServerExtension::EncryptThenMac);
    }
    if let Some(p) = &alpn {
        server_exts.push(ServerExtension::Alpn(p.clone()));
    }
    let nst = match ticketing {
        Some(res) if res.tickets.is_some() => Some(seal_ticket(res, &session)),
        _ => None,
    };
    if nst.is_some() {
        server_exts.push(ServerExtension::SessionTicketAck);
    }
    ctx.begin_flight(true);
    let server_hello = ServerHello {
        server_version: ProtocolVersion::Dtls1_2,
        random: server_random,
        session_id: hello.session_id.clone(),
        cipher_suite: suite.id(),
        compression_method: 0,
        extensions: Some(server_exts),
    };
    queue(ctx, HandshakeType::ServerHello, |b| server_hello.encode(b));
    if let Some(nst) = nst {
        queue(ctx, HandshakeType::NewSessionTicket, |b| nst.encode(b));
    }
    let keys = prf::key_block(suite, &session.master, &hello.random, &server_random);
    let client_write = RecordProtection::new(suite, &keys.client_write).map_err(Fatal::internal)?;
    let server_write = RecordProtection::new(suite, &keys.server_write).map_err(Fatal::internal)?;
    ctx.records.install_read_keys(client_write);
    let hash = suite.prf_hash();
    let verify = prf::verify_data(hash, &session.master, false, &ctx.transcript.hash(hash));
    ctx.queue_change_cipher_spec(server_write);
    let fin = Finished {
        verify_data: verify.to_vec(),
    };
    queue(ctx, HandshakeType::Finished, |b| fin.encode(b));
    ctx.progress(format!(
        "sent ServerHello, ChangeCipherSpec, Finished (resuming, {})",
        suite.name()
    ));
    Ok(State::ResumeExpectChangeCipherSpec(Box::new(Resumed {
        session,
        client_random: hello.random,
        server_random,
        alpn,
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
    let client_write =
        RecordProtection::new(n.suite, &keys.client_write).map_err(Fatal::internal)?;
    let server_write =
        RecordProtection::new(n.suite, &keys.server_write).map_err(Fatal::internal)?;
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

/// Resumes a session if the hello allows it; otherwise picks suite, group,
/// signature scheme, identity and extensions, and queues flight 4.
fn on_client_hello(
    config: &ServerConfig,
    resumption: Option<&ServerResumption>,
    ctx: &mut Ctx,
    hello: &ClientHello,
    now: Instant,
) -> Result<State, Fatal> {
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
    let mut heartbeat = None;
    let mut ticket: Option<&[u8]> = None;
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
            ClientExtension::Heartbeat(mode) => heartbeat = Some(*mode),
            ClientExtension::SessionTicket(t) => ticket = Some(t),
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

    // Extensions every ServerHello carries.
    let mut common_exts = Vec::new();
    if secure_renegotiation {
        common_exts.push(ServerExtension::RenegotiationInfo(Vec::new()));
    }
    if let Some(limit) = record_size_limit {
        // RFC 8449 4: in TLS 1.2 the value limits the plaintext.
        ctx.peer_record_size_limit = Some(usize::from(limit));
        let ours = config.common.record_size_limit.unwrap_or(1 << 14);
        common_exts.push(ServerExtension::RecordSizeLimit(ours.clamp(64, 1 << 14)));
    }
    // RFC 6520 2: answer the heartbeat extension with our own mode, only
    // when keep-alive is on (full and abbreviated handshakes alike).
    if let Some(peer_mode) = heartbeat
        && ctx.keepalive.enabled()
    {
        ctx.peer_heartbeat_mode = Some(peer_mode == HeartbeatMode::PeerAllowedToSend);
        common_exts.push(ServerExtension::Heartbeat(our_heartbeat_mode(ctx)));
    }
    // Tickets need keys from the endpoint (present iff enabled).
    let ticket_offered = ticket.is_some() && resumption.is_some_and(|r| r.tickets.is_some());

    if let Some(session) = find_resumable(
        resumption,
        config,
        hello,
        ticket,
        (ems, etm, sni.as_deref()),
        now,
    ) {
        let alpn = select_alpn(config, alpn_offered)?;
        let ticketing = resumption.filter(|_| ticket_offered);
        return resume(config, ticketing, ctx, hello, session, common_exts, alpn);
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
            if let Some(scheme) = identity.key.choose_scheme(&acceptable, false) {
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

    let alpn = select_alpn(config, alpn_offered)?;

    let server_random: [u8; 32] = config
        .common
        .provider
        .random_array()
        .map_err(Fatal::internal)?;
    let key_share = EphemeralKeyPair::generate(group).map_err(Fatal::internal)?;

    let mut server_exts = common_exts;
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
    // RFC 5077 3.2: acknowledge the extension and promise a ticket.
    if ticket_offered {
        server_exts.push(ServerExtension::SessionTicketAck);
    }
    // RFC 5246 7.4.1.3: a new session ID if we cache sessions.
    let session_id = match resumption {
        Some(res) if res.cache_enabled => config
            .common
            .provider
            .random_array::<32>()
            .map_err(Fatal::internal)?
            .to_vec(),
        _ => Vec::new(),
    };

    ctx.begin_flight(true);
    let server_hello = ServerHello {
        server_version: ProtocolVersion::Dtls1_2,
        random: server_random,
        session_id: session_id.clone(),
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
    let signature = identity
        .key
        .sign(scheme, &signed_input)
        .map_err(Fatal::internal)?;
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
            session_id,
            issue_ticket: ticket_offered,
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

/// The heartbeat mode we announce (RFC 6520 2): whether the peer may send
/// us requests.
pub(crate) fn our_heartbeat_mode(ctx: &Ctx) -> HeartbeatMode {
    if ctx.keepalive.peer_allowed_to_send() {
        HeartbeatMode::PeerAllowedToSend
    } else {
        HeartbeatMode::PeerNotAllowedToSend
    }
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
