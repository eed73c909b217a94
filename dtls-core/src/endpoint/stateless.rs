//! The stateless cookie exchange (RFC 6347 4.2.1): what the endpoint does
//! for a peer that has no connection yet.
//!
//! A ClientHello without a valid cookie is answered with a
//! HelloVerifyRequest carrying an HMAC of the peer's address and the hello's
//! version, random and session_id, and forgotten. Only a ClientHello that
//! returns such a cookie proves the peer receives at its address and gets a
//! connection. This path runs for every datagram a spoofed flood sends, so it
//! works in stack buffers and allocates nothing.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dtls_crypto::CryptoProvider;
use dtls_crypto::cookie::{COOKIE_LEN, CookieSecret, MIN_TRUNCATED_LEN};
use dtls_crypto::shared_secret::SharedSecret;

use super::rotation::{RotationClock, period_index};
use crate::error::Error;
use crate::msgs::codec::Reader;
use crate::msgs::handshake::{HandshakeFragment, HandshakeType};
use crate::msgs::record::{
    ContentType, ProtocolVersion, RECORD_HEADER_LEN, encode_record_header, parse_record,
};

/// Our cookie on the wire: when it was minted (seconds since the endpoint's
/// first datagram, big-endian u32), then the HMAC over the peer, that time
/// and the ClientHello fields, truncated to 28 bytes so the whole cookie is
/// 32 (GnuTLS refuses longer ones). The time lets verification bound a
/// cookie's age whatever the rotation schedule did.
const WIRE_COOKIE_LEN: usize = 32;

/// The HMAC bytes in our cookie.
const TAG_LEN: usize = WIRE_COOKIE_LEN - 4;
const _: () = assert!(TAG_LEN >= MIN_TRUNCATED_LEN && TAG_LEN <= COOKIE_LEN);

/// Size of our HelloVerifyRequest datagram: record header, handshake header,
/// server_version (2), cookie length (1) and the cookie.
pub(super) const HELLO_VERIFY_REQUEST_LEN: usize = RECORD_HEADER_LEN + 12 + 2 + 1 + WIRE_COOKIE_LEN;

/// The fields of a ClientHello the stateless cookie exchange needs. They all
/// sit at the start of the message (RFC 6347 4.2.1), so a first fragment is
/// enough: a fragmented ClientHello is answered and verified the same way.
pub(super) struct ClientHelloPrefix<'a> {
    record_seq: u64,
    message_seq: u16,
    client_version: [u8; 2],
    pub(super) random: &'a [u8; 32],
    session_id: &'a [u8],
    cookie: &'a [u8],
}

impl<'a> ClientHelloPrefix<'a> {
    /// The prefix of the ClientHello in the datagram's first record, if that
    /// record is an epoch-0 handshake record starting a ClientHello.
    pub(super) fn parse(datagram: &'a [u8]) -> Option<Self> {
        let (header, body, _) = parse_record(datagram).ok()?;
        if header.content_type != ContentType::Handshake || header.epoch != 0 {
            return None;
        }
        let (frag, _) = HandshakeFragment::parse(body).ok()?;
        if frag.msg_type != HandshakeType::ClientHello || frag.fragment_offset != 0 {
            return None;
        }
        let mut r = Reader::new(frag.fragment);
        let client_version = r.take(2)?.try_into().ok()?;
        let random = r.take(32)?.try_into().ok()?;
        let sid_len = usize::from(r.u8()?);
        if sid_len > 32 {
            return None;
        }
        let session_id = r.take(sid_len)?;
        let cookie_len = usize::from(r.u8()?);
        let cookie = r.take(cookie_len)?;
        Some(ClientHelloPrefix {
            record_seq: header.sequence_number,
            message_seq: frag.message_seq,
            client_version,
            random,
            session_id,
            cookie,
        })
    }

    /// The ClientHello parameters the cookie binds (RFC 6347 4.2.1:
    /// version, random, session_id; the peer address is added separately),
    /// after the minting time. `parse` bounds the session_id to 32 bytes,
    /// so it all fits.
    fn cookie_input(&self, minted: [u8; 4]) -> StackBytes<71> {
        let mut out = StackBytes::default();
        out.push(&minted);
        out.push(&self.client_version);
        out.push(self.random);
        out.push(&[self.session_id.len() as u8]);
        out.push(self.session_id);
        out
    }
}

/// What a ClientHello's cookie says.
pub(super) enum CookieCheck {
    /// No cookie: a first ClientHello.
    Absent,
    /// A cookie we did not issue to this peer for this hello, issued
    /// under a secret rotated out since, or older than its lifetime.
    Invalid,
    /// Our cookie: the peer receives at its address.
    Valid(ProvenHello),
}

/// What a ClientHello that returned a valid cookie tells the connection it
/// starts.
pub(super) struct ProvenHello {
    /// The record sequence number it came in.
    pub(super) record_seq: u64,
    /// Its message_seq: the server answers in step (RFC 6347 4.2.2).
    pub(super) message_seq: u16,
    /// Its random, telling later copies of it from a new handshake.
    pub(super) random: [u8; 32],
    /// The session it asks to resume, if any (RFC 5246 7.4.1.2).
    pub(super) session_id: Vec<u8>,
}

/// How far ahead of ours another node's clock may be when it minted a
/// cookie (with a shared secret).
const CLOCK_SKEW_SECS: u32 = 5;

/// The cookie secret, its rotation schedule and the coarse clock cookies
/// carry.
pub(super) struct CookieExchange {
    secret: CookieSecret,
    rotation: RotationClock,
    /// The endpoint clock at the latest datagram, in seconds (mod 2^32).
    now_secs: u32,
    /// With a shared secret: the rotation period the secret is of.
    shared_period: Option<u64>,
}

impl CookieExchange {
    /// A fresh secret drawn from `provider`.
    ///
    /// # Errors
    /// Fails if the random source fails.
    pub(super) fn new(provider: &CryptoProvider) -> Result<Self, Error> {
        Ok(CookieExchange {
            secret: CookieSecret::new(provider)?,
            rotation: RotationClock::default(),
            now_secs: 0,
            shared_period: None,
        })
    }

    /// Advances the cookie clock to `now` and rotates the secret for every
    /// `period` that has ended since the last rotation (twice after a long
    /// quiet gap, so no secret outlives two periods).
    ///
    /// With a `shared` secret the secrets are instead those of the period
    /// `secs` falls in (and the one before), as every node sharing it
    /// derives them.
    pub(super) fn on_datagram(
        &mut self,
        now: Instant,
        secs: u64,
        period: Duration,
        shared: Option<(&SharedSecret, &CryptoProvider)>,
    ) {
        self.now_secs = secs as u32;
        if let Some((shared, provider)) = shared {
            let index = period_index(secs, period);
            if self.shared_period != Some(index) {
                self.secret = shared.cookie_secret(index, provider);
                self.shared_period = Some(index);
            }
            return;
        }
        for _ in 0..self.rotation.due(now, period) {
            // A failed rotation keeps the current secret: still safe.
            let _ = self.secret.rotate();
        }
    }

    /// Checks the cookie `hello` returned from `peer`: ours, for this peer
    /// and hello, and minted at most `lifetime` ago.
    pub(super) fn check(
        &self,
        peer: SocketAddr,
        hello: &ClientHelloPrefix<'_>,
        lifetime: Duration,
    ) -> CookieCheck {
        if hello.cookie.is_empty() {
            return CookieCheck::Absent;
        }
        if hello.cookie.len() != WIRE_COOKIE_LEN {
            return CookieCheck::Invalid;
        }
        let Some((minted, tag)) = hello.cookie.split_first_chunk::<4>() else {
            return CookieCheck::Invalid;
        };
        let minted_secs = u32::from_be_bytes(*minted);
        let age = u64::from(self.now_secs.saturating_sub(minted_secs));
        // Nodes sharing a secret may disagree by a few seconds.
        let skew = if self.shared_period.is_some() {
            CLOCK_SKEW_SECS
        } else {
            0
        };
        let from_the_future = minted_secs > self.now_secs.saturating_add(skew);
        if from_the_future || age > lifetime.as_secs() {
            return CookieCheck::Invalid;
        }
        let peer = encode_peer(peer);
        let input = hello.cookie_input(*minted);
        if self.secret.verify(peer.as_slice(), input.as_slice(), tag) {
            CookieCheck::Valid(ProvenHello {
                record_seq: hello.record_seq,
                message_seq: hello.message_seq,
                random: *hello.random,
                session_id: hello.session_id.to_vec(),
            })
        } else {
            CookieCheck::Invalid
        }
    }

    /// Writes into `out` a HelloVerifyRequest (RFC 6347 4.2.1) with a fresh
    /// cookie for `peer` and `hello`, and returns its length, or `None` if
    /// `out` is too small. It uses the ClientHello's record sequence number
    /// and message_seq, and version DTLS 1.0 in both the record and the
    /// message ("DTLS 1.2 server implementations SHOULD use DTLS version 1.0
    /// regardless of the version ... expected to be negotiated").
    pub(super) fn write_hello_verify_request(
        &self,
        out: &mut [u8],
        peer: SocketAddr,
        hello: &ClientHelloPrefix<'_>,
    ) -> Option<usize> {
        let out = out.get_mut(..HELLO_VERIFY_REQUEST_LEN)?;
        let minted = self.now_secs.to_be_bytes();
        let tag = self.secret.cookie(
            encode_peer(peer).as_slice(),
            hello.cookie_input(minted).as_slice(),
        );
        let body_len = 2 + 1 + WIRE_COOKIE_LEN;
        let (header, rest) = out.split_at_mut(RECORD_HEADER_LEN);
        encode_record_header(
            header,
            ContentType::Handshake,
            ProtocolVersion::Dtls1_0,
            0,
            hello.record_seq,
            12 + body_len,
        )
        .ok()?;
        let mut body = StackBytes::<{ 3 + WIRE_COOKIE_LEN }>::default();
        body.push(&[0xFE, 0xFF, WIRE_COOKIE_LEN as u8]);
        body.push(&minted);
        body.push(tag.get(..TAG_LEN)?);
        let written = crate::handshake::fragment_at(
            HandshakeType::HelloVerifyRequest,
            hello.message_seq,
            body.as_slice(),
            0,
            body_len,
        )?
        .write_to(rest)?;
        Some(RECORD_HEADER_LEN + written)
    }
}

/// The peer's address as cookie input: IP octets then port.
fn encode_peer(peer: SocketAddr) -> StackBytes<18> {
    let mut out = StackBytes::default();
    match peer {
        SocketAddr::V4(a) => out.push(&a.ip().octets()),
        SocketAddr::V6(a) => out.push(&a.ip().octets()),
    }
    out.push(&peer.port().to_be_bytes());
    out
}

/// A fixed-capacity byte string on the stack.
struct StackBytes<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Default for StackBytes<N> {
    fn default() -> Self {
        StackBytes {
            buf: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> StackBytes<N> {
    /// Appends as much of `part` as fits (callers size `N` so all of it
    /// does).
    fn push(&mut self, part: &[u8]) {
        let end = (self.len + part.len()).min(N);
        if let (Some(dst), Some(src)) =
            (self.buf.get_mut(self.len..end), part.get(..end - self.len))
        {
            dst.copy_from_slice(src);
        }
        self.len = end;
    }

    fn as_slice(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use super::*;

    thread_local! {
        /// Each test's clock origin: its first tick.
        static ORIGIN: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
    }

    /// A datagram at `now`, the endpoint clock counting from the test's
    /// first tick.
    fn tick(cookies: &mut CookieExchange, now: Instant, period: Duration) {
        let origin = ORIGIN.with(|o| {
            let origin = o.get().unwrap_or(now);
            o.set(Some(origin));
            origin
        });
        let secs = now.saturating_duration_since(origin).as_secs();
        cookies.on_datagram(now, secs, period, None);
    }
    use crate::config::ClientConfig;
    use crate::conn::Connection;

    const LIFETIME: Duration = Duration::from_secs(60);

    /// Whether `cookies` accepts the cookie in `datagram` from `peer`.
    fn accepts(
        cookies: &CookieExchange,
        peer: SocketAddr,
        datagram: &[u8],
        life: Duration,
    ) -> bool {
        let hello = ClientHelloPrefix::parse(datagram).unwrap();
        matches!(cookies.check(peer, &hello, life), CookieCheck::Valid(_))
    }

    /// A client's second ClientHello carrying the cookie `cookies` minted
    /// at `minted`, for `peer`.
    fn hello_with_cookie(
        cookies: &mut CookieExchange,
        minted: Instant,
        peer: SocketAddr,
    ) -> Vec<u8> {
        let server: SocketAddr = "192.0.2.1:4433".parse().unwrap();
        let mut client =
            Connection::client(Arc::new(ClientConfig::default()), server, minted).unwrap();
        let mut buf = [0u8; 1500];
        let len = client.poll_transmit(minted, &mut buf).unwrap();
        tick(cookies, minted, Duration::from_secs(300));
        let hello = ClientHelloPrefix::parse(&buf[..len]).unwrap();
        let mut reply = [0u8; 1500];
        let n = cookies
            .write_hello_verify_request(&mut reply, peer, &hello)
            .unwrap();
        client.handle_datagram(minted, &mut reply[..n]);
        let len = client.poll_transmit(minted, &mut buf).unwrap();
        buf[..len].to_vec()
    }

    /// Issue 16: cookies carried no time, so after a quiet hour one minted
    /// an hour ago still verified. Now the age is checked whatever the
    /// rotation did.
    #[test]
    fn a_cookie_expires_after_its_lifetime_whatever_the_traffic() {
        let start = crate::test_origin();
        let peer: SocketAddr = "192.0.2.2:5000".parse().unwrap();
        let mut cookies = CookieExchange::new(&CryptoProvider::default()).unwrap();
        let datagram = hello_with_cookie(&mut cookies, start, peer);
        // Rotation far beyond the gap: only the lifetime can refuse it.
        let never = Duration::from_secs(1 << 40);
        tick(&mut cookies, start + LIFETIME, never);
        assert!(accepts(&cookies, peer, &datagram, LIFETIME));
        tick(
            &mut cookies,
            start + LIFETIME + Duration::from_secs(1),
            never,
        );
        assert!(!accepts(&cookies, peer, &datagram, LIFETIME));
    }

    /// A forged minting time (the future, or a later one than the HMAC
    /// covers) does not verify.
    #[test]
    fn a_cookie_s_time_is_covered_by_its_mac() {
        let start = crate::test_origin();
        let peer: SocketAddr = "192.0.2.2:5000".parse().unwrap();
        let mut cookies = CookieExchange::new(&CryptoProvider::default()).unwrap();
        tick(&mut cookies, start, Duration::from_secs(300));
        let later = start + Duration::from_secs(100);
        let mut datagram = hello_with_cookie(&mut cookies, later, peer);
        assert!(accepts(&cookies, peer, &datagram, LIFETIME));
        let at = datagram
            .windows(4)
            .position(|w| w == 100u32.to_be_bytes())
            .unwrap();
        for forged in [99u32, 101] {
            datagram[at..at + 4].copy_from_slice(&forged.to_be_bytes());
            assert!(!accepts(&cookies, peer, &datagram, LIFETIME));
        }
    }

    /// After two whole rotation periods without traffic, both secrets are
    /// replaced (issue 16: it used to rotate once whatever the gap).
    #[test]
    fn a_long_gap_rotates_both_secrets() {
        let start = crate::test_origin();
        let peer: SocketAddr = "192.0.2.2:5000".parse().unwrap();
        let period = Duration::from_secs(300);
        let mut cookies = CookieExchange::new(&CryptoProvider::default()).unwrap();
        let datagram = hello_with_cookie(&mut cookies, start, peer);
        let long = Duration::from_secs(1 << 40);
        tick(&mut cookies, start + period * 3, period);
        assert!(!accepts(&cookies, peer, &datagram, long));
    }

    /// The cookie exchange against a real client: the first ClientHello
    /// has no cookie and gets a HelloVerifyRequest no larger than itself;
    /// the second returns a cookie valid for that peer only.
    #[test]
    fn a_client_s_returned_cookie_verifies_for_its_address_only() {
        let now = crate::test_origin();
        let server: SocketAddr = "192.0.2.1:4433".parse().unwrap();
        let peer: SocketAddr = "192.0.2.2:5000".parse().unwrap();
        let mut client =
            Connection::client(Arc::new(ClientConfig::default()), server, now).unwrap();
        let cookies = CookieExchange::new(&CryptoProvider::default()).unwrap();
        let mut buf = [0u8; 1500];

        let len = client.poll_transmit(now, &mut buf).unwrap();
        let hello = ClientHelloPrefix::parse(&buf[..len]).unwrap();
        assert!(matches!(
            cookies.check(peer, &hello, LIFETIME),
            CookieCheck::Absent
        ));
        let mut reply = [0u8; 1500];
        let n = cookies
            .write_hello_verify_request(&mut reply, peer, &hello)
            .unwrap();
        assert_eq!(n, HELLO_VERIFY_REQUEST_LEN);
        assert!(n <= len, "no amplification");
        assert!(
            cookies
                .write_hello_verify_request(&mut reply[..n - 1], peer, &hello)
                .is_none()
        );

        client.handle_datagram(now, &mut reply[..n]);
        let len = client.poll_transmit(now, &mut buf).unwrap();
        let hello = ClientHelloPrefix::parse(&buf[..len]).unwrap();
        let CookieCheck::Valid(proven) = cookies.check(peer, &hello, LIFETIME) else {
            panic!("our cookie must verify");
        };
        assert_eq!(&proven.random, hello.random);
        let elsewhere: SocketAddr = "192.0.2.2:5001".parse().unwrap();
        assert!(matches!(
            cookies.check(elsewhere, &hello, LIFETIME),
            CookieCheck::Invalid
        ));
    }

    #[test]
    fn only_an_epoch_0_client_hello_has_a_prefix() {
        assert!(ClientHelloPrefix::parse(&[]).is_none());
        // An alert record.
        let alert = [21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40];
        assert!(ClientHelloPrefix::parse(&alert).is_none());
    }
}
