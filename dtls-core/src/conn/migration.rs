//! A peer moving to a new address under a connection ID (RFC 9146 6): the
//! move itself, and the amplification bound toward an address the peer has
//! not proven it receives at.
//!
//! Only a record that carries our CID, authenticates, and is newer than any
//! before it in its epoch moves the peer: a replayed or delayed record, or
//! a forgery from any address, moves nothing. Toward the new address we
//! then send at most three bytes per byte received from it (the bound
//! RFC 9000 8 sets for QUIC, which RFC 9146 6 leaves to the implementation)
//! until the peer proves it: by answering a heartbeat probe sent to the new
//! address, when heartbeats are negotiated, or by coming back to the
//! address it was proven at.

use std::net::SocketAddr;
use std::time::Instant;

use super::Connection;
use crate::event::Event;

/// Bytes we may send per byte received toward an unproven address.
const AMPLIFICATION_FACTOR: u64 = 3;

/// What we know about the peer's current address.
#[derive(Debug, Default)]
pub(crate) struct PathState {
    /// `None` while the current address is proven; else the bytes received
    /// from it and sent to it since the move.
    unproven: Option<Budget>,
    /// The last address the peer was proven at.
    proven: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Budget {
    bytes_in: u64,
    bytes_out: u64,
}

impl PathState {
    /// How many bytes may be sent now: unbounded toward a proven address.
    pub(crate) fn allowance(&self) -> usize {
        match self.unproven {
            None => usize::MAX,
            Some(b) => {
                let limit = b.bytes_in.saturating_mul(AMPLIFICATION_FACTOR);
                usize::try_from(limit.saturating_sub(b.bytes_out)).unwrap_or(usize::MAX)
            }
        }
    }

    /// A datagram of `len` bytes was sent to the current address.
    pub(crate) fn on_sent(&mut self, len: usize) {
        if let Some(b) = &mut self.unproven {
            b.bytes_out = b.bytes_out.saturating_add(len as u64);
        }
    }

    /// A datagram of `len` bytes came from the current address.
    pub(crate) fn on_received(&mut self, len: usize) {
        if let Some(b) = &mut self.unproven {
            b.bytes_in = b.bytes_in.saturating_add(len as u64);
        }
    }

    /// Whether the current address is proven.
    pub(crate) fn is_proven(&self) -> bool {
        self.unproven.is_none()
    }
}

impl Connection {
    /// An authenticated record with our CID, newer than any before, came
    /// from `from` in a datagram of `datagram_len` bytes: the peer is
    /// there now (RFC 9146 6).
    pub(super) fn peer_seen_at(&mut self, now: Instant, from: SocketAddr, datagram_len: usize) {
        if from == self.peer {
            return;
        }
        let previous = self.peer;
        let path = &mut self.ctx.path;
        if path.is_proven() {
            path.proven = Some(previous);
        }
        self.peer = from;
        path.unproven = (path.proven != Some(from)).then_some(Budget {
            bytes_in: datagram_len as u64,
            bytes_out: 0,
        });
        if path.is_proven() {
            // Back where it was proven: no probe needed any more.
            self.ctx.keepalive.cancel_probe(now);
        } else {
            // A probe the peer can only answer if it receives at `from`.
            self.ctx.keepalive.probe_path(now);
        }
        self.ctx.progress(format!(
            "the peer moved from {previous} to {from} (connection ID, RFC 9146)"
        ));
        self.ctx.emit(Event::PeerAddressChanged {
            previous,
            current: from,
        });
    }

    /// The peer answered a probe sent after its last move: its address is
    /// proven.
    pub(super) fn path_proven(&mut self) {
        let path = &mut self.ctx.path;
        if !path.is_proven() {
            path.unproven = None;
            path.proven = Some(self.peer);
        }
    }
}
