//! The table's calls over HTTP: `GET /api/table_rows` (its JSON, its errors, its access
//! rules, and the answer while an index is built) and `GET /api/download` (headers, byte
//! ranges; a 200 MB download in bounded memory is in `tests/memory.rs`).

use serde_json::Value;

use crate::helpers::{TestApp, import_ok};

#[tokio::test]
async fn a_page_of_rows_answers_with_the_documented_json() {
    let app = TestApp::spawn().await;
    let response = app
        .get("/api/table_rows?database=sales&table=orders&offset=1990&limit=20")
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["database"], "sales");
    assert_eq!(page["table"], "orders");
    assert_eq!(page["offset"], 1990);
    assert_eq!(page["row_count"], 2000);
    assert_eq!(page["row_count_exact"], true);
    assert_eq!(page["ragged_rows"], serde_json::json!([]));
    // The last ten rows: the page stops at the end of the table.
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let columns = page["columns"].as_array().unwrap();
    assert_eq!(columns[0]["name"], "order_id");
    assert_eq!(rows[0].as_array().unwrap().len(), columns.len());
    assert!(columns.iter().all(|column| column["type"].is_string()));

    let past = app
        .get("/api/table_rows?database=sales&table=orders&offset=5000")
        .await;
    assert_eq!(past.status(), 200);
    let past: Value = past.json().await.unwrap();
    assert_eq!(past["rows"], serde_json::json!([]));
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_pages_name_the_allowed_range_and_others_tables_are_not_found() {
    let app = TestApp::spawn().await;
    for (query, says) in [
        ("offset=-1", "offset must be 0 or more"),
        ("limit=0", "between 1 and 1000"),
        ("limit=1001", "between 1 and 1000"),
    ] {
        let response = app
            .get(&format!(
                "/api/table_rows?database=sales&table=orders&{query}"
            ))
            .await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "bad_request");
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    for path in [
        "/api/table_rows?database=sales&table=nothing",
        "/api/table_rows?database=nothing&table=orders",
        "/api/download?database=sales&table=nothing",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    // Another user's table is not there for anyone else, rows or download.
    let (other, _) = app.client_for("other").await;
    import_ok(&other, &app.base, "mine", "secret.csv", "a\n1\n").await;
    for path in [
        "/api/table_rows?database=mine&table=secret",
        "/api/download?database=mine&table=secret",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
        let theirs = other.get(format!("{}{path}", app.base)).send().await;
        assert_eq!(theirs.unwrap().status(), 200, "{path}");
    }
    assert_eq!(
        app.anonymous
            .get(format!(
                "{}/api/table_rows?database=sales&table=orders",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn rows_past_a_foreign_tables_first_mebibytes_wait_for_its_index() {
    let app = TestApp::spawn().await;
    let mut csv = b"id,pad\n".to_vec();
    for id in 0..400_000 {
        csv.extend_from_slice(format!("{id},{}\n", "y".repeat(24)).as_bytes());
    }
    app.server
        .catalog
        .store()
        .put("default/sales/wide.csv", csv, "text/csv")
        .await
        .unwrap();
    app.server.catalog.invalidate_database(
        &catalog::Scope::Default,
        &shared::DatabaseName::parse("sales").unwrap(),
    );
    let deep = "/api/table_rows?database=sales&table=wide&offset=390000&limit=5";
    let response = app.get(deep).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "index_building");
    assert!(body["progress_percent"].as_u64().unwrap() <= 100);
    assert!(body["message"].as_str().unwrap().contains("being indexed"));
    for _ in 0..600 {
        if app.server.catalog.background_counts_running() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page: Value = app.get(deep).await.json().await.unwrap();
    assert_eq!(page["rows"][0][0], "390000");
    assert_eq!(page["row_count"], 400_000);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn tables_in_other_formats_download_as_stored_never_compressed_again() {
    let app = TestApp::spawn().await;
    for (table, file, content_type, magic) in [
        (
            "facts",
            "facts.parquet",
            "application/vnd.apache.parquet",
            &b"PAR1"[..],
        ),
        (
            "events",
            "events.csv.gz",
            "application/gzip",
            &[0x1f, 0x8b][..],
        ),
        ("log", "log.jsonl", "application/x-ndjson", &b"{"[..]),
    ] {
        let response = app
            .http
            .get(format!(
                "{}/api/download?database=formats&table={table}",
                app.base
            ))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"{file}\"").as_str()
        );
        assert_eq!(headers["content-type"], content_type);
        assert!(!headers.contains_key("content-encoding"), "{file}");
        let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
        let bytes = response.bytes().await.unwrap();
        assert_eq!(bytes.len(), length);
        assert!(bytes.starts_with(magic), "{file}");
    }
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn downloads_are_attachments_with_length_etag_and_byte_ranges() {
    let app = TestApp::spawn().await;
    let whole = app.get("/api/download?database=school&table=courses").await;
    assert_eq!(whole.status(), 200);
    let headers = whole.headers().clone();
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"courses.csv\""
    );
    assert!(headers.contains_key("etag"));
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(
        !headers.contains_key("content-encoding"),
        "never compressed"
    );
    let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
    let bytes = whole.bytes().await.unwrap();
    assert_eq!(bytes.len(), length);
    assert!(bytes.starts_with(b"course_code,title,"));

    let ranged = app
        .http
        .get(format!(
            "{}/api/download?database=school&table=courses",
            app.base
        ))
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(
        ranged.headers()["content-range"],
        format!("bytes 10-19/{length}").as_str()
    );
    assert_eq!(ranged.bytes().await.unwrap(), bytes.slice(10..20));

    let beyond = app
        .http
        .get(format!(
            "{}/api/download?database=school&table=courses",
            app.base
        ))
        .header("range", format!("bytes={}-", length + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);
    app.server.stop().await.unwrap();
}
