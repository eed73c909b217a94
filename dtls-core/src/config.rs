//! Configuration of server endpoints and client connections.
//!
//! Configs are built once, shared behind an [`Arc`], and never change under a
//! running connection.

use std::sync::Arc;
use std::time::Duration;

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::{SignatureScheme, SigningKey};
use dtls_crypto::verify::ClientCertVerifier;

pub use crate::msgs::extensions::CertificateType;
pub use crate::psk::{ClientPsk, ServerPsk};
use crate::timer::RetransmitConfig;

/// A certificate chain and the private key of its end-entity certificate,
/// or a bare key presented as a raw public key (RFC 7250).
#[derive(Clone)]
pub struct Identity {
    /// DER certificates, end-entity first, then the chain the peer needs
    /// (the seed's `SSLCACerts`), never the root. Empty for a raw public
    /// key identity, which can only be presented as
    /// [`CertificateType::RawPublicKey`].
    pub chain: Vec<Vec<u8>>,
    /// The end-entity certificate's key.
    pub key: Arc<SigningKey>,
    /// Host names (from the certificate's SANs or CN) this identity serves,
    /// lower case, used to pick an identity by SNI (RFC 6066 3). Empty means
    /// "any".
    pub names: Vec<String>,
}

impl Identity {
    /// The identity of a loaded certificate: its chain and private key, and
    /// the `dNSName`s of its subjectAltName (RFC 5280 section 4.2.1.6),
    /// lower case, for SNI selection (RFC 6066 section 3 names hosts only).
    ///
    /// # Errors
    /// The certificate has no private key, or the key type is unsupported.
    pub fn from_certificate(cert: &dtls_crypto::cert::Certificate) -> Result<Self, crate::Error> {
        let key = SigningKey::from_der(cert.require_private_key()?)?;
        let chain = cert.chain().iter().map(|c| c.as_ref().to_vec()).collect();
        let names = cert
            .dns_names()
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        Ok(Identity {
            chain,
            key: Arc::new(key),
            names,
        })
    }
}

impl Identity {
    /// An identity without a certificate: `key`, presented as its
    /// SubjectPublicKeyInfo to peers that accept raw public keys
    /// (RFC 7250). A peer trusts it by the key itself (a pinned SPKI).
    ///
    /// ```
    /// use dtls_core::config::{CertificateType, ClientConfig, Identity, ServerConfig};
    /// use dtls_crypto::sign::SigningKey;
    /// # let cert = dtls_crypto::selfsigned::generate_self_signed("device", &[])?;
    /// let key = SigningKey::from_der(cert.require_private_key()?)?;
    /// let pin = key.subject_public_key_info();
    /// let mut server = ServerConfig::new(Identity::raw_public_key(key));
    /// server.certificate_types = vec![CertificateType::RawPublicKey];
    /// let client = ClientConfig {
    ///     server_certificate_types: vec![CertificateType::RawPublicKey],
    ///     trusted_server_keys: vec![pin],
    ///     ..ClientConfig::default()
    /// };
    /// # let _ = (server, client);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw_public_key(key: SigningKey) -> Self {
        Identity {
            chain: Vec::new(),
            key: Arc::new(key),
            names: Vec::new(),
        }
    }

    /// Whether the identity can be presented as `typ`: X.509 needs a
    /// chain; any key can be a raw public key.
    pub(crate) fn can_present(&self, typ: CertificateType) -> bool {
        match typ {
            CertificateType::X509 => !self.chain.is_empty(),
            CertificateType::RawPublicKey => true,
            CertificateType::Unknown(_) => false,
        }
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("chain_len", &self.chain.len())
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// Whether and how the server asks clients for a certificate
/// (RFC 5246 7.4.4, the seed's `SSLAuthenticateClients`). It applies to
/// certificate suites: under a PSK suite the client proves it holds the
/// pre-shared key instead, and no CertificateRequest is sent (RFC 4279 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMode {
    /// No CertificateRequest is sent.
    #[default]
    None,
    /// A CertificateRequest is sent; a client without a certificate is
    /// still accepted.
    Optional,
    /// A CertificateRequest is sent; a client without a certificate fails
    /// the handshake with `handshake_failure`... (RFC 5246 7.4.6).
    Required,
}

/// Limits on what a peer can make us hold (DEVELOPERS.md: caps on every
/// buffer a peer can fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest handshake message accepted (certificate chains are the big
    /// ones). RFC 6347 allows 2^24; we cap far lower.
    pub max_handshake_message: usize,
    /// Largest total of handshake bytes buffered for reassembly.
    pub max_reassembly_bytes: usize,
    /// Largest number of bytes of next-epoch records buffered before the
    /// ChangeCipherSpec that activates them (about one flight).
    pub max_early_records_bytes: usize,
    /// Largest number of received application bytes held while the
    /// application does not read (or has paused data).
    pub max_receive_buffer: usize,
    /// Largest number of application bytes queued for sending.
    pub max_send_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_handshake_message: 64 * 1024,
            max_reassembly_bytes: 128 * 1024,
            max_early_records_bytes: 16 * 1024,
            max_receive_buffer: 256 * 1024,
            max_send_buffer: 256 * 1024,
        }
    }
}

/// Keep-alive by RFC 6520 heartbeats (the seed's KeepAlive, KeepAliveTime,
/// KeepAliveInterval, KeepAliveMode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAliveConfig {
    /// Offer/accept the heartbeat extension and run keep-alive. With this
    /// off we neither send nor answer heartbeats. Default off.
    pub enabled: bool,
    /// Our mode (RFC 6520 2): `true` = peer_allowed_to_send (we answer the
    /// peer's requests; the seed's mode 1, default), `false` =
    /// peer_not_allowed_to_send (we only send; mode 2).
    pub peer_allowed_to_send: bool,
    /// Inactivity (no authenticated record from the peer) before the first
    /// HeartbeatRequest. Default 60 s.
    pub time: Duration,
    /// Retry interval while a request is unanswered. Default 2 s.
    pub interval: Duration,
    /// Unanswered requests after which the peer is declared dead.
    /// Default 5.
    pub max_unanswered: u32,
    /// Most HeartbeatResponses sent per second; requests beyond are
    /// dropped and counted. Default 10.
    pub max_responses_per_second: u32,
}

impl Default for KeepAliveConfig {
    fn default() -> Self {
        KeepAliveConfig {
            enabled: false,
            peer_allowed_to_send: true,
            time: Duration::from_secs(60),
            interval: Duration::from_secs(2),
            max_unanswered: 5,
            max_responses_per_second: 10,
        }
    }
}

/// Settings shared by both sides.
#[derive(Debug, Clone)]
pub struct CommonConfig {
    /// Cipher suites in preference order (the seed's
    /// `SSLEnabledCipherSuites`).
    pub cipher_suites: Vec<CipherSuite>,
    /// ECDHE groups in preference order (the seed's `TLS12SupportedGroups`).
    pub groups: Vec<NamedGroup>,
    /// Signature schemes in preference order (the seed's
    /// `TLS12SignatureAlgorithms`).
    pub signature_schemes: Vec<SignatureScheme>,
    /// Require the extended master secret (RFC 7627 5.2/5.3) and refuse
    /// peers without it. Default off, as in OpenSSL, GnuTLS, mbedTLS and
    /// rustls: the extension is used whenever the peer offers it, a
    /// handshake without it is reported with a warning (a
    /// `HandshakeProgress` event), and its session is never resumed
    /// (RFC 7627 5.3, 5.4), so the triple-handshake attack has nothing to
    /// resume.
    pub require_extended_master_secret: bool,
    /// Largest datagram we ever send, in bytes, including all record headers
    /// (RFC 6347 4.1.1.1: PMTU). Default 1200, safe on any IPv4/IPv6 path.
    pub mtu: usize,
    /// Whether application records must fit [`mtu`](Self::mtu) too. RFC
    /// 6347 4.1.1 asks an implementation to refuse a record larger than the
    /// PMTU, so it is `true` by default and [`Connection::send`] refuses a
    /// message that would not fit. With `false` (the seed's server with
    /// `DontFragment=False`) one message is one record of up to 2^14 bytes
    /// (or the peer's record_size_limit, RFC 8449) and IP fragments the
    /// datagram; handshake flights always fit `mtu`.
    ///
    /// [`Connection::send`]: crate::Connection::send
    pub application_records_fit_mtu: bool,
    /// Let whole handshake messages of a flight share a record (RFC 6347
    /// 4.2.3 allows it; OpenSSL, GnuTLS, mbedTLS, pion and SunJSSE read
    /// it), so a flight takes fewer datagrams. Default off: tinydtls, the
    /// most common constrained-device stack, reads only the first message
    /// of a record and aborts the handshake. Either way a datagram carries
    /// one record (SunJSSE applications read one record per datagram).
    pub pack_handshake_messages: bool,
    /// Handshake retransmission schedule (RFC 6347 4.2.4.1).
    pub retransmit: RetransmitConfig,
    /// Anti-replay window size in records (RFC 6347 4.1.2.6); at least 64.
    pub replay_window: usize,
    /// ALPN protocols in preference order (RFC 7301), empty for none.
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Buffer caps.
    pub limits: Limits,
    /// Heartbeat keep-alive and dead-peer detection.
    pub keep_alive: KeepAliveConfig,
    /// Close a connection with no application data either way for this
    /// long (the seed's DefaultIdleTimeout); `None` never.
    pub idle_timeout: Option<Duration>,
    /// Give a handshake up this long after the connection was created,
    /// whatever the peer sends meanwhile, so a peer that stalls (or trickles
    /// fragments, or never lets the application decide on its certificate)
    /// cannot hold a slot. Default 60 s; `None` never (not recommended).
    pub handshake_timeout: Option<Duration>,
    /// The record_size_limit we advertise (RFC 8449 4): the largest record
    /// plaintext we want to receive, 64..=16384. `None`: a client does not
    /// send the extension; a server answers a client's with 2^14.
    pub record_size_limit: Option<u16>,
    /// The crypto provider: randomness, ECDHE key exchange and signing.
    /// Replace it (with dtls-crypto's `test-util` feature,
    /// `CryptoProvider::insecure_deterministic`) to make handshakes
    /// reproducible in tests and fuzzing.
    pub provider: Arc<dtls_crypto::CryptoProvider>,
}

impl Default for CommonConfig {
    fn default() -> Self {
        CommonConfig {
            cipher_suites: CipherSuite::ALL.to_vec(),
            groups: vec![
                NamedGroup::X25519,
                NamedGroup::Secp256r1,
                NamedGroup::Secp384r1,
                NamedGroup::Secp521r1,
            ],
            signature_schemes: SignatureScheme::DEFAULT.to_vec(),
            require_extended_master_secret: false,
            mtu: 1200,
            application_records_fit_mtu: true,
            pack_handshake_messages: false,
            retransmit: RetransmitConfig::default(),
            replay_window: 128,
            alpn_protocols: Vec::new(),
            limits: Limits::default(),
            keep_alive: KeepAliveConfig::default(),
            idle_timeout: None,
            handshake_timeout: Some(Duration::from_secs(60)),
            record_size_limit: None,
            provider: Arc::new(dtls_crypto::CryptoProvider::default()),
        }
    }
}

/// A source of wall-clock time in seconds since the Unix epoch, for
/// certificate validity checks. `dtls-core` never reads a clock itself; the
/// embedding application (or `dtls-server`) supplies one.
#[derive(Clone)]
pub struct UnixTime(pub Arc<dyn Fn() -> u64 + Send + Sync>);

impl std::fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnixTime(..)")
    }
}

/// Configuration of a server [`Endpoint`](crate::Endpoint).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Wall-clock source for client certificate validity. Without one,
    /// validity dates are reported as not checked.
    pub unix_time: Option<UnixTime>,
    /// Settings shared with clients.
    pub common: CommonConfig,
    /// Certificates the server can present; the first whose key suits the
    /// negotiated suite and whose names match the client's SNI is used.
    /// May be empty when [`psk`](Self::psk) is set.
    pub identities: Vec<Identity>,
    /// Pre-shared keys: with them, the PSK and ECDHE_PSK suites of
    /// [`CommonConfig::cipher_suites`] can be negotiated (RFC 4279,
    /// RFC 5489); without, they never are.
    pub psk: Option<ServerPsk>,
    /// The certificate types the server can present, in preference order:
    /// the first one the client accepts (its server_certificate_type
    /// extension, X.509 when absent) that the chosen identity can be
    /// presented as is used (RFC 7250 section 4.2). Default X.509 only;
    /// add [`CertificateType::RawPublicKey`] to serve an identity's key as
    /// a raw public key to clients that ask for one.
    pub certificate_types: Vec<CertificateType>,
    /// Whether to ask clients for certificates.
    pub client_auth: ClientAuthMode,
    /// The certificate types accepted from clients when
    /// [`client_auth`](Self::client_auth) asks for one, in preference order
    /// (RFC 7250 section 4.2). Default X.509 only.
    pub client_certificate_types: Vec<CertificateType>,
    /// Client raw public keys (DER SubjectPublicKeyInfo) the server trusts:
    /// a client key among them is reported verified in
    /// [`Event::ClientCertificate`](crate::Event::ClientCertificate), any
    /// other unverified, and the application decides either way (as for
    /// certificate chains).
    pub trusted_client_keys: Vec<Vec<u8>>,
    /// Validates client chains (configured CAs, the seed's
    /// `SSLSecurityFlags`). With `None`, every chain is reported unverified
    /// and the application decides alone.
    pub client_verifier: Option<Arc<ClientCertVerifier>>,
    /// DER-encoded distinguished names sent in CertificateRequest
    /// (RFC 5246 7.4.4 certificate_authorities; the seed's
    /// `SSLClientCACerts`).
    pub client_ca_names: Vec<Vec<u8>>,
    /// How long a cookie secret is used before it is rotated; the previous
    /// one is still accepted for another period (RFC 6347 4.2.1).
    pub cookie_rotation: Duration,
    /// How long a cookie stays valid after its HelloVerifyRequest, whatever
    /// the traffic pattern: the cookie carries its minting time (coarse, in
    /// seconds). A client whose cookie expired gets a fresh
    /// HelloVerifyRequest. Default 60 s.
    pub cookie_lifetime: Duration,
    /// Whether the server accepts new handshakes (the seed's
    /// `StopListening` turns this off while keeping connections).
    pub accept_new: bool,
    /// Upper bound on simultaneous connections (the seed's `MaxConnections`).
    /// At the bound, a client that passes the cookie takes the place of the
    /// oldest handshake still under way; when every connection is
    /// established, ClientHellos are ignored.
    pub max_connections: usize,
    /// Upper bound on handshakes under way (passed the cookie, not yet
    /// complete), below `max_connections`; at the bound the oldest yields to
    /// a newer client that passed the cookie. Default 1,000.
    pub max_half_open: usize,
    /// Upper bound on handshakes under way from one source IP address; at
    /// the bound that source's oldest yields. Default 16 (clients behind
    /// one NAT share an address).
    pub max_half_open_per_source: usize,
    /// Most bytes all connections together may hold for their peers
    /// (handshake reassembly, early records, unread application data; each
    /// connection also has its own caps in [`Limits`]). Handshakes under way
    /// get at most half, so stalled handshakes cannot starve established
    /// connections, and a new client that passed the cookie evicts the
    /// oldest handshake when that half is nearly full. Input beyond the
    /// budget is dropped and counted as `BufferFull`. Default 64 MiB.
    pub peer_buffer_budget: usize,
    /// Most sessions kept for resumption by session ID (RFC 5246 7.3); the
    /// oldest is evicted first. 0 disables the cache (and session IDs).
    pub session_cache_capacity: usize,
    /// Most bytes the session cache holds (client certificate chains make
    /// entries large); the oldest entries are evicted first.
    pub session_cache_max_bytes: usize,
    /// How long after its full handshake a session may be resumed, by ID
    /// or by ticket.
    pub session_lifetime: Duration,
    /// Issue and accept session tickets (RFC 5077) when the client offers
    /// the extension.
    pub session_tickets: bool,
    /// Connection IDs (RFC 9146): with `Some(n)`, a client that offers the
    /// connection_id extension gets a random CID of `n` bytes (unique
    /// within the endpoint) to put in its records, which then reach its
    /// association whatever their source address, so it survives NAT
    /// rebinding. `Some(0)` takes the client's CID for our records but
    /// routes its records by address. `None` (the default) ignores the
    /// extension. At most 32 (mbedTLS's limit).
    pub connection_id_length: Option<u8>,
    /// The first byte of every CID this endpoint issues: its index among
    /// the endpoints (worker threads, nodes) that share one address. A
    /// `tls12_cid` datagram whose CID starts with another index is
    /// returned as [`DatagramEvent::ForeignConnectionId`] for the
    /// application to forward, so a client that moved reaches its
    /// association wherever its new address hashes (docs/scaling.md).
    /// Needs `connection_id_length` of at least 4.
    ///
    /// [`DatagramEvent::ForeignConnectionId`]: crate::DatagramEvent::ForeignConnectionId
    pub connection_id_prefix: Option<u8>,
    /// A secret shared with the other nodes of the service: cookie
    /// secrets and ticket keys are then derived from it per rotation
    /// period of the wall clock ([`unix_time`](Self::unix_time), required),
    /// so any node verifies another's cookies and resumes its tickets
    /// (docs/scaling.md). `None` (the default): random secrets of our own.
    pub shared_secret: Option<Arc<dtls_crypto::shared_secret::SharedSecret>>,
    /// Where sessions for resumption by session ID are kept, shared with
    /// other nodes (sealed under the ticket keys, so it needs
    /// `session_tickets`; see [`session_store`](crate::session_store)).
    /// `None` (the default): this endpoint's own in-memory cache.
    pub session_store: Option<Arc<dyn crate::session_store::SessionStore>>,
    /// How often the ticket key rotates; tickets sealed under the previous
    /// key are still accepted (so a ticket lives at most two periods, and
    /// never longer than `session_lifetime`).
    pub ticket_rotation: Duration,
}

impl ServerConfig {
    /// A server config presenting `identity`, with safe defaults for
    /// everything else.
    pub fn new(identity: Identity) -> Self {
        let mut config = ServerConfig::without_credentials();
        config.identities = vec![identity];
        config
    }

    /// A server config that authenticates with pre-shared keys only (no
    /// certificate), with safe defaults for everything else. Add
    /// [`identities`](Self::identities) to offer certificates too.
    pub fn with_psk(psk: ServerPsk) -> Self {
        let mut config = ServerConfig::without_credentials();
        config.psk = Some(psk);
        config
    }

    fn without_credentials() -> Self {
        ServerConfig {
            common: CommonConfig::default(),
            identities: Vec::new(),
            psk: None,
            unix_time: None,
            certificate_types: vec![CertificateType::X509],
            client_auth: ClientAuthMode::None,
            client_certificate_types: vec![CertificateType::X509],
            trusted_client_keys: Vec::new(),
            client_verifier: None,
            client_ca_names: Vec::new(),
            cookie_rotation: Duration::from_secs(300),
            cookie_lifetime: Duration::from_secs(60),
            accept_new: true,
            max_connections: 10_000,
            max_half_open: 1_000,
            max_half_open_per_source: 16,
            peer_buffer_budget: 64 * 1024 * 1024,
            session_cache_capacity: 10_000,
            session_cache_max_bytes: 32 * 1024 * 1024,
            session_lifetime: Duration::from_secs(2 * 60 * 60),
            session_tickets: true,
            connection_id_length: None,
            connection_id_prefix: None,
            shared_secret: None,
            session_store: None,
            ticket_rotation: Duration::from_secs(60 * 60),
        }
    }
}

/// Configuration of a client [`Connection`](crate::Connection).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Settings shared with servers.
    pub common: CommonConfig,
    /// A client certificate (or raw key) to present if the server asks.
    pub identity: Option<Identity>,
    /// The certificate types we can present if the server asks, in
    /// preference order (RFC 7250 section 4.1: the client_certificate_type
    /// extension, sent with an identity when this is not X.509 alone).
    /// Default X.509 only.
    pub client_certificate_types: Vec<CertificateType>,
    /// The certificate types we accept from the server, in preference
    /// order (the server_certificate_type extension, sent when this is not
    /// X.509 alone; RFC 7250 section 4.1). Default X.509 only.
    pub server_certificate_types: Vec<CertificateType>,
    /// Server raw public keys (DER SubjectPublicKeyInfo) we trust: a
    /// server that presents another raw key fails the handshake with
    /// bad_certificate (404). Empty means a raw key is NOT validated: for
    /// applications that pin it themselves from `Connected`.
    pub trusted_server_keys: Vec<Vec<u8>>,
    /// A pre-shared key: with it, the PSK and ECDHE_PSK suites of
    /// [`CommonConfig::cipher_suites`] are offered (RFC 4279, RFC 5489);
    /// without, they never are.
    pub psk: Option<ClientPsk>,
    /// The host name to send in server_name (RFC 6066 3), if any.
    pub server_name: Option<String>,
    /// Offer connection IDs (RFC 9146 3) asking the server to put this CID
    /// (0 to 255 bytes; empty: none) in its records; the server's answer
    /// gives the CID ours carry. `None` (the default) does not offer.
    pub connection_id: Option<Vec<u8>>,
    /// DER trust anchors to validate the server chain with (path to an
    /// anchor, validity at `unix_time`, serverAuth usage, and the
    /// `server_name` when set; RFC 5246 7.4.2, RFC 6125). A chain that fails
    /// ends the handshake with bad_certificate (404). Empty means the
    /// server certificate is NOT validated: for tests and for applications
    /// that pin the certificate themselves from `Connected`'s chain.
    pub trust_anchors: Vec<Vec<u8>>,
    /// Wall-clock source for the validity check; required when
    /// `trust_anchors` is set (the handshake fails closed without one).
    pub unix_time: Option<UnixTime>,
    /// Offer the extended master secret (RFC 7627 5.1). Default on; off
    /// only to test how servers treat old clients.
    pub offer_extended_master_secret: bool,
    /// Offer the session_ticket extension (RFC 5077 3.2), so the server
    /// may issue a ticket. Default on.
    pub session_tickets: bool,
    /// A session from an earlier connection to the same server
    /// ([`Connection::session`](crate::Connection::session)) to resume with
    /// an abbreviated handshake (RFC 5246 7.3, RFC 5077 3.4). It is offered
    /// only if its cipher suite is enabled and its server_name equals
    /// `server_name`; the server may still choose a full handshake.
    pub resume: Option<crate::conn::ClientSession>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            common: CommonConfig::default(),
            identity: None,
            client_certificate_types: vec![CertificateType::X509],
            server_certificate_types: vec![CertificateType::X509],
            trusted_server_keys: Vec::new(),
            psk: None,
            server_name: None,
            connection_id: None,
            trust_anchors: Vec::new(),
            unix_time: None,
            offer_extended_master_secret: true,
            session_tickets: true,
            resume: None,
        }
    }
}
