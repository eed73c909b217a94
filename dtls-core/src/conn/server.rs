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
//! Under a PSK suite (RFC 4279 2, RFC 5489 2) the server sends no
//! Certificate or CertificateRequest, its ServerKeyExchange carries the
//! identity hint (and unsigned ECDHE parameters for ECDHE_PSK; plain PSK
//! omits it without a hint), and the client's ClientKeyExchange names the
//! identity whose key both Finished messages prove.
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

use dtls_crypto::kx::EphemeralKeyPair;
use dtls_crypto::psk::{PresharedKey, premaster_secret};
use dtls_crypto::sign::{PeerSignature, SignatureScheme};

use super::common::{our_heartbeat_mode, queue_message, record_received};
use super::credentials::client_certificate_status;
use super::keys::{HelloAgreement, PeerCredentials};
use super::negotiate::negotiate;
use super::offer::ClientHelloOffer;
use super::peer_error::{CertificateError, Misbehaved, Peer, PeerError, PskError};
use super::server_flight::send_plan;
use super::session::{ServerResumption, StoredSession};
use super::{Ctx, Message, SessionSecrets};
use crate::config::{CertificateType, ClientAuthMode, ServerConfig};
use crate::event::{Event, KeyExchangeUsed, NegotiatedParams};
use crate::msgs::alert::AlertDescription;
use crate::msgs::handshake::{HandshakePayload, HandshakeType};
use crate::msgs::messages::{
    Certificate, CertificatePayload, CertificateVerify, ClientHello, ClientKeyExchange,
    ClientKeyExchangeParams,
};

/// What the ServerHello of a full handshake settled.
pub(super) struct Negotiated {
    pub(super) agreed: HelloAgreement,
    /// The ECDHE group and our signature scheme, as the suite uses them.
    pub(super) key_exchange: KeyExchangeUsed,
    pub(super) server_name: Option<String>,
    pub(super) client_auth: ClientAuthMode,
    /// Signature schemes offered in our CertificateRequest.
    pub(super) requested_schemes: Vec<u16>,
    /// What the client's Certificate must carry (RFC 7250 4.2).
    pub(super) client_certificate_type: CertificateType,
    /// Whether we promised a NewSessionTicket (RFC 5077 3.2).
    pub(super) issue_ticket: bool,
}

/// An abbreviated handshake: our flight is out; waiting for the client's
/// ChangeCipherSpec and Finished.
pub(crate) struct Resumed {
    pub(super) secrets: SessionSecrets,
    /// Reported once the client's Finished verifies.
    pub(super) params: NegotiatedParams,
}

/// Waiting for the client's Certificate (we sent a CertificateRequest) or
/// directly its ClientKeyExchange.
pub(crate) struct ExpectClientFlight {
    pub(super) negotiated: Negotiated,
    /// Our ECDHE share, unless the suite is plain PSK.
    pub(super) key_share: Option<EphemeralKeyPair>,
    pub(super) expect_certificate: bool,
    pub(super) client_certificate: CertificatePayload,
}

/// Keys are derived; waiting for CertificateVerify, ChangeCipherSpec, or
/// Finished.
pub(crate) struct KeysDerived {
    negotiated: Negotiated,
    secrets: SessionSecrets,
    server_write: dtls_crypto::record::RecordProtection,
    client_certificate: CertificatePayload,
    /// The application's verdict on the client certificate, once given.
    decision: Option<bool>,
    /// Under a PSK suite: the client's identity, and whether the key store
    /// knew it (if not, the keys came from a decoy).
    psk: Option<PskUse>,
}

/// The PSK identity a client named, and whether it has a key.
struct PskUse {
    identity: Vec<u8>,
    known: bool,
}

impl PskUse {
    /// Why the client's Finished cannot verify: an unknown identity or
    /// another key (told apart only here, never to the client).
    fn failure(&self) -> PeerError {
        let identity = self.identity.clone();
        if self.known {
            PskError::WrongKey(identity).into()
        } else {
            PskError::UnknownIdentity(identity).into()
        }
    }
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

/// What a step reads besides the message: the config and, when the
/// endpoint resumes sessions, its resumption state.
struct Input<'a, 'r> {
    config: &'a ServerConfig,
    resumption: Option<&'r mut ServerResumption>,
    now: Instant,
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

    /// Why a handshake that ran out of time stalled, when the state knows
    /// more than "no answer": under a PSK suite, records of the client that
    /// never authenticate after its ChangeCipherSpec mean its key is not
    /// ours (RFC 6347 4.1.2.7 drops them silently, so this is the only
    /// place the reason shows).
    pub(crate) fn stall_reason(&self, records_failed: bool) -> Option<PeerError> {
        match self {
            State::ExpectFinished(k) | State::ExpectChangeCipherSpec(k) if records_failed => {
                k.psk.as_ref().map(PskUse::failure)
            }
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
    ) -> Result<bool, PeerError> {
        let mut input = Input {
            config,
            resumption,
            now,
        };
        let state = std::mem::replace(self, State::Failed);
        let (next, progressed) = match (state, message) {
            (State::ExpectChangeCipherSpec(k), None) if ctx.peer_ccs_pending => {
                on_change_cipher_spec(ctx);
                (State::ExpectFinished(k), true)
            }
            (State::ResumeExpectChangeCipherSpec(r), None) if ctx.peer_ccs_pending => {
                on_change_cipher_spec(ctx);
                (State::ResumeExpectFinished(r), true)
            }
            (State::AwaitDecision(k), None) if k.decision.is_some() => {
                (finish(ctx, &mut input, *k)?, true)
            }
            (state, None) => (state, false),
            (state, Some(msg)) => (on_message(ctx, &mut input, state, msg)?, true),
        };
        *self = next;
        Ok(progressed)
    }
}

/// The client's ChangeCipherSpec: read epoch 1 from now on (RFC 5246 7.1).
fn on_change_cipher_spec(ctx: &mut Ctx) {
    ctx.peer_ccs_pending = false;
    ctx.records.activate_read_epoch1();
    ctx.progress("received ChangeCipherSpec");
}

fn on_message(
    ctx: &mut Ctx,
    input: &mut Input<'_, '_>,
    state: State,
    msg: &Message,
) -> Result<State, PeerError> {
    let typ = HandshakeType::from(msg.msg_type());
    let payload = HandshakePayload::read(typ, msg.body()).map_err(PeerError::Decode)?;
    match (state, payload) {
        (State::ExpectClientHello, HandshakePayload::ClientHello(hello)) => {
            record_received(ctx, msg);
            on_client_hello(ctx, input, &hello)
        }
        (State::ExpectClientFlight(s), HandshakePayload::Certificate(cert))
            if s.expect_certificate =>
        {
            ctx.peer_flight_started();
            record_received(ctx, msg);
            on_certificate(ctx, s, cert)
        }
        (State::ExpectClientFlight(s), HandshakePayload::ClientKeyExchange(cke))
            if !s.expect_certificate =>
        {
            ctx.peer_flight_started();
            record_received(ctx, msg);
            on_client_key_exchange(ctx, input.config, *s, &cke)
        }
        (State::ExpectCertificateVerify(k), HandshakePayload::CertificateVerify(cv)) => {
            on_certificate_verify(ctx, input.config, k, &cv, msg)
        }
        (State::ExpectFinished(k), HandshakePayload::Finished(fin)) => {
            k.secrets
                .check_finished(&ctx.transcript, Peer::Client, false, &fin.verify_data)
                .map_err(|e| k.psk.as_ref().map_or(e, PskUse::failure))?;
            record_received(ctx, msg);
            ctx.progress("received client Finished");
            if !k.client_certificate.is_empty() && k.decision.is_none() {
                return Ok(State::AwaitDecision(k));
            }
            finish(ctx, input, *k)
        }
        (State::ResumeExpectFinished(r), HandshakePayload::Finished(fin)) => {
            r.secrets
                .check_finished(&ctx.transcript, Peer::Client, true, &fin.verify_data)?;
            // The client's Finished acknowledges our flight (RFC 6347 4.2.4).
            ctx.peer_flight_started();
            ctx.progress("received client Finished; session resumed");
            let Resumed { secrets, params } = *r;
            ctx.established(params);
            Ok(State::Established(Box::new(Established { secrets })))
        }
        (State::Established(e), HandshakePayload::ClientHello(_)) => {
            // RFC 5746 4.4 / RFC 5246 7.2.2: we never renegotiate.
            ctx.queue_alert_warning(AlertDescription::NoRenegotiation);
            Ok(State::Established(e))
        }
        (_, payload) => Err(PeerError::Unexpected(payload.handshake_type())),
    }
}

/// Negotiates (resume, or suite, group, scheme, identity and extensions)
/// and queues the answering flight.
fn on_client_hello(
    ctx: &mut Ctx,
    input: &mut Input<'_, '_>,
    hello: &ClientHello,
) -> Result<State, PeerError> {
    ctx.progress("received ClientHello");
    let offer = ClientHelloOffer::new(hello);
    if !offer.extended_master_secret && !input.config.common.require_extended_master_secret {
        ctx.progress(
            "warning: the client does not offer the extended master secret (RFC 7627); \
             this session will not be resumable",
        );
    }
    let plan = negotiate(
        &offer,
        input.config,
        input.resumption.as_deref(),
        our_heartbeat_mode(ctx),
        ctx.issued_cid.as_deref(),
        input.now,
    )?;
    send_plan(
        ctx,
        input.config,
        input.resumption.as_deref_mut(),
        &offer,
        plan,
    )
}

/// The client's Certificate, answering our CertificateRequest
/// (RFC 5246 7.4.6).
fn on_certificate(
    ctx: &mut Ctx,
    mut s: Box<ExpectClientFlight>,
    cert: Certificate,
) -> Result<State, PeerError> {
    let client_certificate = cert
        .read_as(s.negotiated.client_certificate_type)
        .map_err(PeerError::Decode)?;
    if client_certificate.is_empty() && s.negotiated.client_auth == ClientAuthMode::Required {
        // RFC 5246 7.4.6: the server may answer a missing certificate with
        // a fatal handshake_failure.
        return Err(CertificateError::ClientCertificateMissing.into());
    }
    ctx.progress(match &client_certificate {
        CertificatePayload::Chain(chain) => {
            format!("received client Certificate ({} certificates)", chain.len())
        }
        CertificatePayload::RawPublicKey(_) => {
            "received client Certificate (a raw public key, RFC 7250)".to_owned()
        }
    });
    s.client_certificate = client_certificate;
    s.expect_certificate = false;
    Ok(State::ExpectClientFlight(s))
}

/// The client's ECDHE share and/or PSK identity: derive the master secret
/// and the keys (RFC 8422 5.10, RFC 4279 2, RFC 5489 2, RFC 5246 8.1).
fn on_client_key_exchange(
    ctx: &mut Ctx,
    config: &ServerConfig,
    s: ExpectClientFlight,
    cke: &ClientKeyExchange,
) -> Result<State, PeerError> {
    let n = s.negotiated;
    let kx = n.agreed.suite.key_exchange();
    let (public, identity) = match cke.params(kx).map_err(PeerError::Decode)? {
        ClientKeyExchangeParams::Ecdhe { public } => (Some(public), None),
        ClientKeyExchangeParams::Psk { identity } => (None, Some(identity)),
        ClientKeyExchangeParams::EcdhePsk { identity, public } => (Some(public), Some(identity)),
    };
    let shared = match (s.key_share, public) {
        (Some(share), Some(public)) => Some(
            share
                .agree(&public)
                .map_err(|_| Misbehaved::InvalidKeyShare(Peer::Client))?,
        ),
        _ => None,
    };
    let other_secret = shared.as_ref().map(|secret| secret.as_bytes());
    let (secrets, psk) = match (identity, other_secret) {
        (Some(identity), other_secret) => {
            let (key, known) = resolve_psk(config, &identity)?;
            let pre_master = premaster_secret(other_secret, &key);
            let secrets = n.agreed.secrets(&pre_master, &ctx.transcript);
            (secrets, Some(PskUse { identity, known }))
        }
        (None, Some(shared)) => (n.agreed.secrets(shared, &ctx.transcript), None),
        (None, None) => return Err(PeerError::Unexpected(HandshakeType::ClientKeyExchange)),
    };
    let server_write = secrets.install_read_keys(ctx, Peer::Server)?;
    ctx.progress("received ClientKeyExchange; keys derived");
    let has_cert = !s.client_certificate.is_empty();
    let k = Box::new(KeysDerived {
        negotiated: n,
        secrets,
        server_write,
        client_certificate: s.client_certificate,
        decision: None,
        psk,
    });
    Ok(if has_cert {
        State::ExpectCertificateVerify(k)
    } else {
        State::ExpectChangeCipherSpec(k)
    })
}

/// The key of a client's PSK identity, and whether the store knew it. A
/// decoy key is drawn every time, used when the identity is unknown, so
/// both cases take the same steps and the client sees the same failure
/// (RFC 4279 2: "as if the PSK identity existed but the key was
/// incorrect").
fn resolve_psk(config: &ServerConfig, identity: &[u8]) -> Result<(PresharedKey, bool), PeerError> {
    let decoy = PresharedKey::new(config.common.provider.random_array::<32>()?.to_vec())?;
    let found = config
        .psk
        .as_ref()
        .and_then(|psk| psk.resolver.resolve(identity));
    let known = found.is_some();
    Ok((found.unwrap_or(decoy), known))
}

/// The client's proof that it holds its certificate's key
/// (RFC 5246 7.4.8): the signature covers all handshake messages so far,
/// not including this one.
fn on_certificate_verify(
    ctx: &mut Ctx,
    config: &ServerConfig,
    mut k: Box<KeysDerived>,
    cv: &CertificateVerify,
    msg: &Message,
) -> Result<State, PeerError> {
    let offered = k.negotiated.requested_schemes.contains(&cv.signed.scheme);
    let scheme = SignatureScheme::from_u16(cv.signed.scheme)
        .filter(|_| offered)
        .ok_or(CertificateError::UnrequestedVerifyScheme(cv.signed.scheme))?;
    let signer = k
        .client_certificate
        .signer()
        .ok_or(PeerError::Unexpected(HandshakeType::CertificateVerify))?;
    config
        .common
        .provider
        .verify_signature(&PeerSignature {
            scheme,
            signer,
            message: ctx.transcript.bytes(),
            signature: &cv.signed.signature,
        })
        .map_err(|_| CertificateError::BadCertificateVerify)?;
    record_received(ctx, msg);
    report_client_certificate(ctx, config, &mut k);
    Ok(State::ExpectChangeCipherSpec(k))
}

/// Reports the client's chain or raw key to the application, which
/// decides (the seed's `SSLClientAuthentication`), with what validation
/// found.
fn report_client_certificate(ctx: &mut Ctx, config: &ServerConfig, k: &mut KeysDerived) {
    let (status, verified) = client_certificate_status(config, &k.client_certificate);
    ctx.emit(Event::ClientCertificate {
        chain: k.client_certificate.chain().to_vec(),
        raw_public_key: k.client_certificate.raw_public_key().map(<[u8]>::to_vec),
        status,
        verified,
    });
}

/// Sends [NewSessionTicket], ChangeCipherSpec and Finished (flight 6),
/// hands the new session to the endpoint's cache, and completes.
fn finish(ctx: &mut Ctx, input: &mut Input<'_, '_>, k: KeysDerived) -> Result<State, PeerError> {
    if k.decision == Some(false) {
        return Err(CertificateError::ClientCertificateRejected.into());
    }
    // The final flight is only re-sent when the client re-sends its own
    // (RFC 6347 4.2.4), so no timer.
    ctx.begin_flight(false);
    let n = k.negotiated;
    if let Some(res) = input.resumption.as_deref_mut() {
        let session = StoredSession {
            id: n.agreed.session_id.clone(),
            suite: n.agreed.suite,
            master: k.secrets.master.clone(),
            extended_master_secret: n.agreed.extended_master_secret,
            peer_certificate: k.client_certificate.clone(),
            psk_identity: k.psk.as_ref().map(|p| p.identity.clone()),
            server_name: n.server_name.clone(),
            created_secs: res.secs(input.now),
        };
        if n.issue_ticket {
            // RFC 5077 3.3: after the client's Finished, before our CCS;
            // part of the transcript our Finished covers.
            let ticket = res.seal_ticket(&session);
            queue_message(ctx, HandshakeType::NewSessionTicket, &ticket);
        }
        if res.cache_enabled && !session.id.is_empty() {
            res.new_session = Some(session);
        }
    }
    k.secrets.queue_finished(ctx, Peer::Server, k.server_write);
    let peer = PeerCredentials {
        certificate: k.client_certificate,
        psk_identity: k.psk.map(|p| p.identity),
    };
    let params = n.agreed.params(Some(n.key_exchange), n.server_name, peer);
    ctx.progress("handshake complete");
    ctx.established(params);
    Ok(State::Established(Box::new(Established {
        secrets: k.secrets,
    })))
}
