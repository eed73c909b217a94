//! Writes the seed corpora of the `server_endpoint` and `client_connection`
//! targets: handshakes between a client [`Connection`] and the server
//! [`Endpoint`] recorded as [`Script`]s, one file per scenario (every
//! default cipher suite, every group, client certificates, resumption by
//! session ID and by ticket, a 300-byte MTU, application data, close).
//!
//! Usage: `record_corpus DIR` (writes `DIR/server_endpoint/*` and
//! `DIR/client_connection/*`). Must be built with `--cfg fuzzing`, like the
//! targets, so the recorded records replay under the null protection.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dtls_core::ClientSession;
use dtls_core::config::{ClientConfig, CommonConfig};
use dtls_fuzz::{
    ClientAction, ClientHarness, Script, ServerHarness, Step, client_addr, client_config,
    server_config,
};

/// One recorded handshake, from both sides.
struct Recording {
    /// What the server received.
    server: Script,
    /// What the first client received, with its actions.
    client: Script,
    /// The first client's session, for a resumption scenario.
    session: Option<ClientSession>,
    /// Whether the first client connected.
    connected: bool,
}

/// Plays `clients` (each a config and its source address bits) one after
/// the other against a server of `variant`, each through a handshake, two
/// messages and a close; records both sides.
fn record(variant: u8, clients: Vec<ClientConfig>) -> Recording {
    let start = Instant::now();
    let mut server = ServerHarness::new(server_config(variant), start);
    let mut server_script = Script {
        variant,
        steps: Vec::new(),
    };
    let mut client_script = Script {
        variant,
        steps: Vec::new(),
    };
    let mut session = None;
    let mut connected = false;
    for (index, config) in clients.into_iter().enumerate() {
        let source = u8::try_from(index).unwrap_or(0) & 3;
        let first = index == 0;
        let mut client = ClientHarness::new(Arc::new(config), server.now);
        let mut to_server = client.deliver(Duration::ZERO, None, ClientAction::None);
        let mut actions = [
            ClientAction::Send,
            ClientAction::SendLarge,
            ClientAction::Close,
        ]
        .into_iter();
        for _round in 0..64 {
            let mut to_client = Vec::new();
            for d in to_server.drain(..) {
                server_script.steps.push(Step {
                    source,
                    wait_code: 0,
                    datagram: d.clone(),
                });
                let out = server.deliver(Duration::ZERO, client_addr(source), &d);
                to_client.extend(
                    out.into_iter()
                        .filter(|(a, _)| *a == client_addr(source))
                        .map(|(_, d)| d),
                );
            }
            if to_client.is_empty() {
                // Quiet: the application acts (on an empty datagram, which
                // the connection drops), or the scenario is over.
                let Some(action) = actions.next().filter(|_| client.conn.is_established()) else {
                    break;
                };
                // Wait code 1: 10 ms, on both sides.
                let step = Step {
                    source: action.bits(),
                    wait_code: 1,
                    datagram: Vec::new(),
                };
                to_server = client.deliver(step.wait(), Some(&[]), action);
                if first {
                    session = session.or_else(|| client.conn.session());
                    client_script.steps.push(step);
                }
                server.advance(Duration::from_millis(10));
                continue;
            }
            for d in to_client {
                if first {
                    client_script.steps.push(Step {
                        source: 0,
                        wait_code: 0,
                        datagram: d.clone(),
                    });
                }
                to_server.extend(client.deliver(Duration::ZERO, Some(&d), ClientAction::None));
            }
        }
        if first {
            connected = client.received > 0;
        }
    }
    Recording {
        server: server_script,
        client: client_script,
        session,
        connected,
    }
}

/// Checks that both scripts replay into a fresh harness as far as
/// application data: the whole point of the fuzzing crypto.
fn replays(name: &str, rec: &Recording) -> Result<(), String> {
    let mut server = ServerHarness::new(server_config(rec.server.variant), Instant::now());
    for step in &rec.server.steps {
        server.deliver(step.wait(), client_addr(step.source), &step.datagram);
    }
    let mut client =
        ClientHarness::new(Arc::new(client_config(rec.client.variant)), Instant::now());
    for step in &rec.client.steps {
        client.deliver(
            step.wait(),
            Some(&step.datagram),
            ClientAction::from_bits(step.source),
        );
    }
    if server.received == 0 || client.received == 0 {
        return Err(format!(
            "{name}: the recording does not replay to application data \
             (server received {}, client {})",
            server.received, client.received
        ));
    }
    Ok(())
}

fn with(edit: impl FnOnce(&mut CommonConfig), variant: u8) -> ClientConfig {
    let mut c = client_config(variant);
    edit(&mut c.common);
    c
}

fn write(dir: &Path, target: &str, name: &str, script: &Script) -> std::io::Result<()> {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), script.encode())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: record_corpus DIR")?;
    let dir = Path::new(&dir);
    let mut scenarios: Vec<(String, u8, Vec<ClientConfig>)> = Vec::new();
    for suite in CommonConfig::default().cipher_suites {
        let name = format!("suite-{suite:?}");
        scenarios.push((name, 0, vec![with(|c| c.cipher_suites = vec![suite], 0)]));
    }
    for group in CommonConfig::default().groups {
        let name = format!("group-{group:?}");
        scenarios.push((name, 0, vec![with(|c| c.groups = vec![group], 0)]));
    }
    scenarios.push(("client-certificate".into(), 1, vec![client_config(1)]));
    scenarios.push(("no-client-certificate".into(), 1, vec![client_config(0)]));
    scenarios.push(("mtu-300".into(), 2, vec![client_config(2)]));
    let mut written = 0;
    for (name, variant, clients) in scenarios {
        let rec = record(variant, clients);
        if !rec.connected {
            // The server's identity is ECDSA: its RSA suites cannot connect.
            continue;
        }
        replays(&name, &rec)?;
        write(dir, "server_endpoint", &name, &rec.server)?;
        write(dir, "client_connection", &name, &rec.client)?;
        written += 2;
        if name == "suite-TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" {
            // Resumption: a second client offering the first one's session
            // (a ticket when the server sent one, else the session ID).
            let Some(session) = rec.session else { continue };
            let mut again = client_config(0);
            again.resume = Some(session);
            let resumed = record(0, vec![client_config(0), again]);
            write(dir, "server_endpoint", "resumption", &resumed.server)?;
            written += 1;
        }
    }
    println!("wrote {written} seed inputs under {}", dir.display());
    Ok(())
}
