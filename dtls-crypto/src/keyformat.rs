//! Private key containers taken apart before `ring` loads a key: the
//! algorithm of a PKCS#8 `PrivateKeyInfo` (RFC 5208 section 5), and SEC1
//! EC keys (RFC 5915), which `ring` cannot read, re-wrapped unchanged in a
//! PKCS#8 envelope naming their curve.

use zeroize::Zeroizing;

use crate::Error;
use crate::der::{self, TAG_CONTEXT_0, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, oid};

/// A [`Error::BadPrivateKey`] with this message.
pub(crate) fn bad_key(message: impl Into<String>) -> Error {
    Error::BadPrivateKey(message.into())
}

/// The curves `ring` signs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
}

impl Curve {
    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => oid::P256,
            Curve::P384 => oid::P384,
        }
    }
}

/// The key algorithms of a PKCS#8 key we can sign with.
pub(crate) enum Pkcs8Kind {
    Ec(Curve),
    Ed25519,
    Rsa,
}

/// The named curve in EC `parameters` (RFC 5480 section 2.1.1; RFC 5915
/// section 3): the DER of `ECParameters`, which must be a `namedCurve` OID.
fn named_curve(parameters: &[u8]) -> Result<Curve, Error> {
    let (tag, curve, _) = der::read(parameters)
        .ok_or_else(|| bad_key("malformed EC curve parameters (RFC 5480 section 2.1.1)"))?;
    if tag != TAG_OID {
        return Err(bad_key(
            "EC keys with explicit curve parameters are not supported; use a named curve",
        ));
    }
    match curve {
        oid::P256 => Ok(Curve::P256),
        oid::P384 => Ok(Curve::P384),
        oid::P521 => Err(bad_key(
            "ECDSA P-521 keys are not supported (ring cannot sign with P-521)",
        )),
        oid::SECP256K1 => Err(bad_key("ECDSA secp256k1 keys are not supported")),
        _ => Err(bad_key(format!(
            "ECDSA keys on curve OID {} are not supported",
            hex::encode(curve)
        ))),
    }
}

/// Reads the algorithm of a PKCS#8 `PrivateKeyInfo` (RFC 5208 section 5).
pub(crate) fn classify_pkcs8(pkcs8: &[u8]) -> Result<Pkcs8Kind, Error> {
    let malformed = || bad_key("malformed PKCS#8 PrivateKeyInfo (RFC 5208 section 5)");
    let (info, _) = der::expect(pkcs8, TAG_SEQUENCE).ok_or_else(malformed)?;
    let (_version, rest) = der::expect(info, TAG_INTEGER).ok_or_else(malformed)?;
    let (algorithm, _) = der::expect(rest, TAG_SEQUENCE).ok_or_else(malformed)?;
    let (algorithm, parameters) = der::expect(algorithm, TAG_OID).ok_or_else(malformed)?;
    let unsupported = |what: &str| Err(bad_key(format!("{what} keys are not supported")));
    match algorithm {
        oid::EC_PUBLIC_KEY => Ok(Pkcs8Kind::Ec(named_curve(parameters)?)),
        oid::RSA => Ok(Pkcs8Kind::Rsa),
        oid::ED25519 => Ok(Pkcs8Kind::Ed25519),
        oid::RSA_PSS => unsupported("RSASSA-PSS (id-RSASSA-PSS)"),
        oid::DSA => unsupported("DSA"),
        oid::DH | oid::X942_DH => unsupported("Diffie-Hellman"),
        oid::X25519 => unsupported("X25519 (key agreement only, cannot sign)"),
        oid::X448 => unsupported("X448 (key agreement only, cannot sign)"),
        oid::ED448 => unsupported("Ed448"),
        _ => Err(bad_key(format!(
            "keys with algorithm OID {} are not supported",
            hex::encode(algorithm)
        ))),
    }
}

/// Wraps a SEC1 `ECPrivateKey` (RFC 5915 section 3) in a PKCS#8
/// `PrivateKeyInfo` (RFC 5208 section 5; algorithm per RFC 5480 section
/// 2.1.1) so that `ring` can load it. The key itself is not touched.
pub(crate) fn sec1_to_pkcs8(sec1: &[u8]) -> Result<(Curve, Zeroizing<Vec<u8>>), Error> {
    let malformed = || bad_key("malformed SEC1 ECPrivateKey (RFC 5915 section 3)");
    let (key, _) = der::expect(sec1, TAG_SEQUENCE).ok_or_else(malformed)?;
    let (_version, rest) = der::expect(key, TAG_INTEGER).ok_or_else(malformed)?;
    let (_private, rest) = der::expect(rest, TAG_OCTET_STRING).ok_or_else(malformed)?;
    let Some((parameters, _)) = der::expect(rest, TAG_CONTEXT_0) else {
        return Err(bad_key(
            "SEC1 EC private key omits the curve parameters (optional in RFC 5915 \
             section 3), so its curve is unknown; supply it as PKCS#8 instead",
        ));
    };
    let curve = named_curve(parameters)?;

    let mut algorithm = Vec::with_capacity(32);
    der::write(TAG_OID, oid::EC_PUBLIC_KEY, &mut algorithm);
    der::write(TAG_OID, curve.oid(), &mut algorithm);
    // Reserve everything up front so no reallocation leaves key copies behind.
    let mut body = Zeroizing::new(Vec::with_capacity(sec1.len() + 64));
    der::write(TAG_INTEGER, &[0], &mut body);
    der::write(TAG_SEQUENCE, &algorithm, &mut body);
    der::write(TAG_OCTET_STRING, sec1, &mut body);
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 8));
    der::write(TAG_SEQUENCE, &body, &mut out);
    Ok((curve, out))
}
