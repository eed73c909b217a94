//! The code points of the IANA registries this codec knows: content types
//! and versions (RFC 6347 4.1), handshake types (RFC 5246 7.4), alerts
//! (RFC 5246 7.2) and extension types (RFC 5246 7.4.1.4).
//!
//! Each enum comes from one table giving every named value its wire number;
//! any other number is kept as `Unknown`, so decoding never fails on an
//! unassigned value and re-encoding gives back the same bytes. The modules
//! of the structures that carry them re-export them.

/// Declares a code-point enum from `Variant = number` lines: the enum with
/// an extra `Unknown(repr)` variant, and the two `From` conversions.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ty {
            $( $(#[$doc:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
            /// Any other value.
            Unknown($repr),
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match v {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                match v {
                    $( $name::$variant => $value, )*
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}

wire_enum! {
    /// The record content type (RFC 5246 section 6.2.1, RFC 6520 section 3 for
    /// heartbeat). Unknown values are kept.
    pub enum ContentType: u8 {
        /// `change_cipher_spec(20)`.
        ChangeCipherSpec = 20,
        /// `alert(21)`.
        Alert = 21,
        /// `handshake(22)`.
        Handshake = 22,
        /// `application_data(23)`.
        ApplicationData = 23,
        /// `heartbeat(24)` (RFC 6520 section 3).
        Heartbeat = 24,
        /// `tls12_cid(25)`: a protected record carrying a connection ID
        /// (RFC 9146 section 4).
        Tls12Cid = 25,
    }
}

wire_enum! {
    /// The record-layer and hello protocol version (RFC 6347 section 4.1: DTLS
    /// 1.0 is `{254, 255}`, DTLS 1.2 is `{254, 253}`). Unknown values are kept.
    pub enum ProtocolVersion: u16 {
        /// DTLS 1.0, `0xFEFF` (RFC 4347).
        Dtls1_0 = 0xfeff,
        /// DTLS 1.2, `0xFEFD` (RFC 6347).
        Dtls1_2 = 0xfefd,
    }
}

wire_enum! {
    /// The handshake message type (RFC 5246 section 7.4, RFC 6347 section 4.3.2,
    /// RFC 5077 section 3.3). Unknown values are kept.
    pub enum HandshakeType: u8 {
        /// `hello_request(0)`.
        HelloRequest = 0,
        /// `client_hello(1)`.
        ClientHello = 1,
        /// `server_hello(2)`.
        ServerHello = 2,
        /// `hello_verify_request(3)` (RFC 6347 section 4.3.2).
        HelloVerifyRequest = 3,
        /// `new_session_ticket(4)` (RFC 5077 section 3.3).
        NewSessionTicket = 4,
        /// `certificate(11)`.
        Certificate = 11,
        /// `server_key_exchange(12)`.
        ServerKeyExchange = 12,
        /// `certificate_request(13)`.
        CertificateRequest = 13,
        /// `server_hello_done(14)`.
        ServerHelloDone = 14,
        /// `certificate_verify(15)`.
        CertificateVerify = 15,
        /// `client_key_exchange(16)`.
        ClientKeyExchange = 16,
        /// `finished(20)`.
        Finished = 20,
    }
}

wire_enum! {
    /// The alert level (RFC 5246 section 7.2). Unknown values are kept.
    pub enum AlertLevel: u8 {
        /// `warning(1)`.
        Warning = 1,
        /// `fatal(2)`.
        Fatal = 2,
    }
}

wire_enum! {
    /// The alert description (RFC 5246 section 7.2 plus later registry
    /// additions: RFC 6066, RFC 7301, RFC 7507, RFC 8446). Unknown values
    /// are kept.
    pub enum AlertDescription: u8 {
        /// `close_notify(0)` (RFC 5246 section 7.2.1).
        CloseNotify = 0,
        /// `unexpected_message(10)`.
        UnexpectedMessage = 10,
        /// `bad_record_mac(20)`.
        BadRecordMac = 20,
        /// `decryption_failed_RESERVED(21)`.
        DecryptionFailed = 21,
        /// `record_overflow(22)`.
        RecordOverflow = 22,
        /// `decompression_failure(30)`.
        DecompressionFailure = 30,
        /// `handshake_failure(40)`.
        HandshakeFailure = 40,
        /// `no_certificate_RESERVED(41)`.
        NoCertificate = 41,
        /// `bad_certificate(42)`.
        BadCertificate = 42,
        /// `unsupported_certificate(43)`.
        UnsupportedCertificate = 43,
        /// `certificate_revoked(44)`.
        CertificateRevoked = 44,
        /// `certificate_expired(45)`.
        CertificateExpired = 45,
        /// `certificate_unknown(46)`.
        CertificateUnknown = 46,
        /// `illegal_parameter(47)`.
        IllegalParameter = 47,
        /// `unknown_ca(48)`.
        UnknownCa = 48,
        /// `access_denied(49)`.
        AccessDenied = 49,
        /// `decode_error(50)`.
        DecodeError = 50,
        /// `decrypt_error(51)`.
        DecryptError = 51,
        /// `export_restriction_RESERVED(60)`.
        ExportRestriction = 60,
        /// `protocol_version(70)`.
        ProtocolVersion = 70,
        /// `insufficient_security(71)`.
        InsufficientSecurity = 71,
        /// `internal_error(80)`.
        InternalError = 80,
        /// `inappropriate_fallback(86)` (RFC 7507 section 2).
        InappropriateFallback = 86,
        /// `user_canceled(90)`.
        UserCanceled = 90,
        /// `no_renegotiation(100)`.
        NoRenegotiation = 100,
        /// `missing_extension(109)` (RFC 8446 section 6.2).
        MissingExtension = 109,
        /// `unsupported_extension(110)` (RFC 5246 section 7.2.2).
        UnsupportedExtension = 110,
        /// `certificate_unobtainable(111)` (RFC 6066 section 9).
        CertificateUnobtainable = 111,
        /// `unrecognized_name(112)` (RFC 6066 section 3).
        UnrecognizedName = 112,
        /// `bad_certificate_status_response(113)` (RFC 6066 section 8).
        BadCertificateStatusResponse = 113,
        /// `bad_certificate_hash_value(114)` (RFC 6066 section 9).
        BadCertificateHashValue = 114,
        /// `unknown_psk_identity(115)` (RFC 4279 section 2).
        UnknownPskIdentity = 115,
        /// `certificate_required(116)` (RFC 8446 section 6.2).
        CertificateRequired = 116,
        /// `no_application_protocol(120)` (RFC 7301 section 3.2).
        NoApplicationProtocol = 120,
    }
}

wire_enum! {
    /// The IANA TLS ExtensionType values this codec models (RFC 5246 section
    /// 7.4.1.4 and the RFCs cited per variant). Unknown values are kept.
    #[derive(PartialOrd, Ord)]
    pub enum ExtensionType: u16 {
        /// `server_name(0)` (RFC 6066 section 3).
        ServerName = 0,
        /// `supported_groups(10)`, formerly `elliptic_curves` (RFC 8422 section 5.1.1).
        SupportedGroups = 10,
        /// `ec_point_formats(11)` (RFC 8422 section 5.1.2).
        EcPointFormats = 11,
        /// `signature_algorithms(13)` (RFC 5246 section 7.4.1.4.1).
        SignatureAlgorithms = 13,
        /// `heartbeat(15)` (RFC 6520 section 2).
        Heartbeat = 15,
        /// `application_layer_protocol_negotiation(16)` (RFC 7301 section 3.1).
        Alpn = 16,
        /// `client_certificate_type(19)` (RFC 7250 section 3).
        ClientCertificateType = 19,
        /// `server_certificate_type(20)` (RFC 7250 section 3).
        ServerCertificateType = 20,
        /// `encrypt_then_mac(22)` (RFC 7366 section 2).
        EncryptThenMac = 22,
        /// `extended_master_secret(23)` (RFC 7627 section 5.1).
        ExtendedMasterSecret = 23,
        /// `record_size_limit(28)` (RFC 8449 section 4).
        RecordSizeLimit = 28,
        /// `session_ticket(35)` (RFC 5077 section 3.2).
        SessionTicket = 35,
        /// `connection_id(54)` (RFC 9146 section 3; not the draft's 53).
        ConnectionId = 54,
        /// `renegotiation_info(0xff01)` (RFC 5746 section 3.2).
        RenegotiationInfo = 0xff01,
    }
}

wire_enum! {
    /// What a Certificate message carries (RFC 7250 section 3, the IANA
    /// TLS Certificate Types registry): an X.509 chain or a raw public key.
    /// Unknown values are kept.
    pub enum CertificateType: u8 {
        /// `X509(0)`: a certificate chain (RFC 5246 section 7.4.2).
        X509 = 0,
        /// `RawPublicKey(2)`: a bare SubjectPublicKeyInfo (RFC 7250).
        RawPublicKey = 2,
    }
}
