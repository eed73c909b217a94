//! A plain UDP echo client of a run: a window of datagrams in flight, no
//! DTLS, for the raw ceiling.

use std::io::ErrorKind;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use crate::options::LoadOptions;
use crate::report::Tally;
use crate::worker::{Client, READS_PER_WAKEUP};

/// One plain UDP client with its own socket.
pub(crate) struct UdpClient {
    socket: UdpSocket,
    payload: Vec<u8>,
    window: usize,
    in_flight: usize,
    last_reply: Instant,
    stall_timeout: Duration,
}

impl UdpClient {
    /// A client for `opts`, on a new socket connected to the server.
    pub(crate) fn new(opts: &LoadOptions, now: Instant) -> std::io::Result<Self> {
        Ok(UdpClient {
            socket: crate::worker::client_socket(opts.connect)?,
            payload: (0..opts.size).map(|i| (i % 251) as u8).collect(),
            window: opts.window,
            in_flight: 0,
            last_reply: now,
            stall_timeout: opts.stall_timeout,
        })
    }
}

impl Client for UdpClient {
    fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    fn on_readable(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally) {
        for _ in 0..READS_PER_WAKEUP {
            match self.socket.recv(buf) {
                Ok(len) => {
                    if buf.get(..len) == Some(&self.payload[..]) {
                        tally.messages_echoed += 1;
                        tally.bytes_echoed += len as u64;
                        if running {
                            tally.bytes_echoed_in_time += len as u64;
                        }
                    } else {
                        tally.wrong_replies += 1;
                    }
                    self.in_flight = self.in_flight.saturating_sub(1);
                    self.last_reply = now;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => tally.recv_errors += 1,
            }
        }
    }

    fn tick(&mut self, now: Instant, running: bool, _buf: &mut [u8], tally: &mut Tally) {
        if self.in_flight > 0 && now.duration_since(self.last_reply) >= self.stall_timeout {
            tally.messages_lost += self.in_flight as u64;
            self.in_flight = 0;
            self.last_reply = now;
        }
        if !running {
            return;
        }
        if self.in_flight == 0 {
            self.last_reply = now;
        }
        while self.in_flight < self.window {
            match self.socket.send(&self.payload) {
                Ok(_) => {
                    self.in_flight += 1;
                    tally.messages_sent += 1;
                    tally.bytes_sent += self.payload.len() as u64;
                }
                Err(_) => {
                    tally.send_errors += 1;
                    break;
                }
            }
        }
    }

    fn deadline(&self) -> Option<Instant> {
        (self.in_flight > 0).then(|| self.last_reply + self.stall_timeout)
    }

    fn outstanding(&self) -> usize {
        self.in_flight
    }

    fn finish(&mut self, _now: Instant, tally: &mut Tally) {
        tally.messages_lost += self.in_flight as u64;
        self.in_flight = 0;
    }
}
