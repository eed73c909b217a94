//! The key exchange messages: ServerKeyExchange and ClientKeyExchange of
//! ECDHE (RFC 8422 section 5, RFC 5246 section 4.7), PSK (RFC 4279 section
//! 2) and ECDHE_PSK (RFC 5489 section 2). Their format depends on the
//! negotiated suite, so the messages are kept as bodies and read with the
//! suite's [`KeyExchangeAlgorithm`].

use dtls_crypto::suites::KeyExchangeAlgorithm;

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

/// A ServerKeyExchange as received: its body, read with
/// [`ServerKeyExchange::params`] once the negotiated suite says which key
/// exchange it carries (RFC 5246 7.4.3: its format depends on the suite).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// The message body.
    pub body: Vec<u8>,
}

impl ServerKeyExchange {
    /// The body read as the parameters of `kx`; the body must be consumed
    /// exactly.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the field that does not decode.
    pub fn params(&self, kx: KeyExchangeAlgorithm) -> Result<ServerKeyExchangeParams, Error> {
        let mut r = Reader::new(&self.body);
        let params = match kx {
            KeyExchangeAlgorithm::EcdheEcdsa | KeyExchangeAlgorithm::EcdheRsa => {
                ServerKeyExchangeParams::Ecdhe {
                    params: ServerEcdhParams::read(&mut r)?,
                    signed_params: DigitallySigned::read(&mut r)?,
                }
            }
            KeyExchangeAlgorithm::Psk => ServerKeyExchangeParams::Psk {
                identity_hint: read_psk_identity(&mut r, "psk_identity_hint")?,
            },
            KeyExchangeAlgorithm::EcdhePsk => ServerKeyExchangeParams::EcdhePsk {
                identity_hint: read_psk_identity(&mut r, "psk_identity_hint")?,
                params: ServerEcdhParams::read(&mut r)?,
            },
        };
        if !r.is_empty() {
            return Err(Error::Decode("trailing bytes after ServerKeyExchange"));
        }
        Ok(params)
    }
}

impl From<&ServerKeyExchangeParams> for ServerKeyExchange {
    fn from(params: &ServerKeyExchangeParams) -> Self {
        let mut body = Vec::new();
        match params {
            ServerKeyExchangeParams::Ecdhe {
                params,
                signed_params,
            } => {
                params.encode(&mut body);
                signed_params.encode(&mut body);
            }
            ServerKeyExchangeParams::Psk { identity_hint } => {
                encode_opaque(&mut body, LengthPrefix::U16, identity_hint);
            }
            ServerKeyExchangeParams::EcdhePsk {
                identity_hint,
                params,
            } => {
                encode_opaque(&mut body, LengthPrefix::U16, identity_hint);
                params.encode(&mut body);
            }
        }
        ServerKeyExchange { body }
    }
}

impl Codec for ServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.body);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ServerKeyExchange {
            body: r.rest().to_vec(),
        })
    }
}

/// What a ServerKeyExchange carries, by key exchange.
///
/// ```text
/// ECDHE_ECDSA, ECDHE_RSA (RFC 8422 5.4):
///     ServerECDHParams params; digitally-signed struct {...} signed_params;
/// PSK (RFC 4279 2):
///     opaque psk_identity_hint<0..2^16-1>;
/// ECDHE_PSK (RFC 5489 2):
///     opaque psk_identity_hint<0..2^16-1>; ServerECDHParams params;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerKeyExchangeParams {
    /// Signed ECDHE parameters: the signature covers
    /// [`ServerEcdhParams::signed_message`].
    Ecdhe {
        /// `params`.
        params: ServerEcdhParams,
        /// `signed_params`.
        signed_params: DigitallySigned,
    },
    /// A hint to help the client choose its identity (may be empty).
    Psk {
        /// `psk_identity_hint`.
        identity_hint: Vec<u8>,
    },
    /// Unsigned ECDHE parameters with an identity hint: the PSK
    /// authenticates them through the Finished messages.
    EcdhePsk {
        /// `psk_identity_hint`.
        identity_hint: Vec<u8>,
        /// `params`.
        params: ServerEcdhParams,
    },
}

/// A ClientKeyExchange as received: its body, read with
/// [`ClientKeyExchange::params`] once the suite is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyExchange {
    /// The message body.
    pub body: Vec<u8>,
}

impl ClientKeyExchange {
    /// The body read as the ClientKeyExchange of `kx`; the body must be
    /// consumed exactly.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the field that does not decode.
    pub fn params(&self, kx: KeyExchangeAlgorithm) -> Result<ClientKeyExchangeParams, Error> {
        let mut r = Reader::new(&self.body);
        let params = match kx {
            KeyExchangeAlgorithm::EcdheEcdsa | KeyExchangeAlgorithm::EcdheRsa => {
                ClientKeyExchangeParams::Ecdhe {
                    public: read_point(&mut r)?,
                }
            }
            KeyExchangeAlgorithm::Psk => ClientKeyExchangeParams::Psk {
                identity: read_psk_identity(&mut r, "psk_identity")?,
            },
            KeyExchangeAlgorithm::EcdhePsk => ClientKeyExchangeParams::EcdhePsk {
                identity: read_psk_identity(&mut r, "psk_identity")?,
                public: read_point(&mut r)?,
            },
        };
        if !r.is_empty() {
            return Err(Error::Decode("trailing bytes after ClientKeyExchange"));
        }
        Ok(params)
    }
}

impl From<&ClientKeyExchangeParams> for ClientKeyExchange {
    fn from(params: &ClientKeyExchangeParams) -> Self {
        let mut body = Vec::new();
        match params {
            ClientKeyExchangeParams::Ecdhe { public } => {
                encode_opaque(&mut body, LengthPrefix::U8, public);
            }
            ClientKeyExchangeParams::Psk { identity } => {
                encode_opaque(&mut body, LengthPrefix::U16, identity);
            }
            ClientKeyExchangeParams::EcdhePsk { identity, public } => {
                encode_opaque(&mut body, LengthPrefix::U16, identity);
                encode_opaque(&mut body, LengthPrefix::U8, public);
            }
        }
        ClientKeyExchange { body }
    }
}

impl Codec for ClientKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.body);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ClientKeyExchange {
            body: r.rest().to_vec(),
        })
    }
}

/// What a ClientKeyExchange carries, by key exchange.
///
/// ```text
/// ECDHE_ECDSA, ECDHE_RSA (RFC 8422 5.7):  ECPoint ecdh_Yc;      // opaque <1..2^8-1>
/// PSK (RFC 4279 2):                       opaque psk_identity<0..2^16-1>;
/// ECDHE_PSK (RFC 5489 2):                 opaque psk_identity<0..2^16-1>; ECPoint ecdh_Yc;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKeyExchangeParams {
    /// The client's ephemeral public point.
    Ecdhe {
        /// `ecdh_Yc`.
        public: Vec<u8>,
    },
    /// The identity whose key the client uses.
    Psk {
        /// `psk_identity`.
        identity: Vec<u8>,
    },
    /// The identity and the client's ephemeral public point.
    EcdhePsk {
        /// `psk_identity`.
        identity: Vec<u8>,
        /// `ecdh_Yc`.
        public: Vec<u8>,
    },
}

/// The longest PSK identity or hint we accept. RFC 4279 5.3 asks for 128
/// bytes at least; the wire allows 2^16-1.
pub const MAX_PSK_IDENTITY_LEN: usize = 1024;

fn read_psk_identity(r: &mut Reader<'_>, field: &'static str) -> Result<Vec<u8>, Error> {
    read_opaque(r, LengthPrefix::U16, 0, MAX_PSK_IDENTITY_LEN, field)
}

fn read_point(r: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    read_opaque(r, LengthPrefix::U8, 1, 0xff, "ClientKeyExchange.ecdh_Yc")
}
