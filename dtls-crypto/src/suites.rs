//! Cipher suites: the ones we implement, their parameters, and their names.
//!
//! The certificate suites use ephemeral ECDH key exchange (forward secrecy)
//! with ECDSA or RSA authentication, as RFC 9325 section 4.2 recommends. The
//! pre-shared-key suites of the constrained-device profile (RFC 7925) come in
//! two kinds: plain PSK (RFC 4279 section 2, no forward secrecy, the cheapest
//! handshake; CoAP's mandatory `TLS_PSK_WITH_AES_128_CCM_8`, RFC 7252
//! section 9.1.3.1) and ECDHE_PSK (RFC 5489, forward secret). CBC suites are
//! only ever used with Encrypt-then-MAC (RFC 7366); the engine refuses to
//! negotiate them otherwise.

use crate::Error;

/// How the server authenticates the handshake (RFC 8422 section 2,
/// RFC 4279 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthAlgorithm {
    /// ECDHE_ECDSA: the server certificate holds an ECDSA (or Ed25519) key.
    Ecdsa,
    /// ECDHE_RSA: the server certificate holds an RSA key.
    Rsa,
    /// Both sides prove they hold the same pre-shared key: no certificate
    /// and no signature (RFC 4279 section 2, RFC 5489 section 2).
    Psk,
}

/// The key exchange of a suite: the part of its name before `_WITH_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyExchangeAlgorithm {
    /// ECDHE signed by an ECDSA (or Ed25519) certificate key (RFC 8422 2).
    EcdheEcdsa,
    /// ECDHE signed by an RSA certificate key (RFC 8422 2).
    EcdheRsa,
    /// The pre-shared key alone (RFC 4279 section 2).
    Psk,
    /// ECDHE whose secret is mixed with a pre-shared key, unsigned
    /// (RFC 5489 section 2).
    EcdhePsk,
}

impl KeyExchangeAlgorithm {
    /// Who vouches for the key exchange.
    pub const fn auth(self) -> AuthAlgorithm {
        match self {
            KeyExchangeAlgorithm::EcdheEcdsa => AuthAlgorithm::Ecdsa,
            KeyExchangeAlgorithm::EcdheRsa => AuthAlgorithm::Rsa,
            KeyExchangeAlgorithm::Psk | KeyExchangeAlgorithm::EcdhePsk => AuthAlgorithm::Psk,
        }
    }

    /// Whether an ephemeral ECDH exchange takes place (and so a group must
    /// be agreed, RFC 8422 5.1.1).
    pub const fn uses_ecdhe(self) -> bool {
        !matches!(self, KeyExchangeAlgorithm::Psk)
    }

    /// Whether a pre-shared key enters the premaster secret
    /// (RFC 4279 section 2, RFC 5489 section 2).
    pub const fn uses_psk(self) -> bool {
        matches!(
            self,
            KeyExchangeAlgorithm::Psk | KeyExchangeAlgorithm::EcdhePsk
        )
    }

    /// The name as the seed's `SSLNegotiatedKeyExchange` prints it, e.g.
    /// `ECDHE_ECDSA` or `PSK`.
    pub const fn name(self) -> &'static str {
        match self {
            KeyExchangeAlgorithm::EcdheEcdsa => "ECDHE_ECDSA",
            KeyExchangeAlgorithm::EcdheRsa => "ECDHE_RSA",
            KeyExchangeAlgorithm::Psk => "PSK",
            KeyExchangeAlgorithm::EcdhePsk => "ECDHE_PSK",
        }
    }
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
    /// AES-256 in CCM mode with a 16-byte tag (RFC 6655).
    Aes256Ccm,
    /// AES-256 in CCM mode with an 8-byte tag (RFC 6655).
    Aes256Ccm8,
    /// AES-128 in CBC mode, with Encrypt-then-MAC (RFC 7366).
    Aes128Cbc,
    /// AES-256 in CBC mode, with Encrypt-then-MAC (RFC 7366).
    Aes256Cbc,
}

/// A bulk cipher's sizes and name, one row per cipher (see [`BulkCipher`]'s
/// accessors for what each means and where it comes from).
struct CipherShape {
    key_len: usize,
    fixed_iv_len: usize,
    record_iv_len: usize,
    tag_len: usize,
    name: &'static str,
}

impl BulkCipher {
    /// The cipher's row: key, fixed IV (RFC 5246 6.3; RFC 5288 3 salt;
    /// RFC 7905 2 nonce), explicit record IV (RFC 5288 3; RFC 7905 2;
    /// RFC 5246 6.2.3.2 block size) and tag lengths, and its name.
    const fn shape(self) -> CipherShape {
        const fn row(
            key_len: usize,
            fixed_iv_len: usize,
            record_iv_len: usize,
            tag_len: usize,
            name: &'static str,
        ) -> CipherShape {
            CipherShape {
                key_len,
                fixed_iv_len,
                record_iv_len,
                tag_len,
                name,
            }
        }
        match self {
            BulkCipher::Aes128Gcm => row(16, 4, 8, 16, "AES-128-GCM"),
            BulkCipher::Aes256Gcm => row(32, 4, 8, 16, "AES-256-GCM"),
            BulkCipher::ChaCha20Poly1305 => row(32, 12, 0, 16, "CHACHA20-POLY1305"),
            BulkCipher::Aes128Ccm => row(16, 4, 8, 16, "AES-128-CCM"),
            BulkCipher::Aes128Ccm8 => row(16, 4, 8, 8, "AES-128-CCM-8"),
            BulkCipher::Aes256Ccm => row(32, 4, 8, 16, "AES-256-CCM"),
            BulkCipher::Aes256Ccm8 => row(32, 4, 8, 8, "AES-256-CCM-8"),
            BulkCipher::Aes128Cbc => row(16, 0, 16, 0, "AES-128-CBC"),
            BulkCipher::Aes256Cbc => row(32, 0, 16, 0, "AES-256-CBC"),
        }
    }

    /// Whether this is an AEAD cipher (no separate MAC).
    pub const fn is_aead(self) -> bool {
        !matches!(self, BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc)
    }

    /// Length of the encryption key in bytes.
    pub const fn key_len(self) -> usize {
        self.shape().key_len
    }

    /// Length of the implicit (fixed) IV taken from the key block
    /// (RFC 5246 6.3 `fixed_iv_length`; RFC 5288 3 salt; RFC 7905 2 nonce).
    pub const fn fixed_iv_len(self) -> usize {
        self.shape().fixed_iv_len
    }

    /// Length of the explicit per-record nonce/IV sent on the wire
    /// (RFC 5288 3: 8; RFC 7905 2: 0; RFC 5246 6.2.3.2: block size 16).
    pub const fn record_iv_len(self) -> usize {
        self.shape().record_iv_len
    }

    /// Length of the AEAD authentication tag (0 for CBC).
    pub const fn tag_len(self) -> usize {
        self.shape().tag_len
    }

    /// Effective strength in bits (the seed's `SSLNegotiatedCipherStrength`).
    pub const fn strength_bits(self) -> u16 {
        (self.key_len() * 8) as u16
    }

    /// Human readable name of the bulk cipher (the seed's `SSLNegotiatedCipher`).
    pub const fn name(self) -> &'static str {
        self.shape().name
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
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $name:literal, $kx:ident, $bulk:ident, $mac:ident, $prf:ident; )*) => {
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

            /// The key exchange.
            pub const fn key_exchange(self) -> KeyExchangeAlgorithm {
                match self { $( CipherSuite::$variant => KeyExchangeAlgorithm::$kx, )* }
            }

            /// How the server authenticates the key exchange.
            pub const fn auth(self) -> AuthAlgorithm {
                self.key_exchange().auth()
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
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", EcdheEcdsa, Aes128Gcm, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", EcdheEcdsa, Aes256Gcm, None, Sha384;
    /// RFC 7905.
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", EcdheEcdsa, ChaCha20Poly1305, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", EcdheRsa, Aes128Gcm, None, Sha256;
    /// RFC 5289.
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", EcdheRsa, Aes256Gcm, None, Sha384;
    /// RFC 7905.
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", EcdheRsa, ChaCha20Poly1305, None, Sha256;
    /// RFC 7251 (CoAP's mandatory-to-implement suite, RFC 7252 9.1.3.2).
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", EcdheEcdsa, Aes128Ccm, None, Sha256;
    /// RFC 7251.
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", EcdheEcdsa, Aes128Ccm8, None, Sha256;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", EcdheEcdsa, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", EcdheEcdsa, Aes128Cbc, HmacSha256, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", EcdheEcdsa, Aes256Cbc, HmacSha1, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", EcdheEcdsa, Aes128Cbc, HmacSha1, Sha256;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", EcdheRsa, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5289; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", EcdheRsa, Aes128Cbc, HmacSha256, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", EcdheRsa, Aes256Cbc, HmacSha1, Sha256;
    /// RFC 8422; Encrypt-then-MAC only.
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", EcdheRsa, Aes128Cbc, HmacSha1, Sha256;
    /// RFC 5489.
    TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", EcdhePsk, ChaCha20Poly1305, None, Sha256;
    /// RFC 8442.
    TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 = 0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", EcdhePsk, Aes128Gcm, None, Sha256;
    /// RFC 8442.
    TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384 = 0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", EcdhePsk, Aes256Gcm, None, Sha384;
    /// RFC 8442.
    TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256 = 0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", EcdhePsk, Aes128Ccm, None, Sha256;
    /// RFC 8442.
    TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256 = 0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", EcdhePsk, Aes128Ccm8, None, Sha256;
    /// RFC 5489; Encrypt-then-MAC only.
    TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384 = 0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", EcdhePsk, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5489; Encrypt-then-MAC only.
    TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 = 0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", EcdhePsk, Aes128Cbc, HmacSha256, Sha256;
    /// RFC 5487.
    TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", Psk, Aes128Gcm, None, Sha256;
    /// RFC 5487.
    TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", Psk, Aes256Gcm, None, Sha384;
    /// RFC 7905.
    TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", Psk, ChaCha20Poly1305, None, Sha256;
    /// RFC 6655.
    TLS_PSK_WITH_AES_128_CCM = 0xC0A4, "TLS_PSK_WITH_AES_128_CCM", Psk, Aes128Ccm, None, Sha256;
    /// RFC 6655.
    TLS_PSK_WITH_AES_256_CCM = 0xC0A5, "TLS_PSK_WITH_AES_256_CCM", Psk, Aes256Ccm, None, Sha256;
    /// RFC 6655 (CoAP's mandatory-to-implement PSK suite, RFC 7252 9.1.3.1).
    TLS_PSK_WITH_AES_128_CCM_8 = 0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", Psk, Aes128Ccm8, None, Sha256;
    /// RFC 6655.
    TLS_PSK_WITH_AES_256_CCM_8 = 0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", Psk, Aes256Ccm8, None, Sha256;
    /// RFC 5487; Encrypt-then-MAC only.
    TLS_PSK_WITH_AES_256_CBC_SHA384 = 0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", Psk, Aes256Cbc, HmacSha384, Sha384;
    /// RFC 5487; Encrypt-then-MAC only.
    TLS_PSK_WITH_AES_128_CBC_SHA256 = 0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", Psk, Aes128Cbc, HmacSha256, Sha256;
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

impl CipherSuite {
    /// Looks a suite up by its IANA name.
    ///
    /// The match is case-insensitive, surrounding whitespace is ignored, and
    /// the `TLS_` prefix may be left out (`ECDHE_RSA_WITH_AES_128_GCM_SHA256`)
    /// or spelt `SSL_` (the Java spelling of the older suites).
    ///
    /// # Errors
    /// - [`Error::UnsupportedCipherSuite`] for a well-formed name of a suite
    ///   that exists but that this project refuses; `reason` says why (and
    ///   which RFC says so).
    /// - [`Error::UnknownCipherSuite`] for anything else.
    pub fn from_name(name: &str) -> Result<CipherSuite, Error> {
        let trimmed = name.trim();
        let upper = trimmed.to_ascii_uppercase();
        let bare = upper
            .strip_prefix("TLS_")
            .or_else(|| upper.strip_prefix("SSL_"))
            .unwrap_or(&upper);
        if bare.is_empty() {
            return Err(Error::UnknownCipherSuite(trimmed.to_owned()));
        }
        let full = format!("TLS_{bare}");
        if let Some(suite) = CipherSuite::ALL.iter().find(|s| s.name() == full) {
            return Ok(*suite);
        }
        match refusal_reason(bare) {
            Some(reason) => Err(Error::UnsupportedCipherSuite {
                // IANA spells the anonymous key exchanges `DH_anon`/`ECDH_anon`.
                name: full.replace("_ANON", "_anon"),
                reason,
            }),
            None => Err(Error::UnknownCipherSuite(trimmed.to_owned())),
        }
    }
}

pub use crate::suite_list::{parse_suite_list, parse_suite_list_skipping_refused};

/// Why a family of cipher suites is refused. Each reason names the rule it
/// comes from.
mod reason {
    pub(super) const NULL: &str =
        "NULL encryption gives no confidentiality (RFC 9325 section 4.1: MUST NOT negotiate)";
    pub(super) const ANON: &str = "anonymous key exchange does not authenticate the server and \
        is open to man-in-the-middle attacks (RFC 5246 appendix F.1.1.1)";
    pub(super) const EXPORT: &str = "export-grade cryptography offers 40 to 56 bits of security \
        (FREAK, Logjam; RFC 9325 section 4.1: MUST NOT negotiate suites below 112 bits)";
    pub(super) const RC4: &str = "RC4 has exploitable keystream biases (RFC 7465: MUST NOT \
        negotiate RC4 cipher suites)";
    pub(super) const DES: &str = "single DES offers 56 bits of security (removed by RFC 5469; \
        RFC 9325 section 4.1: MUST NOT negotiate suites below 112 bits)";
    pub(super) const IDEA: &str = "IDEA was removed from TLS 1.2 (RFC 5469) and is not implemented";
    pub(super) const TRIPLE_DES: &str = "3DES has a 64-bit block open to Sweet32 birthday \
        attacks (CVE-2016-2183) and offers under 128 bits of security (RFC 9325 section 4.1: \
        SHOULD NOT negotiate)";
    pub(super) const STATIC_RSA: &str = "static RSA key exchange has no forward secrecy and \
        exposes Bleichenbacher-style oracles (RFC 9325 section 4.1: SHOULD NOT negotiate RSA \
        key transport; MUST prefer forward secrecy)";
    pub(super) const STATIC_ECDH: &str = "static ECDH key exchange has no forward secrecy \
        (RFC 9325 section 4.1: SHOULD NOT negotiate non-ephemeral ECDH)";
    pub(super) const STATIC_DH: &str = "static finite-field DH key exchange has no forward \
        secrecy (RFC 9325 section 4.1: SHOULD NOT negotiate non-ephemeral DH)";
    pub(super) const DHE: &str = "finite-field DHE: DTLS 1.2 cannot negotiate the group, so a \
        peer may use small or unknown groups (Logjam, Raccoon; RFC 9325 section 4.1); ECDHE \
        is offered instead";
    pub(super) const PSK_OTHER: &str = "this PSK suite is not implemented (see \
        CipherSuite::ALL for the PSK and ECDHE_PSK suites that are)";
    pub(super) const SRP: &str = "SRP suites (RFC 5054) are not implemented";
    pub(super) const KRB5: &str = "Kerberos suites (RFC 2712) are obsolete and not implemented";
    pub(super) const ECCPWD: &str = "ECCPWD password suites (RFC 8492) are not implemented";
    pub(super) const GOST: &str = "GOST suites are not implemented";
    pub(super) const OTHER_CIPHER: &str = "Camellia, ARIA and SEED suites are not implemented \
        (only AES-GCM, AES-CCM, ChaCha20-Poly1305 and AES-CBC with Encrypt-then-MAC are)";
    pub(super) const ECDHE_OTHER: &str = "this ECDHE suite is not implemented (see \
        CipherSuite::ALL for those that are)";
    pub(super) const TLS13: &str =
        "a TLS 1.3 cipher suite (RFC 8446 appendix B.4) cannot be used with DTLS 1.2";
    pub(super) const SCSV: &str = "a signalling cipher suite value (RFC 5746, RFC 7507), \
        not a cipher suite";
}

/// Key exchange (the part of a TLS 1.2 suite name before `_WITH_`), uppercased.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kx {
    Anon,
    Export,
    StaticRsa,
    StaticEcdh,
    StaticDh,
    Dhe,
    Psk,
    Srp,
    Krb5,
    EccPwd,
    Gost,
    Ecdhe,
}

/// Bulk cipher (the part of a TLS 1.2 suite name after `_WITH_`, before the MAC).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Null,
    Export,
    Rc4,
    Des,
    Idea,
    TripleDes,
    Other,
    Gost,
    Modern,
}

const KEY_EXCHANGES: &[(&str, Kx)] = &[
    ("RSA", Kx::StaticRsa),
    ("RSA_EXPORT", Kx::Export),
    ("RSA_EXPORT1024", Kx::Export),
    ("DH_DSS_EXPORT", Kx::Export),
    ("DH_RSA_EXPORT", Kx::Export),
    ("DHE_DSS_EXPORT", Kx::Export),
    ("DHE_RSA_EXPORT", Kx::Export),
    ("DHE_DSS_EXPORT1024", Kx::Export),
    ("DH_ANON_EXPORT", Kx::Export),
    ("KRB5_EXPORT", Kx::Export),
    ("DH_ANON", Kx::Anon),
    ("ECDH_ANON", Kx::Anon),
    ("DH_DSS", Kx::StaticDh),
    ("DH_RSA", Kx::StaticDh),
    ("DHE_DSS", Kx::Dhe),
    ("DHE_RSA", Kx::Dhe),
    ("ECDH_ECDSA", Kx::StaticEcdh),
    ("ECDH_RSA", Kx::StaticEcdh),
    ("PSK", Kx::Psk),
    ("DHE_PSK", Kx::Dhe),
    ("RSA_PSK", Kx::StaticRsa),
    ("ECDHE_PSK", Kx::Psk),
    ("SRP_SHA", Kx::Srp),
    ("SRP_SHA_RSA", Kx::Srp),
    ("SRP_SHA_DSS", Kx::Srp),
    ("KRB5", Kx::Krb5),
    ("ECCPWD", Kx::EccPwd),
    ("GOSTR341112_256", Kx::Gost),
    ("ECDHE_ECDSA", Kx::Ecdhe),
    ("ECDHE_RSA", Kx::Ecdhe),
];

const BULK_CIPHERS: &[(&str, Bulk)] = &[
    ("NULL", Bulk::Null),
    ("RC4_128", Bulk::Rc4),
    ("RC4_40", Bulk::Export),
    ("RC4_56", Bulk::Export),
    ("RC2_CBC_40", Bulk::Export),
    ("RC2_CBC_56", Bulk::Export),
    ("DES40_CBC", Bulk::Export),
    ("DES_CBC_40", Bulk::Export),
    ("DES_CBC", Bulk::Des),
    ("IDEA_CBC", Bulk::Idea),
    ("3DES_EDE_CBC", Bulk::TripleDes),
    ("AES_128_CBC", Bulk::Modern),
    ("AES_256_CBC", Bulk::Modern),
    ("AES_128_GCM", Bulk::Modern),
    ("AES_256_GCM", Bulk::Modern),
    ("AES_128_CCM", Bulk::Modern),
    ("AES_256_CCM", Bulk::Modern),
    ("AES_128_CCM_8", Bulk::Modern),
    ("AES_256_CCM_8", Bulk::Modern),
    ("CHACHA20_POLY1305", Bulk::Modern),
    ("CAMELLIA_128_CBC", Bulk::Other),
    ("CAMELLIA_256_CBC", Bulk::Other),
    ("CAMELLIA_128_GCM", Bulk::Other),
    ("CAMELLIA_256_GCM", Bulk::Other),
    ("ARIA_128_CBC", Bulk::Other),
    ("ARIA_256_CBC", Bulk::Other),
    ("ARIA_128_GCM", Bulk::Other),
    ("ARIA_256_GCM", Bulk::Other),
    ("SEED_CBC", Bulk::Other),
    ("KUZNYECHIK_CTR_OMAC", Bulk::Gost),
    ("MAGMA_CTR_OMAC", Bulk::Gost),
    ("KUZNYECHIK_MGM_L", Bulk::Gost),
    ("KUZNYECHIK_MGM_S", Bulk::Gost),
    ("MAGMA_MGM_L", Bulk::Gost),
    ("MAGMA_MGM_S", Bulk::Gost),
];

/// MACs / PRF hashes that end a TLS 1.2 suite name (CCM and GOST suites have none).
const MAC_SUFFIXES: &[&str] = &["_SHA", "_SHA256", "_SHA384", "_MD5"];

/// Whether `mac` (what follows the cipher in a name) is a valid ending for
/// the cipher `cipher` of family `bulk`.
fn mac_suffix_fits(cipher: &str, bulk: Bulk, mac: &str) -> bool {
    if mac.is_empty() {
        cipher.contains("CCM") || bulk == Bulk::Gost
    } else {
        MAC_SUFFIXES.contains(&mac)
    }
}

/// Suites that are not `KX_WITH_CIPHER_MAC` shaped, by uppercased name without `TLS_`.
const SPECIAL_NAMES: &[(&str, &str)] = &[
    ("NULL_WITH_NULL_NULL", reason::NULL),
    ("AES_128_GCM_SHA256", reason::TLS13),
    ("AES_256_GCM_SHA384", reason::TLS13),
    ("CHACHA20_POLY1305_SHA256", reason::TLS13),
    ("AES_128_CCM_SHA256", reason::TLS13),
    ("AES_128_CCM_8_SHA256", reason::TLS13),
    ("SHA256_SHA256", reason::NULL),
    ("SHA384_SHA384", reason::NULL),
    ("EMPTY_RENEGOTIATION_INFO_SCSV", reason::SCSV),
    ("FALLBACK_SCSV", reason::SCSV),
];

/// Classifies a well-formed IANA-style suite name (uppercased, `TLS_` removed)
/// that we do not implement; `None` when the name is not a suite name at all.
///
/// A name is well-formed when it is `KX_WITH_CIPHER[_MAC]` with parts drawn
/// from the IANA TLS Cipher Suites registry, or one of [`SPECIAL_NAMES`].
/// When several reasons apply, the one about the most fundamental flaw wins:
/// no encryption, no authentication, broken cipher, then key exchange.
fn refusal_reason(bare: &str) -> Option<&'static str> {
    if let Some((_, why)) = SPECIAL_NAMES.iter().find(|(n, _)| *n == bare) {
        return Some(why);
    }
    let (kx_name, rest) = bare.split_once("_WITH_")?;
    let kx = KEY_EXCHANGES
        .iter()
        .find(|(n, _)| *n == kx_name)
        .map(|(_, k)| *k)?;
    let bulk = BULK_CIPHERS
        .iter()
        .find(|(n, b)| {
            rest.strip_prefix(n)
                .is_some_and(|mac| mac_suffix_fits(n, *b, mac))
        })
        .map(|(_, b)| *b)?;
    let why = match (kx, bulk) {
        (_, Bulk::Null) => reason::NULL,
        (Kx::Anon, _) => reason::ANON,
        (Kx::Export, _) | (_, Bulk::Export) => reason::EXPORT,
        (_, Bulk::Rc4) => reason::RC4,
        (_, Bulk::Des) => reason::DES,
        (_, Bulk::Idea) => reason::IDEA,
        (_, Bulk::TripleDes) => reason::TRIPLE_DES,
        (Kx::StaticRsa, _) => reason::STATIC_RSA,
        (Kx::StaticEcdh, _) => reason::STATIC_ECDH,
        (Kx::StaticDh, _) => reason::STATIC_DH,
        (Kx::Dhe, _) => reason::DHE,
        (Kx::Psk, _) => reason::PSK_OTHER,
        (Kx::Srp, _) => reason::SRP,
        (Kx::Krb5, _) => reason::KRB5,
        (Kx::EccPwd, _) => reason::ECCPWD,
        (Kx::Gost, _) | (_, Bulk::Gost) => reason::GOST,
        (Kx::Ecdhe, Bulk::Other) => reason::OTHER_CIPHER,
        (Kx::Ecdhe, Bulk::Modern) => reason::ECDHE_OTHER,
    };
    Some(why)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every name the seed lists under `SSLEnabledCipherSuites`
    /// (shared/seeds/001_9f53654dd7468856.txt), in the seed's order.
    const SEED_NAMES: &[&str] = &[
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        "TLS_RSA_WITH_AES_256_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_DES_CBC_SHA",
        "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        "TLS_RSA_WITH_RC4_128_MD5",
        "TLS_RSA_WITH_RC4_128_SHA",
    ];

    /// The reason we expect for a refused seed name, from its family.
    fn expected_reason(name: &str) -> &'static str {
        if name.contains("3DES") {
            reason::TRIPLE_DES
        } else if name.contains("_DES_") {
            reason::DES
        } else if name.contains("RC4") {
            reason::RC4
        } else if name.starts_with("TLS_RSA_") {
            reason::STATIC_RSA
        } else if name.starts_with("TLS_ECDH_ECDSA_") || name.starts_with("TLS_ECDH_RSA_") {
            reason::STATIC_ECDH
        } else if name.starts_with("TLS_DHE_") {
            reason::DHE
        } else {
            panic!("no family for {name}")
        }
    }

    #[test]
    fn every_implemented_suite_round_trips_id_and_name() {
        for &s in CipherSuite::ALL {
            assert_eq!(CipherSuite::from_id(s.id()), Some(s));
            assert_eq!(CipherSuite::from_name(s.name()).unwrap(), s);
            assert_eq!(CipherSuite::from_name(&s.name().to_lowercase()).unwrap(), s);
            let bare = s.name().strip_prefix("TLS_").unwrap();
            assert_eq!(CipherSuite::from_name(bare).unwrap(), s);
            assert_eq!(CipherSuite::from_name(&format!("  {bare}\t")).unwrap(), s);
            assert_eq!(s.to_string(), s.name());
        }
    }

    #[test]
    fn ids_and_names_are_unique() {
        for (i, a) in CipherSuite::ALL.iter().enumerate() {
            for b in &CipherSuite::ALL[i + 1..] {
                assert_ne!(a.id(), b.id());
                assert_ne!(a.name(), b.name());
            }
        }
    }

    #[test]
    fn every_seed_name_is_implemented_or_refused_with_its_family_reason() {
        let mut implemented = 0;
        for &name in SEED_NAMES {
            match CipherSuite::from_name(name) {
                Ok(s) => {
                    assert_eq!(s.name(), name);
                    implemented += 1;
                }
                Err(Error::UnsupportedCipherSuite { name: n, reason }) => {
                    assert_eq!(n, name);
                    assert_eq!(reason, expected_reason(name), "{name}");
                }
                Err(e) => panic!("{name} not classified: {e}"),
            }
        }
        // The ECDHE GCM and CBC suites of the seed (4 + 8).
        assert_eq!(implemented, 12);
    }

    #[test]
    fn refusal_families() {
        let cases: &[(&str, &str)] = &[
            ("TLS_NULL_WITH_NULL_NULL", reason::NULL),
            ("TLS_ECDHE_ECDSA_WITH_NULL_SHA", reason::NULL),
            ("TLS_RSA_WITH_NULL_SHA256", reason::NULL),
            ("TLS_DH_anon_WITH_AES_128_CBC_SHA", reason::ANON),
            ("TLS_ECDH_anon_WITH_AES_256_CBC_SHA", reason::ANON),
            ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", reason::EXPORT),
            ("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", reason::EXPORT),
            ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", reason::RC4),
            ("TLS_RSA_WITH_IDEA_CBC_SHA", reason::IDEA),
            ("TLS_DH_RSA_WITH_AES_128_GCM_SHA256", reason::STATIC_DH),
            ("TLS_DHE_PSK_WITH_AES_128_CCM", reason::DHE),
            ("TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", reason::STATIC_RSA),
            ("TLS_PSK_WITH_AES_128_CBC_SHA", reason::PSK_OTHER),
            ("TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", reason::SRP),
            ("TLS_KRB5_WITH_3DES_EDE_CBC_SHA", reason::TRIPLE_DES),
            ("TLS_KRB5_WITH_AES_128_CBC_SHA", reason::KRB5),
            ("TLS_ECCPWD_WITH_AES_128_GCM_SHA256", reason::ECCPWD),
            ("TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", reason::GOST),
            (
                "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
                reason::OTHER_CIPHER,
            ),
            (
                "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
                reason::OTHER_CIPHER,
            ),
            ("TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", reason::ECDHE_OTHER),
            ("TLS_AES_128_GCM_SHA256", reason::TLS13),
            ("TLS_CHACHA20_POLY1305_SHA256", reason::TLS13),
            ("TLS_EMPTY_RENEGOTIATION_INFO_SCSV", reason::SCSV),
            ("SSL_RSA_WITH_3DES_EDE_CBC_SHA", reason::TRIPLE_DES),
            ("dhe_rsa_with_aes_128_gcm_sha256", reason::DHE),
        ];
        for &(input, want) in cases {
            match CipherSuite::from_name(input) {
                Err(Error::UnsupportedCipherSuite { reason, .. }) => {
                    assert_eq!(reason, want, "{input}")
                }
                other => panic!("{input}: {other:?}"),
            }
        }
        // The displayed name is the IANA spelling.
        assert_eq!(
            CipherSuite::from_name("tls_dh_anon_with_aes_128_cbc_sha"),
            Err(Error::UnsupportedCipherSuite {
                name: "TLS_DH_anon_WITH_AES_128_CBC_SHA".into(),
                reason: reason::ANON
            })
        );
    }

    #[test]
    fn garbage_is_unknown() {
        for input in [
            "",
            "   ",
            "TLS_",
            "hello",
            "TLS_RSA_WITH_FOO",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256_EXTRA",
            "TLS_FOO_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_AES_128_GCM_SHA256",
            "*",
        ] {
            assert_eq!(
                CipherSuite::from_name(input),
                Err(Error::UnknownCipherSuite(input.trim().to_owned())),
                "{input:?}"
            );
        }
    }

    #[test]
    fn list_star_and_empty_mean_all_in_default_order() {
        for spec in ["*", "", "  ", " * ", ";", " ; , "] {
            assert_eq!(
                parse_suite_list(spec).unwrap(),
                CipherSuite::ALL,
                "{spec:?}"
            );
        }
    }

    #[test]
    fn list_keeps_order_trims_and_dedups() {
        let got = parse_suite_list(
            " TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ;ecdhe_ecdsa_with_aes_128_ccm_8,\
             TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA;; TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
            ]
        );
    }

    #[test]
    fn list_star_inside_a_list_appends_the_rest() {
        let got = parse_suite_list("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA;*").unwrap();
        assert_eq!(got.len(), CipherSuite::ALL.len());
        assert_eq!(got[0], CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
        assert_eq!(&got[1..3], &CipherSuite::ALL[..2]);
    }

    #[test]
    fn list_with_one_bad_name_reports_it() {
        // The seed's own example value.
        let err = parse_suite_list("TLS_DHE_DSS_WITH_AES_128_CBC_SHA").unwrap_err();
        assert_eq!(
            err,
            Error::UnsupportedCipherSuite {
                name: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA".into(),
                reason: reason::DHE
            }
        );
        let err = parse_suite_list("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;bogus").unwrap_err();
        assert_eq!(err, Error::UnknownCipherSuite("bogus".into()));
    }

    #[test]
    fn list_with_several_bad_names_reports_all() {
        let err = parse_suite_list(
            "TLS_DHE_DSS_WITH_AES_128_CBC_SHA;TLS_ECDH_RSA_WITH_AES_128_CBC_SHA;\
             TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;bogus",
        )
        .unwrap_err();
        let Error::CipherSuiteList(errors) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(errors.len(), 3);
        assert!(
            matches!(&errors[0], Error::UnsupportedCipherSuite { reason, .. } if *reason == reason::DHE)
        );
        assert!(
            matches!(&errors[1], Error::UnsupportedCipherSuite { reason, .. } if *reason == reason::STATIC_ECDH)
        );
        assert_eq!(errors[2], Error::UnknownCipherSuite("bogus".into()));
        let text = err.to_string();
        assert!(text.contains("TLS_DHE_DSS_WITH_AES_128_CBC_SHA"), "{text}");
        assert!(text.contains("TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"), "{text}");
        assert!(text.contains("bogus"), "{text}");
    }

    #[test]
    fn key_block_layout_matches_the_parts() {
        for &s in CipherSuite::ALL {
            let l = s.key_block_layout();
            assert_eq!(l.mac_key_len, s.mac().len());
            assert_eq!(l.enc_key_len, s.bulk().key_len());
            assert_eq!(l.fixed_iv_len, s.bulk().fixed_iv_len());
            assert_eq!(s.requires_encrypt_then_mac(), !s.bulk().is_aead());
            assert_eq!(s.mac().is_empty(), s.bulk().is_aead());
        }
    }
}
