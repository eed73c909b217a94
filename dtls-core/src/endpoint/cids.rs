//! Connection IDs at the endpoint (RFC 9146): the CIDs it issues (random,
//! so unpredictable, and unique among its connections), `tls12_cid`
//! records routed by them whatever their source address, and the address
//! index following a peer that moved.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::{ConnectionHandle, Endpoint, EndpointSink, open_into};
use crate::msgs::record::ContentType;

/// Where a `tls12_cid` record's CID starts: after type, version, epoch and
/// sequence number (RFC 9146 4).
const CID_OFFSET: usize = 11;

/// The CIDs an endpoint has issued, by value.
#[derive(Debug, Default)]
pub(super) struct CidTable {
    by_cid: HashMap<Vec<u8>, ConnectionHandle>,
}

impl Endpoint {
    /// A fresh CID for `handle` of the configured length: random bytes,
    /// drawn again on the (negligible) chance they are in use. `None`
    /// when the server does not use CIDs, or the random source fails; an
    /// empty CID (length 0) is never indexed.
    pub(super) fn issue_cid(&mut self, handle: ConnectionHandle) -> Option<Vec<u8>> {
        let len = usize::from(self.config.connection_id_length?);
        if len == 0 {
            return Some(Vec::new());
        }
        for _ in 0..8 {
            let mut cid = vec![0u8; len];
            self.config.common.provider.fill_random(&mut cid).ok()?;
            if let (Some(prefix), Some(first)) = (self.config.connection_id_prefix, cid.first_mut())
            {
                *first = prefix;
            }
            if !self.cids.by_cid.contains_key(&cid) {
                self.cids.by_cid.insert(cid.clone(), handle);
                return Some(cid);
            }
        }
        None
    }

    /// The connection a `tls12_cid` datagram is for, by the CID of its
    /// first record; `None` for other datagrams, or when we issue no CIDs.
    pub(super) fn route_by_cid(&self, datagram: &[u8]) -> Option<CidRoute> {
        let len = usize::from(self.config.connection_id_length?);
        if len == 0 || datagram.first() != Some(&u8::from(ContentType::Tls12Cid)) {
            return None;
        }
        let cid = datagram.get(CID_OFFSET..CID_OFFSET + len);
        let owner = cid.and_then(|c| c.first().copied());
        if let (Some(ours), Some(owner)) = (self.config.connection_id_prefix, owner)
            && owner != ours
        {
            return Some(CidRoute::Foreign(owner));
        }
        Some(match cid.and_then(|cid| self.cids.by_cid.get(cid)) {
            Some(&handle) => CidRoute::To(handle),
            None => CidRoute::Unknown,
        })
    }

    /// Delivers a datagram routed by CID from `peer`, then re-indexes the
    /// connection's address if the datagram moved it (RFC 9146 6).
    pub(super) fn deliver_by_cid(
        &mut self,
        now: Instant,
        handle: ConnectionHandle,
        peer: SocketAddr,
        datagram: &mut [u8],
        mut sink: EndpointSink<'_, '_>,
    ) {
        if self.is_waiting(handle) {
            return;
        }
        let before = self.connections.get(handle).map(|c| c.peer());
        let _ = self.with_conn(handle, |conn| {
            open_into(conn, handle, now, Some(peer), datagram, &mut sink);
        });
        let after = self.connections.get(handle).map(|c| c.peer());
        if let (Some(before), Some(after)) = (before, after)
            && before != after
        {
            self.forget_address(before, handle);
            // Another association may hold the new address; this one stays
            // reachable by its CID.
            self.by_addr.entry(after).or_insert(handle);
        }
    }

    /// The CID of `handle` is free again.
    pub(super) fn forget_cid(&mut self, handle: ConnectionHandle, cid: &[u8]) {
        if self.cids.by_cid.get(cid) == Some(&handle) {
            self.cids.by_cid.remove(cid);
        }
    }
}

/// Where a `tls12_cid` datagram goes.
pub(super) enum CidRoute {
    /// The connection that issued the CID.
    To(ConnectionHandle),
    /// Another endpoint's CID (its prefix): the application forwards it.
    Foreign(u8),
    /// No connection: dropped.
    Unknown,
}
