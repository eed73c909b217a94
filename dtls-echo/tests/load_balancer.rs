//! Three `dtls-echo` nodes behind nginx's stream module as the UDP load
//! balancer (`hash $remote_addr$remote_port consistent`), sharing a secret
//! (`--shared-secret-file`): handshakes go through the balancer, a client
//! resumes by ticket at a node other than the one that issued it, and when
//! a node stops its clients handshake again at the others.
//!
//! Needs `nginx` with `libnginx-mod-stream` and `openssl` (`.ci/run`
//! installs them); without them the test notes it and passes, except
//! under `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dtls_core::config::ClientConfig;
use dtls_core::{ClientSession, Connection};

const STREAM_MODULES: [&str; 2] = [
    "/usr/lib/nginx/modules/ngx_stream_module.so",
    "/usr/share/nginx/modules/ngx_stream_module.so",
];

fn available() -> Option<&'static str> {
    let module = STREAM_MODULES.iter().find(|m| Path::new(m).exists());
    let nginx = Command::new("nginx").arg("-v").output().is_ok();
    let openssl = Command::new("openssl").arg("version").output().is_ok();
    match (module, nginx && openssl) {
        (Some(m), true) => Some(m),
        _ => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "nginx with the stream module and openssl are needed under CI"
            );
            eprintln!("note: nginx stream module or openssl missing; skipping");
            None
        }
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dtls-echo-lb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running node: its process, port and stdout lines so far.
struct Node {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Node {
    fn start(dir: &Path) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dtls-echo"))
            .args(["--bind", "127.0.0.1:0", "--log-level", "1"])
            .arg("--cert")
            .arg(dir.join("cert.pem"))
            .arg("--key")
            .arg(dir.join("key.pem"))
            .arg("--shared-secret-file")
            .arg(dir.join("secret.hex"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.parse::<SocketAddr>().unwrap().port());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        Node { child, port, lines }
    }

    /// Its "connected" log lines so far.
    fn connections(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .filter(|l| l.contains("connected "))
            .cloned()
            .collect()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client through the balancer from a fresh port: handshake (resuming
/// `resume` if given) and one echo. Its session and whether it resumed.
fn client(lb: u16, resume: Option<ClientSession>) -> Option<(ClientSession, bool)> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", lb)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let config = ClientConfig {
        resume,
        ..ClientConfig::default()
    };
    let server = SocketAddr::from(([127, 0, 0, 1], lb));
    let mut conn = Connection::client(Arc::new(config), server, Instant::now()).unwrap();
    let mut buf = vec![0u8; 16_384];
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut sent = false;
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            conn.handle_datagram(Instant::now(), &mut buf[..n]);
        }
        let now = Instant::now();
        if conn.poll_timeout().is_some_and(|t| t <= now) {
            conn.handle_timeout(now);
        }
        if conn.is_established() && !sent {
            conn.send(now, b"through the balancer").unwrap();
            sent = true;
        }
        while let Some(n) = conn.poll_transmit(now, &mut buf) {
            let _ = socket.send(&buf[..n]);
        }
        if let Ok(Some(n)) = conn.recv(&mut buf) {
            assert_eq!(&buf[..n], b"through the balancer");
            let resumed = conn.negotiated().is_some_and(|n| n.resumed);
            return Some((conn.session()?, resumed));
        }
    }
    None
}

/// Which node logged a connection since `before` (counts per node).
fn served_by(nodes: &[Node], before: &[usize]) -> Option<usize> {
    (0..nodes.len()).find(|&i| nodes[i].connections().len() > before[i])
}

fn counts(nodes: &[Node]) -> Vec<usize> {
    nodes.iter().map(|n| n.connections().len()).collect()
}

#[test]
fn three_nodes_behind_nginx_share_tickets_and_take_over_a_stopped_node() {
    let Some(module) = available() else { return };
    let dir = scratch();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        out.stdout
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
    ]);
    let secret = openssl(&["rand", "-hex", "32"]);
    std::fs::write(dir.join("secret.hex"), secret).unwrap();
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(&dir)).collect();

    let lb = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let upstreams: String = nodes
        .iter()
        .map(|n| {
            format!(
                "        server 127.0.0.1:{} max_fails=1 fail_timeout=30s;\n",
                n.port
            )
        })
        .collect();
    let conf = format!(
        "load_module {module};\ndaemon off;\nmaster_process off;\npid {dir}/nginx.pid;\n\
         error_log {dir}/error.log;\nevents {{}}\nstream {{\n    upstream dtls {{\n\
         hash $remote_addr$remote_port consistent;\n{upstreams}    }}\n    server {{\n\
         listen 127.0.0.1:{lb} udp;\n        proxy_pass dtls;\n        proxy_timeout 5s;\n    }}\n}}\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut nginx = Command::new("nginx")
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _nginx = Kill(&mut nginx);

    // A first handshake through the balancer (nginx may take a moment).
    let mut first = None;
    for _ in 0..20 {
        let before = counts(&nodes);
        if let Some((session, _)) = client(lb, None) {
            first = Some((session, served_by(&nodes, &before).unwrap()));
            break;
        }
    }
    let (session, issuer) = first.expect("a handshake through nginx");

    // Clients from other ports resume that ticket; some land elsewhere.
    let mut resumed_elsewhere = false;
    for _ in 0..30 {
        let before = counts(&nodes);
        let (_, resumed) = client(lb, Some(session.ticket_only())).expect("resumption");
        let node = served_by(&nodes, &before).unwrap();
        assert!(resumed, "node {node} resumed node {issuer}'s ticket");
        if node != issuer {
            resumed_elsewhere = true;
            assert!(
                nodes[node]
                    .connections()
                    .last()
                    .unwrap()
                    .ends_with(", resumed)")
            );
            break;
        }
    }
    assert!(resumed_elsewhere, "no client landed on another node");

    // Stop the issuer: new handshakes land on the others.
    let stopped = nodes.remove(issuer);
    drop(stopped);
    let mut served = 0;
    for _ in 0..30 {
        let before = counts(&nodes);
        if client(lb, Some(session.ticket_only())).is_some() {
            assert!(served_by(&nodes, &before).is_some());
            served += 1;
            if served == 5 {
                break;
            }
        }
    }
    assert_eq!(served, 5, "clients handshake at the remaining nodes");
}
