//! The server's UDP socket with batched I/O. Datagrams come in many per
//! system call (`recvmmsg`, with GRO trains split back into datagrams,
//! through quinn-udp) and go out many per call (`sendmmsg` on Linux); a
//! `do_events` call waits once, in `poll(2)`. The socket is non-blocking
//! for its whole life, so no call changes a socket option.

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use dtls_core::ConnectionHandle;
use quinn_udp::{BATCH_SIZE, RecvMeta, UdpSockRef, UdpSocketState};

/// Room for one received datagram or GRO train: the largest UDP payload
/// (a train is at most one IP packet's worth too).
const RECV_SLOT: usize = 65_536;

/// Room for a stateless reply: a HelloVerifyRequest or an alert
/// (RFC 6347 4.2.1 keeps them small; the engine never writes more).
pub(super) const REPLY_ROOM: usize = 256;

/// Datagrams one send system call takes at most.
pub(super) const SEND_BATCH: usize = 32;

/// The bound socket and what batching needs to know about it.
pub(super) struct UdpIo {
    socket: UdpSocket,
    state: UdpSocketState,
    /// The bound address, read once.
    local: SocketAddr,
    /// System calls that received datagrams, and that sent some.
    pub(super) calls: (u64, u64),
}

impl UdpIo {
    /// Makes `socket` non-blocking and asks the kernel for what batching
    /// uses where it has it (GRO, the destination address of each datagram).
    pub(super) fn new(socket: UdpSocket) -> io::Result<Self> {
        socket.set_nonblocking(true)?;
        // quinn-udp forbids fragmentation (for QUIC); DontFragment is the
        // server's setting, already applied, so it is put back.
        #[cfg(target_os = "linux")]
        let fragmentation = fragmentation::read(&socket);
        let state = UdpSocketState::new(UdpSockRef::from(&socket))?;
        #[cfg(target_os = "linux")]
        {
            fragmentation::restore(&socket, fragmentation)?;
            // Nor does the server read ECN marks: one control message
            // fewer per datagram received.
            let _ = rustix::net::sockopt::set_ip_recvtos(&socket, false);
        }
        let local = socket.local_addr()?;
        Ok(UdpIo {
            socket,
            state,
            local,
            calls: (0, 0),
        })
    }

    pub(super) fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// The address the socket is bound to.
    pub(super) fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Waits up to `timeout` for a datagram to read. A signal ending the
    /// wait early is not an error (the caller just runs its loop again).
    pub(super) fn wait_readable(&self, timeout: Duration) -> io::Result<()> {
        wait(&self.socket, timeout, false)
    }

    /// Receives what is queued, up to one batch, into `batch` (its previous
    /// contents are gone). Returns how many slots hold datagrams; `Ok(0)`
    /// when nothing is queued.
    pub(super) fn recv(&mut self, batch: &mut RecvBatch) -> io::Result<usize> {
        batch.count = 0;
        if batch.storage.is_empty() {
            batch.storage = vec![0u8; RECV_SLOT * BATCH_SIZE];
        }
        let mut chunks = batch.storage.chunks_mut(RECV_SLOT);
        let mut bufs: [IoSliceMut<'_>; BATCH_SIZE] =
            std::array::from_fn(|_| IoSliceMut::new(chunks.next().unwrap_or(&mut [])));
        loop {
            match self
                .state
                .recv(UdpSockRef::from(&self.socket), &mut bufs, &mut batch.meta)
            {
                Ok(count) => {
                    batch.count = count;
                    self.calls.0 += 1;
                    return Ok(count);
                }
                Err(e) => match e.kind() {
                    io::ErrorKind::WouldBlock => return Ok(0),
                    io::ErrorKind::Interrupted => {}
                    // ICMP port unreachable from a peer that went away
                    // surfaces here on Linux: not the server's problem.
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {}
                    _ => return Err(e),
                },
            }
        }
    }

    /// Sends every datagram of `batch`, a system call per batch or GSO
    /// train; `on_failure` hears of each datagram that was not sent (by
    /// index), and the rest still go.
    pub(super) fn send_all(
        &mut self,
        batch: &SendBatch,
        mut on_failure: impl FnMut(usize, io::Error),
    ) {
        let mut sent = 0;
        while sent < batch.len() {
            match self.send(batch, sent) {
                Ok(n) if n > 0 => sent += n,
                result => {
                    let e = result
                        .err()
                        .unwrap_or_else(|| io::ErrorKind::WriteZero.into());
                    on_failure(sent, e);
                    sent += 1;
                }
            }
        }
    }

    /// Sends the datagrams of `batch` from index `from` on. Returns how
    /// many were sent; an error is about the datagram at `from` (the
    /// caller skips it and calls again for the rest). A full socket buffer
    /// is waited out for up to [`SEND_STALL`], as a blocking send would.
    fn send(&mut self, batch: &SendBatch, from: usize) -> io::Result<usize> {
        loop {
            match self.send_now(batch, from) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait(&self.socket, SEND_STALL, true)?;
                    let sent = self.send_now(batch, from);
                    self.calls.1 += u64::from(sent.is_ok());
                    return sent;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => {
                    self.calls.1 += u64::from(other.is_ok());
                    return other;
                }
            }
        }
    }

    /// One system call: a GSO train when the datagrams at `from` make one
    /// (UDP_SEGMENT: one destination, equal sizes), else `sendmmsg` of
    /// the datagrams up to the next train.
    #[cfg(target_os = "linux")]
    fn send_now(&self, batch: &SendBatch, from: usize) -> io::Result<usize> {
        use rustix::net::addr::SocketAddrArg;
        use rustix::net::{MMsgHdr, SendAncillaryBuffer, SendFlags, sendmmsg};
        use std::io::IoSlice;
        let gso = self.state.max_gso_segments();
        let train = batch.gso_train(from, gso);
        if train.count > 1 {
            let transmit = quinn_udp::Transmit {
                destination: train.destination,
                ecn: None,
                contents: train.bytes,
                segment_size: Some(train.segment),
                src_ip: None,
            };
            self.state
                .try_send(UdpSockRef::from(&self.socket), &transmit)?;
            return Ok(train.count);
        }
        let mut pending = 0;
        while pending < SEND_BATCH
            && from + pending < batch.len
            && (pending == 0 || batch.gso_train(from + pending, gso).count < 2)
        {
            pending += 1;
        }
        if pending == 0 {
            return Ok(0);
        }
        // Each message's parts must outlive the call; unused tail entries
        // are empty and not passed.
        let fallback = SocketAddr::from(([0, 0, 0, 0], 0));
        let mut parts: [_; SEND_BATCH] = std::array::from_fn(|i| {
            let (destination, bytes) = batch
                .datagram(from + i)
                .map_or((fallback, &[][..]), |(_, d, b)| (d, b));
            (
                destination.as_any(),
                [IoSlice::new(bytes)],
                SendAncillaryBuffer::default(),
            )
        });
        let mut messages = parts
            .each_mut()
            .map(|(addr, iov, control)| MMsgHdr::new_with_addr(addr, iov, control));
        let Some(messages) = messages.get_mut(..pending) else {
            return Ok(0);
        };
        Ok(sendmmsg(&self.socket, messages, SendFlags::empty())?)
    }

    #[cfg(not(target_os = "linux"))]
    fn send_now(&self, batch: &SendBatch, from: usize) -> io::Result<usize> {
        let mut sent = 0;
        while let Some((_, destination, bytes)) = batch.datagram(from + sent) {
            match self.socket.send_to(bytes, destination) {
                Ok(_) => sent += 1,
                Err(e) if sent == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(sent)
    }
}

/// The path MTU discovery modes of a socket (IPv4, and IPv6 where it is
/// an IPv6 socket).
#[cfg(target_os = "linux")]
mod fragmentation {
    use rustix::net::sockopt::{self, Ipv4PathMtuDiscovery, Ipv6PathMtuDiscovery};
    use std::net::UdpSocket;

    pub(super) type Modes = (Option<Ipv4PathMtuDiscovery>, Option<Ipv6PathMtuDiscovery>);

    pub(super) fn read(socket: &UdpSocket) -> Modes {
        (
            sockopt::ip_mtu_discover(socket).ok(),
            sockopt::ipv6_mtu_discover(socket).ok(),
        )
    }

    pub(super) fn restore(socket: &UdpSocket, (v4, v6): Modes) -> std::io::Result<()> {
        if let Some(mode) = v4 {
            sockopt::set_ip_mtu_discover(socket, mode)?;
        }
        if let Some(mode) = v6 {
            sockopt::set_ipv6_mtu_discover(socket, mode)?;
        }
        Ok(())
    }
}

/// How long a send waits for room in a full socket buffer before the
/// datagram counts as not sent.
const SEND_STALL: Duration = Duration::from_millis(50);

#[cfg(unix)]
fn wait(socket: &UdpSocket, timeout: Duration, writable: bool) -> io::Result<()> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let flags = if writable {
        PollFlags::OUT
    } else {
        PollFlags::IN
    };
    let timeout = Timespec::try_from(timeout).unwrap_or(Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    });
    let mut fds = [PollFd::new(socket, flags)];
    match poll(&mut fds, Some(&timeout)) {
        Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Without poll(2): a blocking peek with a timeout, then back to
/// non-blocking (two option calls per wait, on these systems only).
#[cfg(not(unix))]
fn wait(socket: &UdpSocket, timeout: Duration, writable: bool) -> io::Result<()> {
    if writable {
        std::thread::sleep(timeout);
        return Ok(());
    }
    socket.set_nonblocking(false)?;
    socket.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
    let mut byte = [0u8; 1];
    let _ = socket.peek_from(&mut byte);
    socket.set_nonblocking(true)
}

/// Received datagrams: one batch's slots and what the kernel said of each.
pub(super) struct RecvBatch {
    /// `BATCH_SIZE` slots of [`RECV_SLOT`] bytes, allocated on first use.
    storage: Vec<u8>,
    meta: [RecvMeta; BATCH_SIZE],
    count: usize,
}

impl Default for RecvBatch {
    fn default() -> Self {
        RecvBatch {
            storage: Vec::new(),
            meta: [RecvMeta::default(); BATCH_SIZE],
            count: 0,
        }
    }
}

impl RecvBatch {
    /// How many slots the last receive filled.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Slot `i` of the last receive: who sent it, the address it was sent
    /// to (where the kernel reports it), its bytes, and the size of each
    /// datagram in it (a GRO train holds several of that size, the last
    /// possibly shorter).
    pub(super) fn slot(
        &mut self,
        i: usize,
    ) -> Option<(SocketAddr, Option<IpAddr>, &mut [u8], usize)> {
        if i >= self.count {
            return None;
        }
        let meta = self.meta.get(i)?;
        let start = i.checked_mul(RECV_SLOT)?;
        let bytes = self
            .storage
            .get_mut(start..start + meta.len.min(RECV_SLOT))?;
        Some((meta.addr, meta.dst_ip, bytes, meta.stride.max(1)))
    }
}

/// The largest datagram one application record can need: 2^14 bytes of
/// plaintext plus the most any cipher adds (RFC 5246 6.2.3) and a record
/// header with the longest connection ID (RFC 9146 4).
const LARGEST_RECORD_DATAGRAM: usize = (1 << 14) + 2048 + 13 + 255;

/// Datagrams to send, up to [`SEND_BATCH`], written by the engine one
/// after another into one buffer.
#[derive(Default)]
pub(super) struct SendBatch {
    storage: Vec<u8>,
    /// Bytes of `storage` used.
    used: usize,
    /// The room the next datagram gets.
    room: usize,
    /// Each datagram's start, length, destination and connection (none
    /// for a stateless reply).
    entries: [Entry; SEND_BATCH],
    len: usize,
}

impl SendBatch {
    /// An empty batch for datagrams of up to `room` bytes.
    pub(super) fn with_room(room: usize) -> Self {
        let mut batch = SendBatch::default();
        batch.clear(room, room);
        batch
    }

    /// An empty batch for the datagrams of connections sending with `mtu`.
    pub(super) fn for_mtu(mtu: usize) -> Self {
        let mut batch = SendBatch::default();
        batch.clear_for_mtu(mtu);
        batch
    }

    /// Empties the batch, sized for a full batch of datagrams of `mtu`
    /// bytes, each given room for the largest application record.
    pub(super) fn clear_for_mtu(&mut self, mtu: usize) {
        self.clear(mtu, mtu.max(LARGEST_RECORD_DATAGRAM));
    }

    /// Empties the batch, sized for a full batch of `typical`-byte
    /// datagrams, each given `largest` bytes of room (the storage only
    /// ever grows).
    pub(super) fn clear(&mut self, typical: usize, largest: usize) {
        self.len = 0;
        self.used = 0;
        self.room = largest.max(1);
        let size = typical.saturating_mul(SEND_BATCH).saturating_add(self.room);
        if self.storage.len() < size {
            self.storage.resize(size, 0);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// No room for another datagram.
    pub(super) fn is_full(&self) -> bool {
        self.len == SEND_BATCH || self.used + self.room > self.storage.len()
    }

    /// Room for the next datagram, for the engine to write it into.
    pub(super) fn next_slot(&mut self) -> Option<&mut [u8]> {
        if self.is_full() {
            return None;
        }
        self.storage.get_mut(self.used..self.used + self.room)
    }

    /// Records that the next slot now holds `len` bytes of `connection`
    /// for `destination`.
    pub(super) fn push(
        &mut self,
        connection: impl Into<Option<ConnectionHandle>>,
        destination: SocketAddr,
        len: usize,
    ) {
        let len = len.min(self.room);
        if let Some(entry) = self.entries.get_mut(self.len) {
            *entry = Entry {
                start: self.used,
                len,
                destination: Some(destination),
                connection: connection.into(),
            };
            self.used += len;
            self.len += 1;
        }
    }

    /// Datagram `i`: its connection, destination and bytes (a stateless
    /// reply has no connection and is not listed).
    pub(super) fn get(&self, i: usize) -> Option<(ConnectionHandle, SocketAddr, &[u8])> {
        let (connection, destination, bytes) = self.datagram(i)?;
        Some((connection?, destination, bytes))
    }

    fn datagram(&self, i: usize) -> Option<(Option<ConnectionHandle>, SocketAddr, &[u8])> {
        if i >= self.len {
            return None;
        }
        let e = self.entries.get(i)?;
        let bytes = self.storage.get(e.start..e.start + e.len)?;
        Some((e.connection, e.destination?, bytes))
    }
}

/// Datagrams of a batch that one GSO send carries.
#[cfg(target_os = "linux")]
pub(super) struct GsoTrain<'a> {
    destination: SocketAddr,
    /// The datagrams, back to back.
    bytes: &'a [u8],
    /// Each datagram's size (the last may be shorter).
    segment: usize,
    count: usize,
}

/// The most bytes one GSO send may carry (one IP packet's payload).
#[cfg(target_os = "linux")]
const GSO_MAX_BYTES: usize = 65_000;

#[cfg(target_os = "linux")]
impl SendBatch {
    /// The datagrams from `from` on that one GSO send of up to `max`
    /// segments can carry: one destination, back to back in the storage,
    /// each as long as the first except the last, which may be shorter.
    pub(super) fn gso_train(&self, from: usize, max: usize) -> GsoTrain<'_> {
        let entries = self.entries.get(from..self.len).unwrap_or(&[]);
        let Some(first) = entries.first() else {
            return GsoTrain {
                destination: SocketAddr::from(([0, 0, 0, 0], 0)),
                bytes: &[],
                segment: 0,
                count: 0,
            };
        };
        let max = max.min(GSO_MAX_BYTES / first.len.max(1)).max(1);
        let mut count = 1;
        let mut end = first.start + first.len;
        for pair in entries.windows(2).take(max - 1) {
            let [prev, next] = pair else { break };
            if prev.len != first.len
                || next.destination != first.destination
                || next.start != end
                || next.len > first.len
            {
                break;
            }
            count += 1;
            end += next.len;
        }
        GsoTrain {
            destination: first
                .destination
                .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0))),
            bytes: self.storage.get(first.start..end).unwrap_or(&[]),
            segment: first.len,
            count: if first.destination.is_some() {
                count
            } else {
                1
            },
        }
    }
}

/// Where one batched datagram lies and where it goes.
#[derive(Clone, Copy, Default)]
struct Entry {
    start: usize,
    len: usize,
    destination: Option<SocketAddr>,
    connection: Option<ConnectionHandle>,
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::SocketAddr;

    use super::SendBatch;

    fn batch(datagrams: &[(u16, usize)]) -> SendBatch {
        let mut batch = SendBatch::with_room(2000);
        for &(port, len) in datagrams {
            assert!(batch.next_slot().is_some());
            batch.push(None, SocketAddr::from(([127, 0, 0, 1], port)), len);
        }
        batch
    }

    #[test]
    fn a_train_is_one_destination_of_equal_sizes_with_a_shorter_last() {
        let b = batch(&[(1, 100), (1, 100), (1, 60), (1, 100)]);
        let train = b.gso_train(0, 64);
        assert_eq!(
            (train.count, train.segment, train.bytes.len()),
            (3, 100, 260)
        );
        assert_eq!(b.gso_train(3, 64).count, 1);
    }

    #[test]
    fn a_train_stops_at_another_destination_a_longer_datagram_or_the_limit() {
        let b = batch(&[(1, 100), (2, 100), (2, 100), (2, 120)]);
        assert_eq!(b.gso_train(0, 64).count, 1);
        assert_eq!(b.gso_train(1, 64).count, 2);
        assert_eq!(b.gso_train(1, 1).count, 1);
        assert_eq!(b.gso_train(4, 64).count, 0);
    }
}
