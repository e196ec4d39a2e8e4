//! The server as a browser or a script sees it: the app started in-process on a free port
//! over a real embedded S3 server, talked to over HTTP.

use crate::helpers::TestApp;
use serde_json::{Value, json};

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
            {"name": "formats", "table_count": 5, "tables": ["clicks", "events", "facts", "log", "visits"],
             "formats": ["csv.zst", "csv.gz", "parquet", "jsonl", "csv"], "is_default": true},
            {"name": "sales", "table_count": 1, "tables": ["orders"], "formats": ["csv"], "is_default": true},
            {"name": "school", "table_count": 3, "tables": ["courses", "enrollments", "students"],
             "formats": ["csv", "csv", "csv"], "is_default": true},
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
    let cookie = app.sign_in_cookie("tester").await;
    app.server.catalog.shutdown().await.unwrap();

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

    // The home page says so too, as a page: HTML with the 503 status, not JSON. (A session
    // cookie is checked without the storage; a token's record could not be read now.)
    let page = app
        .anonymous
        .get(format!("{}/", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    let content_type = page.headers()["content-type"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(
        content_type.starts_with("text/html"),
        "{content_type}: {html}"
    );
    assert!(html.contains("Could not load the databases"), "{html}");
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
        "3 databases · 9 tables",
        r#"data-format="parquet""#,
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
async fn the_home_page_shows_one_page_of_many_databases_and_filters_on_the_server() {
    let app = TestApp::spawn().await;
    let tester = shared::UserName::parse("tester").unwrap();
    for n in 0..60 {
        let name = shared::DatabaseName::parse(&format!("db{n:02}")).unwrap();
        app.server
            .catalog
            .create_database(&tester, &name)
            .await
            .unwrap();
    }
    let cards = |html: &str| html.matches("data-database=").count();

    let first = app.get("/").await.text().await.unwrap();
    assert_eq!(cards(&first), shared::DATABASES_PER_PAGE);
    assert!(
        first.contains("Showing 1–48 of 63 databases · 9 tables"),
        "{first}"
    );
    assert!(first.contains(r#"href="/?page=2""#));

    let second = app.get("/?page=2").await.text().await.unwrap();
    assert_eq!(cards(&second), 63 - shared::DATABASES_PER_PAGE);
    assert!(second.contains(r#"data-database="sales""#));

    let narrowed = app.get("/?q=DB1").await.text().await.unwrap();
    assert_eq!(cards(&narrowed), 10);
    assert!(narrowed.contains("10 of 63 databases match “DB1”"));

    let page: Value = app
        .get("/api/database_page?filter=db5&page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["matching"], 10);
    assert_eq!(page["databases"].as_array().unwrap().len(), 10);
    assert_eq!(page["own"].as_array().unwrap().len(), 60);
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

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404_with_a_code() {
    let app = TestApp::spawn().await;
    for path in ["/api/no_such_call", "/api/databases/extra"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn database_schema_answers_the_documented_shape() {
    let app = TestApp::spawn().await;
    let response = app
        .get("/api/database_schema?database=school&sample_rows=2")
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database"], "school");
    assert_eq!(body["is_default"], true);
    let tables = body["tables"].as_array().unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["courses", "enrollments", "students"]);
    let students = &tables[2];
    assert_eq!(
        students["columns"][0],
        json!({"name": "student_id", "type": "text"})
    );
    assert_eq!(students["sample_rows"].as_array().unwrap().len(), 2);
    assert_eq!(
        students["sample_rows"][0][0], "000001",
        "cells keep their leading zeros"
    );
    assert_eq!(students["row_count"], 240);
    assert_eq!(students["row_count_exact"], true);
    assert!(students["size_bytes"].as_u64().unwrap() > 0);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn database_schema_defaults_to_five_sample_rows() {
    let app = TestApp::spawn().await;
    let body: Value = app
        .get("/api/database_schema?database=sales")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["tables"][0]["sample_rows"].as_array().unwrap().len(),
        5
    );
    assert_eq!(body["tables"][0]["row_count"], 2000);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn database_schema_refuses_bad_input_with_a_code_and_a_message() {
    let app = TestApp::spawn().await;
    for (query, status, code, fragment) in [
        (
            "database=school&sample_rows=0",
            400,
            "bad_request",
            "between 1 and 100",
        ),
        (
            "database=school&sample_rows=101",
            400,
            "bad_request",
            "between 1 and 100",
        ),
        (
            "database=school&sample_rows=many",
            400,
            "bad_request",
            "parameters",
        ),
        ("database=..%2Fetc", 400, "bad_request", "not allowed"),
        ("database=", 400, "bad_request", "empty"),
        ("database=nope", 404, "not_found", "no database named"),
    ] {
        let response = app.get(&format!("/api/database_schema?{query}")).await;
        assert_eq!(response.status(), status, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{query}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(fragment), "{query}: {message}");
    }
    app.server.stop().await.unwrap();
}
