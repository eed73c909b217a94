//! Decodes arbitrary bytes as every handshake message type, and re-encodes
//! what decodes: must never panic, and must round-trip.
#![no_main]

use dtls_core::internals::msgs::handshake::{HandshakePayload, HandshakeType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    if let Ok(payload) = HandshakePayload::read(HandshakeType::from(typ), body) {
        let mut out = Vec::new();
        payload.encode_body(&mut out);
        let again = HandshakePayload::read(payload.handshake_type(), &out);
        assert_eq!(again.as_ref(), Ok(&payload));
    }
});
