//! The server's decision on a ClientHello: resume a session or pick
//! suite, group, credentials (certificate and signature scheme, or
//! pre-shared keys) and extensions for a full handshake (RFC 5246 7.4.1,
//! RFC 8422 5, RFC 4279 2, RFC 5077 3). Pure: nothing is
//! sent or drawn at random here; [`super::server_flight`] carries the plan
//! out.

use std::time::Instant;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::{KeyType, SignatureScheme};
use dtls_crypto::suites::AuthAlgorithm;

use super::credentials::{client_type_to_request, pick_certificate_type};
use super::offer::ClientHelloOffer;
use super::peer_error::{Incompatible, Misbehaved, Peer, PeerError};
use super::record_layer::ConnectionIds;
use super::session::{ServerResumption, StoredSession};
use crate::config::{CertificateType, ClientAuthMode, Identity, ServerConfig, ServerPsk};
use crate::msgs::extensions::{HeartbeatMode, ServerExtension};
use crate::msgs::messages::CertificatePayload;

/// What the server answers a ClientHello with.
pub(crate) struct Plan<'a> {
    /// The ServerHello's extensions, in order.
    pub extensions: Vec<ServerExtension>,
    /// The client's record_size_limit, to honour (RFC 8449 4).
    pub peer_record_size_limit: Option<u16>,
    /// Whether the client allows our heartbeat requests (RFC 6520 2),
    /// when both sides use the extension.
    pub peer_heartbeat_allows_requests: Option<bool>,
    /// The ALPN protocol selected (RFC 7301 3.2).
    pub alpn: Option<Vec<u8>>,
    /// The connection IDs agreed (RFC 9146 3).
    pub connection_ids: Option<ConnectionIds>,
    pub handshake: PlannedHandshake<'a>,
}

/// Full or abbreviated.
pub(crate) enum PlannedHandshake<'a> {
    /// Abbreviated (RFC 5246 7.3): `issue_ticket` when the client offered
    /// the ticket extension and tickets are on (RFC 5077 3.1).
    Resume {
        session: StoredSession,
        issue_ticket: bool,
    },
    Full(FullPlan<'a>),
}

/// The parameters of a full handshake.
pub(crate) struct FullPlan<'a> {
    pub suite: CipherSuite,
    pub key_exchange: KeyExchangePlan<'a>,
    pub server_name: Option<String>,
    /// Whether to promise a NewSessionTicket (RFC 5077 3.2).
    pub issue_ticket: bool,
    /// The schemes of our CertificateRequest, if we ask for a client
    /// certificate (RFC 5246 7.4.4).
    pub certificate_request: Option<Vec<u16>>,
    /// What the client's Certificate must carry, if we ask for one
    /// (RFC 7250 4.2).
    pub client_certificate_type: CertificateType,
}

/// How the server will authenticate the key exchange of a full handshake.
pub(crate) enum KeyExchangePlan<'a> {
    /// ECDHE signed with a certificate's key (RFC 8422 5.4).
    Certificate {
        group: NamedGroup,
        identity: &'a Identity,
        scheme: SignatureScheme,
        /// How our Certificate presents the identity (RFC 7250 4.2).
        certificate_type: CertificateType,
    },
    /// A pre-shared key (RFC 4279 2), with ECDHE for ECDHE_PSK
    /// (RFC 5489 2).
    Psk {
        psk: &'a ServerPsk,
        group: Option<NamedGroup>,
    },
}

impl KeyExchangePlan<'_> {
    /// The ECDHE group, if the suite uses one.
    pub(crate) fn group(&self) -> Option<NamedGroup> {
        match self {
            KeyExchangePlan::Certificate { group, .. } => Some(*group),
            KeyExchangePlan::Psk { group, .. } => *group,
        }
    }
}

/// Decides how to answer `offer`. `our_heartbeat` is our heartbeat mode
/// when keep-alive is on; `our_cid` the connection ID the endpoint issued
/// us, if it uses them.
pub(crate) fn negotiate<'a>(
    offer: &ClientHelloOffer<'_>,
    config: &'a ServerConfig,
    resumption: Option<&ServerResumption>,
    our_heartbeat: Option<HeartbeatMode>,
    our_cid: Option<&[u8]>,
    now: Instant,
) -> Result<Plan<'a>, PeerError> {
    check_offer(offer, config)?;
    let mut extensions = session_independent_extensions(offer, config, our_heartbeat);
    // RFC 9146 3: answer a client's connection_id with ours, full or
    // abbreviated handshake alike.
    let connection_ids = match (offer.connection_id, our_cid) {
        (Some(theirs), Some(ours)) => {
            extensions.push(ServerExtension::ConnectionId(ours.to_vec()));
            Some(ConnectionIds {
                ours: ours.to_vec(),
                theirs: theirs.to_vec(),
            })
        }
        _ => None,
    };
    let peer_heartbeat_allows_requests = our_heartbeat
        .and(offer.heartbeat)
        .map(|peer_mode| peer_mode == HeartbeatMode::PeerAllowedToSend);
    // Tickets need keys from the endpoint (present iff enabled).
    // A session without the extended master secret is never resumed
    // (RFC 7627 5.3, 5.4), so it gets no ticket either.
    let issue_ticket = offer.ticket.is_some()
        && offer.extended_master_secret
        && resumption.is_some_and(|r| r.tickets.is_some());

    let (handshake, alpn, suite) = match find_resumable(offer, config, resumption, now) {
        Some(session) => {
            let alpn = select_alpn(config, offer.alpn)?;
            let suite = session.suite;
            let resume = PlannedHandshake::Resume {
                session,
                issue_ticket,
            };
            (resume, alpn, suite)
        }
        None => {
            let full = choose_full(offer, config, issue_ticket)?;
            let alpn = select_alpn(config, offer.alpn)?;
            let suite = full.suite;
            (PlannedHandshake::Full(full), alpn, suite)
        }
    };
    // The extensions of this hello's answer (RFC 7627 5.2, RFC 7366 3,
    // RFC 8422 5.2, RFC 7301 3.2, RFC 6066 3, RFC 5077 3.2).
    if offer.extended_master_secret {
        extensions.push(ServerExtension::ExtendedMasterSecret);
    }
    if suite.requires_encrypt_then_mac() {
        extensions.push(ServerExtension::EncryptThenMac);
    }
    let full = match &handshake {
        PlannedHandshake::Full(full) => Some(full),
        PlannedHandshake::Resume { .. } => None,
    };
    if full.is_some() && offer.point_formats.is_some() {
        extensions.push(ServerExtension::EcPointFormats(vec![0]));
    }
    if let Some(p) = &alpn {
        extensions.push(ServerExtension::Alpn(p.clone()));
    }
    // RFC 6066 3: acknowledge server_name (an empty extension) only when
    // the name was used: here, when it chose among several certificates.
    // pion/dtls v2 rejects the empty extension, so it is not sent for
    // nothing (issue 15).
    if let Some(full) = full
        && config.identities.len() > 1
        && let KeyExchangePlan::Certificate { identity, .. } = &full.key_exchange
        && full
            .server_name
            .as_deref()
            .is_some_and(|name| identity_matches(identity, name))
    {
        extensions.push(ServerExtension::ServerNameAck);
    }
    if issue_ticket {
        extensions.push(ServerExtension::SessionTicketAck);
    }
    // RFC 7250 4.2: name the types in use, answering only the extensions
    // the client sent; the client type only with a CertificateRequest.
    if let Some(full) = full {
        if let KeyExchangePlan::Certificate {
            certificate_type, ..
        } = &full.key_exchange
            && offer.server_certificate_types.is_some()
        {
            extensions.push(ServerExtension::ServerCertificateType(*certificate_type));
        }
        if full.certificate_request.is_some() && offer.client_certificate_types.is_some() {
            extensions.push(ServerExtension::ClientCertificateType(
                full.client_certificate_type,
            ));
        }
    }
    Ok(Plan {
        extensions,
        peer_record_size_limit: offer.record_size_limit,
        peer_heartbeat_allows_requests,
        alpn,
        connection_ids,
        handshake,
    })
}

/// The extensions every ServerHello carries, full or abbreviated
/// (RFC 5746 3.6, RFC 8449 4, RFC 6520 2).
fn session_independent_extensions(
    offer: &ClientHelloOffer<'_>,
    config: &ServerConfig,
    our_heartbeat: Option<HeartbeatMode>,
) -> Vec<ServerExtension> {
    let mut extensions = Vec::new();
    if offer.secure_renegotiation {
        extensions.push(ServerExtension::RenegotiationInfo(Vec::new()));
    }
    if offer.record_size_limit.is_some() {
        // RFC 8449 4: in TLS 1.2 the value limits the plaintext.
        let ours = config.common.record_size_limit.unwrap_or(1 << 14);
        extensions.push(ServerExtension::RecordSizeLimit(ours.clamp(64, 1 << 14)));
    }
    // RFC 6520 2: answer the heartbeat extension with our own mode, only
    // when keep-alive is on.
    if let (Some(_), Some(ours)) = (offer.heartbeat, our_heartbeat) {
        extensions.push(ServerExtension::Heartbeat(ours));
    }
    extensions
}

/// The checks every ClientHello must pass, whatever is negotiated.
fn check_offer(offer: &ClientHelloOffer<'_>, config: &ServerConfig) -> Result<(), PeerError> {
    // RFC 6347 4.1 / 4.2.1: DTLS 1.2 is 0xFEFD; DTLS 1.0 is 0xFEFF
    // (numerically larger means older).
    if offer.version > 0xFEFD {
        return Err(Incompatible::ClientVersionTooOld(offer.version).into());
    }
    // RFC 5246 7.4.1.2: the null compression method must be offered.
    if !offer.null_compression {
        return Err(Incompatible::NoNullCompression.into());
    }
    // RFC 5746 3.6: an initial ClientHello's renegotiation_info must be empty.
    if offer.renegotiation_info.is_some_and(|r| !r.is_empty()) {
        return Err(Misbehaved::RenegotiationInfoNotEmpty.into());
    }
    // RFC 7627 5.3: a server that requires the extension aborts without it.
    if !offer.extended_master_secret && config.common.require_extended_master_secret {
        return Err(Incompatible::NoExtendedMasterSecret(Peer::Client).into());
    }
    // RFC 8422 5.1.2: uncompressed points must be supported.
    if offer.point_formats.is_some_and(|f| !f.contains(&0)) {
        return Err(Incompatible::NoUncompressedPoints.into());
    }
    Ok(())
}

/// Picks suite, group, and identity and signature scheme (or pre-shared
/// keys) for a full handshake: the first enabled suite the client offers
/// that we hold credentials for (RFC 5246 7.4.1.3).
fn choose_full<'a>(
    offer: &ClientHelloOffer<'_>,
    config: &'a ServerConfig,
    issue_ticket: bool,
) -> Result<FullPlan<'a>, PeerError> {
    let groups = &config.common.groups;
    // RFC 8422 4: without supported_groups, assume the client supports the
    // common curves; we pick P-256.
    let group = match offer.groups {
        Some(offered) => groups.iter().find(|g| offered.contains(&g.to_u16())),
        None => groups.iter().find(|g| **g == NamedGroup::Secp256r1),
    }
    .copied();

    // RFC 5246 7.4.1.4.1: without signature_algorithms the client implies
    // SHA-1, which we only use if configured.
    let default_schemes = [0x0201u16, 0x0203];
    let client_schemes = offer.signature_schemes.unwrap_or(&default_schemes);
    let acceptable: Vec<u16> = config
        .common
        .signature_schemes
        .iter()
        .map(|s| s.to_u16())
        .filter(|s| client_schemes.contains(s))
        .collect();

    let identities = order_identities(&config.identities, offer.server_name.as_deref());
    let usable = |suite: &CipherSuite| {
        // RFC 7366 3: CBC suites only with Encrypt-then-MAC.
        offer.offers_suite(suite.id())
            && (!suite.requires_encrypt_then_mac() || offer.encrypt_then_mac)
    };
    let plan_for = |suite: &CipherSuite| -> Option<KeyExchangePlan<'a>> {
        let kx = suite.key_exchange();
        let group = match (kx.uses_ecdhe(), group) {
            (true, None) => return None,
            (true, Some(g)) => Some(g),
            (false, _) => None,
        };
        if kx.auth() == AuthAlgorithm::Psk {
            let psk = config.psk.as_ref()?;
            return Some(KeyExchangePlan::Psk { psk, group });
        }
        identities.iter().find_map(|identity| {
            if auth_of(identity.key.key_type()) != kx.auth() {
                return None;
            }
            let certificate_type = pick_certificate_type(
                &config.certificate_types,
                offer.server_certificate_types,
                |t| identity.can_present(t),
            )?;
            let scheme = identity.key.choose_scheme(&acceptable, false)?;
            Some(KeyExchangePlan::Certificate {
                group: group?,
                identity,
                scheme,
                certificate_type,
            })
        })
    };
    let (suite, key_exchange) = config
        .common
        .cipher_suites
        .iter()
        .filter(|suite| usable(suite))
        .find_map(|suite| Some((*suite, plan_for(suite)?)))
        .ok_or_else(|| no_plan_reason(offer, config, group))?;

    // RFC 4279 2: a PSK handshake has no CertificateRequest.
    let with_certificate = matches!(key_exchange, KeyExchangePlan::Certificate { .. });
    let certificate_request = (with_certificate && config.client_auth != ClientAuthMode::None)
        .then(|| {
            config
                .common
                .signature_schemes
                .iter()
                .map(|s| s.to_u16())
                .collect()
        });
    let client_certificate_type = match certificate_request {
        Some(_) => client_type_to_request(config, offer.client_certificate_types)?,
        None => CertificateType::X509,
    };
    Ok(FullPlan {
        suite,
        key_exchange,
        server_name: offer.server_name.clone(),
        issue_ticket,
        certificate_request,
        client_certificate_type,
    })
}

/// Why no suite could be planned: no group, no certificate type the
/// client accepts (RFC 7250 4.2: unsupported_certificate), or no suite.
fn no_plan_reason(
    offer: &ClientHelloOffer<'_>,
    config: &ServerConfig,
    group: Option<NamedGroup>,
) -> PeerError {
    let any_type = config.identities.iter().any(|identity| {
        pick_certificate_type(
            &config.certificate_types,
            offer.server_certificate_types,
            |t| identity.can_present(t),
        )
        .is_some()
    });
    match group {
        None => Incompatible::NoGroupInCommon.into(),
        Some(_) if !any_type && config.psk.is_none() => {
            Incompatible::NoCertificateTypeInCommon.into()
        }
        Some(_) => Incompatible::NoCipherSuiteInCommon.into(),
    }
}

/// The session a ClientHello may resume (RFC 5246 7.4.1.2, RFC 5077 3.4):
/// a valid, fresh ticket first, else the cached session its ID names. The
/// session must still be acceptable under today's config and this hello:
/// its suite offered and enabled (RFC 5246 7.4.1.3), with EtM for CBC
/// (RFC 7366 3.1), made and resumed with EMS (RFC 7627 5.3), the same
/// server_name (RFC 6066 3), a client chain if one is now required, and
/// for a PSK session an identity the key store still knows.
fn find_resumable(
    offer: &ClientHelloOffer<'_>,
    config: &ServerConfig,
    resumption: Option<&ServerResumption>,
    now: Instant,
) -> Option<StoredSession> {
    let res = resumption?;
    let from_ticket = match (offer.ticket, &res.tickets) {
        (Some(t), Some(keys)) if !t.is_empty() => keys
            .open(t)
            .and_then(|state| StoredSession::decode_ticket_state(&state)),
        _ => None,
    };
    let from_cache = res
        .candidate
        .as_ref()
        .filter(|c| !offer.session_id.is_empty() && c.id == offer.session_id)
        .cloned();
    let session = from_ticket
        .filter(|s| s.is_fresh(res.secs(now), res.lifetime_secs))
        .or(from_cache)?;
    let acceptable = offer.offers_suite(session.suite.id())
        && config.common.cipher_suites.contains(&session.suite)
        && (!session.suite.requires_encrypt_then_mac() || offer.encrypt_then_mac)
        && session.extended_master_secret
        && offer.extended_master_secret
        && session.server_name == offer.server_name
        && psk_still_valid(config, session.psk_identity.as_deref())
        && client_credential_still_taken(config, &session.peer_certificate)
        && (config.client_auth != ClientAuthMode::Required
            || !session.peer_certificate.is_empty()
            || session.psk_identity.is_some());
    acceptable.then_some(session)
}

/// A PSK session resumes only while its identity still has a key: taking
/// an identity out of the store revokes its sessions too.
fn psk_still_valid(config: &ServerConfig, identity: Option<&[u8]>) -> bool {
    match identity {
        None => true,
        Some(identity) => config
            .psk
            .as_ref()
            .is_some_and(|psk| psk.resolver.resolve(identity).is_some()),
    }
}

/// A session with a client certificate or raw key resumes only while that
/// type is still taken, and a raw key while it is still trusted (when
/// trusted keys are set): taking raw keys out of the config revokes their
/// sessions too.
fn client_credential_still_taken(config: &ServerConfig, client: &CertificatePayload) -> bool {
    if client.is_empty() {
        return true;
    }
    config
        .client_certificate_types
        .contains(&client.certificate_type())
        && client.raw_public_key().is_none_or(|key| {
            config.trusted_client_keys.is_empty()
                || config.trusted_client_keys.iter().any(|k| k == key)
        })
}

/// RFC 7301 3.2: with ALPN configured and offered, the server's most
/// preferred common protocol; no overlap is fatal.
fn select_alpn(
    config: &ServerConfig,
    offered: Option<&[Vec<u8>]>,
) -> Result<Option<Vec<u8>>, PeerError> {
    let ours = &config.common.alpn_protocols;
    match offered {
        Some(offered) if !ours.is_empty() => {
            let pick = ours.iter().find(|p| offered.contains(p));
            Ok(Some(pick.ok_or(Incompatible::NoAlpnInCommon)?.clone()))
        }
        _ => Ok(None),
    }
}

/// Which suite family a certificate key can authenticate (RFC 8422 2).
fn auth_of(key: KeyType) -> AuthAlgorithm {
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
