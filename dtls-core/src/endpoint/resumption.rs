//! What the endpoint keeps across its connections for resumption: the
//! session cache (RFC 5246 7.3) and the session-ticket keys (RFC 5077).

use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_crypto::CryptoProvider;
use dtls_crypto::shared_secret::SharedSecret;
use dtls_crypto::ticket::TicketKeys;

use super::rotation::{RotationClock, period_index};
use crate::config::ServerConfig;
use crate::conn::session::{ServerResumption, SessionCache, StoredSession};
use crate::error::Error;
use crate::session_store::SessionStore;

/// The endpoint's resumption state.
pub(super) struct Resumption {
    /// Sessions for resumption by ID (RFC 5246 7.3).
    sessions: SessionCache,
    /// Ticket keys (RFC 5077), shared read-only with new connections and
    /// replaced (not mutated) on rotation.
    tickets: Option<Arc<TicketKeys>>,
    ticket_rotation: RotationClock,
    /// Time origin of session times: the first datagram's `now`, and the
    /// session time then.
    epoch: Option<(Instant, u64)>,
    /// With a shared secret: the rotation period the ticket keys are of.
    shared_period: Option<u64>,
    /// A store shared with other endpoints, instead of `sessions`.
    store: Option<Arc<dyn SessionStore>>,
}

impl Resumption {
    /// An empty cache and, if the config enables tickets, a fresh ticket
    /// key.
    ///
    /// # Errors
    /// Fails if the random source cannot produce a ticket key.
    pub(super) fn new(config: &ServerConfig) -> Result<Self, Error> {
        let tickets = if config.session_tickets {
            Some(Arc::new(TicketKeys::new(&config.common.provider)?))
        } else {
            None
        };
        Ok(Resumption {
            sessions: SessionCache::new(
                config.session_cache_capacity,
                config.session_cache_max_bytes,
            ),
            tickets,
            ticket_rotation: RotationClock::default(),
            epoch: None,
            shared_period: None,
            store: config.session_store.clone(),
        })
    }

    /// Follows a new configuration: ticket keys made or dropped as
    /// `session_tickets` says (kept if still on), the cache re-capped.
    pub(super) fn reconfigure(&mut self, config: &ServerConfig) -> Result<(), Error> {
        match (config.session_tickets, &self.tickets) {
            (true, None) => {
                self.tickets = Some(Arc::new(TicketKeys::new(&config.common.provider)?));
                self.shared_period = None;
            }
            (false, Some(_)) => self.tickets = None,
            _ => {}
        }
        self.sessions.set_limits(
            config.session_cache_capacity,
            config.session_cache_max_bytes,
        );
        self.store = config.session_store.clone();
        Ok(())
    }

    /// Number of cached sessions.
    pub(super) fn cache_len(&self) -> usize {
        self.sessions.len()
    }

    /// Starts the session clock on the first datagram (`origin`: its
    /// instant and session time) and rotates the ticket key every
    /// `period`; with a `shared` secret, the keys are those of the period
    /// `secs` falls in, as every node sharing it derives them.
    pub(super) fn on_datagram(
        &mut self,
        now: Instant,
        origin: (Instant, u64),
        secs: u64,
        period: Duration,
        shared: Option<(&SharedSecret, &CryptoProvider)>,
    ) {
        self.epoch.get_or_insert(origin);
        if let Some((shared, provider)) = shared {
            let index = period_index(secs, period);
            if self.tickets.is_some() && self.shared_period != Some(index) {
                self.tickets = Some(Arc::new(shared.ticket_keys(index, provider)));
                self.shared_period = Some(index);
            }
            return;
        }
        for _ in 0..self.ticket_rotation.due(now, period) {
            self.rotate_ticket_keys();
        }
    }

    /// New tickets use a new key; the previous key still opens tickets.
    pub(super) fn rotate_ticket_keys(&mut self) {
        if let Some(keys) = &self.tickets {
            let mut next = TicketKeys::clone(keys);
            // A failed rotation keeps the current key: still safe.
            if next.rotate().is_ok() {
                self.tickets = Some(Arc::new(next));
            }
        }
    }

    /// What a new server connection needs for resumption: the ticket keys
    /// and the cached session its ClientHello names, if fresh. Called only
    /// once a cookie proved the peer's address.
    pub(super) fn for_new_connection(
        &mut self,
        now: Instant,
        session_id: &[u8],
        lifetime: Duration,
    ) -> ServerResumption {
        let (epoch, base_secs) = *self.epoch.get_or_insert((now, 0));
        let lifetime_secs = lifetime.as_secs();
        let now_secs = base_secs.saturating_add(now.saturating_duration_since(epoch).as_secs());
        let candidate = match &self.store {
            _ if session_id.is_empty() => None,
            None => self.sessions.get(session_id, now_secs, lifetime_secs),
            // A blob that does not open (another service's, a rotated-out
            // key, a store gone wrong) is no session.
            Some(store) => store
                .get(session_id)
                .and_then(|sealed| self.tickets.as_ref()?.open(&sealed))
                .and_then(|state| StoredSession::decode_ticket_state(&state))
                .map(|mut session| {
                    session.id = session_id.to_vec();
                    session
                })
                .filter(|s| s.is_fresh(now_secs, lifetime_secs)),
        };
        ServerResumption {
            tickets: self.tickets.clone(),
            epoch,
            base_secs,
            lifetime_secs,
            candidate,
            cache_enabled: self.store.is_some() || self.sessions.enabled(),
            new_session: None,
        }
    }

    /// Caches a session a full handshake made.
    pub(super) fn store(&mut self, session: StoredSession) {
        match (&self.store, &self.tickets) {
            (Some(store), Some(keys)) => {
                // As for tickets: a session too big (a huge client chain)
                // is not kept.
                let state = session.encode_ticket_state();
                if state.len() <= 16 * 1024
                    && let Ok(sealed) = keys.seal(&state)
                {
                    store.put(&session.id, sealed);
                }
            }
            _ => self.sessions.insert(session),
        }
    }
}
