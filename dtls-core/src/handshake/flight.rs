//! Our last flight, kept for retransmission (RFC 6347 4.2.4).
//!
//! DTLS groups handshake messages into flights and, when the retransmission
//! timer expires or the peer retransmits its previous flight, resends the
//! whole of our last flight (RFC 6347 4.2.4). A flight can span an epoch
//! change: the server's final flight is ChangeCipherSpec (epoch 0) followed by
//! Finished (epoch 1). Each entry therefore records the epoch it was first
//! sent in, and a retransmission must be protected under that same epoch,
//! since the peer reads ChangeCipherSpec in the old epoch and Finished in the
//! new one (RFC 6347 4.1). A retransmitted handshake message also keeps its
//! `message_seq` (RFC 6347 4.2.2); only the record sequence number is new.
//!
//! This is a plain data holder: it stores unprotected message bodies and does
//! no cryptography. The engine re-fragments and re-protects every entry with
//! that epoch's keys each time it sends the flight.

/// One message of a flight, unprotected (RFC 6347 4.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlightContent {
    /// A handshake message, kept whole; the engine fragments it again for the
    /// current path MTU each time it is sent (RFC 6347 4.2.3).
    Handshake {
        /// The `HandshakeType` (RFC 5246 7.4).
        msg_type: u8,
        /// The `message_seq` it was first sent with; a retransmission reuses
        /// it (RFC 6347 4.2.2).
        message_seq: u16,
        /// The message body, without the 12-byte handshake header.
        body: Vec<u8>,
    },
    /// A ChangeCipherSpec message (RFC 5246 7.1), a record of its own content
    /// type whose body is the single byte 1.
    ChangeCipherSpec,
}

/// A flight message with the epoch it must be sent in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlightEntry {
    /// The epoch the message was first sent in, which every retransmission
    /// must use again (RFC 6347 4.1, 4.2.4).
    pub epoch: u16,
    /// The message.
    pub content: FlightContent,
}

/// The messages of the last flight we sent, in sending order (RFC 6347 4.2.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlightBuffer {
    entries: Vec<FlightEntry>,
}

impl FlightBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a message that is part of the flight being sent.
    pub fn push(&mut self, epoch: u16, content: FlightContent) {
        self.entries.push(FlightEntry { epoch, content });
    }

    /// The messages in the order they were pushed, which is the order they
    /// must be resent in (RFC 6347 4.2.4).
    pub fn as_slice(&self) -> &[FlightEntry] {
        &self.entries
    }

    /// Forgets the flight: the peer answered it, or a new flight begins
    /// (RFC 6347 4.2.4, leaving the WAITING state). Keeps the allocation.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Whether no flight is buffered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn handshake(msg_type: u8, message_seq: u16, body: &[u8]) -> FlightContent {
        FlightContent::Handshake {
            msg_type,
            message_seq,
            body: body.to_vec(),
        }
    }

    #[test]
    fn keeps_order_and_epochs() {
        let mut flight = FlightBuffer::new();
        assert!(flight.is_empty());
        // A resumed-session server flight: ServerHello, CCS, Finished.
        flight.push(0, handshake(2, 1, b"server hello"));
        flight.push(0, FlightContent::ChangeCipherSpec);
        flight.push(1, handshake(20, 2, b"finished...."));
        assert!(!flight.is_empty());
        assert_eq!(flight.as_slice().iter().count(), 3);
        let epochs: Vec<u16> = flight.as_slice().iter().map(|e| e.epoch).collect();
        assert_eq!(epochs, [0, 0, 1]);
        let contents: Vec<&FlightContent> = flight.as_slice().iter().map(|e| &e.content).collect();
        assert_eq!(contents[0], &handshake(2, 1, b"server hello"));
        assert_eq!(contents[1], &FlightContent::ChangeCipherSpec);
        assert_eq!(contents[2], &handshake(20, 2, b"finished...."));
    }

    #[test]
    fn iterating_twice_gives_the_same_flight() {
        let mut flight = FlightBuffer::new();
        flight.push(0, handshake(11, 2, &[1, 2, 3]));
        flight.push(0, handshake(14, 3, &[]));
        let first: Vec<FlightEntry> = flight.as_slice().to_vec();
        let second: Vec<FlightEntry> = flight.as_slice().to_vec();
        assert_eq!(first, second);
    }

    #[test]
    fn clear_empties_it() {
        let mut flight = FlightBuffer::new();
        flight.push(0, handshake(2, 1, b"x"));
        flight.clear();
        assert!(flight.is_empty());
        assert_eq!(flight.as_slice().iter().count(), 0);
        assert_eq!(flight.as_slice().iter().count(), 0);
        flight.push(1, FlightContent::ChangeCipherSpec);
        assert_eq!(flight.as_slice().iter().count(), 1);
    }
}
