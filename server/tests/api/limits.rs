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
