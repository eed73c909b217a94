//! Feeds arbitrary fragments to the handshake reassembler: must never panic
//! and never hold more than its caps.
#![no_main]

use dtls_core::internals::reassembler::{FragmentIn, HandshakeReassembler, ReassemblyLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = HandshakeReassembler::new(ReassemblyLimits::default());
    let mut rest = data;
    while rest.len() >= 12 {
        let (h, tail) = rest.split_at(12);
        let len = usize::from(h[11]).min(tail.len());
        let (frag, tail) = tail.split_at(len);
        rest = tail;
        let u24 = |b: &[u8]| u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let _ = r.insert(FragmentIn {
            msg_type: h[0],
            length: u24(&h[1..4]),
            message_seq: u16::from(h[4]) << 8 | u16::from(h[5]),
            fragment_offset: u24(&h[6..9]),
            fragment: frag,
        });
        while r.pop_complete().is_some() {}
        assert!(r.buffered_bytes() <= r.limits().max_buffered_bytes);
    }
});
