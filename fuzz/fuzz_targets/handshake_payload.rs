//! Decodes arbitrary bytes as every handshake message type, and re-encodes
//! what decodes: must never panic, and must round-trip. Key exchange
//! bodies are also read as each key exchange (ECDHE, PSK, ECDHE_PSK) and
//! must round-trip through their typed form.
#![no_main]

use dtls_core::internals::msgs::handshake::{HandshakePayload, HandshakeType};
use dtls_core::internals::msgs::messages::{ClientKeyExchange, ServerKeyExchange};
use dtls_crypto::suites::KeyExchangeAlgorithm;
use libfuzzer_sys::fuzz_target;

const KEY_EXCHANGES: [KeyExchangeAlgorithm; 4] = [
    KeyExchangeAlgorithm::EcdheEcdsa,
    KeyExchangeAlgorithm::EcdheRsa,
    KeyExchangeAlgorithm::Psk,
    KeyExchangeAlgorithm::EcdhePsk,
];

fuzz_target!(|data: &[u8]| {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    if let Ok(payload) = HandshakePayload::read(HandshakeType::from(typ), body) {
        let mut out = Vec::new();
        payload.encode_body(&mut out);
        let again = HandshakePayload::read(payload.handshake_type(), &out);
        assert_eq!(again.as_ref(), Ok(&payload));
        for kx in KEY_EXCHANGES {
            match &payload {
                HandshakePayload::ServerKeyExchange(ske) => {
                    if let Ok(params) = ske.params(kx) {
                        assert_eq!(&ServerKeyExchange::from(&params), ske);
                    }
                }
                HandshakePayload::ClientKeyExchange(cke) => {
                    if let Ok(params) = cke.params(kx) {
                        assert_eq!(&ClientKeyExchange::from(&params), cke);
                    }
                }
                _ => {}
            }
        }
    }
});
