//! The handshake transcript (RFC 5246 7.4.9, RFC 6347 4.2.6).
//!
//! DTLS hashes every handshake message as if it had been sent unfragmented:
//! the 12-byte DTLS handshake header with `fragment_offset = 0` and
//! `fragment_length = length`, then the body. The initial ClientHello and the
//! HelloVerifyRequest are left out (RFC 6347 4.2.1).
//!
//! The raw bytes are kept (not only a running hash) because TLS 1.2's
//! CertificateVerify signs the messages themselves (RFC 5246 7.4.8), and the
//! hash algorithm is unknown until the suite is chosen. The bytes are bounded
//! by the handshake message caps and freed when the handshake completes.

use dtls_crypto::hash::HandshakeHash;
use dtls_crypto::suites::PrfHash;

use crate::msgs::handshake::{HandshakeType, encode_handshake};

/// The raw handshake messages exchanged so far.
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    pub(crate) fn new() -> Self {
        Transcript::default()
    }

    /// Appends one whole message in its unfragmented DTLS form.
    pub(crate) fn add_message(&mut self, msg_type: u8, message_seq: u16, body: &[u8]) {
        encode_handshake(
            &mut self.bytes,
            HandshakeType::from(msg_type),
            message_seq,
            body,
        );
    }

    /// The transcript so far (what CertificateVerify signs).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The hash of the transcript so far (Finished, extended master secret).
    ///
    /// Hashing a bounded in-memory buffer cannot fail in practice; if it
    /// ever did, the empty result makes Finished verification fail, so the
    /// handshake fails closed.
    pub(crate) fn hash(&self, hash: PrfHash) -> Vec<u8> {
        let mut h = HandshakeHash::buffering();
        if h.start(hash).is_err() || h.update(&self.bytes).is_err() {
            return Vec::new();
        }
        h.current().map(|d| d.as_ref().to_vec()).unwrap_or_default()
    }

    /// Forgets everything (the ClientHello after a HelloVerifyRequest starts
    /// a new transcript; a completed handshake needs none).
    pub(crate) fn clear(&mut self) {
        self.bytes = Vec::new();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 6347 4.2.6: each message as if sent in one fragment.
    #[test]
    fn messages_are_kept_in_their_unfragmented_form() {
        let mut transcript = Transcript::new();
        transcript.add_message(16, 0x0102, b"abcdef");
        transcript.add_message(14, 3, b"");
        let mut expected = hex::decode("10 000006 0102 000000 000006".replace(' ', "")).unwrap();
        expected.extend_from_slice(b"abcdef");
        expected.extend_from_slice(&hex::decode("0e0000000003000000000000").unwrap());
        assert_eq!(transcript.bytes(), expected.as_slice());
        transcript.clear();
        assert!(transcript.bytes().is_empty());
    }
}
