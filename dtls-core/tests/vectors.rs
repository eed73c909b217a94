//! Byte-exact vectors for the handshake bodies, built by hand from the RFC
//! structures (RFC 6347 section 4.2.1, RFC 5246 section 7.4, RFC 8422
//! section 5).
#![allow(clippy::unwrap_used)]

use dtls_core::Error;
use dtls_core::internals::msgs::codec::Codec;
use dtls_core::internals::msgs::extensions::{
    CertificateType, ClientExtension, HeartbeatMode, ServerExtension,
};
use dtls_core::internals::msgs::handshake::{
    HandshakeFragments, HandshakePayload, HandshakeType, encode_handshake,
};
use dtls_core::internals::msgs::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    ClientKeyExchangeParams, DigitallySigned, Finished, HelloVerifyRequest, NewSessionTicket,
    ServerEcdhParams, ServerHello, ServerHelloDone, ServerKeyExchange, ServerKeyExchangeParams,
};
use dtls_core::internals::msgs::record::{ContentType, ProtocolVersion, Records};
use dtls_crypto::suites::KeyExchangeAlgorithm as Kx;

/// A first DTLS 1.2 ClientHello in the layout OpenSSL/GnuTLS clients send:
/// empty session_id and cookie, three suites (incl. the renegotiation SCSV),
/// null compression and an extension block.
const CLIENT_HELLO: &str = concat!(
    "fefd",                                                             // client_version
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", // random
    "00",                                                               // session_id
    "00",                                                               // cookie
    "0006c02bc02c00ff",                                                 // cipher_suites
    "0100",                                                             // compression_methods
    "0055",                                                             // extensions length
    "000b00020100",                                                     // ec_point_formats
    "000a00060004001d0017",                                             // supported_groups
    "000d0006000404030804",                                             // signature_algorithms
    "00170000",                                                         // extended_master_secret
    "00160000",                                                         // encrypt_then_mac
    "00230000",                                                         // session_ticket
    "0000000e000c0000096c6f63616c686f7374",                             // server_name
    "00100007000504636f6170",                                           // ALPN "coap"
    "000f000101",                                                       // heartbeat
    "001c00024001",                                                     // record_size_limit
    "00150003000000",                                                   // padding (unknown)
);

#[test]
fn client_hello_decodes_field_by_field() {
    let bytes = hex::decode(CLIENT_HELLO).unwrap();
    let ch = ClientHello::read_bytes(&bytes).unwrap();
    assert_eq!(ch.client_version, ProtocolVersion::Dtls1_2);
    assert_eq!(ch.random.first(), Some(&0));
    assert_eq!(ch.random.last(), Some(&0x1f));
    assert!(ch.session_id.is_empty());
    assert!(ch.cookie.is_empty());
    assert_eq!(ch.cipher_suites, vec![0xc02b, 0xc02c, 0x00ff]);
    assert_eq!(ch.compression_methods, vec![0]);
    assert_eq!(ch.extensions.as_ref().map(Vec::len), Some(11));
    assert_eq!(ch.supported_groups(), Some(&[0x1d, 0x17][..]));
    assert_eq!(ch.ec_point_formats(), Some(&[0][..]));
    assert_eq!(ch.signature_algorithms(), Some(&[0x0403, 0x0804][..]));
    assert_eq!(ch.server_name(), Some("localhost"));
    assert_eq!(ch.alpn_protocols(), Some(&[b"coap".to_vec()][..]));
    assert!(ch.offers_ems());
    assert!(ch.offers_etm());
    assert!(ch.offers_null_compression());
    assert!(ch.offers_secure_renegotiation());
    assert_eq!(ch.renegotiation_info(), None);
    assert_eq!(ch.session_ticket(), Some(&[][..]));
    assert_eq!(ch.heartbeat_mode(), Some(HeartbeatMode::PeerAllowedToSend));
    assert_eq!(ch.record_size_limit(), Some(0x4001));
    assert_eq!(
        ch.find_extension(0x15),
        Some(&ClientExtension::Unknown {
            typ: 0x15,
            data: vec![0, 0, 0]
        })
    );
    // Byte-exact re-encoding.
    assert_eq!(hex::encode(ch.get_encoding()), CLIENT_HELLO);
}

#[test]
fn client_hello_inside_record_and_handshake_header() {
    let body = hex::decode(CLIENT_HELLO).unwrap();
    assert_eq!(body.len(), 0x85);
    let datagram = hex::decode(
        "16feff00000000000000000091".to_owned() + "010000850000000000000085" + CLIENT_HELLO,
    )
    .unwrap();
    let mut records = Records::new(&datagram);
    let rec = records.next().unwrap().unwrap();
    assert!(records.next().is_none());
    assert_eq!(rec.header.content_type, ContentType::Handshake);
    assert_eq!(rec.header.version, ProtocolVersion::Dtls1_0);
    let mut frags = HandshakeFragments::new(rec.fragment);
    let frag = frags.next().unwrap().unwrap();
    assert!(frags.next().is_none());
    assert!(frag.is_complete());
    assert_eq!(frag.msg_type, HandshakeType::ClientHello);
    let payload = HandshakePayload::read(frag.msg_type, frag.fragment).unwrap();
    let HandshakePayload::ClientHello(ch) = &payload else {
        panic!("not a ClientHello");
    };
    assert_eq!(ch.cipher_suites.len(), 3);
    let mut again = Vec::new();
    payload.encode_message(0, &mut again);
    assert_eq!(again, datagram.get(13..).unwrap());
}

#[test]
fn cookie_input_ignores_cookie_and_extensions() {
    let first = ClientHello::read_bytes(&hex::decode(CLIENT_HELLO).unwrap()).unwrap();
    let mut second = first.clone();
    second.cookie = vec![0xc0; 32];
    second.extensions = Some(vec![ClientExtension::ExtendedMasterSecret]);
    assert_eq!(first.cookie_input(), second.cookie_input());
    // It is the hello prefix up to compression_methods.
    let prefix = hex::decode(CLIENT_HELLO.get(..2 * (2 + 32 + 1 + 1 + 8 + 2)).unwrap()).unwrap();
    assert_eq!(first.cookie_input(), prefix);
    // And it does change with the random.
    second.random = [7; 32];
    assert_ne!(first.cookie_input(), second.cookie_input());
    // The second hello encodes the cookie after session_id.
    let enc = {
        let mut h = first.clone();
        h.cookie = vec![0xaa, 0xbb];
        h.get_encoding()
    };
    assert_eq!(enc.get(34..38), Some(&[0, 2, 0xaa, 0xbb][..]));
}

#[test]
fn client_hello_extensions_absent_vs_empty_vs_malformed() {
    let head = CLIENT_HELLO.get(..2 * 46).unwrap();
    let none = ClientHello::read_bytes(&hex::decode(head).unwrap()).unwrap();
    assert_eq!(none.extensions, None);
    assert_eq!(hex::encode(none.get_encoding()), head);
    let empty = ClientHello::read_bytes(&hex::decode(head.to_owned() + "0000").unwrap()).unwrap();
    assert_eq!(empty.extensions, Some(vec![]));
    // One stray byte after compression_methods.
    assert!(ClientHello::read_bytes(&hex::decode(head.to_owned() + "00").unwrap()).is_err());
    // Duplicate extension.
    let dup = head.to_owned() + "000800170000" + "00170000";
    assert_eq!(
        ClientHello::read_bytes(&hex::decode(dup).unwrap()),
        Err(Error::IllegalParameter("duplicate extension type"))
    );
    // session_id of 33 bytes.
    let long_sid = "fefd".to_owned() + &"00".repeat(32) + "21" + &"00".repeat(33);
    assert!(ClientHello::read_bytes(&hex::decode(long_sid).unwrap()).is_err());
    // No compression methods.
    let no_comp = CLIENT_HELLO.get(..2 * 44).unwrap().to_owned() + "00";
    assert!(ClientHello::read_bytes(&hex::decode(no_comp).unwrap()).is_err());
}

#[test]
fn hello_verify_request_bytes() {
    let hvr = HelloVerifyRequest {
        server_version: ProtocolVersion::Dtls1_0,
        cookie: vec![1, 2, 3, 4],
    };
    assert_eq!(hex::encode(hvr.get_encoding()), "feff0401020304");
    assert_eq!(
        HelloVerifyRequest::read_bytes(&hex::decode("feff0401020304").unwrap()).unwrap(),
        hvr
    );
    let mut msg = Vec::new();
    HandshakePayload::HelloVerifyRequest(hvr).encode_message(0, &mut msg);
    assert_eq!(hex::encode(msg), "030000070000000000000007feff0401020304");
}

#[test]
fn server_hello_bytes() {
    let sh = ServerHello {
        server_version: ProtocolVersion::Dtls1_2,
        random: [0x11; 32],
        session_id: vec![0x22; 32],
        cipher_suite: 0xc02b,
        compression_method: 0,
        extensions: Some(vec![
            ServerExtension::RenegotiationInfo(vec![]),
            ServerExtension::ExtendedMasterSecret,
            ServerExtension::EcPointFormats(vec![0]),
            ServerExtension::Alpn(b"coap".to_vec()),
        ]),
    };
    let expected = "fefd".to_owned()
        + &"11".repeat(32)
        + "20"
        + &"22".repeat(32)
        + "c02b00"
        + "001a"
        + "ff01000100"
        + "00170000"
        + "000b00020100"
        + "00100007000504636f6170";
    assert_eq!(hex::encode(sh.get_encoding()), expected);
    assert_eq!(
        ServerHello::read_bytes(&hex::decode(&expected).unwrap()).unwrap(),
        sh
    );
}

#[test]
fn certificate_bytes() {
    let c = Certificate::x509(&[vec![0x30, 0x01, 0x00], vec![0x30, 0x00]]);
    assert_eq!(
        hex::encode(c.get_encoding()),
        "00000b000003300100000002".to_owned() + "3000"
    );
    let empty = Certificate::x509(&[]);
    assert_eq!(empty.get_encoding(), vec![0, 0, 0]);
    let read = |h: &str| {
        Certificate::read_bytes(&hex::decode(h).unwrap())
            .unwrap()
            .read_as(CertificateType::X509)
    };
    // Zero-length ASN.1Cert is not allowed.
    assert!(read("000003000000").is_err());
    // Inner length runs past the list.
    assert!(read("00000400000530").is_err());
}

#[test]
fn server_key_exchange_and_signed_params() {
    let point: Vec<u8> = std::iter::once(4).chain(1..=64).collect();
    let ecdh = ServerEcdhParams {
        named_curve: 0x0017,
        public: point.clone(),
    };
    let params = ServerKeyExchangeParams::Ecdhe {
        params: ecdh.clone(),
        signed_params: DigitallySigned {
            scheme: 0x0403,
            signature: vec![0x30, 0x44, 0x02],
        },
    };
    let ske = ServerKeyExchange::from(&params);
    let params_hex = "030017".to_owned() + "41" + &hex::encode(&point);
    let expected = params_hex.clone() + "0403" + "0003" + "304402";
    assert_eq!(hex::encode(ske.get_encoding()), expected);
    let back = ServerKeyExchange::read_bytes(&hex::decode(&expected).unwrap()).unwrap();
    assert_eq!(back.params(Kx::EcdheEcdsa).unwrap(), params);
    let signed = ecdh.signed_message(&[0xaa; 32], &[0xbb; 32]);
    assert_eq!(
        hex::encode(signed),
        "aa".repeat(32) + &"bb".repeat(32) + &params_hex
    );
    // explicit_prime(1) curves are refused.
    let mut bad = hex::decode(&expected).unwrap();
    if let Some(b) = bad.first_mut() {
        *b = 1;
    }
    let bad = ServerKeyExchange::read_bytes(&bad).unwrap();
    assert!(bad.params(Kx::EcdheRsa).is_err());
    // The same bytes are not a PSK hint (trailing bytes).
    assert!(back.params(Kx::Psk).is_err());
}

#[test]
fn psk_key_exchange_messages() {
    // RFC 4279 2: ServerKeyExchange = psk_identity_hint<0..2^16-1>.
    let hint = ServerKeyExchange::from(&ServerKeyExchangeParams::Psk {
        identity_hint: b"gw".to_vec(),
    });
    assert_eq!(hex::encode(&hint.body), "00026777");
    // RFC 5489 2: hint, then ServerECDHParams (unsigned).
    let ecdhe_psk = ServerKeyExchangeParams::EcdhePsk {
        identity_hint: Vec::new(),
        params: ServerEcdhParams {
            named_curve: 0x001d,
            public: vec![9; 32],
        },
    };
    let ske = ServerKeyExchange::from(&ecdhe_psk);
    assert_eq!(
        hex::encode(&ske.body),
        "0000".to_owned() + "03001d" + "20" + &"09".repeat(32)
    );
    assert_eq!(ske.params(Kx::EcdhePsk).unwrap(), ecdhe_psk);
    // ClientKeyExchange: psk_identity<0..2^16-1> (RFC 4279 2), followed by
    // ecdh_Yc for ECDHE_PSK (RFC 5489 2).
    let psk = ClientKeyExchange::from(&ClientKeyExchangeParams::Psk {
        identity: b"id".to_vec(),
    });
    assert_eq!(hex::encode(&psk.body), "00026964");
    let both = ClientKeyExchangeParams::EcdhePsk {
        identity: b"id".to_vec(),
        public: vec![4, 1],
    };
    let cke = ClientKeyExchange::from(&both);
    assert_eq!(hex::encode(&cke.body), "00026964020401");
    assert_eq!(cke.params(Kx::EcdhePsk).unwrap(), both);
    // Truncated identities and an empty point do not decode.
    for bad in ["0003ab", "0002696400", "000269"] {
        let cke = ClientKeyExchange::read_bytes(&hex::decode(bad).unwrap()).unwrap();
        assert!(cke.params(Kx::EcdhePsk).is_err(), "{bad}");
    }
    // An identity past our cap is refused.
    let mut long = vec![0x04, 0x01];
    long.extend(std::iter::repeat_n(b'a', 1025));
    let cke = ClientKeyExchange::read_bytes(&long).unwrap();
    assert!(cke.params(Kx::Psk).is_err());
}

#[test]
fn certificate_request_bytes() {
    let cr = CertificateRequest {
        certificate_types: vec![64, 1],
        supported_signature_algorithms: vec![0x0403, 0x0401],
        certificate_authorities: vec![vec![0x30, 0x00]],
    };
    let expected = "024001".to_owned() + "000404030401" + "0004" + "00023000";
    assert_eq!(hex::encode(cr.get_encoding()), expected);
    assert_eq!(
        CertificateRequest::read_bytes(&hex::decode(&expected).unwrap()).unwrap(),
        cr
    );
    // Empty certificate_types.
    assert!(
        CertificateRequest::read_bytes(
            &hex::decode("00000404030401 0000".replace(' ', "")).unwrap()
        )
        .is_err()
    );
}

#[test]
fn small_bodies() {
    assert!(ServerHelloDone.get_encoding().is_empty());
    assert!(ServerHelloDone::read_bytes(&[0]).is_err());
    let cv = CertificateVerify {
        signed: DigitallySigned {
            scheme: 0x0804,
            signature: vec![9; 2],
        },
    };
    assert_eq!(hex::encode(cv.get_encoding()), "080400020909");
    let cke = ClientKeyExchange::from(&ClientKeyExchangeParams::Ecdhe {
        public: vec![4, 1, 2],
    });
    assert_eq!(hex::encode(cke.get_encoding()), "03040102");
    let empty_point = ClientKeyExchange::read_bytes(&[0]).unwrap();
    assert!(empty_point.params(Kx::EcdheEcdsa).is_err());
    let fin = Finished::read_bytes(&[7; 12]).unwrap();
    assert_eq!(fin.verify_data, vec![7; 12]);
    let nst = NewSessionTicket {
        ticket_lifetime_hint: 7200,
        ticket: vec![0xab; 3],
    };
    assert_eq!(hex::encode(nst.get_encoding()), "00001c200003ababab");
    let mut msg = Vec::new();
    encode_handshake(&mut msg, HandshakeType::Finished, 5, &fin.verify_data);
    assert_eq!(
        hex::encode(msg),
        "1400000c000500000000000c".to_owned() + &"07".repeat(12)
    );
}
