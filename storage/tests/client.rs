//! The S3 client speaks TLS to `https://` endpoints (real AWS needs it) with the one TLS
//! stack we ship, and plain HTTP to `http://` ones.

#![allow(clippy::unwrap_used)]

use storage::{StaticEndpoint, Store};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[tokio::test]
async fn an_https_endpoint_is_accepted_and_spoken_to_with_tls() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_bytes = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 3];
        socket.read_exact(&mut buffer).await.unwrap();
        buffer
    });

    let store = Store::for_endpoint(
        &StaticEndpoint {
            url: format!("https://127.0.0.1:{port}"),
            access_key: "key".into(),
            secret_key: "secret".into(),
        },
        "bucket",
        "",
    );
    let request = tokio::spawn(async move { store.check_bucket().await });

    // A TLS record starts with 0x16 (handshake), then the protocol version 0x03 0x0?.
    let bytes = first_bytes.await.unwrap();
    assert_eq!(bytes[0], 0x16, "expected a TLS ClientHello, got {bytes:?}");
    assert_eq!(bytes[1], 0x03);
    request.abort();
}
