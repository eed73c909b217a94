//! The server's answer to a ClientHello, carried out from a [`Plan`]:
//! flight 4 of a full handshake (ServerHello, Certificate,
//! ServerKeyExchange, [CertificateRequest], ServerHelloDone) or the
//! abbreviated handshake's flight (ServerHello, [NewSessionTicket],
//! ChangeCipherSpec, Finished). RFC 5246 7.3, RFC 5077 3.1.
//!
//! This is where the server draws its randoms, generates its ECDHE key
//! share and signs (RFC 8422 5.4), or sends its PSK identity hint
//! (RFC 4279 2, RFC 5489 2).

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::EphemeralKeyPair;

use super::common::queue_message;
use super::credentials::certificate_message;
use super::keys::HelloAgreement;
use super::negotiate::{FullPlan, KeyExchangePlan, Plan, PlannedHandshake};
use super::offer::ClientHelloOffer;
use super::peer_error::{Peer, PeerError};
use super::server::{ExpectClientFlight, Negotiated, Resumed, State};
use super::session::{ServerResumption, StoredSession};
use super::{Ctx, SessionSecrets};
use crate::config::ServerConfig;
use crate::event::{KeyExchangeUsed, NegotiatedParams};
use crate::msgs::handshake::HandshakeType;
use crate::msgs::messages::{
    CertificatePayload, CertificateRequest, DigitallySigned, ServerEcdhParams, ServerHello,
    ServerHelloDone, ServerKeyExchange, ServerKeyExchangeParams,
};
use crate::msgs::record::ProtocolVersion;

/// CertificateRequest certificate types (RFC 5246 7.4.4, RFC 8422 5.5).
const RSA_SIGN: u8 = 1;
const ECDSA_SIGN: u8 = 64;

/// Applies what the hello told us about the client, then queues our
/// flight and returns the next state.
pub(super) fn send_plan(
    ctx: &mut Ctx,
    config: &ServerConfig,
    resumption: Option<&mut ServerResumption>,
    offer: &ClientHelloOffer<'_>,
    plan: Plan<'_>,
) -> Result<State, PeerError> {
    if let Some(limit) = plan.peer_record_size_limit {
        ctx.peer_record_size_limit = Some(usize::from(limit));
    }
    if let Some(allows) = plan.peer_heartbeat_allows_requests {
        ctx.peer_heartbeat_mode = Some(allows);
    }
    if let Some(cids) = plan.connection_ids {
        ctx.records.set_connection_ids(cids);
    }
    let server_random: [u8; 32] = config.common.provider.random_array()?;
    let hello = |session_id: Vec<u8>, suite: CipherSuite| ServerHello {
        server_version: ProtocolVersion::Dtls1_2,
        random: server_random,
        session_id,
        cipher_suite: suite.id(),
        compression_method: 0,
        extensions: Some(plan.extensions),
    };
    match plan.handshake {
        PlannedHandshake::Resume {
            session,
            issue_ticket,
        } => {
            let server_hello = hello(offer.session_id.to_vec(), session.suite);
            let ticket = resumption.filter(|_| issue_ticket);
            send_resumed(
                ctx,
                ticket.as_deref(),
                offer,
                session,
                server_hello,
                plan.alpn,
            )
        }
        PlannedHandshake::Full(full) => {
            // RFC 5246 7.4.1.3: a new session ID if we cache sessions,
            // and the session can be resumed (EMS, RFC 7627 5.3).
            let key_share = match full.key_exchange.group() {
                Some(group) => Some(config.common.provider.start_key_exchange(group)?),
                None => None,
            };
            let session_id = match resumption.as_deref() {
                Some(res) if res.cache_enabled && offer.extended_master_secret => {
                    config.common.provider.random_array::<32>()?.to_vec()
                }
                _ => Vec::new(),
            };
            let server_hello = hello(session_id, full.suite);
            send_full(ctx, config, offer, full, key_share, server_hello, plan.alpn)
        }
    }
}

/// Queues flight 4 of a full handshake: ServerHello, then Certificate,
/// signed ServerKeyExchange and [CertificateRequest] for a certificate
/// suite (RFC 8422 5.4), or the ServerKeyExchange of a PSK suite
/// (RFC 4279 2: only with a hint; RFC 5489 2: always, unsigned), then
/// ServerHelloDone.
fn send_full(
    ctx: &mut Ctx,
    config: &ServerConfig,
    offer: &ClientHelloOffer<'_>,
    full: FullPlan<'_>,
    key_share: Option<EphemeralKeyPair>,
    server_hello: ServerHello,
    alpn: Option<Vec<u8>>,
) -> Result<State, PeerError> {
    let suite = full.suite;
    ctx.begin_flight(true);
    queue_message(ctx, HandshakeType::ServerHello, &server_hello);
    let ecdh_params = key_share.as_ref().map(|share| ServerEcdhParams {
        named_curve: share.group().to_u16(),
        public: share.public_key().to_vec(),
    });
    let (ske, scheme) = match (&full.key_exchange, ecdh_params) {
        (
            KeyExchangePlan::Certificate {
                identity,
                scheme,
                certificate_type,
                ..
            },
            Some(params),
        ) => {
            let certificate = certificate_message(identity, *certificate_type);
            queue_message(ctx, HandshakeType::Certificate, &certificate);
            // RFC 8422 5.4: the signature covers client_random,
            // server_random and the ServerECDHParams.
            let signed_input = params.signed_message(&offer.random, &server_hello.random);
            let signature = config
                .common
                .provider
                .sign(&identity.key, *scheme, &signed_input)?;
            let signed_params = DigitallySigned {
                scheme: scheme.to_u16(),
                signature,
            };
            let ske = ServerKeyExchangeParams::Ecdhe {
                params,
                signed_params,
            };
            (Some(ske), Some(*scheme))
        }
        (KeyExchangePlan::Psk { psk, .. }, Some(params)) => {
            let identity_hint = psk.identity_hint.clone().unwrap_or_default();
            let ske = ServerKeyExchangeParams::EcdhePsk {
                identity_hint,
                params,
            };
            (Some(ske), None)
        }
        (KeyExchangePlan::Psk { psk, .. }, None) => {
            let ske = psk
                .identity_hint
                .clone()
                .map(|identity_hint| ServerKeyExchangeParams::Psk { identity_hint });
            (ske, None)
        }
        (KeyExchangePlan::Certificate { .. }, None) => {
            return Err(PeerError::Internal(dtls_crypto::Error::InvalidInput(
                "a certificate suite without an ECDHE key share",
            )));
        }
    };
    if let Some(ske) = &ske {
        queue_message(
            ctx,
            HandshakeType::ServerKeyExchange,
            &ServerKeyExchange::from(ske),
        );
    }
    if let Some(schemes) = &full.certificate_request {
        let request = CertificateRequest {
            certificate_types: vec![ECDSA_SIGN, RSA_SIGN],
            supported_signature_algorithms: schemes.clone(),
            certificate_authorities: config.client_ca_names.clone(),
        };
        queue_message(ctx, HandshakeType::CertificateRequest, &request);
    }
    queue_message(ctx, HandshakeType::ServerHelloDone, &ServerHelloDone);
    let group = key_share.as_ref().map(EphemeralKeyPair::group);
    ctx.progress(format!(
        "sent ServerHello ({}, {}, {})",
        suite.name(),
        group.map_or("no ECDHE", |g| g.name()),
        scheme.map_or("no signature", |s| s.name()),
    ));
    let expect_certificate = full.certificate_request.is_some();
    Ok(State::ExpectClientFlight(Box::new(ExpectClientFlight {
        negotiated: Negotiated {
            agreed: HelloAgreement {
                suite,
                client_random: offer.random,
                server_random: server_hello.random,
                extended_master_secret: offer.extended_master_secret,
                alpn,
                session_id: server_hello.session_id,
            },
            key_exchange: KeyExchangeUsed { group, scheme },
            server_name: full.server_name,
            client_auth: config.client_auth,
            requested_schemes: full.certificate_request.unwrap_or_default(),
            client_certificate_type: full.client_certificate_type,
            issue_ticket: full.issue_ticket,
        },
        key_share,
        expect_certificate,
        client_certificate: CertificatePayload::default(),
    })))
}

/// Queues the abbreviated handshake's flight: ServerHello echoing the
/// client's session ID, [NewSessionTicket] (when `ticket_keys` is given),
/// ChangeCipherSpec, Finished.
fn send_resumed(
    ctx: &mut Ctx,
    ticket_keys: Option<&ServerResumption>,
    offer: &ClientHelloOffer<'_>,
    session: StoredSession,
    server_hello: ServerHello,
    alpn: Option<Vec<u8>>,
) -> Result<State, PeerError> {
    let suite = session.suite;
    let ticket = ticket_keys.map(|res| res.seal_ticket(&session));
    ctx.begin_flight(true);
    queue_message(ctx, HandshakeType::ServerHello, &server_hello);
    if let Some(nst) = ticket {
        queue_message(ctx, HandshakeType::NewSessionTicket, &nst);
    }
    let secrets = SessionSecrets::resumed(suite, session.master, offer.random, server_hello.random);
    let write = secrets.install_read_keys(ctx, Peer::Server)?;
    secrets.queue_finished(ctx, Peer::Server, write);
    ctx.progress(format!(
        "sent ServerHello, ChangeCipherSpec, Finished (resuming, {})",
        suite.name()
    ));
    let params = NegotiatedParams::dtls12(
        suite,
        None,
        session.extended_master_secret,
        alpn,
        session.server_name,
        session.peer_certificate,
        session.psk_identity,
    );
    Ok(State::ResumeExpectChangeCipherSpec(Box::new(Resumed {
        secrets,
        params,
    })))
}
