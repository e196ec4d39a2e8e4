//! What a connection may cost the server: a client that sends half a request is
//! disconnected after the header deadline (`--header-read-secs`), and past
//! `--max-connections` a new connection waits until one closes.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, test_client};

#[tokio::test]
async fn a_half_sent_request_is_disconnected_at_the_header_deadline() {
    let app = TestApp::spawn_with(&["--header-read-secs", "1"]).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut socket = TcpStream::connect(&address).await.unwrap();
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // The server closes the connection (perhaps after a 408): the read ends.
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the half-sent request was still held after 5 s"
    );
    assert!(started.elapsed() >= Duration::from_millis(500));
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.contains("200 OK"), "{text}");
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn past_the_connection_limit_new_connections_wait_for_room() {
    let app = TestApp::spawn_with(&["--max-connections", "2", "--header-read-secs", "1"]).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    // Two connections that send nothing take the room until their header deadline.
    let idle = [
        TcpStream::connect(&address).await.unwrap(),
        TcpStream::connect(&address).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let response = test_client()
        .get(format!("{}/healthz", app.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500),
        "answered after {waited:?}, with no room"
    );
    drop(idle);
    app.server.stop().await.unwrap();
}
