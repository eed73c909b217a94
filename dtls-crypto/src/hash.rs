//! The running handshake transcript hash.
//!
//! TLS 1.2 Finished messages (RFC 5246 section 7.4.9) and the extended master
//! secret's session hash (RFC 7627 section 3) are computed over the
//! concatenation of the handshake messages with the PRF hash of the chosen
//! suite. In DTLS each message is hashed as if it had been sent unfragmented:
//! its 12-byte DTLS handshake header (type, length, message_seq,
//! fragment_offset = 0, fragment_length = length) followed by the body
//! (RFC 6347 section 4.2.6). The initial ClientHello and the
//! HelloVerifyRequest of the cookie exchange are not part of the transcript
//! (RFC 6347 section 4.2.1); deciding what to feed is the engine's job.
//!
//! The PRF hash is only known once the server has chosen a suite, after the
//! ClientHello has arrived, so a [`HandshakeHash`] starts by buffering and
//! switches to hashing in [`HandshakeHash::start`]. The buffer is capped (by
//! default at [`DEFAULT_BUFFER_LIMIT`]) so a peer cannot make it grow
//! without bound.
//!
//! A server that requests a client certificate must verify the client's
//! CertificateVerify, which signs the transcript *bytes* with a hash of the
//! client's choosing (RFC 5246 section 7.4.8), not the PRF hash. For that
//! case [`HandshakeHash::start_retaining`] keeps the bytes (still under the
//! cap) next to the running hash; [`HandshakeHash::transcript`] returns them.

use crate::Error;
use crate::suites::PrfHash;
use ring::digest;

/// Default cap on the number of transcript bytes kept in memory: 64 KiB.
pub const DEFAULT_BUFFER_LIMIT: usize = 64 * 1024;

/// Largest digest we produce (SHA-384).
const MAX_OUTPUT_LEN: usize = 48;

/// A transcript digest: a fixed-size value, no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HashOutput {
    bytes: [u8; MAX_OUTPUT_LEN],
    len: usize,
}

impl HashOutput {
    fn new(digest: &digest::Digest) -> Self {
        let value = digest.as_ref();
        let mut bytes = [0u8; MAX_OUTPUT_LEN];
        let len = value.len().min(MAX_OUTPUT_LEN);
        bytes[..len].copy_from_slice(&value[..len]);
        HashOutput { bytes, len }
    }
}

impl AsRef<[u8]> for HashOutput {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Debug for HashOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashOutput({})", hex::encode(self.as_ref()))
    }
}

fn digest_algorithm(hash: PrfHash) -> &'static digest::Algorithm {
    match hash {
        PrfHash::Sha256 => &digest::SHA256,
        PrfHash::Sha384 => &digest::SHA384,
    }
}

/// The hash in progress, once chosen.
#[derive(Clone)]
struct Running {
    hash: PrfHash,
    ctx: digest::Context,
}

/// The running hash of the handshake messages (RFC 5246 section 7.4.9;
/// RFC 6347 section 4.2.6).
#[derive(Clone)]
pub struct HandshakeHash {
    /// `None` while buffering (no hash chosen yet).
    running: Option<Running>,
    /// Whether the bytes are kept after the hash was chosen.
    retain: bool,
    buffer: Vec<u8>,
    limit: usize,
}

impl std::fmt::Debug for HandshakeHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandshakeHash")
            .field("hash", &self.hash())
            .field("buffered_len", &self.buffer.len())
            .finish()
    }
}

impl HandshakeHash {
    /// A transcript that buffers until [`start`](Self::start) is called,
    /// capped at [`DEFAULT_BUFFER_LIMIT`] bytes.
    pub fn buffering() -> Self {
        Self::buffering_with_limit(DEFAULT_BUFFER_LIMIT)
    }

    /// Like [`buffering`](Self::buffering) with a different cap on the
    /// bytes kept in memory.
    pub fn buffering_with_limit(limit: usize) -> Self {
        HandshakeHash {
            running: None,
            retain: false,
            buffer: Vec::new(),
            limit,
        }
    }

    /// Chooses the hash (the PRF hash of the negotiated suite), hashes what
    /// was buffered and frees the buffer; later [`update`](Self::update)s are
    /// hashed directly.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the hash was already started.
    pub fn start(&mut self, hash: PrfHash) -> Result<(), Error> {
        self.start_inner(hash, false)
    }

    /// Like [`start`](Self::start), but also keeps the transcript bytes (still
    /// subject to the cap) for verifying a client's CertificateVerify, which
    /// signs the messages themselves (RFC 5246 section 7.4.8). Call
    /// [`stop_retaining`](Self::stop_retaining) once that is done.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the hash was already started.
    pub fn start_retaining(&mut self, hash: PrfHash) -> Result<(), Error> {
        self.start_inner(hash, true)
    }

    fn start_inner(&mut self, hash: PrfHash, retain: bool) -> Result<(), Error> {
        if self.running.is_some() {
            return Err(Error::InvalidInput("handshake hash already started"));
        }
        let mut ctx = digest::Context::new(digest_algorithm(hash));
        ctx.update(&self.buffer);
        if !retain {
            self.buffer = Vec::new();
        }
        self.retain = retain;
        self.running = Some(Running { hash, ctx });
        Ok(())
    }

    /// Stops keeping the transcript bytes and frees them (hashing continues).
    /// Does nothing before [`start`](Self::start).
    pub fn stop_retaining(&mut self) {
        if self.running.is_some() {
            self.retain = false;
            self.buffer = Vec::new();
        }
    }

    fn keeps_bytes(&self) -> bool {
        self.running.is_none() || self.retain
    }

    /// Adds handshake bytes to the transcript.
    ///
    /// # Errors
    /// [`Error::TranscriptTooLarge`] if the bytes must be kept (before
    /// [`start`](Self::start), or when retaining) and the buffer would
    /// exceed its cap; the transcript is then unchanged.
    pub fn update(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.keeps_bytes() {
            if bytes.len() > self.limit.saturating_sub(self.buffer.len()) {
                return Err(Error::TranscriptTooLarge { limit: self.limit });
            }
            self.buffer.extend_from_slice(bytes);
        }
        if let Some(running) = &mut self.running {
            running.ctx.update(bytes);
        }
        Ok(())
    }

    /// The digest of everything so far; the transcript can keep growing.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before [`start`](Self::start) (no hash chosen).
    pub fn current(&self) -> Result<HashOutput, Error> {
        match &self.running {
            None => Err(Error::InvalidInput("handshake hash not started")),
            Some(running) => Ok(HashOutput::new(&running.ctx.clone().finish())),
        }
    }

    /// The chosen hash, once started.
    pub fn hash(&self) -> Option<PrfHash> {
        self.running.as_ref().map(|r| r.hash)
    }

    /// Number of transcript bytes held in memory.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// The transcript bytes, while they are kept: before
    /// [`start`](Self::start), or after [`start_retaining`](Self::start_retaining)
    /// until [`stop_retaining`](Self::stop_retaining).
    pub fn transcript(&self) -> Option<&[u8]> {
        self.keeps_bytes().then_some(self.buffer.as_slice())
    }
}

impl Default for HandshakeHash {
    fn default() -> Self {
        Self::buffering()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reference(alg: &'static digest::Algorithm, parts: &[&[u8]]) -> Vec<u8> {
        let mut all = Vec::new();
        for p in parts {
            all.extend_from_slice(p);
        }
        digest::digest(alg, &all).as_ref().to_vec()
    }

    #[test]
    fn buffered_then_hashed_matches_ring() {
        for (hash, alg) in [
            (PrfHash::Sha256, &digest::SHA256),
            (PrfHash::Sha384, &digest::SHA384),
        ] {
            let mut h = HandshakeHash::buffering();
            assert!(h.current().is_err());
            h.update(b"client hello").unwrap();
            assert_eq!(h.buffered_len(), 12);
            h.start(hash).unwrap();
            assert_eq!(h.buffered_len(), 0);
            assert_eq!(h.hash(), Some(hash));
            assert_eq!(
                h.current().unwrap().as_ref(),
                reference(alg, &[b"client hello"])
            );
            h.update(b"server hello").unwrap();
            let mid = h.current().unwrap();
            assert_eq!(
                mid.as_ref(),
                reference(alg, &[b"client hello", b"server hello"])
            );
            assert_eq!(mid.as_ref().len(), hash.output_len());
            // current() does not consume.
            assert_eq!(h.current().unwrap(), mid);
            h.update(b"").unwrap();
            h.update(&[0u8; 100_000]).unwrap(); // no cap once hashing
            assert_eq!(
                h.current().unwrap().as_ref(),
                reference(alg, &[b"client hello", b"server hello", &[0u8; 100_000]])
            );
        }
    }

    #[test]
    fn empty_transcript() {
        let mut h = HandshakeHash::buffering();
        h.start(PrfHash::Sha256).unwrap();
        assert_eq!(
            h.current().unwrap().as_ref(),
            reference(&digest::SHA256, &[])
        );
        assert!(h.start(PrfHash::Sha384).is_err());
    }

    #[test]
    fn buffer_is_capped() {
        let mut h = HandshakeHash::buffering_with_limit(10);
        h.update(&[1; 6]).unwrap();
        assert_eq!(
            h.update(&[2; 5]),
            Err(Error::TranscriptTooLarge { limit: 10 })
        );
        assert_eq!(h.buffered_len(), 6);
        h.update(&[3; 4]).unwrap();
        assert_eq!(h.buffered_len(), 10);
        assert!(h.update(&[4]).is_err());
        h.start(PrfHash::Sha256).unwrap();
        assert_eq!(
            h.current().unwrap().as_ref(),
            reference(&digest::SHA256, &[&[1; 6], &[3; 4]])
        );

        let mut big = HandshakeHash::buffering();
        assert!(big.update(&vec![0u8; DEFAULT_BUFFER_LIMIT + 1]).is_err());
        big.update(&vec![0u8; DEFAULT_BUFFER_LIMIT]).unwrap();
    }

    #[test]
    fn retaining_keeps_bytes_under_the_cap() {
        let mut h = HandshakeHash::buffering_with_limit(8);
        h.update(b"ab").unwrap();
        assert_eq!(h.transcript(), Some(&b"ab"[..]));
        h.start_retaining(PrfHash::Sha384).unwrap();
        h.update(b"cd").unwrap();
        assert_eq!(h.transcript(), Some(&b"abcd"[..]));
        assert!(h.update(b"efghi").is_err());
        assert_eq!(
            h.current().unwrap().as_ref(),
            reference(&digest::SHA384, &[b"abcd"])
        );
        h.stop_retaining();
        assert_eq!(h.transcript(), None);
        assert_eq!(h.buffered_len(), 0);
        h.update(b"efghijklmnop").unwrap();
        assert_eq!(
            h.current().unwrap().as_ref(),
            reference(&digest::SHA384, &[b"abcdefghijklmnop"])
        );
    }
}
