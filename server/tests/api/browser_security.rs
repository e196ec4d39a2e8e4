//! What protects browsers: state-changing calls from another site are refused, and every
//! page carries a Content-Security-Policy whose nonce is on each inline script.

use serde_json::Value;

use crate::helpers::{TestApp, call, client_with_token, import_ok};

#[tokio::test]
async fn state_changing_calls_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let cookie = app.sign_in_cookie("alice").await;
    import_ok(
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
