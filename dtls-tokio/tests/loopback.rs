//! Our listener and our client over loopback, on tokio's runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use dtls_core::RetransmitConfig;
use dtls_core::config::{ClientConfig, Identity, ServerConfig};
use dtls_tokio::{DtlsListener, DtlsStream, Error, STREAM_QUEUE_MESSAGES};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

fn server_config() -> ServerConfig {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[]).expect("cert");
    ServerConfig::new(Identity::from_certificate(&cert).expect("identity"))
}

fn client_config() -> Arc<ClientConfig> {
    Arc::new(ClientConfig::default())
}

async fn listener(config: ServerConfig) -> DtlsListener {
    DtlsListener::bind("127.0.0.1:0", Arc::new(config))
        .await
        .expect("bind")
}

/// Echoes every message of every stream it accepts.
fn spawn_echo(mut listener: DtlsListener) {
    tokio::spawn(async move {
        while let Ok(stream) = listener.accept().await {
            tokio::spawn(echo(stream));
        }
    });
}

async fn echo(mut stream: DtlsStream) {
    while let Ok(Some(message)) = stream.recv().await {
        if stream.send(&message).await.is_err() {
            break;
        }
    }
}

async fn connect(addr: std::net::SocketAddr) -> DtlsStream {
    timeout(WAIT, DtlsStream::connect(addr, client_config()))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// A client stream and the server's end of it (the listener's task goes on
/// while the server stream lives).
async fn connected_pair() -> (DtlsStream, DtlsStream) {
    let mut listener = listener(server_config()).await;
    let addr = listener.local_addr();
    let (client, server) = tokio::join!(connect(addr), async {
        timeout(WAIT, listener.accept()).await.unwrap().unwrap()
    });
    assert_eq!(client.peer_addr(), addr);
    (client, server)
}

async fn recv(stream: &mut DtlsStream) -> Option<Vec<u8>> {
    timeout(WAIT, stream.recv())
        .await
        .expect("recv in time")
        .expect("recv")
}

#[tokio::test]
async fn client_and_server_agree_and_echo() {
    let (mut client, server) = connected_pair().await;
    let addr = client.peer_addr();
    assert!(server.peer_addr().ip().is_loopback());
    assert_ne!(server.peer_addr().port(), addr.port());
    assert_eq!(
        client.negotiated().cipher_suite,
        server.negotiated().cipher_suite
    );
    assert!(client.max_message_len() > 1000);
    tokio::spawn(echo(server));
    for i in 0..20u8 {
        let message = vec![i; 100 + usize::from(i)];
        client.send(&message).await.unwrap();
        assert_eq!(recv(&mut client).await, Some(message));
    }
}

// On the multi-threaded runtime, so streams and drivers run in parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_concurrent_clients() {
    let listener = listener(server_config()).await;
    let addr = listener.local_addr();
    spawn_echo(listener);
    let clients = (0..8u8).map(|id| {
        tokio::spawn(async move {
            let mut client = connect(addr).await;
            for n in 0..10u8 {
                let message = [id, n, 0xAA];
                client.send(&message).await.unwrap();
                assert_eq!(recv(&mut client).await.as_deref(), Some(&message[..]));
            }
            client.close().await.unwrap();
        })
    });
    for client in clients.collect::<Vec<_>>() {
        client.await.unwrap();
    }
}

#[tokio::test]
async fn a_stream_not_read_does_not_stall_others() {
    let mut config = server_config();
    const MAX_RECEIVE_BUFFER: usize = 4096;
    config.common.limits.max_receive_buffer = MAX_RECEIVE_BUFFER;
    let mut listener = listener(config).await;
    let addr = listener.local_addr();

    // A sends far more than its queue and the engine's buffer hold, to a
    // server stream nobody reads.
    let a = connect(addr).await;
    let mut unread = timeout(WAIT, listener.accept()).await.unwrap().unwrap();
    const SENT: usize = 300;
    for n in 0..SENT {
        a.send(&[(n % 251) as u8; 100]).await.unwrap();
        if n % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }

    // B is served meanwhile.
    let (b, accepted) = tokio::join!(connect(addr), async {
        timeout(WAIT, listener.accept()).await.unwrap().unwrap()
    });
    let mut b = b;
    tokio::spawn(echo(accepted));
    b.send(b"still served").await.unwrap();
    assert_eq!(recv(&mut b).await.as_deref(), Some(&b"still served"[..]));

    // A's stream holds its queue, then what the engine kept; the rest was
    // dropped as documented.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut received = 0;
    while let Ok(Ok(Some(_))) = timeout(Duration::from_millis(300), unread.recv()).await {
        received += 1;
    }
    eprintln!("the unread stream kept {received} of {SENT} messages");
    assert!(
        received >= STREAM_QUEUE_MESSAGES,
        "the full queue was delivered ({received})"
    );
    assert!(
        received <= STREAM_QUEUE_MESSAGES + MAX_RECEIVE_BUFFER / 100,
        "records beyond the queue and max_receive_buffer are dropped ({received})"
    );
    // And the stream works again once read.
    a.send(b"after").await.unwrap();
    assert_eq!(recv(&mut unread).await.as_deref(), Some(&b"after"[..]));
}

#[tokio::test]
async fn client_close_ends_the_server_stream_after_its_messages() {
    let (mut client, mut server) = connected_pair().await;
    client.send(b"last words").await.unwrap();
    client.close().await.unwrap();
    assert!(matches!(client.send(b"more").await, Err(Error::Closed)));
    assert_eq!(recv(&mut server).await.as_deref(), Some(&b"last words"[..]));
    assert_eq!(recv(&mut server).await, None);
    assert!(matches!(server.send(b"too late").await, Err(Error::Closed)));
}

#[tokio::test]
async fn server_close_ends_the_client_stream() {
    let (mut client, mut server) = connected_pair().await;
    server.send(b"bye").await.unwrap();
    server.close().await.unwrap();
    assert_eq!(recv(&mut client).await.as_deref(), Some(&b"bye"[..]));
    assert_eq!(recv(&mut client).await, None);
    assert_eq!(recv(&mut server).await, None);
}

#[tokio::test]
async fn dropping_a_stream_closes_it() {
    let (client, mut server) = connected_pair().await;
    drop(client);
    assert_eq!(recv(&mut server).await, None);
}

#[tokio::test]
async fn a_cancelled_recv_loses_nothing() {
    let listener = listener(server_config()).await;
    let addr = listener.local_addr();
    spawn_echo(listener);
    let mut client = connect(addr).await;
    assert!(
        timeout(Duration::from_millis(20), client.recv())
            .await
            .is_err()
    );
    client.send(b"kept").await.unwrap();
    assert_eq!(recv(&mut client).await.as_deref(), Some(&b"kept"[..]));
}

/// Connects with a retransmission schedule of a fraction of a second.
async fn connect_impatiently(port: u16) -> Error {
    let mut config = ClientConfig::default();
    config.common.retransmit = RetransmitConfig {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(100),
        max_retransmissions: 3,
    };
    let result = timeout(
        WAIT,
        DtlsStream::connect(("127.0.0.1", port), Arc::new(config)),
    )
    .await
    .expect("gives up by itself, well within the wait");
    result.expect_err("nobody answers")
}

#[tokio::test]
async fn connect_to_a_port_nobody_listens_on_times_out() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = connect_impatiently(port).await;
    assert!(
        matches!(err, Error::TimedOut { peer, port_unreachable: true } if peer.port() == port),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("timed out") && err.to_string().contains("nothing listening"),
        "{err}"
    );
}

#[tokio::test]
async fn connect_to_a_silent_peer_times_out() {
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let err = connect_impatiently(port).await;
    assert!(
        matches!(
            err,
            Error::TimedOut {
                port_unreachable: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
fn handles_and_errors_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<DtlsListener>();
    send_sync::<DtlsStream>();
    send_sync::<Error>();
}
