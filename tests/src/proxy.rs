//! A UDP relay between one client and a server that drops a share of the
//! datagrams each way, for lossy-link interop tests with real peers.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running relay; stops when dropped.
pub struct LossyProxy {
    /// Where clients send to.
    pub addr: SocketAddr,
    /// Datagrams dropped so far, both directions.
    pub dropped: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl LossyProxy {
    /// [`start`](Self::start) toward a server on loopback `port`.
    pub fn in_front_of(port: u16, one_in: u64) -> LossyProxy {
        LossyProxy::start(SocketAddr::from(([127, 0, 0, 1], port)), one_in)
    }

    /// Relays between the first client that writes to it and `server`,
    /// dropping one datagram in `one_in` each way (deterministically: every
    /// `one_in`-th datagram of each direction, starting with the second).
    ///
    /// # Panics
    /// If loopback sockets cannot be bound.
    #[allow(clippy::expect_used)]
    pub fn start(server: SocketAddr, one_in: u64) -> LossyProxy {
        let front = UdpSocket::bind("127.0.0.1:0").expect("proxy front socket");
        let back = UdpSocket::bind("127.0.0.1:0").expect("proxy back socket");
        back.connect(server).expect("proxy connects to the server");
        let tick = Some(Duration::from_millis(5));
        front.set_read_timeout(tick).expect("timeout");
        back.set_read_timeout(tick).expect("timeout");
        let addr = front.local_addr().expect("proxy address");
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let client: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
        let relay = |from_client: bool| {
            let (front, back) = (
                front.try_clone().expect("socket clone"),
                back.try_clone().expect("socket clone"),
            );
            let (stop, dropped, client) = (stop.clone(), dropped.clone(), client.clone());
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65_536];
                let mut seen = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let received = if from_client {
                        front.recv_from(&mut buf).map(|(n, from)| {
                            if let Ok(mut c) = client.lock() {
                                *c = Some(from);
                            }
                            n
                        })
                    } else {
                        back.recv(&mut buf)
                    };
                    let Ok(n) = received else { continue };
                    seen += 1;
                    if seen % one_in == 2 % one_in {
                        dropped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    if from_client {
                        let _ = back.send(&buf[..n]);
                    } else if let Some(to) = client.lock().ok().and_then(|c| *c) {
                        let _ = front.send_to(&buf[..n], to);
                    }
                }
            })
        };
        let threads = [relay(true), relay(false)];
        LossyProxy {
            addr,
            dropped,
            stop,
            threads: threads.into(),
        }
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
