//! OpenSSL (through the `openssl` crate) doing the same work in memory: a
//! DTLS 1.2 server and client with the same suite, group and key type,
//! their datagrams passed through queues. OpenSSL's server runs without a
//! cookie exchange (its default), so its figure has one round trip less.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::hint::black_box;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslContext, SslMethod, SslOptions, SslStream, SslVerifyMode};
use openssl::x509::{X509, X509NameBuilder};

use crate::floor::{mbps, per_op_us};

type Queue = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// One end of an in-memory datagram link: reads pop a whole datagram,
/// writes push one.
struct Link {
    inbox: Queue,
    outbox: Queue,
}

impl Read for Link {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(datagram) = self.inbox.borrow_mut().pop_front() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = datagram.len().min(buf.len());
        buf[..n].copy_from_slice(&datagram[..n]);
        Ok(n)
    }
}

impl Write for Link {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outbox.borrow_mut().push_back(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn identity() -> Result<(X509, PKey<Private>), openssl::error::ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "localhost")?;
    let name = name.build();
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(&key)?;
    builder.set_not_before(openssl::asn1::Asn1Time::days_from_now(0)?.as_ref())?;
    builder.set_not_after(openssl::asn1::Asn1Time::days_from_now(30)?.as_ref())?;
    builder.sign(&key, MessageDigest::sha256())?;
    Ok((builder.build(), key))
}

/// A connected pair (server, client), or why not.
type Pair = (SslStream<Link>, SslStream<Link>);

fn context(server: bool, x25519: bool) -> Result<SslContext, openssl::error::ErrorStack> {
    let mut ctx = SslContext::builder(SslMethod::dtls())?;
    ctx.set_cipher_list("ECDHE-ECDSA-AES128-GCM-SHA256")?;
    // OpenSSL wants the ECDSA certificate's curve among the client's
    // groups too (RFC 8422 5.1.1), so the X25519 client offers P-256
    // second; the server picks X25519.
    ctx.set_groups_list(match (x25519, server) {
        (false, _) => "P-256",
        (true, true) => "X25519",
        (true, false) => "X25519:P-256",
    })?;
    ctx.set_options(SslOptions::NO_QUERY_MTU | SslOptions::NO_TICKET);
    ctx.set_session_cache_mode(openssl::ssl::SslSessionCacheMode::OFF);
    if server {
        let (cert, key) = identity()?;
        ctx.set_certificate(&cert)?;
        ctx.set_private_key(&key)?;
    } else {
        ctx.set_verify(SslVerifyMode::NONE);
    }
    Ok(ctx.build())
}

/// One handshake; the pair and the time spent in the server's calls.
fn handshake(server_ctx: &SslContext, client_ctx: &SslContext) -> Result<(Pair, Duration), String> {
    let (a, b): (Queue, Queue) = Default::default();
    let stream = |ctx: &SslContext, inbox: &Queue, outbox: &Queue, accept: bool| {
        let mut ssl = Ssl::new(ctx).map_err(|e| e.to_string())?;
        ssl.set_mtu(1400).map_err(|e| e.to_string())?;
        if accept {
            ssl.set_accept_state();
        } else {
            ssl.set_connect_state();
        }
        let link = Link {
            inbox: inbox.clone(),
            outbox: outbox.clone(),
        };
        SslStream::new(ssl, link).map_err(|e| e.to_string())
    };
    let mut server = stream(server_ctx, &a, &b, true)?;
    let mut client = stream(client_ctx, &b, &a, false)?;
    let mut in_server = Duration::ZERO;
    let (mut client_done, mut server_done) = (false, false);
    let mut last = String::new();
    for _ in 0..32 {
        if !client_done {
            match client.do_handshake() {
                Ok(()) => client_done = true,
                Err(e) if e.code() == openssl::ssl::ErrorCode::WANT_READ => {}
                Err(e) => last = format!("client: {e} ({:?}); ", e.ssl_error()),
            }
        }
        if !server_done {
            let t = Instant::now();
            let r = server.do_handshake();
            in_server += t.elapsed();
            match r {
                Ok(()) => server_done = true,
                Err(e) if e.code() == openssl::ssl::ErrorCode::WANT_READ => {}
                Err(e) => last.push_str(&format!("server: {e}")),
            }
        }
        if client_done && server_done {
            return Ok(((server, client), in_server));
        }
    }
    Err(format!("the OpenSSL handshake did not complete: {last}"))
}

/// Server and total microseconds per OpenSSL full handshake, over `n`.
pub fn handshake_us(x25519: bool, n: u32) -> Result<(f64, f64), String> {
    let server_ctx = context(true, x25519).map_err(|e| e.to_string())?;
    let client_ctx = context(false, x25519).map_err(|e| e.to_string())?;
    let mut in_server = Duration::ZERO;
    let start = Instant::now();
    for _ in 0..n {
        let (pair, server_time) = handshake(&server_ctx, &client_ctx)?;
        in_server += server_time;
        black_box(pair);
    }
    Ok((per_op_us(in_server, n), per_op_us(start.elapsed(), n)))
}

/// Payload MB/s of one-way `size`-byte records through OpenSSL.
pub fn records_mbps(size: usize, duration: Duration) -> Result<f64, String> {
    let server_ctx = context(true, true).map_err(|e| e.to_string())?;
    let client_ctx = context(false, true).map_err(|e| e.to_string())?;
    let ((mut server, mut client), _) = handshake(&server_ctx, &client_ctx)?;
    let payload = vec![0x42u8; size];
    let mut buf = vec![0u8; 20_000];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..256 {
            client.ssl_write(&payload).map_err(|e| e.to_string())?;
            let got = server.ssl_read(&mut buf).map_err(|e| e.to_string())?;
            black_box(got);
        }
        n += 256;
    }
    Ok(mbps(n * size as u64, start.elapsed()))
}
