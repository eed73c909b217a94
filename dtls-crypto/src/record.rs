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
use core::sync::atomic::{AtomicU64, Ordering};

use aes::cipher::array::Array;
use aes::cipher::consts::{U8, U12, U16};
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    InnerIvInit, KeyInit,
};
use aes::{Aes128, Aes256};
use ccm::Ccm;
use ccm::aead::AeadInOut;
use ring::{aead, hmac};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::prf::prf;
use crate::suites::{BulkCipher, CipherSuite, MacAlgorithm, PrfHash};

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
pub struct RecordMeta {
    /// `ContentType` of the record (e.g. 22 handshake, 23 application data).
    pub content_type: u8,
    /// Protocol version on the wire (0xFEFD for DTLS 1.2).
    pub version: u16,
    /// The epoch (RFC 6347 4.1).
    pub epoch: u16,
    /// The 48-bit sequence number within the epoch (RFC 6347 4.1); values
    /// of 2^48 or more are refused.
    pub sequence: u64,
}

/// The largest plaintext a record may carry: 2^14 bytes (RFC 6347 4.1 via
/// RFC 5246 6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// The largest 48-bit sequence number (RFC 6347 4.1).
const MAX_SEQUENCE: u64 = (1 << 48) - 1;

/// AES block size, which is also the CBC record IV length (RFC 5246 6.2.3.2).
const BLOCK: usize = 16;

impl RecordMeta {
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
    fn header(&self, seq_num: &[u8; 8], length: u16) -> [u8; 13] {
        let mut h = [0u8; 13];
        h[..8].copy_from_slice(seq_num);
        h[8] = self.content_type;
        h[9..11].copy_from_slice(&self.version.to_be_bytes());
        h[11..].copy_from_slice(&length.to_be_bytes());
        h
    }
}

/// AES-128-CCM with a 16-byte tag and a 12-byte nonce (RFC 6655 3, L = 3).
type Aes128Ccm = Ccm<Aes128, U16, U12>;
/// AES-128-CCM_8: an 8-byte tag and a 12-byte nonce (RFC 6655 3, RFC 7251).
type Aes128Ccm8 = Ccm<Aes128, U8, U12>;

/// The keyed cipher state of one direction.
///
/// The variants differ in size (AES key schedules are large); that is fine
/// for a value made once per epoch and direction, and keeps every record free
/// of an extra indirection.
#[allow(clippy::large_enum_variant)]
enum Keyed {
    /// AES-GCM (RFC 5288) or ChaCha20-Poly1305 (RFC 7905), both from ring.
    Ring(aead::LessSafeKey),
    /// AES-128-CCM (RFC 6655, RFC 7251).
    Ccm(Aes128Ccm),
    /// AES-128-CCM_8 (RFC 6655, RFC 7251).
    Ccm8(Aes128Ccm8),
    /// AES-128-CBC with Encrypt-then-MAC (RFC 7366).
    Cbc128(CbcKeys<Aes128>),
    /// AES-256-CBC with Encrypt-then-MAC (RFC 7366).
    Cbc256(CbcKeys<Aes256>),
}

/// The keyed state of one AES-CBC + Encrypt-then-MAC direction.
///
/// RFC 5246 6.2.3.2 requires each record's IV to be unpredictable (an IV
/// known before the plaintext is chosen enables the BEAST attack on
/// TLS 1.0). Drawing 16 bytes from the operating system for every record
/// costs a system call per record, so we use the construction of NIST SP
/// 800-38A appendix C instead: the IV is the block cipher applied to a
/// value that never repeats under the key, here `epoch ‖ seq ‖ n` with `n`
/// counting the records this value sealed. Unlike that appendix we use a
/// second key, `iv_cipher`, that encrypts nothing else, so no record's
/// ciphertext can reveal a future IV. That key is derived from the
/// direction's secret keys (which come from the provider-seeded handshake)
/// with the TLS PRF (RFC 5246 5) under a label of our own: it is as
/// unpredictable as the record keys themselves, the peer does not need it
/// (the IV is sent explicitly), and a handshake made with a deterministic
/// provider stays reproducible.
struct CbcKeys<C> {
    cipher: C,
    iv_cipher: C,
    mac: hmac::Key,
    sealed: AtomicU64,
}

/// The PRF label that derives [`CbcKeys::iv_cipher`]'s key.
const CBC_IV_KEY_LABEL: &[u8] = b"dtls-crypto CBC record IV key";

impl<C: KeyInit> CbcKeys<C> {
    fn new(suite: CipherSuite, keys: &DirectionKeys) -> Result<Self, Error> {
        let bad_key = |_| Error::InvalidInput("the cipher rejected the key");
        let mut iv_key = Zeroizing::new(vec![0u8; keys.enc_key.len()]);
        let secret = Zeroizing::new([keys.enc_key.as_slice(), &keys.mac_key].concat());
        prf(PrfHash::Sha256, &secret, CBC_IV_KEY_LABEL, &[], &mut iv_key);
        Ok(CbcKeys {
            cipher: C::new_from_slice(&keys.enc_key).map_err(bad_key)?,
            iv_cipher: C::new_from_slice(&iv_key).map_err(bad_key)?,
            mac: mac_key(suite.mac(), &keys.mac_key)?,
            sealed: AtomicU64::new(0),
        })
    }
}

impl<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>> CbcKeys<C> {
    /// The next record's IV: `E_iv(seq_num ‖ n)` (see [`CbcKeys`]).
    fn next_iv(&self, seq_num: &[u8; 8]) -> [u8; BLOCK] {
        let n = self.sealed.fetch_add(1, Ordering::Relaxed);
        let mut block = Array::<u8, U16>::default();
        block[..8].copy_from_slice(seq_num);
        block[8..].copy_from_slice(&n.to_be_bytes());
        self.iv_cipher.encrypt_block(&mut block);
        block.into()
    }
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
            BulkCipher::Aes128Ccm => {
                Keyed::Ccm(Aes128Ccm::new_from_slice(&keys.enc_key).map_err(bad_key)?)
            }
            BulkCipher::Aes128Ccm8 => {
                Keyed::Ccm8(Aes128Ccm8::new_from_slice(&keys.enc_key).map_err(bad_key)?)
            }
            BulkCipher::Aes128Cbc => Keyed::Cbc128(CbcKeys::new(suite, keys)?),
            BulkCipher::Aes256Cbc => Keyed::Cbc256(CbcKeys::new(suite, keys)?),
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
    pub fn seal_in_place(
        &self,
        meta: &RecordMeta,
        fragment: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize, Error> {
        if plaintext_len > MAX_PLAINTEXT_LEN {
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
    pub fn open_in_place(
        &self,
        meta: &RecordMeta,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, Error> {
        let seq_num = meta.seq_num().ok_or(Error::BadRecordMac)?;
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

/// The HMAC key of a CBC suite (RFC 5246 6.2.3.1).
fn mac_key(mac: MacAlgorithm, key: &[u8]) -> Result<hmac::Key, Error> {
    let alg = match mac {
        MacAlgorithm::HmacSha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        MacAlgorithm::HmacSha256 => hmac::HMAC_SHA256,
        MacAlgorithm::HmacSha384 => hmac::HMAC_SHA384,
        MacAlgorithm::None => return Err(Error::InvalidInput("CBC suite without a MAC")),
    };
    Ok(hmac::Key::new(alg, key))
}

/// Seals an AES-CCM(_8) fragment: explicit nonce(8) = epoch ‖ seq,
/// ciphertext, tag (RFC 6655 3). `fragment` is exactly as long as the
/// sealed record.
fn ccm_seal<M>(
    ccm: &Ccm<Aes128, M, U12>,
    protection: &RecordProtection,
    seq_num: &[u8; 8],
    aad: &[u8; 13],
    fragment: &mut [u8],
    plaintext_len: usize,
) -> Result<(), Error>
where
    M: ccm::aead::array::ArraySize + ccm::TagSize,
{
    let prefix = protection.prefix_len();
    fragment[..prefix].copy_from_slice(seq_num);
    let nonce = Array::from(protection.aead_nonce(seq_num));
    let (body, tag_out) = fragment[prefix..].split_at_mut(plaintext_len);
    let tag = ccm
        .encrypt_inout_detached(&nonce, aad, body.into())
        .map_err(seal_failed)?;
    tag_out.copy_from_slice(&tag);
    Ok(())
}

/// Opens an AES-CCM(_8) fragment: explicit nonce(8) ‖ ciphertext ‖ tag
/// (RFC 6655 3).
fn ccm_open<M>(
    ccm: &Ccm<Aes128, M, U12>,
    protection: &RecordProtection,
    meta: &RecordMeta,
    seq_num: &[u8; 8],
    fragment: &mut [u8],
) -> Result<Range<usize>, Error>
where
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
    ccm.decrypt_inout_detached(&nonce, &aad, body.into(), &tag)
        .map_err(|_| Error::BadRecordMac)?;
    Ok(prefix..end)
}

/// Seals an AES-CBC + Encrypt-then-MAC fragment (RFC 7366 3):
/// IV(16) ‖ CBC(plaintext ‖ padding) ‖ MAC, where the padding is
/// `padding_length + 1` bytes all equal to `padding_length` (RFC 5246
/// 6.2.3.2) and the MAC covers seq_num ‖ type ‖ version ‖ length ‖ IV ‖
/// ciphertext, `length` being that of IV ‖ ciphertext.
///
/// `fragment` is exactly as long as the sealed record.
fn cbc_seal<C>(
    cbc: &CbcKeys<C>,
    meta: &RecordMeta,
    seq_num: &[u8; 8],
    fragment: &mut [u8],
    plaintext_len: usize,
) -> Result<(), Error>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + Clone,
{
    let padding_length = BLOCK - 1 - plaintext_len % BLOCK;
    let body_end = BLOCK + plaintext_len + padding_length + 1;
    let (body, mac_out) = fragment.split_at_mut(body_end);
    // A fresh unpredictable IV per record (RFC 5246 6.2.3.2; see CbcKeys).
    let iv = cbc.next_iv(seq_num);
    body[..BLOCK].copy_from_slice(&iv);
    let padding_byte =
        u8::try_from(padding_length).map_err(|_| Error::InvalidInput("CBC padding"))?;
    body[BLOCK + plaintext_len..].fill(padding_byte);

    let (blocks, rest) = Array::<u8, U16>::slice_as_chunks_mut(&mut body[BLOCK..]);
    debug_assert!(rest.is_empty());
    cbc::Encryptor::<C>::inner_iv_init(cbc.cipher.clone(), &Array::from(iv)).encrypt_blocks(blocks);

    let length = u16::try_from(body_end).map_err(|_| Error::InvalidInput("record too long"))?;
    let tag = cbc_mac(&cbc.mac, meta, seq_num, length, body);
    mac_out.copy_from_slice(tag.as_ref());
    Ok(())
}

/// The Encrypt-then-MAC tag (RFC 7366 3) over `iv_and_ciphertext`.
fn cbc_mac(
    mac: &hmac::Key,
    meta: &RecordMeta,
    seq_num: &[u8; 8],
    length: u16,
    iv_and_ciphertext: &[u8],
) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(mac);
    ctx.update(&meta.header(seq_num, length));
    ctx.update(iv_and_ciphertext);
    ctx.sign()
}

/// Opens an AES-CBC + Encrypt-then-MAC fragment (RFC 7366 3): checks the
/// length, verifies the MAC in constant time before decrypting anything,
/// then decrypts and checks the padding (RFC 5246 6.2.3.2).
fn cbc_open<C>(
    cbc: &CbcKeys<C>,
    meta: &RecordMeta,
    seq_num: &[u8; 8],
    fragment: &mut [u8],
) -> Result<Range<usize>, Error>
where
    C: BlockCipherDecrypt + BlockSizeUser<BlockSize = U16> + Clone,
{
    let mac_len = cbc.mac.algorithm().digest_algorithm().output_len();
    // At least IV + one block + MAC, and whole blocks between IV and MAC.
    if fragment.len() < BLOCK + BLOCK + mac_len || !(fragment.len() - mac_len).is_multiple_of(BLOCK)
    {
        return Err(Error::BadRecordMac);
    }
    let body_end = fragment.len() - mac_len;
    let length = u16::try_from(body_end).map_err(|_| Error::BadRecordMac)?;
    let (body, received) = fragment.split_at_mut(body_end);
    let expected = cbc_mac(&cbc.mac, meta, seq_num, length, body);
    if !bool::from(expected.as_ref().ct_eq(received)) {
        return Err(Error::BadRecordMac);
    }

    let (iv, content) = body.split_at_mut(BLOCK);
    let iv: [u8; BLOCK] = (&*iv).try_into().map_err(|_| Error::BadRecordMac)?;
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(content);
    cbc::Decryptor::<C>::inner_iv_init(cbc.cipher.clone(), &Array::from(iv)).decrypt_blocks(blocks);

    // The MAC already authenticated the ciphertext, so the padding check
    // cannot serve as an oracle (RFC 7366 1); still, reject malformed padding.
    let padding_length = usize::from(content[content.len() - 1]);
    let Some(plaintext_len) = content.len().checked_sub(padding_length + 1) else {
        return Err(Error::BadRecordMac);
    };
    let padding = &content[plaintext_len..];
    let mut bad = 0u8;
    for &b in padding {
        bad |= b ^ content[content.len() - 1];
    }
    if bad != 0 {
        return Err(Error::BadRecordMac);
    }
    Ok(BLOCK..BLOCK + plaintext_len)
}
