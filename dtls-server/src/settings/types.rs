//! The value types of the seed's settings (log level and type, keep-alive
//! mode, protocol mask, DSCP) and the live facts the string form reads
//! (negotiated parameters, whether the server listens).

use dtls_crypto::CipherSuite;

/// The seed's `LogLevel`: how much the `Log` event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// 0: nothing is logged.
    None = 0,
    /// 1: informational events (the default).
    #[default]
    Info = 1,
    /// 2: detailed data.
    Verbose = 2,
    /// 3: debug data.
    Debug = 3,
}

impl LogLevel {
    /// The level with this seed number (0-3).
    pub const fn from_u8(level: u8) -> Option<LogLevel> {
        match level {
            0 => Some(LogLevel::None),
            1 => Some(LogLevel::Info),
            2 => Some(LogLevel::Verbose),
            3 => Some(LogLevel::Debug),
            _ => None,
        }
    }

    /// The seed number (0-3), also the `Log` event's `LogLevel` parameter.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Whether a message of this type is reported at this level.
    pub fn enables(self, log_type: LogType) -> bool {
        self != LogLevel::None && log_type.level() <= self
    }
}

/// The `Log` event's `LogType` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogType {
    /// `"Info"`: reported from [`LogLevel::Info`] up.
    Info,
    /// `"Error"`: reported from [`LogLevel::Info`] up.
    Error,
    /// `"Verbose"`: reported from [`LogLevel::Verbose`] up.
    Verbose,
    /// `"Debug"`: reported at [`LogLevel::Debug`] only.
    Debug,
}

impl LogType {
    /// The string the seed passes as `LogType`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogType::Info => "Info",
            LogType::Error => "Error",
            LogType::Verbose => "Verbose",
            LogType::Debug => "Debug",
        }
    }

    /// The `log` facade's level for messages of this type: Info, Error,
    /// Debug (Verbose) and Trace (Debug).
    pub const fn facade_level(self) -> log::Level {
        match self {
            LogType::Info => log::Level::Info,
            LogType::Error => log::Level::Error,
            LogType::Verbose => log::Level::Debug,
            LogType::Debug => log::Level::Trace,
        }
    }

    /// The least [`LogLevel`] at which messages of this type are reported
    /// (the `Log` event's `LogLevel` parameter for them).
    pub const fn level(self) -> LogLevel {
        match self {
            LogType::Info | LogType::Error => LogLevel::Info,
            LogType::Verbose => LogLevel::Verbose,
            LogType::Debug => LogLevel::Debug,
        }
    }
}

/// The seed's `KeepAliveMode`: the RFC 6520 heartbeat mode the server
/// advertises when `KeepAlive` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeepAliveMode {
    /// 1, `peer_allowed_to_send` (the default): the server sends
    /// HeartbeatRequests and answers the peer's.
    #[default]
    PeerAllowedToSend = 1,
    /// 2, `peer_not_allowed_to_send`: the server only sends
    /// HeartbeatRequests.
    PeerNotAllowedToSend = 2,
}

impl KeepAliveMode {
    /// The mode spelt `text`: its seed number or its RFC 6520 name (in any
    /// case).
    pub fn from_seed_text(text: &str) -> Option<KeepAliveMode> {
        [Self::PeerAllowedToSend, Self::PeerNotAllowedToSend]
            .into_iter()
            .find(|m| text == m.as_u8().to_string() || text.eq_ignore_ascii_case(m.name()))
    }

    /// The seed number (1 or 2).
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The RFC 6520 name.
    pub const fn name(self) -> &'static str {
        match self {
            KeepAliveMode::PeerAllowedToSend => "peer_allowed_to_send",
            KeepAliveMode::PeerNotAllowedToSend => "peer_not_allowed_to_send",
        }
    }
}

/// The seed's `SSLEnabledProtocols` bit mask. Only DTLS 1.2 (the seed's
/// `TLS1.2`, 3072 = 0xC00) is implemented, so that is the only value a
/// `SslProtocols` can hold; [`SslProtocols::from_bits`] explains refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SslProtocols(u32);

impl SslProtocols {
    /// `TLS1.2`, 3072 (0xC00): DTLS 1.2 (RFC 6347) for a DTLS component.
    /// The default.
    pub const TLS1_2: SslProtocols = SslProtocols(0x0C00);

    /// The mask's bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Validates a mask.
    ///
    /// # Errors
    /// A text naming the refused bits: SSL 2/3 and TLS 1.0/1.1 (DTLS 1.0)
    /// are deprecated, TLS 1.3 (DTLS 1.3) is not implemented, other bits are
    /// unknown, and 0 enables nothing.
    pub fn from_bits(bits: u32) -> Result<SslProtocols, String> {
        const NAMED: &[(u32, &str, &str)] = &[
            (0x000C, "SSL2 (12)", "SSL 2.0 is prohibited (RFC 6176)"),
            (0x0030, "SSL3 (48)", "SSL 3.0 is prohibited (RFC 7568)"),
            (
                0x00C0,
                "TLS1 (192)",
                "TLS 1.0 / DTLS 1.0 are deprecated (RFC 8996)",
            ),
            (
                0x0300,
                "TLS1.1 (768)",
                "TLS 1.1 / DTLS 1.0 are deprecated (RFC 8996)",
            ),
            (
                0x3000,
                "TLS1.3 (12288)",
                "DTLS 1.3 (RFC 9147) is not implemented",
            ),
        ];
        if bits == 0 {
            return Err(
                "no protocol enabled; the only supported value is 3072 (TLS1.2, i.e. DTLS 1.2)"
                    .to_owned(),
            );
        }
        let mut problems = Vec::new();
        let mut rest = bits & !Self::TLS1_2.0;
        for (mask, name, reason) in NAMED {
            if bits & mask != 0 {
                problems.push(format!("{name}: {reason}"));
                rest &= !mask;
            }
        }
        if rest != 0 {
            problems.push(format!("unknown bits 0x{rest:X}"));
        }
        if bits & Self::TLS1_2.0 != Self::TLS1_2.0 {
            problems.push("TLS1.2 (3072) must be enabled in full".to_owned());
        }
        if problems.is_empty() {
            Ok(Self::TLS1_2)
        } else {
            Err(format!(
                "{}; the only supported value is 3072 (TLS1.2, i.e. DTLS 1.2)",
                problems.join("; ")
            ))
        }
    }
}

/// The seed's `SSLSecurityFlags`: which client certificate problems to
/// ignore. The same type the chain validator takes, so the setting reaches
/// it unchanged.
pub use dtls_crypto::verify::SecurityFlags as SslSecurityFlags;

/// A DiffServ code point, 0-63 (the seed's `QOSDSCPValue`). 0, the
/// default, means "leave the socket's TOS / traffic class alone".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Dscp(u8);

impl Dscp {
    /// The code point, if it is in 0-63.
    pub const fn new(value: u8) -> Option<Dscp> {
        if value <= 63 { Some(Dscp(value)) } else { None }
    }

    /// The code point.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// The value for `IP_TOS` (IPv4) or `IPV6_TCLASS` (IPv6): the code
    /// point in the upper six bits, ECN bits zero (RFC 2474 section 3).
    pub const fn tos(self) -> u32 {
        (self.0 as u32) << 2
    }
}

/// What was negotiated on one connection: the answers to the seed's
/// `SSLNegotiated*[connId]` settings (the server builds it from the
/// engine's `NegotiatedParams`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedInfo {
    /// The protocol version, e.g. `"DTLS 1.2"` (`SSLNegotiatedVersion`).
    pub version: String,
    /// The cipher suite (`SSLNegotiatedCipherSuite`; its bulk cipher gives
    /// `SSLNegotiatedCipher` and `SSLNegotiatedCipherStrength`).
    pub cipher_suite: CipherSuite,
    /// Bits of security of the ECDHE group, e.g. 256 for secp256r1
    /// (`SSLNegotiatedKeyExchangeStrength`); `None` if no key exchange took
    /// place (an abbreviated handshake).
    pub key_exchange_strength: Option<u16>,
    /// The client's PSK identity under a PSK suite
    /// (`SSLNegotiatedPSKIdentity`, not in the seed).
    pub psk_identity: Option<Vec<u8>>,
}

impl NegotiatedInfo {
    /// The key exchange algorithm as `SSLNegotiatedKeyExchange` prints it:
    /// `ECDHE_ECDSA`, `ECDHE_RSA`, `PSK` or `ECDHE_PSK`.
    pub fn key_exchange(&self) -> &'static str {
        self.cipher_suite.key_exchange().name()
    }
}

/// Live server state the string form needs: the negotiated parameters of a
/// connection (for `SSLNegotiated*[connId]`) and whether the server has
/// its socket (the socket settings are then locked).
pub trait ConnectionInfoSource {
    /// What was negotiated on the connection with this id, or `None` if
    /// there is no such connection or its handshake has not completed.
    fn negotiated(&self, connection_id: &str) -> Option<NegotiatedInfo>;

    /// Whether the server has its socket (from `StartListening` until
    /// `Shutdown`, listening or stopped). Defaults to `false`.
    fn socket_bound(&self) -> bool {
        false
    }
}

/// A [`ConnectionInfoSource`] with no connections, not listening: what
/// [`ServerSettings::config`](super::ServerSettings::config) uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoConnections;

impl ConnectionInfoSource for NoConnections {
    fn negotiated(&self, _connection_id: &str) -> Option<NegotiatedInfo> {
        None
    }
}
