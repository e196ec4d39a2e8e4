//! Who may reach what over HTTP: every call needs a user (pages send anonymous people to
//! sign in), users never see each other's data whatever the name tricks, and the shared
//! default databases are read once for everyone.

use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::{TestApp, call, import_form, import_ok, import_with, test_client_builder};

/// One call of the API: method, path, form fields.
type Call = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// Every call of the API: what "every server function" means.
fn every_call() -> Vec<Call> {
    vec![
        ("GET", "/api/databases", vec![]),
        ("GET", "/api/database_schema?database=school", vec![]),
        (
            "POST",
            "/api/delete_table",
            vec![("database", "shop"), ("table", "a")],
        ),
        ("POST", "/api/delete_database", vec![("database", "shop")]),
        ("GET", "/api/me", vec![]),
        ("GET", "/api/tokens", vec![]),
        ("POST", "/api/create_token", vec![("name", "x")]),
        (
            "POST",
            "/api/revoke_token",
            vec![("id", "0123456789abcdef")],
        ),
        ("POST", "/api/sign_out", vec![]),
    ]
}

#[tokio::test]
async fn anonymous_callers_get_401_from_every_call_and_pages_send_them_to_sign_in() {
    let app = TestApp::spawn().await;
    for (method, path, form) in every_call() {
        let response = call(&app.anonymous, &app.base, method, path, &form).await;
        assert_eq!(response.status(), 401, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{method} {path}");
        assert!(
            body["message"].as_str().unwrap().contains("Sign in"),
            "{body}"
        );
    }
    let upload = import_with(
        &app.anonymous,
        &app.base,
        import_form("shop", "a.csv", "x\n1\n"),
    )
    .await;
    assert_eq!(upload.status(), 401);

    let browser = test_client_builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    for (page, location) in [
        ("/", "/sign-in"),
        ("/db/sales", "/sign-in?next=%2Fdb%2Fsales"),
        ("/settings", "/sign-in?next=%2Fsettings"),
    ] {
        let response = browser
            .get(format!("{}{page}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{page}");
        assert_eq!(response.headers()["location"], location, "{page}");
    }
    let sign_in = browser
        .get(format!("{}/sign-in", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 200);
    assert!(sign_in.text().await.unwrap().contains("Sign in"));
    for open in ["/healthz", "/readyz"] {
        assert_eq!(
            app.anonymous
                .get(format!("{}{open}", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn two_users_with_a_database_of_the_same_name_see_only_their_own() {
    let app = TestApp::spawn().await;
    let (alice, _) = app.client_for("alice").await;
    let (bob, _) = app.client_for("bob").await;
    import_ok(
        &alice,
        &app.base,
        "shop",
        "alices_orders.csv",
        "id,secret\n1,alice-only\n",
    )
    .await;
    import_ok(
        &bob,
        &app.base,
        "shop",
        "bobs_orders.csv",
        "id,secret\n1,bob-only\n",
    )
    .await;

    for (client, own_table, own_cell, other_cell) in [
        (&alice, "alices_orders", "alice-only", "bob-only"),
        (&bob, "bobs_orders", "bob-only", "alice-only"),
    ] {
        let list: Value = call(client, &app.base, "GET", "/api/databases", &[])
            .await
            .json()
            .await
            .unwrap();
        let shop = list
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "shop")
            .unwrap();
        assert_eq!(shop["tables"], json!([own_table]));
        let schema = call(
            client,
            &app.base,
            "GET",
            "/api/database_schema?database=shop",
            &[],
        )
        .await;
        let text = schema.text().await.unwrap();
        assert!(
            text.contains(own_cell) && !text.contains(other_cell),
            "{text}"
        );
    }
    // The tester, who has no `shop`, gets a 404 for it, not anyone's data.
    let response = call(
        &app.http,
        &app.base,
        "GET",
        "/api/database_schema?database=shop",
        &[],
    )
    .await;
    assert_eq!(response.status(), 404);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn another_users_data_cannot_be_reached_by_any_name_trick() {
    let app = TestApp::spawn().await;
    let (bob, _) = app.client_for("bob").await;
    import_ok(
        &bob,
        &app.base,
        "private",
        "payroll.csv",
        "name,salary\nbob,99999\n",
    )
    .await;
    let (alice, _) = app.client_for("alice").await;

    let tricks = [
        "private",
        "../bob/private",
        "..%2Fbob%2Fprivate",
        "%2E%2E%2Fbob%2Fprivate",
        "bob/private",
        "bob%2Fprivate",
        "..%5Cbob%5Cprivate",
        "users%2Fbob%2Fprivate",
        "pr%D1%96vate", // Cyrillic і in place of the Latin i
        "private%00",
        "PRIVATE",
    ];
    for trick in tricks {
        let schema = call(
            &alice,
            &app.base,
            "GET",
            &format!("/api/database_schema?database={trick}"),
            &[],
        )
        .await;
        let status = schema.status().as_u16();
        let text = schema.text().await.unwrap();
        assert!(matches!(status, 400 | 404), "{trick}: {status} {text}");
        assert!(
            !text.contains("99999") && !text.contains("payroll"),
            "{trick}: {text}"
        );
        for (path, form) in [
            (
                "/api/delete_table",
                vec![("database", trick), ("table", "payroll")],
            ),
            ("/api/delete_database", vec![("database", trick)]),
        ] {
            let decoded = urlencoding_decode(trick);
            let form: Vec<(&str, &str)> = form
                .iter()
                .map(|(key, value)| {
                    (
                        *key,
                        if *value == trick {
                            decoded.as_str()
                        } else {
                            value
                        },
                    )
                })
                .collect();
            let status = call(&alice, &app.base, "POST", path, &form)
                .await
                .status()
                .as_u16();
            assert!(matches!(status, 400 | 404), "{path} {trick}: {status}");
        }
        // The page route: the HTML carries none of Bob's data either.
        let page = alice
            .get(format!("{}/db/{trick}", app.base))
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(
            !html.contains("99999") && !html.contains("payroll"),
            "/db/{trick}"
        );
    }
    // Alice's import into a database of that name makes her own, leaving Bob's alone.
    import_ok(&alice, &app.base, "private", "notes.csv", "x\n1\n").await;
    let bobs: Value = call(
        &bob,
        &app.base,
        "GET",
        "/api/database_schema?database=private",
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(bobs["tables"].as_array().unwrap().len(), 1);
    assert_eq!(bobs["tables"][0]["name"], "payroll");
    app.server.stop().await.unwrap();
}

fn urlencoding_decode(text: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={text}")).unwrap();
    pairs
        .into_iter()
        .next()
        .map(|(_, value)| value)
        .unwrap_or_default()
}

#[tokio::test]
async fn default_previews_are_read_once_for_all_users() {
    let app = TestApp::spawn().await;
    let (alice, _) = app.client_for("alice").await;
    let (bob, _) = app.client_for("bob").await;
    assert_eq!(
        call(&bob, &app.base, "GET", "/api/me", &[]).await.status(),
        200
    );
    let first = call(
        &alice,
        &app.base,
        "GET",
        "/api/database_schema?database=school",
        &[],
    )
    .await;
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    let meter = app.server.catalog.embedded_meter().unwrap();
    let before = meter.reading();
    let second = call(
        &bob,
        &app.base,
        "GET",
        "/api/database_schema?database=school",
        &[],
    )
    .await;
    assert_eq!(second.text().await.unwrap(), first);
    assert_eq!(
        meter.reading().since(before).requests,
        0,
        "Bob's preview comes from Alice's cache entry"
    );
    app.server.stop().await.unwrap();
}
