//! What an endpoint counts on its stateless path.

/// What the endpoint dropped or answered before any connection existed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointCounters {
    /// Datagrams received.
    pub datagrams: u64,
    /// HelloVerifyRequests sent.
    pub hello_verify_sent: u64,
    /// ClientHellos whose cookie did not verify (after which a fresh
    /// HelloVerifyRequest is sent).
    pub bad_cookies: u64,
    /// Datagrams from unknown peers that were not a parseable ClientHello,
    /// or a cookie-bearing one whose record sequence number leaves too
    /// little room for our epoch-0 records.
    pub malformed: u64,
    /// ClientHellos too small to answer without amplification.
    pub too_small_to_answer: u64,
    /// ClientHellos ignored because the endpoint is not accepting or is at
    /// its connection limit.
    pub refused: u64,
    /// Connections created.
    pub connections_created: u64,
    /// Handshakes under way that gave their place to a newer client at a
    /// cap (`max_half_open`, `max_half_open_per_source`, `max_connections`).
    pub evicted_half_open: u64,
    /// `tls12_cid` datagrams whose connection ID no connection holds
    /// (RFC 9146), dropped.
    pub unknown_connection_id: u64,
}
