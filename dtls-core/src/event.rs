//! What a connection reports to the application: events, status codes and
//! counters.

use std::fmt;

/// The status codes of the seed's error table, used by `Connected`,
/// `Disconnected` and `Error` events. `0` is success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum StatusCode {
    /// 0: no error ("OK").
    Ok = 0,
    /// 400: an invalid datagram was received.
    InvalidDatagram = 400,
    /// 401: the peer broke the DTLS message flow.
    InvalidFlow = 401,
    /// 402: the peer asked for something this implementation does not support.
    NotSupported = 402,
    /// 403: the handshake failed (negotiation, verification, timeout).
    HandshakeError = 403,
    /// 404: a certificate was invalid or rejected.
    InvalidCertificate = 404,
    /// 405: a fatal alert was sent or received.
    FatalAlert = 405,
}

impl StatusCode {
    /// The numeric code as the seed reports it.
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// The seed's one-line meaning of the code.
    pub const fn meaning(self) -> &'static str {
        match self {
            StatusCode::Ok => "OK",
            StatusCode::InvalidDatagram => "Invalid datagram received",
            StatusCode::InvalidFlow => "Invalid DTLS flow",
            StatusCode::NotSupported => "Not supported",
            StatusCode::HandshakeError => "DTLS handshake error",
            StatusCode::InvalidCertificate => "Invalid certificate provided",
            StatusCode::FatalAlert => "Fatal alert",
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.meaning())
    }
}

/// Why a connection ended or failed: a status code and a human description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The seed's status code.
    pub code: StatusCode,
    /// What happened, in words (e.g. "received fatal alert: bad_certificate").
    pub description: String,
}

impl Status {
    /// The success status: code 0, "OK".
    pub fn ok() -> Self {
        Status {
            code: StatusCode::Ok,
            description: "OK".to_owned(),
        }
    }

    /// A status with this code and description.
    pub fn new(code: StatusCode, description: impl Into<String>) -> Self {
        Status {
            code,
            description: description.into(),
        }
    }

    /// Whether this is the success status.
    pub fn is_ok(&self) -> bool {
        self.code == StatusCode::Ok
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.description)
    }
}

/// What was negotiated, available once the handshake completes (the seed's
/// `SSLNegotiated*` settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedParams {
    /// Always "DTLS 1.2".
    pub version: &'static str,
    /// The cipher suite.
    pub cipher_suite: dtls_crypto::CipherSuite,
    /// The ECDHE group used (`None` for an abbreviated handshake, which
    /// reuses the original session's secret, and for plain PSK).
    pub group: Option<dtls_crypto::kx::NamedGroup>,
    /// The signature scheme the server used (`None` when resumed, and for
    /// the PSK suites, which sign nothing).
    pub signature_scheme: Option<dtls_crypto::sign::SignatureScheme>,
    /// Whether the session was resumed (abbreviated handshake).
    pub resumed: bool,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// The ALPN protocol agreed (RFC 7301), if any.
    pub alpn_protocol: Option<Vec<u8>>,
    /// The host name the client asked for (RFC 6066 server_name), if any.
    pub server_name: Option<String>,
    /// The peer's certificate chain (DER, end-entity first), if it sent one.
    pub peer_certificates: Vec<Vec<u8>>,
    /// The peer's raw public key (a DER SubjectPublicKeyInfo, RFC 7250), if
    /// it presented one instead of a chain; compare it with the key you
    /// expect to pin it.
    pub peer_raw_public_key: Option<Vec<u8>>,
    /// The PSK identity the client used (RFC 4279 section 2), for the PSK
    /// and ECDHE_PSK suites; a resumed session keeps its original one.
    pub psk_identity: Option<Vec<u8>>,
}

/// What a full handshake's key exchange used, for [`NegotiatedParams`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyExchangeUsed {
    /// The ECDHE group (none for plain PSK).
    pub(crate) group: Option<dtls_crypto::kx::NamedGroup>,
    /// The server's signature scheme (none for the PSK suites).
    pub(crate) scheme: Option<dtls_crypto::sign::SignatureScheme>,
}

impl NegotiatedParams {
    /// What a DTLS 1.2 handshake settled. `key_exchange` is what a full
    /// handshake's key exchange used; `None` means the session was resumed
    /// (RFC 5246 7.3).
    pub(crate) fn dtls12(
        cipher_suite: dtls_crypto::CipherSuite,
        key_exchange: Option<KeyExchangeUsed>,
        extended_master_secret: bool,
        alpn_protocol: Option<Vec<u8>>,
        server_name: Option<String>,
        peer_certificate: crate::msgs::messages::CertificatePayload,
        psk_identity: Option<Vec<u8>>,
    ) -> Self {
        use crate::msgs::messages::CertificatePayload;
        let (peer_certificates, peer_raw_public_key) = match peer_certificate {
            CertificatePayload::Chain(chain) => (chain, None),
            CertificatePayload::RawPublicKey(spki) => (Vec::new(), Some(spki)),
        };
        NegotiatedParams {
            version: "DTLS 1.2",
            cipher_suite,
            group: key_exchange.and_then(|k| k.group),
            signature_scheme: key_exchange.and_then(|k| k.scheme),
            resumed: key_exchange.is_none(),
            extended_master_secret,
            alpn_protocol,
            server_name,
            peer_certificates,
            peer_raw_public_key,
            psk_identity,
        }
    }
}

/// An event from a [`Connection`](crate::Connection), drained with
/// `poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Progress of the handshake, in words (the seed's `SSLStatus` event).
    HandshakeProgress(String),
    /// The client presented a certificate chain; the application must call
    /// `Connection::decide_client_certificate` (the seed's
    /// `SSLClientAuthentication` event). `status` is "OK" or what is wrong
    /// with the chain; `verified` tells whether chain validation passed.
    ClientCertificate {
        /// DER certificates, end-entity first; empty when the client
        /// presented a raw public key.
        chain: Vec<Vec<u8>>,
        /// The client's raw public key (a DER SubjectPublicKeyInfo,
        /// RFC 7250), when it presented one instead of a chain.
        raw_public_key: Option<Vec<u8>>,
        /// "OK", or a description of every problem found.
        status: String,
        /// Whether the chain validated against the configured CAs and
        /// flags, or the raw key is one of the trusted client keys.
        verified: bool,
    },
    /// The peer's address changed (RFC 9146 6): a record carrying our
    /// connection ID, newer than any before, authenticated from
    /// `current`. Datagrams now go there, at most three bytes per byte
    /// received until the peer proves the address.
    PeerAddressChanged {
        /// Where the peer was.
        previous: std::net::SocketAddr,
        /// Where it is now.
        current: std::net::SocketAddr,
    },
    /// The handshake completed: application data can flow.
    Connected(Box<NegotiatedParams>),
    /// The handshake failed; the connection is closed.
    HandshakeFailed(Status),
    /// Application data is ready to be read with `Connection::recv`.
    DataReadable,
    /// The connection is closed (close_notify, fatal alert, idle timeout,
    /// dead peer, or a local close). `status` is OK for an orderly close.
    Closed(Status),
}

/// Why a record or datagram was dropped without answering (RFC 6347 4.1.2.7:
/// invalid records are silently discarded). Counted in [`Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The record header or a message could not be decoded.
    Malformed,
    /// The record failed authentication (bad MAC/tag).
    BadMac,
    /// The record's sequence number was seen before or is too old.
    Replayed,
    /// The record belongs to an epoch we do not (or no longer) read.
    WrongEpoch,
    /// The record was valid but not expected in the current state.
    Unexpected,
    /// A buffer cap was reached (future-epoch records, paused data,
    /// handshake reassembly).
    BufferFull,
    /// A heartbeat message that broke a rule of RFC 6520 or our limits.
    BadHeartbeat,
}

/// Counters of what a connection dropped, by reason. Cheap to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records or datagrams that could not be decoded.
    pub malformed: u64,
    /// Records that failed authentication.
    pub bad_mac: u64,
    /// Replayed or too-old records.
    pub replayed: u64,
    /// Records of an epoch we do not read.
    pub wrong_epoch: u64,
    /// Valid records not expected in the current state.
    pub unexpected: u64,
    /// Records dropped because a buffer cap was reached.
    pub buffer_full: u64,
    /// Heartbeat messages discarded.
    pub bad_heartbeat: u64,
    /// Application records received and delivered.
    pub records_in: u64,
    /// Records of any type that decrypted and verified under a protected
    /// epoch: the ones only the peer could have sent.
    pub authenticated: u64,
    /// Application records sent.
    pub records_out: u64,
    /// Flights retransmitted.
    pub retransmissions: u64,
    /// HeartbeatRequests we sent (RFC 6520).
    pub heartbeat_requests_sent: u64,
    /// HeartbeatResponses we sent, answering the peer.
    pub heartbeat_responses_sent: u64,
    /// HeartbeatResponses from the peer that matched our request.
    pub heartbeat_responses_received: u64,
}

impl Counters {
    /// Counts one dropped record.
    pub fn count(&mut self, reason: DropReason) {
        let slot = match reason {
            DropReason::Malformed => &mut self.malformed,
            DropReason::BadMac => &mut self.bad_mac,
            DropReason::Replayed => &mut self.replayed,
            DropReason::WrongEpoch => &mut self.wrong_epoch,
            DropReason::Unexpected => &mut self.unexpected,
            DropReason::BufferFull => &mut self.buffer_full,
            DropReason::BadHeartbeat => &mut self.bad_heartbeat,
        };
        *slot = slot.saturating_add(1);
    }

    /// Adds `other`'s counts to these (for totals across connections).
    pub fn add(&mut self, other: &Counters) {
        let Counters {
            malformed,
            bad_mac,
            replayed,
            wrong_epoch,
            unexpected,
            buffer_full,
            bad_heartbeat,
            records_in,
            authenticated,
            records_out,
            retransmissions,
            heartbeat_requests_sent,
            heartbeat_responses_sent,
            heartbeat_responses_received,
        } = *other;
        for (total, n) in [
            (&mut self.malformed, malformed),
            (&mut self.bad_mac, bad_mac),
            (&mut self.replayed, replayed),
            (&mut self.wrong_epoch, wrong_epoch),
            (&mut self.unexpected, unexpected),
            (&mut self.buffer_full, buffer_full),
            (&mut self.bad_heartbeat, bad_heartbeat),
            (&mut self.records_in, records_in),
            (&mut self.authenticated, authenticated),
            (&mut self.records_out, records_out),
            (&mut self.retransmissions, retransmissions),
            (&mut self.heartbeat_requests_sent, heartbeat_requests_sent),
            (&mut self.heartbeat_responses_sent, heartbeat_responses_sent),
            (
                &mut self.heartbeat_responses_received,
                heartbeat_responses_received,
            ),
        ] {
            *total = total.saturating_add(n);
        }
    }

    /// Total records dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.malformed
            + self.bad_mac
            + self.replayed
            + self.wrong_epoch
            + self.unexpected
            + self.buffer_full
            + self.bad_heartbeat
    }
}
