//! What a run measured: per-thread [`Tally`]s added into a [`Report`], and
//! the report's [`Figure`]s.

use std::fmt;
use std::time::Duration;

use crate::cpu::CpuTime;
use crate::options::Mode;

/// Counts of one generator thread (and, added up, of the whole run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Handshakes that completed within the measured duration.
    pub handshakes: u64,
    /// Handshakes that failed: an alert, a refusal, or no completion within
    /// the handshake timeout.
    pub handshakes_failed: u64,
    /// Handshakes still under way when the run ended (neither counted).
    pub handshakes_abandoned: u64,
    /// Records or datagrams sent for echoing.
    pub messages_sent: u64,
    /// Records or datagrams that came back.
    pub messages_echoed: u64,
    /// Payload bytes sent for echoing.
    pub bytes_sent: u64,
    /// Payload bytes that came back.
    pub bytes_echoed: u64,
    /// Payload bytes that came back within the measured duration (the
    /// rate's numerator).
    pub bytes_echoed_in_time: u64,
    /// Messages written off: no reply within the stall timeout, or still
    /// out when the drain ended.
    pub messages_lost: u64,
    /// Replies whose length was not what was sent.
    pub wrong_replies: u64,
    /// Datagrams the socket would not take (full buffer) or refused.
    pub send_errors: u64,
    /// Errors reading the socket (e.g. ICMP port unreachable).
    pub recv_errors: u64,
    /// Handshake flights the clients retransmitted.
    pub retransmissions: u64,
}

impl Tally {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.handshakes += other.handshakes;
        self.handshakes_failed += other.handshakes_failed;
        self.handshakes_abandoned += other.handshakes_abandoned;
        self.messages_sent += other.messages_sent;
        self.messages_echoed += other.messages_echoed;
        self.bytes_sent += other.bytes_sent;
        self.bytes_echoed += other.bytes_echoed;
        self.bytes_echoed_in_time += other.bytes_echoed_in_time;
        self.messages_lost += other.messages_lost;
        self.wrong_replies += other.wrong_replies;
        self.send_errors += other.send_errors;
        self.recv_errors += other.recv_errors;
        self.retransmissions += other.retransmissions;
    }
}

/// What a run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The mode run.
    pub mode: Mode,
    /// Concurrent clients.
    pub clients: usize,
    /// Generator threads.
    pub threads: usize,
    /// The measured duration (start until clients stopped starting work).
    pub elapsed: Duration,
    /// The counts.
    pub tally: Tally,
    /// The generator's own CPU time over the measured duration.
    pub own_cpu: CpuTime,
    /// The server's CPU time over the measured duration, when a pid was
    /// given.
    pub server_cpu: Option<CpuTime>,
}

/// One named number, printed as `{"name": ..., "value": ..., "unit": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What it is, e.g. `handshake.rate`.
    pub name: String,
    /// The number.
    pub value: f64,
    /// Its unit, e.g. `handshakes/s`.
    pub unit: &'static str,
}

impl Figure {
    /// The figure as one JSON object on one line.
    pub fn to_json(&self) -> String {
        let value = if self.value.is_finite() {
            format!("{}", (self.value * 1000.0).round() / 1000.0)
        } else {
            "null".to_owned()
        };
        format!(
            "{{\"name\": \"{}\", \"value\": {}, \"unit\": \"{}\"}}",
            self.name.replace(['"', '\\'], "_"),
            value,
            self.unit
        )
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<32} {:>14.3} {}", self.name, self.value, self.unit)
    }
}

impl Report {
    fn seconds(&self) -> f64 {
        self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Completed handshakes per second.
    pub fn handshakes_per_second(&self) -> f64 {
        self.tally.handshakes as f64 / self.seconds()
    }

    /// Echoed payload megabytes (10^6 bytes) per second, counting what came
    /// back within the measured duration.
    pub fn echo_megabytes_per_second(&self) -> f64 {
        self.tally.bytes_echoed_in_time as f64 / 1e6 / self.seconds()
    }

    /// The generator's CPU use in cores (1.0 = one core busy throughout).
    pub fn own_cpu_cores(&self) -> f64 {
        self.own_cpu.total().as_secs_f64() / self.seconds()
    }

    /// The server's CPU use in cores, when measured.
    pub fn server_cpu_cores(&self) -> Option<f64> {
        Some(self.server_cpu?.total().as_secs_f64() / self.seconds())
    }

    /// Server CPU microseconds per completed handshake, when measured.
    pub fn server_cpu_us_per_handshake(&self) -> Option<f64> {
        let cpu = self.server_cpu?;
        (self.tally.handshakes > 0)
            .then(|| cpu.total().as_secs_f64() * 1e6 / self.tally.handshakes as f64)
    }

    /// Generator CPU microseconds per completed handshake.
    pub fn own_cpu_us_per_handshake(&self) -> Option<f64> {
        (self.tally.handshakes > 0)
            .then(|| self.own_cpu.total().as_secs_f64() * 1e6 / self.tally.handshakes as f64)
    }

    /// Server CPU microseconds per echoed megabyte, when measured.
    pub fn server_cpu_us_per_megabyte(&self) -> Option<f64> {
        let cpu = self.server_cpu?;
        (self.tally.bytes_echoed_in_time > 0).then(|| {
            cpu.total().as_secs_f64() * 1e6 / (self.tally.bytes_echoed_in_time as f64 / 1e6)
        })
    }

    /// The figures of this run, each named `<mode>.<what>`.
    pub fn figures(&self) -> Vec<Figure> {
        let mode = self.mode.name();
        let mut out = Vec::new();
        let mut push = |what: &str, value: f64, unit: &'static str| {
            out.push(Figure {
                name: format!("{mode}.{what}"),
                value,
                unit,
            });
        };
        let t = &self.tally;
        push("clients", self.clients as f64, "clients");
        push("threads", self.threads as f64, "threads");
        push("duration", self.seconds(), "s");
        push("handshakes", t.handshakes as f64, "handshakes");
        push(
            "handshakes_failed",
            t.handshakes_failed as f64,
            "handshakes",
        );
        if self.mode == Mode::Handshake {
            push("rate", self.handshakes_per_second(), "handshakes/s");
            if let Some(us) = self.own_cpu_us_per_handshake() {
                push("generator_cpu_per_handshake", us, "us");
            }
            if let Some(us) = self.server_cpu_us_per_handshake() {
                push("server_cpu_per_handshake", us, "us");
            }
            push("retransmissions", t.retransmissions as f64, "flights");
        } else {
            push("throughput", self.echo_megabytes_per_second(), "MB/s");
            push(
                "messages_per_second",
                t.messages_echoed as f64 / self.seconds(),
                "messages/s",
            );
            push("bytes_sent", t.bytes_sent as f64, "B");
            push("bytes_echoed", t.bytes_echoed as f64, "B");
            push("messages_lost", t.messages_lost as f64, "messages");
            push("wrong_replies", t.wrong_replies as f64, "messages");
            if let Some(us) = self.server_cpu_us_per_megabyte() {
                push("server_cpu_per_megabyte", us, "us");
            }
        }
        push("send_errors", t.send_errors as f64, "errors");
        push("recv_errors", t.recv_errors as f64, "errors");
        push("generator_cpu_user", self.own_cpu.user.as_secs_f64(), "s");
        push(
            "generator_cpu_system",
            self.own_cpu.system.as_secs_f64(),
            "s",
        );
        push("generator_cpu", self.own_cpu_cores(), "cores");
        if let Some(cores) = self.server_cpu_cores() {
            push("server_cpu", cores, "cores");
        }
        out
    }
}
