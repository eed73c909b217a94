//! [`DtlsStream`], the application's end of one association, and
//! [`Delivery`], the driver's end: the bounded queue between them and the
//! commands the stream sends to the task that owns the socket.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use dtls_core::ConnectionHandle;
use dtls_core::event::{NegotiatedParams, Status};
use tokio::sync::{mpsc, oneshot};

use crate::Error;

/// How many received messages a stream's queue holds before its driver stops
/// reading that association's records (see [`DtlsStream::recv`]).
pub const STREAM_QUEUE_MESSAGES: usize = 64;

/// Which association a command is for: a server connection's handle, or
/// `None` on a client socket (which carries one association).
pub(crate) type Key = Option<ConnectionHandle>;

/// What a stream asks of the task that drives its socket.
#[derive(Debug)]
pub(crate) enum Command {
    /// Queue one message; the engine's verdict comes back on `reply`.
    Send {
        key: Key,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// Send close_notify; `reply` fires once it is written to the socket.
    Close {
        key: Key,
        reply: oneshot::Sender<()>,
    },
    /// The stream read from a queue that was full: deliver again.
    Resume(Key),
    /// The stream was dropped: close the association.
    Dropped(Key),
}

/// State both ends of a stream see.
#[derive(Debug, Default)]
struct Shared {
    /// Set by the driver when the queue was full and it stopped reading;
    /// cleared by the stream, which then sends [`Command::Resume`].
    paused: AtomicBool,
    /// How the association ended, set once before the queue closes.
    end: OnceLock<Status>,
}

/// One DTLS association over a UDP socket driven by a background task: from
/// [`DtlsListener::accept`](crate::DtlsListener::accept) on a server, or
/// [`DtlsStream::connect`] on a client.
///
/// Messages keep their boundaries: one [`send`](Self::send) is one record in
/// one datagram, and arrives as one [`recv`](Self::recv) (or not at all:
/// DTLS, like UDP, does not retransmit application data).
///
/// Dropping the stream closes the association (close_notify), like
/// [`close`](Self::close) without waiting.
#[derive(Debug)]
pub struct DtlsStream {
    key: Key,
    peer: SocketAddr,
    negotiated: Box<NegotiatedParams>,
    max_message_len: usize,
    commands: mpsc::UnboundedSender<Command>,
    incoming: mpsc::Receiver<Vec<u8>>,
    shared: Arc<Shared>,
}

/// What [`pair`] needs to know about a freshly established association.
pub(crate) struct Established {
    pub key: Key,
    pub peer: SocketAddr,
    pub negotiated: Box<NegotiatedParams>,
    pub max_message_len: usize,
}

/// A stream and the driver's end of it.
pub(crate) fn pair(
    established: Established,
    commands: mpsc::UnboundedSender<Command>,
) -> (DtlsStream, Delivery) {
    let (tx, incoming) = mpsc::channel(STREAM_QUEUE_MESSAGES);
    let shared = Arc::new(Shared::default());
    let stream = DtlsStream {
        key: established.key,
        peer: established.peer,
        negotiated: established.negotiated,
        max_message_len: established.max_message_len,
        commands,
        incoming,
        shared: shared.clone(),
    };
    let delivery = Delivery {
        tx: Some(tx),
        shared,
        tail: VecDeque::new(),
        end: None,
    };
    (stream, delivery)
}

impl DtlsStream {
    /// Sends one message as one record in one datagram.
    ///
    /// Resolves once the engine has queued the message; the driver writes
    /// it to the socket before it handles any other input.
    ///
    /// # Cancellation
    /// Dropping the future before it resolves may or may not send the
    /// message (it is sent if the request already reached the driver);
    /// nothing else is left behind.
    ///
    /// # Errors
    /// [`Error::Closed`] once the association has ended;
    /// [`Error::Engine`] with `MessageTooLarge` beyond
    /// [`max_message_len`](Self::max_message_len) or `SendBufferFull`;
    /// [`Error::DriverGone`] if the socket's task has stopped.
    pub async fn send(&self, data: &[u8]) -> Result<(), Error> {
        if self.shared.end.get().is_some() {
            return Err(Error::Closed);
        }
        let (reply, answer) = oneshot::channel();
        let command = Command::Send {
            key: self.key,
            data: data.to_vec(),
            reply,
        };
        self.commands.send(command).map_err(|_| Error::DriverGone)?;
        answer.await.map_err(|_| Error::DriverGone)?
    }

    /// The next message from the peer; `Ok(None)` once the association
    /// closed in order (close_notify either way) and every message before
    /// the close has been read.
    ///
    /// # Backpressure
    /// Received messages wait in a queue of [`STREAM_QUEUE_MESSAGES`].
    /// While it is full the driver stops reading this association's records
    /// out of the engine (other associations on the socket are not
    /// affected); the engine then holds up to
    /// `limits.max_receive_buffer` bytes and drops further records, counted
    /// as `buffer_full` in its counters, as a network would drop datagrams.
    /// Reading resumes delivery.
    ///
    /// # Cancellation
    /// Cancel safe: a dropped future loses no message.
    ///
    /// # Errors
    /// [`Error::ConnectionLost`] when the association ended otherwise
    /// (a fatal alert either way, a peer that stopped answering heartbeats;
    /// an idle timeout, `common.idle_timeout`, is an orderly close);
    /// [`Error::DriverGone`] if the socket's task stopped without a close.
    pub async fn recv(&mut self) -> Result<Option<Vec<u8>>, Error> {
        match self.incoming.recv().await {
            Some(message) => {
                if self.shared.paused.swap(false, Ordering::SeqCst) {
                    let _ = self.commands.send(Command::Resume(self.key));
                }
                Ok(Some(message))
            }
            None => match self.shared.end.get() {
                Some(status) if status.is_ok() => Ok(None),
                Some(status) => Err(Error::ConnectionLost(status.clone())),
                None => Err(Error::DriverGone),
            },
        }
    }

    /// Closes the association: sends close_notify (RFC 5246 7.2.1).
    /// Resolves once it is written to the socket. Messages that arrived
    /// before can still be read with [`recv`](Self::recv), which then
    /// returns `Ok(None)`; [`send`](Self::send) fails with
    /// [`Error::Closed`]. Closing a closed stream does nothing.
    ///
    /// # Cancellation
    /// Dropping the future still closes the association once the request
    /// reached the driver (and dropping the stream always does).
    ///
    /// # Errors
    /// [`Error::DriverGone`] if the socket's task has stopped.
    pub async fn close(&mut self) -> Result<(), Error> {
        if self.shared.end.get().is_some() {
            return Ok(());
        }
        let (reply, done) = oneshot::channel();
        let command = Command::Close {
            key: self.key,
            reply,
        };
        self.commands.send(command).map_err(|_| Error::DriverGone)?;
        done.await.map_err(|_| Error::DriverGone)
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// What the handshake negotiated (suite, group, ALPN, SNI, the peer's
    /// certificates...).
    pub fn negotiated(&self) -> &NegotiatedParams {
        &self.negotiated
    }

    /// The largest message [`send`](Self::send) accepts: one record in one
    /// datagram (RFC 6347 4.1.1).
    pub fn max_message_len(&self) -> usize {
        self.max_message_len
    }
}

impl Drop for DtlsStream {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Dropped(self.key));
    }
}

/// The driver's end of a stream: moves messages from the engine into the
/// stream's bounded queue, pausing while it is full.
#[derive(Debug)]
pub(crate) struct Delivery {
    /// `None` once the end was published (the queue is closed).
    tx: Option<mpsc::Sender<Vec<u8>>>,
    shared: Arc<Shared>,
    /// Messages taken out of the engine when the association ended (the
    /// engine forgets them once drained); bounded by `max_receive_buffer`.
    tail: VecDeque<Vec<u8>>,
    end: Option<Status>,
}

/// Whether a [`Delivery`] has more to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The association is open, or closed with messages still queued.
    Open,
    /// Everything was delivered and the end published: forget the stream.
    Done,
}

impl Delivery {
    /// Moves messages into the stream's queue until it is full: first those
    /// kept from a closed association, then what `read` takes out of the
    /// engine (`None` when it has no more).
    pub fn pump(&mut self, mut read: impl FnMut() -> Option<Vec<u8>>) -> Progress {
        let Some(tx) = &self.tx else {
            return Progress::Done;
        };
        loop {
            if tx.capacity() == 0 {
                self.shared.paused.store(true, Ordering::SeqCst);
                // The stream may have read between the check and the flag.
                if tx.capacity() == 0 {
                    return Progress::Open;
                }
            }
            let message = if self.end.is_some() {
                self.tail.pop_front()
            } else {
                read()
            };
            let Some(message) = message else { break };
            if tx.is_closed() || tx.try_send(message).is_err() {
                break;
            }
        }
        match self.end.take() {
            Some(status) if self.tail.is_empty() => {
                let _ = self.shared.end.set(status);
                self.tx = None;
                Progress::Done
            }
            end => {
                self.end = end;
                Progress::Open
            }
        }
    }

    /// The association ended with `status`: keeps what the engine still
    /// holds for the stream, then delivers it and the end.
    pub fn finish(&mut self, status: Status, read: impl FnMut() -> Option<Vec<u8>>) -> Progress {
        if self.end.is_none() {
            self.tail.extend(std::iter::from_fn(read));
            self.end = Some(status);
        }
        self.pump(|| None)
    }
}

#[cfg(test)]
mod tests {
    use dtls_core::event::StatusCode;

    use super::*;

    fn delivery(capacity: usize) -> (Delivery, mpsc::Receiver<Vec<u8>>, Arc<Shared>) {
        let (tx, rx) = mpsc::channel(capacity);
        let shared = Arc::new(Shared::default());
        let delivery = Delivery {
            tx: Some(tx),
            shared: shared.clone(),
            tail: VecDeque::new(),
            end: None,
        };
        (delivery, rx, shared)
    }

    fn engine(n: u8) -> VecDeque<Vec<u8>> {
        (0..n).map(|i| vec![i]).collect()
    }

    #[test]
    fn a_full_queue_pauses_and_leaves_the_rest_in_the_engine() {
        let (mut delivery, mut rx, shared) = delivery(2);
        let mut held = engine(5);
        assert_eq!(delivery.pump(|| held.pop_front()), Progress::Open);
        assert_eq!(held.len(), 3, "only what fits left the engine");
        assert!(shared.paused.load(Ordering::SeqCst));
        assert_eq!(rx.try_recv().ok(), Some(vec![0]));
        assert_eq!(delivery.pump(|| held.pop_front()), Progress::Open);
        assert_eq!(rx.try_recv().ok(), Some(vec![1]));
        assert_eq!(rx.try_recv().ok(), Some(vec![2]));
        assert_eq!(held.len(), 2);
    }

    #[test]
    fn the_end_waits_for_every_message_before_it() {
        let (mut delivery, mut rx, shared) = delivery(1);
        let mut held = engine(3);
        let status = Status::new(StatusCode::Ok, "closed by peer");
        assert_eq!(delivery.finish(status, || held.pop_front()), Progress::Open);
        assert!(held.is_empty(), "the engine's messages were kept");
        for i in 0..3 {
            assert!(shared.end.get().is_none());
            assert_eq!(rx.try_recv().ok(), Some(vec![i]));
            let _ = delivery.pump(|| None);
        }
        assert!(shared.end.get().is_some_and(Status::is_ok));
        assert_eq!(delivery.pump(|| None), Progress::Done);
        assert!(rx.try_recv().is_err(), "the queue is closed");
    }
}
