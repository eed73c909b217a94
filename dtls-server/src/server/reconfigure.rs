//! Changing settings: every change either takes effect or is refused with
//! the reason, whether the server is listening, stopped or unbound.
//!
//! - Socket settings (`LocalHost`, `LocalPort`, `UseIPv6`, buffer sizes,
//!   `DontFragment`, `QOSDSCPValue`, `ShareLocalPort`) are read when the
//!   socket is bound; while it exists (from `start_listening` to
//!   `shutdown`) a change is [`Error::WhileBound`].
//! - Everything else takes effect at once: the engine gets a new
//!   configuration for connections created after the change (TLS settings,
//!   limits, keep-alive), live connections get the new keep-alive timing
//!   and idle timeout, and the key log is reopened if its path changed.
//! - A change that cannot take effect (say, a client CA list that does not
//!   parse once client authentication is on) is undone and returned as the
//!   error: what reads back is always what is in force.

use std::sync::Arc;
use std::time::Duration;

use dtls_crypto::cert::Certificate;

use super::DtlsServer;
use super::table::LiveConnections;
use crate::error::Error;
use crate::settings::{LogType, ServerSettings};

impl DtlsServer {
    /// Changes the typed settings through `f`, all at once, at any time.
    /// Socket settings (`LocalHost`, `LocalPort`, `UseIPv6`, buffer sizes,
    /// `DontFragment`, `QOSDSCPValue`, `ShareLocalPort`) are refused while
    /// the socket exists; everything else takes effect at once (TLS
    /// settings, limits and keep-alive for connections created after the
    /// change). Otherwise nothing changes and the error says why.
    ///
    /// ```
    /// # use dtls_server::DtlsServer;
    /// let mut server = DtlsServer::new();
    /// server
    ///     .update_settings(|s| s.ssl_authenticate_clients = true)
    ///     .unwrap();
    /// assert!(server.ssl_authenticate_clients());
    /// ```
    ///
    /// # Errors
    /// [`Error::WhileBound`] naming a socket setting changed while the
    /// socket exists; any error building the new engine configuration.
    pub fn update_settings(&mut self, f: impl FnOnce(&mut ServerSettings)) -> Result<(), Error> {
        let mut next = self.settings.clone();
        f(&mut next);
        if self.listener.is_some()
            && let Some(name) = self.settings.changed_socket_setting(&next)
        {
            return Err(Error::WhileBound(name));
        }
        let previous = std::mem::replace(&mut self.settings, next);
        self.take_effect_or_undo(previous)
    }

    /// The typed settings, to change before the socket exists (while it
    /// does, use [`update_settings`](Self::update_settings) or
    /// [`config`](Self::config), which apply each change).
    ///
    /// # Errors
    /// [`Error::WhileBound`] from `start_listening` until `shutdown`.
    pub fn settings_mut(&mut self) -> Result<&mut ServerSettings, Error> {
        if self.listener.is_some() {
            return Err(Error::WhileBound("settings_mut"));
        }
        Ok(&mut self.settings)
    }

    /// The seed's `Config` method: `"Name=Value"` sets, `"Name"` reads,
    /// `"SSLNegotiatedCipher[connId]"` reads a connection's parameters. A
    /// list setting (`SSLEnabledCipherSuites`, `TLS12SupportedGroups`,
    /// `TLS12SignatureAlgorithms`) skips the entries this server refuses,
    /// with one Log line (Info) each saying why.
    ///
    /// # Errors
    /// Unknown names, invalid values, read-only or unsupported settings,
    /// socket settings while the socket exists ([`Error::WhileBound`]), and
    /// changes that cannot take effect, each named.
    pub fn config(&mut self, spec: &str) -> Result<String, Error> {
        let live = LiveConnections {
            connections: &self.connections,
            socket_bound: self.listener.is_some(),
        };
        let previous = self.settings.clone();
        let result = self.settings.config_with(spec, &live)?;
        if spec.contains('=') {
            self.take_effect_or_undo(previous)?;
            for line in ServerSettings::skipped_entries(spec) {
                self.log(None, LogType::Info, line);
            }
        }
        Ok(result)
    }

    /// Sets `SSLAuthenticateClients`; while listening, for clients that
    /// connect from now on.
    ///
    /// # Errors
    /// As [`update_settings`](Self::update_settings).
    pub fn set_ssl_authenticate_clients(&mut self, on: bool) -> Result<(), Error> {
        self.update_settings(|s| s.ssl_authenticate_clients = on)
    }

    /// Sets `DefaultIdleTimeout`; applies at once to every connection.
    ///
    /// # Errors
    /// As [`update_settings`](Self::update_settings).
    pub fn set_default_idle_timeout(&mut self, seconds: u64) -> Result<(), Error> {
        self.update_settings(|s| s.default_idle_timeout = Duration::from_secs(seconds))
    }

    /// Sets `SSLCert`; while listening, for connections from now on.
    ///
    /// # Errors
    /// While listening, a certificate the engine cannot use (no private
    /// key, unsupported key type); the previous one then stays.
    pub fn set_ssl_cert(&mut self, cert: Certificate) -> Result<(), Error> {
        let previous = self.ssl_cert.replace(cert);
        if let Err(e) = self.reconfigure() {
            self.ssl_cert = previous;
            return Err(e);
        }
        Ok(())
    }

    /// Pre-shared keys (RFC 4279, RFC 5489): with them the server also
    /// negotiates the PSK and ECDHE_PSK suites of `SSLEnabledCipherSuites`
    /// with clients that offer them, and may listen without an `SSLCert`.
    /// `None` turns PSK off. While listening, for connections from now on.
    /// Not a seed setting (the seed authenticates with certificates only).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use dtls_server::DtlsServer;
    /// use dtls_core::config::ServerPsk;
    /// use dtls_core::psk::{PresharedKey, PskTable};
    ///
    /// let mut keys = PskTable::new();
    /// keys.insert(b"sensor-17".to_vec(), PresharedKey::from_hex("00112233445566778899aabbccddeeff")?);
    /// let mut server = DtlsServer::new();
    /// server.set_psk(Some(ServerPsk::new(Arc::new(keys))))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// While listening, removing the keys of a server without an
    /// `SSLCert`; the keys then stay.
    pub fn set_psk(&mut self, psk: Option<dtls_core::config::ServerPsk>) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.psk, psk);
        if let Err(e) = self.reconfigure() {
            self.psk = previous;
            return Err(e);
        }
        Ok(())
    }

    /// Client raw public keys (DER SubjectPublicKeyInfo, RFC 7250) the
    /// server trusts: with `SSLAuthenticateClients` and `RawPublicKey` in
    /// `SSLClientCertificateTypes`, a client presenting one of them is
    /// reported to `SSLClientAuthentication` with status "OK" and
    /// `accept` set; any other key with `accept` clear (the handler may
    /// still accept it). While listening, for connections from now on.
    /// Not a seed setting.
    ///
    /// # Errors
    /// As [`set_psk`](Self::set_psk) (the engine refuses the new config).
    pub fn set_trusted_client_keys(&mut self, keys: Vec<Vec<u8>>) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.trusted_client_keys, keys);
        if let Err(e) = self.reconfigure() {
            self.trusted_client_keys = previous;
            return Err(e);
        }
        Ok(())
    }

    /// A secret shared with the other nodes of the service (several
    /// processes or machines behind one address): cookie secrets and
    /// session-ticket keys are then derived from it per rotation period of
    /// the wall clock, so a client resumes its ticket at any node
    /// (docs/scaling.md). `None`: secrets of this server alone. While
    /// listening, for the next rotation on. Not a seed setting.
    ///
    /// # Errors
    /// As [`set_psk`](Self::set_psk).
    pub fn set_shared_secret(
        &mut self,
        secret: Option<dtls_crypto::shared_secret::SharedSecret>,
    ) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.shared_secret, secret.map(Arc::new));
        if let Err(e) = self.reconfigure() {
            self.shared_secret = previous;
            return Err(e);
        }
        Ok(())
    }

    /// This server's index among workers sharing one port (0 to 255): the
    /// first byte of the connection IDs it issues (`ConnectionIdLength`
    /// of at least 4), so a client that moved and reached another worker
    /// is forwarded back here (`take_foreign_datagrams` there,
    /// [`inject_datagram`](Self::inject_datagram) here). Not a seed
    /// setting.
    ///
    /// # Errors
    /// As [`set_psk`](Self::set_psk) (a CID length under 4, for one).
    pub fn set_connection_id_prefix(&mut self, prefix: Option<u8>) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.connection_id_prefix, prefix);
        if let Err(e) = self.reconfigure() {
            self.connection_id_prefix = previous;
            return Err(e);
        }
        Ok(())
    }

    /// The pre-shared keys set with [`set_psk`](Self::set_psk).
    pub fn psk(&self) -> Option<&dtls_core::config::ServerPsk> {
        self.psk.as_ref()
    }

    /// `SSLCACerts`: intermediate certificates sent after the server's
    /// certificate (DER); while listening, for connections from now on.
    ///
    /// # Errors
    /// As [`set_ssl_cert`](Self::set_ssl_cert).
    pub fn set_ssl_ca_certs(&mut self, chain: Vec<Vec<u8>>) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.ca_chain, chain);
        if let Err(e) = self.reconfigure() {
            self.ca_chain = previous;
            return Err(e);
        }
        Ok(())
    }

    /// The largest datagram the server sends (the path MTU budget, RFC 6347
    /// 4.1.1.1); handshake flights are fragmented to fit. Default 1200
    /// bytes, safe on any IPv4 or IPv6 path; clamped to 256..=65507. Not a
    /// seed setting: the seed's `MaxPacketSize` is the largest datagram
    /// *received*. While listening, for connections from now on.
    ///
    /// # Errors
    /// As [`set_ssl_cert`](Self::set_ssl_cert).
    pub fn set_mtu(&mut self, bytes: usize) -> Result<(), Error> {
        let previous = std::mem::replace(&mut self.mtu, bytes.clamp(256, 65_507));
        if let Err(e) = self.reconfigure() {
            self.mtu = previous;
            return Err(e);
        }
        Ok(())
    }

    /// Makes the current settings take effect, or restores `previous` and
    /// returns why they cannot.
    fn take_effect_or_undo(&mut self, previous: ServerSettings) -> Result<(), Error> {
        match self.reconfigure() {
            Ok(()) => Ok(()),
            Err(e) => {
                self.settings = previous;
                Err(e)
            }
        }
    }

    /// Pushes the settings into a running engine (nothing to do without a
    /// socket: `start_listening` reads them). On error nothing changed.
    pub(super) fn reconfigure(&mut self) -> Result<(), Error> {
        if self.listener.is_none() {
            return Ok(());
        }
        let config = Arc::new(self.build_config()?);
        let key_log_path = self.settings.ssl_key_log_file.clone();
        let reopen = self
            .listener
            .as_ref()
            .is_some_and(|l| l.key_log_path != key_log_path);
        let key_log = if reopen {
            Some(self.open_key_log()?)
        } else {
            None
        };
        let st = &self.settings;
        let idle = Some(st.default_idle_timeout).filter(|d| !d.is_zero());
        let (time, interval) = (st.keep_alive_time, st.keep_alive_interval);
        let Some(listener) = &mut self.listener else {
            return Ok(());
        };
        listener.endpoint.set_config(config)?;
        listener
            .endpoint
            .set_keep_alive_timing(time, interval, idle);
        if let Some(file) = key_log {
            listener.key_log = file;
            listener.key_log_path = key_log_path;
        }
        Ok(())
    }
}
