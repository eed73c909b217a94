//! The server's settings: the seed's properties and config settings as a
//! typed [`ServerSettings`], with the seed's string form
//! (`config("Name=Value")`, `config("Name")`) as a compatibility layer over
//! it ([`ServerSettings::config`]).
//!
//! [`ServerSettings::default`] holds the seed's documented defaults; where
//! the seed documents none, the field's doc says what was chosen and why.
//! Every name either of the seed's editions lists is recognised (see
//! [`SETTINGS`], built with [`ServerSettings`] itself from one table in
//! `settings/table.rs`); each one either works or returns an [`Error`] that names
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
//! - Socket settings cannot change while the server has its socket (from
//!   `StartListening` to `Shutdown`): [`Error::WhileBound`]. Every other
//!   setting may change at any time; TLS settings, limits and keep-alive
//!   apply to connections created after the change.
//! - The settable properties (`DefaultIdleTimeout`, `KeepAlive`,
//!   `LocalHost`, `LocalPort`, `SSLAuthenticateClients`) are accepted by
//!   `config` too, for scripts and command lines.

mod algorithms;
mod codec;
mod codepage;
mod table;
mod types;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use dtls_crypto::CipherSuite;
use dtls_crypto::kx::NamedGroup;
use dtls_crypto::sign::SignatureScheme;

pub use codepage::CodePage;
pub use table::{
    FixedValue, Origin, SETTINGS, ServerSettings, SettingInfo, Support, build_info, lookup,
};
pub use types::{
    ConnectionInfoSource, Dscp, KeepAliveMode, LogLevel, LogType, NegotiatedInfo, NoConnections,
    SslProtocols, SslSecurityFlags,
};

use crate::error::Error;
use codec::Codec;

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
        self.max_packet_size = codec::PacketSize::check(size)?;
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
        self.ssl_ca_certs = codec::Pem.parse("SSLCACerts", pem)?;
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
        self.ssl_client_ca_certs = codec::Pem.parse("SSLClientCACerts", pem)?;
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
        self.ssl_cipher_strength = codec::CipherStrength::check(bits)?;
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
        self.cipher_suites = codec::Suites::check(suites)?;
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
            return Err(codec::invalid(
                "SSLCipherStrength",
                min,
                "no suite in SSLEnabledCipherSuites is that strong".to_owned(),
            ));
        }
        Ok(suites)
    }

    /// `TLS12SignatureAlgorithms`, printed with the seed's spellings
    /// (`sha256-ecdsa`, ...): the schemes the server signs with and accepts
    /// from clients, in preference order. Empty means "not restricted":
    /// every supported algorithm. The default is the engine's list, so what
    /// reads back is what is in force:
    /// `sha256-ecdsa,sha384-ecdsa,ed25519,sha256-rsapss,sha384-rsapss,sha512-rsapss,sha256-rsa,sha384-rsa,sha512-rsa`
    /// (the seed's default lists DSA, SHA-224 and SHA-1 too, which are
    /// refused, and no RSA-PSS or Ed25519).
    pub fn signature_algorithms(&self) -> &[SignatureScheme] {
        &self.signature_algorithms
    }

    /// The signature schemes in force: the list, or every supported one
    /// when it is empty.
    pub fn effective_signature_algorithms(&self) -> Vec<SignatureScheme> {
        if self.signature_algorithms.is_empty() {
            algorithms::supported_signatures().collect()
        } else {
            self.signature_algorithms.clone()
        }
    }

    /// Sets `TLS12SignatureAlgorithms` from its comma-separated form (seed
    /// spellings such as `sha256-rsa`, or IANA names such as
    /// `rsa_pkcs1_sha256`; case-insensitive). Entries this server refuses
    /// (DSA, SHA-224, SHA-1, ECDSA with SHA-512) are skipped; the returned
    /// notes name each with why.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming every unknown entry, or when every
    /// entry is refused.
    pub fn set_signature_algorithms(&mut self, list: &str) -> Result<Vec<String>, Error> {
        let (schemes, skipped) = algorithms::parse_signatures(list)
            .map_err(|reason| codec::invalid("TLS12SignatureAlgorithms", list, reason))?;
        self.signature_algorithms = schemes;
        Ok(skipped)
    }

    /// `TLS12SupportedGroups`, printed as `ecdhe_x25519,...`: the ECDHE
    /// groups in preference order. The default is the engine's list, so
    /// what reads back is what is in force:
    /// `ecdhe_x25519,ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1` (the
    /// seed's default without X25519; set that to get exactly it).
    pub fn supported_groups(&self) -> &[NamedGroup] {
        &self.supported_groups
    }

    /// Sets `TLS12SupportedGroups` from its comma-separated form (the seed's
    /// `ecdhe_` names or IANA names, case-insensitive; `ecdhe_x25519` is
    /// accepted too). Refused groups (`ffdhe*`, `x448`) are skipped; the
    /// returned notes name each with why.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming every unknown entry, or when no
    /// usable group is left.
    pub fn set_supported_groups(&mut self, list: &str) -> Result<Vec<String>, Error> {
        let (groups, skipped) = algorithms::parse_groups(list)
            .map_err(|reason| codec::invalid("TLS12SupportedGroups", list, reason))?;
        self.supported_groups = groups;
        Ok(skipped)
    }

    /// The first socket setting (read when the socket is bound) whose
    /// value differs between `self` and `other`.
    pub(crate) fn changed_socket_setting(&self, other: &ServerSettings) -> Option<&'static str> {
        table::SETTINGS
            .iter()
            .filter(|s| s.support == Support::WhileUnbound)
            .find(|s| s.read(self) != s.read(other))
            .map(|s| s.name)
    }

    /// The entries a `config("Name=Value")` of a list setting
    /// (`SSLEnabledCipherSuites`, `TLS12SupportedGroups`,
    /// `TLS12SignatureAlgorithms`) skipped, each with why; empty for any
    /// other spec.
    pub(crate) fn skipped_entries(spec: &str) -> Vec<String> {
        let Some((name, value)) = spec.split_once('=') else {
            return Vec::new();
        };
        let name = name.trim();
        let skipped: Vec<String> = if name.eq_ignore_ascii_case("SSLEnabledCipherSuites") {
            dtls_crypto::suites::parse_suite_list_skipping_refused(value)
                .map(|(_, refused)| refused.iter().map(ToString::to_string).collect())
                .unwrap_or_default()
        } else if name.eq_ignore_ascii_case("TLS12SupportedGroups") {
            algorithms::parse_groups(value).map_or_else(|_| Vec::new(), |(_, skipped)| skipped)
        } else if name.eq_ignore_ascii_case("TLS12SignatureAlgorithms") {
            algorithms::parse_signatures(value).map_or_else(|_| Vec::new(), |(_, skipped)| skipped)
        } else {
            return Vec::new();
        };
        skipped
            .into_iter()
            .map(|why| format!("{name}: skipped {why}"))
            .collect()
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
            .map_err(|e| codec::invalid("LocalHost", host, format!("does not resolve: {e}")))?;
        addrs
            .into_iter()
            .find(|a| a.is_ipv6() == self.use_ipv6)
            .ok_or_else(|| {
                codec::invalid(
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
    /// - [`Error::WhileBound`]: a socket setting changed while
    ///   `live.socket_bound()`.
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
            Support::PerConnection => return setting.read_connection(index, value.is_some(), live),
            _ => {}
        }
        if index.is_some() {
            return Err(Error::BadIndex {
                setting: name,
                reason: "not a per-connection setting: it takes no [connId]",
            });
        }
        let Some(value) = value else {
            return Ok(setting.read(self));
        };
        if setting.support == Support::WhileUnbound && live.socket_bound() {
            return Err(Error::WhileBound(name));
        }
        setting.write(self, value)?;
        Ok(String::new())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
