//! The server's settings: the seed's properties and config settings as a
//! typed [`ServerSettings`], with the seed's string form
//! (`config("Name=Value")`, `config("Name")`) as a compatibility layer over
//! it ([`ServerSettings::config`]).
//!
//! [`ServerSettings::default`] holds the seed's documented defaults; where
//! the seed documents none, the field's doc says what was chosen and why.
//! Every name either of the seed's editions lists is recognised (see
//! [`SETTINGS`]); each one either works or returns an [`Error`] that names
//! the setting and why it cannot work here (Windows-only, licensing,
//! firewall, client-only, not implemented).
//!
//! # The string form
//!
//! - Names are case-insensitive; surrounding blanks are ignored.
//! - Booleans accept the seed's spellings, case-insensitively: `True`,
//!   `False`, `1`, `0`, `Yes`, `No`. They print as `True` / `False`.
//! - Durations are whole seconds; bit masks also accept `0x` hexadecimal.
//! - Setting a value returns an empty string, as the seed's `Config` does.
//! - Per-connection settings are read as `Name[connId]`, through a
//!   [`ConnectionInfoSource`] (see [`ServerSettings::config_with`]).
//! - Settings read by `StartListening` (socket and TLS settings) cannot be
//!   changed while listening: [`Error::WhileListening`].
//! - The settable properties (`DefaultIdleTimeout`, `KeepAlive`,
//!   `LocalHost`, `LocalPort`, `SSLAuthenticateClients`) are accepted by
//!   `config` too, for scripts and command lines.

mod algorithms;
mod codepage;
mod keylog;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use dtls_crypto::CipherSuite;

pub use codepage::CodePage;
pub use keylog::KeyLogFile;

use crate::error::Error;

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
/// `SSLNegotiated*[connId]` settings.
///
/// TODO(merge): build from `dtls_core::event::NegotiatedParams` (engine
/// branch): `cipher_suite`, `group` (name and strength), `version`.
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
}

impl NegotiatedInfo {
    /// The key exchange algorithm as `SSLNegotiatedKeyExchange` prints it:
    /// `ECDHE_ECDSA` or `ECDHE_RSA`.
    pub fn key_exchange(&self) -> &'static str {
        match self.cipher_suite.auth() {
            dtls_crypto::suites::AuthAlgorithm::Ecdsa => "ECDHE_ECDSA",
            dtls_crypto::suites::AuthAlgorithm::Rsa => "ECDHE_RSA",
        }
    }
}

/// Live server state the string form needs: the negotiated parameters of a
/// connection (for `SSLNegotiated*[connId]`) and whether the server is
/// listening (settings read by `StartListening` are then locked).
pub trait ConnectionInfoSource {
    /// What was negotiated on the connection with this id, or `None` if
    /// there is no such connection or its handshake has not completed.
    fn negotiated(&self, connection_id: &str) -> Option<NegotiatedInfo>;

    /// Whether the server is listening. Defaults to `false`.
    fn listening(&self) -> bool {
        false
    }
}

/// A [`ConnectionInfoSource`] with no connections, not listening: what
/// [`ServerSettings::config`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoConnections;

impl ConnectionInfoSource for NoConnections {
    fn negotiated(&self, _connection_id: &str) -> Option<NegotiatedInfo> {
        None
    }
}

/// Where a name comes from in the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A config setting only.
    ConfigSetting,
    /// A property only (accepted by `config` as an extension, or refused
    /// with [`Error::NotASetting`]).
    Property,
    /// Both a property and a config setting (`LocalHost`, `LocalPort`).
    Both,
}

/// A value a fixed setting always has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FixedValue {
    /// A boolean setting.
    Bool(bool),
    /// A numeric setting.
    Int(u32),
}

/// How a name is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// Read and write at any time.
    ReadWrite,
    /// Read at any time; written only while not listening (read by
    /// `StartListening`).
    BeforeListening,
    /// Read-only (`BuildInfo`).
    ReadOnly,
    /// Read-only, per connection: `Name[connId]`.
    PerConnection,
    /// Always has this value; setting it to the same value is accepted,
    /// to another value is [`Error::Unsupported`] with the reason.
    Fixed(FixedValue, &'static str),
    /// Neither read nor written: [`Error::Unsupported`] with the reason.
    Unsupported(&'static str),
    /// A property that `config` does not handle; the text names the Rust
    /// item to use.
    Property(&'static str),
}

/// One name of the seed and how it is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingInfo {
    /// The seed's spelling.
    pub name: &'static str,
    /// Config setting, property, or both.
    pub origin: Origin,
    /// Whether and how it works.
    pub support: Support,
    id: Id,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Id {
    // Properties.
    Connections,
    DefaultIdleTimeout,
    KeepAlive,
    Listening,
    LocalHost,
    LocalPort,
    SslAuthenticateClients,
    SslCert,
    // DTLSServer config settings.
    KeepAliveInterval,
    KeepAliveMode,
    KeepAliveTime,
    LogLevel,
    MaxConnections,
    // UDP config settings.
    CaptureIpPacketInfo,
    DelayHostResolution,
    DestinationAddress,
    DontFragment,
    MaxPacketSize,
    QosDscpValue,
    QosTrafficType,
    ShareLocalPort,
    UseConnection,
    UseIpv6,
    // Socket config settings.
    AbsoluteTimeout,
    FirewallData,
    InBufferSize,
    OutBufferSize,
    // SSL config settings.
    LogSslPackets,
    ReuseSslSession,
    SslCaCerts,
    SslCheckCrl,
    SslCheckOcsp,
    SslCipherStrength,
    SslClientCaCerts,
    SslEnabledCipherSuites,
    SslEnabledProtocols,
    SslEnableRenegotiation,
    SslKeyLogFile,
    SslNegotiatedCipher,
    SslNegotiatedCipherStrength,
    SslNegotiatedCipherSuite,
    SslNegotiatedKeyExchange,
    SslNegotiatedKeyExchangeStrength,
    SslNegotiatedVersion,
    SslSecurityFlags,
    SslServerCaCerts,
    Tls12SignatureAlgorithms,
    Tls12SupportedGroups,
    // Base config settings.
    BuildInfo,
    CodePage,
    GuiAvailable,
    LicenseInfo,
    MaskSensitiveData,
    UseDaemonThreads,
    UseInternalSecurityApi,
}

const fn info(name: &'static str, origin: Origin, support: Support, id: Id) -> SettingInfo {
    SettingInfo {
        name,
        origin,
        support,
        id,
    }
}

use Origin::{Both, ConfigSetting as Cfg, Property as Prop};
use Support::{BeforeListening, PerConnection, ReadOnly, ReadWrite};

const WINDOWS_PKTINFO: &str = "Windows-only (seed); the server does not capture IP packet info";
const REVOCATION: &str = "revocation checking (CRL/OCSP) is not implemented; in the seed it \
     checks the server certificate seen by a client, and is Windows-only in C++";

/// Every property and config setting of the seed (both editions), in the
/// seed's order, and how each is supported.
pub const SETTINGS: &[SettingInfo] = &[
    info(
        "Connections",
        Prop,
        Support::Property("DtlsServer::connections()"),
        Id::Connections,
    ),
    info(
        "DefaultIdleTimeout",
        Prop,
        ReadWrite,
        Id::DefaultIdleTimeout,
    ),
    info("KeepAlive", Prop, BeforeListening, Id::KeepAlive),
    info(
        "Listening",
        Prop,
        Support::Property("DtlsServer::listening()"),
        Id::Listening,
    ),
    info("LocalHost", Both, BeforeListening, Id::LocalHost),
    info("LocalPort", Both, BeforeListening, Id::LocalPort),
    info(
        "SSLAuthenticateClients",
        Prop,
        BeforeListening,
        Id::SslAuthenticateClients,
    ),
    info(
        "SSLCert",
        Prop,
        Support::Property("DtlsServer::set_ssl_cert() with a dtls_crypto::cert::Certificate"),
        Id::SslCert,
    ),
    info("KeepAliveInterval", Cfg, ReadWrite, Id::KeepAliveInterval),
    info("KeepAliveMode", Cfg, BeforeListening, Id::KeepAliveMode),
    info("KeepAliveTime", Cfg, ReadWrite, Id::KeepAliveTime),
    info("LogLevel", Cfg, ReadWrite, Id::LogLevel),
    info("MaxConnections", Cfg, BeforeListening, Id::MaxConnections),
    info(
        "CaptureIPPacketInfo",
        Cfg,
        Support::Unsupported(WINDOWS_PKTINFO),
        Id::CaptureIpPacketInfo,
    ),
    info(
        "DelayHostResolution",
        Cfg,
        Support::Unsupported(
            "client-only: it concerns RemoteHost, which a server does not have; LocalHost is \
             resolved by StartListening",
        ),
        Id::DelayHostResolution,
    ),
    info(
        "DestinationAddress",
        Cfg,
        Support::Unsupported(WINDOWS_PKTINFO),
        Id::DestinationAddress,
    ),
    info("DontFragment", Cfg, BeforeListening, Id::DontFragment),
    info("MaxPacketSize", Cfg, BeforeListening, Id::MaxPacketSize),
    info("QOSDSCPValue", Cfg, BeforeListening, Id::QosDscpValue),
    info(
        "QOSTrafficType",
        Cfg,
        Support::Unsupported(
            "Windows-only (the qWAVE API); set QOSDSCPValue instead, which is applied as \
             IP_TOS / IPV6_TCLASS",
        ),
        Id::QosTrafficType,
    ),
    info("ShareLocalPort", Cfg, BeforeListening, Id::ShareLocalPort),
    info(
        "UseConnection",
        Cfg,
        Support::Fixed(
            FixedValue::Bool(false),
            "the server answers every peer from one unconnected socket; a connected socket \
             would exchange datagrams with one peer only",
        ),
        Id::UseConnection,
    ),
    info("UseIPv6", Cfg, BeforeListening, Id::UseIpv6),
    info(
        "AbsoluteTimeout",
        Cfg,
        Support::Fixed(
            FixedValue::Bool(false),
            "not valid for UDP (seed); use DefaultIdleTimeout to drop idle connections",
        ),
        Id::AbsoluteTimeout,
    ),
    info(
        "FirewallData",
        Cfg,
        Support::Unsupported(
            "firewalls and proxies are not supported: the server receives datagrams directly",
        ),
        Id::FirewallData,
    ),
    info("InBufferSize", Cfg, BeforeListening, Id::InBufferSize),
    info("OutBufferSize", Cfg, BeforeListening, Id::OutBufferSize),
    info("LogSSLPackets", Cfg, ReadWrite, Id::LogSslPackets),
    info("ReuseSSLSession", Cfg, BeforeListening, Id::ReuseSslSession),
    info("SSLCACerts", Cfg, BeforeListening, Id::SslCaCerts),
    info(
        "SSLCheckCRL",
        Cfg,
        Support::Fixed(FixedValue::Int(0), REVOCATION),
        Id::SslCheckCrl,
    ),
    info(
        "SSLCheckOCSP",
        Cfg,
        Support::Fixed(FixedValue::Int(0), REVOCATION),
        Id::SslCheckOcsp,
    ),
    info(
        "SSLCipherStrength",
        Cfg,
        BeforeListening,
        Id::SslCipherStrength,
    ),
    info(
        "SSLClientCACerts",
        Cfg,
        BeforeListening,
        Id::SslClientCaCerts,
    ),
    info(
        "SSLEnabledCipherSuites",
        Cfg,
        BeforeListening,
        Id::SslEnabledCipherSuites,
    ),
    info(
        "SSLEnabledProtocols",
        Cfg,
        BeforeListening,
        Id::SslEnabledProtocols,
    ),
    info(
        "SSLEnableRenegotiation",
        Cfg,
        BeforeListening,
        Id::SslEnableRenegotiation,
    ),
    info("SSLKeyLogFile", Cfg, ReadWrite, Id::SslKeyLogFile),
    info(
        "SSLNegotiatedCipher",
        Cfg,
        PerConnection,
        Id::SslNegotiatedCipher,
    ),
    info(
        "SSLNegotiatedCipherStrength",
        Cfg,
        PerConnection,
        Id::SslNegotiatedCipherStrength,
    ),
    info(
        "SSLNegotiatedCipherSuite",
        Cfg,
        PerConnection,
        Id::SslNegotiatedCipherSuite,
    ),
    info(
        "SSLNegotiatedKeyExchange",
        Cfg,
        PerConnection,
        Id::SslNegotiatedKeyExchange,
    ),
    info(
        "SSLNegotiatedKeyExchangeStrength",
        Cfg,
        PerConnection,
        Id::SslNegotiatedKeyExchangeStrength,
    ),
    info(
        "SSLNegotiatedVersion",
        Cfg,
        PerConnection,
        Id::SslNegotiatedVersion,
    ),
    info(
        "SSLSecurityFlags",
        Cfg,
        BeforeListening,
        Id::SslSecurityFlags,
    ),
    info(
        "SSLServerCACerts",
        Cfg,
        Support::Unsupported(
            "client-only (seed): a server validates client certificates with SSLClientCACerts",
        ),
        Id::SslServerCaCerts,
    ),
    info(
        "TLS12SignatureAlgorithms",
        Cfg,
        BeforeListening,
        Id::Tls12SignatureAlgorithms,
    ),
    info(
        "TLS12SupportedGroups",
        Cfg,
        BeforeListening,
        Id::Tls12SupportedGroups,
    ),
    info("BuildInfo", Cfg, ReadOnly, Id::BuildInfo),
    info("CodePage", Cfg, ReadWrite, Id::CodePage),
    info(
        "GUIAvailable",
        Cfg,
        Support::Fixed(
            FixedValue::Bool(false),
            "there is no GUI message loop: DoEvents is the event loop",
        ),
        Id::GuiAvailable,
    ),
    info(
        "LicenseInfo",
        Cfg,
        Support::Unsupported(
            "no licensing: dtls-server is free software (MIT OR Apache-2.0) and needs no license key",
        ),
        Id::LicenseInfo,
    ),
    info(
        "MaskSensitiveData",
        Cfg,
        Support::Fixed(
            FixedValue::Bool(true),
            "the Log event never carries secrets (key material goes only to SSLKeyLogFile), so \
             there is nothing to unmask",
        ),
        Id::MaskSensitiveData,
    ),
    info(
        "UseDaemonThreads",
        Cfg,
        Support::Unsupported(
            "Java-only (seed): dtls-server starts no threads; events fire inside DoEvents",
        ),
        Id::UseDaemonThreads,
    ),
    info(
        "UseInternalSecurityAPI",
        Cfg,
        Support::Fixed(
            FixedValue::Bool(true),
            "the internal pure-Rust implementation (dtls-crypto) is the only one; there is no \
             system security library to switch to",
        ),
        Id::UseInternalSecurityApi,
    ),
];

/// Looks a name up, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static SettingInfo> {
    let name = name.trim();
    SETTINGS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The `BuildInfo` text: crate, version, license, build profile, target and
/// enabled features (dtls-server has no optional features), and the git
/// revision if `DTLS_GIT_DESCRIBE` was set in the build environment.
pub fn build_info() -> String {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "{} {} ({}); {} build for {}-{}; features: none; git: {}; protocols: DTLS 1.2; \
         cipher suites: {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_LICENSE"),
        profile,
        std::env::consts::ARCH,
        std::env::consts::OS,
        option_env!("DTLS_GIT_DESCRIBE").unwrap_or("unknown"),
        CipherSuite::ALL.len(),
    )
}

/// The largest UDP payload (IPv6 without jumbograms; IPv4's is 65507).
const MAX_UDP_PAYLOAD: usize = 65_535;
/// The smallest `MaxPacketSize` accepted: room for a ClientHello.
const MIN_PACKET_SIZE: usize = 512;
/// The strongest bulk cipher implemented (AES-256, ChaCha20).
const MAX_CIPHER_STRENGTH: u16 = 256;

/// The seed's properties and config settings, typed.
///
/// Fields whose type admits only valid values are public; the others are
/// read with a getter and written with a validating setter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// `DefaultIdleTimeout` (property, seconds): connections idle this long
    /// are dropped; zero (the default) disables the timeout.
    pub default_idle_timeout: Duration,
    /// `KeepAlive` (property): RFC 6520 heartbeats. Default false.
    pub keep_alive: bool,
    /// `LocalHost` (property and setting): the interface to bind, as an IP
    /// address or host name; empty (the default) binds every interface.
    pub local_host: String,
    /// `LocalPort` (property and setting): the UDP port; 0 (the default)
    /// lets the system choose.
    pub local_port: u16,
    /// `SSLAuthenticateClients` (property): send a CertificateRequest.
    /// Default false.
    pub ssl_authenticate_clients: bool,
    /// `KeepAliveInterval`: delay between unanswered HeartbeatRequests.
    /// Default 2 s; at least 1 s.
    pub keep_alive_interval: Duration,
    /// `KeepAliveMode`. Default [`KeepAliveMode::PeerAllowedToSend`].
    pub keep_alive_mode: KeepAliveMode,
    /// `KeepAliveTime`: inactivity before a HeartbeatRequest. Default 60 s;
    /// at least 1 s.
    pub keep_alive_time: Duration,
    /// `LogLevel`. Default [`LogLevel::Info`].
    pub log_level: LogLevel,
    /// `MaxConnections`. The seed documents no default ("no predefined
    /// limit"); 10 000, the engine's default, bounds the state a flood of
    /// handshakes can create.
    pub max_connections: NonZeroUsize,
    /// `DontFragment`: set the IP Don't Fragment flag (Linux
    /// `IP_MTU_DISCOVER = IP_PMTUDISC_DO`). Default false.
    pub dont_fragment: bool,
    /// `QOSDSCPValue`, applied as `IP_TOS` / `IPV6_TCLASS`. Default 0
    /// (leave alone).
    pub qos_dscp: Dscp,
    /// `ReuseSSLSession`: let clients resume sessions (abbreviated
    /// handshakes, RFC 5246 7.3) by session ID from the server's cache and
    /// by RFC 5077 tickets. Default true: what a server is expected to do.
    pub reuse_ssl_session: bool,
    /// `ShareLocalPort`: `SO_REUSEPORT` (Unix) so several servers can bind
    /// the same port. Default false.
    pub share_local_port: bool,
    /// `UseIPv6`: bind an IPv6 socket. Default false.
    pub use_ipv6: bool,
    /// `InBufferSize`: `SO_RCVBUF` in bytes; `None` (printed as 0, the
    /// default) keeps the system's size. The seed documents no default.
    pub in_buffer_size: Option<NonZeroUsize>,
    /// `OutBufferSize`: `SO_SNDBUF` in bytes; `None` (printed as 0, the
    /// default) keeps the system's size. The seed documents no default.
    pub out_buffer_size: Option<NonZeroUsize>,
    /// `LogSSLPackets`: report every DTLS record sent or received through
    /// the `SSLStatus` event. Default false.
    pub log_ssl_packets: bool,
    /// `SSLEnabledProtocols`. Default (and only value) 3072, DTLS 1.2.
    pub ssl_enabled_protocols: SslProtocols,
    /// `SSLEnableRenegotiation`: the seed's default is false. Kept for
    /// compatibility; it changes nothing: renegotiation is always refused
    /// with a `no_renegotiation` warning, and the `renegotiation_info`
    /// extension is always answered as RFC 5746 requires.
    pub ssl_enable_renegotiation: bool,
    /// `SSLKeyLogFile`: where session secrets are appended in the NSS key
    /// log format ([`KeyLogFile`]). Default none.
    pub ssl_key_log_file: Option<PathBuf>,
    /// `SSLSecurityFlags`. Default [`SslSecurityFlags::NONE`].
    pub ssl_security_flags: SslSecurityFlags,
    /// `CodePage`: the encoding of `SendText` and of the text view of
    /// `DataIn`. The seed's text for the default is cut off; UTF-8 (65001,
    /// which `0`, "the system code page", means here) is the default.
    pub code_page: CodePage,
    max_packet_size: usize,
    ssl_ca_certs: String,
    ssl_client_ca_certs: String,
    ssl_cipher_strength: u16,
    cipher_suites: Vec<CipherSuite>,
    signature_algorithms: Vec<&'static str>,
    supported_groups: Vec<&'static str>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            default_idle_timeout: Duration::ZERO,
            keep_alive: false,
            local_host: String::new(),
            local_port: 0,
            ssl_authenticate_clients: false,
            keep_alive_interval: Duration::from_secs(2),
            keep_alive_mode: KeepAliveMode::PeerAllowedToSend,
            keep_alive_time: Duration::from_secs(60),
            log_level: LogLevel::Info,
            max_connections: NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN),
            dont_fragment: false,
            qos_dscp: Dscp::default(),
            share_local_port: false,
            reuse_ssl_session: true,
            use_ipv6: false,
            in_buffer_size: None,
            out_buffer_size: None,
            log_ssl_packets: false,
            ssl_enabled_protocols: SslProtocols::TLS1_2,
            ssl_enable_renegotiation: false,
            ssl_key_log_file: None,
            ssl_security_flags: SslSecurityFlags::NONE,
            code_page: CodePage::Utf8,
            max_packet_size: MAX_UDP_PAYLOAD,
            ssl_ca_certs: String::new(),
            ssl_client_ca_certs: String::new(),
            ssl_cipher_strength: 0,
            cipher_suites: CipherSuite::ALL.to_vec(),
            signature_algorithms: algorithms::DEFAULT_SIGNATURES.to_vec(),
            supported_groups: algorithms::DEFAULT_GROUPS.to_vec(),
        }
    }
}

impl ServerSettings {
    /// The seed's defaults (same as [`Default::default`]; the seed's
    /// `Reset` method restores these).
    pub fn new() -> Self {
        Self::default()
    }

    /// `MaxPacketSize`: the receive buffer, in bytes; larger datagrams are
    /// truncated. The seed documents no default; 65535, the largest UDP
    /// payload, so nothing is ever truncated.
    pub fn max_packet_size(&self) -> usize {
        self.max_packet_size
    }

    /// Sets `MaxPacketSize`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] outside 512..=65535.
    pub fn set_max_packet_size(&mut self, size: usize) -> Result<(), Error> {
        if !(MIN_PACKET_SIZE..=MAX_UDP_PAYLOAD).contains(&size) {
            return Err(invalid(
                "MaxPacketSize",
                size,
                format!(
                    "must be {MIN_PACKET_SIZE} to {MAX_UDP_PAYLOAD} bytes (a ClientHello must fit)"
                ),
            ));
        }
        self.max_packet_size = size;
        Ok(())
    }

    /// `SSLCACerts`: PEM certificates sent after `SSLCert` in the server's
    /// Certificate message (its chain). Default empty.
    pub fn ssl_ca_certs(&self) -> &str {
        &self.ssl_ca_certs
    }

    /// Sets `SSLCACerts`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless empty or a sequence of PEM
    /// `CERTIFICATE` blocks.
    pub fn set_ssl_ca_certs(&mut self, pem: &str) -> Result<(), Error> {
        check_pem("SSLCACerts", pem)?;
        self.ssl_ca_certs = pem.to_owned();
        Ok(())
    }

    /// `SSLClientCACerts`: PEM CA certificates trusted for client
    /// certificates, also named in the CertificateRequest. Default empty.
    pub fn ssl_client_ca_certs(&self) -> &str {
        &self.ssl_client_ca_certs
    }

    /// Sets `SSLClientCACerts`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] unless empty or a sequence of PEM
    /// `CERTIFICATE` blocks.
    pub fn set_ssl_client_ca_certs(&mut self, pem: &str) -> Result<(), Error> {
        check_pem("SSLClientCACerts", pem)?;
        self.ssl_client_ca_certs = pem.to_owned();
        Ok(())
    }

    /// `SSLCipherStrength`: the least bulk cipher key size, in bits, of the
    /// suites offered. The seed documents no default; 0 (no minimum).
    pub fn ssl_cipher_strength(&self) -> u16 {
        self.ssl_cipher_strength
    }

    /// Sets `SSLCipherStrength`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] above 256: no implemented cipher is stronger.
    pub fn set_ssl_cipher_strength(&mut self, bits: u16) -> Result<(), Error> {
        if bits > MAX_CIPHER_STRENGTH {
            return Err(invalid(
                "SSLCipherStrength",
                bits,
                format!("no implemented cipher is stronger than {MAX_CIPHER_STRENGTH} bits"),
            ));
        }
        self.ssl_cipher_strength = bits;
        Ok(())
    }

    /// `SSLEnabledCipherSuites`, in preference order. Default: every
    /// implemented suite (`*`).
    pub fn cipher_suites(&self) -> &[CipherSuite] {
        &self.cipher_suites
    }

    /// Sets `SSLEnabledCipherSuites` (duplicates are dropped, order kept).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an empty list.
    pub fn set_cipher_suites(&mut self, suites: &[CipherSuite]) -> Result<(), Error> {
        let mut list: Vec<CipherSuite> = Vec::with_capacity(suites.len());
        for suite in suites {
            if !list.contains(suite) {
                list.push(*suite);
            }
        }
        if list.is_empty() {
            return Err(invalid(
                "SSLEnabledCipherSuites",
                "",
                "no cipher suite enabled; use * for all".to_owned(),
            ));
        }
        self.cipher_suites = list;
        Ok(())
    }

    /// The suites the server offers: `SSLEnabledCipherSuites` without those
    /// weaker than `SSLCipherStrength`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `SSLCipherStrength` if no enabled suite
    /// is strong enough.
    pub fn effective_cipher_suites(&self) -> Result<Vec<CipherSuite>, Error> {
        let min = self.ssl_cipher_strength;
        let suites: Vec<CipherSuite> = self
            .cipher_suites
            .iter()
            .copied()
            .filter(|s| s.bulk().strength_bits() >= min)
            .collect();
        if suites.is_empty() {
            return Err(invalid(
                "SSLCipherStrength",
                min,
                "no suite in SSLEnabledCipherSuites is that strong".to_owned(),
            ));
        }
        Ok(suites)
    }

    /// `TLS12SignatureAlgorithms`, canonical seed spellings (`sha256-ecdsa`,
    /// ...). Empty means "not restricted": every supported algorithm. The
    /// default is the seed's default without the entries this project
    /// refuses (DSA, SHA-224, SHA-1, ECDSA with SHA-512):
    /// `sha512-rsa,sha384-ecdsa,sha384-rsa,sha256-ecdsa,sha256-rsa`.
    pub fn signature_algorithms(&self) -> &[&'static str] {
        &self.signature_algorithms
    }

    /// The signature algorithms in force: [`Self::signature_algorithms`],
    /// or every supported one if that is empty.
    pub fn effective_signature_algorithms(&self) -> Vec<&'static str> {
        if self.signature_algorithms.is_empty() {
            algorithms::supported_signatures().collect()
        } else {
            self.signature_algorithms.clone()
        }
        // TODO(merge): return Vec<dtls_crypto::sign::SignatureScheme> via
        // SignatureScheme::parse_list(&self.signature_algorithms.join(",")).
    }

    /// Sets `TLS12SignatureAlgorithms` from its comma-separated form (seed
    /// spellings such as `sha256-rsa`, or IANA names such as
    /// `rsa_pkcs1_sha256`; case-insensitive).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming every refused or unknown entry.
    pub fn set_signature_algorithms(&mut self, list: &str) -> Result<(), Error> {
        self.signature_algorithms = algorithms::parse_signatures(list)
            .map_err(|reason| invalid("TLS12SignatureAlgorithms", list, reason))?;
        Ok(())
    }

    /// `TLS12SupportedGroups`, canonical spellings (`ecdhe_secp256r1`, ...).
    /// Default (the seed's): `ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1`.
    ///
    /// TODO(merge): convert with `dtls_crypto::kx::NamedGroup::parse_list`.
    pub fn supported_groups(&self) -> &[&'static str] {
        &self.supported_groups
    }

    /// Sets `TLS12SupportedGroups` from its comma-separated form (the seed's
    /// `ecdhe_` names or IANA names, case-insensitive; `ecdhe_x25519` is
    /// accepted too).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming every refused (`ffdhe*`, `x448`) or
    /// unknown entry, or for an empty list.
    pub fn set_supported_groups(&mut self, list: &str) -> Result<(), Error> {
        self.supported_groups = algorithms::parse_groups(list)
            .map_err(|reason| invalid("TLS12SupportedGroups", list, reason))?;
        Ok(())
    }

    /// The address `StartListening` binds: `LocalHost` (resolved if it is a
    /// name, preferring the family `UseIPv6` selects) and `LocalPort`. An
    /// empty `LocalHost` is the unspecified address (`0.0.0.0`, or `::` with
    /// `UseIPv6`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `LocalHost` if it does not resolve to
    /// an address of the selected family.
    pub fn bind_addr(&self) -> Result<SocketAddr, Error> {
        let host = self.local_host.trim();
        if host.is_empty() {
            let ip = if self.use_ipv6 {
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            };
            return Ok(SocketAddr::new(ip, self.local_port));
        }
        let family = if self.use_ipv6 { "IPv6" } else { "IPv4" };
        let addrs = (host, self.local_port)
            .to_socket_addrs()
            .map_err(|e| invalid("LocalHost", host, format!("does not resolve: {e}")))?;
        addrs
            .into_iter()
            .find(|a| a.is_ipv6() == self.use_ipv6)
            .ok_or_else(|| {
                invalid(
                    "LocalHost",
                    host,
                    format!("has no {family} address (UseIPv6 selects the family)"),
                )
            })
    }

    /// The seed's `Config` method with no live connections (so
    /// `SSLNegotiated*[connId]` reports [`Error::UnknownConnection`]) and
    /// not listening. See [`Self::config_with`].
    ///
    /// # Errors
    /// As [`Self::config_with`].
    pub fn config(&mut self, spec: &str) -> Result<String, Error> {
        self.config_with(spec, &NoConnections)
    }

    /// The seed's `Config` method: `"Name=Value"` sets a value and returns
    /// an empty string; `"Name"` returns the current value as the seed
    /// prints it; `"Name[connId]"` reads a per-connection value from
    /// `live`.
    ///
    /// # Errors
    /// - [`Error::UnknownSetting`]: a name the seed does not list.
    /// - [`Error::InvalidValue`]: the value does not parse or is refused;
    ///   the text says why.
    /// - [`Error::ReadOnly`]: writing `BuildInfo` or `SSLNegotiated*`.
    /// - [`Error::Unsupported`]: a setting that cannot work here, and why.
    /// - [`Error::BadIndex`], [`Error::UnknownConnection`]: per-connection
    ///   settings without an id, with an unknown id, or an id given to a
    ///   setting that takes none.
    /// - [`Error::WhileListening`]: a setting read by `StartListening`
    ///   changed while `live.listening()`.
    /// - [`Error::NotASetting`]: `Listening`, `Connections`, `SSLCert`.
    pub fn config_with(
        &mut self,
        spec: &str,
        live: &dyn ConnectionInfoSource,
    ) -> Result<String, Error> {
        let (left, value) = match spec.split_once('=') {
            Some((left, value)) => (left, Some(value)),
            None => (spec, None),
        };
        let left = left.trim();
        let (name, index) = match left.strip_suffix(']').and_then(|l| l.split_once('[')) {
            Some((name, index)) => (name.trim(), Some(index.trim())),
            None => (left, None),
        };
        let setting = lookup(name).ok_or_else(|| Error::UnknownSetting(name.to_owned()))?;
        let id = setting.id;
        let name = setting.name;
        match setting.support {
            Support::Property(use_instead) => {
                return Err(Error::NotASetting { name, use_instead });
            }
            Support::Unsupported(reason) => {
                return Err(Error::Unsupported {
                    setting: name,
                    reason,
                });
            }
            Support::PerConnection => {
                if value.is_some() {
                    return Err(Error::ReadOnly(name));
                }
                let conn_id = match index {
                    Some(conn_id) if !conn_id.is_empty() => conn_id,
                    _ => {
                        return Err(Error::BadIndex {
                            setting: name,
                            reason: "a per-connection setting: give the connection id, as in \
                                     Name[connId]",
                        });
                    }
                };
                let negotiated =
                    live.negotiated(conn_id)
                        .ok_or_else(|| Error::UnknownConnection {
                            setting: name,
                            connection_id: conn_id.to_owned(),
                        })?;
                return Ok(negotiated_value(id, &negotiated));
            }
            _ => {}
        }
        if index.is_some() {
            return Err(Error::BadIndex {
                setting: name,
                reason: "not a per-connection setting: it takes no [connId]",
            });
        }
        let Some(value) = value else {
            return Ok(self.get(id, setting.support));
        };
        match setting.support {
            Support::ReadOnly => Err(Error::ReadOnly(name)),
            Support::Fixed(fixed, reason) => {
                let same = match fixed {
                    FixedValue::Bool(b) => parse_bool(name, value)? == b,
                    FixedValue::Int(n) => parse_u32(name, value)? == n,
                };
                if same {
                    Ok(String::new())
                } else {
                    Err(Error::Unsupported {
                        setting: name,
                        reason,
                    })
                }
            }
            Support::BeforeListening if live.listening() => Err(Error::WhileListening(name)),
            _ => {
                self.set(id, name, value)?;
                Ok(String::new())
            }
        }
    }

    /// The value of a readable setting, as the seed prints it.
    fn get(&self, id: Id, support: Support) -> String {
        if let Support::Fixed(fixed, _) = support {
            return match fixed {
                FixedValue::Bool(b) => print_bool(b),
                FixedValue::Int(n) => n.to_string(),
            };
        }
        match id {
            Id::DefaultIdleTimeout => self.default_idle_timeout.as_secs().to_string(),
            Id::KeepAlive => print_bool(self.keep_alive),
            Id::LocalHost => self.local_host.clone(),
            Id::LocalPort => self.local_port.to_string(),
            Id::SslAuthenticateClients => print_bool(self.ssl_authenticate_clients),
            Id::KeepAliveInterval => self.keep_alive_interval.as_secs().to_string(),
            Id::KeepAliveMode => self.keep_alive_mode.as_u8().to_string(),
            Id::KeepAliveTime => self.keep_alive_time.as_secs().to_string(),
            Id::LogLevel => self.log_level.as_u8().to_string(),
            Id::MaxConnections => self.max_connections.to_string(),
            Id::DontFragment => print_bool(self.dont_fragment),
            Id::MaxPacketSize => self.max_packet_size.to_string(),
            Id::QosDscpValue => self.qos_dscp.value().to_string(),
            Id::ShareLocalPort => print_bool(self.share_local_port),
            Id::ReuseSslSession => print_bool(self.reuse_ssl_session),
            Id::UseIpv6 => print_bool(self.use_ipv6),
            Id::InBufferSize => self.in_buffer_size.map_or(0, NonZeroUsize::get).to_string(),
            Id::OutBufferSize => self
                .out_buffer_size
                .map_or(0, NonZeroUsize::get)
                .to_string(),
            Id::LogSslPackets => print_bool(self.log_ssl_packets),
            Id::SslCaCerts => self.ssl_ca_certs.clone(),
            Id::SslCipherStrength => self.ssl_cipher_strength.to_string(),
            Id::SslClientCaCerts => self.ssl_client_ca_certs.clone(),
            Id::SslEnabledCipherSuites => {
                if self.cipher_suites == CipherSuite::ALL {
                    "*".to_owned()
                } else {
                    let names: Vec<&str> = self.cipher_suites.iter().map(|s| s.name()).collect();
                    names.join(";")
                }
            }
            Id::SslEnabledProtocols => self.ssl_enabled_protocols.bits().to_string(),
            Id::SslEnableRenegotiation => print_bool(self.ssl_enable_renegotiation),
            Id::SslKeyLogFile => self
                .ssl_key_log_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            Id::SslSecurityFlags => self.ssl_security_flags.bits().to_string(),
            Id::Tls12SignatureAlgorithms => self.signature_algorithms.join(","),
            Id::Tls12SupportedGroups => self.supported_groups.join(","),
            Id::BuildInfo => build_info(),
            Id::CodePage => self.code_page.id().to_string(),
            // Properties and settings handled before `get` is reached
            // (Property, Unsupported, PerConnection, Fixed): unreachable,
            // but an empty string is a harmless answer.
            _ => String::new(),
        }
    }

    /// Parses and stores a writable setting.
    fn set(&mut self, id: Id, name: &'static str, raw: &str) -> Result<(), Error> {
        let value = raw.trim();
        match id {
            Id::DefaultIdleTimeout => self.default_idle_timeout = parse_secs(name, value, 0)?,
            Id::KeepAlive => self.keep_alive = parse_bool(name, value)?,
            Id::LocalHost => self.local_host = value.to_owned(),
            Id::LocalPort => {
                let port = parse_u32(name, value)?;
                self.local_port = u16::try_from(port)
                    .map_err(|_| invalid(name, value, "a UDP port is 0 to 65535".to_owned()))?;
            }
            Id::SslAuthenticateClients => self.ssl_authenticate_clients = parse_bool(name, value)?,
            Id::KeepAliveInterval => self.keep_alive_interval = parse_secs(name, value, 1)?,
            Id::KeepAliveMode => {
                self.keep_alive_mode = match value.to_ascii_lowercase().as_str() {
                    "1" | "peer_allowed_to_send" => KeepAliveMode::PeerAllowedToSend,
                    "2" | "peer_not_allowed_to_send" => KeepAliveMode::PeerNotAllowedToSend,
                    _ => {
                        return Err(invalid(
                            name,
                            value,
                            "must be 1 (peer_allowed_to_send) or 2 (peer_not_allowed_to_send)"
                                .to_owned(),
                        ));
                    }
                }
            }
            Id::KeepAliveTime => self.keep_alive_time = parse_secs(name, value, 1)?,
            Id::LogLevel => {
                self.log_level = parse_u32(name, value)
                    .ok()
                    .and_then(|n| u8::try_from(n).ok())
                    .and_then(LogLevel::from_u8)
                    .ok_or_else(|| {
                        invalid(
                            name,
                            value,
                            "must be 0 (None), 1 (Info), 2 (Verbose) or 3 (Debug)".to_owned(),
                        )
                    })?;
            }
            Id::MaxConnections => {
                self.max_connections = parse_usize(name, value)
                    .ok()
                    .and_then(NonZeroUsize::new)
                    .ok_or_else(|| {
                        invalid(
                            name,
                            value,
                            "must be at least 1 (StopListening refuses new connections)".to_owned(),
                        )
                    })?;
            }
            Id::DontFragment => self.dont_fragment = parse_bool(name, value)?,
            Id::MaxPacketSize => self.set_max_packet_size(parse_usize(name, value)?)?,
            Id::QosDscpValue => {
                self.qos_dscp = parse_u32(name, value)
                    .ok()
                    .and_then(|n| u8::try_from(n).ok())
                    .and_then(Dscp::new)
                    .ok_or_else(|| invalid(name, value, "a DSCP is 0 to 63".to_owned()))?;
            }
            Id::ShareLocalPort => self.share_local_port = parse_bool(name, value)?,
            Id::ReuseSslSession => self.reuse_ssl_session = parse_bool(name, value)?,
            Id::UseIpv6 => self.use_ipv6 = parse_bool(name, value)?,
            Id::InBufferSize => self.in_buffer_size = NonZeroUsize::new(parse_usize(name, value)?),
            Id::OutBufferSize => {
                self.out_buffer_size = NonZeroUsize::new(parse_usize(name, value)?);
            }
            Id::LogSslPackets => self.log_ssl_packets = parse_bool(name, value)?,
            Id::SslCaCerts => self.set_ssl_ca_certs(value)?,
            Id::SslCipherStrength => {
                let bits = parse_u32(name, value)?;
                let bits = u16::try_from(bits).unwrap_or(u16::MAX);
                self.set_ssl_cipher_strength(bits)?;
            }
            Id::SslClientCaCerts => self.set_ssl_client_ca_certs(value)?,
            Id::SslEnabledCipherSuites => {
                let suites = dtls_crypto::suites::parse_suite_list(value)
                    .map_err(|e| invalid(name, value, e.to_string()))?;
                self.set_cipher_suites(&suites)?;
            }
            Id::SslEnabledProtocols => {
                let bits = parse_u32(name, value)?;
                self.ssl_enabled_protocols =
                    SslProtocols::from_bits(bits).map_err(|reason| invalid(name, value, reason))?;
            }
            Id::SslEnableRenegotiation => self.ssl_enable_renegotiation = parse_bool(name, value)?,
            Id::SslKeyLogFile => {
                self.ssl_key_log_file = if value.is_empty() {
                    None
                } else {
                    Some(PathBuf::from(value))
                };
            }
            Id::SslSecurityFlags => {
                self.ssl_security_flags = SslSecurityFlags(parse_u32(name, value)?);
            }
            Id::Tls12SignatureAlgorithms => self.set_signature_algorithms(value)?,
            Id::Tls12SupportedGroups => self.set_supported_groups(value)?,
            Id::CodePage => {
                let id = parse_u32(name, value)?;
                self.code_page = CodePage::from_id(id).ok_or_else(|| {
                    let supported: Vec<String> = CodePage::ALL
                        .iter()
                        .map(|c| format!("{} ({})", c.id(), c.name()))
                        .collect();
                    invalid(
                        name,
                        value,
                        format!(
                            "code page {id} is not supported; supported: 0 (system default, \
                             UTF-8), {}",
                            supported.join(", ")
                        ),
                    )
                })?;
            }
            // Not writable: the dispatch in `config_with` never gets here
            // for these.
            _ => return Err(Error::ReadOnly(name)),
        }
        Ok(())
    }
}

fn negotiated_value(id: Id, n: &NegotiatedInfo) -> String {
    match id {
        Id::SslNegotiatedCipher => n.cipher_suite.bulk().name().to_owned(),
        Id::SslNegotiatedCipherStrength => n.cipher_suite.bulk().strength_bits().to_string(),
        Id::SslNegotiatedCipherSuite => n.cipher_suite.name().to_owned(),
        Id::SslNegotiatedKeyExchange => n.key_exchange().to_owned(),
        Id::SslNegotiatedKeyExchangeStrength => n.key_exchange_strength.unwrap_or(0).to_string(),
        Id::SslNegotiatedVersion => n.version.clone(),
        _ => String::new(),
    }
}

fn invalid(setting: &'static str, value: impl ToString, reason: String) -> Error {
    Error::InvalidValue {
        setting,
        value: value.to_string(),
        reason,
    }
}

fn print_bool(b: bool) -> String {
    if b { "True" } else { "False" }.to_owned()
}

/// The seed's boolean spellings: True/False, 1/0, Yes/No, any case.
fn parse_bool(setting: &'static str, value: &str) -> Result<bool, Error> {
    let v = value.trim();
    if ["true", "1", "yes"]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
    {
        Ok(true)
    } else if ["false", "0", "no"]
        .iter()
        .any(|f| v.eq_ignore_ascii_case(f))
    {
        Ok(false)
    } else {
        Err(invalid(
            setting,
            v,
            "not a boolean: use True, False, 1, 0, Yes or No".to_owned(),
        ))
    }
}

/// A non-negative integer, decimal or `0x` hexadecimal.
fn parse_u64(setting: &'static str, value: &str) -> Result<u64, Error> {
    let v = value.trim();
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse::<u64>(),
    };
    parsed.map_err(|_| {
        invalid(
            setting,
            v,
            "not a non-negative integer (decimal, or hexadecimal with 0x)".to_owned(),
        )
    })
}

fn parse_u32(setting: &'static str, value: &str) -> Result<u32, Error> {
    let n = parse_u64(setting, value)?;
    u32::try_from(n).map_err(|_| invalid(setting, value.trim(), "too large".to_owned()))
}

fn parse_usize(setting: &'static str, value: &str) -> Result<usize, Error> {
    let n = parse_u64(setting, value)?;
    usize::try_from(n).map_err(|_| invalid(setting, value.trim(), "too large".to_owned()))
}

/// Whole seconds, at least `min`.
fn parse_secs(setting: &'static str, value: &str, min: u64) -> Result<Duration, Error> {
    let secs = parse_u64(setting, value)?;
    if secs < min {
        return Err(invalid(
            setting,
            value.trim(),
            format!("must be at least {min} second(s)"),
        ));
    }
    Ok(Duration::from_secs(secs))
}

/// Accepts an empty string or one or more PEM `CERTIFICATE` blocks, with
/// anything outside the blocks limited to blanks (CR/LF separators).
fn check_pem(setting: &'static str, pem: &str) -> Result<(), Error> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let shown = || {
        let mut s: String = pem.chars().take(40).collect();
        if pem.chars().count() > 40 {
            s.push_str("...");
        }
        s
    };
    let mut rest = pem.trim();
    while !rest.is_empty() {
        let Some(after_begin) = rest.strip_prefix(BEGIN) else {
            return Err(invalid(
                setting,
                shown(),
                format!(
                    "expected PEM certificates separated by newlines, each starting with {BEGIN}"
                ),
            ));
        };
        let Some((body, after_end)) = after_begin.split_once(END) else {
            return Err(invalid(
                setting,
                shown(),
                format!("a certificate is missing its {END} line"),
            ));
        };
        let body_ok = !body.trim().is_empty()
            && body.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') || c.is_ascii_whitespace()
            });
        if !body_ok {
            return Err(invalid(
                setting,
                shown(),
                "a certificate's body is not base64".to_owned(),
            ));
        }
        rest = after_end.trim_start();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
