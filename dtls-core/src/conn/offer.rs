//! What a ClientHello offers, read once from the message (RFC 5246
//! 7.4.1.2 and the extension RFCs), so that negotiation looks at named
//! fields instead of walking the extension list again.

use crate::msgs::extensions::{CertificateType, HeartbeatMode};
use crate::msgs::messages::ClientHello;

/// The offer of one ClientHello, borrowed from it.
pub(crate) struct ClientHelloOffer<'a> {
    /// `client_version` (RFC 6347 4.1: numerically larger is older).
    pub version: u16,
    pub random: [u8; 32],
    pub session_id: &'a [u8],
    pub cipher_suites: &'a [u16],
    /// Whether null compression is offered (RFC 5246 7.4.1.2).
    pub null_compression: bool,
    /// `supported_groups` (RFC 8422 5.1.1).
    pub groups: Option<&'a [u16]>,
    /// `signature_algorithms` (RFC 5246 7.4.1.4.1).
    pub signature_schemes: Option<&'a [u16]>,
    /// `ec_point_formats` (RFC 8422 5.1.2).
    pub point_formats: Option<&'a [u8]>,
    /// ALPN protocol names (RFC 7301 3.1).
    pub alpn: Option<&'a [Vec<u8>]>,
    /// The SNI host name, lower case (RFC 6066 3).
    pub server_name: Option<String>,
    /// `extended_master_secret` (RFC 7627 5.1).
    pub extended_master_secret: bool,
    /// `encrypt_then_mac` (RFC 7366 2).
    pub encrypt_then_mac: bool,
    /// `renegotiation_info`'s contents (RFC 5746 3.2).
    pub renegotiation_info: Option<&'a [u8]>,
    /// Secure renegotiation signalled by the extension or the SCSV
    /// (RFC 5746 3.3).
    pub secure_renegotiation: bool,
    /// `record_size_limit` (RFC 8449 4).
    pub record_size_limit: Option<u16>,
    /// `heartbeat` (RFC 6520 2).
    pub heartbeat: Option<HeartbeatMode>,
    /// `session_ticket`, possibly empty (RFC 5077 3.2).
    pub ticket: Option<&'a [u8]>,
    /// `client_certificate_type`: what the client can present (RFC 7250 3).
    pub client_certificate_types: Option<&'a [CertificateType]>,
    /// `server_certificate_type`: what the client accepts (RFC 7250 3).
    pub server_certificate_types: Option<&'a [CertificateType]>,
    /// `connection_id`: the CID the client wants in our records (RFC 9146 3).
    pub connection_id: Option<&'a [u8]>,
}

impl<'a> ClientHelloOffer<'a> {
    /// Reads the offer of `hello`.
    pub(crate) fn new(hello: &'a ClientHello) -> Self {
        ClientHelloOffer {
            version: u16::from(hello.client_version),
            random: hello.random,
            session_id: &hello.session_id,
            cipher_suites: &hello.cipher_suites,
            null_compression: hello.offers_null_compression(),
            groups: hello.supported_groups(),
            signature_schemes: hello.signature_algorithms(),
            point_formats: hello.ec_point_formats(),
            alpn: hello.alpn_protocols(),
            server_name: hello
                .server_name_bytes()
                .map(|name| String::from_utf8_lossy(name).to_ascii_lowercase()),
            extended_master_secret: hello.offers_ems(),
            encrypt_then_mac: hello.offers_etm(),
            renegotiation_info: hello.renegotiation_info(),
            secure_renegotiation: hello.offers_secure_renegotiation(),
            record_size_limit: hello.record_size_limit(),
            heartbeat: hello.heartbeat_mode(),
            ticket: hello.session_ticket(),
            client_certificate_types: hello.client_certificate_types(),
            server_certificate_types: hello.server_certificate_types(),
            connection_id: hello.connection_id(),
        }
    }

    /// Whether the client offers the cipher suite `id`.
    pub(crate) fn offers_suite(&self, id: u16) -> bool {
        self.cipher_suites.contains(&id)
    }
}
