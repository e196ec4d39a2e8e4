//! The server as a browser or a script sees it: the app started in-process on a free port
//! over a real embedded S3 server, talked to over HTTP.

#![allow(clippy::unwrap_used)]

use clap::Parser;
use serde_json::{Value, json};
use server::RunningServer;
use server::config::Config;

struct TestApp {
    base: String,
    server: RunningServer,
    http: reqwest::Client,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    async fn spawn() -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let config = Config::try_parse_from([
            "server",
            "--addr",
            "127.0.0.1:0",
            "--storage",
            "embedded",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
            "--demo-data",
            "auto",
            "--demo-sales-rows",
            "2000",
        ])
        .unwrap();
        let server = server::start(&config).await.unwrap();
        Self {
            base: format!("http://{}", server.address),
            server,
            http: reqwest::Client::new(),
            _data_dir: data_dir,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn the_database_list_answers_with_the_documented_json() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/databases").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!([
            {"name": "sales", "table_count": 1, "tables": ["orders"], "is_default": true},
            {"name": "school", "table_count": 3, "tables": ["courses", "enrollments", "students"], "is_default": true},
        ])
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn health_and_readiness_answer_200_while_the_storage_is_up() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn when_the_storage_goes_away_readiness_and_the_api_answer_503_with_a_code() {
    let app = TestApp::spawn().await;
    app.server.catalog.shutdown().await;

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["code"], "storage_unavailable");

    let list = app.get("/api/databases").await;
    assert_eq!(list.status(), 503);
    let body: Value = list.json().await.unwrap();
    assert_eq!(body["code"], "storage_unavailable");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("not reachable"), "{message}");
    assert!(
        !message.contains("127.0.0.1"),
        "internal detail leaked: {message}"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn the_home_page_html_lists_the_databases_before_any_javascript_runs() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for expected in [
        r#"data-database="school""#,
        r#"data-database="sales""#,
        "enrollments",
        "3 tables",
        "default",
        "2 databases · 4 tables",
    ] {
        assert!(
            html.contains(expected),
            "missing {expected:?} in the SSR HTML"
        );
    }
    // Rendered in place, not streamed into a <template> for a script to swap in.
    assert!(
        !html.contains("<template"),
        "the list must not depend on a script"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_back() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    app.server.stop().await.unwrap();
}
