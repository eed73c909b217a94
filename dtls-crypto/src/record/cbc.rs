//! AES-CBC with Encrypt-then-MAC (RFC 7366) for [`RecordProtection`](super::RecordProtection):
//! `IV(16) ‖ CBC(plaintext ‖ padding) ‖ HMAC`.

use core::ops::Range;
use core::sync::atomic::{AtomicU64, Ordering};

use aes::cipher::array::Array;
use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    InnerIvInit, KeyInit,
};
use ring::hmac;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{BLOCK, DirectionKeys, RecordMeta};
use crate::Error;
use crate::prf::prf;
use crate::suites::{CipherSuite, MacAlgorithm, PrfHash};

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
pub(super) struct CbcKeys<C> {
    cipher: C,
    iv_cipher: C,
    mac: hmac::Key,
    sealed: AtomicU64,
}

/// The PRF label that derives [`CbcKeys::iv_cipher`]'s key.
const CBC_IV_KEY_LABEL: &[u8] = b"dtls-crypto CBC record IV key";

impl<C: KeyInit> CbcKeys<C> {
    pub(super) fn new(suite: CipherSuite, keys: &DirectionKeys) -> Result<Self, Error> {
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

/// Seals an AES-CBC + Encrypt-then-MAC fragment (RFC 7366 3):
/// IV(16) ‖ CBC(plaintext ‖ padding) ‖ MAC, where the padding is
/// `padding_length + 1` bytes all equal to `padding_length` (RFC 5246
/// 6.2.3.2) and the MAC covers seq_num ‖ type ‖ version ‖ length ‖ IV ‖
/// ciphertext, `length` being that of IV ‖ ciphertext.
///
/// `fragment` is exactly as long as the sealed record.
pub(super) fn cbc_seal<C>(
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
    ctx.update(meta.header(seq_num, length).as_ref());
    ctx.update(iv_and_ciphertext);
    ctx.sign()
}

/// Opens an AES-CBC + Encrypt-then-MAC fragment (RFC 7366 3): checks the
/// length, verifies the MAC in constant time before decrypting anything,
/// then decrypts and checks the padding (RFC 5246 6.2.3.2).
pub(super) fn cbc_open<C>(
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
