//! The key schedule both handshake state machines share: the master
//! secret (RFC 5246 8.1, RFC 7627 4), the record keys of the key block
//! (RFC 5246 6.3) and the Finished messages (RFC 5246 7.4.9).

use dtls_crypto::CipherSuite;
use dtls_crypto::ct::constant_time_eq;
use dtls_crypto::prf::{self, MasterSecret};
use dtls_crypto::record::RecordProtection;

use super::common::queue_message;
use super::peer_error::{Misbehaved, Peer, PeerError};
use super::transcript::Transcript;
use super::{Ctx, SessionSecrets};
use crate::event::{KeyExchangeUsed, NegotiatedParams};
use crate::msgs::handshake::HandshakeType;
use crate::msgs::messages::{CertificatePayload, Finished};

/// How the peer identified itself: its certificate chain (may be empty) or
/// raw public key and, under a PSK suite, the client's PSK identity.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerCredentials {
    pub(crate) certificate: CertificatePayload,
    pub(crate) psk_identity: Option<Vec<u8>>,
}

/// What the two hellos settled that both sides carry to the end of a
/// full handshake: the key schedule's inputs (RFC 5246 8.1, RFC 7627 4),
/// the application protocol (RFC 7301 3.2) and the session ID.
pub(crate) struct HelloAgreement {
    pub(crate) suite: CipherSuite,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) extended_master_secret: bool,
    pub(crate) alpn: Option<Vec<u8>>,
    /// The session ID the server assigned (empty: none).
    pub(crate) session_id: Vec<u8>,
}

impl HelloAgreement {
    /// The secrets from the ECDHE pre-master secret: the extended master
    /// secret over the transcript so far (RFC 7627 4: up to and including
    /// the ClientKeyExchange) when agreed, else the RFC 5246 8.1 master
    /// secret over the randoms.
    pub(crate) fn secrets(&self, pre_master: &[u8], transcript: &Transcript) -> SessionSecrets {
        let hash = self.suite.prf_hash();
        let master = if self.extended_master_secret {
            prf::extended_master_secret(hash, pre_master, &transcript.hash(hash))
        } else {
            prf::master_secret(hash, pre_master, &self.client_random, &self.server_random)
        };
        SessionSecrets::resumed(self.suite, master, self.client_random, self.server_random)
    }

    /// What the handshake settled, for [`Event::Connected`]; `key_exchange`
    /// is `None` when the session was resumed.
    ///
    /// [`Event::Connected`]: crate::event::Event::Connected
    pub(crate) fn params(
        &self,
        key_exchange: Option<KeyExchangeUsed>,
        server_name: Option<String>,
        peer: PeerCredentials,
    ) -> NegotiatedParams {
        NegotiatedParams::dtls12(
            self.suite,
            key_exchange,
            self.extended_master_secret,
            self.alpn.clone(),
            server_name,
            peer.certificate,
            peer.psk_identity,
        )
    }
}

impl SessionSecrets {
    /// The secrets of a master secret with this handshake's randoms: a
    /// resumed session's (RFC 5246 7.3) or a new one's.
    pub(crate) fn resumed(
        suite: CipherSuite,
        master: MasterSecret,
        client_random: [u8; 32],
        server_random: [u8; 32],
    ) -> Self {
        SessionSecrets {
            suite,
            master,
            client_random,
            server_random,
        }
    }

    /// Derives the key block (RFC 5246 6.3), installs the peer's direction
    /// as our read keys (used once its ChangeCipherSpec arrives) and
    /// returns our write protection, to queue with our ChangeCipherSpec.
    pub(crate) fn install_read_keys(
        &self,
        ctx: &mut Ctx,
        we: Peer,
    ) -> Result<RecordProtection, PeerError> {
        let keys = prf::key_block(
            self.suite,
            &self.master,
            &self.client_random,
            &self.server_random,
        );
        let client_write = RecordProtection::new(self.suite, &keys.client_write)?;
        let server_write = RecordProtection::new(self.suite, &keys.server_write)?;
        let (read, write) = match we {
            Peer::Server => (client_write, server_write),
            Peer::Client => (server_write, client_write),
        };
        ctx.records.install_read_keys(read);
        Ok(write)
    }

    /// Checks the peer's Finished against the transcript so far
    /// (RFC 5246 7.4.9), in constant time.
    pub(crate) fn check_finished(
        &self,
        transcript: &Transcript,
        from: Peer,
        abbreviated: bool,
        verify_data: &[u8],
    ) -> Result<(), PeerError> {
        let expected = self.verify_data(transcript, from);
        if constant_time_eq(&expected, verify_data) {
            Ok(())
        } else {
            Err(Misbehaved::BadFinished { from, abbreviated }.into())
        }
    }

    /// Queues our ChangeCipherSpec (switching writes to `write`) and our
    /// Finished over the transcript so far (RFC 5246 7.1, 7.4.9).
    pub(crate) fn queue_finished(&self, ctx: &mut Ctx, we: Peer, write: RecordProtection) {
        ctx.queue_change_cipher_spec(write);
        let fin = Finished {
            verify_data: self.verify_data(&ctx.transcript, we).to_vec(),
        };
        queue_message(ctx, HandshakeType::Finished, &fin);
    }

    fn verify_data(&self, transcript: &Transcript, from: Peer) -> [u8; prf::VERIFY_DATA_LEN] {
        let hash = self.suite.prf_hash();
        prf::verify_data(
            hash,
            &self.master,
            from == Peer::Client,
            &transcript.hash(hash),
        )
    }
}
