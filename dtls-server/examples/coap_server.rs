//! A CoAP-over-DTLS responder (RFC 7252 9.1, the IoT gateway case) on the
//! blocking `DtlsServer`: every DataIn is one CoAP message, every answer one
//! `send_bytes`. Messages are parsed and built with `coap-lite`.
//!
//! - `GET /.well-known/core`: the resource list (RFC 6690 link format);
//! - `GET /hello`: a greeting;
//! - `POST /echo` (or `PUT`): the request's payload back;
//! - anything else: 4.04 Not Found; an unparseable datagram is ignored.
//!
//! ```text
//! cargo run -p dtls-server --example coap_server -- 127.0.0.1:5684
//! ```

use std::net::SocketAddr;

use coap_lite::{CoapRequest, ContentFormat, Packet, RequestType, ResponseType};
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
        println!(
            "{}:{} {} {}",
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5684".to_owned())
        .parse()?;
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
    server.set_handler(Coap);
    server.start_listening()?;
    println!("listening on {}:{}", addr.ip(), server.local_port());
    while server.listening() {
        server.do_events()?;
    }
    Ok(())
}
