//! Handshake message bodies (RFC 5246 section 7.4, RFC 6347 section 4.2.1,
//! RFC 8422 section 5, RFC 5077 section 3.3). Field names follow the RFCs.
//!
//! Each body implements [`Codec`]; use [`Codec::read_bytes`] on a reassembled
//! body so trailing bytes are rejected (or [`HandshakePayload`] to dispatch
//! on the message type).
//!
//! [`HandshakePayload`]: super::handshake::HandshakePayload

use super::codec::{
    Codec, LengthPrefix, Need, Reader, encode_opaque, encode_prefixed, encode_u16_list, put_u16,
    put_u32, read_opaque, read_u16_list,
};
use super::extensions::{
    ClientExtension, ExtensionType, HeartbeatMode, ServerExtension, encode_extensions,
    read_extensions,
};
use super::record::ProtocolVersion;
use crate::error::Error;

/// The length of a hello `Random` (RFC 5246 section 7.4.1.2).
pub const RANDOM_LEN: usize = 32;

/// The longest `SessionID` (RFC 5246 section 7.4.1.2: `opaque SessionID<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 section 3.3).
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;

/// `ECCurveType named_curve(3)`, the only curve type RFC 8422 section 5.4
/// still allows.
pub const CURVE_TYPE_NAMED_CURVE: u8 = 3;

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

    /// `supported_groups` (RFC 8422 section 5.1.1).
    pub fn supported_groups(&self) -> Option<&[u16]> {
        match self.find(ExtensionType::SupportedGroups)? {
            ClientExtension::SupportedGroups(g) => Some(g),
            _ => None,
        }
    }

    /// `ec_point_formats` (RFC 8422 section 5.1.2).
    pub fn ec_point_formats(&self) -> Option<&[u8]> {
        match self.find(ExtensionType::EcPointFormats)? {
            ClientExtension::EcPointFormats(f) => Some(f),
            _ => None,
        }
    }

    /// `signature_algorithms` (RFC 5246 section 7.4.1.4.1).
    pub fn signature_algorithms(&self) -> Option<&[u16]> {
        match self.find(ExtensionType::SignatureAlgorithms)? {
            ClientExtension::SignatureAlgorithms(s) => Some(s),
            _ => None,
        }
    }

    /// The ALPN protocol names offered (RFC 7301 section 3.1).
    pub fn alpn_protocols(&self) -> Option<&[Vec<u8>]> {
        match self.find(ExtensionType::Alpn)? {
            ClientExtension::Alpn(p) => Some(p),
            _ => None,
        }
    }

    /// The raw SNI `host_name` bytes (RFC 6066 section 3).
    pub fn server_name_bytes(&self) -> Option<&[u8]> {
        match self.find(ExtensionType::ServerName)? {
            ClientExtension::ServerName(h) => Some(h),
            _ => None,
        }
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

    /// `renegotiation_info`'s `renegotiated_connection` (RFC 5746 section 3.2).
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.find(ExtensionType::RenegotiationInfo)? {
            ClientExtension::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
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

/// The Certificate message (RFC 5246 section 7.4.2).
///
/// ```text
/// opaque ASN.1Cert<1..2^24-1>;
/// struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `certificate_list`: DER certificates, sender's own first.
    pub certificate_list: Vec<Vec<u8>>,
}

impl Codec for Certificate {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(out, LengthPrefix::U24, |o| {
            let start = o.len();
            for cert in &self.certificate_list {
                let before = o.len();
                encode_opaque(o, LengthPrefix::U24, cert);
                if o.len().saturating_sub(start) > LengthPrefix::U24.max() {
                    o.truncate(before);
                    break;
                }
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut list = r
            .sub(LengthPrefix::U24)
            .need("Certificate.certificate_list")?;
        let mut certificate_list = Vec::new();
        while !list.is_empty() {
            certificate_list.push(read_opaque(
                &mut list,
                LengthPrefix::U24,
                1,
                LengthPrefix::U24.max(),
                "ASN.1Cert",
            )?);
        }
        Ok(Certificate { certificate_list })
    }
}

/// A signature with its algorithm (RFC 5246 section 4.7, as used by RFC 8422
/// section 5.4 and RFC 5246 section 7.4.8).
///
/// ```text
/// struct {
///     SignatureAndHashAlgorithm algorithm;
///     opaque signature<0..2^16-1>;
/// } DigitallySigned;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitallySigned {
    /// `algorithm`, as the 16-bit SignatureScheme value (hash byte then
    /// signature byte).
    pub scheme: u16,
    /// `signature`.
    pub signature: Vec<u8>,
}

impl Codec for DigitallySigned {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.scheme);
        encode_opaque(out, LengthPrefix::U16, &self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(DigitallySigned {
            scheme: r.u16().need("DigitallySigned.algorithm")?,
            signature: read_opaque(r, LengthPrefix::U16, 0, 0xffff, "DigitallySigned.signature")?,
        })
    }
}

/// `ServerECDHParams` with a named curve (RFC 8422 section 5.4).
///
/// ```text
/// struct {
///     ECParameters curve_params;   // curve_type named_curve(3), NamedCurve
///     ECPoint      public;         // opaque point <1..2^8-1>
/// } ServerECDHParams;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEcdhParams {
    /// `curve_params.namedcurve`, the NamedGroup value.
    pub named_curve: u16,
    /// `public.point`: the server's ephemeral public key.
    pub public: Vec<u8>,
}

impl ServerEcdhParams {
    /// The exact bytes the ServerKeyExchange signature covers:
    /// `client_random + server_random + ServerECDHParams` (RFC 8422 section
    /// 5.4).
    pub fn signed_message(
        &self,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * RANDOM_LEN + 4 + self.public.len());
        out.extend_from_slice(client_random);
        out.extend_from_slice(server_random);
        self.encode(&mut out);
        out
    }
}

impl Codec for ServerEcdhParams {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(CURVE_TYPE_NAMED_CURVE);
        put_u16(out, self.named_curve);
        encode_opaque(out, LengthPrefix::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        if r.u8().need("ECParameters.curve_type")? != CURVE_TYPE_NAMED_CURVE {
            return Err(Error::Decode("ECParameters.curve_type is not named_curve"));
        }
        Ok(ServerEcdhParams {
            named_curve: r.u16().need("ECParameters.namedcurve")?,
            public: read_opaque(r, LengthPrefix::U8, 1, 0xff, "ECPoint")?,
        })
    }
}

/// The ECDHE ServerKeyExchange (RFC 8422 section 5.4), the only key exchange
/// this project implements.
///
/// ```text
/// struct {
///     ServerECDHParams params;
///     digitally-signed struct { ... } signed_params;   // DigitallySigned
/// } ServerKeyExchange;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// `params`.
    pub params: ServerEcdhParams,
    /// `signed_params`: signature over
    /// [`ServerEcdhParams::signed_message`].
    pub signed_params: DigitallySigned,
}

impl Codec for ServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.params.encode(out);
        self.signed_params.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ServerKeyExchange {
            params: ServerEcdhParams::read(r)?,
            signed_params: DigitallySigned::read(r)?,
        })
    }
}

/// The CertificateRequest (RFC 5246 section 7.4.4).
///
/// ```text
/// struct {
///     ClientCertificateType certificate_types<1..2^8-1>;
///     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
///     DistinguishedName certificate_authorities<0..2^16-1>;
/// } CertificateRequest;
/// opaque DistinguishedName<1..2^16-1>;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// `certificate_types` (e.g. rsa_sign(1), ecdsa_sign(64)).
    pub certificate_types: Vec<u8>,
    /// `supported_signature_algorithms`, as SignatureScheme values.
    pub supported_signature_algorithms: Vec<u16>,
    /// `certificate_authorities`: DER-encoded distinguished names.
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl Codec for CertificateRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, LengthPrefix::U8, &self.certificate_types);
        encode_u16_list(out, LengthPrefix::U16, &self.supported_signature_algorithms);
        encode_prefixed(out, LengthPrefix::U16, |o| {
            let start = o.len();
            for dn in &self.certificate_authorities {
                let before = o.len();
                encode_opaque(o, LengthPrefix::U16, dn);
                if o.len().saturating_sub(start) > LengthPrefix::U16.max() {
                    o.truncate(before);
                    break;
                }
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let certificate_types = read_opaque(
            r,
            LengthPrefix::U8,
            1,
            0xff,
            "CertificateRequest.certificate_types",
        )?;
        let supported_signature_algorithms = read_u16_list(
            r,
            LengthPrefix::U16,
            2,
            "CertificateRequest.supported_signature_algorithms",
        )?;
        let mut cas = r
            .sub(LengthPrefix::U16)
            .need("CertificateRequest.certificate_authorities")?;
        let mut certificate_authorities = Vec::new();
        while !cas.is_empty() {
            certificate_authorities.push(read_opaque(
                &mut cas,
                LengthPrefix::U16,
                1,
                0xffff,
                "DistinguishedName",
            )?);
        }
        Ok(CertificateRequest {
            certificate_types,
            supported_signature_algorithms,
            certificate_authorities,
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

/// The CertificateVerify (RFC 5246 section 7.4.8): a [`DigitallySigned`]
/// over the handshake messages so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateVerify {
    /// The signature and its algorithm.
    pub signed: DigitallySigned,
}

impl Codec for CertificateVerify {
    fn encode(&self, out: &mut Vec<u8>) {
        self.signed.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(CertificateVerify {
            signed: DigitallySigned::read(r)?,
        })
    }
}

/// The ECDHE ClientKeyExchange (RFC 8422 section 5.7): `ClientECDiffieHellmanPublic`
/// with an explicit `ECPoint ecdh_Yc` (`opaque point <1..2^8-1>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyExchange {
    /// `ecdh_Yc`: the client's ephemeral public point.
    pub public: Vec<u8>,
}

impl Codec for ClientKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, LengthPrefix::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ClientKeyExchange {
            public: read_opaque(r, LengthPrefix::U8, 1, 0xff, "ClientKeyExchange.ecdh_Yc")?,
        })
    }
}

/// The Finished message (RFC 5246 section 7.4.9). `verify_data` has no
/// length field: it is the whole body (12 bytes for every suite here); the
/// engine checks the length and compares in constant time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// `verify_data`.
    pub verify_data: Vec<u8>,
}

impl Codec for Finished {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.verify_data);
    }

    /// Takes every remaining byte of `r` as `verify_data`.
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Finished {
            verify_data: r.rest().to_vec(),
        })
    }
}

/// The NewSessionTicket (RFC 5077 section 3.3).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime_hint;
///     opaque ticket<0..2^16-1>;
/// } NewSessionTicket;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// `ticket_lifetime_hint` in seconds (0: unspecified).
    pub ticket_lifetime_hint: u32,
    /// `ticket`.
    pub ticket: Vec<u8>,
}

impl Codec for NewSessionTicket {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, self.ticket_lifetime_hint);
        encode_opaque(out, LengthPrefix::U16, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(NewSessionTicket {
            ticket_lifetime_hint: r.u32().need("NewSessionTicket.ticket_lifetime_hint")?,
            ticket: read_opaque(r, LengthPrefix::U16, 0, 0xffff, "NewSessionTicket.ticket")?,
        })
    }
}
