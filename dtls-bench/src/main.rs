//! `cargo run --release -p dtls-bench --features dimpl -- [--quick]`: every figure of
//! docs/benchmarks.md in one process run, side by side with its floor and
//! OpenSSL measured in the same minute (this machine drifts; only ratios
//! within one run mean anything). Prints a table with the ratios, then one
//! JSON line per figure: `{"name": "...", "value": N, "unit": "..."}`.
//!
//! Figures: server CPU per full handshake (in memory, cookie included),
//! both ends together, the ring floor for the server's public-key work;
//! records through the engine against raw AEAD and OpenSSL; allocations per
//! record and per cookieless ClientHello; heap per established and per
//! half-open connection; dimpl's handshakes and records beside OpenSSL's;
//! RSS, heap and idle pump cost with 100,000 established connections
//! (`--only many`). Speed figures are medians of ten rounds in which each
//! is measured right next to its floor, OpenSSL and dimpl, so drift of the
//! machine's speed cancels in the ratios. Without `--features dimpl`
//! dimpl's figures read n/a (the feature builds a second set of RustCrypto
//! crates, which `.ci/run` does not spend its minutes on).

#[cfg_attr(not(feature = "dimpl"), path = "dimpl_absent.rs")]
mod dimpl_peer;
mod engine;
mod floor;
mod many;
mod openssl_peer;

use std::time::Duration;

use dtls_crypto::kx::NamedGroup;

#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = engine::GLOBAL;

/// One figure: its JSON name, value and unit, and how to read it.
pub(crate) struct Figure {
    name: String,
    value: f64,
    unit: &'static str,
    note: String,
}

/// A figure from its parts.
pub(crate) fn figure(
    name: impl Into<String>,
    value: f64,
    unit: &'static str,
    note: impl Into<String>,
) -> Figure {
    Figure {
        name: name.into(),
        value,
        unit,
        note: note.into(),
    }
}

/// The median of `values` (NaN when there are none).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `a` as a multiple of `b` ("1.23x"), or "n/a".
pub(crate) fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() && b.is_finite() {
        format!("{:.2}x", a / b)
    } else {
        "n/a".to_owned()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--only handshakes|records|memory|many`: one group, for profiling.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let want = |group: &str| only.as_deref().is_none_or(|o| o == group);
    let (handshakes, floor_ops, window) = if quick {
        (200, 500, Duration::from_millis(400))
    } else {
        (2_000, 5_000, Duration::from_secs(2))
    };
    let mut figures = Vec::new();

    // Handshakes: ours, the floor, OpenSSL, for P-256 and X25519.
    let groups = if want("handshakes") {
        vec![
            (NamedGroup::Secp256r1, false, "p256"),
            (NamedGroup::X25519, true, "x25519"),
        ]
    } else {
        Vec::new()
    };
    for (group, x25519, label) in groups {
        // Interleaved rounds, medians: the machine's speed drifts, so each
        // figure is measured next to its comparisons many times over.
        let rounds = 10;
        let (mut server, mut both, mut floors, mut ossl_server, mut ossl_both) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut dimpl_server, mut dimpl_both) = (Vec::new(), Vec::new());
        let (mut openssl_error, mut dimpl_error) = (None, None);
        for _ in 0..rounds {
            let (s, b) = engine::handshake_us(group, handshakes / rounds);
            server.push(s);
            both.push(b);
            floors.push(floor::server_handshake_us(x25519, floor_ops / rounds));
            match openssl_peer::handshake_us(x25519, handshakes / rounds / 2) {
                Ok((s, b)) => {
                    ossl_server.push(s);
                    ossl_both.push(b);
                }
                Err(e) => openssl_error = Some(e),
            }
            match dimpl_peer::handshake_us(x25519, handshakes / rounds / 2) {
                Ok((s, b)) => {
                    dimpl_server.push(s);
                    dimpl_both.push(b);
                }
                Err(e) => dimpl_error = Some(e),
            }
        }
        let (server_us, both_us, floor_us) = (median(server), median(both), median(floors));
        let (openssl_server, openssl_both) = (median(ossl_server), median(ossl_both));
        let (dimpl_server, dimpl_both) = (median(dimpl_server), median(dimpl_both));
        let openssl: Result<(), String> = openssl_error.map_or(Ok(()), Err);
        let [
            server_name,
            floor_name,
            both_name,
            ossl_name,
            ossl_both_name,
            dimpl_name,
            dimpl_both_name,
        ] = if x25519 {
            [
                "server_handshake_x25519_us",
                "ring_floor_server_handshake_x25519_us",
                "handshake_both_ends_x25519_us",
                "openssl_server_handshake_x25519_us",
                "openssl_handshake_both_ends_x25519_us",
                "dimpl_server_handshake_x25519_us",
                "dimpl_handshake_both_ends_x25519_us",
            ]
        } else {
            [
                "server_handshake_us",
                "ring_floor_server_handshake_us",
                "handshake_both_ends_us",
                "openssl_server_handshake_us",
                "openssl_handshake_both_ends_us",
                "dimpl_server_handshake_us",
                "dimpl_handshake_both_ends_us",
            ]
        };
        figures.push(figure(
            server_name,
            server_us,
            "us",
            format!(
                "{label}: {} of the ring floor (target <= 1.15x), {} of OpenSSL (target <= 0.45x), {} of dimpl",
                ratio(server_us, floor_us),
                ratio(server_us, openssl_server),
                ratio(server_us, dimpl_server)
            ),
        ));
        figures.push(figure(
            floor_name,
            floor_us,
            "us",
            "keygen + agree + ECDSA P-256 sign",
        ));
        figures.push(figure(
            both_name,
            both_us,
            "us",
            format!(
                "client and server, one core; {} of OpenSSL, {} of dimpl",
                ratio(both_us, openssl_both),
                ratio(both_us, dimpl_both)
            ),
        ));
        figures.push(figure(
            ossl_name,
            openssl_server,
            "us",
            openssl
                .err()
                .unwrap_or_else(|| "no cookie exchange".to_owned()),
        ));
        figures.push(figure(ossl_both_name, openssl_both, "us", ""));
        figures.push(figure(
            dimpl_name,
            dimpl_server,
            "us",
            dimpl_error.unwrap_or_else(|| {
                "dimpl 0.9, RustCrypto provider, cookie exchange, one Dtls (no endpoint)".to_owned()
            }),
        ));
        figures.push(figure(dimpl_both_name, dimpl_both, "us", ""));
    }

    if want("records") {
        records(&mut figures, window);
    }
    if want("memory") {
        memory(&mut figures, quick);
    }
    if want("many") {
        many::figures(&mut figures, quick);
    }
    print(&figures);
}

fn records(figures: &mut Vec<Figure>, window: Duration) {
    use engine::RecordPath::{Queued, ZeroCopy};
    let rounds = 10u32;
    let (mut direct, mut queued, mut raws, mut ossls) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut dimpls, mut dimpl_error) = (Vec::new(), None);
    let mut ours = engine::records(1200, window / rounds, ZeroCopy);
    for _ in 0..rounds {
        for (path, speeds) in [(ZeroCopy, &mut direct), (Queued, &mut queued)] {
            let round = engine::records(1200, window / rounds, path);
            speeds.push(round.mbps);
            ours.allocs_send = ours.allocs_send.max(round.allocs_send);
            ours.allocs_receive = ours.allocs_receive.max(round.allocs_receive);
        }
        raws.push(floor::aead_seal_open_mbps(1200, window / rounds));
        ossls.push(openssl_peer::records_mbps(1200, window / rounds).unwrap_or(f64::NAN));
        match dimpl_peer::records_mbps(1200, window / rounds) {
            Ok(v) => dimpls.push(v),
            Err(e) => dimpl_error = Some(e),
        }
    }
    ours.mbps = median(direct);
    let queued = median(queued);
    let (raw, openssl, dimpl) = (median(raws), median(ossls), median(dimpls));
    figures.push(figure(
        "record_1200b_mbps",
        ours.mbps,
        "MB/s",
        format!(
            "seal+open through the engine, send_now + handle_datagram_with: {} of raw AEAD (target >= 0.75x), {} of OpenSSL (target >= 2x), {} of dimpl",
            ratio(ours.mbps, raw),
            ratio(ours.mbps, openssl),
            ratio(ours.mbps, dimpl)
        ),
    ));
    figures.push(figure(
        "record_1200b_queued_mbps",
        queued,
        "MB/s",
        format!(
            "through the send and receive queues (send, recv): {} of raw AEAD",
            ratio(queued, raw)
        ),
    ));
    figures.push(figure("openssl_record_1200b_mbps", openssl, "MB/s", ""));
    figures.push(figure(
        "dimpl_record_1200b_mbps",
        dimpl,
        "MB/s",
        dimpl_error.unwrap_or_else(|| "dimpl 0.9, RustCrypto AES-128-GCM".to_owned()),
    ));
    for size in [64usize, 256, 1200, 16_384] {
        let name = match size {
            64 => "aead_seal_open_64b_mbps",
            256 => "aead_seal_open_256b_mbps",
            1200 => "aead_seal_open_1200b_mbps",
            _ => "aead_seal_open_16384b_mbps",
        };
        let value = if size == 1200 {
            raw
        } else {
            floor::aead_seal_open_mbps(size, window)
        };
        figures.push(figure(name, value, "MB/s", "ring AES-128-GCM, raw"));
    }
    figures.push(figure(
        "allocations_per_record_send",
        ours.allocs_send,
        "allocations",
        "target 0",
    ));
    figures.push(figure(
        "allocations_per_record_receive",
        ours.allocs_receive,
        "allocations",
        "target 0",
    ));
}

fn memory(figures: &mut Vec<Figure>, quick: bool) {
    figures.push(figure(
        "allocations_per_cookieless_hello",
        engine::allocations_per_cookieless_hello(if quick { 1_000 } else { 10_000 }),
        "allocations",
        "target 0",
    ));
    let (established, half_open) = engine::heap_per_connection(if quick { 200 } else { 2_000 });
    figures.push(figure(
        "heap_per_established_connection_bytes",
        established,
        "bytes",
        "idle, session cache off; target <= 4096",
    ));
    figures.push(figure(
        "heap_per_half_open_connection_bytes",
        half_open,
        "bytes",
        "after the server's flight",
    ));
}

/// Decimals to show `value` with: more below 1 (sub-microsecond figures).
fn decimals(value: f64) -> usize {
    if value.abs() < 1.0 && value != 0.0 {
        4
    } else {
        2
    }
}

fn print(figures: &[Figure]) {
    println!("{:<42} {:>14} {:<12} notes", "figure", "value", "unit");
    for f in figures {
        let places = decimals(f.value);
        println!(
            "{:<42} {:>14.places$} {:<12} {}",
            f.name, f.value, f.unit, f.note
        );
    }
    for f in figures {
        let value = if f.value.is_finite() {
            format!("{:.*}", decimals(f.value) + 1, f.value)
        } else {
            "null".to_owned()
        };
        println!(
            "{{\"name\": \"{}\", \"value\": {value}, \"unit\": \"{}\"}}",
            f.name, f.unit
        );
    }
}
