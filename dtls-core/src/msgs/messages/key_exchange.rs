//! The ECDHE key exchange messages (RFC 8422 section 5, RFC 5246 section
//! 4.7): ServerKeyExchange with its signed parameters, ClientKeyExchange.

use super::hello::RANDOM_LEN;
use crate::error::Error;
use crate::msgs::codec::{Codec, LengthPrefix, Need, Reader, encode_opaque, put_u16, read_opaque};

/// `ECCurveType named_curve(3)`, the only curve type RFC 8422 section 5.4
/// still allows.
pub const CURVE_TYPE_NAMED_CURVE: u8 = 3;

/// A signature with its algorithm (RFC 5246 section 4.7, as used by RFC 8422
/// section 5.4 and RFC 5246 section 7.4.8).
///
/// ```text
/// struct {
///     SignatureAndHashAlgorithm algorithm;
///     opaque signature<0..2^16-1>;
/// } DigitallySigned;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitallySigned {
    /// `algorithm`, as the 16-bit SignatureScheme value (hash byte then
    /// signature byte).
    pub scheme: u16,
    /// `signature`.
    pub signature: Vec<u8>,
}

impl Codec for DigitallySigned {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, self.scheme);
        encode_opaque(out, LengthPrefix::U16, &self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(DigitallySigned {
            scheme: r.u16().need("DigitallySigned.algorithm")?,
            signature: read_opaque(r, LengthPrefix::U16, 0, 0xffff, "DigitallySigned.signature")?,
        })
    }
}

/// `ServerECDHParams` with a named curve (RFC 8422 section 5.4).
///
/// ```text
/// struct {
///     ECParameters curve_params;   // curve_type named_curve(3), NamedCurve
///     ECPoint      public;         // opaque point <1..2^8-1>
/// } ServerECDHParams;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEcdhParams {
    /// `curve_params.namedcurve`, the NamedGroup value.
    pub named_curve: u16,
    /// `public.point`: the server's ephemeral public key.
    pub public: Vec<u8>,
}

impl ServerEcdhParams {
    /// The exact bytes the ServerKeyExchange signature covers:
    /// `client_random + server_random + ServerECDHParams` (RFC 8422 section
    /// 5.4).
    pub fn signed_message(
        &self,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * RANDOM_LEN + 4 + self.public.len());
        out.extend_from_slice(client_random);
        out.extend_from_slice(server_random);
        self.encode(&mut out);
        out
    }
}

impl Codec for ServerEcdhParams {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(CURVE_TYPE_NAMED_CURVE);
        put_u16(out, self.named_curve);
        encode_opaque(out, LengthPrefix::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        if r.u8().need("ECParameters.curve_type")? != CURVE_TYPE_NAMED_CURVE {
            return Err(Error::Decode("ECParameters.curve_type is not named_curve"));
        }
        Ok(ServerEcdhParams {
            named_curve: r.u16().need("ECParameters.namedcurve")?,
            public: read_opaque(r, LengthPrefix::U8, 1, 0xff, "ECPoint")?,
        })
    }
}

/// The ECDHE ServerKeyExchange (RFC 8422 section 5.4), the only key exchange
/// this project implements.
///
/// ```text
/// struct {
///     ServerECDHParams params;
///     digitally-signed struct { ... } signed_params;   // DigitallySigned
/// } ServerKeyExchange;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// `params`.
    pub params: ServerEcdhParams,
    /// `signed_params`: signature over
    /// [`ServerEcdhParams::signed_message`].
    pub signed_params: DigitallySigned,
}

impl Codec for ServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.params.encode(out);
        self.signed_params.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ServerKeyExchange {
            params: ServerEcdhParams::read(r)?,
            signed_params: DigitallySigned::read(r)?,
        })
    }
}

/// The ECDHE ClientKeyExchange (RFC 8422 section 5.7): `ClientECDiffieHellmanPublic`
/// with an explicit `ECPoint ecdh_Yc` (`opaque point <1..2^8-1>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyExchange {
    /// `ecdh_Yc`: the client's ephemeral public point.
    pub public: Vec<u8>,
}

impl Codec for ClientKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, LengthPrefix::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ClientKeyExchange {
            public: read_opaque(r, LengthPrefix::U8, 1, 0xff, "ClientKeyExchange.ecdh_Yc")?,
        })
    }
}
