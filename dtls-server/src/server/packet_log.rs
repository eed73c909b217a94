//! `LogSSLPackets`: the seed fires SSLStatus "each time a SSL packet is sent
//! or received". Here each DTLS record of a connection's datagrams gets one
//! SSLStatus message: its header fields (RFC 6347 4.1) and a hex dump of
//! the record as it crossed the wire (protected records stay ciphertext).

use std::fmt::Write;

use dtls_core::ConnectionHandle;

use super::{ConnectionId, DtlsServer};
use crate::events::SslStatusEvent;
use crate::server::dispatch::SeedEvent;

/// The DTLS record header: type, version, epoch, sequence, length.
const HEADER_LEN: usize = 13;

/// One line per record of `datagram`, `direction` being "sent" or
/// "received"; bytes after the last whole record are one more line.
pub(super) fn describe(direction: &str, datagram: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = datagram;
    while !rest.is_empty() {
        let header = rest.get(..HEADER_LEN);
        let length = header.map(|h| usize::from(u16::from_be_bytes([h[11], h[12]])));
        let (Some(h), Some(record)) = (header, length.and_then(|n| rest.get(..HEADER_LEN + n)))
        else {
            lines.push(format!(
                "{direction} {} bytes that are not a whole record: {}",
                rest.len(),
                hex(rest)
            ));
            break;
        };
        let epoch = u16::from_be_bytes([h[3], h[4]]);
        let sequence = u64::from_be_bytes([0, 0, h[5], h[6], h[7], h[8], h[9], h[10]]);
        lines.push(format!(
            "{direction} {} record, epoch {epoch}, sequence {sequence}, {} bytes: {}",
            content_type(h[0]),
            record.len(),
            hex(record)
        ));
        rest = &rest[record.len()..];
    }
    lines
}

fn content_type(t: u8) -> String {
    match t {
        20 => "change_cipher_spec".to_owned(),
        21 => "alert".to_owned(),
        22 => "handshake".to_owned(),
        23 => "application_data".to_owned(),
        24 => "heartbeat".to_owned(),
        other => format!("type {other}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl DtlsServer {
    /// Raises the SSLStatus events of `lines` for the connection behind
    /// `handle`, if the application knows it.
    pub(super) fn report_packets(&mut self, handle: Option<ConnectionHandle>, lines: Vec<String>) {
        let Some(id) = handle.map(ConnectionId::from) else {
            return;
        };
        if !self.connections.contains_key(&id) {
            return;
        }
        for message in lines {
            self.emit(SeedEvent::SslStatus(SslStatusEvent {
                connection_id: id,
                message,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn each_record_is_one_line_and_leftovers_are_named() {
        let mut datagram = vec![22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 7, 0, 2, 0xAB, 0xCD];
        datagram.extend_from_slice(&[23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0x01]);
        datagram.extend_from_slice(&[21, 0xFE]);
        let lines = describe("received", &datagram);
        assert_eq!(
            lines,
            [
                "received handshake record, epoch 0, sequence 7, 15 bytes: 16fefd00000000000000070002abcd",
                "received application_data record, epoch 1, sequence 256, 14 bytes: 17fefd0001000000000100000101",
                "received 2 bytes that are not a whole record: 15fe",
            ]
        );
    }
}
