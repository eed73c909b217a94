//! Sends arbitrary datagrams from a few addresses to a server endpoint and
//! drains everything it wants to send: must never panic, and a stateless
//! reply must never be larger than the datagram that caused it.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dtls_core::config::{Identity, ServerConfig};
use dtls_core::{DatagramEvent, Endpoint};
use libfuzzer_sys::fuzz_target;

fn config() -> Arc<ServerConfig> {
    static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let cert =
                dtls_crypto::selfsigned::generate_self_signed("fuzz", &[]).expect("certificate");
            let identity = Identity::from_certificate(&cert).expect("identity");
            Arc::new(ServerConfig::new(identity))
        })
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let mut endpoint = Endpoint::new(config()).expect("endpoint");
    let start = Instant::now();
    let mut response = [0u8; 1500];
    let mut out = [0u8; 2048];
    for (i, chunk) in data.split(|&b| b == 0xFF).enumerate() {
        let now = start + Duration::from_millis(i as u64 * 250);
        let peer = ([127, 0, 0, 1], 4000 + (i % 3) as u16).into();
        let mut dgram = chunk.to_vec();
        if let DatagramEvent::Respond(n) =
            endpoint.handle_datagram(now, peer, &mut dgram, &mut response)
        {
            assert!(n <= chunk.len(), "amplification: {n} > {}", chunk.len());
        }
        endpoint.handle_timeout(now);
        while endpoint.poll_transmit(now, &mut out).is_some() {}
        while endpoint.poll_event().is_some() {}
    }
});
