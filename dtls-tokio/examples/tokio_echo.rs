//! A DTLS echo server on tokio, with a self-signed certificate for
//! `localhost`.
//!
//! ```text
//! cargo run -p dtls-tokio --example tokio_echo -- 127.0.0.1:4433
//! openssl s_client -dtls1_2 -connect 127.0.0.1:4433
//! ```
//!
//! With `--client ADDR` it instead connects to ADDR, sends one message and
//! prints the echo.

use std::sync::Arc;

use dtls_core::config::{ClientConfig, Identity, ServerConfig};
use dtls_tokio::{DtlsListener, DtlsStream};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, addr] if flag == "--client" => client(addr).await,
        [addr] => server(addr).await,
        [] => server("127.0.0.1:4433").await,
        _ => Err("usage: tokio_echo [ADDR] | tokio_echo --client ADDR".into()),
    }
}

async fn server(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let cert = dtls_crypto::selfsigned::generate_self_signed("localhost", &[])?;
    let config = ServerConfig::new(Identity::from_certificate(&cert)?);
    let mut listener = DtlsListener::bind(addr, Arc::new(config)).await?;
    println!("echoing DTLS on {}", listener.local_addr());
    loop {
        let mut stream = listener.accept().await?;
        let peer = stream.peer_addr();
        println!(
            "{peer}: connected ({})",
            stream.negotiated().cipher_suite.name()
        );
        tokio::spawn(async move {
            let end = loop {
                match stream.recv().await {
                    Ok(Some(message)) => {
                        if let Err(e) = stream.send(&message).await {
                            break e.to_string();
                        }
                    }
                    Ok(None) => break "closed".to_owned(),
                    Err(e) => break e.to_string(),
                }
            };
            println!("{peer}: {end}");
        });
    }
}

async fn client(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    // The example trusts any certificate: set `trust_anchors` in real use.
    let mut stream = DtlsStream::connect(addr, Arc::new(ClientConfig::default())).await?;
    stream.send(b"hello over DTLS").await?;
    if let Some(echo) = stream.recv().await? {
        println!("echo: {}", String::from_utf8_lossy(&echo));
    }
    stream.close().await?;
    Ok(())
}
