//! Request bodies beyond what a call takes: 413 with the limit, before any server function
//! reads them (they used to fail inside it as a 500 without a log line).

use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn oversized_form_and_json_bodies_are_413_with_the_limit() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let form = app
        .anonymous
        .post(format!("{}/api/sign_in", app.base))
        .header("Origin", &app.base)
        .form(&[("username", "someone"), ("password", huge.as_str())])
        .send()
        .await
        .unwrap();
    let json = app
        .http
        .post(format!("{}/api/delete_table", app.base))
        .json(&serde_json::json!({"database": "x", "table": "x".repeat(100_000)}))
        .send()
        .await
        .unwrap();
    for response in [form, json] {
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "too_large");
        assert!(
            body["message"].as_str().unwrap().contains("64 KiB"),
            "{body}"
        );
    }
    // Ordinary calls are untouched.
    let ok = app
        .post_form("/api/delete_table", &[("database", "nope"), ("table", "t")])
        .await;
    assert_eq!(ok.status(), 404);
    app.server.stop().await.unwrap();
}

/// This process's resident memory, in bytes (server and client both live here).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// A file whose second line is 150 MB long is refused for its long row, and the server's
/// memory grows by a bounded amount on the way (it used to reach about 5x the line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_150_mb_line_is_refused_in_bounded_memory() {
    use futures::StreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The bound stated in the README: parts in flight, the profiler's queue and one
    /// record's 16 MiB, with room for the test's own client.
    const BOUND: u64 = 128 * 1024 * 1024;
    let app = TestApp::spawn().await;
    let chunks = futures::stream::iter(0..151).map(|index| {
        let chunk = if index == 0 {
            b"id,text\n1,".to_vec()
        } else {
            vec![b'x'; 1_000_000]
        };
        Ok::<_, std::io::Error>(bytes::Bytes::from(chunk))
    });
    let file = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(chunks))
        .file_name("long.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text(shared::routes::import_fields::DATABASE, "longdb")
        .part(shared::routes::import_fields::FILE, file);

    let before = resident_bytes();
    let peak = Arc::new(AtomicU64::new(before));
    let sampler = {
        let peak = Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                peak.fetch_max(resident_bytes(), Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    let response = crate::helpers::import_with(&app.http, &app.base, form).await;
    sampler.abort();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = body["files"][0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("longer than 16 MiB"), "{message}");
    let grown = peak.load(Ordering::Relaxed).saturating_sub(before);
    eprintln!("a 150 MB line: resident memory grew by {} MiB", grown >> 20);
    assert!(grown < BOUND, "memory grew by {} MiB", grown >> 20);
    // The refused upload is aborted in the background: wait for it, then nothing is left.
    let store = app.server.catalog.store().clone();
    assert!(
        store
            .wait_for_aborts(std::time::Duration::from_secs(10))
            .await
    );
    assert_eq!(app.incomplete_uploads(), Vec::<String>::new());
    app.server.stop().await.unwrap();
}
