//! The hello messages (RFC 5246 section 7.4.1, RFC 6347 section 4.2.1):
//! ClientHello, HelloVerifyRequest, ServerHello and ServerHelloDone.

use crate::error::Error;
use crate::msgs::codec::{
    Codec, LengthPrefix, Need, Reader, encode_opaque, encode_u16_list, put_u16, read_opaque,
    read_u16_list,
};
use crate::msgs::extensions::{
    CertificateType, ClientExtension, ExtensionType, HeartbeatMode, ServerExtension,
    encode_extensions, read_extensions,
};
use crate::msgs::record::ProtocolVersion;

/// The length of a hello `Random` (RFC 5246 section 7.4.1.2).
pub const RANDOM_LEN: usize = 32;

/// The longest `SessionID` (RFC 5246 section 7.4.1.2: `opaque SessionID<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 section 3.3).
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;

fn read_random(r: &mut Reader<'_>, what: &'static str) -> Result<[u8; RANDOM_LEN], Error> {
    r.array::<RANDOM_LEN>().need(what)
}

fn read_session_id(r: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    read_opaque(r, LengthPrefix::U8, 0, MAX_SESSION_ID_LEN, "SessionID")
}

fn encode_session_id(out: &mut Vec<u8>, id: &[u8]) {
    encode_opaque(
        out,
        LengthPrefix::U8,
        id.get(..MAX_SESSION_ID_LEN).unwrap_or(id),
    );
}

/// The DTLS ClientHello (RFC 6347 section 4.2.1).
///
/// ```text
/// struct {
///     ProtocolVersion client_version;
///     Random random;
///     SessionID session_id;
///     opaque cookie<0..2^8-1>;
///     CipherSuite cipher_suites<2..2^16-2>;
///     CompressionMethod compression_methods<1..2^8-1>;
///     Extension extensions<0..2^16-1>;   // optional
/// } ClientHello;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// `client_version`: the highest version the client supports.
    pub client_version: ProtocolVersion,
    /// `random`.
    pub random: [u8; RANDOM_LEN],
    /// `session_id` (0..=32 bytes).
    pub session_id: Vec<u8>,
    /// `cookie` (0..=255 bytes; empty in the first hello).
    pub cookie: Vec<u8>,
    /// `cipher_suites`, as IANA values.
    pub cipher_suites: Vec<u16>,
    /// `compression_methods` (must contain null(0) to be usable).
    pub compression_methods: Vec<u8>,
    /// `extensions`: `None` when the hello ends after
    /// `compression_methods`, `Some(vec![])` for an empty block.
    pub extensions: Option<Vec<ClientExtension>>,
}

impl ClientHello {
    fn encode_fields(&self, out: &mut Vec<u8>, cookie: &[u8], with_extensions: bool) {
        self.client_version.encode(out);
        out.extend_from_slice(&self.random);
        encode_session_id(out, &self.session_id);
        encode_opaque(out, LengthPrefix::U8, cookie);
        let suites = self
            .cipher_suites
            .get(..0x7fff)
            .unwrap_or(&self.cipher_suites);
        encode_u16_list(out, LengthPrefix::U16, suites);
        encode_opaque(out, LengthPrefix::U8, &self.compression_methods);
        if with_extensions {
            encode_extensions(out, self.extensions.as_deref());
        }
    }

    /// The bytes a stateless cookie (RFC 6347 section 4.2.1) should be bound
    /// to: this hello encoded with an empty cookie and without extensions,
    /// i.e. `client_version`, `random`, `session_id`, `cipher_suites` and
    /// `compression_methods` -- the parameters RFC 6347 requires the client
    /// to repeat unchanged in its second ClientHello.
    ///
    /// Extensions are deliberately left out: a client may legitimately alter
    /// them between the two hellos (e.g. padding sized to the hello length),
    /// and the server decides everything from the second hello anyway. The
    /// caller HMACs these bytes together with the client's transport address.
    pub fn cookie_input(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_fields(&mut out, &[], false);
        out
    }

    /// The first extension of type `typ` (there is at most one).
    pub fn find_extension(&self, typ: u16) -> Option<&ClientExtension> {
        self.extensions
            .as_deref()?
            .iter()
            .find(|e| e.ext_type() == typ)
    }

    fn find(&self, typ: ExtensionType) -> Option<&ClientExtension> {
        self.find_extension(u16::from(typ))
    }

    /// Whether `suite` is among `cipher_suites`.
    pub fn offers_suite(&self, suite: u16) -> bool {
        self.cipher_suites.contains(&suite)
    }

    /// Whether null compression (0) is offered (RFC 5246 section 7.4.1.2).
    pub fn offers_null_compression(&self) -> bool {
        self.compression_methods.contains(&0)
    }

    /// The SNI `host_name` if it is ASCII (RFC 6066 section 3 requires an
    /// ASCII DNS name); `None` if absent or not ASCII.
    pub fn server_name(&self) -> Option<&str> {
        let h = self.server_name_bytes()?;
        if h.is_ascii() {
            std::str::from_utf8(h).ok()
        } else {
            None
        }
    }

    /// Whether `extended_master_secret` is offered (RFC 7627 section 5.1).
    pub fn offers_ems(&self) -> bool {
        self.find(ExtensionType::ExtendedMasterSecret).is_some()
    }

    /// Whether `encrypt_then_mac` is offered (RFC 7366 section 2).
    pub fn offers_etm(&self) -> bool {
        self.find(ExtensionType::EncryptThenMac).is_some()
    }

    /// Whether secure renegotiation is signalled, by the extension or the
    /// SCSV (RFC 5746 section 3.3).
    pub fn offers_secure_renegotiation(&self) -> bool {
        self.renegotiation_info().is_some() || self.offers_suite(EMPTY_RENEGOTIATION_INFO_SCSV)
    }

    /// The `session_ticket` extension's ticket, possibly empty (RFC 5077
    /// section 3.2).
    pub fn session_ticket(&self) -> Option<&[u8]> {
        match self.find(ExtensionType::SessionTicket)? {
            ClientExtension::SessionTicket(t) => Some(t),
            _ => None,
        }
    }

    /// The `client_certificate_type` list (RFC 7250 section 3).
    pub fn client_certificate_types(&self) -> Option<&[CertificateType]> {
        match self.find(ExtensionType::ClientCertificateType)? {
            ClientExtension::ClientCertificateTypes(t) => Some(t),
            _ => None,
        }
    }

    /// The `server_certificate_type` list (RFC 7250 section 3).
    pub fn server_certificate_types(&self) -> Option<&[CertificateType]> {
        match self.find(ExtensionType::ServerCertificateType)? {
            ClientExtension::ServerCertificateTypes(t) => Some(t),
            _ => None,
        }
    }

    /// The `connection_id` the client wants in records to it (RFC 9146
    /// section 3).
    pub fn connection_id(&self) -> Option<&[u8]> {
        match self.find(ExtensionType::ConnectionId)? {
            ClientExtension::ConnectionId(cid) => Some(cid),
            _ => None,
        }
    }

    /// The `heartbeat` mode (RFC 6520 section 2).
    pub fn heartbeat_mode(&self) -> Option<HeartbeatMode> {
        match self.find(ExtensionType::Heartbeat)? {
            ClientExtension::Heartbeat(m) => Some(*m),
            _ => None,
        }
    }

    /// The `record_size_limit` (RFC 8449 section 4).
    pub fn record_size_limit(&self) -> Option<u16> {
        match self.find(ExtensionType::RecordSizeLimit)? {
            ClientExtension::RecordSizeLimit(v) => Some(*v),
            _ => None,
        }
    }
}

/// Declares the accessors of ClientHello extensions that carry one list:
/// the list of the extension of that type, if the hello has it.
macro_rules! extension_lists {
    ($( $(#[$doc:meta])* $name:ident -> $list:ty = $variant:ident; )*) => {
        impl ClientHello {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Option<&$list> {
                    match self.find(ExtensionType::$variant)? {
                        ClientExtension::$variant(list) => Some(&list[..]),
                        _ => None,
                    }
                }
            )*
        }
    };
}

extension_lists! {
    /// `supported_groups` (RFC 8422 section 5.1.1).
    supported_groups -> [u16] = SupportedGroups;
    /// `ec_point_formats` (RFC 8422 section 5.1.2).
    ec_point_formats -> [u8] = EcPointFormats;
    /// `signature_algorithms` (RFC 5246 section 7.4.1.4.1).
    signature_algorithms -> [u16] = SignatureAlgorithms;
    /// The ALPN protocol names offered (RFC 7301 section 3.1).
    alpn_protocols -> [Vec<u8>] = Alpn;
    /// The raw SNI `host_name` bytes (RFC 6066 section 3).
    server_name_bytes -> [u8] = ServerName;
    /// `renegotiation_info`'s `renegotiated_connection` (RFC 5746 section 3.2).
    renegotiation_info -> [u8] = RenegotiationInfo;
}

impl Codec for ClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.encode_fields(out, &self.cookie, true);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let client_version = ProtocolVersion::read(r)?;
        let random = read_random(r, "ClientHello.random")?;
        let session_id = read_session_id(r)?;
        let cookie = read_opaque(r, LengthPrefix::U8, 0, 0xff, "ClientHello.cookie")?;
        let cipher_suites = read_u16_list(r, LengthPrefix::U16, 2, "ClientHello.cipher_suites")?;
        let compression_methods = read_opaque(
            r,
            LengthPrefix::U8,
            1,
            0xff,
            "ClientHello.compression_methods",
        )?;
        let extensions = read_extensions(r)?;
        Ok(ClientHello {
            client_version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }
}

/// The HelloVerifyRequest (RFC 6347 section 4.2.1).
///
/// ```text
/// struct {
///     ProtocolVersion server_version;
///     opaque cookie<0..2^8-1>;
/// } HelloVerifyRequest;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloVerifyRequest {
    /// `server_version` (RFC 6347 section 4.2.1 recommends DTLS 1.0 here).
    pub server_version: ProtocolVersion,
    /// `cookie` (0..=255 bytes).
    pub cookie: Vec<u8>,
}

impl Codec for HelloVerifyRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        self.server_version.encode(out);
        encode_opaque(out, LengthPrefix::U8, &self.cookie);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(HelloVerifyRequest {
            server_version: ProtocolVersion::read(r)?,
            cookie: read_opaque(r, LengthPrefix::U8, 0, 0xff, "HelloVerifyRequest.cookie")?,
        })
    }
}

/// The ServerHello (RFC 5246 section 7.4.1.3).
///
/// ```text
/// struct {
///     ProtocolVersion server_version;
///     Random random;
///     SessionID session_id;
///     CipherSuite cipher_suite;
///     CompressionMethod compression_method;
///     Extension extensions<0..2^16-1>;   // optional
/// } ServerHello;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// `server_version`.
    pub server_version: ProtocolVersion,
    /// `random`.
    pub random: [u8; RANDOM_LEN],
    /// `session_id` (0..=32 bytes).
    pub session_id: Vec<u8>,
    /// `cipher_suite`, as an IANA value.
    pub cipher_suite: u16,
    /// `compression_method`.
    pub compression_method: u8,
    /// `extensions`: `None` to omit the block, `Some(vec![])` for an empty one.
    pub extensions: Option<Vec<ServerExtension>>,
}

impl Codec for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.server_version.encode(out);
        out.extend_from_slice(&self.random);
        encode_session_id(out, &self.session_id);
        put_u16(out, self.cipher_suite);
        out.push(self.compression_method);
        encode_extensions(out, self.extensions.as_deref());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ServerHello {
            server_version: ProtocolVersion::read(r)?,
            random: read_random(r, "ServerHello.random")?,
            session_id: read_session_id(r)?,
            cipher_suite: r.u16().need("ServerHello.cipher_suite")?,
            compression_method: r.u8().need("ServerHello.compression_method")?,
            extensions: read_extensions(r)?,
        })
    }
}

/// The ServerHelloDone: an empty body (RFC 5246 section 7.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerHelloDone;

impl Codec for ServerHelloDone {
    fn encode(&self, _out: &mut Vec<u8>) {}

    fn read(_r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ServerHelloDone)
    }
}
