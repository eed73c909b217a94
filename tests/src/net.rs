//! A seeded, virtual-time model of an unreliable datagram network.
//!
//! Datagrams put into a [`Link`] come out later, maybe never, maybe twice,
//! maybe out of order, according to a [`LinkProfile`] and a seed. Nothing here
//! reads a clock: time is whatever `now` the caller passes in, so a test can
//! jump straight to the next interesting instant.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// A small, fast, seeded pseudo-random generator (SplitMix64). Not for
/// cryptography: it only decides the fate of test datagrams reproducibly.
#[derive(Debug, Clone)]
pub struct TestRng(u64);

impl TestRng {
    /// A generator that always produces the same stream for the same seed.
    pub fn new(seed: u64) -> Self {
        TestRng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// A uniform integer in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// How one direction of the network misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkProfile {
    /// Probability that a datagram is lost.
    pub loss: f64,
    /// Probability that a delivered datagram is delivered a second time.
    pub duplicate: f64,
    /// Probability that a datagram is held back by up to `reorder_delay`
    /// extra, so later datagrams overtake it.
    pub reorder: f64,
    /// The base one-way delay.
    pub delay: Duration,
    /// Extra delay for reordered datagrams (uniform in `0..=reorder_delay`).
    pub reorder_delay: Duration,
    /// Datagrams larger than this are dropped, like a path MTU would.
    pub mtu: usize,
}

impl LinkProfile {
    /// A perfect link: no loss, no duplication, 1 ms delay, 64 KiB MTU.
    pub const PERFECT: LinkProfile = LinkProfile {
        loss: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        delay: Duration::from_millis(1),
        reorder_delay: Duration::ZERO,
        mtu: 65_535,
    };

    /// A hostile link with the given loss rate, plus 10% duplication and 20%
    /// reordering by up to 300 ms.
    pub fn lossy(loss: f64) -> LinkProfile {
        LinkProfile {
            loss,
            duplicate: 0.1,
            reorder: 0.2,
            delay: Duration::from_millis(20),
            reorder_delay: Duration::from_millis(300),
            ..LinkProfile::PERFECT
        }
    }

    /// A link that loses every datagram: the peer has gone away.
    pub const DEAD: LinkProfile = LinkProfile {
        loss: 1.0,
        ..LinkProfile::PERFECT
    };

    /// This profile, but datagrams larger than `mtu` bytes are dropped.
    pub fn with_mtu(self, mtu: usize) -> LinkProfile {
        LinkProfile { mtu, ..self }
    }
}

/// What a link did with the datagrams given to it, for test reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Datagrams handed to the link.
    pub sent: u64,
    /// Datagrams lost on purpose.
    pub lost: u64,
    /// Datagrams dropped for exceeding the MTU.
    pub too_big: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Datagrams delayed so others could overtake them.
    pub reordered: u64,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    deliver_at: Instant,
    order: u64,
    payload: Vec<u8>,
}

/// One direction of a network path.
#[derive(Debug)]
pub struct Link {
    profile: LinkProfile,
    rng: TestRng,
    queue: BinaryHeap<Reverse<InFlight>>,
    order: u64,
    /// What happened so far.
    pub stats: LinkStats,
}

impl Link {
    /// A link with this behaviour, deterministic for a given seed.
    pub fn new(profile: LinkProfile, seed: u64) -> Self {
        Link {
            profile,
            rng: TestRng::new(seed),
            queue: BinaryHeap::new(),
            order: 0,
            stats: LinkStats::default(),
        }
    }

    /// Hands a datagram to the link at `now`.
    pub fn send(&mut self, now: Instant, payload: &[u8]) {
        self.stats.sent += 1;
        if payload.len() > self.profile.mtu {
            self.stats.too_big += 1;
            return;
        }
        if self.rng.chance(self.profile.loss) {
            self.stats.lost += 1;
            return;
        }
        let copies = if self.rng.chance(self.profile.duplicate) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut at = now + self.profile.delay;
            if self.rng.chance(self.profile.reorder) {
                self.stats.reordered += 1;
                let extra = self.profile.reorder_delay.as_micros() as u64;
                at += Duration::from_micros(self.rng.below(extra + 1));
            }
            self.order += 1;
            self.queue.push(Reverse(InFlight {
                deliver_at: at,
                order: self.order,
                payload: payload.to_vec(),
            }));
        }
    }

    /// When the next datagram is due, if any is in flight.
    pub fn next_delivery(&self) -> Option<Instant> {
        self.queue.peek().map(|Reverse(f)| f.deliver_at)
    }

    /// Takes the next datagram that is due at `now`.
    pub fn recv(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.next_delivery()? <= now {
            self.queue.pop().map(|Reverse(f)| f.payload)
        } else {
            None
        }
    }

    /// Whether nothing is in flight.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_link_delivers_in_order_after_delay() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkProfile::PERFECT, 1);
        link.send(t0, b"a");
        link.send(t0, b"b");
        assert_eq!(link.recv(t0), None);
        let at = link.next_delivery();
        assert_eq!(at, Some(t0 + Duration::from_millis(1)));
        let t1 = t0 + Duration::from_millis(1);
        assert_eq!(link.recv(t1).as_deref(), Some(&b"a"[..]));
        assert_eq!(link.recv(t1).as_deref(), Some(&b"b"[..]));
        assert!(link.is_idle());
    }

    #[test]
    fn loss_rate_is_roughly_honoured_and_reproducible() {
        let run = |seed| {
            let t0 = Instant::now();
            let mut link = Link::new(LinkProfile::lossy(0.3), seed);
            for _ in 0..10_000 {
                link.send(t0, b"x");
            }
            link.stats
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert!(a.lost > 2_700 && a.lost < 3_300, "{a:?}");
        assert!(a.duplicated > 0 && a.reordered > 0);
    }

    #[test]
    fn oversized_datagrams_are_dropped() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkProfile::PERFECT.with_mtu(10), 3);
        link.send(t0, &[0u8; 11]);
        assert!(link.is_idle());
        assert_eq!(link.stats.too_big, 1);
    }
}
