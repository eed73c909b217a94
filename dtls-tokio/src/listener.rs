//! [`DtlsListener`]: a server socket, and the task that drives it through a
//! [`dtls_core::Endpoint`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use dtls_core::config::ServerConfig;
use dtls_core::{ConnectionHandle, DatagramEvent, Endpoint, Event};
use tokio::net::{ToSocketAddrs, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until};

use crate::Error;
use crate::io::{DATAGRAM_BUF, is_transient, send_verdict};
use crate::stream::{Command, Delivery, DtlsStream, Established, Progress, pair};

/// How many established connections wait for [`DtlsListener::accept`];
/// beyond it new connections are closed (close_notify) as they complete.
pub const ACCEPT_BACKLOG: usize = 128;

/// A DTLS server on one UDP socket.
///
/// [`bind`](Self::bind) spawns one task that owns the socket and the
/// engine: it answers new peers with a cookie (RFC 6347 4.2.1), runs every
/// handshake and timer (through `tokio::time`), and hands each completed
/// connection to [`accept`](Self::accept) as a [`DtlsStream`].
///
/// Client certificates (`client_auth` in the config) are accepted exactly
/// when the engine's chain validation (`client_verifier`) passed them; there
/// is no per-certificate callback yet.
///
/// Dropping the listener stops new handshakes (those under way are
/// abandoned); accepted streams keep working, and the task ends when the
/// last of them is closed.
#[derive(Debug)]
pub struct DtlsListener {
    local_addr: SocketAddr,
    accepted: mpsc::Receiver<DtlsStream>,
}

impl DtlsListener {
    /// Binds a UDP socket to `addr` and starts the task driving it on the
    /// current tokio runtime.
    ///
    /// # Cancellation
    /// Dropping the future before it resolves leaves nothing behind.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot be bound; [`Error::Engine`] if
    /// the config cannot work.
    pub async fn bind(addr: impl ToSocketAddrs, config: Arc<ServerConfig>) -> Result<Self, Error> {
        let endpoint = Endpoint::new(config)?;
        let socket = UdpSocket::bind(addr).await?;
        let local_addr = socket.local_addr()?;
        let (accept_tx, accepted) = mpsc::channel(ACCEPT_BACKLOG);
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let driver = ServerDriver {
            socket,
            endpoint,
            streams: HashMap::new(),
            accept_tx: Some(accept_tx),
            commands_tx,
            commands,
            closing: Vec::new(),
            recv_buf: vec![0; DATAGRAM_BUF],
            send_buf: vec![0; DATAGRAM_BUF],
        };
        tokio::spawn(driver.run());
        Ok(DtlsListener {
            local_addr,
            accepted,
        })
    }

    /// The next established connection.
    ///
    /// # Cancellation
    /// Cancel safe: a dropped future loses no connection.
    ///
    /// # Errors
    /// [`Error::DriverGone`] if the socket's task stopped (the socket
    /// failed).
    pub async fn accept(&mut self) -> Result<DtlsStream, Error> {
        self.accepted.recv().await.ok_or(Error::DriverGone)
    }

    /// The address the socket is bound to (with the port the system chose
    /// for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

/// The task behind a [`DtlsListener`].
struct ServerDriver {
    socket: UdpSocket,
    endpoint: Endpoint,
    /// Accepted (or offered) streams, by connection.
    streams: HashMap<ConnectionHandle, Delivery>,
    /// `None` once the listener is dropped.
    accept_tx: Option<mpsc::Sender<DtlsStream>>,
    /// Cloned into each stream.
    commands_tx: mpsc::UnboundedSender<Command>,
    commands: mpsc::UnboundedReceiver<Command>,
    /// Close requests answered once the next flush has written the alerts.
    closing: Vec<oneshot::Sender<()>>,
    recv_buf: Vec<u8>,
    send_buf: Vec<u8>,
}

/// One input the driver waits for.
enum Input {
    Datagram(std::io::Result<(usize, SocketAddr)>),
    Command(Command),
    Timeout,
    ListenerDropped,
}

impl ServerDriver {
    async fn run(mut self) {
        loop {
            let input = self.next_input().await;
            let now = Instant::now().into_std();
            match input {
                Input::Datagram(Ok((len, from))) => self.on_datagram(now, len, from).await,
                Input::Datagram(Err(e)) if is_transient(&e) => {}
                // The socket is broken: streams see their queues close.
                Input::Datagram(Err(_)) => return,
                Input::Command(command) => self.on_command(now, command),
                Input::Timeout => self.endpoint.handle_timeout(now),
                Input::ListenerDropped => {
                    self.accept_tx = None;
                    self.endpoint.set_accepting(false);
                    let handshaking: Vec<_> = self
                        .endpoint
                        .handles()
                        .filter(|h| !self.streams.contains_key(h))
                        .collect();
                    for handle in handshaking {
                        self.endpoint.reject(handle);
                    }
                }
            }
            self.drain(now).await;
            if self.accept_tx.is_none()
                && self.streams.is_empty()
                && self.endpoint.connection_count() == 0
            {
                return;
            }
        }
    }

    async fn next_input(&mut self) -> Input {
        let deadline = self.endpoint.poll_timeout().map(Instant::from_std);
        let accept_tx = self.accept_tx.clone();
        tokio::select! {
            r = self.socket.recv_from(&mut self.recv_buf) => Input::Datagram(r),
            Some(command) = self.commands.recv() => Input::Command(command),
            () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                Input::Timeout
            }
            () = async { if let Some(tx) = &accept_tx { tx.closed().await } },
                if accept_tx.is_some() => Input::ListenerDropped,
        }
    }

    async fn on_datagram(&mut self, now: std::time::Instant, len: usize, from: SocketAddr) {
        let Some(datagram) = self.recv_buf.get_mut(..len) else {
            return;
        };
        let event = self
            .endpoint
            .handle_datagram(now, from, datagram, &mut self.send_buf);
        // A HelloVerifyRequest, or the alert of a refused proven peer (the
        // listener is at capacity). New connections start their handshake
        // at the next poll_transmit.
        if let DatagramEvent::Respond(n) | DatagramEvent::Refused { respond: n, .. } = event
            && n > 0
            && let Some(reply) = self.send_buf.get(..n)
        {
            // UDP is best effort: a lost HelloVerifyRequest is resent by the
            // client's retransmission.
            let _ = self.socket.send_to(reply, from).await;
        }
    }

    fn on_command(&mut self, now: std::time::Instant, command: Command) {
        match command {
            Command::Send {
                key: Some(handle),
                data,
                reply,
            } => {
                let _ = reply.send(send_verdict(self.endpoint.send(handle, now, &data)));
            }
            Command::Close {
                key: Some(handle),
                reply,
            } => {
                let _ = self.endpoint.close(handle, now);
                self.closing.push(reply);
            }
            Command::Resume(Some(handle)) => self.deliver(handle),
            Command::Dropped(Some(handle)) => {
                let _ = self.endpoint.close(handle, now);
                self.streams.remove(&handle);
            }
            // Client commands never reach a server socket.
            _ => {}
        }
    }

    /// Writes every pending datagram and handles every event, until the
    /// engine has neither.
    async fn drain(&mut self, now: std::time::Instant) {
        loop {
            // Events first: a connection that closed is removed by the next
            // transmit, and its unread messages must be saved before that.
            let mut any = false;
            while let Some((handle, event)) = self.endpoint.poll_event() {
                any = true;
                self.on_event(now, handle, event);
            }
            while let Some(transmit) = self.endpoint.poll_transmit(now, &mut self.send_buf) {
                any = true;
                if let Some(datagram) = self.send_buf.get(..transmit.len) {
                    let _ = self.socket.send_to(datagram, transmit.destination).await;
                }
            }
            if !any {
                break;
            }
        }
        for reply in self.closing.drain(..) {
            let _ = reply.send(());
        }
    }

    fn on_event(&mut self, now: std::time::Instant, handle: ConnectionHandle, event: Event) {
        match event {
            Event::Connected(negotiated) => self.offer(handle, negotiated),
            Event::ClientCertificate { verified, .. } => {
                // No hook for the application yet: the engine's chain
                // validation (ServerConfig::client_verifier) decides.
                let _ = self
                    .endpoint
                    .decide_client_certificate(handle, now, verified);
            }
            Event::DataReadable => self.deliver(handle),
            Event::Closed(status) => {
                let Some(delivery) = self.streams.get_mut(&handle) else {
                    return;
                };
                let (endpoint, buf) = (&mut self.endpoint, &mut self.recv_buf);
                if delivery.finish(status, || read(endpoint, handle, buf)) == Progress::Done {
                    self.streams.remove(&handle);
                }
            }
            _ => {}
        }
    }

    /// Hands a new connection to `accept`, or closes it if nobody listens
    /// or the backlog is full.
    fn offer(
        &mut self,
        handle: ConnectionHandle,
        negotiated: Box<dtls_core::event::NegotiatedParams>,
    ) {
        let Some(conn) = self.endpoint.connection(handle) else {
            return;
        };
        let established = Established {
            key: Some(handle),
            peer: conn.peer(),
            negotiated,
            max_message_len: conn.max_message_len(),
        };
        let (stream, delivery) = pair(established, self.commands_tx.clone());
        self.streams.insert(handle, delivery);
        if let Some(tx) = &self.accept_tx {
            // On failure the stream is dropped, which closes the connection.
            let _ = tx.try_send(stream);
        }
    }

    fn deliver(&mut self, handle: ConnectionHandle) {
        let Some(delivery) = self.streams.get_mut(&handle) else {
            return;
        };
        let (endpoint, buf) = (&mut self.endpoint, &mut self.recv_buf);
        if delivery.pump(|| read(endpoint, handle, buf)) == Progress::Done {
            self.streams.remove(&handle);
        }
    }
}

/// The next message the engine holds for `handle`.
fn read(endpoint: &mut Endpoint, handle: ConnectionHandle, buf: &mut [u8]) -> Option<Vec<u8>> {
    let n = endpoint.recv(handle, buf).ok().flatten()?;
    buf.get(..n).map(<[u8]>::to_vec)
}
