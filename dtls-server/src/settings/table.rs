//! The settings table, written once: every name of the seed in the seed's
//! order, how it is supported, and, for the ones held by
//! [`ServerSettings`], the field, its type, its default and its
//! [`Codec`]. The `settings!` macro turns the table into the struct, its
//! `Default`, and [`SETTINGS`] (whose entries read and write the fields).

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use dtls_core::config::CertificateType;
use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::SignatureScheme;

use super::codec::{self, Codec, SeedText};
use super::types::{
    ConnectionInfoSource, Dscp, KeepAliveMode, LogLevel, NegotiatedInfo, SslProtocols,
    SslSecurityFlags,
};
use super::{CodePage, algorithms};
use crate::error::Error;

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
    /// Ours, not the seed's: a config setting for an engine limit the seed
    /// has no name for (the handshake deadline, the half-open caps).
    Extension,
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
    /// Read at any time; written only while the server has no socket
    /// (read when `StartListening` binds it; `Shutdown` releases it).
    WhileUnbound,
    /// Read and written at any time; a change applies to connections
    /// created after it (their handshake settings, limits and keep-alive)
    /// and at once to what is not per connection.
    NewConnections,
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

/// Where a setting's value comes from.
#[derive(Clone, Copy)]
pub(super) enum Access {
    /// Nowhere: the [`Support`] says everything (fixed, unsupported,
    /// property).
    None,
    /// A field of [`ServerSettings`], through its codec.
    Field {
        get: fn(&ServerSettings) -> String,
        set: fn(&mut ServerSettings, &'static str, &str) -> Result<(), Error>,
    },
    /// Computed (`BuildInfo`).
    Computed(fn() -> String),
    /// One connection's negotiated parameters (`SSLNegotiated*[connId]`).
    Negotiated(fn(&NegotiatedInfo) -> String),
}

/// One name of the seed and how it is supported.
#[derive(Clone, Copy)]
pub struct SettingInfo {
    /// The seed's spelling.
    pub name: &'static str,
    /// Config setting, property, or both.
    pub origin: Origin,
    /// Whether and how it works.
    pub support: Support,
    pub(super) access: Access,
}

impl std::fmt::Debug for SettingInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingInfo")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .field("support", &self.support)
            .finish_non_exhaustive()
    }
}

impl SettingInfo {
    /// The value as the seed prints it (fixed, field or computed
    /// settings; empty for the others, which `config` refuses earlier).
    pub(super) fn read(&self, settings: &ServerSettings) -> String {
        match (self.support, self.access) {
            (Support::Fixed(FixedValue::Bool(b), _), _) => b.seed_text(),
            (Support::Fixed(FixedValue::Int(n), _), _) => n.to_string(),
            (_, Access::Field { get, .. }) => get(settings),
            (_, Access::Computed(compute)) => compute(),
            _ => String::new(),
        }
    }

    /// Parses `value` (trimmed) into the setting's field; a fixed setting
    /// accepts only its one value.
    pub(super) fn write(&self, settings: &mut ServerSettings, value: &str) -> Result<(), Error> {
        let (name, value) = (self.name, value.trim());
        match (self.support, self.access) {
            (Support::Fixed(fixed, reason), _) => {
                let same = match fixed {
                    FixedValue::Bool(b) => codec::parse_bool(name, value)? == b,
                    FixedValue::Int(n) => codec::parse_u32(name, value)? == n,
                };
                if same {
                    Ok(())
                } else {
                    Err(Error::Unsupported {
                        setting: name,
                        reason,
                    })
                }
            }
            (Support::ReadOnly, _) => Err(Error::ReadOnly(name)),
            (_, Access::Field { set, .. }) => set(settings, name, value),
            _ => Err(Error::ReadOnly(name)),
        }
    }

    /// `Name[connId]` of a per-connection setting: read-only, and the id
    /// must name a connection `live` knows.
    pub(super) fn read_connection(
        &self,
        index: Option<&str>,
        writing: bool,
        live: &dyn ConnectionInfoSource,
    ) -> Result<String, Error> {
        let name = self.name;
        if writing {
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
        let negotiated = live
            .negotiated(conn_id)
            .ok_or_else(|| Error::UnknownConnection {
                setting: name,
                connection_id: conn_id.to_owned(),
            })?;
        match self.access {
            Access::Negotiated(read) => Ok(read(&negotiated)),
            _ => Ok(String::new()),
        }
    }
}

/// The `Access` of one table entry: a field through its codec, an explicit
/// access, or none.
macro_rules! access {
    () => {
        Access::None
    };
    (field $field:ident $codec:expr) => {
        Access::Field {
            get: |s| SeedText::seed_text(&s.$field),
            set: |s, name, value| {
                s.$field = Codec::parse(&$codec, name, value)?;
                Ok(())
            },
        }
    };
    (access $access:expr) => {
        $access
    };
}

/// Declares [`ServerSettings`] and [`SETTINGS`] from one table. An entry is
/// `"Name", origin, support` followed by either
/// `field { doc; vis name: Type = default, codec }` or `access = ...`, or
/// nothing.
macro_rules! settings {
    (
        $(#[$struct_meta:meta])*
        pub struct $settings:ident;
        $(
            $name:literal, $origin:expr, $support:expr
            $(, field {
                $(#[$field_meta:meta])*
                $vis:vis $field:ident : $ty:ty = $default:expr, $codec:expr
            })?
            $(, access = $access:expr)?
            ;
        )*
    ) => {
        $(#[$struct_meta])*
        pub struct $settings {
            $($(
                $(#[$field_meta])*
                $vis $field: $ty,
            )?)*
        }

        impl Default for $settings {
            fn default() -> Self {
                $settings {
                    $($( $field: $default, )?)*
                }
            }
        }

        /// Every property and config setting of the seed (both editions),
        /// in the seed's order, and how each is supported.
        pub const SETTINGS: &[SettingInfo] = &[
            $(
                SettingInfo {
                    name: $name,
                    origin: $origin,
                    support: $support,
                    access: access!($(field $field $codec)? $(access $access)?),
                },
            )*
        ];
    };
}

use Origin::{Both, ConfigSetting as Cfg, Extension as Ext, Property as Prop};
use Support::{
    Fixed, NewConnections, PerConnection, ReadOnly, ReadWrite, Unsupported, WhileUnbound,
};

const WINDOWS_PKTINFO: &str = "Windows-only (seed); the server does not capture IP packet info";
const REVOCATION: &str = "revocation checking (CRL/OCSP) is not implemented; in the seed it \
     checks the server certificate seen by a client, and is Windows-only in C++";

settings! {
    /// The seed's properties and config settings, typed.
    ///
    /// Fields whose type admits only valid values are public; the others are
    /// read with a getter and written with a validating setter.
    /// [`Default`] holds the seed's documented defaults; where the seed
    /// documents none, the field's doc says what was chosen and why.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ServerSettings;

    // Properties.
    "Connections", Prop, Support::Property("DtlsServer::connections()");
    "DefaultIdleTimeout", Prop, ReadWrite, field {
        /// `DefaultIdleTimeout` (property, seconds): connections idle this long
        /// are dropped; zero (the default) disables the timeout.
        pub default_idle_timeout: Duration = Duration::ZERO, codec::Seconds(0)
    };
    "KeepAlive", Prop, NewConnections, field {
        /// `KeepAlive` (property): RFC 6520 heartbeats. Default false.
        pub keep_alive: bool = false, codec::Bool
    };
    "Listening", Prop, Support::Property("DtlsServer::listening()");
    "LocalHost", Both, WhileUnbound, field {
        /// `LocalHost` (property and setting): the interface to bind, as an IP
        /// address or host name; empty (the default) binds every interface.
        pub local_host: String = String::new(), codec::Text
    };
    "LocalPort", Both, WhileUnbound, field {
        /// `LocalPort` (property and setting): the UDP port; 0 (the default)
        /// lets the system choose.
        pub local_port: u16 = 0, codec::Port
    };
    "SSLAuthenticateClients", Prop, NewConnections, field {
        /// `SSLAuthenticateClients` (property): send a CertificateRequest.
        /// Default false.
        pub ssl_authenticate_clients: bool = false, codec::Bool
    };
    "SSLCert", Prop,
        Support::Property("DtlsServer::set_ssl_cert() with a dtls_crypto::cert::Certificate");

    // DTLSServer config settings.
    "KeepAliveInterval", Cfg, ReadWrite, field {
        /// `KeepAliveInterval`: delay between unanswered HeartbeatRequests.
        /// Default 2 s; at least 1 s.
        pub keep_alive_interval: Duration = Duration::from_secs(2), codec::Seconds(1)
    };
    "KeepAliveMode", Cfg, NewConnections, field {
        /// `KeepAliveMode`. Default [`KeepAliveMode::PeerAllowedToSend`].
        pub keep_alive_mode: KeepAliveMode = KeepAliveMode::PeerAllowedToSend,
            codec::KeepAliveModes
    };
    "KeepAliveTime", Cfg, ReadWrite, field {
        /// `KeepAliveTime`: inactivity before a HeartbeatRequest. Default 60 s;
        /// at least 1 s.
        pub keep_alive_time: Duration = Duration::from_secs(60), codec::Seconds(1)
    };
    "LogLevel", Cfg, ReadWrite, field {
        /// `LogLevel`. Default [`LogLevel::Info`].
        pub log_level: LogLevel = LogLevel::Info, codec::LogLevels
    };
    "MaxConnections", Cfg, NewConnections, field {
        /// `MaxConnections`. The seed documents no default ("no predefined
        /// limit"); 10 000, the engine's default, bounds the state a flood of
        /// handshakes can create.
        pub max_connections: NonZeroUsize =
            NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN), codec::ConnectionLimit
    };

    // UDP config settings.
    "CaptureIPPacketInfo", Cfg, Unsupported(WINDOWS_PKTINFO);
    "DelayHostResolution", Cfg, Unsupported(
        "client-only: it concerns RemoteHost, which a server does not have; LocalHost is \
         resolved by StartListening",
    );
    "DestinationAddress", Cfg, Unsupported(WINDOWS_PKTINFO);
    "DontFragment", Cfg, WhileUnbound, field {
        /// `DontFragment`: set the IP Don't Fragment flag (Linux
        /// `IP_MTU_DISCOVER` / `IPV6_MTU_DISCOVER` = `PMTUDISC_DO`), and
        /// keep each application record within the MTU so no datagram
        /// needs fragmenting (`send_bytes` larger than that is an error).
        /// Default false.
        pub dont_fragment: bool = false, codec::Bool
    };
    "MaxPacketSize", Cfg, NewConnections, field {
        /// `MaxPacketSize` (see [`ServerSettings::max_packet_size`]).
        pub(super) max_packet_size: usize = codec::MAX_UDP_PAYLOAD, codec::PacketSize
    };
    "QOSDSCPValue", Cfg, WhileUnbound, field {
        /// `QOSDSCPValue`, applied as `IP_TOS` / `IPV6_TCLASS`. Default 0
        /// (leave alone).
        pub qos_dscp: Dscp = Dscp::default(), codec::DscpValue
    };
    "QOSTrafficType", Cfg, Unsupported(
        "Windows-only (the qWAVE API); set QOSDSCPValue instead, which is applied as \
         IP_TOS / IPV6_TCLASS",
    );
    "ShareLocalPort", Cfg, WhileUnbound, field {
        /// `ShareLocalPort`: `SO_REUSEPORT` (Unix) so several servers can bind
        /// the same port. Default false.
        pub share_local_port: bool = false, codec::Bool
    };
    "UseConnection", Cfg, Fixed(
        FixedValue::Bool(false),
        "the server answers every peer from one unconnected socket; a connected socket \
         would exchange datagrams with one peer only",
    );
    "UseIPv6", Cfg, WhileUnbound, field {
        /// `UseIPv6`: bind an IPv6 socket. Default false.
        pub use_ipv6: bool = false, codec::Bool
    };

    // Socket config settings.
    "AbsoluteTimeout", Cfg, Fixed(
        FixedValue::Bool(false),
        "not valid for UDP (seed); use DefaultIdleTimeout to drop idle connections",
    );
    "FirewallData", Cfg, Unsupported(
        "firewalls and proxies are not supported: the server receives datagrams directly",
    );
    "InBufferSize", Cfg, WhileUnbound, field {
        /// `InBufferSize`: `SO_RCVBUF` in bytes; `None` (printed as 0, the
        /// default) keeps the system's size. The seed documents no default.
        pub in_buffer_size: Option<NonZeroUsize> = None, codec::BufferSize
    };
    "OutBufferSize", Cfg, WhileUnbound, field {
        /// `OutBufferSize`: `SO_SNDBUF` in bytes; `None` (printed as 0, the
        /// default) keeps the system's size. The seed documents no default.
        pub out_buffer_size: Option<NonZeroUsize> = None, codec::BufferSize
    };

    // SSL config settings.
    "LogSSLPackets", Cfg, ReadWrite, field {
        /// `LogSSLPackets`: report every DTLS record sent or received through
        /// the `SSLStatus` event. Default false.
        pub log_ssl_packets: bool = false, codec::Bool
    };
    "ReuseSSLSession", Cfg, NewConnections, field {
        /// `ReuseSSLSession`: let clients resume sessions (abbreviated
        /// handshakes, RFC 5246 7.3) by session ID from the server's cache and
        /// by RFC 5077 tickets. Default true: what a server is expected to do.
        pub reuse_ssl_session: bool = true, codec::Bool
    };
    "SSLCACerts", Cfg, NewConnections, field {
        /// `SSLCACerts` (see [`ServerSettings::ssl_ca_certs`]).
        pub(super) ssl_ca_certs: String = String::new(), codec::Pem
    };
    "SSLCertificateTypes", Ext, NewConnections, field {
        /// `SSLCertificateTypes` (extension): how the server may present
        /// its certificate, in preference order: `X509`, `RawPublicKey`
        /// (its key alone, RFC 7250, to clients that ask for it), or both.
        /// Default `X509` (`ServerConfig::certificate_types`).
        pub certificate_types: Vec<CertificateType> = vec![CertificateType::X509], codec::CertificateTypes
    };
    "SSLCheckCRL", Cfg, Fixed(FixedValue::Int(0), REVOCATION);
    "SSLCheckOCSP", Cfg, Fixed(FixedValue::Int(0), REVOCATION);
    "SSLCipherStrength", Cfg, NewConnections, field {
        /// `SSLCipherStrength` (see [`ServerSettings::ssl_cipher_strength`]).
        pub(super) ssl_cipher_strength: u16 = 0, codec::CipherStrength
    };
    "SSLClientCACerts", Cfg, NewConnections, field {
        /// `SSLClientCACerts` (see [`ServerSettings::ssl_client_ca_certs`]).
        pub(super) ssl_client_ca_certs: String = String::new(), codec::Pem
    };
    "SSLClientCertificateTypes", Ext, NewConnections, field {
        /// `SSLClientCertificateTypes` (extension): what the server takes
        /// from clients when `SSLAuthenticateClients` asks for one:
        /// `X509`, `RawPublicKey` (RFC 7250; trusted keys are set with
        /// `DtlsServer::set_trusted_client_keys`), or both. Default `X509`.
        pub client_certificate_types: Vec<CertificateType> = vec![CertificateType::X509], codec::CertificateTypes
    };
    "SSLEnabledCipherSuites", Cfg, NewConnections, field {
        /// `SSLEnabledCipherSuites` (see [`ServerSettings::cipher_suites`]).
        pub(super) cipher_suites: Vec<CipherSuite> = CipherSuite::ALL.to_vec(), codec::Suites
    };
    "SSLEnabledProtocols", Cfg, NewConnections, field {
        /// `SSLEnabledProtocols`. Default (and only value) 3072, DTLS 1.2.
        pub ssl_enabled_protocols: SslProtocols = SslProtocols::TLS1_2, codec::Protocols
    };
    "SSLEnableRenegotiation", Cfg, Fixed(
        FixedValue::Bool(false),
        "renegotiation is not implemented: a ClientHello on an established connection is \
         refused with a no_renegotiation warning (RFC 5246 7.2.2), and renegotiation_info is \
         answered as RFC 5746 requires; reconnect for new keys",
    );
    "SSLKeyLogFile", Cfg, ReadWrite, field {
        /// `SSLKeyLogFile`: where session secrets are appended in the NSS key
        /// log format (`CLIENT_RANDOM <client random> <master secret>`, from
        /// the engine's `key_log_line`). Default none.
        pub ssl_key_log_file: Option<PathBuf> = None, codec::OptionalPath
    };
    "SSLNegotiatedCipher", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.cipher_suite.bulk().name().to_owned());
    "SSLNegotiatedCipherStrength", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.cipher_suite.bulk().strength_bits().to_string());
    "SSLNegotiatedCipherSuite", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.cipher_suite.name().to_owned());
    "SSLNegotiatedKeyExchange", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.key_exchange().to_owned());
    "SSLNegotiatedKeyExchangeStrength", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.key_exchange_strength.unwrap_or(0).to_string());
    "SSLNegotiatedPSKIdentity", Ext, PerConnection,
        access = Access::Negotiated(|n| {
            n.psk_identity
                .as_deref()
                .map(|id| String::from_utf8_lossy(id).into_owned())
                .unwrap_or_default()
        });
    "SSLNegotiatedVersion", Cfg, PerConnection,
        access = Access::Negotiated(|n| n.version.clone());
    "SSLSecurityFlags", Cfg, NewConnections, field {
        /// `SSLSecurityFlags`. Default [`SslSecurityFlags::NONE`].
        pub ssl_security_flags: SslSecurityFlags = SslSecurityFlags::NONE, codec::SecurityFlags
    };
    "SSLServerCACerts", Cfg, Unsupported(
        "client-only (seed): a server validates client certificates with SSLClientCACerts",
    );
    "TLS12SignatureAlgorithms", Cfg, NewConnections, field {
        /// `TLS12SignatureAlgorithms` (see
        /// [`ServerSettings::signature_algorithms`]).
        pub(super) signature_algorithms: Vec<SignatureScheme> = algorithms::DEFAULT_SIGNATURES.to_vec(),
            codec::Signatures
    };
    "TLS12SupportedGroups", Cfg, NewConnections, field {
        /// `TLS12SupportedGroups` (see [`ServerSettings::supported_groups`]).
        pub(super) supported_groups: Vec<NamedGroup> = algorithms::DEFAULT_GROUPS.to_vec(), codec::Groups
    };

    // Base config settings.
    "BuildInfo", Cfg, ReadOnly, access = Access::Computed(build_info);
    "CodePage", Cfg, ReadWrite, field {
        /// `CodePage`: the encoding of `SendText` and of the text view of
        /// `DataIn`. The seed's text for the default is cut off; UTF-8 (65001,
        /// which `0`, "the system code page", means here) is the default.
        pub code_page: CodePage = CodePage::Utf8, codec::CodePages
    };
    "GUIAvailable", Cfg, Fixed(
        FixedValue::Bool(false),
        "there is no GUI message loop: DoEvents is the event loop",
    );
    "LicenseInfo", Cfg, Unsupported(
        "no licensing: dtls-server is free software (MIT OR Apache-2.0) and needs no license key",
    );
    "MaskSensitiveData", Cfg, Fixed(
        FixedValue::Bool(true),
        "the Log event never carries secrets (key material goes only to SSLKeyLogFile), so \
         there is nothing to unmask",
    );
    "UseDaemonThreads", Cfg, Unsupported(
        "Java-only (seed): dtls-server starts no threads; events fire inside DoEvents",
    );
    "UseInternalSecurityAPI", Cfg, Fixed(
        FixedValue::Bool(true),
        "the internal pure-Rust implementation (dtls-crypto) is the only one; there is no \
         system security library to switch to",
    );

    // Extensions: engine limits the seed has no name for (docs/security.md).
    "HandshakeTimeout", Ext, NewConnections, field {
        /// `HandshakeTimeout` (extension): seconds from a connection's
        /// creation by which its handshake must be complete, whatever the
        /// peer sends. Default 60; at least 1.
        pub handshake_timeout: Duration = Duration::from_secs(60), codec::Seconds(1)
    };
    "MaxHalfOpen", Ext, NewConnections, field {
        /// `MaxHalfOpen` (extension): most handshakes under way at once,
        /// apart from `MaxConnections`. At the cap the oldest yields to a
        /// newer client that passed the cookie. Default 1000.
        pub max_half_open: NonZeroUsize =
            NonZeroUsize::new(1_000).unwrap_or(NonZeroUsize::MIN), codec::ConnectionLimit
    };
    "ConnectionIdLength", Ext, NewConnections, field {
        /// `ConnectionIdLength` (extension): connection IDs (RFC 9146) of
        /// this many bytes for clients that offer them, so a client keeps
        /// its association when its address changes (NAT rebinding); 0
        /// takes the client's CID but routes by address; -1 (the default)
        /// ignores the extension (`ServerConfig::connection_id_length`).
        pub connection_id_length: Option<u8> = None, codec::CidLength
    };
    "MaxHalfOpenPerSource", Ext, NewConnections, field {
        /// `MaxHalfOpenPerSource` (extension): most handshakes under way
        /// from one IP address. Default 16.
        pub max_half_open_per_source: NonZeroUsize =
            NonZeroUsize::new(16).unwrap_or(NonZeroUsize::MIN), codec::ConnectionLimit
    };
    "PackHandshakeMessages", Ext, NewConnections, field {
        /// `PackHandshakeMessages` (extension): let whole handshake
        /// messages of a flight share a record, so a flight takes fewer
        /// datagrams. Default false: tinydtls reads one message per record
        /// (`CommonConfig::pack_handshake_messages`). pion/dtls v2 clients
        /// that resume through a `SessionStore` need it (docs/interop.md).
        pub pack_handshake_messages: bool = false, codec::Bool
    };
    "PeerBufferBudget", Ext, NewConnections, field {
        /// `PeerBufferBudget` (extension): most bytes all connections
        /// together hold for their peers (handshake reassembly, early
        /// records, unread data); handshakes under way get at most half.
        /// Default 67108864 (64 MiB); at least 262144.
        pub peer_buffer_budget: usize = 64 * 1024 * 1024, codec::Bytes(256 * 1024)
    };
}

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
