//! Sessions kept for resumption: the abbreviated handshake of RFC 5246
//! 7.3 (by session ID, from the server's cache) and RFC 5077 session
//! tickets (the state sealed by the server and held by the client).
//!
//! - `SessionCache` (server, owned by the [`Endpoint`](crate::Endpoint)):
//!   bounded by entry count and total bytes, oldest evicted first, entries
//!   expire after the configured lifetime.
//! - `StoredSession` (server): what a resumed handshake needs; also the
//!   plaintext of a ticket.
//! - [`ClientSession`] (client): what the application keeps from
//!   [`Connection::session`](crate::Connection::session) and passes in
//!   [`ClientConfig::resume`](crate::config::ClientConfig::resume).
//!
//! Session times are whole seconds since the endpoint's first datagram
//! (its "epoch"): `dtls-core` never reads a clock, and an `Instant` cannot
//! go into a ticket.

use std::collections::{HashMap, VecDeque};

use dtls_crypto::CipherSuite;
use dtls_crypto::prf::MasterSecret;

use crate::msgs::codec::Reader;
use crate::msgs::extensions::CertificateType;
use crate::msgs::messages::{CertificatePayload, NewSessionTicket};

/// Version byte of our ticket plaintext encoding.
const TICKET_FORMAT: u8 = 3;

/// The server's record of a session (RFC 5246 7.3: "session identifier,
/// peer certificate, cipher spec, master secret").
#[derive(Clone)]
pub(crate) struct StoredSession {
    /// The session ID the server assigned (empty for ticket-only sessions).
    pub id: Vec<u8>,
    pub suite: CipherSuite,
    pub master: MasterSecret,
    /// Whether the master secret is an extended one (RFC 7627 5.3).
    pub extended_master_secret: bool,
    /// The client's certificate chain or raw public key, if it
    /// authenticated with one.
    pub peer_certificate: CertificatePayload,
    /// The client's PSK identity, for a PSK suite (RFC 4279 section 2).
    pub psk_identity: Option<Vec<u8>>,
    /// The SNI of the original handshake (RFC 6066 3).
    pub server_name: Option<String>,
    /// When the full handshake completed, in seconds since the endpoint's
    /// epoch.
    pub created_secs: u64,
}

impl StoredSession {
    /// Bytes this session holds (for the cache's byte cap).
    fn footprint(&self) -> usize {
        128 + self.id.len()
            + self.peer_certificate.byte_len()
            + self.server_name.as_ref().map_or(0, String::len)
            + self.psk_identity.as_ref().map_or(0, Vec::len)
    }

    /// Whether the session is still usable at `now_secs`.
    pub fn is_fresh(&self, now_secs: u64, lifetime_secs: u64) -> bool {
        now_secs.saturating_sub(self.created_secs) < lifetime_secs
    }

    /// The ticket plaintext: format, suite, master secret, EMS flag,
    /// creation time, SNI, the client's certificate type (RFC 7250) and
    /// chain (one entry: the raw public key) and the PSK identity (a
    /// presence byte, then a 16-bit length). The session ID is not
    /// included (the client echoes its own, RFC 5077 3.4).
    pub fn encode_ticket_state(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.footprint());
        out.push(TICKET_FORMAT);
        out.extend_from_slice(&self.suite.id().to_be_bytes());
        out.extend_from_slice(self.master.as_bytes());
        out.push(u8::from(self.extended_master_secret));
        out.extend_from_slice(&self.created_secs.to_be_bytes());
        let name = self.server_name.as_deref().unwrap_or("").as_bytes();
        let name = name.get(..name.len().min(255)).unwrap_or(&[]);
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        out.push(u8::from(self.peer_certificate.certificate_type()));
        let entries = match &self.peer_certificate {
            CertificatePayload::Chain(chain) => chain.as_slice(),
            CertificatePayload::RawPublicKey(spki) => std::slice::from_ref(spki),
        };
        let count = entries.len().min(255);
        out.push(count as u8);
        for cert in entries.iter().take(count) {
            let len = cert.len().min(0xFF_FFFF) as u32;
            out.extend_from_slice(&len.to_be_bytes()[1..]);
            out.extend_from_slice(cert.get(..len as usize).unwrap_or(&[]));
        }
        match &self.psk_identity {
            Some(identity) => {
                let identity = identity.get(..identity.len().min(0xFFFF)).unwrap_or(&[]);
                out.push(1);
                out.extend_from_slice(&(identity.len() as u16).to_be_bytes());
                out.extend_from_slice(identity);
            }
            None => out.push(0),
        }
        out
    }

    /// Decodes a ticket plaintext made by
    /// [`encode_ticket_state`](Self::encode_ticket_state). It was
    /// authenticated by the ticket key, but is parsed defensively anyway.
    pub fn decode_ticket_state(bytes: &[u8]) -> Option<StoredSession> {
        let mut r = Reader::new(bytes);
        if r.u8()? != TICKET_FORMAT {
            return None;
        }
        let suite = CipherSuite::from_id(r.u16()?)?;
        let master = MasterSecret::from_bytes(r.array()?);
        let extended_master_secret = r.u8()? == 1;
        let created_secs = r.u64()?;
        let name_len = usize::from(r.u8()?);
        let name = r.take(name_len)?;
        let server_name = (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned());
        let typ = CertificateType::from(r.u8()?);
        let count = r.u8()?;
        let mut entries = Vec::new();
        for _ in 0..count {
            let len = r.u24()? as usize;
            entries.push(r.take(len)?.to_vec());
        }
        let peer_certificate = match typ {
            CertificateType::X509 => CertificatePayload::Chain(entries),
            CertificateType::RawPublicKey if entries.len() == 1 => {
                CertificatePayload::RawPublicKey(entries.pop()?)
            }
            _ => return None,
        };
        let psk_identity = match r.u8()? {
            0 => None,
            1 => {
                let len = usize::from(r.u16()?);
                Some(r.take(len)?.to_vec())
            }
            _ => return None,
        };
        if !r.is_empty() {
            return None;
        }
        Some(StoredSession {
            id: Vec::new(),
            suite,
            master,
            extended_master_secret,
            peer_certificate,
            psk_identity,
            server_name,
            created_secs,
        })
    }
}

/// The server's session cache, keyed by session ID (RFC 5246 7.3). Bounded
/// by `capacity` entries and `max_bytes`; the oldest entries go first.
pub(crate) struct SessionCache {
    map: HashMap<Vec<u8>, StoredSession>,
    /// Insertion order, for eviction (IDs already removed are skipped).
    order: VecDeque<Vec<u8>>,
    bytes: usize,
    capacity: usize,
    max_bytes: usize,
}

impl SessionCache {
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        SessionCache {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            capacity,
            max_bytes,
        }
    }

    /// Whether the cache stores anything at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0 && self.max_bytes > 0
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Changes the caps, evicting the oldest sessions until the cache fits.
    pub fn set_limits(&mut self, capacity: usize, max_bytes: usize) {
        self.capacity = capacity;
        self.max_bytes = max_bytes;
        while !self.map.is_empty() && (self.map.len() > capacity || self.bytes > max_bytes) {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.remove(&oldest);
        }
        if !self.enabled() {
            self.map.clear();
            self.order.clear();
            self.bytes = 0;
        }
    }

    /// Adds a session, evicting the oldest ones to stay within the caps.
    pub fn insert(&mut self, session: StoredSession) {
        let size = session.footprint();
        if !self.enabled() || session.id.is_empty() || size > self.max_bytes {
            return;
        }
        while self.map.len() >= self.capacity || self.bytes + size > self.max_bytes {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.remove(&oldest);
        }
        self.bytes += size;
        self.order.push_back(session.id.clone());
        if let Some(old) = self.map.insert(session.id.clone(), session) {
            self.bytes = self.bytes.saturating_sub(old.footprint());
        }
        // Keep the order queue from growing without bound with stale IDs.
        if self.order.len() > self.map.len().saturating_mul(2) + 16 {
            let map = &self.map;
            self.order.retain(|id| map.contains_key(id));
        }
    }

    fn remove(&mut self, id: &[u8]) {
        if let Some(old) = self.map.remove(id) {
            self.bytes = self.bytes.saturating_sub(old.footprint());
        }
    }

    /// The session with this ID if it is still fresh; an expired one is
    /// dropped.
    pub fn get(&mut self, id: &[u8], now_secs: u64, lifetime_secs: u64) -> Option<StoredSession> {
        let fresh = self.map.get(id)?.is_fresh(now_secs, lifetime_secs);
        if !fresh {
            self.remove(id);
            return None;
        }
        self.map.get(id).cloned()
    }
}

/// A session the client can resume (RFC 5246 7.3, RFC 5077 3.4): take it
/// from [`Connection::session`](crate::Connection::session) after
/// `Connected`, and put it in
/// [`ClientConfig::resume`](crate::config::ClientConfig::resume) of a
/// later connection to the same server. It holds the master secret: keep
/// it as carefully as a key.
#[derive(Clone)]
pub struct ClientSession {
    pub(crate) session_id: Vec<u8>,
    pub(crate) ticket: Option<Vec<u8>>,
    pub(crate) suite: CipherSuite,
    pub(crate) master: MasterSecret,
    pub(crate) extended_master_secret: bool,
    pub(crate) peer_certificate: CertificatePayload,
    pub(crate) psk_identity: Option<Vec<u8>>,
    pub(crate) server_name: Option<String>,
}

impl ClientSession {
    /// The session ID the server assigned (empty if it only gave a ticket).
    pub fn session_id(&self) -> &[u8] {
        &self.session_id
    }

    /// Whether the server issued a ticket (RFC 5077 3.3).
    pub fn has_ticket(&self) -> bool {
        self.ticket.is_some()
    }

    /// The session's cipher suite; a resumption uses it again
    /// (RFC 5246 7.4.1.3).
    pub fn cipher_suite(&self) -> CipherSuite {
        self.suite
    }

    /// The server_name the session was made for (RFC 6066 3): it is only
    /// offered to a connection with the same name.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The server's certificate chain from the full handshake (empty when
    /// it presented a raw public key).
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        self.peer_certificate.chain()
    }

    /// The server's raw public key from the full handshake (RFC 7250), if
    /// it presented one.
    pub fn peer_raw_public_key(&self) -> Option<&[u8]> {
        self.peer_certificate.raw_public_key()
    }

    /// The PSK identity the full handshake used, for a PSK suite.
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// A copy without the session ID, so that only the ticket can resume
    /// it (tests of ticket resumption, RFC 5077 3.4).
    pub fn ticket_only(&self) -> ClientSession {
        ClientSession {
            session_id: Vec::new(),
            ..self.clone()
        }
    }

    /// A copy without the ticket, so that only the session ID can resume
    /// it.
    pub fn id_only(&self) -> ClientSession {
        ClientSession {
            ticket: None,
            ..self.clone()
        }
    }

    /// A copy whose ticket has one byte flipped (tests of tampered
    /// tickets).
    #[doc(hidden)]
    pub fn with_tampered_ticket(&self) -> ClientSession {
        let mut s = self.clone();
        if let Some(t) = s.ticket.as_mut()
            && let Some(b) = t.last_mut()
        {
            *b ^= 1;
        }
        s
    }
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("session_id_len", &self.session_id.len())
            .field("has_ticket", &self.ticket.is_some())
            .field("suite", &self.suite)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// What a server connection needs for resumption, handed over by the
/// [`Endpoint`](crate::Endpoint) when it creates the connection (after the
/// cookie proved the peer's address, so nothing is looked up or allocated
/// for unproven peers).
///
/// Lookup by session ID happens in the endpoint: the ID sits in the
/// ClientHello prefix the endpoint parses anyway, and the cache stays owned
/// by the endpoint (no locks: `dtls-core` has no threads). Tickets are in
/// the extensions, possibly in a later fragment, so the connection opens
/// them itself with a shared read-only snapshot of the ticket keys. New
/// sessions go back through `new_session`, drained by the endpoint.
pub(crate) struct ServerResumption {
    /// Ticket keys, if tickets are enabled.
    pub tickets: Option<std::sync::Arc<dtls_crypto::ticket::TicketKeys>>,
    /// The endpoint's time origin for session times.
    pub epoch: std::time::Instant,
    /// Session time at `epoch`: 0, or the Unix time with a shared secret
    /// (so every node reads a ticket's age alike).
    pub base_secs: u64,
    pub lifetime_secs: u64,
    /// The cached session named by the ClientHello's session_id, if fresh.
    pub candidate: Option<StoredSession>,
    /// Whether to assign session IDs (the cache is on).
    pub cache_enabled: bool,
    /// A session made by a full handshake, for the endpoint's cache.
    pub new_session: Option<StoredSession>,
}

/// Largest ticket plaintext we seal; a bigger session (a huge client
/// chain) gets an empty ticket (RFC 5077 3.3 allows it).
const MAX_TICKET_STATE: usize = 16 * 1024;

impl ServerResumption {
    /// Session time at `now`: seconds since the endpoint's epoch, plus
    /// its base.
    pub fn secs(&self, now: std::time::Instant) -> u64 {
        self.base_secs
            .saturating_add(now.saturating_duration_since(self.epoch).as_secs())
    }

    /// The NewSessionTicket for `session` (RFC 5077 3.3): its state sealed
    /// with the current ticket key, or an empty ticket if that fails.
    pub fn seal_ticket(&self, session: &StoredSession) -> NewSessionTicket {
        let state = session.encode_ticket_state();
        let ticket = match &self.tickets {
            Some(keys) if state.len() <= MAX_TICKET_STATE => keys.seal(&state).unwrap_or_default(),
            _ => Vec::new(),
        };
        NewSessionTicket {
            ticket_lifetime_hint: u32::try_from(self.lifetime_secs).unwrap_or(u32::MAX),
            ticket,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn session(id: u8, certs: usize) -> StoredSession {
        StoredSession {
            id: vec![id; 32],
            suite: CipherSuite::ALL[0],
            master: MasterSecret::from_bytes([id; 48]),
            extended_master_secret: true,
            peer_certificate: CertificatePayload::Chain(vec![vec![id; certs]]),
            psk_identity: (id % 2 == 1).then(|| vec![id; 5]),
            server_name: Some("a.example".into()),
            created_secs: u64::from(id),
        }
    }

    #[test]
    fn ticket_state_keeps_a_raw_public_key() {
        let mut s = session(4, 0);
        s.peer_certificate = CertificatePayload::RawPublicKey(vec![0x30; 91]);
        let d = StoredSession::decode_ticket_state(&s.encode_ticket_state()).unwrap();
        assert_eq!(d.peer_certificate, s.peer_certificate);
    }

    #[test]
    fn ticket_state_round_trip_and_rejects_garbage() {
        let s = session(3, 100);
        let enc = s.encode_ticket_state();
        let d = StoredSession::decode_ticket_state(&enc).unwrap();
        assert_eq!(d.suite, s.suite);
        assert_eq!(d.master, s.master);
        assert_eq!(d.peer_certificate, s.peer_certificate);
        assert_eq!(d.psk_identity, s.psk_identity);
        assert_eq!(d.server_name, s.server_name);
        assert_eq!(d.created_secs, 3);
        for n in 0..enc.len() {
            assert!(StoredSession::decode_ticket_state(&enc[..n]).is_none());
        }
        let mut longer = enc.clone();
        longer.push(0);
        assert!(StoredSession::decode_ticket_state(&longer).is_none());
    }

    #[test]
    fn cache_evicts_oldest_and_expires() {
        let mut cache = SessionCache::new(2, 1 << 20);
        cache.insert(session(1, 10));
        cache.insert(session(2, 10));
        cache.insert(session(3, 10));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[1; 32], 3, 100).is_none());
        assert!(cache.get(&[2; 32], 3, 100).is_some());
        assert!(cache.get(&[3; 32], 200, 100).is_none(), "expired");
        assert_eq!(cache.len(), 1);
        // The byte cap evicts too.
        let mut cache = SessionCache::new(100, 1000);
        cache.insert(session(1, 500));
        cache.insert(session(2, 500));
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&[2; 32], 2, 100).is_some());
        cache.insert(session(3, 5000));
        assert!(cache.get(&[3; 32], 3, 100).is_none(), "larger than the cap");
        assert!(SessionCache::new(0, 1000).get(&[1; 32], 0, 1).is_none());
    }
}
