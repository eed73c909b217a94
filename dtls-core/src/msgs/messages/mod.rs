//! Handshake message bodies (RFC 5246 section 7.4, RFC 6347 section 4.2.1,
//! RFC 8422 section 5, RFC 5077 section 3.3). Field names follow the RFCs.
//!
//! Each body implements [`Codec`]; use [`Codec::read_bytes`] on a reassembled
//! body so trailing bytes are rejected (or [`HandshakePayload`] to dispatch
//! on the message type).
//!
//! One module per concern: hello messages, certificate messages, the
//! ECDHE key exchange, Finished and session tickets; all are re-exported
//! here.
//!
//! [`Codec`]: super::codec::Codec
//! [`Codec::read_bytes`]: super::codec::Codec::read_bytes
//! [`HandshakePayload`]: super::handshake::HandshakePayload

mod certificates;
mod finished;
mod hello;
mod key_exchange;
mod tickets;

pub use certificates::{Certificate, CertificatePayload, CertificateRequest, CertificateVerify};
pub use finished::Finished;
pub use hello::{
    ClientHello, EMPTY_RENEGOTIATION_INFO_SCSV, HelloVerifyRequest, MAX_SESSION_ID_LEN, RANDOM_LEN,
    ServerHello, ServerHelloDone,
};
pub use key_exchange::{
    CURVE_TYPE_NAMED_CURVE, ClientKeyExchange, ClientKeyExchangeParams, DigitallySigned,
    MAX_PSK_IDENTITY_LEN, ServerEcdhParams, ServerKeyExchange, ServerKeyExchangeParams,
};
pub use tickets::NewSessionTicket;
