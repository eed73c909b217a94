//! One generator thread: a poll(2) loop over its clients' sockets and
//! timers until the run's end, then a drain of what is still in flight.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};

use crate::report::Tally;

/// The largest datagram a client reads.
pub(crate) const RECV_BUFFER: usize = 65_536;

/// One client of a run: a socket, and what to do when it is readable and
/// when time passes.
pub(crate) trait Client {
    /// The client's socket (non-blocking, connected to the server).
    fn socket(&self) -> &UdpSocket;
    /// Reads what the socket holds and reacts. `running` is false once the
    /// run's duration has passed: no new work is started then.
    fn on_readable(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally);
    /// Runs what is due by `now` (retransmissions, timeouts, a new
    /// handshake, refilling the window).
    fn tick(&mut self, now: Instant, running: bool, buf: &mut [u8], tally: &mut Tally);
    /// The next instant `tick` has something to do, if any.
    fn deadline(&self) -> Option<Instant>;
    /// Messages still waiting for their echo.
    fn outstanding(&self) -> usize;
    /// The run is over: counts what is unfinished and says goodbye.
    fn finish(&mut self, now: Instant, tally: &mut Tally);
}

/// A non-blocking UDP socket on an ephemeral port, connected to `server`.
pub(crate) fn client_socket(server: SocketAddr) -> std::io::Result<UdpSocket> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local)?;
    socket.connect(server)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// Drives `clients` until `end`, then until their echoes are in or
/// `drain_end` passes; returns their counts.
///
/// # Errors
/// When poll(2) itself fails.
pub(crate) fn drive<C: Client>(
    clients: &mut [C],
    end: Instant,
    drain_end: Instant,
) -> std::io::Result<Tally> {
    let mut tally = Tally::default();
    let mut buf = vec![0u8; RECV_BUFFER];
    let mut readable = vec![false; clients.len()];
    let now = Instant::now();
    for client in clients.iter_mut() {
        client.tick(now, now < end, &mut buf, &mut tally);
    }
    loop {
        let now = Instant::now();
        let running = now < end;
        if !running && (now >= drain_end || clients.iter().all(|c| c.outstanding() == 0)) {
            break;
        }
        let mut deadline = if running { end } else { drain_end };
        for client in clients.iter() {
            if let Some(at) = client.deadline() {
                deadline = deadline.min(at);
            }
        }
        wait_readable(
            clients,
            deadline.saturating_duration_since(now),
            &mut readable,
        )?;
        let now = Instant::now();
        let running = now < end;
        for (client, ready) in clients.iter_mut().zip(&readable) {
            if *ready {
                client.on_readable(now, running, &mut buf, &mut tally);
            }
            client.tick(now, running, &mut buf, &mut tally);
        }
    }
    let now = Instant::now();
    for client in clients.iter_mut() {
        client.finish(now, &mut tally);
    }
    Ok(tally)
}

/// Waits up to `wait` for any socket to become readable; sets `readable`
/// per client.
fn wait_readable<C: Client>(
    clients: &[C],
    wait: Duration,
    readable: &mut [bool],
) -> std::io::Result<()> {
    let mut fds: Vec<PollFd<'_>> = clients
        .iter()
        .map(|c| PollFd::new(c.socket(), PollFlags::IN))
        .collect();
    let timeout = Timespec::try_from(wait).unwrap_or(Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    });
    match poll(&mut fds, Some(&timeout)) {
        Ok(_) => {}
        Err(rustix::io::Errno::INTR) => {
            readable.fill(false);
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    for (flag, fd) in readable.iter_mut().zip(&fds) {
        *flag = !fd.revents().is_empty();
    }
    Ok(())
}

/// At most this many datagrams are read from one socket per wake-up, so one
/// busy client cannot starve the others.
pub(crate) const READS_PER_WAKEUP: usize = 64;
