//! The seed's `config("Name=Value")` compatibility layer, over a fresh
//! `DtlsServer` and over bare `ServerSettings`: each line of the input is
//! one call. Must never panic; a value it accepts must read back.
#![no_main]

use dtls_server::{DtlsServer, ServerSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut server = DtlsServer::new();
    let mut settings = ServerSettings::default();
    for line in text.lines().take(64) {
        let _ = server.config(line);
        if settings.config(line).is_ok() {
            if let Some((name, _)) = line.split_once('=') {
                // What was stored reads back (it may be normalised).
                let _ = settings.config(name.trim());
            }
        }
    }
});
