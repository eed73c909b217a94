//! A DTLS echo server on a `mio` event loop, driving the sans-IO
//! `Endpoint` by hand: the whole contract in one loop.
//!
//! 1. Wait for the socket or the engine's next deadline (`poll_timeout`).
//! 2. Feed each datagram to `handle_datagram` (decrypted in place); send a
//!    stateless reply when it returns `Respond`/`Refused`, accept or reject
//!    a `NewConnection`.
//! 3. Run due timers (`handle_timeout`).
//! 4. Drain `poll_event` (read data with `recv`, here echoed with `send`)
//!    and `poll_transmit` into the socket.
//!
//! ```text
//! cargo run -p dtls-core --example mio_echo -- 127.0.0.1:4444
//! openssl s_client -dtls1_2 -connect 127.0.0.1:4444
//! ```

// The event loop owns the clock and the socket; the engine only ever sees
// the `now` it is handed (dtls-core's clippy.toml forbids clocks inside it).
#![allow(clippy::disallowed_methods)]

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_core::config::{Identity, ServerConfig};
use dtls_core::{DatagramEvent, Endpoint, Event};
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};

const SOCKET: Token = Token(0);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4444".to_owned())
        .parse()?;
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])?;
    let config = ServerConfig::new(Identity::from_certificate(&cert)?);
    let mut endpoint = Endpoint::new(Arc::new(config))?;

    let mut socket = UdpSocket::bind(addr)?;
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut socket, SOCKET, Interest::READABLE)?;
    println!("listening on {}", socket.local_addr()?);

    let mut events = Events::with_capacity(64);
    let mut datagram = vec![0u8; 65_536];
    let mut out = vec![0u8; 65_536];
    let mut reply = vec![0u8; 1_500];
    let mut message = vec![0u8; 16_384];
    loop {
        // 1. Sleep until a datagram arrives or the engine has a deadline.
        let timeout = endpoint
            .poll_timeout()
            .map(|t| t.saturating_duration_since(Instant::now()));
        poll.poll(&mut events, timeout.or(Some(Duration::from_secs(60))))?;

        // 2. Every datagram queued on the socket.
        loop {
            let (n, peer) = match socket.recv_from(&mut datagram) {
                Ok(received) => received,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => continue,
                Err(e) => return Err(e.into()),
            };
            let now = Instant::now();
            match endpoint.handle_datagram(now, peer, &mut datagram[..n], &mut reply) {
                DatagramEvent::Respond(len) | DatagramEvent::Refused { respond: len, .. }
                    if len > 0 =>
                {
                    let _ = socket.send_to(&reply[..len], peer);
                }
                // The application's chance to refuse before any key
                // exchange; this one takes everyone.
                DatagramEvent::NewConnection(handle) => endpoint.accept(handle, now),
                _ => {}
            }
        }

        // 3. Timers.
        let now = Instant::now();
        endpoint.handle_timeout(now);

        // 4. Events (echo what arrives), then everything to send.
        while let Some((handle, event)) = endpoint.poll_event() {
            match event {
                Event::Connected(params) => {
                    println!("[{handle}] connected: {}", params.cipher_suite);
                }
                Event::DataReadable => {
                    while let Ok(Some(len)) = endpoint.recv(handle, &mut message) {
                        let _ = endpoint.send(handle, now, &message[..len]);
                    }
                }
                Event::Closed(status) | Event::HandshakeFailed(status) => {
                    println!("[{handle}] ended: {status}");
                }
                _ => {}
            }
        }
        while let Some(t) = endpoint.poll_transmit(now, &mut out) {
            let _ = socket.send_to(&out[..t.len], t.destination);
        }
    }
}
