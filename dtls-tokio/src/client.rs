//! [`DtlsStream::connect`]: a client socket, and the task that drives it
//! through a [`dtls_core::Connection`].

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use dtls_core::config::ClientConfig;
use dtls_core::{Connection, Event};
use tokio::net::{ToSocketAddrs, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until};

use crate::Error;
use crate::io::{DATAGRAM_BUF, is_transient, send_verdict};
use crate::stream::{Command, Delivery, DtlsStream, Established, Progress, pair};

impl DtlsStream {
    /// Connects to a DTLS server: binds a UDP socket on an ephemeral port,
    /// runs the handshake, and once it completes spawns the task that
    /// drives the socket on the current tokio runtime.
    ///
    /// The handshake's retransmission schedule (`common.retransmit` in the
    /// config, RFC 6347 4.2.4.1) bounds how long this waits for an answer;
    /// wrap it in `tokio::time::timeout` for a shorter bound.
    ///
    /// # Cancellation
    /// Dropping the future before it resolves drops the socket and the
    /// handshake; no task is left behind (the server sees a handshake that
    /// stops, and forgets it when its own retransmissions give up).
    ///
    /// # Errors
    /// [`Error::TimedOut`] when the server never answered (for instance,
    /// nobody listens on that port); [`Error::HandshakeFailed`] when it
    /// answered but the handshake failed; [`Error::Io`] if the address does
    /// not resolve or the socket fails; [`Error::Engine`] if the config
    /// cannot work.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        config: Arc<ClientConfig>,
    ) -> Result<DtlsStream, Error> {
        let peer = tokio::net::lookup_host(addr).await?.next().ok_or_else(|| {
            std::io::Error::new(ErrorKind::InvalidInput, "the address resolves to nothing")
        })?;
        let local: SocketAddr = match peer {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local).await?;
        socket.connect(peer).await?;
        let now = Instant::now().into_std();
        let conn = Connection::client(config, peer, now)?;
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let mut driver = ClientDriver {
            socket,
            conn,
            commands_tx,
            commands,
            delivery: None,
            handshake: Handshake::Running {
                port_unreachable: false,
            },
            closing: Vec::new(),
            recv_buf: vec![0; DATAGRAM_BUF],
            send_buf: vec![0; DATAGRAM_BUF],
        };
        driver.drain(now, false).await?;
        loop {
            match std::mem::replace(&mut driver.handshake, Handshake::Handed) {
                Handshake::Done(stream) => {
                    tokio::spawn(driver.run());
                    return Ok(*stream);
                }
                Handshake::Failed(e) => return Err(e),
                running => driver.handshake = running,
            }
            driver.step().await?;
        }
    }
}

/// Where the client's handshake is.
enum Handshake {
    /// Under way; whether the host reported the server's port closed.
    Running { port_unreachable: bool },
    /// Complete: the stream for `connect` to return.
    Done(Box<DtlsStream>),
    /// Failed: the error for `connect` to return.
    Failed(Error),
    /// The outcome was handed to `connect`.
    Handed,
}

/// The task behind a client [`DtlsStream`].
struct ClientDriver {
    /// Connected to the server, so only its datagrams arrive.
    socket: UdpSocket,
    conn: Connection,
    commands_tx: mpsc::UnboundedSender<Command>,
    commands: mpsc::UnboundedReceiver<Command>,
    /// `None` before the handshake completes, and once the stream is gone.
    delivery: Option<Delivery>,
    handshake: Handshake,
    /// Close requests answered once the next flush has written the alert.
    closing: Vec<oneshot::Sender<()>>,
    recv_buf: Vec<u8>,
    send_buf: Vec<u8>,
}

impl ClientDriver {
    /// Drives the established association until the stream is gone and
    /// the connection has sent its last alert.
    async fn run(mut self) {
        while self.delivery.is_some() || !self.conn.is_drained() {
            if self.step().await.is_err() {
                return;
            }
        }
    }

    /// Waits for one input (datagram, command, timer), handles it and
    /// drains the engine.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket failed.
    async fn step(&mut self) -> Result<(), Error> {
        let deadline = self.conn.poll_timeout().map(Instant::from_std);
        tokio::select! {
            r = self.socket.recv(&mut self.recv_buf) => {
                let now = Instant::now().into_std();
                match r {
                    Ok(len) => {
                        if let Some(datagram) = self.recv_buf.get_mut(..len) {
                            self.conn.handle_datagram(now, datagram);
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                        if let Handshake::Running { port_unreachable } = &mut self.handshake {
                            *port_unreachable = true;
                        }
                    }
                    Err(e) if is_transient(&e) => {}
                    Err(e) => return Err(Error::Io(e)),
                }
                self.drain(now, false).await
            }
            Some(command) = self.commands.recv() => {
                let now = Instant::now().into_std();
                self.on_command(now, command);
                self.drain(now, false).await
            }
            () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                let now = Instant::now().into_std();
                self.conn.handle_timeout(now);
                self.drain(now, true).await
            }
        }
    }

    fn on_command(&mut self, now: std::time::Instant, command: Command) {
        match command {
            Command::Send { data, reply, .. } => {
                let _ = reply.send(send_verdict(self.conn.send(now, &data)));
            }
            Command::Close { reply, .. } => {
                self.conn.close(now);
                self.closing.push(reply);
            }
            Command::Resume(_) => self.deliver(),
            Command::Dropped(_) => {
                self.conn.close(now);
                self.delivery = None;
            }
        }
    }

    /// Handles every event and writes every pending datagram, until the
    /// engine has neither. `after_timeout`: the input was a timer, so a
    /// failed handshake means the server never answered.
    async fn drain(&mut self, now: std::time::Instant, after_timeout: bool) -> Result<(), Error> {
        loop {
            let mut any = false;
            while let Some(event) = self.conn.poll_event() {
                any = true;
                self.on_event(event, after_timeout);
            }
            while let Some(len) = self.conn.poll_transmit(now, &mut self.send_buf) {
                any = true;
                if let Some(datagram) = self.send_buf.get(..len) {
                    match self.socket.send(datagram).await {
                        Err(e) if !is_transient(&e) => return Err(Error::Io(e)),
                        _ => {}
                    }
                }
            }
            if !any {
                break;
            }
        }
        for reply in self.closing.drain(..) {
            let _ = reply.send(());
        }
        Ok(())
    }

    fn on_event(&mut self, event: Event, after_timeout: bool) {
        match event {
            Event::Connected(negotiated) => {
                let established = Established {
                    key: None,
                    peer: self.conn.peer(),
                    negotiated,
                    max_message_len: self.conn.max_message_len(),
                };
                let (stream, delivery) = pair(established, self.commands_tx.clone());
                self.delivery = Some(delivery);
                self.handshake = Handshake::Done(Box::new(stream));
            }
            Event::HandshakeFailed(status) => {
                let port_unreachable = match self.handshake {
                    Handshake::Running { port_unreachable } => port_unreachable,
                    _ => false,
                };
                // Only the retransmission timer gives up on its own
                // (RFC 6347 4.2.4.1); any other failure answered a datagram.
                self.handshake = Handshake::Failed(if after_timeout {
                    Error::TimedOut {
                        peer: self.conn.peer(),
                        port_unreachable,
                    }
                } else {
                    Error::HandshakeFailed(status)
                });
            }
            Event::DataReadable => self.deliver(),
            Event::Closed(status) => {
                let Some(delivery) = &mut self.delivery else {
                    return;
                };
                let (conn, buf) = (&mut self.conn, &mut self.recv_buf);
                if delivery.finish(status, || read(conn, buf)) == Progress::Done {
                    self.delivery = None;
                }
            }
            _ => {}
        }
    }

    fn deliver(&mut self) {
        let Some(delivery) = &mut self.delivery else {
            return;
        };
        let (conn, buf) = (&mut self.conn, &mut self.recv_buf);
        if delivery.pump(|| read(conn, buf)) == Progress::Done {
            self.delivery = None;
        }
    }
}

/// The next message the engine holds.
fn read(conn: &mut Connection, buf: &mut [u8]) -> Option<Vec<u8>> {
    let n = conn.recv(buf).ok().flatten()?;
    buf.get(..n).map(<[u8]>::to_vec)
}
