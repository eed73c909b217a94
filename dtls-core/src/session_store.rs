//! A session store several endpoints share, so a client resumes by session
//! ID (RFC 5246 7.3) at any node, not only the one that made its session.
//! Without one, each endpoint keeps its own in-memory cache
//! (`ServerConfig::session_cache_capacity`).
//!
//! The store only ever sees opaque blobs: each session's state (master
//! secret included) is sealed under the endpoint's ticket keys (RFC 5077's
//! AEAD, `dtls_crypto::ticket`), which nodes agree on through a shared
//! secret (`ServerConfig::shared_secret`). A store that leaks gives nothing
//! away; a blob whose key has rotated out no longer opens, so entries live
//! at most two ticket rotation periods whatever the store keeps.
//!
//! ```
//! use std::sync::Arc;
//! use dtls_core::session_store::{MemorySessionStore, SessionStore};
//!
//! let store: Arc<dyn SessionStore> = Arc::new(MemorySessionStore::new(10_000));
//! // Give the same store (a client of Redis, memcached...) to every node:
//! // config.session_store = Some(store.clone());
//! # let _ = store;
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Where sessions are kept for resumption by session ID, by several
/// endpoints at once. Implementations must be quick (the endpoint calls
/// them on its event loop: once per full handshake and once per hello that
/// names a session) and may forget entries whenever they like.
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    /// Keeps `sealed` (an opaque blob, at most a few KiB) under
    /// `session_id` (1 to 32 bytes).
    fn put(&self, session_id: &[u8], sealed: Vec<u8>);
    /// The blob kept under `session_id`, if any.
    fn get(&self, session_id: &[u8]) -> Option<Vec<u8>>;
}

/// A [`SessionStore`] in memory, shared between the endpoints of one
/// process (worker threads); the oldest entries go beyond `capacity`.
#[derive(Debug)]
pub struct MemorySessionStore {
    inner: Mutex<Entries>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Vec<u8>, Vec<u8>>,
    order: VecDeque<Vec<u8>>,
}

impl MemorySessionStore {
    /// A store of at most `capacity` sessions.
    pub fn new(capacity: usize) -> Self {
        MemorySessionStore {
            inner: Mutex::new(Entries::default()),
            capacity,
        }
    }

    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |e| e.map.len())
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SessionStore for MemorySessionStore {
    fn put(&self, session_id: &[u8], sealed: Vec<u8>) {
        let Ok(mut e) = self.inner.lock() else {
            return;
        };
        if e.map.insert(session_id.to_vec(), sealed).is_none() {
            e.order.push_back(session_id.to_vec());
        }
        while e.map.len() > self.capacity {
            let Some(oldest) = e.order.pop_front() else {
                break;
            };
            e.map.remove(&oldest);
        }
    }

    fn get(&self, session_id: &[u8]) -> Option<Vec<u8>> {
        self.inner.lock().ok()?.map.get(session_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_up_to_its_capacity() {
        let store = MemorySessionStore::new(2);
        store.put(b"a", vec![1]);
        store.put(b"b", vec![2]);
        store.put(b"a", vec![3]);
        assert_eq!(store.get(b"a"), Some(vec![3]));
        store.put(b"c", vec![4]);
        assert_eq!(store.len(), 2);
        assert_eq!(store.get(b"a"), None, "the oldest went first");
        assert_eq!(store.get(b"c"), Some(vec![4]));
    }
}
