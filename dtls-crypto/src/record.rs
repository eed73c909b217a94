//! Record protection: sealing and opening DTLS record payloads in place.
//!
//! [`RecordProtection`] turns a `DTLSPlaintext.fragment` into a
//! `DTLSCiphertext.fragment` and back (RFC 6347 4.1, RFC 5246 6.2.3) inside a
//! caller-owned buffer. All keyed state (AEAD keys, AES key schedules, HMAC
//! keys) is built once in [`RecordProtection::new`]; sealing and opening a
//! record never allocate.
//!
//! Fragment layouts (`|` separates what is on the wire):
//!
//! | bulk cipher | prefix | body | suffix |
//! |---|---|---|---|
//! | AES-GCM, AES-CCM(_8) | explicit nonce (8) = epoch ‖ seq | ciphertext | tag (16, or 8 for CCM_8) |
//! | ChaCha20-Poly1305 | — | ciphertext | tag (16) |
//! | AES-CBC + Encrypt-then-MAC | IV (16) | CBC(plaintext ‖ padding) | HMAC |

use core::ops::Range;

use aes::cipher::KeyInit;
use aes::cipher::array::Array;
use aes::cipher::consts::{U8, U12, U16};
use aes::{Aes128, Aes256};
use ccm::Ccm;
use ccm::aead::AeadInOut;
use ring::aead;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::suites::{BulkCipher, CipherSuite};

mod cbc;
use cbc::{CbcKeys, cbc_open, cbc_seal};
#[cfg(fuzzing)]
mod null;

/// The keys for one direction of a connection, as cut from the key block
/// (RFC 5246 6.3): `{client,server}_write_MAC_key`, `_key` and `_IV`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DirectionKeys {
    /// The MAC key (empty for AEAD suites).
    pub mac_key: Vec<u8>,
    /// The encryption key.
    pub enc_key: Vec<u8>,
    /// The fixed (implicit) IV / salt (empty for CBC suites).
    pub fixed_iv: Vec<u8>,
}

impl std::fmt::Debug for DirectionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectionKeys { .. }")
    }
}

/// What the record layer tells protection about the record (RFC 6347 4.1).
///
/// Every field is authenticated: it goes into the AEAD additional data or
/// the CBC suites' MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta<'a> {
    /// `ContentType` of the record (e.g. 22 handshake, 23 application data;
    /// 25, `tls12_cid`, for a record carrying a connection ID).
    pub content_type: u8,
    /// Protocol version on the wire (0xFEFD for DTLS 1.2).
    pub version: u16,
    /// The epoch (RFC 6347 4.1).
    pub epoch: u16,
    /// The 48-bit sequence number within the epoch (RFC 6347 4.1); values
    /// of 2^48 or more are refused.
    pub sequence: u64,
    /// The connection ID the record carries (RFC 9146 section 4); empty
    /// for the plain record format. At most 255 bytes.
    pub cid: &'a [u8],
}

/// The additional data of a record (or the header part of the CBC MAC
/// input), on the stack: 13 bytes, or 23 plus the connection ID.
pub(crate) struct AdditionalData {
    bytes: [u8; 23 + 255],
    len: usize,
}

impl AsRef<[u8]> for AdditionalData {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// RFC 9146 section 5: the 8 bytes that stand where `seq_num` stood, so a
/// record with a CID can never share additional data with one without.
const SEQ_NUM_PLACEHOLDER: [u8; 8] = [0xff; 8];

/// The `tls12_cid` content type (RFC 9146 section 4).
const TLS12_CID: u8 = 25;

/// The largest plaintext a record may carry: 2^14 bytes (RFC 6347 4.1 via
/// RFC 5246 6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// The largest 48-bit sequence number (RFC 6347 4.1).
const MAX_SEQUENCE: u64 = (1 << 48) - 1;

/// AES block size, which is also the CBC record IV length (RFC 5246 6.2.3.2).
const BLOCK: usize = 16;

impl RecordMeta<'_> {
    /// The 64-bit DTLS record sequence number: epoch(2) ‖ sequence(6)
    /// (RFC 6347 4.1: "the concatenation of the epoch and the
    /// sequence_number"). `None` if the sequence does not fit in 48 bits:
    /// truncating it would repeat a nonce.
    fn seq_num(&self) -> Option<[u8; 8]> {
        if self.sequence > MAX_SEQUENCE {
            return None;
        }
        Some((u64::from(self.epoch) << 48 | self.sequence).to_be_bytes())
    }

    /// The header part shared by the AEAD additional data (RFC 5246 6.2.3.3,
    /// with the DTLS sequence number of RFC 6347 4.1.2.1) and the CBC MAC
    /// input (RFC 7366 3): seq_num(8) ‖ type(1) ‖ version(2) ‖ length(2).
    /// With a connection ID (RFC 9146 sections 5.1 and 5.3):
    /// seq_num_placeholder(8) ‖ tls12_cid ‖ cid_length ‖ tls12_cid ‖
    /// version(2) ‖ epoch(2) ‖ sequence_number(6) ‖ cid ‖ length(2), where
    /// `length` is that of the DTLSInnerPlaintext (AEAD) or of IV ‖
    /// ciphertext (CBC), as without a CID.
    fn header(&self, seq_num: &[u8; 8], length: u16) -> AdditionalData {
        let mut out = AdditionalData {
            bytes: [0; 23 + 255],
            len: 0,
        };
        let cid = self.cid.get(..self.cid.len().min(255)).unwrap_or(&[]);
        let version = self.version.to_be_bytes();
        let length = length.to_be_bytes();
        let parts: [&[u8]; 6] = if cid.is_empty() {
            [seq_num, &[self.content_type], &version, &length, &[], &[]]
        } else {
            [
                &SEQ_NUM_PLACEHOLDER,
                &[TLS12_CID, cid.len() as u8, TLS12_CID],
                &version,
                seq_num,
                cid,
                &length,
            ]
        };
        for part in parts {
            let end = out.len + part.len();
            if let Some(dst) = out.bytes.get_mut(out.len..end) {
                dst.copy_from_slice(part);
                out.len = end;
            }
        }
        out
    }
}

/// AES-128-CCM with a 16-byte tag and a 12-byte nonce (RFC 6655 3, L = 3).
type Aes128Ccm = Ccm<Aes128, U16, U12>;
/// AES-128-CCM_8: an 8-byte tag and a 12-byte nonce (RFC 6655 3, RFC 7251).
type Aes128Ccm8 = Ccm<Aes128, U8, U12>;
/// AES-256-CCM (RFC 6655 3).
type Aes256Ccm = Ccm<Aes256, U16, U12>;
/// AES-256-CCM_8 (RFC 6655 3).
type Aes256Ccm8 = Ccm<Aes256, U8, U12>;

/// The keyed cipher state of one direction.
///
/// The variants differ in size (AES key schedules are large); that is fine
/// for a value made once per epoch and direction, and keeps every record free
/// of an extra indirection.
#[allow(clippy::large_enum_variant)]
/// The RustCrypto variants are boxed: their key schedules (two AES
/// schedules and an HMAC state for CBC) would make every value as large as
/// the largest, and a connection holds one per direction.
enum Keyed {
    /// AES-GCM (RFC 5288) or ChaCha20-Poly1305 (RFC 7905), both from ring.
    Ring(aead::LessSafeKey),
    /// AES-128-CCM (RFC 6655, RFC 7251).
    Ccm(Box<Aes128Ccm>),
    /// AES-128-CCM_8 (RFC 6655, RFC 7251).
    Ccm8(Box<Aes128Ccm8>),
    /// AES-256-CCM (RFC 6655).
    Ccm256(Box<Aes256Ccm>),
    /// AES-256-CCM_8 (RFC 6655).
    Ccm8256(Box<Aes256Ccm8>),
    /// AES-128-CBC with Encrypt-then-MAC (RFC 7366).
    Cbc128(Box<CbcKeys<Aes128>>),
    /// AES-256-CBC with Encrypt-then-MAC (RFC 7366).
    Cbc256(Box<CbcKeys<Aes256>>),
}

/// Record protection for one direction of one epoch: seals outgoing or
/// opens incoming record fragments in place.
///
/// Built once per epoch and direction from the key block; cheap to use for
/// every record afterwards (no allocation per record).
pub struct RecordProtection {
    suite: CipherSuite,
    keyed: Keyed,
    /// The implicit nonce part: the 4-byte salt of GCM/CCM (RFC 5288 3,
    /// RFC 6655 3) in the first 4 bytes, or the 12-byte ChaCha20-Poly1305 IV
    /// (RFC 7905 2); unused for CBC.
    fixed_iv: Zeroizing<[u8; 12]>,
}

impl std::fmt::Debug for RecordProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordProtection")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl RecordProtection {
    /// Keys record protection for `suite` with one direction's keys.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if a key or the fixed IV does not have the
    /// length `suite.key_block_layout()` gives (RFC 5246 6.3).
    pub fn new(suite: CipherSuite, keys: &DirectionKeys) -> Result<Self, Error> {
        let layout = suite.key_block_layout();
        if keys.mac_key.len() != layout.mac_key_len {
            return Err(Error::InvalidInput(
                "MAC key length does not match the cipher suite",
            ));
        }
        if keys.enc_key.len() != layout.enc_key_len {
            return Err(Error::InvalidInput(
                "encryption key length does not match the cipher suite",
            ));
        }
        if keys.fixed_iv.len() != layout.fixed_iv_len {
            return Err(Error::InvalidInput(
                "fixed IV length does not match the cipher suite",
            ));
        }
        let bad_key = |_| Error::InvalidInput("the cipher rejected the key");
        let ring_key = |alg: &'static aead::Algorithm| {
            aead::UnboundKey::new(alg, &keys.enc_key)
                .map(|k| Keyed::Ring(aead::LessSafeKey::new(k)))
                .map_err(|_| Error::InvalidInput("the cipher rejected the key"))
        };
        let keyed = match suite.bulk() {
            BulkCipher::Aes128Gcm => ring_key(&aead::AES_128_GCM)?,
            BulkCipher::Aes256Gcm => ring_key(&aead::AES_256_GCM)?,
            BulkCipher::ChaCha20Poly1305 => ring_key(&aead::CHACHA20_POLY1305)?,
            BulkCipher::Aes128Ccm => Keyed::Ccm(Box::new(
                Aes128Ccm::new_from_slice(&keys.enc_key).map_err(bad_key)?,
            )),
            BulkCipher::Aes128Ccm8 => Keyed::Ccm8(Box::new(
                Aes128Ccm8::new_from_slice(&keys.enc_key).map_err(bad_key)?,
            )),
            BulkCipher::Aes256Ccm => Keyed::Ccm256(Box::new(
                Aes256Ccm::new_from_slice(&keys.enc_key).map_err(bad_key)?,
            )),
            BulkCipher::Aes256Ccm8 => Keyed::Ccm8256(Box::new(
                Aes256Ccm8::new_from_slice(&keys.enc_key).map_err(bad_key)?,
            )),
            BulkCipher::Aes128Cbc => Keyed::Cbc128(Box::new(CbcKeys::new(suite, keys)?)),
            BulkCipher::Aes256Cbc => Keyed::Cbc256(Box::new(CbcKeys::new(suite, keys)?)),
        };
        let mut fixed_iv = Zeroizing::new([0u8; 12]);
        fixed_iv[..keys.fixed_iv.len()].copy_from_slice(&keys.fixed_iv);
        Ok(RecordProtection {
            suite,
            keyed,
            fixed_iv,
        })
    }

    /// The cipher suite this protection was keyed for.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Bytes before the plaintext in a protected fragment: the explicit
    /// nonce (8, RFC 5288 3 / RFC 6655 3), nothing for ChaCha20-Poly1305
    /// (RFC 7905 2), or the CBC IV (16, RFC 5246 6.2.3.2).
    pub fn prefix_len(&self) -> usize {
        self.suite.bulk().record_iv_len()
    }

    /// Largest number of bytes protection adds after the plaintext: the AEAD
    /// tag, or for CBC the largest padding we write (a full block, RFC 5246
    /// 6.2.3.2) plus the MAC (RFC 7366 3).
    pub fn max_suffix_len(&self) -> usize {
        match self.keyed {
            Keyed::Cbc128(..) | Keyed::Cbc256(..) => BLOCK + self.suite.mac().len(),
            _ => self.suite.bulk().tag_len(),
        }
    }

    /// Largest total expansion of a record: `prefix_len() + max_suffix_len()`.
    pub fn max_overhead(&self) -> usize {
        self.prefix_len() + self.max_suffix_len()
    }

    /// Seals one record in place.
    ///
    /// On entry `fragment[prefix_len()..prefix_len() + plaintext_len]` holds
    /// the plaintext. Writes the explicit nonce or IV into the prefix,
    /// encrypts in place and appends the tag (AEAD) or padding and MAC (CBC).
    /// Returns the length of the protected fragment, which starts at
    /// `fragment[0]`. `fragment` must be at least
    /// `prefix_len() + plaintext_len + max_suffix_len()` long (for CBC the
    /// exact need is smaller unless the padding is a full block).
    ///
    /// # Errors
    /// - [`Error::BufferTooSmall`] if `fragment` cannot hold the result.
    /// - [`Error::InvalidInput`] if `plaintext_len` exceeds
    ///   [`MAX_PLAINTEXT_LEN`] or `meta.sequence` exceeds 48 bits.
    #[cfg_attr(fuzzing, allow(unreachable_code))]
    pub fn seal_in_place(
        &self,
        meta: &RecordMeta,
        fragment: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize, Error> {
        // RFC 9146 4: a CID record's inner plaintext is the content (up to
        // 2^14 bytes) plus its real content type.
        let max = MAX_PLAINTEXT_LEN + usize::from(!meta.cid.is_empty());
        if plaintext_len > max {
            return Err(Error::InvalidInput(
                "record plaintext is longer than 2^14 bytes (RFC 6347 4.1, RFC 5246 6.2.1)",
            ));
        }
        let seq_num = meta.seq_num().ok_or(Error::InvalidInput(
            "record sequence number does not fit in 48 bits (RFC 6347 4.1)",
        ))?;
        let prefix = self.prefix_len();
        let suffix = match self.keyed {
            // padding_length + 1 bytes of padding bring the content to a
            // whole number of blocks (RFC 5246 6.2.3.2); we use the fewest.
            Keyed::Cbc128(..) | Keyed::Cbc256(..) => {
                (BLOCK - plaintext_len % BLOCK) + self.suite.mac().len()
            }
            _ => self.suite.bulk().tag_len(),
        };
        let total = prefix + plaintext_len + suffix;
        if fragment.len() < total {
            return Err(Error::BufferTooSmall {
                needed: total,
                available: fragment.len(),
            });
        }
        let fragment = &mut fragment[..total];
        #[cfg(fuzzing)]
        {
            match self.keyed {
                Keyed::Cbc128(..) | Keyed::Cbc256(..) => {
                    let mac = self.suite.mac().len();
                    null::seal_cbc(fragment, &seq_num, prefix, plaintext_len, mac);
                }
                _ => null::seal(fragment, &seq_num, prefix, plaintext_len),
            }
            return Ok(total);
        }
        let aead_length = u16::try_from(plaintext_len)
            .map_err(|_| Error::InvalidInput("record plaintext is too long"))?;
        // The AEAD additional data (the CBC MAC builds its own header).
        let aad = meta.header(&seq_num, aead_length);

        match &self.keyed {
            Keyed::Ring(key) => {
                let nonce = self.aead_nonce(&seq_num);
                if prefix > 0 {
                    // RFC 5288 3: the explicit nonce is sent before the
                    // ciphertext; epoch ‖ seq never repeats under one key.
                    fragment[..prefix].copy_from_slice(&seq_num);
                }
                let (body, tag_out) = fragment[prefix..].split_at_mut(plaintext_len);
                let tag = key
                    .seal_in_place_separate_tag(
                        aead::Nonce::assume_unique_for_key(nonce),
                        aead::Aad::from(aad),
                        body,
                    )
                    .map_err(seal_failed)?;
                tag_out.copy_from_slice(tag.as_ref());
            }
            Keyed::Ccm(ccm) => ccm_seal(ccm, self, &seq_num, &aad, fragment, plaintext_len)?,
            Keyed::Ccm8(ccm) => ccm_seal(ccm, self, &seq_num, &aad, fragment, plaintext_len)?,
            Keyed::Ccm256(ccm) => ccm_seal(ccm, self, &seq_num, &aad, fragment, plaintext_len)?,
            Keyed::Ccm8256(ccm) => ccm_seal(ccm, self, &seq_num, &aad, fragment, plaintext_len)?,
            Keyed::Cbc128(cbc) => cbc_seal(cbc, meta, &seq_num, fragment, plaintext_len)?,
            Keyed::Cbc256(cbc) => cbc_seal(cbc, meta, &seq_num, fragment, plaintext_len)?,
        }
        Ok(total)
    }

    /// Opens one record in place.
    ///
    /// `fragment` is the record body as received. Authenticates and decrypts
    /// it in place and returns where the plaintext is inside `fragment`.
    ///
    /// # Errors
    /// [`Error::BadRecordMac`], with no detail, for every failure: too short
    /// or misaligned input, bad tag, bad MAC, bad padding (RFC 5246 6.2.3.2,
    /// RFC 6347 4.1.2.1: such records are silently discarded).
    #[cfg_attr(fuzzing, allow(unreachable_code, unused_variables))]
    pub fn open_in_place(
        &self,
        meta: &RecordMeta,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, Error> {
        let seq_num = meta.seq_num().ok_or(Error::BadRecordMac)?;
        #[cfg(fuzzing)]
        {
            let suffix = match self.keyed {
                Keyed::Cbc128(..) | Keyed::Cbc256(..) => {
                    null::Suffix::PaddingThenMac(self.suite.mac().len())
                }
                _ => null::Suffix::Tag(self.suite.bulk().tag_len()),
            };
            return null::open(fragment, self.prefix_len(), suffix);
        }
        match &self.keyed {
            Keyed::Ring(key) => {
                let prefix = self.prefix_len();
                let plaintext_len = aead_plaintext_len(fragment.len(), prefix, 16)?;
                let nonce = if prefix > 0 {
                    self.salted_nonce(&fragment[..prefix])
                } else {
                    self.aead_nonce(&seq_num)
                };
                let aad = meta.header(&seq_num, plaintext_len);
                key.open_in_place(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad),
                    &mut fragment[prefix..],
                )
                .map_err(|_| Error::BadRecordMac)?;
                Ok(prefix..prefix + usize::from(plaintext_len))
            }
            Keyed::Ccm(ccm) => ccm_open(ccm, self, meta, &seq_num, fragment),
            Keyed::Ccm8(ccm) => ccm_open(ccm, self, meta, &seq_num, fragment),
            Keyed::Ccm256(ccm) => ccm_open(ccm, self, meta, &seq_num, fragment),
            Keyed::Ccm8256(ccm) => ccm_open(ccm, self, meta, &seq_num, fragment),
            Keyed::Cbc128(cbc) => cbc_open(cbc, meta, &seq_num, fragment),
            Keyed::Cbc256(cbc) => cbc_open(cbc, meta, &seq_num, fragment),
        }
    }

    /// The 12-byte nonce for the record with this sequence number.
    ///
    /// - GCM (RFC 5288 3) and CCM (RFC 6655 3): salt(4) ‖ explicit(8), and
    ///   we choose explicit = epoch ‖ seq.
    /// - ChaCha20-Poly1305 (RFC 7905 2): fixed_iv(12) XOR (0^4 ‖ epoch ‖ seq).
    fn aead_nonce(&self, seq_num: &[u8; 8]) -> [u8; 12] {
        if self.prefix_len() == 0 {
            let mut nonce = *self.fixed_iv;
            for (n, s) in nonce[4..].iter_mut().zip(seq_num) {
                *n ^= s;
            }
            nonce
        } else {
            self.salted_nonce(seq_num)
        }
    }

    /// salt(4) ‖ explicit(8) (RFC 5288 3, RFC 6655 3). `explicit` is 8 bytes.
    fn salted_nonce(&self, explicit: &[u8]) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&self.fixed_iv[..4]);
        nonce[4..].copy_from_slice(explicit);
        nonce
    }
}

/// The error for an AEAD library refusing to seal (only possible for inputs
/// far longer than a record).
fn seal_failed<E>(_: E) -> Error {
    Error::InvalidInput("AEAD sealing failed")
}

/// Plaintext length of an AEAD fragment of `len` bytes, or `BadRecordMac` if
/// it cannot even hold the prefix and tag (or is too long for the 2-byte
/// length of the additional data).
fn aead_plaintext_len(len: usize, prefix: usize, tag: usize) -> Result<u16, Error> {
    len.checked_sub(prefix + tag)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or(Error::BadRecordMac)
}

/// Seals an AES-CCM(_8) fragment: explicit nonce(8) = epoch ‖ seq,
/// ciphertext, tag (RFC 6655 3). `fragment` is exactly as long as the
/// sealed record.
fn ccm_seal<C, M>(
    ccm: &Ccm<C, M, U12>,
    protection: &RecordProtection,
    seq_num: &[u8; 8],
    aad: &AdditionalData,
    fragment: &mut [u8],
    plaintext_len: usize,
) -> Result<(), Error>
where
    C: aes::cipher::BlockSizeUser<BlockSize = U16> + aes::cipher::BlockCipherEncrypt,
    M: ccm::aead::array::ArraySize + ccm::TagSize,
{
    let prefix = protection.prefix_len();
    fragment[..prefix].copy_from_slice(seq_num);
    let nonce = Array::from(protection.aead_nonce(seq_num));
    let (body, tag_out) = fragment[prefix..].split_at_mut(plaintext_len);
    let tag = ccm
        .encrypt_inout_detached(&nonce, aad.as_ref(), body.into())
        .map_err(seal_failed)?;
    tag_out.copy_from_slice(&tag);
    Ok(())
}

/// Opens an AES-CCM(_8) fragment: explicit nonce(8) ‖ ciphertext ‖ tag
/// (RFC 6655 3).
fn ccm_open<C, M>(
    ccm: &Ccm<C, M, U12>,
    protection: &RecordProtection,
    meta: &RecordMeta,
    seq_num: &[u8; 8],
    fragment: &mut [u8],
) -> Result<Range<usize>, Error>
where
    C: aes::cipher::BlockSizeUser<BlockSize = U16> + aes::cipher::BlockCipherEncrypt,
    M: ccm::aead::array::ArraySize + ccm::TagSize,
{
    let prefix = protection.prefix_len();
    let tag_len = M::USIZE;
    let plaintext_len = aead_plaintext_len(fragment.len(), prefix, tag_len)?;
    let nonce = Array::from(protection.salted_nonce(&fragment[..prefix]));
    let aad = meta.header(seq_num, plaintext_len);
    let end = prefix + usize::from(plaintext_len);
    let (body, tag) = fragment[prefix..].split_at_mut(usize::from(plaintext_len));
    let tag = Array::try_from(&*tag).map_err(|_| Error::BadRecordMac)?;
    ccm.decrypt_inout_detached(&nonce, aad.as_ref(), body.into(), &tag)
        .map_err(|_| Error::BadRecordMac)?;
    Ok(prefix..end)
}
