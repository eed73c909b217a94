//! The handshake retransmission timer (RFC 6347 4.2.4, 4.2.4.1).
//!
//! DTLS runs over an unreliable transport, so each side keeps its last flight
//! and resends it when the timer expires before the peer's next flight
//! arrives (RFC 6347 4.2.4). RFC 6347 4.2.4.1 asks for an initial timeout of
//! one second, doubled on each retransmission up to at least 60 seconds.
//!
//! The timer reads no clock: every call that needs the time takes `now`, and
//! the caller arms its own wake-up from [`RetransmitTimer::deadline`].
//!
//! # Backoff across flights
//!
//! RFC 6347 4.2.4.1 says implementations "SHOULD retain the current timer
//! value until a transmission without loss occurs, at which time the value
//! may be reset to the initial value". This timer does exactly that:
//!
//! - [`start`](RetransmitTimer::start) for a new flight keeps the current
//!   (possibly backed-off) timeout value;
//! - [`stop`](RetransmitTimer::stop), called when the peer's answer to our
//!   flight has arrived, resets the value to the initial one if the flight got
//!   through without any retransmission, and keeps it otherwise;
//! - a new handshake starts from a new timer, at the initial value.

use std::time::{Duration, Instant};

/// The settings of the handshake retransmission timer (RFC 6347 4.2.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetransmitConfig {
    /// The first timeout of a flight: RFC 6347 4.2.4.1 recommends 1 second.
    pub initial: Duration,
    /// The ceiling for the doubling timeout: RFC 6347 4.2.4.1 says "up to no
    /// less than the RFC 6298 maximum of 60 seconds".
    pub max: Duration,
    /// How many times one flight is resent before the handshake is abandoned.
    /// RFC 6347 sets no number; the default, 6, means the flight is sent 7
    /// times and the peer gets 1+2+4+8+16+32+60 = 123 seconds to answer.
    pub max_retransmissions: u32,
}

impl RetransmitConfig {
    /// The smallest accepted timeout; shorter values are raised to it so that
    /// a zero timeout cannot make the engine spin.
    pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
    /// The largest accepted timeout, one hour; longer values are lowered to it
    /// so deadlines stay far from the limits of [`Instant`].
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

    /// The configuration with `initial` and `max` moved into
    /// [`MIN_TIMEOUT`](Self::MIN_TIMEOUT)..=[`MAX_TIMEOUT`](Self::MAX_TIMEOUT)
    /// and `max` raised to at least `initial`.
    pub fn sanitized(self) -> Self {
        let initial = self.initial.clamp(Self::MIN_TIMEOUT, Self::MAX_TIMEOUT);
        let max = self.max.clamp(initial, Self::MAX_TIMEOUT);
        Self {
            initial,
            max,
            max_retransmissions: self.max_retransmissions,
        }
    }
}

impl Default for RetransmitConfig {
    /// 1 second initial, 60 seconds maximum (RFC 6347 4.2.4.1), 6
    /// retransmissions.
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            max_retransmissions: 6,
        }
    }
}

/// What to do when the engine's wake-up fires, from
/// [`RetransmitTimer::on_timeout`] (RFC 6347 4.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerAction {
    /// The timer expired: resend the whole last flight now; the timer is
    /// already re-armed with the doubled timeout.
    Retransmit,
    /// The timer expired after the last allowed retransmission: abandon the
    /// handshake. The timer is stopped.
    GiveUp,
    /// Nothing to do: the deadline has not been reached, or the timer is not
    /// running.
    NotYet,
}

/// The retransmission timer for our last flight (RFC 6347 4.2.4.1), with
/// exponential backoff and a retransmission limit.
#[derive(Debug, Clone)]
pub struct RetransmitTimer {
    config: RetransmitConfig,
    /// The timeout the next arming uses.
    current_timeout: Duration,
    /// When the timer fires; `None` while stopped.
    deadline: Option<Instant>,
    /// How many times the current flight has been resent.
    retransmissions: u32,
}

impl RetransmitTimer {
    /// A stopped timer; the configuration is
    /// [sanitized](RetransmitConfig::sanitized) first.
    pub fn new(config: RetransmitConfig) -> Self {
        let config = config.sanitized();
        Self {
            config,
            current_timeout: config.initial,
            deadline: None,
            retransmissions: 0,
        }
    }

    /// The configuration in use, after sanitizing.
    pub fn config(&self) -> RetransmitConfig {
        self.config
    }

    /// Arms the timer for a flight that was just sent at `now`
    /// (RFC 6347 4.2.4: the sender "sets a retransmit timer" when it sends a
    /// flight). The retransmission count restarts at zero; the timeout value
    /// is kept from the previous flight (see the module documentation).
    /// Restarting a running timer is allowed.
    pub fn start(&mut self, now: Instant) {
        self.retransmissions = 0;
        self.deadline = Some(deadline_after(now, self.current_timeout));
    }

    /// Disarms the timer: the peer's next flight arrived (RFC 6347 4.2.4,
    /// leaving the WAITING state), or the handshake ended. If the flight got
    /// through without a retransmission the timeout returns to its initial
    /// value (RFC 6347 4.2.4.1); otherwise it keeps its backed-off value.
    pub fn stop(&mut self) {
        if self.deadline.is_some() && self.retransmissions == 0 {
            self.current_timeout = self.config.initial;
        }
        self.deadline = None;
        self.retransmissions = 0;
    }

    /// When the timer fires, or `None` while it is stopped. The engine reports
    /// the earliest of its deadlines to the caller as its next wake-up.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the timer is armed.
    pub fn is_running(&self) -> bool {
        self.deadline.is_some()
    }

    /// How many times the current flight has been resent.
    #[cfg(test)]
    pub fn retransmissions(&self) -> u32 {
        self.retransmissions
    }

    /// The timeout used by the next arming: doubled after every expiry, up to
    /// the configured maximum (RFC 6347 4.2.4.1).
    #[cfg(test)]
    pub fn current_timeout(&self) -> Duration {
        self.current_timeout
    }

    /// Handles the caller's wake-up at `now` (RFC 6347 4.2.4, the transition
    /// "timer expires" out of WAITING).
    ///
    /// Before the deadline, or while stopped, it returns
    /// [`TimerAction::NotYet`] and changes nothing. At or after the deadline it
    /// either doubles the timeout (up to the maximum), re-arms from `now` and
    /// returns [`TimerAction::Retransmit`], or, once
    /// [`max_retransmissions`](RetransmitConfig::max_retransmissions) resends
    /// have been done, stops and returns [`TimerAction::GiveUp`].
    pub fn on_timeout(&mut self, now: Instant) -> TimerAction {
        let Some(deadline) = self.deadline else {
            return TimerAction::NotYet;
        };
        if now < deadline {
            return TimerAction::NotYet;
        }
        if self.retransmissions >= self.config.max_retransmissions {
            self.deadline = None;
            self.retransmissions = 0;
            return TimerAction::GiveUp;
        }
        self.retransmissions += 1;
        self.current_timeout = self.current_timeout.saturating_mul(2).min(self.config.max);
        self.deadline = Some(deadline_after(now, self.current_timeout));
        TimerAction::Retransmit
    }
}

/// `now + timeout`; the sanitized timeout is at most an hour, so this only
/// falls back to `now` (fire at once) on an `Instant` at the very end of its
/// range, and never panics.
fn deadline_after(now: Instant, timeout: Duration) -> Instant {
    now.checked_add(timeout).unwrap_or(now)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A stopped timer with the default timeouts that gives up after `max`
    /// retransmissions.
    fn giving_up_after(max: u32) -> RetransmitTimer {
        RetransmitTimer::new(RetransmitConfig {
            max_retransmissions: max,
            ..RetransmitConfig::default()
        })
    }

    /// `timer`, started at the test origin, and that origin.
    fn started(mut timer: RetransmitTimer) -> (Instant, RetransmitTimer) {
        let base = crate::test_origin();
        timer.start(base);
        (base, timer)
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    /// Runs the timer to its end, firing exactly at each deadline, and returns
    /// the gaps between consecutive deadlines (the first from `start`).
    fn schedule(timer: &mut RetransmitTimer, base: Instant) -> (Vec<Duration>, Instant) {
        timer.start(base);
        let mut gaps = Vec::new();
        let mut last = base;
        loop {
            let deadline = timer.deadline().unwrap();
            gaps.push(deadline - last);
            // Just before the deadline nothing happens.
            assert_eq!(
                timer.on_timeout(deadline - Duration::from_millis(1)),
                TimerAction::NotYet
            );
            assert_eq!(timer.deadline(), Some(deadline));
            match timer.on_timeout(deadline) {
                TimerAction::Retransmit => last = deadline,
                TimerAction::GiveUp => return (gaps, deadline),
                TimerAction::NotYet => panic!("did not fire at its deadline"),
            }
        }
    }

    #[test]
    fn default_config_follows_rfc_6347() {
        let config = RetransmitConfig::default();
        assert_eq!(config.initial, secs(1));
        assert_eq!(config.max, secs(60));
        assert_eq!(config.max_retransmissions, 6);
    }

    #[test]
    fn default_schedule_and_give_up() {
        let base = crate::test_origin();
        let mut timer = RetransmitTimer::new(RetransmitConfig::default());
        assert_eq!(timer.deadline(), None);
        let (gaps, end) = schedule(&mut timer, base);
        let expected: Vec<Duration> = [1, 2, 4, 8, 16, 32, 60].map(secs).to_vec();
        assert_eq!(gaps, expected);
        assert_eq!(end, base + secs(123));
        assert_eq!(timer.deadline(), None, "stopped after giving up");
        assert!(!timer.is_running());
        assert_eq!(timer.on_timeout(end + secs(1000)), TimerAction::NotYet);
    }

    #[test]
    fn doubling_caps_at_max_and_counts_retransmissions() {
        let (base, mut timer) = started(giving_up_after(9));
        let mut now = base;
        let expected = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        for (i, gap) in expected.iter().enumerate() {
            now += secs(*gap);
            assert_eq!(
                timer.on_timeout(now - Duration::from_nanos(1)),
                TimerAction::NotYet
            );
            let action = timer.on_timeout(now);
            if i < 9 {
                assert_eq!(action, TimerAction::Retransmit, "expiry {i}");
                assert_eq!(timer.retransmissions(), i as u32 + 1);
            } else {
                assert_eq!(action, TimerAction::GiveUp, "expiry {i}");
            }
        }
    }

    #[test]
    fn late_wake_up_rearms_from_now() {
        let (base, mut timer) = started(RetransmitTimer::new(RetransmitConfig::default()));
        let late = base + secs(5);
        assert_eq!(timer.on_timeout(late), TimerAction::Retransmit);
        assert_eq!(timer.deadline(), Some(late + secs(2)));
    }

    #[test]
    fn zero_retransmissions_gives_up_at_first_expiry() {
        let (base, mut timer) = started(giving_up_after(0));
        assert_eq!(timer.on_timeout(base + secs(1)), TimerAction::GiveUp);
    }

    #[test]
    fn stop_clears_the_deadline() {
        let (base, mut timer) = started(RetransmitTimer::new(RetransmitConfig::default()));
        assert!(timer.is_running());
        timer.stop();
        assert_eq!(timer.deadline(), None);
        assert_eq!(timer.on_timeout(base + secs(100)), TimerAction::NotYet);
        assert_eq!(timer.retransmissions(), 0);
    }

    #[test]
    fn stopped_timer_never_fires() {
        let base = crate::test_origin();
        let mut timer = RetransmitTimer::new(RetransmitConfig::default());
        assert_eq!(timer.on_timeout(base + secs(3600)), TimerAction::NotYet);
    }

    #[test]
    fn backoff_is_kept_after_a_lossy_flight_and_reset_after_a_clean_one() {
        let (base, mut timer) = started(RetransmitTimer::new(RetransmitConfig::default()));
        assert_eq!(timer.on_timeout(base + secs(1)), TimerAction::Retransmit);
        assert_eq!(timer.on_timeout(base + secs(3)), TimerAction::Retransmit);
        assert_eq!(timer.current_timeout(), secs(4));
        // The answer arrives: the lossy flight keeps the backed-off value.
        timer.stop();
        assert_eq!(timer.current_timeout(), secs(4));
        let next_flight = base + secs(4);
        timer.start(next_flight);
        assert_eq!(timer.retransmissions(), 0);
        assert_eq!(timer.deadline(), Some(next_flight + secs(4)));
        // This flight is answered without loss: back to the initial value.
        timer.stop();
        assert_eq!(timer.current_timeout(), secs(1));
        timer.start(next_flight + secs(1));
        assert_eq!(timer.deadline(), Some(next_flight + secs(2)));
    }

    #[test]
    fn restarting_resets_the_retransmission_count() {
        let (base, mut timer) = started(giving_up_after(1));
        assert_eq!(timer.on_timeout(base + secs(1)), TimerAction::Retransmit);
        timer.start(base + secs(2));
        assert_eq!(timer.retransmissions(), 0);
        assert_eq!(timer.on_timeout(base + secs(4)), TimerAction::Retransmit);
        assert_eq!(timer.on_timeout(base + secs(8)), TimerAction::GiveUp);
    }

    #[test]
    fn config_is_sanitized() {
        let timer = RetransmitTimer::new(RetransmitConfig {
            initial: Duration::ZERO,
            max: Duration::MAX,
            max_retransmissions: 3,
        });
        let config = timer.config();
        assert_eq!(config.initial, RetransmitConfig::MIN_TIMEOUT);
        assert_eq!(config.max, RetransmitConfig::MAX_TIMEOUT);
        let inverted = RetransmitConfig {
            initial: secs(10),
            max: secs(2),
            max_retransmissions: 3,
        }
        .sanitized();
        assert_eq!(inverted.initial, secs(10));
        assert_eq!(inverted.max, secs(10));
    }

    #[test]
    fn huge_max_does_not_overflow() {
        let base = crate::test_origin();
        let mut timer = RetransmitTimer::new(RetransmitConfig {
            initial: Duration::MAX,
            max: Duration::MAX,
            max_retransmissions: 100,
        });
        timer.start(base);
        let mut now = base;
        for _ in 0..100 {
            now = timer.deadline().unwrap();
            assert_eq!(timer.on_timeout(now), TimerAction::Retransmit);
        }
        assert_eq!(timer.deadline(), Some(now + RetransmitConfig::MAX_TIMEOUT));
    }
}
