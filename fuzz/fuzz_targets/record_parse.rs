//! Walks arbitrary bytes as a datagram of DTLS records and every handshake
//! fragment inside them: must never panic.
#![no_main]

use dtls_core::internals::msgs::handshake::HandshakeFragments;
use dtls_core::internals::msgs::record::Records;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for record in Records::new(data) {
        let Ok(record) = record else { break };
        for fragment in HandshakeFragments::new(record.fragment) {
            if fragment.is_err() {
                break;
            }
        }
    }
});
