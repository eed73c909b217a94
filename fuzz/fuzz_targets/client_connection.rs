//! A client [`Connection`](dtls_core::Connection) fed a script of server
//! datagrams with virtual time passing between them; each step's source
//! bits name what the application does next (nothing, send, send a full
//! record, close). Must never panic or livelock a timer.
//!
//! Seeds: the server's side of the handshakes `run.sh` records.
#![no_main]

use std::sync::Arc;
use std::time::Instant;

use dtls_fuzz::{ClientAction, ClientHarness, Script, client_config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let script = Script::decode(data);
    let config = Arc::new(client_config(script.variant));
    let mut client = ClientHarness::new(config, Instant::now());
    for step in &script.steps {
        let action = ClientAction::from_bits(step.source);
        client.deliver(step.wait(), Some(&step.datagram), action);
    }
});
