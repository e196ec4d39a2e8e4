//! `GET /api/table_profile` over HTTP: its JSON (fields that do not apply to a type are
//! absent), its errors and access rules, and the answer while the profile of a table
//! another tool wrote is computed.

use serde_json::Value;

use crate::helpers::{TestApp, import_ok};

fn column<'a>(profile: &'a Value, name: &str) -> &'a Value {
    profile["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|column| column["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {profile}"))
}

#[tokio::test]
async fn a_profile_answers_with_the_documented_json() {
    let app = TestApp::spawn().await;
    let response = app
        .get("/api/table_profile?database=school&table=students")
        .await;
    assert_eq!(response.status(), 200);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["database"], "school");
    assert_eq!(profile["table"], "students");
    assert_eq!(profile["row_count"], 240);
    assert_eq!(profile["computed_from"], "import");

    let gpa = column(&profile, "gpa");
    assert_eq!(gpa["type"], "float");
    for field in [
        "empty",
        "distinct",
        "distinct_exact",
        "min",
        "max",
        "mean",
        "stddev",
    ] {
        assert!(!gpa[field].is_null(), "gpa has {field}: {gpa}");
    }
    assert!(gpa["min"].is_number() && gpa["max"].is_number());
    let bins = gpa["histogram"].as_array().unwrap();
    let total: u64 = bins.iter().map(|bin| bin["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 240 - gpa["empty"].as_u64().unwrap());
    for absent in ["length", "true", "false"] {
        assert!(gpa.get(absent).is_none(), "gpa has no {absent}: {gpa}");
    }

    let notes = column(&profile, "notes");
    assert_eq!(notes["type"], "text");
    assert!(notes["length"]["max"].as_u64().unwrap() >= notes["length"]["min"].as_u64().unwrap());
    assert!(notes.get("mean").is_none() && notes.get("histogram").is_none());
    assert_eq!(notes["top_values"][0]["value"], "Scholarship");

    let active = column(&profile, "is_active");
    assert_eq!(active["type"], "boolean");
    assert_eq!(
        active["true"].as_u64().unwrap() + active["false"].as_u64().unwrap(),
        240
    );
    let birth = column(&profile, "birth_date");
    assert!(birth["min"].as_str().unwrap().starts_with("199"));
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_names_missing_tables_and_strangers_are_refused() {
    let app = TestApp::spawn().await;
    let bad = app
        .get("/api/table_profile?database=school&table=no%20such")
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        app.get("/api/table_profile?database=school&table=nothing")
            .await
            .status(),
        404
    );
    let (other, _) = app.client_for("other").await;
    import_ok(&other, &app.base, "mine", "secret.csv", "a\n1\n").await;
    let path = "/api/table_profile?database=mine&table=secret";
    assert_eq!(app.get(path).await.status(), 404);
    let theirs = other
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 200);
    let anonymous = app
        .anonymous
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_foreign_tables_profile_is_computing_then_there() {
    let app = TestApp::spawn().await;
    let mut csv = b"id,city\n".to_vec();
    for id in 0..200_000 {
        csv.extend_from_slice(format!("{id},{}\n", ["Oslo", "Lima"][id % 2]).as_bytes());
    }
    app.server
        .catalog
        .store()
        .put("default/sales/foreign.csv", csv, "text/csv")
        .await
        .unwrap();
    app.server.catalog.invalidate_database(
        &catalog::Scope::Default,
        &shared::DatabaseName::parse("sales").unwrap(),
    );
    let path = "/api/table_profile?database=sales&table=foreign";
    let response = app.get(path).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "profile_computing");
    assert!(body["progress_percent"].as_u64().unwrap() <= 100);
    for _ in 0..600 {
        if app.server.catalog.background_counts_running() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let profile: Value = app.get(path).await.json().await.unwrap();
    assert_eq!(profile["computed_from"], "scan");
    assert_eq!(profile["row_count"], 200_000);
    let city = column(&profile, "city");
    assert_eq!(city["distinct"], 2);
    assert_eq!(city["top_values"][0]["count"], 100_000);
    app.server.stop().await.unwrap();
}
