//! Many established connections in one process (`--only many`): N clients,
//! each at its own address, finish a full handshake with ONE server
//! `Endpoint` in memory and are then dropped, so only the server side is
//! held. Reported: the process RSS before and after (from /proc), heap per
//! connection from the counting allocator, and what one idle pump of the
//! endpoint costs with all N idle, next to the same pump at N = 1,000.
//! With the default config an idle established connection has no timer at
//! all, so the pump is run a second time on N connections that each hold
//! an idle-timeout deadline (`IDLE_TIMEOUT`), none due: the endpoint's
//! timer index then holds N entries.
//!
//! The handshake is the engine's cheapest real full handshake with a
//! certificate: ECDSA P-256 certificate, X25519 ECDHE, AES-128-GCM, cookie
//! exchange included, session cache off (`engine::configs`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use dtls_core::{Connection, Endpoint};
use dtls_crypto::kx::NamedGroup;
use stats_alloc::Region;

use crate::engine::{self, GLOBAL};
use crate::{Figure, figure, median};

/// Calls per timed batch of idle pumps, and batches (the figure is the
/// median of the batches' per-call means).
const PUMPS_PER_BATCH: u32 = 1_000;
const BATCHES: usize = 301;

/// The idle timeout of the second run, which gives every connection a
/// deadline (none due while the pumps run, at the handshakes' instant).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The resident set of this process in KiB (VmRSS), if /proc tells it.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// An endpoint with `n` established connections, the instant their
/// handshakes ran at, and how many handshakes failed.
struct Established {
    server: Endpoint,
    now: Instant,
    failed: u32,
    elapsed: Duration,
}

/// Establishes `n` connections to one new endpoint (with `idle_timeout`
/// on the server); each client is dropped as soon as it is established.
fn establish(n: u32, idle_timeout: Option<Duration>) -> Established {
    let (mut server_config, client_config) = engine::configs(NamedGroup::X25519);
    if let Some(config) = std::sync::Arc::get_mut(&mut server_config) {
        config.common.idle_timeout = idle_timeout;
    }
    let mut server = Endpoint::new(server_config).unwrap_or_else(|e| panic!("{e}"));
    let now = Instant::now();
    let mut failed = 0;
    let start = Instant::now();
    for i in 0..n {
        let mut client = Connection::client(client_config.clone(), engine::SERVER, now)
            .unwrap_or_else(|e| panic!("{e}"));
        engine::handshake(&mut server, &mut client, engine::peer(i), now);
        if !client.is_established() {
            failed += 1;
        }
    }
    Established {
        server,
        now,
        failed,
        elapsed: start.elapsed(),
    }
}

/// What idle pumps cost: the median microseconds per pump, and how many
/// datagrams and events the pumps found (0 and 0 when all were idle).
struct Pump {
    us: f64,
    transmits: u64,
    events: u64,
}

/// One idle pump as a server loop makes it when nothing is due: run the
/// due timers, ask for the next deadline, drain datagrams and events.
fn pump_once(server: &mut Endpoint, now: Instant, buf: &mut [u8], pump: &mut Pump) {
    server.handle_timeout(now);
    black_box(server.poll_timeout());
    while server.poll_transmit(now, buf).is_some() {
        pump.transmits += 1;
    }
    while server.poll_event().is_some() {
        pump.events += 1;
    }
}

/// The median cost of an idle pump of `server` at `now`.
fn idle_pump(server: &mut Endpoint, now: Instant) -> Pump {
    let mut buf = vec![0u8; 2_048];
    let mut pump = Pump {
        us: f64::NAN,
        transmits: 0,
        events: 0,
    };
    // Warm up (and drain whatever the last handshake left queued).
    for _ in 0..PUMPS_PER_BATCH {
        pump_once(server, now, &mut buf, &mut pump);
    }
    pump.transmits = 0;
    pump.events = 0;
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let start = Instant::now();
        for _ in 0..PUMPS_PER_BATCH {
            pump_once(server, now, &mut buf, &mut pump);
        }
        batches.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(PUMPS_PER_BATCH));
    }
    pump.us = median(batches);
    pump
}

/// "20k" for 20,000: how N shows in a figure's name.
fn short(n: u32) -> String {
    if n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// What the idle pump found besides the time, for a figure's note.
fn pump_note(n: u32, pump: &Pump, server: &Endpoint, now: Instant, failed: u32) -> String {
    let next = server.poll_timeout().map_or("none".to_owned(), |t| {
        format!("{:.1} s", (t - now).as_secs_f64())
    });
    format!(
        "N={n} idle ({} held, {failed} handshakes failed; next deadline in {next}); \
         handle_timeout + poll_timeout + drained poll_transmit/poll_event, median of {BATCHES} \
         batches of {PUMPS_PER_BATCH}; found {} datagrams, {} events",
        server.connection_count(),
        pump.transmits,
        pump.events
    )
}

/// The figures of the `many` group: N = 100,000 (20,000 with `--quick`).
pub fn figures(figures: &mut Vec<Figure>, quick: bool) {
    let n: u32 = if quick { 20_000 } else { 100_000 };
    let small: u32 = 1_000;

    // The pump at N = 1,000 first, on its own endpoint, dropped after.
    let mut few = establish(small, None);
    let few_pump = idle_pump(&mut few.server, few.now);
    figures.push(figure(
        format!("idle_pump_{}_us", short(small)),
        few_pump.us,
        "us",
        pump_note(small, &few_pump, &few.server, few.now, few.failed),
    ));
    drop(few);

    let before = rss_kib();
    let region = Region::new(GLOBAL);
    let mut many = establish(n, None);
    let change = region.change();
    let after = rss_kib();
    // stats_alloc already counts reallocations in both totals.
    let heap = (change.bytes_allocated as f64 - change.bytes_deallocated as f64) / f64::from(n);
    let mib = |kib: Option<u64>| kib.map_or(f64::NAN, |k| k as f64 / 1024.0);
    let grown = match (before, after) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b)),
        _ => None,
    };
    let per_conn_bytes = grown.map_or(f64::NAN, |g| g as f64 * 1024.0 / f64::from(n));
    let label = short(n);
    figures.push(figure(
        format!("rss_{label}_connections_mib"),
        mib(grown),
        "MiB",
        format!(
            "N={n}: RSS after minus before ({:.0} -> {:.0} MiB), {per_conn_bytes:.0} B per \
             connection; target <= 400 MiB at 100k; X25519 + ECDSA P-256 handshakes, \
             established in {:.1} s ({:.0}/s both ends)",
            mib(before),
            mib(after),
            many.elapsed.as_secs_f64(),
            f64::from(n) / many.elapsed.as_secs_f64().max(1e-9)
        ),
    ));
    figures.push(figure(
        "rss_before_connections_mib",
        mib(before),
        "MiB",
        "VmRSS before the N connections (this process, earlier groups included)",
    ));
    figures.push(figure(
        format!("heap_per_connection_{label}_bytes"),
        heap,
        "bytes",
        format!(
            "N={n}: live heap growth / N (counting allocator; endpoint tables included); \
             size_of::<Connection>() = {} B",
            std::mem::size_of::<Connection>()
        ),
    ));
    let many_pump = idle_pump(&mut many.server, many.now);
    figures.push(figure(
        format!("idle_pump_{label}_us"),
        many_pump.us,
        "us",
        format!(
            "{}; {} of N={small}",
            pump_note(n, &many_pump, &many.server, many.now, many.failed),
            crate::ratio(many_pump.us, few_pump.us)
        ),
    ));
    drop(many);

    // The same pumps with a deadline per connection (the timer index full).
    let mut few = establish(small, Some(IDLE_TIMEOUT));
    let few_timed = idle_pump(&mut few.server, few.now);
    drop(few);
    let region = Region::new(GLOBAL);
    let mut many = establish(n, Some(IDLE_TIMEOUT));
    let change = region.change();
    let timed_heap =
        (change.bytes_allocated as f64 - change.bytes_deallocated as f64) / f64::from(n);
    let many_timed = idle_pump(&mut many.server, many.now);
    figures.push(figure(
        format!("idle_pump_with_deadlines_{}_us", short(small)),
        few_timed.us,
        "us",
        format!(
            "as idle_pump_{}_us, idle_timeout {} s",
            short(small),
            IDLE_TIMEOUT.as_secs()
        ),
    ));
    figures.push(figure(
        format!("idle_pump_with_deadlines_{label}_us"),
        many_timed.us,
        "us",
        format!(
            "{}; idle_timeout {} s; {} of N={small}; heap {timed_heap:.0} B per connection",
            pump_note(n, &many_timed, &many.server, many.now, many.failed),
            IDLE_TIMEOUT.as_secs(),
            crate::ratio(many_timed.us, few_timed.us)
        ),
    ));
    black_box(&many.server);
}
