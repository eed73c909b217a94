//! Cipher suites: the ones we implement, their parameters, and their names.
//!
//! Every suite here uses ephemeral ECDH key exchange (forward secrecy) with
//! ECDSA or RSA authentication, as RFC 9325 section 4.2 recommends. CBC suites
//! are only ever used with Encrypt-then-MAC (RFC 7366); the engine refuses to
//! negotiate them otherwise.

use crate::Error;

/// How the server authenticates its ECDHE parameters (RFC 8422 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthAlgorithm {
    /// ECDHE_ECDSA: the server certificate holds an ECDSA (or Ed25519) key.
    Ecdsa,
    /// ECDHE_RSA: the server certificate holds an RSA key.
    Rsa,
}

/// The bulk encryption algorithm of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// AES-128 in GCM mode (RFC 5288).
    Aes128Gcm,
    /// AES-256 in GCM mode (RFC 5288).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 7905).
    ChaCha20Poly1305,
    /// AES-128 in CCM mode with a 16-byte tag (RFC 7251).
    Aes128Ccm,
    /// AES-128 in CCM mode with an 8-byte tag (RFC 7251).
    Aes128Ccm8,
    /// AES-128 in CBC mode, with Encrypt-then-MAC (RFC 7366).
    Aes128Cbc,
    /// AES-256 in CBC mode, with Encrypt-then-MAC (RFC 7366).
    Aes256Cbc,
}

impl BulkCipher {
    /// Whether this is an AEAD cipher (no separate MAC).
    pub const fn is_aead(self) -> bool {
        !matches!(self, BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc)
    }

    /// Length of the encryption key in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            BulkCipher::Aes128Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8
            | BulkCipher::Aes128Cbc => 16,
            BulkCipher::Aes256Gcm | BulkCipher::ChaCha20Poly1305 | BulkCipher::Aes256Cbc => 32,
        }
    }

    /// Length of the implicit (fixed) IV taken from the key block
    /// (RFC 5246 6.3 `fixed_iv_length`; RFC 5288 3 salt; RFC 7905 2 nonce).
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            BulkCipher::Aes128Gcm
            | BulkCipher::Aes256Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 4,
            BulkCipher::ChaCha20Poly1305 => 12,
            BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc => 0,
        }
    }

    /// Length of the explicit per-record nonce/IV sent on the wire
    /// (RFC 5288 3: 8; RFC 7905 2: 0; RFC 5246 6.2.3.2: block size 16).
    pub const fn record_iv_len(self) -> usize {
        match self {
            BulkCipher::Aes128Gcm
            | BulkCipher::Aes256Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 8,
            BulkCipher::ChaCha20Poly1305 => 0,
            BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc => 16,
        }
    }

    /// Length of the AEAD authentication tag (0 for CBC).
    pub const fn tag_len(self) -> usize {
        match self {
            BulkCipher::Aes128Ccm8 => 8,
            BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc => 0,
            _ => 16,
        }
    }

    /// Effective strength in bits (the seed's `SSLNegotiatedCipherStrength`).
    pub const fn strength_bits(self) -> u16 {
        (self.key_len() * 8) as u16
    }

    /// Human readable name of the bulk cipher (the seed's `SSLNegotiatedCipher`).
    pub const fn name(self) -> &'static str {
        match self {
            BulkCipher::Aes128Gcm => "AES-128-GCM",
            BulkCipher::Aes256Gcm => "AES-256-GCM",
            BulkCipher::ChaCha20Poly1305 => "CHACHA20-POLY1305",
            BulkCipher::Aes128Ccm => "AES-128-CCM",
            BulkCipher::Aes128Ccm8 => "AES-128-CCM-8",
            BulkCipher::Aes128Cbc => "AES-128-CBC",
            BulkCipher::Aes256Cbc => "AES-256-CBC",
        }
    }
}

/// The MAC of a CBC suite (RFC 5246 6.2.3.1), `None` for AEAD suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// No separate MAC (AEAD suite).
    None,
    /// HMAC-SHA1 (20-byte key and tag).
    HmacSha1,
    /// HMAC-SHA256 (32-byte key and tag).
    HmacSha256,
    /// HMAC-SHA384 (48-byte key and tag).
    HmacSha384,
}

impl MacAlgorithm {
    /// Length of the MAC key and of the MAC tag in bytes.
    pub const fn len(self) -> usize {
        match self {
            MacAlgorithm::None => 0,
            MacAlgorithm::HmacSha1 => 20,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
        }
    }

    /// Whether there is no MAC.
    pub const fn is_empty(self) -> bool {
        matches!(self, MacAlgorithm::None)
    }
}

/// The hash of the TLS 1.2 PRF and of the handshake transcript (RFC 5246 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfHash {
    /// P_SHA256.
    Sha256,
    /// P_SHA384.
    Sha384,
}

impl PrfHash {
    /// Output length of the hash in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            PrfHash::Sha256 => 32,
            PrfHash::Sha384 => 48,
        }
    }
}

macro_rules! suites {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $name:literal, $auth:ident, $bulk:ident, $mac:ident, $prf:ident; )*) => {
        /// A cipher suite this project implements (IANA TLS Cipher Suites registry).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        #[non_exhaustive]
        pub enum CipherSuite {
            $( $(#[$doc])* $variant, )*
        }

        impl CipherSuite {
            /// Every implemented suite, in the server's default preference
            /// order (AEAD first, strongest first within a family).
            pub const ALL: &'static [CipherSuite] = &[ $( CipherSuite::$variant, )* ];

            /// The IANA two-byte identifier.
            pub const fn id(self) -> u16 {
                match self { $( CipherSuite::$variant => $id, )* }
            }

            /// The IANA name, e.g. `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
            pub const fn name(self) -> &'static str {
                match self { $( CipherSuite::$variant => $name, )* }
            }

            /// The suite with this IANA id, if we implement it.
            pub const fn from_id(id: u16) -> Option<CipherSuite> {
                match id { $( $id => Some(CipherSuite::$variant), )* _ => None }
            }

            /// How the server authenticates the key exchange.
            pub const fn auth(self) -> AuthAlgorithm {
                match self { $( CipherSuite::$variant => AuthAlgorithm::$auth, )* }
            }

            /// The bulk cipher.
            pub const fn bulk(self) -> BulkCipher {
                match self { $( CipherSuite::$variant => BulkCipher::$bulk, )* }
            }

            /// The record MAC (`None` for AEAD suites).
            pub const fn mac(self) -> MacAlgorithm {
                match self { $( CipherSuite::$variant => MacAlgorithm::$mac, )* }
            }

            /// The PRF / transcript hash.
            pub const fn prf_hash(self) -> PrfHash {
                match self { $( CipherSuite::$variant => PrfHash::$prf, )* }
            }
        }
    };
}

suites! {
    /// RFC 5289.
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Ecdsa, Aes128Gcm, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Ecdsa, Aes256Gcm, None, Sha384;
    /// RFC 7905.
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Ecdsa, ChaCha20Poly1305, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Rsa, Aes128Gcm, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Rsa, Aes256Gcm, None, Sha384;
    /// RFC 7905.
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Rsa, ChaCha20Poly1305, None, Sha256;
    /// RFC 7251 (CoAP's mandatory-to-implement suite, RFC 7252 9.1.3.2).
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", Ecdsa, Aes128Ccm, None, Sha256;
    /// RFC 7251.
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", Ecdsa, Aes128Ccm8, None, Sha256;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Ecdsa, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Ecdsa, Aes128Cbc, HmacSha256, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Ecdsa, Aes256Cbc, HmacSha1, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Ecdsa, Aes128Cbc, HmacSha1, Sha256;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Rsa, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Rsa, Aes128Cbc, HmacSha256, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Rsa, Aes256Cbc, HmacSha1, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Rsa, Aes128Cbc, HmacSha1, Sha256;
}

impl CipherSuite {
    /// Length of the MAC key, encryption key and fixed IV, as laid out in the
    /// key block (RFC 5246 6.3).
    pub const fn key_block_layout(self) -> KeyBlockLayout {
        KeyBlockLayout {
            mac_key_len: self.mac().len(),
            enc_key_len: self.bulk().key_len(),
            fixed_iv_len: self.bulk().fixed_iv_len(),
        }
    }

    /// Whether the suite needs Encrypt-then-MAC (RFC 7366) to be negotiated
    /// before we agree to use it.
    pub const fn requires_encrypt_then_mac(self) -> bool {
        !self.bulk().is_aead()
    }
}

impl std::fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Sizes of the pieces of the key block for one direction (RFC 5246 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBlockLayout {
    /// `mac_key_length` (0 for AEAD).
    pub mac_key_len: usize,
    /// `enc_key_length`.
    pub enc_key_len: usize,
    /// `fixed_iv_length`.
    pub fixed_iv_len: usize,
}

impl KeyBlockLayout {
    /// Total key block length for both directions.
    pub const fn total_len(self) -> usize {
        2 * (self.mac_key_len + self.enc_key_len + self.fixed_iv_len)
    }
}

/// Placeholder: name parsing and the list of refused suites are filled by the
/// suites work item.
#[doc(hidden)]
pub fn _unused(_: Error) {}
