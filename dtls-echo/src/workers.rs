//! `--threads N`: N servers on one port, one thread each. The kernel
//! spreads clients over them by address (`SO_REUSEPORT`); a datagram whose
//! connection ID another worker issued (a client that moved, RFC 9146) is
//! handed to that worker over a channel.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use dtls_server::DtlsServer;

/// How long a worker's `do_events` waits, so forwarded datagrams wait at
/// most this long.
const WAIT: Duration = Duration::from_millis(5);

/// Forwarded datagrams a worker's inbox holds; more are dropped (anyone can
/// send datagrams that look like another worker's, so it must be bounded).
const INBOX: usize = 1024;

/// Forwarded datagrams a worker handles per loop, so its own socket is
/// served too.
const PER_LOOP: usize = 256;

/// Runs `servers` (listening, worker `i` issuing CIDs with prefix `i`)
/// until `stop` is set, then shuts them down.
pub(crate) fn run(servers: Vec<DtlsServer>, stop: &AtomicBool) {
    let (senders, receivers): (Vec<SyncSender<Forwarded>>, Vec<Receiver<Forwarded>>) =
        servers.iter().map(|_| sync_channel(INBOX)).unzip();
    std::thread::scope(|scope| {
        for (mut server, inbox) in servers.into_iter().zip(receivers) {
            let senders = senders.clone();
            scope.spawn(move || {
                server.set_do_events_wait(WAIT);
                while !stop.load(Ordering::SeqCst) {
                    if let Err(e) = server.do_events() {
                        log::error!("worker stopped: {e}");
                        break;
                    }
                    for f in server.take_foreign_datagrams() {
                        // A full inbox, or no such worker: dropped, as a full
                        // socket buffer would.
                        if let Some(to) = senders.get(usize::from(f.owner))
                            && to.try_send((f.peer, f.datagram)).is_ok()
                        {
                            log::info!("forwarded a datagram to worker {}", f.owner);
                        }
                    }
                    for (peer, mut datagram) in inbox.try_iter().take(PER_LOOP) {
                        server.inject_datagram(peer, &mut datagram);
                    }
                }
                server.shutdown();
            });
        }
    });
}

/// A datagram from `peer` another worker received for this one.
type Forwarded = (SocketAddr, Vec<u8>);
