//! The record layer of one connection: epochs, sequence numbers, replay
//! protection and record protection (RFC 6347 4.1).
//!
//! Renegotiation is refused (RFC 5746 / the design), so a connection
//! only ever has epoch 0 (plaintext, the handshake up to ChangeCipherSpec) and
//! epoch 1 (protected with the negotiated keys). Both write epochs stay alive
//! because a retransmitted final flight contains records of both (RFC 6347
//! 4.2.4: CCS in epoch 0, Finished in epoch 1).

use std::ops::Range;

use dtls_crypto::record::{RecordMeta, RecordProtection};

use crate::event::DropReason;
use crate::msgs::record::{
    ContentType, ProtocolVersion, RECORD_HEADER_LEN, encode_cid_record_header, encode_record_header,
};
use crate::record::replay::{ReplayCheck, ReplayWindow};
use crate::record::sequence::SequenceCounter;

/// The largest plaintext a record may carry (RFC 5246 6.2.1: 2^14).
pub(crate) use crate::msgs::record::MAX_PLAINTEXT_LEN as MAX_PLAINTEXT;

/// Read state of one epoch. The protection is boxed (as in `WriteEpoch`):
/// a key schedule is large (kilobytes for CBC with HMAC), epoch 0 has none,
/// and a box keeps an idle connection to what its suite needs.
struct ReadEpoch {
    protection: Option<Box<RecordProtection>>,
    window: ReplayWindow,
}

/// Write state of one epoch.
struct WriteEpoch {
    protection: Option<Box<RecordProtection>>,
    sequence: SequenceCounter,
}

/// An incoming record after the record layer accepted it.
#[derive(Debug)]
pub(crate) struct OpenedRecord {
    /// The record's content type (for a `tls12_cid` record, the inner
    /// one, RFC 9146 4).
    pub content_type: ContentType,
    /// The record's epoch.
    pub epoch: u16,
    /// Where the plaintext lies inside the fragment buffer given to `open`.
    pub plaintext: Range<usize>,
    /// It carried our connection ID and its sequence number is higher than
    /// any authenticated before in its epoch: the one kind of record that
    /// may move the peer's address (RFC 9146 6).
    pub newest_with_cid: bool,
}

/// The connection IDs in use (RFC 9146 3), once the hellos agreed on them:
/// records of the protected epoch carry `ours` when the peer sends them
/// and `theirs` when we do; an empty CID means the plain record format in
/// that direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConnectionIds {
    pub(crate) ours: Vec<u8>,
    pub(crate) theirs: Vec<u8>,
}

/// What the record layer decided about an incoming record.
#[derive(Debug)]
pub(crate) enum OpenOutcome {
    /// Authenticated, fresh, and ready to dispatch.
    Opened(OpenedRecord),
    /// A record of epoch 1 that arrived before the ChangeCipherSpec that
    /// activates it: keep it and offer it again later (RFC 6347 4.1: "the
    /// receiver MAY buffer" records of the next epoch).
    Early,
    /// Dropped for this reason; nothing is sent back (RFC 6347 4.1.2.7).
    Dropped(DropReason),
}

/// Epochs, keys and counters for one connection.
pub(crate) struct RecordLayer {
    read: [ReadEpoch; 2],
    write: [WriteEpoch; 2],
    /// The epoch we currently read application and handshake data in.
    read_epoch: u16,
    /// The epoch we currently write in.
    write_epoch: u16,
    /// Connection IDs for the protected epoch, if negotiated.
    cids: Option<Box<ConnectionIds>>,
}

impl RecordLayer {
    /// A record layer in epoch 0 with a replay window of `window` records.
    /// `first_write_sequence` lets a server continue the sequence numbers the
    /// stateless HelloVerifyRequest used (RFC 6347 4.2.1).
    pub(crate) fn new(window: usize, first_write_sequence: u64) -> Self {
        RecordLayer {
            read: [
                ReadEpoch {
                    protection: None,
                    window: ReplayWindow::new(window),
                },
                ReadEpoch {
                    protection: None,
                    window: ReplayWindow::new(window),
                },
            ],
            write: [
                WriteEpoch {
                    protection: None,
                    sequence: SequenceCounter::starting_at(first_write_sequence),
                },
                WriteEpoch {
                    protection: None,
                    sequence: SequenceCounter::starting_at(0),
                },
            ],
            read_epoch: 0,
            write_epoch: 0,
            cids: None,
        }
    }

    /// Uses these connection IDs for the protected epoch (RFC 9146 3).
    pub(crate) fn set_connection_ids(&mut self, cids: ConnectionIds) {
        self.cids = Some(Box::new(cids));
    }

    /// The connection IDs agreed, if any.
    pub(crate) fn connection_ids(&self) -> Option<&ConnectionIds> {
        self.cids.as_deref()
    }

    /// The length of the CID records to us carry: what a `tls12_cid`
    /// record header holds (RFC 9146 4).
    pub(crate) fn read_cid_len(&self) -> usize {
        self.cids.as_ref().map_or(0, |c| c.ours.len())
    }

    /// The CID our records of `epoch` carry: the peer's, in the protected
    /// epoch; empty for the plain format.
    fn write_cid(&self, epoch: u16) -> &[u8] {
        match &self.cids {
            Some(c) if epoch >= 1 && self.write_protection(epoch).is_some() => &c.theirs,
            _ => &[],
        }
    }

    /// Installs the keys of epoch 1 for reading; they become active with
    /// [`activate_read_epoch1`](Self::activate_read_epoch1) when the peer's
    /// ChangeCipherSpec arrives.
    pub(crate) fn install_read_keys(&mut self, protection: RecordProtection) {
        self.read[1].protection = Some(Box::new(protection));
    }

    /// Switches reading to epoch 1 (RFC 5246 7.1: on ChangeCipherSpec).
    pub(crate) fn activate_read_epoch1(&mut self) {
        self.read_epoch = 1;
    }

    /// The epoch we read in.
    pub(crate) fn read_epoch(&self) -> u16 {
        self.read_epoch
    }

    /// Installs epoch-1 write keys and switches writing to epoch 1 (after we
    /// sent our ChangeCipherSpec).
    pub(crate) fn install_write_keys(&mut self, protection: RecordProtection) {
        self.write[1].protection = Some(Box::new(protection));
        self.write_epoch = 1;
    }

    /// The epoch we write in.
    pub(crate) fn write_epoch(&self) -> u16 {
        self.write_epoch
    }

    /// Bytes a record of `epoch` adds around its plaintext: header (with
    /// the CID and the inner content type, RFC 9146 4) plus protection
    /// overhead.
    pub(crate) fn record_overhead(&self, epoch: u16) -> usize {
        let cid = self.write_cid(epoch).len();
        RECORD_HEADER_LEN
            + if cid > 0 { cid + 1 } else { 0 }
            + self
                .write_protection(epoch)
                .map_or(0, RecordProtection::max_overhead)
    }

    /// The keys records of `epoch` are written with, if it has any.
    fn write_protection(&self, epoch: u16) -> Option<&RecordProtection> {
        self.write.get(usize::from(epoch))?.protection.as_deref()
    }

    /// Checks, authenticates and decrypts one record in place.
    ///
    /// `fragment` is the record body. The replay window is checked before
    /// decryption and only updated after the record authenticated
    /// (RFC 6347 4.1.2.6: "the receiver SHOULD ... only after" verifying).
    ///
    /// `cid` is the connection ID a `tls12_cid` record carried. With CIDs
    /// agreed and ours non-empty, protected records must carry ours; else
    /// no record may carry one (RFC 9146 4).
    pub(crate) fn open(
        &mut self,
        content_type: ContentType,
        version: u16,
        epoch: u16,
        sequence: u64,
        cid: &[u8],
        fragment: &mut [u8],
    ) -> OpenOutcome {
        let with_cid = content_type == ContentType::Tls12Cid;
        let expected_cid = match &self.cids {
            Some(c) if epoch >= 1 => c.ours.as_slice(),
            _ => &[],
        };
        // A CID record exactly when we expect one, carrying ours.
        if with_cid == expected_cid.is_empty() || (with_cid && cid != expected_cid) {
            return OpenOutcome::Dropped(DropReason::Malformed);
        }
        let Some(state) = self.read.get_mut(usize::from(epoch)) else {
            return OpenOutcome::Dropped(DropReason::WrongEpoch);
        };
        if epoch > self.read_epoch {
            // Epoch 1 before the peer's ChangeCipherSpec was processed.
            return OpenOutcome::Early;
        }
        // RFC 6347 4.1.2.6 replay detection, for protected epochs only: a
        // plaintext record authenticates nothing, so letting it move the
        // window would let one forged record (sequence 2^48 - 1) make every
        // genuine epoch-0 record look replayed. Plaintext duplicates are
        // harmless: the reassembler and the CCS flag ignore repeats.
        let protected = state.protection.is_some();
        if protected {
            match state.window.check(sequence) {
                ReplayCheck::New => {}
                ReplayCheck::Duplicate | ReplayCheck::TooOld | ReplayCheck::OutOfRange => {
                    return OpenOutcome::Dropped(DropReason::Replayed);
                }
            }
        }
        let plaintext = match &state.protection {
            None => 0..fragment.len(),
            Some(protection) => {
                let meta = RecordMeta {
                    content_type: u8::from(content_type),
                    version,
                    epoch,
                    sequence,
                    cid,
                };
                match protection.open_in_place(&meta, fragment) {
                    Ok(range) => range,
                    Err(_) => return OpenOutcome::Dropped(DropReason::BadMac),
                }
            }
        };
        // RFC 9146 4: DTLSInnerPlaintext = content ‖ real type ‖ zeros.
        let (content_type, plaintext) = match with_cid {
            false => (content_type, plaintext),
            true => {
                let inner = fragment.get(plaintext.clone()).unwrap_or(&[]);
                let Some(last) = inner.iter().rposition(|b| *b != 0) else {
                    return OpenOutcome::Dropped(DropReason::Malformed);
                };
                let real = ContentType::from(inner.get(last).copied().unwrap_or(0));
                (real, plaintext.start..plaintext.start + last)
            }
        };
        let newest_with_cid = with_cid
            && state
                .window
                .highest_committed()
                .is_none_or(|highest| sequence > highest);
        if plaintext.len() > MAX_PLAINTEXT {
            // RFC 5246 6.2.1 / 6.2.3: record_overflow. Treated as a drop: a
            // genuine peer never sends this.
            return OpenOutcome::Dropped(DropReason::Malformed);
        }
        if protected {
            state.window.commit(sequence);
        }
        OpenOutcome::Opened(OpenedRecord {
            content_type,
            epoch,
            plaintext,
            newest_with_cid,
        })
    }

    /// Writes one record of `epoch` into `out`: header, then the protected
    /// payload. The caller has already placed the plaintext at
    /// `out[payload_offset(epoch)..][..plaintext_len]`. Returns the record's
    /// total length, or `None` if the epoch has no keys or its sequence
    /// numbers are exhausted (RFC 6347 4.1: never wrap).
    pub(crate) fn seal(
        &mut self,
        content_type: ContentType,
        epoch: u16,
        out: &mut [u8],
        plaintext_len: usize,
    ) -> Option<usize> {
        let cid: &[u8] = match &self.cids {
            Some(c) if epoch >= 1 => &c.theirs,
            _ => &[],
        };
        let state = self.write.get_mut(usize::from(epoch))?;
        let protection = state.protection.as_deref();
        // A CID record needs keys: the protected epoch always has them.
        let cid = if protection.is_some() { cid } else { &[] };
        let header_len = RECORD_HEADER_LEN + cid.len();
        let (header, body) = out.split_at_mut_checked(header_len)?;
        let (outer_type, plaintext_len) = match cid.is_empty() {
            true => (content_type, plaintext_len),
            false => {
                // RFC 9146 4: the real type after the content, no padding.
                let prefix = protection.map_or(0, RecordProtection::prefix_len);
                *body.get_mut(prefix + plaintext_len)? = u8::from(content_type);
                (ContentType::Tls12Cid, plaintext_len + 1)
            }
        };
        let sequence = state.sequence.next()?;
        let body_len = match protection {
            None => plaintext_len,
            Some(protection) => {
                let meta = RecordMeta {
                    content_type: u8::from(outer_type),
                    version: u16::from(ProtocolVersion::Dtls1_2),
                    epoch,
                    sequence,
                    cid,
                };
                protection.seal_in_place(&meta, body, plaintext_len).ok()?
            }
        };
        if cid.is_empty() {
            encode_record_header(
                header,
                outer_type,
                ProtocolVersion::Dtls1_2,
                epoch,
                sequence,
                body_len,
            )
            .ok()?;
        } else {
            encode_cid_record_header(header, epoch, sequence, cid, body_len).ok()?;
        }
        Some(header_len + body_len)
    }

    /// Seals one record at `buf[at..]` whose plaintext `fill` writes in
    /// place (it gets the room left after the header and before the
    /// protection overhead, and returns how much it wrote). Returns the
    /// record's length, or `None` if it does not fit.
    pub(crate) fn write_record(
        &mut self,
        buf: &mut [u8],
        at: usize,
        epoch: u16,
        content_type: ContentType,
        fill: impl FnOnce(&mut [u8]) -> Option<usize>,
    ) -> Option<usize> {
        let dst = buf.get_mut(at..)?;
        let offset = self.payload_offset(epoch);
        let room = dst.len().checked_sub(self.record_overhead(epoch))?;
        let plaintext = dst.get_mut(offset..offset + room)?;
        let len = fill(plaintext)?;
        self.seal(content_type, epoch, dst, len)
    }

    /// Where the plaintext of a record of `epoch` starts in the buffer given
    /// to [`seal`](Self::seal).
    pub(crate) fn payload_offset(&self, epoch: u16) -> usize {
        RECORD_HEADER_LEN
            + self.write_cid(epoch).len()
            + self
                .write_protection(epoch)
                .map_or(0, RecordProtection::prefix_len)
    }

    /// How many records can still be sent in the current write epoch before
    /// the sequence number space runs out.
    pub(crate) fn write_sequence_exhausted(&self) -> bool {
        self.write
            .get(usize::from(self.write_epoch))
            .is_none_or(|w| w.sequence.is_exhausted())
    }
}
