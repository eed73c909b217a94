//! Pre-shared keys (RFC 4279, RFC 5489): the key value and the premaster
//! secret built from it.
//!
//! A PSK handshake proves possession of the key through the Finished
//! messages, whose keys derive from
//!
//! ```text
//! struct {
//!     opaque other_secret<0..2^16-1>;   // N zero bytes (PSK), or the ECDH secret (ECDHE_PSK)
//!     opaque psk<0..2^16-1>;
//! } premaster_secret;                   // RFC 4279 section 2, RFC 5489 section 2
//! ```

use zeroize::Zeroizing;

use crate::Error;

/// The longest key accepted. RFC 4279 5.3 asks for at least 64 bytes;
/// anything longer than a few hundred bytes is a configuration mistake.
pub const MAX_PSK_LEN: usize = 1024;

/// A pre-shared key: 1 to [`MAX_PSK_LEN`] bytes, wiped on drop and never
/// printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PresharedKey(Zeroizing<Vec<u8>>);

impl PresharedKey {
    /// A key from its bytes.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `bytes` is empty or longer than
    /// [`MAX_PSK_LEN`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        let key = Zeroizing::new(bytes);
        if key.is_empty() {
            return Err(Error::InvalidInput("a pre-shared key must not be empty"));
        }
        if key.len() > MAX_PSK_LEN {
            return Err(Error::InvalidInput(
                "a pre-shared key must be at most 1024 bytes",
            ));
        }
        Ok(PresharedKey(key))
    }

    /// A key from hexadecimal text (the form OpenSSL's `-psk`, GnuTLS's
    /// `--pskkey` and mbedTLS's `psk=` take), with or without a `0x`
    /// prefix.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the text is not an even number of hex
    /// digits, or the key is empty or too long.
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        let bytes = hex::decode(digits)
            .map_err(|_| Error::InvalidInput("a pre-shared key must be hexadecimal"))?;
        PresharedKey::new(bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a key has at least one byte.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for PresharedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PresharedKey({} bytes)", self.0.len())
    }
}

/// The premaster secret of a PSK key exchange: `other_secret` is the ECDH
/// shared secret for ECDHE_PSK (RFC 5489 section 2) and `None` for plain
/// PSK, where it is as many zero bytes as the key (RFC 4279 section 2).
pub fn premaster_secret(other_secret: Option<&[u8]>, psk: &PresharedKey) -> Zeroizing<Vec<u8>> {
    let zeros;
    let other = match other_secret {
        Some(secret) => secret,
        None => {
            zeros = vec![0u8; psk.len()];
            &zeros
        }
    };
    let mut out = Zeroizing::new(Vec::with_capacity(4 + other.len() + psk.len()));
    // Both lengths fit: an ECDH secret is at most 66 bytes, a key at most
    // MAX_PSK_LEN.
    out.extend_from_slice(&(other.len() as u16).to_be_bytes());
    out.extend_from_slice(other);
    out.extend_from_slice(&(psk.len() as u16).to_be_bytes());
    out.extend_from_slice(psk.as_bytes());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_psk_premaster_is_zeros_then_key() {
        let psk = PresharedKey::new(vec![0xaa, 0xbb, 0xcc]).unwrap();
        let pms = premaster_secret(None, &psk);
        assert_eq!(hex::encode(&*pms), "0003000000".to_owned() + "0003aabbcc");
    }

    #[test]
    fn ecdhe_psk_premaster_carries_the_ecdh_secret() {
        let psk = PresharedKey::new(vec![1; 16]).unwrap();
        let pms = premaster_secret(Some(&[7; 32]), &psk);
        assert_eq!(pms.len(), 2 + 32 + 2 + 16);
        assert_eq!(&pms[..2], &[0, 32]);
        assert_eq!(&pms[2..34], &[7; 32]);
        assert_eq!(&pms[34..36], &[0, 16]);
        assert_eq!(&pms[36..], &[1; 16]);
    }

    #[test]
    fn keys_are_checked_and_hidden() {
        assert!(PresharedKey::new(Vec::new()).is_err());
        assert!(PresharedKey::new(vec![0; MAX_PSK_LEN + 1]).is_err());
        assert!(PresharedKey::from_hex("abc").is_err());
        assert!(PresharedKey::from_hex("zz").is_err());
        let k = PresharedKey::from_hex("0x1a2B").unwrap();
        assert_eq!(k.as_bytes(), &[0x1a, 0x2b]);
        assert_eq!(format!("{k:?}"), "PresharedKey(2 bytes)");
    }
}
