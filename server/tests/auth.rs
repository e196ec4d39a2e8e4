//! Accounts over HTTP: every call needs a user, users never see each other's data (whatever
//! the name tricks), cookies and tokens are checked, and the browser-facing hardening
//! (CSRF, rate limits, security headers) holds.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use auth::{SessionSecret, Sessions, unix_now};
use common::{PASSWORD, TEST_SECRET, TestApp, client_with_token};
use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use shared::UserName;

fn csv(name: &str, content: &str) -> Part {
    Part::bytes(content.as_bytes().to_vec())
        .file_name(name.to_owned())
        .mime_str("text/csv")
        .unwrap()
}

async fn import(client: &reqwest::Client, base: &str, database: &str, file: &str, content: &str) {
    let form = Form::new()
        .text("database", database.to_owned())
        .part("file", csv(file, content));
    let response = client
        .post(format!("{base}/api/import_tables"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

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

async fn call(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let url = format!("{base}{path}");
    let request = if method == "GET" {
        client.get(url)
    } else {
        client.post(url).form(form)
    };
    request.send().await.unwrap()
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
    let form = Form::new()
        .text("database", "shop")
        .part("file", csv("a.csv", "x\n1\n"));
    let upload = app
        .anonymous
        .post(format!("{}/api/import_tables", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 401);

    let browser = reqwest::Client::builder()
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
    import(
        &alice,
        &app.base,
        "shop",
        "alices_orders.csv",
        "id,secret\n1,alice-only\n",
    )
    .await;
    import(
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
    import(
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
    import(&alice, &app.base, "private", "notes.csv", "x\n1\n").await;
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
async fn tampered_expired_and_old_secret_cookies_are_rejected() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let good = app.sign_in_cookie("alice").await;
    let with_cookie = |cookie: String| {
        let client = app.anonymous.clone();
        let url = format!("{}/api/me", app.base);
        async move {
            client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let me: Value = with_cookie(good.clone()).await.json().await.unwrap();
    assert_eq!(me, json!({"user": "alice"}));

    let alice = UserName::parse("alice").unwrap();
    let ours = Sessions::new(
        SessionSecret::from_setting(TEST_SECRET).unwrap(),
        Duration::from_secs(60),
        false,
    );
    let old_secret = Sessions::new(SessionSecret::random(), Duration::from_secs(60), false);
    let expired = format!("dbm_session={}", ours.sign_until(&alice, unix_now() - 1));
    let other_secret = format!("dbm_session={}", old_secret.sign(&alice, unix_now()));
    let as_bob = good.replace(".alice.", ".bob.");
    let longer = {
        let (payload, signature) = good.rsplit_once('.').unwrap();
        let (head, _) = payload.rsplit_once('.').unwrap();
        format!("{head}.{}.{signature}", unix_now() + 10_000_000)
    };
    for bad in [
        expired,
        other_secret,
        as_bob,
        longer,
        "dbm_session=garbage".to_owned(),
    ] {
        let response = with_cookie(bad.clone()).await;
        assert_eq!(response.status(), 401, "{bad}");
    }
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once_and_tokens_cannot_make_tokens() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let cookie = app.sign_in_cookie("alice").await;
    let created = app
        .anonymous
        .post(format!("{}/api/create_token", app.base))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .form(&[("name", "nightly import")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("dbm_alice_"));
    let script = client_with_token(&token);
    assert_eq!(
        call(&script, &app.base, "GET", "/api/databases", &[])
            .await
            .status(),
        200
    );

    let listed: Value = call(&script, &app.base, "GET", "/api/tokens", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !listed
            .to_string()
            .contains(token.rsplit('_').next().unwrap()),
        "no secrets listed"
    );
    let more = call(
        &script,
        &app.base,
        "POST",
        "/api/create_token",
        &[("name", "more")],
    )
    .await;
    assert_eq!(more.status(), 403);

    let id = created["id"].as_str().unwrap();
    let revoked = call(
        &script,
        &app.base,
        "POST",
        "/api/revoke_token",
        &[("id", id)],
    )
    .await;
    assert_eq!(revoked.status(), 200);
    let after = call(&script, &app.base, "GET", "/api/databases", &[]).await;
    assert_eq!(after.status(), 401);
    assert_eq!(after.headers()["www-authenticate"], "Bearer");
    let body: Value = after.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn sign_in_errors_are_generic_and_repeated_failures_get_429() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let attempt = |user: &'static str, password: &'static str| {
        let client = app.anonymous.clone();
        let url = format!("{}/api/sign_in", app.base);
        async move {
            client
                .post(url)
                .form(&[("username", user), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong_password = attempt("alice", "not the password").await;
    let unknown_user = attempt("nobody", "not the password").await;
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_user.status(), 401);
    let (a, b) = (
        wrong_password.text().await.unwrap(),
        unknown_user.text().await.unwrap(),
    );
    assert_eq!(a, b, "the answer must not tell whether the user exists");
    assert!(a.contains("Wrong username or password."));

    for _ in 0..4 {
        assert_eq!(attempt("alice", "not the password").await.status(), 401);
    }
    let limited = attempt("alice", PASSWORD).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(
        body["message"].as_str().unwrap().contains("15 minutes"),
        "{body}"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn sign_up_sets_a_hardened_cookie_and_a_taken_name_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .anonymous
        .post(format!("{}/api/sign_up", app.base))
        .json(&json!({"username": "Carol", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "dbm_session=v1.carol.",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=1209600",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"user": "carol"}));

    let again = call(
        &app.anonymous,
        &app.base,
        "POST",
        "/api/sign_up",
        &[("username", "carol"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(again.status(), 409);
    let short = call(
        &app.anonymous,
        &app.base,
        "POST",
        "/api/sign_up",
        &[("username", "dave"), ("password", "short")],
    )
    .await;
    assert_eq!(short.status(), 400);
    let bad_name = call(
        &app.anonymous,
        &app.base,
        "POST",
        "/api/sign_up",
        &[("username", "../dave"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(bad_name.status(), 400);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn closed_sign_up_is_403_and_https_cookies_are_secure() {
    let app = TestApp::spawn_with(&[
        "--signup",
        "closed",
        "--public-url",
        "https://data.example.com",
    ])
    .await;
    let response = call(
        &app.anonymous,
        &app.base,
        "POST",
        "/api/sign_up",
        &[("username", "erin"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("administrator"));
    let signed_in = app
        .anonymous
        .post(format!("{}/api/sign_in", app.base))
        .form(&[("username", "tester"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let set_cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.starts_with("__Host-dbm_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.ends_with("; Secure"), "{set_cookie}");
    let page = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn state_changing_calls_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let cookie = app.sign_in_cookie("alice").await;
    import(
        &client_with_token(&app.client_for("mallory").await.1),
        &app.base,
        "x",
        "y.csv",
        "a\n1\n",
    )
    .await;
    let post = |origin: Option<&'static str>| {
        let request = app
            .anonymous
            .post(format!("{}/api/create_token", app.base))
            .header("cookie", &cookie)
            .form(&[("name", "csrf")]);
        let request = match origin {
            Some(origin) => request.header("origin", origin),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    let cross_site = post(Some("http://evil.example")).await;
    assert_eq!(cross_site.status(), 403);
    let body: Value = cross_site.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("another site"),
        "{body}"
    );
    assert_eq!(post(None).await.status(), 403, "cookie without Origin");
    let same_origin = app
        .anonymous
        .post(format!("{}/api/create_token", app.base))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .form(&[("name", "fine")])
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 200);
    // Scripts with a token send no Origin and need none.
    assert_eq!(
        call(
            &app.http,
            &app.base,
            "POST",
            "/api/delete_database",
            &[("database", "nothing")]
        )
        .await
        .status(),
        404
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn pages_carry_a_csp_whose_nonce_is_on_every_inline_script() {
    let app = TestApp::spawn().await;
    let page = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );

    let second = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_ne!(
        second.headers()["content-security-policy"]
            .to_str()
            .unwrap(),
        csp,
        "a nonce per response"
    );
    let api = call(&app.http, &app.base, "GET", "/api/databases", &[]).await;
    assert!(
        api.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert_eq!(api.headers()["cache-control"], "no-store");
    app.server.stop().await.unwrap();
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

#[tokio::test]
async fn signing_in_works_without_javascript_and_its_error_shows_on_the_page() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let form_post = |password: &'static str| {
        browser
            .post(format!("{}/api/sign_in", app.base))
            .header("origin", &app.base)
            .header("referer", format!("{}/sign-in", app.base))
            .header("accept", "text/html,application/xhtml+xml")
            .form(&[("username", "alice"), ("password", password)])
            .send()
    };
    let failed = form_post("not the password").await.unwrap();
    assert_eq!(failed.status(), 302, "back to the form");
    let location = failed.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/sign-in?") && location.contains("__err="),
        "{location}"
    );
    let page = browser.get(location).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Wrong username or password."),
        "the form shows the error"
    );

    let signed_in = form_post(PASSWORD).await.unwrap();
    assert_eq!(signed_in.status(), 302);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let next = browser
        .get(format!("{}/sign-in", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        next.status(),
        303,
        "signed in: the sign-in page sends you on"
    );
    assert_eq!(next.headers()["location"], "/");
    app.server.stop().await.unwrap();
}
