//! A CoAP-over-DTLS responder (RFC 7252 9.1, the IoT gateway case) on the
//! blocking `DtlsServer`: every DataIn is one CoAP message, every answer one
//! `send_bytes`. Messages are parsed and built with `coap-lite`.
//!
//! - `GET /.well-known/core`: the resource list (RFC 6690 link format);
//! - `GET /hello`: a greeting;
//! - `POST /echo` (or `PUT`): the request's payload back;
//! - anything else: 4.04 Not Found; an unparseable datagram is ignored.
//!
//! With `IDENTITY:HEXKEY` it also takes pre-shared keys (RFC 7252 9.1.3.1:
//! CoAP's PSK mode, `TLS_PSK_WITH_AES_128_CCM_8`), so constrained clients
//! without certificates (tinydtls, aiocoap) can connect:
//!
//! ```text
//! cargo run -p dtls-server --example coap_server -- 127.0.0.1:5684 [IDENTITY:HEXKEY]
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use coap_lite::{CoapRequest, ContentFormat, Packet, RequestType, ResponseType};
use dtls_core::config::ServerPsk;
use dtls_core::psk::{PresharedKey, PskTable};
use dtls_crypto::CipherSuite;
use dtls_crypto::suites::AuthAlgorithm;
use dtls_server::events::{ConnectedEvent, DataInEvent};
use dtls_server::{DtlsServer, ServerHandler};

struct Coap;

/// The response to `request`, or `None` for a message that needs none.
fn respond(datagram: &[u8], peer: SocketAddr) -> Option<Vec<u8>> {
    let packet = Packet::from_bytes(datagram).ok()?;
    let mut request = CoapRequest::from_packet(packet, peer);
    let method = *request.get_method();
    let path = request.get_path();
    let payload = request.message.payload.clone();
    let response = request.response.as_mut()?;
    let (status, body): (ResponseType, Vec<u8>) = match (method, path.as_str()) {
        (RequestType::Get, ".well-known/core") => (
            ResponseType::Content,
            b"</hello>;rt=\"greeting\",</echo>;rt=\"echo\"".to_vec(),
        ),
        (RequestType::Get, "hello") => (ResponseType::Content, b"hello over DTLS".to_vec()),
        (RequestType::Post | RequestType::Put, "echo") => (ResponseType::Content, payload),
        _ => (ResponseType::NotFound, Vec::new()),
    };
    response.set_status(status);
    response
        .message
        .set_content_format(ContentFormat::TextPlain);
    response.message.payload = body;
    response.message.to_bytes().ok()
}

impl ServerHandler for Coap {
    fn on_connected(&mut self, _server: &mut DtlsServer, e: &ConnectedEvent) {
        let identity = e
            .psk_identity
            .as_deref()
            .map(|id| format!(" (PSK identity {})", String::from_utf8_lossy(id)))
            .unwrap_or_default();
        println!(
            "{}:{} {} {}{identity}",
            e.source_addr, e.source_port, e.status_code, e.description
        );
    }

    fn on_data_in(&mut self, server: &mut DtlsServer, e: &DataInEvent) {
        let Some(peer) = server
            .connection(e.connection_id)
            .map(|c| SocketAddr::new(c.remote_host, c.remote_port))
        else {
            return;
        };
        if let Some(answer) = respond(&e.datagram, peer) {
            let _ = server.send_bytes(e.connection_id, &answer);
        }
    }
}

/// The `IDENTITY:HEXKEY` argument as the server's one pre-shared key.
fn psk(spec: &str) -> Result<ServerPsk, Box<dyn std::error::Error>> {
    let (identity, key) = spec.rsplit_once(':').ok_or("expected IDENTITY:HEXKEY")?;
    let mut keys = PskTable::new();
    keys.insert(identity.as_bytes().to_vec(), PresharedKey::from_hex(key)?);
    Ok(ServerPsk::new(Arc::new(keys)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:5684".to_owned())
        .parse()?;
    let psk = args.next().map(|spec| psk(&spec)).transpose()?;
    let mut server = DtlsServer::new();
    {
        let settings = server.settings_mut()?;
        settings.local_host = addr.ip().to_string();
        settings.local_port = addr.port();
    }
    server.set_ssl_cert(dtls_crypto::selfsigned::generate_self_signed(
        "localhost",
        &[],
    )?)?;
    if psk.is_some() {
        // With keys, prefer the PSK suites: a constrained client that also
        // offers ECDHE_ECDSA (tinydtls does) often has no way to check a
        // certificate (RFC 7925 4.2).
        // CoAP's mandatory suite first (RFC 7252 9.1.3.1).
        let mandatory = CipherSuite::TLS_PSK_WITH_AES_128_CCM_8;
        let (mut order, certificate): (Vec<CipherSuite>, Vec<CipherSuite>) = CipherSuite::ALL
            .iter()
            .filter(|s| **s != mandatory)
            .partition(|s| s.auth() == AuthAlgorithm::Psk);
        order.insert(0, mandatory);
        order.extend(certificate);
        server.settings_mut()?.set_cipher_suites(&order)?;
    }
    server.set_psk(psk)?;
    server.set_handler(Coap);
    server.start_listening()?;
    println!("listening on {}:{}", addr.ip(), server.local_port());
    while server.listening() {
        server.do_events()?;
    }
    Ok(())
}
