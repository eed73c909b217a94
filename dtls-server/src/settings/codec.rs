//! The string form of each kind of setting value: how `config("Name=Value")`
//! parses it (with the seed's spellings and this project's refusal
//! reasons) and how `config("Name")` prints it. Each [`Codec`] is named
//! once per setting in the table (`settings/table.rs`).

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use dtls_core::config::CertificateType;
use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::SignatureScheme;

use super::CodePage;
use super::algorithms;
use super::types::{Dscp, KeepAliveMode, LogLevel, SslProtocols, SslSecurityFlags};
use crate::error::Error;

/// Parses one kind of setting value. `setting` is the seed's spelling of
/// the name, for the error; `value` is already trimmed. How the value is
/// printed depends on its type alone: [`SeedText`].
pub(super) trait Codec {
    /// The typed value held in [`ServerSettings`](super::ServerSettings).
    type Value: SeedText;
    /// The typed value of `value`, or why it is refused.
    fn parse(&self, setting: &'static str, value: &str) -> Result<Self::Value, Error>;
}

/// A setting value as `config("Name")` prints it.
pub(super) trait SeedText {
    /// The value as the seed prints it.
    fn seed_text(&self) -> String;
}

/// Implements [`SeedText`] for each type, with `|value| text`.
macro_rules! seed_text {
    ($($ty:ty => |$value:ident| $text:expr;)*) => {
        $(
            impl SeedText for $ty {
                fn seed_text(&self) -> String {
                    let $value = self;
                    $text
                }
            }
        )*
    };
}

seed_text! {
    bool => |b| if *b { "True" } else { "False" }.to_owned();
    Duration => |d| d.as_secs().to_string();
    String => |text| text.clone();
    u16 => |n| n.to_string();
    usize => |n| n.to_string();
    NonZeroUsize => |n| n.to_string();
    Option<NonZeroUsize> => |size| size.map_or(0, NonZeroUsize::get).to_string();
    KeepAliveMode => |mode| mode.as_u8().to_string();
    LogLevel => |level| level.as_u8().to_string();
    Dscp => |dscp| dscp.value().to_string();
    SslProtocols => |mask| mask.bits().to_string();
    SslSecurityFlags => |flags| flags.bits().to_string();
    CodePage => |page| page.id().to_string();
    Option<PathBuf> => |path| path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    Vec<SignatureScheme> => |schemes| algorithms::format_signatures(schemes);
    Vec<NamedGroup> => |groups| algorithms::format_groups(groups);
    Option<u8> => |len| len.map_or_else(|| "-1".to_owned(), |n| n.to_string());
    Vec<CertificateType> => |types| {
        let names: Vec<&str> = types.iter().map(|t| certificate_type_name(*t)).collect();
        names.join(",")
    };
    // `*` for all of them, else the IANA names separated by `;`.
    Vec<CipherSuite> => |suites| {
        if suites.as_slice() == CipherSuite::ALL {
            return "*".to_owned();
        }
        let names: Vec<&str> = suites.iter().map(|s| s.name()).collect();
        names.join(";")
    };
}

/// The seed's booleans: True/False, 1/0, Yes/No in any case; printed
/// `True` / `False`.
pub(super) struct Bool;

impl Codec for Bool {
    type Value = bool;
    fn parse(&self, setting: &'static str, value: &str) -> Result<bool, Error> {
        parse_bool(setting, value)
    }
}

/// Whole seconds, at least `.0`.
pub(super) struct Seconds(pub(super) u64);

impl Codec for Seconds {
    type Value = Duration;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Duration, Error> {
        let min = self.0;
        let secs = parse_u64(setting, value)?;
        if secs < min {
            return Err(invalid(
                setting,
                value,
                format!("must be at least {min} second(s)"),
            ));
        }
        Ok(Duration::from_secs(secs))
    }
}

/// A byte count of at least `.0`.
pub(super) struct Bytes(pub(super) usize);

impl Codec for Bytes {
    type Value = usize;
    fn parse(&self, setting: &'static str, value: &str) -> Result<usize, Error> {
        let min = self.0;
        let n = parse_usize(setting, value)?;
        if n < min {
            return Err(invalid(
                setting,
                value,
                format!("must be at least {min} bytes"),
            ));
        }
        Ok(n)
    }
}

/// Free text, kept as given (blanks around it dropped).
pub(super) struct Text;

impl Codec for Text {
    type Value = String;
    fn parse(&self, _setting: &'static str, value: &str) -> Result<String, Error> {
        Ok(value.to_owned())
    }
}

/// A UDP port.
pub(super) struct Port;

impl Codec for Port {
    type Value = u16;
    fn parse(&self, setting: &'static str, value: &str) -> Result<u16, Error> {
        let port = parse_u32(setting, value)?;
        u16::try_from(port)
            .map_err(|_| invalid(setting, value, "a UDP port is 0 to 65535".to_owned()))
    }
}

/// `KeepAliveMode`: its number or its RFC 6520 name; printed as the number.
pub(super) struct KeepAliveModes;

impl Codec for KeepAliveModes {
    type Value = KeepAliveMode;
    fn parse(&self, setting: &'static str, value: &str) -> Result<KeepAliveMode, Error> {
        KeepAliveMode::from_seed_text(value).ok_or_else(|| {
            invalid_text(
                setting,
                value,
                "must be 1 (peer_allowed_to_send) or 2 (peer_not_allowed_to_send)",
            )
        })
    }
}

/// `LogLevel`, 0-3.
pub(super) struct LogLevels;

impl Codec for LogLevels {
    type Value = LogLevel;
    fn parse(&self, setting: &'static str, value: &str) -> Result<LogLevel, Error> {
        parse_checked(
            setting,
            value,
            LogLevel::from_u8,
            "must be 0 (None), 1 (Info), 2 (Verbose) or 3 (Debug)",
        )
    }
}

/// `MaxConnections`: at least one.
pub(super) struct ConnectionLimit;

impl Codec for ConnectionLimit {
    type Value = NonZeroUsize;
    fn parse(&self, setting: &'static str, value: &str) -> Result<NonZeroUsize, Error> {
        parse_checked(
            setting,
            value,
            NonZeroUsize::new,
            "must be at least 1 (StopListening refuses new connections)",
        )
    }
}

/// The largest UDP payload (IPv6 without jumbograms; IPv4's is 65507).
pub(super) const MAX_UDP_PAYLOAD: usize = 65_535;
/// The smallest `MaxPacketSize` accepted: room for a ClientHello.
const MIN_PACKET_SIZE: usize = 512;

/// `MaxPacketSize`, in bytes.
pub(super) struct PacketSize;

impl PacketSize {
    /// `size`, if it is in 512..=65535.
    pub(super) fn check(size: usize) -> Result<usize, Error> {
        if !(MIN_PACKET_SIZE..=MAX_UDP_PAYLOAD).contains(&size) {
            return Err(invalid(
                "MaxPacketSize",
                size,
                format!(
                    "must be {MIN_PACKET_SIZE} to {MAX_UDP_PAYLOAD} bytes (a ClientHello must fit)"
                ),
            ));
        }
        Ok(size)
    }
}

impl Codec for PacketSize {
    type Value = usize;
    fn parse(&self, setting: &'static str, value: &str) -> Result<usize, Error> {
        Self::check(parse_usize(setting, value)?)
    }
}

/// `QOSDSCPValue`, 0-63.
pub(super) struct DscpValue;

impl Codec for DscpValue {
    type Value = Dscp;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Dscp, Error> {
        parse_checked(setting, value, Dscp::new, "a DSCP is 0 to 63")
    }
}

/// A socket buffer size in bytes; 0 (`None`) keeps the system's.
pub(super) struct BufferSize;

impl Codec for BufferSize {
    type Value = Option<NonZeroUsize>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Option<NonZeroUsize>, Error> {
        Ok(NonZeroUsize::new(parse_usize(setting, value)?))
    }
}

/// Empty, or PEM `CERTIFICATE` blocks.
pub(super) struct Pem;

impl Pem {
    /// Accepts an empty string or one or more PEM `CERTIFICATE` blocks, with
    /// anything outside the blocks limited to blanks (CR/LF separators).
    pub(super) fn check(setting: &'static str, pem: &str) -> Result<(), Error> {
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
                    c.is_ascii_alphanumeric()
                        || matches!(c, '+' | '/' | '=')
                        || c.is_ascii_whitespace()
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
}

impl Codec for Pem {
    type Value = String;
    fn parse(&self, setting: &'static str, value: &str) -> Result<String, Error> {
        Self::check(setting, value)?;
        Ok(value.to_owned())
    }
}

/// The strongest bulk cipher implemented (AES-256, ChaCha20).
const MAX_CIPHER_STRENGTH: u16 = 256;

/// `SSLCipherStrength`, in bits.
pub(super) struct CipherStrength;

impl CipherStrength {
    /// `bits`, unless no implemented cipher is that strong.
    pub(super) fn check(bits: u16) -> Result<u16, Error> {
        if bits > MAX_CIPHER_STRENGTH {
            return Err(invalid(
                "SSLCipherStrength",
                bits,
                format!("no implemented cipher is stronger than {MAX_CIPHER_STRENGTH} bits"),
            ));
        }
        Ok(bits)
    }
}

impl Codec for CipherStrength {
    type Value = u16;
    fn parse(&self, setting: &'static str, value: &str) -> Result<u16, Error> {
        let bits = parse_u32(setting, value)?;
        Self::check(u16::try_from(bits).unwrap_or(u16::MAX))
    }
}

/// `SSLEnabledCipherSuites`: `*` or IANA names separated by `;` or `,`.
pub(super) struct Suites;

impl Suites {
    /// The list without duplicates (order kept), unless it is empty.
    pub(super) fn check(suites: &[CipherSuite]) -> Result<Vec<CipherSuite>, Error> {
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
        Ok(list)
    }
}

impl Codec for Suites {
    type Value = Vec<CipherSuite>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Vec<CipherSuite>, Error> {
        // Entries we refuse are skipped (DtlsServer::config logs each);
        // an unknown name, or nothing usable, is an error.
        let (suites, _refused) = dtls_crypto::suites::parse_suite_list_skipping_refused(value)
            .map_err(|e| invalid(setting, value, e.to_string()))?;
        Self::check(&suites)
    }
}

/// `SSLEnabledProtocols`, a bit mask.
pub(super) struct Protocols;

impl Codec for Protocols {
    type Value = SslProtocols;
    fn parse(&self, setting: &'static str, value: &str) -> Result<SslProtocols, Error> {
        let bits = parse_u32(setting, value)?;
        SslProtocols::from_bits(bits).map_err(|reason| invalid(setting, value, reason))
    }
}

/// A file path; empty means none.
pub(super) struct OptionalPath;

impl Codec for OptionalPath {
    type Value = Option<PathBuf>;
    fn parse(&self, _setting: &'static str, value: &str) -> Result<Option<PathBuf>, Error> {
        Ok((!value.is_empty()).then(|| PathBuf::from(value)))
    }
}

/// `SSLSecurityFlags`, a bit mask.
pub(super) struct SecurityFlags;

impl Codec for SecurityFlags {
    type Value = SslSecurityFlags;
    fn parse(&self, setting: &'static str, value: &str) -> Result<SslSecurityFlags, Error> {
        Ok(SslSecurityFlags(parse_u32(setting, value)?))
    }
}

/// `TLS12SignatureAlgorithms`: comma-separated seed or IANA names; empty
/// means every supported one.
pub(super) struct Signatures;

impl Codec for Signatures {
    type Value = Vec<SignatureScheme>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Vec<SignatureScheme>, Error> {
        // Refused entries are skipped (DtlsServer::config logs each).
        algorithms::parse_signatures(value)
            .map(|(schemes, _skipped)| schemes)
            .map_err(|reason| invalid(setting, value, reason))
    }
}

/// `TLS12SupportedGroups`: comma-separated seed or IANA names, not empty.
pub(super) struct Groups;

impl Codec for Groups {
    type Value = Vec<NamedGroup>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Vec<NamedGroup>, Error> {
        // Refused entries are skipped (DtlsServer::config logs each).
        algorithms::parse_groups(value)
            .map(|(groups, _skipped)| groups)
            .map_err(|reason| invalid(setting, value, reason))
    }
}

/// `SSLCertificateTypes` / `SSLClientCertificateTypes`: `X509` and/or
/// `RawPublicKey` (RFC 7250), comma-separated in preference order, any
/// case, not empty, no repeats.
pub(super) struct CertificateTypes;

impl Codec for CertificateTypes {
    type Value = Vec<CertificateType>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Vec<CertificateType>, Error> {
        let mut types = Vec::new();
        for name in value.split([',', ';']).map(str::trim) {
            let typ = match name.to_ascii_lowercase().as_str() {
                "x509" | "x.509" => CertificateType::X509,
                "rawpublickey" | "rpk" => CertificateType::RawPublicKey,
                _ => {
                    return Err(invalid(
                        setting,
                        value,
                        format!("unknown certificate type {name:?}: use X509 and/or RawPublicKey"),
                    ));
                }
            };
            if types.contains(&typ) {
                return Err(invalid_text(
                    setting,
                    value,
                    "a certificate type is listed twice",
                ));
            }
            types.push(typ);
        }
        Ok(types)
    }
}

/// The name a certificate type is written with.
fn certificate_type_name(typ: CertificateType) -> &'static str {
    match typ {
        CertificateType::RawPublicKey => "RawPublicKey",
        _ => "X509",
    }
}

/// `ConnectionIdLength`: -1 (no connection IDs) or 0 to 32 bytes
/// (RFC 9146; 32 is what mbedTLS accepts).
pub(super) struct CidLength;

impl Codec for CidLength {
    type Value = Option<u8>;
    fn parse(&self, setting: &'static str, value: &str) -> Result<Option<u8>, Error> {
        match value.parse::<i16>() {
            Ok(-1) => Ok(None),
            Ok(n @ 0..=32) => Ok(u8::try_from(n).ok()),
            _ => Err(invalid_text(
                setting,
                value,
                "must be -1 (off) or a CID length of 0 to 32 bytes",
            )),
        }
    }
}

/// `CodePage`: a supported code page identifier (0 is UTF-8).
pub(super) struct CodePages;

impl Codec for CodePages {
    type Value = CodePage;
    fn parse(&self, setting: &'static str, value: &str) -> Result<CodePage, Error> {
        let id = parse_u32(setting, value)?;
        CodePage::from_id(id).ok_or_else(|| {
            let supported: Vec<String> = CodePage::ALL
                .iter()
                .map(|c| format!("{} ({})", c.id(), c.name()))
                .collect();
            invalid(
                setting,
                value,
                format!(
                    "code page {id} is not supported; supported: 0 (system default, UTF-8), {}",
                    supported.join(", ")
                ),
            )
        })
    }
}

pub(super) fn invalid(setting: &'static str, value: impl ToString, reason: String) -> Error {
    Error::InvalidValue {
        setting,
        value: value.to_string(),
        reason,
    }
}

/// [`invalid`] with a fixed reason.
fn invalid_text(setting: &'static str, value: &str, reason: &str) -> Error {
    invalid(setting, value, reason.to_owned())
}

/// The seed's boolean spellings: True/False, 1/0, Yes/No, any case.
pub(super) fn parse_bool(setting: &'static str, value: &str) -> Result<bool, Error> {
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

/// A non-negative integer that fits an `N` and that `check` accepts; any
/// other value is refused with `reason` alone.
fn parse_checked<N: TryFrom<u64>, T>(
    setting: &'static str,
    value: &str,
    check: impl FnOnce(N) -> Option<T>,
    reason: &str,
) -> Result<T, Error> {
    parse_u64(setting, value)
        .ok()
        .and_then(|n| N::try_from(n).ok())
        .and_then(check)
        .ok_or_else(|| invalid_text(setting, value, reason))
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

pub(super) fn parse_u32(setting: &'static str, value: &str) -> Result<u32, Error> {
    let n = parse_u64(setting, value)?;
    u32::try_from(n).map_err(|_| invalid(setting, value.trim(), "too large".to_owned()))
}

fn parse_usize(setting: &'static str, value: &str) -> Result<usize, Error> {
    let n = parse_u64(setting, value)?;
    usize::try_from(n).map_err(|_| invalid(setting, value.trim(), "too large".to_owned()))
}
