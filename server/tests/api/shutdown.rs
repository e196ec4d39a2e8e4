//! Stopping with a slow upload in flight: the server waits for it only until the shutdown
//! deadline (`--shutdown-secs`), then stops the import, aborts its multipart upload, waits
//! for the abort, and leaves nothing behind.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use reqwest::multipart::{Form, Part};
use shared::routes::import_fields;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upload_is_stopped_at_the_shutdown_deadline_and_leaves_nothing() {
    let app = TestApp::spawn_with(&["--shutdown-secs", "1"]).await;
    // 1 MiB every 50 ms, 200 MiB in all: far longer than the deadline.
    let mut row = 0u64;
    let chunks = futures::stream::iter(0..200).then(move |_| {
        let mut chunk = String::with_capacity(1024 * 1024 + 64);
        if row == 0 {
            chunk.push_str("id,text\n");
        }
        while chunk.len() < 1024 * 1024 {
            chunk.push_str(&format!("{row},slow upload\n"));
            row += 1;
        }
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<Bytes, std::io::Error>(Bytes::from(chunk))
        }
    });
    let file = Part::stream(reqwest::Body::wrap_stream(chunks))
        .file_name("slow.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = Form::new()
        .text(import_fields::DATABASE, "slowdb")
        .part(import_fields::FILE, file);
    let request = app
        .http
        .post(format!("{}{}", app.base, shared::routes::IMPORT_TABLES))
        .multipart(form)
        .send();
    let client = tokio::spawn(request);
    // Wait until the upload is under way (its multipart upload exists).
    let waited = Instant::now();
    while app.incomplete_uploads().is_empty() {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the upload never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let started = Instant::now();
    app.server.stop().await.unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "stopping took {took:?}");
    let left = storage::testing::embedded_incomplete_uploads(app.data_dir.path());
    assert_eq!(left, Vec::<String>::new());
    let answer = client.await.unwrap();
    if let Ok(response) = answer {
        assert_ne!(response.status(), 200, "an import cut off must not succeed");
    }
    let table = app.data_dir.path().join("dbm/users/tester/slowdb/slow.csv");
    assert!(!table.exists(), "nothing of the stopped import is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_stalls_is_stopped_after_the_body_idle_deadline() {
    let app = TestApp::spawn_with(&["--body-idle-secs", "1"]).await;
    // 12 MiB at once (a multipart upload starts), then nothing for a minute.
    let chunks = futures::stream::iter(0..2).then(|index: u32| async move {
        if index == 1 {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        let mut chunk = if index == 0 {
            "id,text\n".to_owned()
        } else {
            String::new()
        };
        while chunk.len() < 12 * 1024 * 1024 {
            chunk.push_str("1,stalled\n");
        }
        Ok::<Bytes, std::io::Error>(Bytes::from(chunk))
    });
    let file = Part::stream(reqwest::Body::wrap_stream(chunks))
        .file_name("stalled.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = Form::new()
        .text(import_fields::DATABASE, "stalled")
        .part(import_fields::FILE, file);
    let started = Instant::now();
    let response = app
        .http
        .post(format!("{}{}", app.base, shared::routes::IMPORT_TABLES))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "answered after {took:?}");
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    let message = body["files"][0]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("sent nothing for 1 s"), "{body}");
    assert!(
        app.server
            .catalog
            .store()
            .wait_for_aborts(Duration::from_secs(10))
            .await
    );
    assert_eq!(app.incomplete_uploads(), Vec::<String>::new());
    app.server.stop().await.unwrap();
}
