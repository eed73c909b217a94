//! Property tests for the wire codec: `decode(encode(m)) == m` for every
//! message and extension, and no decoder panics on arbitrary or mutated
//! input.
#![allow(clippy::unwrap_used)]

use std::fmt::Debug;

use dtls_core::internals::fragmenter::fragment_at;
use dtls_core::internals::msgs::alert::{Alert, AlertDescription, AlertLevel};
use dtls_core::internals::msgs::ccs::ChangeCipherSpec;
use dtls_core::internals::msgs::codec::{Codec, Reader, U24_MAX, U48_MAX};
use dtls_core::internals::msgs::extensions::{
    CertificateType, ClientExtension, ExtensionType, HeartbeatMode, ServerExtension,
    read_extensions,
};
use dtls_core::internals::msgs::handshake::{
    HandshakeFragment, HandshakeFragments, HandshakeHeader, HandshakePayload, HandshakeType,
};
use dtls_core::internals::msgs::heartbeat::{HeartbeatMessage, HeartbeatMessageType};
use dtls_core::internals::msgs::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    ClientKeyExchangeParams, DigitallySigned, Finished, HelloVerifyRequest, NewSessionTicket,
    ServerEcdhParams, ServerHello, ServerHelloDone, ServerKeyExchange, ServerKeyExchangeParams,
};
use dtls_crypto::suites::KeyExchangeAlgorithm;

/// Every key exchange a ServerKeyExchange or ClientKeyExchange body can be
/// read as.
const KEY_EXCHANGES: [KeyExchangeAlgorithm; 4] = [
    KeyExchangeAlgorithm::EcdheEcdsa,
    KeyExchangeAlgorithm::EcdheRsa,
    KeyExchangeAlgorithm::Psk,
    KeyExchangeAlgorithm::EcdhePsk,
];
use dtls_core::internals::msgs::record::{
    ContentType, ProtocolVersion, RecordHeader, Records, encode_record_header, parse_record,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), min..=max)
}

fn version() -> impl Strategy<Value = ProtocolVersion> {
    any::<u16>().prop_map(ProtocolVersion::from)
}

fn certificate_type() -> impl Strategy<Value = CertificateType> {
    any::<u8>().prop_map(CertificateType::from)
}

fn heartbeat_mode() -> impl Strategy<Value = HeartbeatMode> {
    prop_oneof![
        Just(HeartbeatMode::PeerAllowedToSend),
        Just(HeartbeatMode::PeerNotAllowedToSend)
    ]
}

fn unknown_ext_type() -> impl Strategy<Value = u16> {
    any::<u16>().prop_filter("known extension type", |t| {
        matches!(ExtensionType::from(*t), ExtensionType::Unknown(_))
    })
}

fn client_extension() -> impl Strategy<Value = ClientExtension> {
    prop_oneof![
        bytes(1, 40).prop_map(ClientExtension::ServerName),
        vec(any::<u16>(), 1..20).prop_map(ClientExtension::SupportedGroups),
        bytes(1, 10).prop_map(ClientExtension::EcPointFormats),
        vec(any::<u16>(), 1..20).prop_map(ClientExtension::SignatureAlgorithms),
        vec(bytes(1, 20), 1..5).prop_map(ClientExtension::Alpn),
        heartbeat_mode().prop_map(ClientExtension::Heartbeat),
        Just(ClientExtension::EncryptThenMac),
        Just(ClientExtension::ExtendedMasterSecret),
        (64u16..).prop_map(ClientExtension::RecordSizeLimit),
        bytes(0, 40).prop_map(ClientExtension::SessionTicket),
        bytes(0, 40).prop_map(ClientExtension::RenegotiationInfo),
        vec(certificate_type(), 1..4).prop_map(ClientExtension::ClientCertificateTypes),
        vec(certificate_type(), 1..4).prop_map(ClientExtension::ServerCertificateTypes),
        (unknown_ext_type(), bytes(0, 30))
            .prop_map(|(typ, data)| ClientExtension::Unknown { typ, data }),
    ]
}

fn server_extension() -> impl Strategy<Value = ServerExtension> {
    prop_oneof![
        Just(ServerExtension::ServerNameAck),
        bytes(1, 10).prop_map(ServerExtension::EcPointFormats),
        bytes(1, 20).prop_map(ServerExtension::Alpn),
        heartbeat_mode().prop_map(ServerExtension::Heartbeat),
        Just(ServerExtension::EncryptThenMac),
        Just(ServerExtension::ExtendedMasterSecret),
        (64u16..).prop_map(ServerExtension::RecordSizeLimit),
        Just(ServerExtension::SessionTicketAck),
        bytes(0, 40).prop_map(ServerExtension::RenegotiationInfo),
        certificate_type().prop_map(ServerExtension::ClientCertificateType),
        certificate_type().prop_map(ServerExtension::ServerCertificateType),
        (unknown_ext_type(), bytes(0, 30))
            .prop_map(|(typ, data)| ServerExtension::Unknown { typ, data }),
    ]
}

/// Keeps the first extension of each type (duplicates are a decode error).
fn dedup_by_type<T>(exts: Vec<T>, typ: impl Fn(&T) -> u16) -> Vec<T> {
    let mut seen = Vec::new();
    exts.into_iter()
        .filter(|e| {
            let t = typ(e);
            let fresh = !seen.contains(&t);
            seen.push(t);
            fresh
        })
        .collect()
}

fn client_extensions() -> impl Strategy<Value = Option<Vec<ClientExtension>>> {
    proptest::option::of(
        vec(client_extension(), 0..8).prop_map(|v| dedup_by_type(v, ClientExtension::ext_type)),
    )
}

fn server_extensions() -> impl Strategy<Value = Option<Vec<ServerExtension>>> {
    proptest::option::of(
        vec(server_extension(), 0..8).prop_map(|v| dedup_by_type(v, ServerExtension::ext_type)),
    )
}

fn random() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>()
}

prop_compose! {
    fn client_hello()(
        client_version in version(),
        random in random(),
        session_id in bytes(0, 32),
        cookie in bytes(0, 255),
        cipher_suites in vec(any::<u16>(), 1..40),
        compression_methods in bytes(1, 4),
        extensions in client_extensions(),
    ) -> ClientHello {
        ClientHello { client_version, random, session_id, cookie, cipher_suites, compression_methods, extensions }
    }
}

prop_compose! {
    fn server_hello()(
        server_version in version(),
        random in random(),
        session_id in bytes(0, 32),
        cipher_suite in any::<u16>(),
        compression_method in any::<u8>(),
        extensions in server_extensions(),
    ) -> ServerHello {
        ServerHello { server_version, random, session_id, cipher_suite, compression_method, extensions }
    }
}

fn digitally_signed() -> impl Strategy<Value = DigitallySigned> {
    (any::<u16>(), bytes(0, 80))
        .prop_map(|(scheme, signature)| DigitallySigned { scheme, signature })
}

fn handshake_payload() -> impl Strategy<Value = HandshakePayload> {
    prop_oneof![
        Just(HandshakePayload::HelloRequest),
        client_hello().prop_map(HandshakePayload::ClientHello),
        server_hello().prop_map(HandshakePayload::ServerHello),
        (version(), bytes(0, 255)).prop_map(|(server_version, cookie)| {
            HandshakePayload::HelloVerifyRequest(HelloVerifyRequest {
                server_version,
                cookie,
            })
        }),
        (any::<u32>(), bytes(0, 100)).prop_map(|(ticket_lifetime_hint, ticket)| {
            HandshakePayload::NewSessionTicket(NewSessionTicket {
                ticket_lifetime_hint,
                ticket,
            })
        }),
        vec(bytes(1, 100), 0..4)
            .prop_map(|chain| HandshakePayload::Certificate(Certificate::x509(&chain))),
        bytes(1, 100)
            .prop_map(|spki| HandshakePayload::Certificate(Certificate::raw_public_key(&spki))),
        (any::<u16>(), bytes(1, 133), digitally_signed()).prop_map(
            |(named_curve, public, signed_params)| {
                HandshakePayload::ServerKeyExchange(ServerKeyExchange::from(
                    &ServerKeyExchangeParams::Ecdhe {
                        params: ServerEcdhParams {
                            named_curve,
                            public,
                        },
                        signed_params,
                    },
                ))
            }
        ),
        bytes(0, 64).prop_map(|identity_hint| {
            HandshakePayload::ServerKeyExchange(ServerKeyExchange::from(
                &ServerKeyExchangeParams::Psk { identity_hint },
            ))
        }),
        (bytes(0, 64), any::<u16>(), bytes(1, 133)).prop_map(
            |(identity_hint, named_curve, public)| {
                HandshakePayload::ServerKeyExchange(ServerKeyExchange::from(
                    &ServerKeyExchangeParams::EcdhePsk {
                        identity_hint,
                        params: ServerEcdhParams {
                            named_curve,
                            public,
                        },
                    },
                ))
            }
        ),
        (
            bytes(1, 5),
            vec(any::<u16>(), 1..10),
            vec(bytes(1, 50), 0..4)
        )
            .prop_map(
                |(certificate_types, supported_signature_algorithms, certificate_authorities)| {
                    HandshakePayload::CertificateRequest(CertificateRequest {
                        certificate_types,
                        supported_signature_algorithms,
                        certificate_authorities,
                    })
                }
            ),
        Just(HandshakePayload::ServerHelloDone(ServerHelloDone)),
        digitally_signed()
            .prop_map(|signed| HandshakePayload::CertificateVerify(CertificateVerify { signed })),
        bytes(1, 255).prop_map(|public| HandshakePayload::ClientKeyExchange(
            ClientKeyExchange::from(&ClientKeyExchangeParams::Ecdhe { public })
        )),
        (bytes(0, 64), bytes(1, 133)).prop_map(|(identity, public)| {
            HandshakePayload::ClientKeyExchange(ClientKeyExchange::from(
                &ClientKeyExchangeParams::EcdhePsk { identity, public },
            ))
        }),
        bytes(0, 48).prop_map(|verify_data| HandshakePayload::Finished(Finished { verify_data })),
        (
            any::<u8>().prop_filter("known type", |t| matches!(
                HandshakeType::from(*t),
                HandshakeType::Unknown(_)
            )),
            bytes(0, 50)
        )
            .prop_map(|(typ, body)| HandshakePayload::Unknown { typ, body }),
    ]
}

fn heartbeat() -> impl Strategy<Value = HeartbeatMessage> {
    (any::<bool>(), bytes(0, 100), bytes(16, 40)).prop_map(|(req, payload, padding)| {
        HeartbeatMessage {
            message_type: if req {
                HeartbeatMessageType::Request
            } else {
                HeartbeatMessageType::Response
            },
            payload,
            padding,
        }
    })
}

fn record_header() -> impl Strategy<Value = RecordHeader> {
    (
        any::<u8>(),
        version(),
        any::<u16>(),
        0..=U48_MAX,
        any::<u16>(),
    )
        .prop_map(
            |(t, version, epoch, sequence_number, length)| RecordHeader {
                content_type: ContentType::from(t),
                version,
                epoch,
                sequence_number,
                length,
            },
        )
}

fn roundtrip<T: Codec + PartialEq + Debug>(v: &T) -> Result<(), TestCaseError> {
    let enc = v.get_encoding();
    let back = T::read_bytes(&enc);
    prop_assert_eq!(back.as_ref(), Ok(v));
    Ok(())
}

/// Runs every decoder over `data`; the only requirement is not panicking.
fn decode_everything(data: &[u8]) {
    let _ = ClientHello::read_bytes(data);
    let _ = ServerHello::read_bytes(data);
    let _ = HelloVerifyRequest::read_bytes(data);
    let _ = Certificate::read_bytes(data);
    let _ = ServerKeyExchange::read_bytes(data);
    let _ = CertificateRequest::read_bytes(data);
    let _ = ServerHelloDone::read_bytes(data);
    let _ = CertificateVerify::read_bytes(data);
    let _ = ClientKeyExchange::read_bytes(data);
    let _ = Finished::read_bytes(data);
    let _ = NewSessionTicket::read_bytes(data);
    let _ = ClientExtension::read_bytes(data);
    let _ = ServerExtension::read_bytes(data);
    let _ = read_extensions::<ClientExtension>(&mut Reader::new(data));
    let _ = read_extensions::<ServerExtension>(&mut Reader::new(data));
    let _ = Alert::read_bytes(data);
    let _ = ChangeCipherSpec::read_bytes(data);
    let _ = HeartbeatMessage::parse(data);
    let _ = HeartbeatMessage::read_bytes(data);
    let _ = RecordHeader::read_bytes(data);
    let _ = HandshakeHeader::read_bytes(data);
    let _ = parse_record(data);
    for rec in Records::new(data).flatten() {
        for frag in HandshakeFragments::new(rec.fragment).flatten() {
            let _ = HandshakePayload::read(frag.msg_type, frag.fragment);
        }
    }
    for frag in HandshakeFragments::new(data).flatten() {
        assert!(
            u64::from(frag.fragment_offset) + frag.fragment.len() as u64 <= u64::from(frag.length)
        );
    }
    for t in [0u8, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20, 99] {
        let _ = HandshakePayload::read(HandshakeType::from(t), data);
    }
}

proptest! {
    #[test]
    fn client_extension_roundtrip(e in client_extension()) {
        roundtrip(&e)?;
    }

    #[test]
    fn server_extension_roundtrip(e in server_extension()) {
        roundtrip(&e)?;
    }

    #[test]
    fn client_hello_roundtrip(m in client_hello()) {
        roundtrip(&m)?;
        // The cookie input is independent of the cookie.
        let mut other = m.clone();
        other.cookie = vec![0x5a; 20];
        prop_assert_eq!(m.cookie_input(), other.cookie_input());
    }

    #[test]
    fn server_hello_roundtrip(m in server_hello()) {
        roundtrip(&m)?;
    }

    #[test]
    fn handshake_payload_roundtrip(p in handshake_payload(), seq in any::<u16>()) {
        let mut body = Vec::new();
        p.encode_body(&mut body);
        prop_assert_eq!(HandshakePayload::read(p.handshake_type(), &body), Ok(p.clone()));
        // Whole message framing.
        let mut msg = Vec::new();
        p.encode_message(seq, &mut msg);
        let (frag, rest) = HandshakeFragment::parse(&msg).unwrap();
        prop_assert!(rest.is_empty());
        prop_assert!(frag.is_complete());
        prop_assert_eq!(frag.message_seq, seq);
        prop_assert_eq!(frag.fragment, body.as_slice());
    }

    #[test]
    fn body_codecs_roundtrip(p in handshake_payload()) {
        match &p {
            HandshakePayload::ClientHello(m) => roundtrip(m)?,
            HandshakePayload::ServerHello(m) => roundtrip(m)?,
            HandshakePayload::HelloVerifyRequest(m) => roundtrip(m)?,
            HandshakePayload::NewSessionTicket(m) => roundtrip(m)?,
            HandshakePayload::Certificate(m) => roundtrip(m)?,
            HandshakePayload::ServerKeyExchange(m) => {
                roundtrip(m)?;
                // Some key exchange reads the body back to the same bytes.
                let read_back = KEY_EXCHANGES.iter().filter_map(|kx| m.params(*kx).ok());
                let mut same = read_back.filter(|p| ServerKeyExchange::from(p) == *m);
                prop_assert!(same.next().is_some());
            }
            HandshakePayload::CertificateRequest(m) => roundtrip(m)?,
            HandshakePayload::ServerHelloDone(m) => roundtrip(m)?,
            HandshakePayload::CertificateVerify(m) => roundtrip(m)?,
            HandshakePayload::ClientKeyExchange(m) => {
                roundtrip(m)?;
                let read_back = KEY_EXCHANGES.iter().filter_map(|kx| m.params(*kx).ok());
                let mut same = read_back.filter(|p| ClientKeyExchange::from(p) == *m);
                prop_assert!(same.next().is_some());
            }
            HandshakePayload::Finished(m) => roundtrip(m)?,
            HandshakePayload::HelloRequest | HandshakePayload::Unknown { .. } => {}
        }
    }

    #[test]
    fn alert_ccs_heartbeat_roundtrip(l in any::<u8>(), d in any::<u8>(), hb in heartbeat()) {
        roundtrip(&Alert { level: AlertLevel::from(l), description: AlertDescription::from(d) })?;
        roundtrip(&ChangeCipherSpec)?;
        roundtrip(&hb)?;
        prop_assert_eq!(HeartbeatMessage::parse(&hb.get_encoding()), Ok(hb));
    }

    #[test]
    fn record_header_roundtrip(h in record_header(), frag in bytes(0, 64), tail in bytes(0, 32)) {
        roundtrip(&h)?;
        let mut buf = [0u8; 13];
        encode_record_header(&mut buf, h.content_type, h.version, h.epoch, h.sequence_number, frag.len()).unwrap();
        let mut dgram = buf.to_vec();
        dgram.extend_from_slice(&frag);
        dgram.extend_from_slice(&tail);
        let (back, f, rest) = parse_record(&dgram).unwrap();
        prop_assert_eq!(back.epoch, h.epoch);
        prop_assert_eq!(back.sequence_number, h.sequence_number);
        prop_assert_eq!(f, frag.as_slice());
        prop_assert_eq!(rest, tail.as_slice());
    }

    #[test]
    fn handshake_header_roundtrip(
        t in any::<u8>(), length in 0..=U24_MAX, seq in any::<u16>(),
        off in 0..=U24_MAX, flen in 0..=U24_MAX,
    ) {
        roundtrip(&HandshakeHeader {
            msg_type: HandshakeType::from(t),
            length,
            message_seq: seq,
            fragment_offset: off,
            fragment_length: flen,
        })?;
    }

    #[test]
    fn fragments_reassemble(body in bytes(0, 300), max in 0usize..64, seq in any::<u16>()) {
        let mut wire = Vec::new();
        let mut offset = 0;
        loop {
            let f = fragment_at(HandshakeType::Certificate, seq, &body, offset, max.max(1)).unwrap();
            offset += f.fragment.len();
            f.encode(&mut wire);
            if offset >= body.len() {
                break;
            }
        }
        let mut joined = Vec::new();
        for f in HandshakeFragments::new(&wire) {
            let f = f.unwrap();
            prop_assert_eq!(f.fragment_offset as usize, joined.len());
            prop_assert_eq!(f.length as usize, body.len());
            joined.extend_from_slice(f.fragment);
        }
        prop_assert_eq!(joined, body);
    }

    #[test]
    fn fragment_bounds_enforced(length in 0u32..1000, off in 0u32..1100, flen in 0u32..200) {
        let mut wire = Vec::new();
        HandshakeHeader {
            msg_type: HandshakeType::Certificate,
            length,
            message_seq: 0,
            fragment_offset: off,
            fragment_length: flen,
        }
        .encode(&mut wire);
        wire.extend(std::iter::repeat_n(0u8, flen as usize));
        let parsed = HandshakeFragment::parse(&wire);
        prop_assert_eq!(parsed.is_ok(), off + flen <= length);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in bytes(0, 600)) {
        decode_everything(&data);
    }

    #[test]
    fn mutated_handshake_never_panics(
        p in handshake_payload(),
        cut in any::<prop::sample::Index>(),
        flips in vec((any::<prop::sample::Index>(), 1u8..), 1..4),
    ) {
        let mut msg = Vec::new();
        p.encode_message(1, &mut msg);
        let mut rec = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1];
        rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        rec.extend_from_slice(&msg);
        // Flip bytes anywhere (header, handshake header, body).
        let mut flipped = rec.clone();
        for (i, x) in &flips {
            let i = i.index(flipped.len());
            if let Some(b) = flipped.get_mut(i) {
                *b ^= x;
            }
        }
        decode_everything(&flipped);
        let mut body = Vec::new();
        p.encode_body(&mut body);
        let mut fb = body.clone();
        for (i, x) in &flips {
            if !fb.is_empty() {
                let i = i.index(fb.len());
                if let Some(b) = fb.get_mut(i) {
                    *b ^= x;
                }
            }
        }
        let _ = HandshakePayload::read(p.handshake_type(), &fb);
        // Truncate.
        let n = cut.index(rec.len());
        decode_everything(rec.get(..n).unwrap());
        let m = cut.index(body.len() + 1);
        let _ = HandshakePayload::read(p.handshake_type(), body.get(..m).unwrap());
        // A truncated record is always rejected.
        prop_assert!(parse_record(rec.get(..n).unwrap()).is_err());
    }

    #[test]
    fn mutated_extensions_never_panic(
        e in client_extension(),
        s in server_extension(),
        i in any::<prop::sample::Index>(),
        x in 1u8..,
    ) {
        for mut enc in [e.get_encoding(), s.get_encoding()] {
            let n = i.index(enc.len());
            let _ = ClientExtension::read_bytes(enc.get(..n).unwrap());
            let _ = ServerExtension::read_bytes(enc.get(..n).unwrap());
            if let Some(b) = enc.get_mut(n) {
                *b ^= x;
            }
            let _ = ClientExtension::read_bytes(&enc);
            let _ = ServerExtension::read_bytes(&enc);
        }
    }
}
