//! What the client sends: the ClientHello (RFC 5246 7.4.1.2, RFC 6347
//! 4.2.1; re-sent with the cookie after a HelloVerifyRequest) and flight 5
//! of a full handshake. This is where the client draws its random,
//! generates its ECDHE key share and signs, or names its PSK identity.

use dtls_crypto::CipherSuite;
use dtls_crypto::psk::premaster_secret;

use super::Ctx;
use super::client::{ExpectServerFinished, ExpectServerHello, ExpectServerHelloDone, State};
use super::common::{our_heartbeat_mode, queue_message};
use super::credentials::{announced, certificate_message, check_types};
use super::peer_error::{Misbehaved, Peer, PeerError};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::event::KeyExchangeUsed;
use crate::msgs::extensions::{CertificateType, ClientExtension};
use crate::msgs::handshake::HandshakeType;
use crate::msgs::messages::{
    Certificate, CertificatePayload, CertificateVerify, ClientHello, ClientKeyExchange,
    ClientKeyExchangeParams, DigitallySigned, EMPTY_RENEGOTIATION_INFO_SCSV,
};
use crate::msgs::record::ProtocolVersion;

/// Builds and queues the first ClientHello, offering the configured
/// session for resumption (RFC 5077 3.4) when it still fits.
pub(super) fn first_hello(
    config: &ClientConfig,
    ctx: &mut Ctx,
) -> Result<ExpectServerHello, Error> {
    let common = &config.common;
    check_types(
        &config.server_certificate_types,
        "server_certificate_types must list X509 and/or RawPublicKey",
    )?;
    check_types(
        &config.client_certificate_types,
        "client_certificate_types must list X509 and/or RawPublicKey",
    )?;
    check_raw_key_config(config)?;
    if config.connection_id.as_ref().is_some_and(|c| c.len() > 255) {
        return Err(Error::Config(
            "connection_id is longer than 255 bytes (RFC 9146 3)",
        ));
    }
    let mut suites: Vec<u16> = config
        .common
        .cipher_suites
        .iter()
        .filter(|s| offers_suite(config, **s))
        .map(|s| s.id())
        .collect();
    if suites.is_empty() {
        return Err(Error::Config(
            "no cipher suite to offer (PSK suites need a pre-shared key)",
        ));
    }
    suites.push(EMPTY_RENEGOTIATION_INFO_SCSV);
    // RFC 5077 3.4 / RFC 5246 7.4.1.2: offer the session only to the
    // same server name, only with its suite still enabled, and only if it
    // has the extended master secret (RFC 7627 5.4).
    let offered = config.resume.clone().filter(|s| {
        s.server_name == config.server_name
            && common.cipher_suites.contains(&s.suite)
            && s.extended_master_secret
            && still_trusted(config, &s.peer_certificate)
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
    let hello = ClientHello {
        client_version: ProtocolVersion::Dtls1_2,
        random: common.provider.random_array()?,
        session_id,
        cookie: Vec::new(),
        cipher_suites: suites,
        compression_methods: vec![0],
        extensions: Some(hello_extensions(config, ctx, ticket_ext)),
    };
    ctx.begin_flight(true);
    queue_message(ctx, HandshakeType::ClientHello, &hello);
    ctx.progress("sent ClientHello");
    Ok(ExpectServerHello {
        hello,
        hello_verify_count: 0,
        offered,
        ticket_ext: ticket_offered,
    })
}

/// Raw public key settings that cannot work, or would weaken trust
/// anchors, are refused (RFC 7250).
fn check_raw_key_config(config: &ClientConfig) -> Result<(), Error> {
    let takes_raw_keys = config
        .server_certificate_types
        .contains(&CertificateType::RawPublicKey);
    if takes_raw_keys && config.trusted_server_keys.is_empty() && !config.trust_anchors.is_empty() {
        return Err(Error::Config(
            "accepting raw public keys without trusted_server_keys would let any key past \
             the trust anchors",
        ));
    }
    if config
        .identity
        .as_ref()
        .is_some_and(|id| id.chain.is_empty())
        && !config
            .client_certificate_types
            .contains(&CertificateType::RawPublicKey)
    {
        return Err(Error::Config(
            "an identity without a certificate needs CertificateType::RawPublicKey in \
             client_certificate_types",
        ));
    }
    Ok(())
}

/// Whether a session's server credential would still be accepted: its
/// certificate type is one we take, and a raw key is still pinned.
fn still_trusted(config: &ClientConfig, server: &CertificatePayload) -> bool {
    if server.is_empty() {
        return true;
    }
    config
        .server_certificate_types
        .contains(&server.certificate_type())
        && server.raw_public_key().is_none_or(|key| {
            config.trusted_server_keys.is_empty()
                || config.trusted_server_keys.iter().any(|k| k == key)
        })
}

/// The ClientHello's extensions; `ticket` is the session_ticket
/// extension's contents, if we send it.
fn hello_extensions(
    config: &ClientConfig,
    ctx: &Ctx,
    ticket: Option<Vec<u8>>,
) -> Vec<ClientExtension> {
    let common = &config.common;
    let schemes = common.signature_schemes.iter().map(|s| s.to_u16());
    let mut exts = vec![
        ClientExtension::SupportedGroups(common.groups.iter().map(|g| g.to_u16()).collect()),
        ClientExtension::EcPointFormats(vec![0]),
        ClientExtension::SignatureAlgorithms(schemes.collect()),
    ];
    if config.offer_extended_master_secret {
        exts.push(ClientExtension::ExtendedMasterSecret);
    }
    if offers_encrypt_then_mac(config) {
        exts.push(ClientExtension::EncryptThenMac);
    }
    if let Some(name) = &config.server_name {
        exts.push(ClientExtension::ServerName(name.as_bytes().to_vec()));
    }
    if !common.alpn_protocols.is_empty() {
        exts.push(ClientExtension::Alpn(common.alpn_protocols.clone()));
    }
    if let Some(mode) = our_heartbeat_mode(ctx) {
        exts.push(ClientExtension::Heartbeat(mode));
    }
    if let Some(t) = ticket {
        exts.push(ClientExtension::SessionTicket(t));
    }
    if let Some(limit) = common.record_size_limit {
        // RFC 8449 4: 64..=2^14 in TLS 1.2.
        exts.push(ClientExtension::RecordSizeLimit(limit.clamp(64, 1 << 14)));
    }
    // RFC 7250 4.1: announce what we accept and, with something to
    // present, what we can present, unless it is X.509 alone.
    if let Some(types) = announced(&config.server_certificate_types) {
        exts.push(ClientExtension::ServerCertificateTypes(types));
    }
    if config.identity.is_some()
        && let Some(types) = announced(&config.client_certificate_types)
    {
        exts.push(ClientExtension::ClientCertificateTypes(types));
    }
    // RFC 9146 3: the CID we want in the server's records.
    if let Some(cid) = &config.connection_id {
        exts.push(ClientExtension::ConnectionId(cid.clone()));
    }
    exts
}

/// Whether we offer `suite`: enabled, and for a PSK suite only with a key
/// (RFC 4279 2).
pub(super) fn offers_suite(config: &ClientConfig, suite: CipherSuite) -> bool {
    config.common.cipher_suites.contains(&suite)
        && (!suite.key_exchange().uses_psk() || config.psk.is_some())
}

/// Whether we offer encrypt_then_mac: whenever a CBC suite is enabled
/// (RFC 7366 2).
pub(super) fn offers_encrypt_then_mac(config: &ClientConfig) -> bool {
    config
        .common
        .cipher_suites
        .iter()
        .any(|s| s.requires_encrypt_then_mac() && offers_suite(config, *s))
}

/// Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify],
/// ChangeCipherSpec, Finished. This is where the client generates its
/// ECDHE key share and signs, or names its PSK identity (RFC 4279 2,
/// RFC 5489 2).
pub(super) fn send_client_flight(
    ctx: &mut Ctx,
    config: &ClientConfig,
    s: ExpectServerHelloDone,
) -> Result<State, PeerError> {
    ctx.peer_flight_started();
    let n = s.n;
    let kx = n.agreed.suite.key_exchange();
    let (public, shared) = match &s.ecdhe {
        Some((group, server_public)) => {
            let key_share = config.common.provider.start_key_exchange(*group)?;
            let public = key_share.public_key().to_vec();
            let shared = key_share
                .agree(server_public)
                .map_err(|_| Misbehaved::InvalidKeyShare(Peer::Server))?;
            (public, Some(shared))
        }
        None => (Vec::new(), None),
    };
    // The server chose a suite we offered, and we offer PSK suites only
    // with a key.
    let psk = match kx.uses_psk() {
        true => Some(
            config
                .psk
                .as_ref()
                .ok_or(Misbehaved::UnofferedCipherSuite(n.agreed.suite.id()))?,
        ),
        false => None,
    };
    ctx.begin_flight(true);

    // RFC 5246 7.4.6: answer a CertificateRequest with our chain (or raw
    // key, RFC 7250 4.2), or an empty chain.
    let mut signing = None;
    if let Some(accepted) = &s.certificate_request {
        let typ = n.client_certificate_type;
        let identity = config.identity.as_ref().filter(|id| id.can_present(typ));
        let chosen = identity.and_then(|id| Some((id, id.key.choose_scheme(accepted, false)?)));
        let cert = match chosen {
            Some((identity, scheme)) => {
                signing = Some((identity.key.clone(), scheme));
                certificate_message(identity, typ)
            }
            None => Certificate::x509(&[]),
        };
        queue_message(ctx, HandshakeType::Certificate, &cert);
    }
    let cke = match (psk, kx.uses_ecdhe()) {
        (Some(psk), true) => ClientKeyExchangeParams::EcdhePsk {
            identity: psk.identity.clone(),
            public,
        },
        (Some(psk), false) => ClientKeyExchangeParams::Psk {
            identity: psk.identity.clone(),
        },
        (None, _) => ClientKeyExchangeParams::Ecdhe { public },
    };
    queue_message(
        ctx,
        HandshakeType::ClientKeyExchange,
        &ClientKeyExchange::from(&cke),
    );
    let other_secret = shared.as_ref().map(|secret| secret.as_bytes());
    let secrets = match (psk, other_secret) {
        (Some(psk), other_secret) => {
            let pre_master = premaster_secret(other_secret, &psk.key);
            n.agreed.secrets(&pre_master, &ctx.transcript)
        }
        (None, Some(shared)) => n.agreed.secrets(shared, &ctx.transcript),
        (None, None) => return Err(PeerError::Unexpected(HandshakeType::ServerHelloDone)),
    };
    if let Some((key, scheme)) = signing {
        let signature = config
            .common
            .provider
            .sign(&key, scheme, ctx.transcript.bytes())?;
        let cv = CertificateVerify {
            signed: DigitallySigned {
                scheme: scheme.to_u16(),
                signature,
            },
        };
        queue_message(ctx, HandshakeType::CertificateVerify, &cv);
    }
    let client_write = secrets.install_read_keys(ctx, Peer::Client)?;
    secrets.queue_finished(ctx, Peer::Client, client_write);
    ctx.progress("sent ClientKeyExchange, ChangeCipherSpec, Finished");
    let key_exchange = KeyExchangeUsed {
        group: s.ecdhe.map(|(group, _)| group),
        scheme: s.scheme,
    };
    Ok(State::ExpectChangeCipherSpec(Box::new(
        ExpectServerFinished {
            n,
            server_certificate: s.server_certificate,
            key_exchange,
            secrets,
        },
    )))
}
