//! Ephemeral elliptic-curve Diffie-Hellman (ECDHE) key exchange.
//!
//! The server picks a [`NamedGroup`] from the client's `supported_groups`
//! extension (RFC 8422 section 5.1.1), starts an [`EphemeralKeyPair`]
//! through the [`CryptoProvider`](crate::CryptoProvider)'s [`KeyExchange`],
//! sends [`EphemeralKeyPair::public_key`] in its ServerKeyExchange
//! (RFC 8422 section 5.4) and combines it with the client's point from the
//! ClientKeyExchange in [`EphemeralKeyPair::agree`]; the result is the
//! premaster secret (RFC 8422 section 5.10).
//!
//! Two implementations: [`RingKeyExchange`] (X25519, P-256 and P-384 from
//! `ring`, which draws the private key from the operating system itself;
//! P-521, which `ring` lacks, from RustCrypto `p521`) and
//! [`RustCryptoKeyExchange`] (RustCrypto `x25519-dalek`, `p256`, `p384`,
//! `p521`), whose every private key comes from the provider's
//! [`SecureRandom`], so a seeded source makes it reproducible.

use crate::Error;
use crate::provider::{RandomAdapter, SecureRandom};
use p521::elliptic_curve::ecdh::EphemeralSecret;
use p521::elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use p521::elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, Generate, PublicKey};
use ring::agreement;
use ring::rand::SystemRandom;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A named group for ECDHE (IANA "TLS Supported Groups" registry; RFC 8422
/// section 5.1.1, RFC 7748 / RFC 8422 for X25519).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum NamedGroup {
    /// X25519 (RFC 7748, RFC 8422 section 5.1.1).
    X25519 = 29,
    /// NIST P-256, "secp256r1".
    Secp256r1 = 23,
    /// NIST P-384, "secp384r1".
    Secp384r1 = 24,
    /// NIST P-521, "secp521r1".
    Secp521r1 = 25,
}

/// Groups that exist in the registry but that we refuse, with the reason.
const REFUSED_GROUPS: &[(&str, &str)] = &[
    ("x448", "X448 is not available in ring"),
    (
        "ffdhe2048",
        "finite-field DHE (RFC 7919) is not implemented",
    ),
    (
        "ffdhe3072",
        "finite-field DHE (RFC 7919) is not implemented",
    ),
    (
        "ffdhe4096",
        "finite-field DHE (RFC 7919) is not implemented",
    ),
    (
        "ffdhe6144",
        "finite-field DHE (RFC 7919) is not implemented",
    ),
    (
        "ffdhe8192",
        "finite-field DHE (RFC 7919) is not implemented",
    ),
];

impl NamedGroup {
    /// Every supported group, in the server's default preference order.
    pub const ALL: &'static [NamedGroup] = &[
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
        NamedGroup::Secp521r1,
    ];

    /// The group with this IANA code point, if supported.
    pub const fn from_u16(value: u16) -> Option<NamedGroup> {
        match value {
            29 => Some(NamedGroup::X25519),
            23 => Some(NamedGroup::Secp256r1),
            24 => Some(NamedGroup::Secp384r1),
            25 => Some(NamedGroup::Secp521r1),
            _ => None,
        }
    }

    /// The IANA code point sent in `supported_groups` and ServerKeyExchange.
    pub const fn to_u16(self) -> u16 {
        self as u16
    }

    /// The name used in the `TLS12SupportedGroups` setting, e.g.
    /// `ecdhe_secp256r1` (X25519, which that list does not mention, is
    /// `ecdhe_x25519` by analogy).
    pub const fn name(self) -> &'static str {
        match self {
            NamedGroup::X25519 => "ecdhe_x25519",
            NamedGroup::Secp256r1 => "ecdhe_secp256r1",
            NamedGroup::Secp384r1 => "ecdhe_secp384r1",
            NamedGroup::Secp521r1 => "ecdhe_secp521r1",
        }
    }

    /// The IANA registry name, e.g. `secp256r1`, `x25519`.
    pub const fn iana_name(self) -> &'static str {
        match self {
            NamedGroup::X25519 => "x25519",
            NamedGroup::Secp256r1 => "secp256r1",
            NamedGroup::Secp384r1 => "secp384r1",
            NamedGroup::Secp521r1 => "secp521r1",
        }
    }

    /// Key-exchange strength in bits, i.e. the size of the group's field
    /// (the `SSLNegotiatedKeyExchangeStrength` setting): 255 for X25519
    /// (GF(2^255 - 19)), 256, 384 and 521 for the NIST curves.
    pub const fn strength_bits(self) -> u16 {
        match self {
            NamedGroup::X25519 => 255,
            NamedGroup::Secp256r1 => 256,
            NamedGroup::Secp384r1 => 384,
            NamedGroup::Secp521r1 => 521,
        }
    }

    /// Length of the public key on the wire: 32 bytes for X25519 (RFC 8422
    /// section 5.11), else the uncompressed point `0x04 || X || Y`
    /// (RFC 8422 section 5.4).
    pub const fn public_key_len(self) -> usize {
        match self {
            NamedGroup::X25519 => 32,
            NamedGroup::Secp256r1 => 65,
            NamedGroup::Secp384r1 => 97,
            NamedGroup::Secp521r1 => 133,
        }
    }

    /// Parses one name as used by `TLS12SupportedGroups`
    /// (`ecdhe_secp256r1`), or the IANA name (`secp256r1`, `x25519`);
    /// case-insensitive.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for groups we deliberately refuse
    /// (`ffdhe2048`..`ffdhe8192`, also written `ffdhe_2048`; `x448`),
    /// [`Error::UnknownAlgorithm`] for any other name.
    pub fn parse(name: &str) -> Result<NamedGroup, Error> {
        let lower = name.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("ecdhe_").unwrap_or(&lower);
        let bare = bare.strip_prefix("dhe_").unwrap_or(bare);
        let normalized = bare.replacen("ffdhe_", "ffdhe", 1);
        if let Some(group) = NamedGroup::ALL.iter().find(|g| g.iana_name() == normalized) {
            return Ok(*group);
        }
        if let Some((_, reason)) = REFUSED_GROUPS.iter().find(|(n, _)| *n == normalized) {
            return Err(Error::UnsupportedAlgorithm {
                name: name.trim().to_owned(),
                reason,
            });
        }
        Err(Error::UnknownAlgorithm {
            kind: "named group",
            name: name.trim().to_owned(),
        })
    }

    /// Parses the comma-separated `TLS12SupportedGroups` list (default
    /// `ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1`), keeping its order
    /// and dropping duplicates and empty items.
    ///
    /// # Errors
    /// The first refused or unknown name, as in [`parse`](Self::parse);
    /// [`Error::InvalidInput`] if the list names no group at all (every
    /// suite we implement is ECDHE, so no group means no handshake).
    pub fn parse_list(spec: &str) -> Result<Vec<NamedGroup>, Error> {
        let mut groups = Vec::new();
        for item in spec.split(',').filter(|s| !s.trim().is_empty()) {
            let group = NamedGroup::parse(item)?;
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        if groups.is_empty() {
            return Err(Error::InvalidInput("the supported groups list is empty"));
        }
        Ok(groups)
    }

    fn ring_algorithm(self) -> Option<&'static agreement::Algorithm> {
        match self {
            NamedGroup::X25519 => Some(&agreement::X25519),
            NamedGroup::Secp256r1 => Some(&agreement::ECDH_P256),
            NamedGroup::Secp384r1 => Some(&agreement::ECDH_P384),
            NamedGroup::Secp521r1 => None,
        }
    }
}

impl std::fmt::Display for NamedGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Largest shared secret: the 66-byte x coordinate of a P-521 point.
const MAX_SHARED_LEN: usize = 66;

/// The ECDH result used as the premaster secret (RFC 8422 section 5.10: the
/// x coordinate, with leading zeros kept, for the NIST curves; RFC 7748
/// section 6.1 for X25519). Zeroized when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret {
    bytes: [u8; MAX_SHARED_LEN],
    len: usize,
}

impl SharedSecret {
    fn from_slice(value: &[u8]) -> Result<Self, Error> {
        if value.len() > MAX_SHARED_LEN {
            return Err(Error::InvalidPeerKeyShare);
        }
        let mut bytes = [0u8; MAX_SHARED_LEN];
        bytes[..value.len()].copy_from_slice(value);
        Ok(SharedSecret {
            bytes,
            len: value.len(),
        })
    }

    /// The secret bytes (32, 32, 48 or 66 bytes for X25519, P-256, P-384,
    /// P-521).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret { .. }")
    }
}

/// Starts ECDHE key exchanges: the key-exchange part of a
/// [`CryptoProvider`](crate::CryptoProvider) (rustls's `SupportedKxGroup`
/// plays this role there).
pub trait KeyExchange: Send + Sync + std::fmt::Debug {
    /// A fresh key pair on `group`, drawing its private key from `random`
    /// where the implementation can.
    ///
    /// # Errors
    /// [`Error::RandomFailure`] if the random source fails.
    fn start(
        &self,
        group: NamedGroup,
        random: &dyn SecureRandom,
    ) -> Result<EphemeralKeyPair, Error>;
}

/// The production key exchange: `ring` for X25519, P-256 and P-384 (its
/// private keys come from the operating system's generator, since `ring`
/// takes no outside random source), RustCrypto `p521` drawing from the
/// provider's random for P-521.
#[derive(Debug, Default, Clone, Copy)]
pub struct RingKeyExchange;

impl KeyExchange for RingKeyExchange {
    fn start(
        &self,
        group: NamedGroup,
        random: &dyn SecureRandom,
    ) -> Result<EphemeralKeyPair, Error> {
        let Some(alg) = group.ring_algorithm() else {
            return RustCryptoKeyExchange.start(group, random);
        };
        let private = agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new())
            .map_err(|_| Error::RandomFailure)?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::RandomFailure)?
            .as_ref()
            .to_vec();
        Ok(EphemeralKeyPair {
            group,
            private: Private::Ring(private),
            public,
        })
    }
}

/// A key exchange whose every private key is drawn from the provider's
/// random source: RustCrypto `x25519-dalek` (RFC 7748) and `p256`, `p384`,
/// `p521` (constant-time scalar arithmetic). With a seeded source (see
/// `CryptoProvider::insecure_deterministic`) the key pairs are reproducible.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCryptoKeyExchange;

impl KeyExchange for RustCryptoKeyExchange {
    fn start(
        &self,
        group: NamedGroup,
        random: &dyn SecureRandom,
    ) -> Result<EphemeralKeyPair, Error> {
        let (private, public) = match group {
            NamedGroup::X25519 => {
                let mut scalar = [0u8; 32];
                random.fill(&mut scalar)?;
                let secret = x25519_dalek::StaticSecret::from(scalar);
                scalar.zeroize();
                let public = x25519_dalek::PublicKey::from(&secret).as_bytes().to_vec();
                (Private::X25519(secret), public)
            }
            NamedGroup::Secp256r1 => nist_start(random, Private::P256)?,
            NamedGroup::Secp384r1 => nist_start(random, Private::P384)?,
            NamedGroup::Secp521r1 => nist_start(random, Private::P521)?,
        };
        Ok(EphemeralKeyPair {
            group,
            private,
            public,
        })
    }
}

/// A NIST-curve secret from `random` and its uncompressed public point
/// (RFC 8422 section 5.4).
fn nist_start<C>(
    random: &dyn SecureRandom,
    wrap: fn(EphemeralSecret<C>) -> Private,
) -> Result<(Private, Vec<u8>), Error>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let secret = EphemeralSecret::<C>::try_generate_from_rng(&mut RandomAdapter(random))?;
    let public = secret.public_key().to_sec1_point(false).as_bytes().to_vec();
    Ok((wrap(secret), public))
}

/// ECDH on a NIST curve with RustCrypto: only the uncompressed form is
/// accepted (RFC 8422 section 5.1.2 lets us support only that), and the
/// point must be on the curve and not the identity.
fn nist_agree<C>(secret: &EphemeralSecret<C>, peer_public: &[u8]) -> Result<SharedSecret, Error>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if peer_public.first() != Some(&0x04) {
        return Err(Error::InvalidPeerKeyShare);
    }
    let peer =
        PublicKey::<C>::from_sec1_bytes(peer_public).map_err(|_| Error::InvalidPeerKeyShare)?;
    let shared = secret.diffie_hellman(&peer);
    SharedSecret::from_slice(shared.raw_secret_bytes().as_slice())
}

enum Private {
    Ring(agreement::EphemeralPrivateKey),
    X25519(x25519_dalek::StaticSecret),
    P256(p256::ecdh::EphemeralSecret),
    P384(p384::ecdh::EphemeralSecret),
    P521(p521::ecdh::EphemeralSecret),
}

/// A one-use ECDHE key pair, made by a [`KeyExchange`]. The private key is
/// consumed by [`agree`](Self::agree), so it cannot be reused for a second
/// exchange.
pub struct EphemeralKeyPair {
    group: NamedGroup,
    private: Private,
    public: Vec<u8>,
}

impl std::fmt::Debug for EphemeralKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EphemeralKeyPair")
            .field("group", &self.group)
            .field("public", &hex::encode(&self.public))
            .finish_non_exhaustive()
    }
}

impl EphemeralKeyPair {
    /// The group of this key pair.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// The public key as sent in ServerKeyExchange: the uncompressed point
    /// `0x04 || X || Y` for the NIST curves (RFC 8422 section 5.4), the
    /// 32-byte u coordinate for X25519 (RFC 8422 section 5.11).
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Combines our private key with the peer's public key (the point from
    /// ClientKeyExchange, RFC 8422 section 5.7) into the premaster secret.
    ///
    /// # Errors
    /// [`Error::InvalidPeerKeyShare`] if the peer's key has the wrong
    /// length, is not in uncompressed form (RFC 8422 section 5.1.2 lets us
    /// support only uncompressed points), is not on the curve, or (X25519)
    /// yields the all-zero output of a low-order point (RFC 7748 section 6.1).
    pub fn agree(self, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        if peer_public.len() != self.group.public_key_len() {
            return Err(Error::InvalidPeerKeyShare);
        }
        match self.private {
            Private::Ring(private) => {
                let alg = self
                    .group
                    .ring_algorithm()
                    .ok_or(Error::InvalidPeerKeyShare)?;
                let peer = agreement::UnparsedPublicKey::new(alg, peer_public);
                agreement::agree_ephemeral(private, &peer, SharedSecret::from_slice)
                    .map_err(|_| Error::InvalidPeerKeyShare)?
            }
            Private::X25519(secret) => {
                let peer: [u8; 32] = peer_public
                    .try_into()
                    .map_err(|_| Error::InvalidPeerKeyShare)?;
                let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
                if !shared.was_contributory() {
                    return Err(Error::InvalidPeerKeyShare);
                }
                SharedSecret::from_slice(shared.as_bytes())
            }
            Private::P256(secret) => nist_agree(&secret, peer_public),
            Private::P384(secret) => nist_agree(&secret, peer_public),
            Private::P521(secret) => nist_agree(&secret, peer_public),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::provider::SystemRandom;

    const IMPLEMENTATIONS: [&dyn KeyExchange; 2] = [&RingKeyExchange, &RustCryptoKeyExchange];

    fn generate_with(kx: &dyn KeyExchange, g: NamedGroup) -> EphemeralKeyPair {
        kx.start(g, &SystemRandom::default()).unwrap()
    }

    #[test]
    fn code_points_and_names() {
        for &g in NamedGroup::ALL {
            assert_eq!(NamedGroup::from_u16(g.to_u16()), Some(g));
            assert_eq!(NamedGroup::parse(g.name()).unwrap(), g);
            assert_eq!(NamedGroup::parse(g.iana_name()).unwrap(), g);
        }
        assert_eq!(NamedGroup::X25519.to_u16(), 29);
        assert_eq!(NamedGroup::Secp256r1.to_u16(), 23);
        assert_eq!(NamedGroup::Secp384r1.to_u16(), 24);
        assert_eq!(NamedGroup::Secp521r1.to_u16(), 25);
        assert_eq!(NamedGroup::from_u16(30), None); // x448
        assert_eq!(NamedGroup::from_u16(256), None); // ffdhe2048
        assert_eq!(NamedGroup::Secp521r1.strength_bits(), 521);
    }

    #[test]
    fn parse_list_seed_default_and_errors() {
        assert_eq!(
            NamedGroup::parse_list("ecdhe_secp256r1,ecdhe_secp384r1,ecdhe_secp521r1").unwrap(),
            vec![
                NamedGroup::Secp256r1,
                NamedGroup::Secp384r1,
                NamedGroup::Secp521r1
            ]
        );
        assert_eq!(
            NamedGroup::parse_list(" X25519 , ecdhe_secp256r1,,x25519").unwrap(),
            vec![NamedGroup::X25519, NamedGroup::Secp256r1]
        );
        for refused in ["ffdhe_2048", "ffdhe8192", "x448", "ecdhe_x448"] {
            let e = NamedGroup::parse_list(&format!("ecdhe_secp256r1,{refused}")).unwrap_err();
            assert!(
                matches!(&e, Error::UnsupportedAlgorithm { name, .. } if name == refused),
                "{e}"
            );
        }
        let e = NamedGroup::parse_list("ecdhe_secp256r1,brainpoolP256r1").unwrap_err();
        assert_eq!(e.to_string(), "unknown named group: \"brainpoolP256r1\"");
        assert!(NamedGroup::parse_list(" , ").is_err());
    }

    #[test]
    fn both_sides_agree_for_every_group() {
        // Every pairing of the two implementations, so each interoperates
        // with the other.
        let pairs = IMPLEMENTATIONS
            .iter()
            .flat_map(|a| IMPLEMENTATIONS.iter().map(move |b| (*a, *b)));
        for ((kx_a, kx_b), &g) in pairs.flat_map(|p| NamedGroup::ALL.iter().map(move |g| (p, g))) {
            let a = generate_with(kx_a, g);
            let b = generate_with(kx_b, g);
            assert_eq!(a.group(), g);
            assert_eq!(a.public_key().len(), g.public_key_len());
            if g != NamedGroup::X25519 {
                assert_eq!(a.public_key()[0], 0x04, "{g}");
            }
            assert_ne!(a.public_key(), b.public_key());
            let a_pub = a.public_key().to_vec();
            let b_pub = b.public_key().to_vec();
            let s1 = a.agree(&b_pub).unwrap();
            let s2 = b.agree(&a_pub).unwrap();
            assert_eq!(s1.as_bytes(), s2.as_bytes(), "{g}");
            let expected_len = match g {
                NamedGroup::X25519 | NamedGroup::Secp256r1 => 32,
                NamedGroup::Secp384r1 => 48,
                NamedGroup::Secp521r1 => 66,
            };
            assert_eq!(s1.as_bytes().len(), expected_len);
        }
    }

    fn rejects(g: NamedGroup, peer: &[u8]) -> bool {
        IMPLEMENTATIONS.iter().all(|kx| {
            let kp = generate_with(*kx, g);
            matches!(kp.agree(peer), Err(Error::InvalidPeerKeyShare))
        })
    }

    #[test]
    fn malformed_peer_keys_are_rejected() {
        for &g in NamedGroup::ALL {
            let other = generate_with(&RingKeyExchange, g);
            let good = other.public_key().to_vec();
            // Wrong lengths.
            assert!(rejects(g, &[]), "{g}");
            assert!(rejects(g, &good[..good.len() - 1]), "{g}");
            let mut longer = good.clone();
            longer.push(0);
            assert!(rejects(g, &longer), "{g}");
            if g == NamedGroup::X25519 {
                // The all-zero u coordinate is a low-order point: the output
                // would be all zeros (RFC 7748 6.1), which ring refuses.
                assert!(rejects(g, &[0u8; 32]));
                // u = 1 is of order 1 (also all-zero output).
                let mut one = [0u8; 32];
                one[0] = 1;
                assert!(rejects(g, &one));
                continue;
            }
            // Not on the curve: flip a bit of Y.
            let mut off = good.clone();
            let last = off.len() - 1;
            off[last] ^= 1;
            assert!(rejects(g, &off), "{g}");
            // Compressed form (0x02/0x03 || X), padded or not.
            let coord = (good.len() - 1) / 2;
            let mut compressed = vec![0x02 | (good[good.len() - 1] & 1)];
            compressed.extend_from_slice(&good[1..=coord]);
            assert!(rejects(g, &compressed), "{g}");
            // Wrong form byte with the right length.
            let mut hybrid = good.clone();
            hybrid[0] = 0x06 | (good[good.len() - 1] & 1);
            assert!(rejects(g, &hybrid), "{g}");
            // The point at infinity / all zeros.
            assert!(rejects(g, &vec![0u8; good.len()]), "{g}");
            let mut zero_xy = vec![0u8; good.len()];
            zero_xy[0] = 0x04;
            assert!(rejects(g, &zero_xy), "{g}");
        }
    }
}
