//! An endpoint-wide snapshot for monitoring: what the stateless path did,
//! how handshakes ended, every connection's record counters summed (those
//! of connections already gone included), traffic, and what is held now.
//! [`EndpointStats::to_prometheus`] renders it in the Prometheus text
//! exposition format.

use std::fmt::Write;

use super::{Endpoint, EndpointCounters};
use crate::event::{Counters, Event, StatusCode};

/// How handshakes ended, and the traffic, kept as events pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tally {
    pub(super) handshakes_completed: u64,
    /// Failed handshakes by status code 400..=405.
    pub(super) handshakes_failed: [u64; 6],
    pub(super) datagrams_out: u64,
    pub(super) bytes_in: u64,
    pub(super) bytes_out: u64,
    /// Record counters of connections already removed.
    pub(super) retired: Counters,
}

impl Tally {
    /// Counts how a handshake ended, if `event` says.
    pub(super) fn on_event(&mut self, event: &Event) {
        match event {
            Event::Connected(_) => self.handshakes_completed += 1,
            Event::HandshakeFailed(status) => {
                let index = usize::from(status.code.code().saturating_sub(400));
                if let Some(slot) = self.handshakes_failed.get_mut(index) {
                    *slot += 1;
                }
            }
            _ => {}
        }
    }
}

/// A snapshot of an [`Endpoint`] (see [`Endpoint::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointStats {
    /// The stateless path: datagrams, HelloVerifyRequests, cookies,
    /// refusals, connections created (handshakes started), evictions.
    pub endpoint: EndpointCounters,
    /// Connections held: handshaking and established.
    pub connections: usize,
    /// Of those, handshakes under way.
    pub half_open: usize,
    /// Bytes held for peers (counted against `peer_buffer_budget`).
    pub buffered_bytes: usize,
    /// Handshakes that completed.
    pub handshakes_completed: u64,
    /// Handshakes that failed, by the seed's status code (index 0 is 400,
    /// 5 is 405): see [`StatusCode`].
    pub handshakes_failed: [u64; 6],
    /// Every connection's record counters summed, live and gone: records
    /// in and out, drops by reason, retransmissions, heartbeats.
    pub records: Counters,
    /// Bytes of every datagram received.
    pub bytes_in: u64,
    /// Datagrams sent (connection traffic; stateless replies are in
    /// `endpoint.hello_verify_sent`).
    pub datagrams_out: u64,
    /// Bytes of those datagrams.
    pub bytes_out: u64,
}

impl Endpoint {
    /// The endpoint's counters and state now. Costs O(live connections)
    /// (their record counters are summed), so call it for monitoring, not
    /// per datagram.
    pub fn stats(&self) -> EndpointStats {
        let mut records = self.tally.retired;
        for handle in self.connections.handles() {
            if let Some(conn) = self.connections.get(handle) {
                records.add(&conn.counters());
            }
        }
        EndpointStats {
            endpoint: self.counters,
            connections: self.connections.len(),
            half_open: self.half_open.len(),
            buffered_bytes: self.connections.held_total(),
            handshakes_completed: self.tally.handshakes_completed,
            handshakes_failed: self.tally.handshakes_failed,
            records,
            bytes_in: self.tally.bytes_in,
            datagrams_out: self.tally.datagrams_out,
            bytes_out: self.tally.bytes_out,
        }
    }
}

/// The failure causes, in `handshakes_failed` order.
const CAUSES: [StatusCode; 6] = [
    StatusCode::InvalidDatagram,
    StatusCode::InvalidFlow,
    StatusCode::NotSupported,
    StatusCode::HandshakeError,
    StatusCode::InvalidCertificate,
    StatusCode::FatalAlert,
];

impl EndpointStats {
    /// The snapshot in the Prometheus text exposition format (version
    /// 0.0.4), every metric named `{prefix}_...`: counters end in `_total`,
    /// gauges do not. Serve it from an HTTP endpoint of your own.
    pub fn to_prometheus(&self, prefix: &str) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {prefix}_{name} {help}");
            let _ = writeln!(out, "# TYPE {prefix}_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{prefix}_{name}{labels} {value}");
            }
        };
        let c = &self.endpoint;
        let r = &self.records;
        let gauge = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        metric(
            "connections",
            "gauge",
            "Connections held, by state.",
            &[
                ("{state=\"handshaking\"}", gauge(self.half_open)),
                (
                    "{state=\"established\"}",
                    gauge(self.connections.saturating_sub(self.half_open)),
                ),
            ],
        );
        metric(
            "buffered_bytes",
            "gauge",
            "Bytes held for peers (reassembly, early records, unread data).",
            &[("", gauge(self.buffered_bytes))],
        );
        metric(
            "handshakes_started_total",
            "counter",
            "Handshakes started (a cookie proved the address).",
            &[("", c.connections_created)],
        );
        metric(
            "handshakes_completed_total",
            "counter",
            "Handshakes completed.",
            &[("", self.handshakes_completed)],
        );
        let failed: Vec<(String, u64)> = CAUSES
            .iter()
            .zip(self.handshakes_failed)
            .map(|(code, n)| (format!("{{code=\"{}\"}}", code.code()), n))
            .collect();
        let failed: Vec<(&str, u64)> = failed.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        metric(
            "handshakes_failed_total",
            "counter",
            "Handshakes failed, by status code.",
            &failed,
        );
        metric(
            "handshakes_evicted_total",
            "counter",
            "Handshakes under way evicted for a newer client.",
            &[("", c.evicted_half_open)],
        );
        metric(
            "datagrams_in_total",
            "counter",
            "Datagrams received.",
            &[("", c.datagrams)],
        );
        metric(
            "datagrams_out_total",
            "counter",
            "Datagrams sent by connections.",
            &[("", self.datagrams_out)],
        );
        metric(
            "bytes_in_total",
            "counter",
            "Bytes received.",
            &[("", self.bytes_in)],
        );
        metric(
            "bytes_out_total",
            "counter",
            "Bytes sent by connections.",
            &[("", self.bytes_out)],
        );
        metric(
            "hello_verify_requests_total",
            "counter",
            "Stateless HelloVerifyRequests sent.",
            &[("", c.hello_verify_sent)],
        );
        metric(
            "stateless_dropped_total",
            "counter",
            "Datagrams from unknown peers dropped, by reason.",
            &[
                ("{reason=\"bad_cookie\"}", c.bad_cookies),
                ("{reason=\"malformed\"}", c.malformed),
                ("{reason=\"too_small\"}", c.too_small_to_answer),
                ("{reason=\"refused\"}", c.refused),
            ],
        );
        metric(
            "records_total",
            "counter",
            "Application records, by direction.",
            &[
                ("{direction=\"in\"}", r.records_in),
                ("{direction=\"out\"}", r.records_out),
            ],
        );
        metric(
            "records_dropped_total",
            "counter",
            "Records connections dropped, by reason.",
            &[
                ("{reason=\"malformed\"}", r.malformed),
                ("{reason=\"bad_mac\"}", r.bad_mac),
                ("{reason=\"replayed\"}", r.replayed),
                ("{reason=\"wrong_epoch\"}", r.wrong_epoch),
                ("{reason=\"unexpected\"}", r.unexpected),
                ("{reason=\"buffer_full\"}", r.buffer_full),
                ("{reason=\"bad_heartbeat\"}", r.bad_heartbeat),
            ],
        );
        metric(
            "retransmissions_total",
            "counter",
            "Flights retransmitted.",
            &[("", r.retransmissions)],
        );
        out
    }
}
