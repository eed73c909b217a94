//! The listening state: the socket, the engine over it and the key log,
//! created together by `StartListening` and released together by
//! `Shutdown`; and the settings-to-engine translation they start from.

use std::fs::File;
use std::io;
use std::net::UdpSocket;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dtls_core::Endpoint;
use dtls_core::config::{ClientAuthMode, Identity, KeepAliveConfig, ServerConfig, UnixTime};
use dtls_crypto::cert::Certificate;
use dtls_crypto::verify::ClientCertVerifier;

use super::udp::UdpIo;
use super::{ConnectionId, DtlsServer};
use crate::error::Error;
use crate::settings::{KeepAliveMode, LogType, ServerSettings};

/// What exists while the server has a socket (from `start_listening` to
/// `shutdown`).
pub(super) struct Listener {
    pub(super) io: UdpIo,
    pub(super) endpoint: Endpoint,
    /// `SSLKeyLogFile`, open for appending.
    pub(super) key_log: Option<File>,
    /// The path `key_log` was opened from.
    pub(super) key_log_path: Option<PathBuf>,
    /// Whether new handshakes are accepted (`Listening`): the one copy the
    /// server reads, pushed into the engine whenever it changes.
    pub(super) accepting: bool,
}

impl Listener {
    pub(super) fn set_accepting(&mut self, accepting: bool) {
        self.accepting = accepting;
        self.endpoint.set_accepting(accepting);
    }
}

/// `DontFragment`: the kernel sets DF on every datagram and refuses to
/// fragment one larger than the path MTU (`IP_PMTUDISC_DO`; IPv6 never
/// fragments in transit, and `IPV6_PMTUDISC_DO` stops local fragmentation).
#[cfg(target_os = "linux")]
fn set_dont_fragment(socket: &socket2::Socket, ipv4: bool) -> io::Result<()> {
    use rustix::net::sockopt;
    if ipv4 {
        sockopt::set_ip_mtu_discover(socket, sockopt::Ipv4PathMtuDiscovery::DO)?;
    } else {
        sockopt::set_ipv6_mtu_discover(socket, sockopt::Ipv6PathMtuDiscovery::DO)?;
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_dont_fragment(_socket: &socket2::Socket, _ipv4: bool) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "DontFragment is implemented on Linux only",
    ))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl DtlsServer {
    /// The identity of `SSLCert`, with `SSLCACerts` and the chain set by
    /// `set_ssl_ca_certs` after it.
    fn identity(&self, cert: &Certificate) -> Result<Identity, Error> {
        if !cert.private_key_available() {
            return Err(Error::NoCertificate);
        }
        let mut identity = Identity::from_certificate(cert).map_err(|e| match e {
            dtls_core::Error::Crypto(source) => Error::Certificate {
                setting: "SSLCert",
                source,
            },
            other => Error::Dtls(other),
        })?;
        // SSLCACerts: the chain sent after SSLCert.
        let st = &self.settings;
        if !st.ssl_ca_certs().trim().is_empty() {
            let chain =
                Certificate::from_encoded(st.ssl_ca_certs().as_bytes()).map_err(|source| {
                    Error::Certificate {
                        setting: "SSLCACerts",
                        source,
                    }
                })?;
            identity
                .chain
                .extend(chain.chain().iter().map(|c| c.as_ref().to_vec()));
        }
        identity.chain.extend(self.ca_chain.iter().cloned());
        Ok(identity)
    }

    pub(super) fn build_config(&self) -> Result<ServerConfig, Error> {
        let st = &self.settings;
        let mut config = match (&self.ssl_cert, &self.psk) {
            (Some(cert), _) => ServerConfig::new(self.identity(cert)?),
            (None, Some(psk)) => ServerConfig::with_psk(psk.clone()),
            (None, None) => return Err(Error::NoCertificate),
        };
        config.psk = self.psk.clone();
        config.certificate_types = st.certificate_types.clone();
        config.client_certificate_types = st.client_certificate_types.clone();
        config.trusted_client_keys = self.trusted_client_keys.clone();
        config.connection_id_length = st.connection_id_length;
        config.shared_secret = self.shared_secret.clone();
        config.connection_id_prefix = self.connection_id_prefix;
        config.common.cipher_suites = st.effective_cipher_suites()?;
        config.common.mtu = self.mtu;
        // DontFragment: datagrams must fit the path, so application records
        // must fit the MTU; otherwise one send_bytes is one record of up to
        // 2^14 bytes and IP fragments a larger datagram.
        config.common.application_records_fit_mtu = st.dont_fragment;
        config.max_connections = st.max_connections.get();
        config.max_half_open = st.max_half_open.get();
        config.max_half_open_per_source = st.max_half_open_per_source.get();
        config.peer_buffer_budget = st.peer_buffer_budget;
        config.common.handshake_timeout = Some(st.handshake_timeout);
        config.common.pack_handshake_messages = st.pack_handshake_messages;
        // The settings' defaults are the engine's lists: what reads back is
        // what is in force.
        config.common.groups = st.supported_groups().to_vec();
        config.common.signature_schemes = st.effective_signature_algorithms();
        config.unix_time = Some(UnixTime(Arc::new(unix_now)));
        // ReuseSSLSession: session-ID cache and RFC 5077 tickets.
        if !st.reuse_ssl_session {
            config.session_cache_capacity = 0;
            config.session_tickets = false;
        }
        // KeepAlive*: RFC 6520 heartbeats run inside the engine, whose
        // poll_timeout carries their deadlines; DefaultIdleTimeout too.
        config.common.keep_alive = KeepAliveConfig {
            enabled: st.keep_alive,
            peer_allowed_to_send: st.keep_alive_mode == KeepAliveMode::PeerAllowedToSend,
            time: st.keep_alive_time,
            interval: st.keep_alive_interval,
            ..KeepAliveConfig::default()
        };
        config.common.idle_timeout = Some(st.default_idle_timeout).filter(|d| !d.is_zero());
        if st.ssl_authenticate_clients {
            config.client_auth = ClientAuthMode::Required;
            if !st.ssl_client_ca_certs().trim().is_empty() {
                let verifier = ClientCertVerifier::from_pem(
                    st.ssl_client_ca_certs().as_bytes(),
                    st.ssl_security_flags,
                )
                .map_err(|source| Error::Certificate {
                    setting: "SSLClientCACerts",
                    source,
                })?;
                // RFC 5246 7.4.4: tell clients which CAs we accept.
                config.client_ca_names = verifier.ca_names();
                config.client_verifier = Some(Arc::new(verifier));
            }
        }
        Ok(config)
    }

    fn bind(&self) -> Result<UdpSocket, Error> {
        use socket2::{Domain, Protocol, Socket, Type};
        let st = &self.settings;
        let addr = st.bind_addr()?;
        let io = |what: &str, e: io::Error| Error::io(format!("{what} {addr}"), e);
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
            .map_err(|e| io("cannot create a socket for", e))?;
        if st.share_local_port {
            socket
                .set_reuse_port(true)
                .map_err(|e| io("cannot set SO_REUSEPORT (ShareLocalPort) on", e))?;
        }
        if let Some(size) = st.in_buffer_size {
            socket
                .set_recv_buffer_size(size.get())
                .map_err(|e| io("cannot set InBufferSize on", e))?;
        }
        if let Some(size) = st.out_buffer_size {
            socket
                .set_send_buffer_size(size.get())
                .map_err(|e| io("cannot set OutBufferSize on", e))?;
        }
        if st.qos_dscp.value() != 0 {
            if addr.is_ipv4() {
                socket
                    .set_tos_v4(st.qos_dscp.tos())
                    .map_err(|e| io("cannot set IP_TOS (QOSDSCPValue) on", e))?;
            } else {
                socket
                    .set_tclass_v6(st.qos_dscp.tos())
                    .map_err(|e| io("cannot set IPV6_TCLASS (QOSDSCPValue) on", e))?;
            }
        }
        if st.dont_fragment {
            set_dont_fragment(&socket, addr.is_ipv4())
                .map_err(|e| io("cannot set the Don't Fragment flag (DontFragment) on", e))?;
        }
        socket
            .bind(&addr.into())
            .map_err(|e| io("cannot bind", e))?;
        Ok(socket.into())
    }

    /// Opens `SSLKeyLogFile`, if set: append only, and readable by the
    /// owner alone, since it holds every session's keys.
    pub(super) fn open_key_log(&self) -> Result<Option<File>, Error> {
        let Some(path) = &self.settings.ssl_key_log_file else {
            return Ok(None);
        };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .map_err(|e| Error::io(format!("SSLKeyLogFile {}", path.display()), e))?;
        Ok(Some(file))
    }

    /// `StartListening`: binds the socket and accepts handshakes.
    ///
    /// # Errors
    /// No usable certificate, or the socket cannot be bound (the message
    /// names the address and the OS error, e.g. "address in use").
    pub fn start_listening(&mut self) -> Result<(), Error> {
        if self.listener.is_some() {
            // Stopped with the socket kept: every change since is already
            // in force (see `reconfigure`); only accepting resumes.
            if let Some(listener) = &mut self.listener {
                listener.set_accepting(true);
            }
            return Ok(());
        }
        let config = self.build_config()?;
        let socket = self.bind()?;
        let endpoint = Endpoint::new(Arc::new(config))?;
        let key_log = self.open_key_log()?;
        let io = UdpIo::new(socket).map_err(|e| Error::io("socket", e))?;
        self.listener = Some(Listener {
            io,
            endpoint,
            key_log,
            key_log_path: self.settings.ssl_key_log_file.clone(),
            accepting: true,
        });
        let (host, port) = (self.local_host(), self.local_port());
        let host = host.map_or_else(|| "0.0.0.0".to_owned(), |h| h.to_string());
        self.log(None, LogType::Info, format!("listening on {host}:{port}"));
        Ok(())
    }

    /// `StopListening`: new handshakes are ignored; existing connections
    /// stay.
    pub fn stop_listening(&mut self) {
        if let Some(listener) = &mut self.listener {
            listener.set_accepting(false);
        }
    }

    /// `Shutdown`: stop listening, close every connection with close_notify,
    /// and release the socket.
    pub fn shutdown(&mut self) {
        self.stop_listening();
        let now = Instant::now();
        if let Some(listener) = &mut self.listener {
            listener.endpoint.close_all(now);
        }
        self.pump(now);
        let ids: Vec<ConnectionId> = self.connections.keys().copied().collect();
        for id in ids {
            self.remove_connection(id, 0, "server shut down".to_owned());
        }
        self.listener = None;
    }

    /// `Reset`: shut down and restore every setting to its default.
    pub fn reset(&mut self) {
        self.shutdown();
        self.settings = ServerSettings::default();
        self.ssl_cert = None;
        self.ca_chain.clear();
    }
}
