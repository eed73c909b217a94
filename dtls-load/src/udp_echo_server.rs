//! A plain UDP echo server with quinn-udp's batching (recvmmsg with GRO in,
//! GSO out), the raw ceiling to compare a DTLS echo server with.

use std::io::{ErrorKind, IoSliceMut};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quinn_udp::{BATCH_SIZE, RecvMeta, Transmit, UdpSockRef, UdpSocketState};
use rustix::event::{PollFd, PollFlags, Timespec, poll};

/// What an echo server did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoServerStats {
    /// Datagrams received (GRO segments counted one by one).
    pub datagrams: u64,
    /// Payload bytes received and sent back.
    pub bytes: u64,
    /// recvmmsg calls that returned datagrams.
    pub batches: u64,
    /// Echoes the socket would not take.
    pub send_errors: u64,
}

/// A bound UDP echo server, one thread, serving until told to stop.
#[derive(Debug)]
pub struct UdpEchoServer {
    socket: UdpSocket,
    state: UdpSocketState,
}

impl UdpEchoServer {
    /// Binds `addr` and sets the socket up for batching.
    ///
    /// # Errors
    /// When the address cannot be bound or the socket configured.
    pub fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let socket = UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        let state = UdpSocketState::new(UdpSockRef::from(&socket))?;
        Ok(UdpEchoServer { socket, state })
    }

    /// The bound address (with the port the kernel chose for port 0).
    ///
    /// # Errors
    /// As [`UdpSocket::local_addr`].
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Echoes every datagram to its sender until `stop` is set (checked at
    /// least every 100 ms).
    ///
    /// # Errors
    /// When poll(2) or a receive fails for a reason other than an ICMP
    /// error from a departed client.
    pub fn serve(&self, stop: &AtomicBool) -> std::io::Result<EchoServerStats> {
        let mut stats = EchoServerStats::default();
        // Room for a full GRO train of the largest datagrams in each slot.
        let slot = (self.state.gro_segments() * 1500).max(65_536);
        let mut storage = vec![0u8; slot * BATCH_SIZE];
        let mut bufs: Vec<IoSliceMut<'_>> = storage.chunks_mut(slot).map(IoSliceMut::new).collect();
        let mut meta = [RecvMeta::default(); BATCH_SIZE];
        let tick = Timespec::try_from(Duration::from_millis(100)).unwrap_or(Timespec {
            tv_sec: 0,
            tv_nsec: 100_000_000,
        });
        while !stop.load(Ordering::Relaxed) {
            let mut fds = [PollFd::new(&self.socket, PollFlags::IN)];
            match poll(&mut fds, Some(&tick)) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
            self.echo_ready(&mut bufs, &mut meta, &mut stats)?;
        }
        Ok(stats)
    }

    /// Receives and echoes batches until the socket is empty.
    fn echo_ready(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
        stats: &mut EchoServerStats,
    ) -> std::io::Result<()> {
        loop {
            let count = match self.state.recv(UdpSockRef::from(&self.socket), bufs, meta) {
                Ok(count) => count,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                // An ICMP error left by a client that went away.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => continue,
                Err(e) => return Err(e),
            };
            stats.batches += 1;
            for (buf, m) in bufs.iter().zip(meta.iter()).take(count) {
                let Some(contents) = buf.get(..m.len) else {
                    continue;
                };
                let stride = m.stride.max(1);
                stats.datagrams += m.len.div_ceil(stride) as u64;
                stats.bytes += m.len as u64;
                // A GRO train goes back as GSO sends of the same stride,
                // as many segments at a time as the kernel takes.
                let per_send = stride * self.state.max_gso_segments().max(1);
                for chunk in contents.chunks(per_send) {
                    let transmit = Transmit {
                        destination: m.addr,
                        ecn: None,
                        contents: chunk,
                        segment_size: (stride < chunk.len()).then_some(stride),
                        src_ip: None,
                    };
                    if self
                        .state
                        .try_send(UdpSockRef::from(&self.socket), &transmit)
                        .is_err()
                    {
                        stats.send_errors += 1;
                    }
                }
            }
        }
    }
}
