//! dimpl (the other sans-IO Rust DTLS 1.2) doing the same work in memory:
//! a DTLS 1.2 server and client `Dtls` with the same suite, group and key
//! type as ours, their datagrams passed by hand. Its server does the cookie
//! exchange (its default) and asks for no client certificate, as ours.
//!
//! What differs: dimpl runs on its pure-Rust RustCrypto provider (the
//! `rust-crypto` feature) where our engine uses ring, and a `Dtls` is one
//! connection, so its figures carry no endpoint (no address table, no
//! timer index) where ours go through `Endpoint`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dimpl::crypto::Dtls12CipherSuite;
use dimpl::{Config, Dtls, DtlsCertificate, NamedGroup, Output};

use crate::floor::{mbps, per_op_us};

/// A self-signed ECDSA P-256 certificate and its PKCS#8 key, made as the
/// engine's are (dtls-crypto's rcgen helper), in dimpl's form.
fn certificate() -> Result<DtlsCertificate, String> {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])
        .map_err(|e| format!("certificate: {e}"))?;
    let der = cert
        .chain()
        .first()
        .ok_or("certificate: empty chain")?
        .to_vec();
    let key = cert
        .private_key_der()
        .ok_or("certificate: no private key")?;
    Ok(DtlsCertificate {
        certificate: der,
        private_key: key.secret_der().to_vec(),
    })
}

/// What a handshake pair is made from: one config (dimpl's config serves
/// both roles) and the two ends' certificates.
struct Setup {
    config: Arc<Config>,
    server_cert: DtlsCertificate,
    client_cert: DtlsCertificate,
}

fn setup(x25519: bool) -> Result<Setup, String> {
    let group = if x25519 {
        NamedGroup::X25519
    } else {
        NamedGroup::Secp256r1
    };
    let config = Config::builder()
        .dtls12_cipher_suites(&[Dtls12CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256])
        .dtls13_cipher_suites(&[])
        .kx_groups(&[group])
        .require_client_certificate(false)
        .use_server_cookie(true)
        .mtu(1400)
        .build()
        .map_err(|e| format!("dimpl config: {e}"))?;
    Ok(Setup {
        config: Arc::new(config),
        server_cert: certificate()?,
        client_cert: certificate()?,
    })
}

/// Drains `end`'s output up to its Timeout (dimpl's end of a poll cycle):
/// datagrams into `out`; whether it reported Connected.
fn drain(end: &mut Dtls, buf: &mut [u8], out: &mut Vec<Vec<u8>>) -> Result<bool, String> {
    let mut connected = false;
    loop {
        match end.poll_output(buf) {
            Output::Packet(p) => out.push(p.to_vec()),
            Output::Connected => connected = true,
            Output::Timeout(_) => return Ok(connected),
            Output::BufferTooSmall { needed } => {
                return Err(format!("dimpl wants a {needed}-byte buffer"));
            }
            _ => {}
        }
    }
}

/// One handshake; the pair (server, client) and the time spent in the
/// server's calls.
fn handshake(setup: &Setup, now: Instant) -> Result<((Dtls, Dtls), Duration), String> {
    let err = |e: dimpl::Error| e.to_string();
    let mut in_server = Duration::ZERO;
    let t = Instant::now();
    let mut server = Dtls::new_12(setup.config.clone(), setup.server_cert.clone(), now);
    server.handle_timeout(now).map_err(err)?;
    in_server += t.elapsed();
    let mut client = Dtls::new_12(setup.config.clone(), setup.client_cert.clone(), now);
    client.set_active(true);
    client.handle_timeout(now).map_err(err)?;
    let mut buf = vec![0u8; 4096];
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let (mut server_done, mut client_done) = (false, false);
    for _ in 0..16 {
        client_done |= drain(&mut client, &mut buf, &mut to_server)?;
        let t = Instant::now();
        for datagram in to_server.drain(..) {
            server.handle_packet(&datagram).map_err(err)?;
        }
        server_done |= drain(&mut server, &mut buf, &mut to_client)?;
        in_server += t.elapsed();
        for datagram in to_client.drain(..) {
            client.handle_packet(&datagram).map_err(err)?;
        }
        client_done |= drain(&mut client, &mut buf, &mut to_server)?;
        if server_done && client_done && to_server.is_empty() {
            return Ok(((server, client), in_server));
        }
    }
    Err(format!(
        "the dimpl handshake did not complete: server {server:?}, client {client:?}"
    ))
}

/// Server and total microseconds per dimpl full handshake (cookie exchange
/// included), over `n`.
pub fn handshake_us(x25519: bool, n: u32) -> Result<(f64, f64), String> {
    let setup = setup(x25519)?;
    let now = Instant::now();
    let mut in_server = Duration::ZERO;
    let start = Instant::now();
    for _ in 0..n {
        let (pair, server_time) = handshake(&setup, now)?;
        in_server += server_time;
        black_box(pair);
    }
    Ok((per_op_us(in_server, n), per_op_us(start.elapsed(), n)))
}

/// Payload MB/s of one-way `size`-byte records through dimpl (P-256 pair):
/// the client's send and poll, the server's handle_packet and poll.
pub fn records_mbps(size: usize, duration: Duration) -> Result<f64, String> {
    let setup = setup(false)?;
    let ((mut server, mut client), _) = handshake(&setup, Instant::now())?;
    let err = |e: dimpl::Error| e.to_string();
    let payload = vec![0x42u8; size];
    let (mut wire, mut plain) = (vec![0u8; 20_000], vec![0u8; 20_000]);
    let mut one = |server: &mut Dtls, client: &mut Dtls| -> Result<usize, String> {
        client.send_application_data(&payload).map_err(err)?;
        loop {
            match client.poll_output(&mut wire) {
                Output::Packet(p) => server.handle_packet(p).map_err(err)?,
                Output::Timeout(_) => break,
                _ => {}
            }
        }
        let mut got = 0;
        loop {
            match server.poll_output(&mut plain) {
                Output::ApplicationData(d) => got += d.len(),
                Output::Timeout(_) => return Ok(got),
                _ => {}
            }
        }
    };
    // One record first: it must arrive whole.
    let got = one(&mut server, &mut client)?;
    if got != size {
        return Err(format!("dimpl delivered {got} of {size} bytes"));
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..256 {
            black_box(one(&mut server, &mut client)?);
        }
        n += 256;
    }
    Ok(mbps(n * size as u64, start.elapsed()))
}
