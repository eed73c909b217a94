//! The whole server [`Endpoint`](dtls_core::Endpoint) fed a script of
//! datagrams from four addresses with virtual time passing between them
//! (timers fire on the way). The application echoes and accepts every
//! client certificate. Must never panic, livelock a timer, or answer an
//! unverified address with more bytes than it sent.
//!
//! Seeds: `run.sh` records handshakes of every suite, with client
//! certificates, resumption and fragmentation (`src/bin/record_corpus.rs`).
#![no_main]

use std::time::Instant;

use dtls_fuzz::{Script, ServerHarness, client_addr, server_config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let script = Script::decode(data);
    let mut server = ServerHarness::new(server_config(script.variant), Instant::now());
    for step in &script.steps {
        server.deliver(step.wait(), client_addr(step.source), &step.datagram);
    }
    // Past every deadline: whatever the script did, nothing may stay.
    server.advance(2 * dtls_fuzz::IDLE_TIMEOUT);
    assert_eq!(
        server.endpoint.connection_count(),
        0,
        "a connection outlived every deadline"
    );
});
