//! `POST /api/import_tables` and the delete calls over HTTP, as a script sends them.

use std::io::Write;
use std::time::Duration;

use crate::helpers::{TestApp, csv_part};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

impl TestApp {
    async fn database_names(&self) -> Vec<String> {
        let list: Value = self.get("/api/databases").await.json().await.unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn two_files_become_two_tables_of_a_new_database() {
    let app = TestApp::spawn().await;
    let form = Form::new()
        .text("database", "shop")
        .part(
            "file",
            csv_part("Order Lines (2024).csv", "id,qty\n1,2\n2,5\n"),
        )
        .text("table", "customers")
        .part("file", csv_part("people.csv", "id;name\n1;Ada\n"));
    let response = app.import(form).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["database"], "shop");
    assert_eq!(report["files"][0]["file"], "Order Lines (2024).csv");
    assert_eq!(report["files"][0]["table"], "Order_Lines_2024");
    assert_eq!(report["files"][0]["rows"], 2);
    assert_eq!(
        report["files"][0]["columns"][1],
        json!({"name": "qty", "type": "integer"})
    );
    assert_eq!(report["files"][1]["table"], "customers");
    assert_eq!(report["files"][1]["error"], Value::Null);

    let schema: Value = app
        .get("/api/database_schema?database=shop")
        .await
        .json()
        .await
        .unwrap();
    let tables: Vec<(&str, u64, bool)> = schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["row_count"].as_u64().unwrap(),
                t["row_count_exact"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tables,
        vec![("Order_Lines_2024", 2, true), ("customers", 1, true)]
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn an_existing_table_is_409_unless_replace_is_sent() {
    let app = TestApp::spawn().await;
    let first = Form::new()
        .text("database", "shop")
        .part("file", csv_part("t.csv", "a\n1\n"));
    assert_eq!(app.import(first).await.status(), 200);
    let again = Form::new()
        .text("database", "shop")
        .part("file", csv_part("t.csv", "a\n2\n"));
    let response = app.import(again).await;
    assert_eq!(response.status(), 409);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["files"][0]["error"]["code"], "conflict");
    let replace = Form::new()
        .text("database", "shop")
        .text("replace", "true")
        .part("file", csv_part("t.csv", "a\n2\n3\n"));
    let response = app.import(replace).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["files"][0]["replaced"], true);
    assert_eq!(report["files"][0]["rows"], 2);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            Form::new()
                .text("database", "school")
                .part("file", csv_part("t.csv", "a\n1\n")),
            403,
            "forbidden",
            "read-only",
        ),
        (
            Form::new().text("database", "shop").part(
                "file",
                Part::bytes(b"\x89PNG\r\n\x1a\n\0\0".to_vec()).file_name("photo.csv"),
            ),
            400,
            "bad_request",
            "PNG image",
        ),
        (
            Form::new()
                .text("database", "../etc")
                .part("file", csv_part("t.csv", "a\n1\n")),
            400,
            "bad_request",
            "not allowed",
        ),
        (
            Form::new().part("file", csv_part("t.csv", "a\n1\n")),
            400,
            "bad_request",
            "before the files",
        ),
        (
            Form::new().text("database", "shop"),
            400,
            "bad_request",
            "No file was sent",
        ),
        (
            Form::new()
                .text("database", "shop")
                .text("table", "bad name")
                .part("file", csv_part("t.csv", "a\n1\n")),
            400,
            "bad_request",
            "' '",
        ),
    ];
    for (form, status, code, fragment) in cases {
        let response = app.import(form).await;
        assert_eq!(response.status(), status, "{fragment}");
        let body: Value = response.json().await.unwrap();
        let error = if body["files"].is_array() {
            body["files"][0]["error"].clone()
        } else {
            body
        };
        assert_eq!(error["code"], code, "{fragment}");
        assert!(
            error["message"].as_str().unwrap().contains(fragment),
            "{error}"
        );
    }
    assert_eq!(
        app.database_names().await,
        vec!["formats", "sales", "school"],
        "nothing was created"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_413_before_it_is_read() {
    let app = TestApp::spawn_with(&["--max-upload-mb", "1"]).await;
    let big = "a\n".to_owned() + &"1\n".repeat(1_000_000);
    let form = Form::new()
        .text("database", "shop")
        .part("file", csv_part("big.csv", &big));
    let response = app.import(form).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "too_large");
    assert!(body["message"].as_str().unwrap().contains("1 MiB"));
    assert_eq!(
        app.database_names().await,
        vec!["formats", "sales", "school"]
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_that_disconnects_mid_upload_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let address = app.server.address;
    let (_, token) = app.client_for("uploader").await;
    let boundary = "dbm-boundary";
    // A raw HTTP request that promises 100 MB, sends 20 MB of a file, then hangs up.
    // Blocking I/O off the runtime thread: the server under test runs on that thread.
    let writer = tokio::task::spawn_blocking(move || {
        let mut socket = std::net::TcpStream::connect(address).unwrap();
        let head = format!(
            "POST /api/import_tables HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 100000000\r\n\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"database\"\r\n\r\nshop\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.csv\"\r\nContent-Type: text/csv\r\n\r\nid,value\n"
        );
        socket.write_all(head.as_bytes()).unwrap();
        let block = "1,2\n".repeat(262_144);
        for _ in 0..20 {
            socket.write_all(block.as_bytes()).unwrap();
        }
        socket.flush().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        drop(socket);
    });
    writer.await.unwrap();

    let mut waited = Duration::ZERO;
    while !app.incomplete_uploads().is_empty() && waited < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    assert_eq!(
        app.incomplete_uploads(),
        Vec::<String>::new(),
        "the multipart upload must be aborted"
    );
    assert_eq!(
        app.database_names().await,
        vec!["formats", "sales", "school"]
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn tables_and_databases_are_deleted_by_form_or_json() {
    let app = TestApp::spawn().await;
    let form = Form::new()
        .text("database", "shop")
        .part("file", csv_part("a.csv", "x\n1\n"))
        .part("file", csv_part("b.csv", "x\n1\n"));
    assert_eq!(app.import(form).await.status(), 200);

    let response = app
        .post_form("/api/delete_table", &[("database", "shop"), ("table", "a")])
        .await;
    assert_eq!(response.status(), 200);
    let deleted: Value = response.json().await.unwrap();
    assert_eq!(
        deleted,
        // The table, its statistics and its column profiles.
        json!({"database": "shop", "table": "a", "objects_deleted": 3})
    );
    let missing = app
        .post_form("/api/delete_table", &[("database", "shop"), ("table", "a")])
        .await;
    assert_eq!(missing.status(), 404);
    let default = app
        .post_form("/api/delete_database", &[("database", "school")])
        .await;
    assert_eq!(default.status(), 403);
    let body: Value = default.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");

    let response = app
        .http
        .post(format!("{}/api/delete_database", app.base))
        .json(&json!({"database": "shop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let deleted: Value = response.json().await.unwrap();
    // Table b with its statistics and profiles, and the database's marker.
    assert_eq!(deleted["objects_deleted"], 4);
    assert_eq!(
        app.database_names().await,
        vec!["formats", "sales", "school"]
    );
    let gone = app.get("/api/database_schema?database=shop").await;
    assert_eq!(gone.status(), 404);
    app.server.stop().await.unwrap();
}
