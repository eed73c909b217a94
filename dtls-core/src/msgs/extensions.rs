//! Hello extensions (RFC 5246 section 7.4.1.4) with typed variants for the
//! ones this server negotiates; every other extension is kept opaque.
//!
//! ```text
//! struct {
//!     ExtensionType extension_type;       // uint16
//!     opaque extension_data<0..2^16-1>;
//! } Extension;
//! ```
//!
//! Groups and signature schemes stay plain `u16` so unknown values survive a
//! decode/encode round trip; the engine maps them to `dtls-crypto` types.

use super::codec::{
    Codec, LengthPrefix, Need, Reader, encode_list, encode_opaque, encode_opaque_list,
    encode_prefixed, encode_u16_list, put_u16, read_opaque, read_opaque_list, read_u16_list,
};
pub use super::enums::{CertificateType, ExtensionType};
use crate::error::Error;

/// The `host_name(0)` ServerName type (RFC 6066 section 3).
pub const SERVER_NAME_HOST_NAME: u8 = 0;

/// The smallest `record_size_limit` a peer may send (RFC 8449 section 4).
pub const MIN_RECORD_SIZE_LIMIT: u16 = 64;

/// The heartbeat extension's mode (RFC 6520 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatMode {
    /// `peer_allowed_to_send(1)`.
    PeerAllowedToSend,
    /// `peer_not_allowed_to_send(2)`.
    PeerNotAllowedToSend,
}

impl HeartbeatMode {
    fn to_u8(self) -> u8 {
        match self {
            HeartbeatMode::PeerAllowedToSend => 1,
            HeartbeatMode::PeerNotAllowedToSend => 2,
        }
    }

    /// Reads the mode; an unknown mode is an `illegal_parameter` error
    /// (RFC 6520 section 2).
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        match r.u8().need("heartbeat mode")? {
            1 => Ok(HeartbeatMode::PeerAllowedToSend),
            2 => Ok(HeartbeatMode::PeerNotAllowedToSend),
            _ => Err(Error::IllegalParameter("unknown heartbeat mode")),
        }
    }
}

/// An extension in a ClientHello (RFC 5246 section 7.4.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientExtension {
    /// `server_name`: the `host_name` from the ServerNameList (RFC 6066
    /// section 3). The list must hold exactly one `host_name` entry: no other
    /// name type is defined and duplicates are forbidden.
    ServerName(Vec<u8>),
    /// `supported_groups`: NamedGroupList `<2..2^16-1>` (RFC 8422 section 5.1.1).
    SupportedGroups(Vec<u16>),
    /// `ec_point_formats`: ECPointFormatList `<1..2^8-1>` (RFC 8422 section 5.1.2).
    EcPointFormats(Vec<u8>),
    /// `signature_algorithms`: SignatureAndHashAlgorithm list `<2..2^16-2>`
    /// (RFC 5246 section 7.4.1.4.1), each as the 16-bit SignatureScheme value.
    SignatureAlgorithms(Vec<u16>),
    /// `application_layer_protocol_negotiation`: ProtocolNameList
    /// `<2..2^16-1>` of non-empty names `<1..2^8-1>` (RFC 7301 section 3.1).
    Alpn(Vec<Vec<u8>>),
    /// `heartbeat` (RFC 6520 section 2).
    Heartbeat(HeartbeatMode),
    /// `encrypt_then_mac`: empty (RFC 7366 section 2).
    EncryptThenMac,
    /// `extended_master_secret`: empty (RFC 7627 section 5.1).
    ExtendedMasterSecret,
    /// `record_size_limit`: at least 64 (RFC 8449 section 4).
    RecordSizeLimit(u16),
    /// `session_ticket`: the ticket, possibly empty (RFC 5077 section 3.2).
    SessionTicket(Vec<u8>),
    /// `renegotiation_info`: `renegotiated_connection<0..255>` (RFC 5746
    /// section 3.2).
    RenegotiationInfo(Vec<u8>),
    /// `client_certificate_type`: the types the client can send, in
    /// preference order, `<1..2^8-1>` (RFC 7250 section 3).
    ClientCertificateTypes(Vec<CertificateType>),
    /// `server_certificate_type`: the types the client can process, in
    /// preference order, `<1..2^8-1>` (RFC 7250 section 3).
    ServerCertificateTypes(Vec<CertificateType>),
    /// `connection_id`: the CID the client wants records to it to carry,
    /// `<0..2^8-1>`; empty means "send me none" (RFC 9146 section 3).
    ConnectionId(Vec<u8>),
    /// Any other extension, kept opaque. Build it only with a `typ` not
    /// modelled above: a modelled type decodes to its typed variant.
    Unknown {
        /// The `extension_type`.
        typ: u16,
        /// The `extension_data`.
        data: Vec<u8>,
    },
}

/// An extension in a ServerHello (RFC 5246 section 7.4.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerExtension {
    /// `server_name` acknowledgement: empty `extension_data` (RFC 6066
    /// section 3).
    ServerNameAck,
    /// `ec_point_formats` (RFC 8422 section 5.2).
    EcPointFormats(Vec<u8>),
    /// `application_layer_protocol_negotiation` with exactly one selected
    /// protocol (RFC 7301 section 3.1).
    Alpn(Vec<u8>),
    /// `heartbeat` (RFC 6520 section 2).
    Heartbeat(HeartbeatMode),
    /// `encrypt_then_mac`: empty (RFC 7366 section 2).
    EncryptThenMac,
    /// `extended_master_secret`: empty (RFC 7627 section 5.2).
    ExtendedMasterSecret,
    /// `record_size_limit`: at least 64 (RFC 8449 section 4).
    RecordSizeLimit(u16),
    /// `session_ticket` acknowledgement: empty (RFC 5077 section 3.2).
    SessionTicketAck,
    /// `renegotiation_info`: `renegotiated_connection<0..255>` (RFC 5746
    /// section 3.2).
    RenegotiationInfo(Vec<u8>),
    /// `client_certificate_type`: the one type the client must send
    /// (RFC 7250 section 3).
    ClientCertificateType(CertificateType),
    /// `server_certificate_type`: the one type the server sends
    /// (RFC 7250 section 3).
    ServerCertificateType(CertificateType),
    /// `connection_id`: the CID the server wants records to it to carry
    /// (RFC 9146 section 3).
    ConnectionId(Vec<u8>),
    /// Any other extension, kept opaque. Build it only with a `typ` not
    /// modelled above: a modelled type decodes to its typed variant.
    Unknown {
        /// The `extension_type`.
        typ: u16,
        /// The `extension_data`.
        data: Vec<u8>,
    },
}

/// A client's list of certificate types `<1..2^8-1>` (RFC 7250 section 3).
fn read_certificate_types(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Vec<CertificateType>, Error> {
    let types = read_opaque(r, LengthPrefix::U8, 1, 0xff, what)?;
    Ok(types.into_iter().map(CertificateType::from).collect())
}

fn encode_certificate_types(out: &mut Vec<u8>, types: &[CertificateType]) {
    let bytes: Vec<u8> = types.iter().map(|t| u8::from(*t)).collect();
    encode_opaque(out, LengthPrefix::U8, &bytes);
}

/// A `ConnectionId cid<0..2^8-1>` (RFC 9146 section 3).
fn read_cid(r: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    read_opaque(r, LengthPrefix::U8, 0, 0xff, "connection_id")
}

/// A ProtocolName `<1..2^8-1>` (RFC 7301 section 3.1).
fn read_protocol_name(r: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    read_opaque(r, LengthPrefix::U8, 1, 0xff, "ALPN ProtocolName")
}

/// A ProtocolNameList (RFC 7301 section 3.1).
fn encode_protocol_names(out: &mut Vec<u8>, names: &[Vec<u8>]) {
    encode_opaque_list(out, LengthPrefix::U16, LengthPrefix::U8, names);
}

fn read_record_size_limit(r: &mut Reader<'_>) -> Result<u16, Error> {
    let v = r.u16().need("record_size_limit")?;
    if v < MIN_RECORD_SIZE_LIMIT {
        return Err(Error::IllegalParameter("record_size_limit below 64"));
    }
    Ok(v)
}

fn expect_empty_data(r: &Reader<'_>, what: &'static str) -> Result<(), Error> {
    r.expect_empty(what)
}

/// Reads `extension_type` and the bounded `extension_data` reader.
fn read_ext_header<'a>(r: &mut Reader<'a>) -> Result<(u16, Reader<'a>), Error> {
    let typ = r.u16().need("extension_type")?;
    let data = r.sub(LengthPrefix::U16).need("extension_data")?;
    Ok((typ, data))
}

fn encode_ext(out: &mut Vec<u8>, typ: u16, body: impl FnOnce(&mut Vec<u8>)) {
    put_u16(out, typ);
    encode_prefixed(out, LengthPrefix::U16, body);
}

impl ClientExtension {
    /// The wire `extension_type`.
    pub fn ext_type(&self) -> u16 {
        u16::from(match self {
            ClientExtension::ServerName(_) => ExtensionType::ServerName,
            ClientExtension::SupportedGroups(_) => ExtensionType::SupportedGroups,
            ClientExtension::EcPointFormats(_) => ExtensionType::EcPointFormats,
            ClientExtension::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            ClientExtension::Alpn(_) => ExtensionType::Alpn,
            ClientExtension::Heartbeat(_) => ExtensionType::Heartbeat,
            ClientExtension::EncryptThenMac => ExtensionType::EncryptThenMac,
            ClientExtension::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            ClientExtension::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            ClientExtension::SessionTicket(_) => ExtensionType::SessionTicket,
            ClientExtension::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            ClientExtension::ClientCertificateTypes(_) => ExtensionType::ClientCertificateType,
            ClientExtension::ServerCertificateTypes(_) => ExtensionType::ServerCertificateType,
            ClientExtension::ConnectionId(_) => ExtensionType::ConnectionId,
            ClientExtension::Unknown { typ, .. } => ExtensionType::Unknown(*typ),
        })
    }
}

impl Codec for ClientExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_ext(out, self.ext_type(), |o| match self {
            ClientExtension::ServerName(host) => encode_prefixed(o, LengthPrefix::U16, |o| {
                o.push(SERVER_NAME_HOST_NAME);
                encode_opaque(o, LengthPrefix::U16, host);
            }),
            ClientExtension::SupportedGroups(g) => encode_u16_list(o, LengthPrefix::U16, g),
            ClientExtension::EcPointFormats(f) => encode_opaque(o, LengthPrefix::U8, f),
            ClientExtension::SignatureAlgorithms(s) => encode_u16_list(o, LengthPrefix::U16, s),
            ClientExtension::Alpn(names) => encode_protocol_names(o, names),
            ClientExtension::Heartbeat(m) => o.push(m.to_u8()),
            ClientExtension::EncryptThenMac | ClientExtension::ExtendedMasterSecret => {}
            ClientExtension::RecordSizeLimit(v) => put_u16(o, *v),
            ClientExtension::SessionTicket(t) => o.extend_from_slice(t),
            ClientExtension::RenegotiationInfo(v) => encode_opaque(o, LengthPrefix::U8, v),
            ClientExtension::ClientCertificateTypes(t)
            | ClientExtension::ServerCertificateTypes(t) => encode_certificate_types(o, t),
            ClientExtension::ConnectionId(cid) => encode_opaque(o, LengthPrefix::U8, cid),
            ClientExtension::Unknown { data, .. } => o.extend_from_slice(data),
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let (typ, mut d) = read_ext_header(r)?;
        let ext =
            match ExtensionType::from(typ) {
                ExtensionType::ServerName => {
                    let mut list = d.sub(LengthPrefix::U16).need("ServerNameList")?;
                    let name_type = list.u8().need("ServerNameList empty")?;
                    if name_type != SERVER_NAME_HOST_NAME {
                        return Err(Error::Decode("server_name: unknown NameType"));
                    }
                    let host = read_opaque(&mut list, LengthPrefix::U16, 1, 0xffff, "HostName")?;
                    list.expect_empty("server_name: more than one name")?;
                    ClientExtension::ServerName(host)
                }
                ExtensionType::SupportedGroups => ClientExtension::SupportedGroups(read_u16_list(
                    &mut d,
                    LengthPrefix::U16,
                    2,
                    "supported_groups",
                )?),
                ExtensionType::EcPointFormats => ClientExtension::EcPointFormats(read_opaque(
                    &mut d,
                    LengthPrefix::U8,
                    1,
                    0xff,
                    "ec_point_formats",
                )?),
                ExtensionType::SignatureAlgorithms => ClientExtension::SignatureAlgorithms(
                    read_u16_list(&mut d, LengthPrefix::U16, 2, "signature_algorithms")?,
                ),
                ExtensionType::Alpn => {
                    let names = read_opaque_list(
                        &mut d,
                        LengthPrefix::U16,
                        LengthPrefix::U8,
                        "ProtocolNameList",
                        "ALPN ProtocolName",
                    )?;
                    if names.is_empty() {
                        return Err(Error::Decode("ProtocolNameList empty"));
                    }
                    ClientExtension::Alpn(names)
                }
                ExtensionType::Heartbeat => {
                    ClientExtension::Heartbeat(HeartbeatMode::read(&mut d)?)
                }
                ExtensionType::EncryptThenMac => ClientExtension::EncryptThenMac,
                ExtensionType::ExtendedMasterSecret => ClientExtension::ExtendedMasterSecret,
                ExtensionType::RecordSizeLimit => {
                    ClientExtension::RecordSizeLimit(read_record_size_limit(&mut d)?)
                }
                ExtensionType::SessionTicket => ClientExtension::SessionTicket(d.rest().to_vec()),
                ExtensionType::RenegotiationInfo => ClientExtension::RenegotiationInfo(
                    read_opaque(&mut d, LengthPrefix::U8, 0, 0xff, "renegotiation_info")?,
                ),
                ExtensionType::ClientCertificateType => ClientExtension::ClientCertificateTypes(
                    read_certificate_types(&mut d, "client_certificate_types")?,
                ),
                ExtensionType::ServerCertificateType => ClientExtension::ServerCertificateTypes(
                    read_certificate_types(&mut d, "server_certificate_types")?,
                ),
                ExtensionType::ConnectionId => ClientExtension::ConnectionId(read_cid(&mut d)?),
                ExtensionType::Unknown(typ) => ClientExtension::Unknown {
                    typ,
                    data: d.rest().to_vec(),
                },
            };
        expect_empty_data(&d, "client extension_data has trailing bytes")?;
        Ok(ext)
    }
}

impl ServerExtension {
    /// The wire `extension_type`.
    pub fn ext_type(&self) -> u16 {
        u16::from(match self {
            ServerExtension::ServerNameAck => ExtensionType::ServerName,
            ServerExtension::EcPointFormats(_) => ExtensionType::EcPointFormats,
            ServerExtension::Alpn(_) => ExtensionType::Alpn,
            ServerExtension::Heartbeat(_) => ExtensionType::Heartbeat,
            ServerExtension::EncryptThenMac => ExtensionType::EncryptThenMac,
            ServerExtension::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            ServerExtension::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            ServerExtension::SessionTicketAck => ExtensionType::SessionTicket,
            ServerExtension::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            ServerExtension::ClientCertificateType(_) => ExtensionType::ClientCertificateType,
            ServerExtension::ServerCertificateType(_) => ExtensionType::ServerCertificateType,
            ServerExtension::ConnectionId(_) => ExtensionType::ConnectionId,
            ServerExtension::Unknown { typ, .. } => ExtensionType::Unknown(*typ),
        })
    }
}

impl Codec for ServerExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_ext(out, self.ext_type(), |o| match self {
            ServerExtension::ServerNameAck
            | ServerExtension::EncryptThenMac
            | ServerExtension::ExtendedMasterSecret
            | ServerExtension::SessionTicketAck => {}
            ServerExtension::EcPointFormats(f) => encode_opaque(o, LengthPrefix::U8, f),
            ServerExtension::Alpn(name) => encode_protocol_names(o, std::slice::from_ref(name)),
            ServerExtension::Heartbeat(m) => o.push(m.to_u8()),
            ServerExtension::RecordSizeLimit(v) => put_u16(o, *v),
            ServerExtension::RenegotiationInfo(v) => encode_opaque(o, LengthPrefix::U8, v),
            ServerExtension::ClientCertificateType(t)
            | ServerExtension::ServerCertificateType(t) => {
                o.push(u8::from(*t));
            }
            ServerExtension::ConnectionId(cid) => encode_opaque(o, LengthPrefix::U8, cid),
            ServerExtension::Unknown { data, .. } => o.extend_from_slice(data),
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let (typ, mut d) = read_ext_header(r)?;
        let ext =
            match ExtensionType::from(typ) {
                ExtensionType::ServerName => ServerExtension::ServerNameAck,
                ExtensionType::EcPointFormats => ServerExtension::EcPointFormats(read_opaque(
                    &mut d,
                    LengthPrefix::U8,
                    1,
                    0xff,
                    "ec_point_formats",
                )?),
                ExtensionType::Alpn => {
                    let mut list = d.sub(LengthPrefix::U16).need("ProtocolNameList")?;
                    let name = read_protocol_name(&mut list)?;
                    list.expect_empty("server ALPN must select exactly one protocol")?;
                    ServerExtension::Alpn(name)
                }
                ExtensionType::Heartbeat => {
                    ServerExtension::Heartbeat(HeartbeatMode::read(&mut d)?)
                }
                ExtensionType::EncryptThenMac => ServerExtension::EncryptThenMac,
                ExtensionType::ExtendedMasterSecret => ServerExtension::ExtendedMasterSecret,
                ExtensionType::RecordSizeLimit => {
                    ServerExtension::RecordSizeLimit(read_record_size_limit(&mut d)?)
                }
                ExtensionType::SessionTicket => ServerExtension::SessionTicketAck,
                ExtensionType::RenegotiationInfo => ServerExtension::RenegotiationInfo(
                    read_opaque(&mut d, LengthPrefix::U8, 0, 0xff, "renegotiation_info")?,
                ),
                ExtensionType::ClientCertificateType => ServerExtension::ClientCertificateType(
                    CertificateType::from(d.u8().need("client_certificate_type")?),
                ),
                ExtensionType::ServerCertificateType => ServerExtension::ServerCertificateType(
                    CertificateType::from(d.u8().need("server_certificate_type")?),
                ),
                ExtensionType::ConnectionId => ServerExtension::ConnectionId(read_cid(&mut d)?),
                ExtensionType::SupportedGroups
                | ExtensionType::SignatureAlgorithms
                | ExtensionType::Unknown(_) => ServerExtension::Unknown {
                    typ,
                    data: d.rest().to_vec(),
                },
            };
        expect_empty_data(&d, "server extension_data has trailing bytes")?;
        Ok(ext)
    }
}

/// Something with an `extension_type`, for the duplicate check.
pub trait HasExtType {
    /// The wire `extension_type`.
    fn ext_type(&self) -> u16;
}

impl HasExtType for ClientExtension {
    fn ext_type(&self) -> u16 {
        ClientExtension::ext_type(self)
    }
}

impl HasExtType for ServerExtension {
    fn ext_type(&self) -> u16 {
        ServerExtension::ext_type(self)
    }
}

/// Reads the optional extensions block that ends a hello (RFC 5246 section
/// 7.4.1.2: present iff bytes follow `compression_methods`). `None` when the
/// reader is already empty, `Some(vec![])` for an empty block. Rejects two
/// extensions of the same type (RFC 5246 section 7.4.1.4) as
/// [`Error::IllegalParameter`].
pub fn read_extensions<T: Codec + HasExtType>(r: &mut Reader<'_>) -> Result<Option<Vec<T>>, Error> {
    if r.is_empty() {
        return Ok(None);
    }
    let mut block = r.sub(LengthPrefix::U16).need("extensions")?;
    let mut exts: Vec<T> = Vec::new();
    while !block.is_empty() {
        exts.push(T::read(&mut block)?);
    }
    let mut types: Vec<u16> = exts.iter().map(HasExtType::ext_type).collect();
    types.sort_unstable();
    if types.windows(2).any(|w| w.first() == w.get(1)) {
        return Err(Error::IllegalParameter("duplicate extension type"));
    }
    Ok(Some(exts))
}

/// Writes the optional extensions block: nothing for `None`, a (possibly
/// empty) `<0..2^16-1>` vector for `Some`.
pub fn encode_extensions<T: Codec>(out: &mut Vec<u8>, exts: Option<&[T]>) {
    if let Some(exts) = exts {
        encode_list(out, LengthPrefix::U16, exts);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn client(hex_str: &str) -> Result<ClientExtension, Error> {
        ClientExtension::read_bytes(&hex::decode(hex_str).unwrap())
    }

    #[test]
    fn server_name_host_name() {
        // type 0, data len 14, list len 12, host_name(0), len 9, "localhost".
        let bytes = "0000000e000c0000096c6f63616c686f7374";
        let ext = client(bytes).unwrap();
        assert_eq!(ext, ClientExtension::ServerName(b"localhost".to_vec()));
        assert_eq!(hex::encode(ext.get_encoding()), bytes);
        // Unknown name type, empty host name, second entry: rejected.
        assert!(client("00000006000401000161").is_err());
        assert!(client("000000050003000000").is_err());
        assert!(client("0000000a00080000016100000162").is_err());
    }

    #[test]
    fn supported_groups_and_sigalgs() {
        let g = client("000a00080006001d00170018").unwrap();
        assert_eq!(g, ClientExtension::SupportedGroups(vec![0x1d, 0x17, 0x18]));
        assert!(client("000a000400020017").is_ok());
        assert!(client("000a0002000000").is_err());
        assert!(client("000a000300010017").is_err());
        let s = client("000d0006000404030804").unwrap();
        assert_eq!(
            s,
            ClientExtension::SignatureAlgorithms(vec![0x0403, 0x0804])
        );
    }

    #[test]
    fn alpn() {
        // "h2", "coap".
        let bytes = "0010000a000802683204636f6170";
        let ext = client(bytes).unwrap();
        assert_eq!(
            ext,
            ClientExtension::Alpn(vec![b"h2".to_vec(), b"coap".to_vec()])
        );
        assert_eq!(hex::encode(ext.get_encoding()), bytes);
        // Empty protocol name.
        assert!(client("00100003000100").is_err());
        // Server must pick one.
        let one = ServerExtension::read_bytes(&hex::decode("001000050003026832").unwrap()).unwrap();
        assert_eq!(one, ServerExtension::Alpn(b"h2".to_vec()));
        assert!(ServerExtension::read_bytes(&hex::decode(bytes).unwrap()).is_err());
    }

    #[test]
    fn empty_and_small_extensions() {
        assert_eq!(
            client("00170000").unwrap(),
            ClientExtension::ExtendedMasterSecret
        );
        assert_eq!(client("00160000").unwrap(), ClientExtension::EncryptThenMac);
        assert!(client("0017000100").is_err());
        assert_eq!(
            client("00230000").unwrap(),
            ClientExtension::SessionTicket(vec![])
        );
        assert_eq!(
            client("ff01000100").unwrap(),
            ClientExtension::RenegotiationInfo(vec![])
        );
        assert_eq!(
            client("000f000101").unwrap(),
            ClientExtension::Heartbeat(HeartbeatMode::PeerAllowedToSend)
        );
        assert_eq!(
            client("000f000103"),
            Err(Error::IllegalParameter("unknown heartbeat mode"))
        );
        assert_eq!(
            client("001c00020040").unwrap(),
            ClientExtension::RecordSizeLimit(64)
        );
        assert_eq!(
            client("001c0002003f"),
            Err(Error::IllegalParameter("record_size_limit below 64"))
        );
        assert_eq!(
            client("abcd0002beef").unwrap(),
            ClientExtension::Unknown {
                typ: 0xabcd,
                data: vec![0xbe, 0xef]
            }
        );
    }

    #[test]
    fn certificate_types() {
        // RFC 7250 3: the client lists types, the server names one.
        let ext = client("00140003020200").unwrap();
        assert_eq!(
            ext,
            ClientExtension::ServerCertificateTypes(vec![
                CertificateType::RawPublicKey,
                CertificateType::X509
            ])
        );
        assert_eq!(hex::encode(ext.get_encoding()), "00140003020200");
        // A list longer than its bytes.
        assert!(client("001300020202").is_err());
        assert_eq!(
            client("001300020102").unwrap(),
            ClientExtension::ClientCertificateTypes(vec![CertificateType::RawPublicKey])
        );
        // An empty list is not allowed (<1..2^8-1>).
        assert!(client("0013000100").is_err());
        let server = |h: &str| ServerExtension::read_bytes(&hex::decode(h).unwrap());
        assert_eq!(
            server("0014000102").unwrap(),
            ServerExtension::ServerCertificateType(CertificateType::RawPublicKey)
        );
        assert_eq!(
            server("0013000100").unwrap(),
            ServerExtension::ClientCertificateType(CertificateType::X509)
        );
        assert!(server("00140000").is_err());
        assert!(server("001400020202").is_err());
    }

    #[test]
    fn connection_id() {
        // RFC 9146 3: extension 54, a CID of 0 to 255 bytes.
        assert_eq!(
            client("003600030201ff").unwrap(),
            ClientExtension::ConnectionId(vec![1, 0xff])
        );
        assert_eq!(
            client("0036000100").unwrap(),
            ClientExtension::ConnectionId(vec![])
        );
        assert!(client("00360000").is_err());
        assert!(client("0036000203aa").is_err());
        let server = ServerExtension::read_bytes(&hex::decode("0036000201aa").unwrap());
        assert_eq!(server.unwrap(), ServerExtension::ConnectionId(vec![0xaa]));
        // The draft's code point 53 is not ours.
        assert!(matches!(
            client("0035000100").unwrap(),
            ClientExtension::Unknown { typ: 53, .. }
        ));
    }

    #[test]
    fn extension_block_absent_empty_duplicate() {
        let mut r = Reader::new(&[]);
        assert_eq!(read_extensions::<ClientExtension>(&mut r).unwrap(), None);
        let mut r = Reader::new(&[0, 0]);
        assert_eq!(
            read_extensions::<ClientExtension>(&mut r).unwrap(),
            Some(vec![])
        );
        let dup = hex::decode("0008001700000017 0000".replace(' ', "")).unwrap();
        let mut r = Reader::new(&dup);
        assert_eq!(
            read_extensions::<ClientExtension>(&mut r),
            Err(Error::IllegalParameter("duplicate extension type"))
        );
        // A lone byte is not an extensions block.
        let mut r = Reader::new(&[0]);
        assert!(read_extensions::<ClientExtension>(&mut r).is_err());
    }
}
