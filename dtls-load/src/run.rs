//! A whole run: sockets first, then the generator threads, the CPU
//! samples at the start and the end of the measured duration.

use std::sync::Arc;
use std::time::Instant;

use crate::cpu::{self, CpuTime};
use crate::dtls_client::{DtlsClient, client_config};
use crate::error::Error;
use crate::options::{LoadOptions, Mode};
use crate::report::{Report, Tally};
use crate::udp_client::UdpClient;
use crate::worker::{Client, drive};

/// Runs the load `opts` describes and reports what it measured. Blocks for
/// the duration plus at most the drain.
///
/// # Errors
/// Bad options, a socket that cannot be made, a server pid whose
/// `/proc/<pid>/stat` cannot be read, or a poll(2) failure. Failed
/// handshakes and lost echoes are counted in the report, not errors.
pub fn run(opts: &LoadOptions) -> Result<Report, Error> {
    opts.validate().map_err(Error::Options)?;
    let now = Instant::now();
    match opts.mode {
        Mode::Handshake | Mode::Echo => {
            let config = Arc::new(client_config(opts));
            let clients = (0..opts.clients)
                .map(|_| DtlsClient::new(opts, config.clone(), now))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::io("client socket"))?;
            measure(opts, clients)
        }
        Mode::UdpEcho => {
            let clients = (0..opts.clients)
                .map(|_| UdpClient::new(opts, now))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::io("client socket"))?;
            measure(opts, clients)
        }
    }
}

/// Splits `clients` over the threads, runs them, and samples CPU times at
/// the start and when the duration ends.
fn measure<C: Client + Send>(opts: &LoadOptions, clients: Vec<C>) -> Result<Report, Error> {
    let threads = opts.threads.min(clients.len()).max(1);
    let mut groups: Vec<Vec<C>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, client) in clients.into_iter().enumerate() {
        if let Some(group) = groups.get_mut(i % threads) {
            group.push(client);
        }
    }
    let server_cpu = || -> Result<Option<CpuTime>, Error> {
        opts.server_pid
            .map(|pid| cpu::of_process(pid).map_err(Error::io(format!("server pid {pid}"))))
            .transpose()
    };
    let own_cpu = || cpu::own().map_err(Error::io("/proc/self/stat"));
    let server_before = server_cpu()?;
    let own_before = own_cpu()?;
    let start = Instant::now();
    let end = start + opts.duration;
    let drain_end = end + opts.drain;
    std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter_mut()
            .map(|group| scope.spawn(move || drive(group, end, drain_end)))
            .collect();
        std::thread::sleep(end.saturating_duration_since(Instant::now()));
        let elapsed = start.elapsed();
        let server_after = server_cpu();
        let own_after = own_cpu();
        let mut tally = Tally::default();
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| Error::Thread)?
                .map_err(Error::io("poll"))?;
            tally.add(&part);
        }
        let server_cpu = match (server_before, server_after?) {
            (Some(before), Some(after)) => Some(after.since(&before)),
            _ => None,
        };
        Ok(Report {
            mode: opts.mode,
            clients: opts.clients,
            threads,
            elapsed,
            tally,
            own_cpu: own_after?.since(&own_before),
            server_cpu,
        })
    })
}
