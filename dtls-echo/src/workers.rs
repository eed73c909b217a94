//! `--threads N`: N servers on one port, one thread each. The kernel
//! spreads clients over them by address (`SO_REUSEPORT`); a datagram whose
//! connection ID another worker issued (a client that moved, RFC 9146) is
//! handed to that worker over a channel.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use dtls_server::DtlsServer;

/// How long a worker's `do_events` waits, so forwarded datagrams wait at
/// most this long.
const WAIT: Duration = Duration::from_millis(5);

/// Runs `servers` (listening, worker `i` issuing CIDs with prefix `i`)
/// until `stop` is set, then shuts them down.
pub(crate) fn run(servers: Vec<DtlsServer>, stop: &AtomicBool) {
    let (senders, receivers): (Vec<Sender<Forwarded>>, Vec<Receiver<Forwarded>>) =
        servers.iter().map(|_| channel()).unzip();
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
                        if let Some(to) = senders.get(usize::from(f.owner)) {
                            log::info!(
                                "forwarded a datagram from {} to worker {}",
                                f.peer,
                                f.owner
                            );
                            let _ = to.send((f.peer, f.datagram));
                        }
                    }
                    while let Ok((peer, mut datagram)) = inbox.try_recv() {
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
