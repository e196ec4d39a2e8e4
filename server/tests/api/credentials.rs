//! Sessions, tokens, sign-in and sign-up over HTTP: cookies that were tampered with, expired
//! or signed with another secret are refused, revoked tokens stop at once, failures are
//! generic and rate-limited, and signing in works without JavaScript.

use std::time::Duration;

use auth::{SessionSecret, Sessions, unix_now};
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use shared::UserName;

use crate::helpers::{
    PASSWORD, TEST_SECRET, TestApp, call, client_with_token, session_cookie, test_client_builder,
};

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
    // `dbm_session=v2.{user}.{expires}.{id}.{signature}`
    let parts: Vec<&str> = good.split('.').collect();
    let id = parts[3];
    let expired = format!("dbm_session={}", ours.sign(&alice, id, unix_now() - 1));
    let other_secret = format!(
        "dbm_session={}",
        old_secret.sign(&alice, id, unix_now() + 60)
    );
    let as_bob = good.replace(".alice.", ".bob.");
    let longer = format!(
        "{}.{}.{}.{}.{}",
        parts[0],
        parts[1],
        unix_now() + 10_000_000,
        parts[3],
        parts[4]
    );
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
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    let set_cookie = cookies
        .iter()
        .find(|cookie| cookie.starts_with("dbm_session="))
        .unwrap();
    let device = cookies
        .iter()
        .find(|cookie| cookie.starts_with("dbm_device="))
        .unwrap();
    assert!(device.contains("HttpOnly; SameSite=Strict"), "{device}");
    for part in [
        "dbm_session=v2.carol.",
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
    for cookie in signed_in.headers().get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        assert!(
            cookie.starts_with("__Host-") && cookie.ends_with("; Secure"),
            "{cookie}"
        );
    }
    let page = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn signing_in_works_without_javascript_and_its_error_shows_on_the_page() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let browser = test_client_builder()
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
    let cookie = session_cookie(&signed_in);
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

/// A POST of form fields with a session cookie, as the browser sends it.
async fn post_with_cookie(
    app: &TestApp,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.anonymous
        .post(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn me_status(app: &TestApp, cookie: &str) -> u16 {
    app.anonymous
        .get(format!("{}/api/me", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_cookie_replayed_after_sign_out_is_refused() {
    let app = TestApp::spawn().await;
    let _ = app.client_for("alice").await;
    let cookie = app.sign_in_cookie("alice").await;
    let other_browser = app.sign_in_cookie("alice").await;
    assert_eq!(me_status(&app, &cookie).await, 200);
    let signed_out = post_with_cookie(&app, "/api/sign_out", &cookie, &[]).await;
    assert_eq!(signed_out.status(), 200);
    assert_eq!(me_status(&app, &cookie).await, 401, "the replayed cookie");
    assert_eq!(
        me_status(&app, &other_browser).await,
        200,
        "another session"
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn signing_out_everywhere_and_changing_the_password_end_every_session() {
    let app = TestApp::spawn().await;
    let (script, _) = app.client_for("alice").await;
    let laptop = app.sign_in_cookie("alice").await;
    let phone = app.sign_in_cookie("alice").await;
    let answer = post_with_cookie(&app, "/api/sign_out_everywhere", &laptop, &[]).await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["user"], "alice");
    assert!(body["sessions_ended"].as_u64().unwrap() >= 2, "{body}");
    for cookie in [&laptop, &phone] {
        assert_eq!(me_status(&app, cookie).await, 401);
    }
    let me = script
        .get(format!("{}/api/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        200,
        "API tokens are not sessions: they keep working"
    );

    let cookie = app.sign_in_cookie("alice").await;
    let other = app.sign_in_cookie("alice").await;
    let new = "a brand new password";
    let wrong = post_with_cookie(
        &app,
        "/api/change_password",
        &cookie,
        &[
            ("current_password", "not my password"),
            ("new_password", new),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 401);
    let changed = post_with_cookie(
        &app,
        "/api/change_password",
        &cookie,
        &[("current_password", PASSWORD), ("new_password", new)],
    )
    .await;
    assert_eq!(changed.status(), 200);
    let fresh = session_cookie(&changed);
    assert_eq!(
        me_status(&app, &fresh).await,
        200,
        "this browser stays signed in"
    );
    for cookie in [&cookie, &other] {
        assert_eq!(me_status(&app, cookie).await, 401);
    }
    let by_token = script
        .post(format!("{}/api/change_password", app.base))
        .form(&[
            ("current_password", new),
            ("new_password", "yet another one"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 403);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_flood_of_random_tokens_makes_no_s3_request_and_is_limited() {
    let app = TestApp::spawn().await;
    let store = app.server.catalog.store().clone();
    let before = store.requests();
    let mut statuses = Vec::new();
    for attempt in 0..200_u32 {
        // Well-formed: a real user, 16 hex digits of id, 64 of secret.
        let token = format!(
            "dbm_tester_{attempt:016x}_{:064x}",
            u128::from(attempt) * 7919
        );
        let response = app
            .anonymous
            .get(format!("{}/api/databases", app.base))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    let made = store.requests().since(before);
    assert_eq!(
        made.gets + made.lists + made.heads + made.other,
        0,
        "{made:?}"
    );
    assert!(
        statuses[..20].iter().all(|status| *status == 401),
        "{statuses:?}"
    );
    assert!(
        statuses[20..].iter().all(|status| *status == 429),
        "{statuses:?}"
    );
    app.server.stop().await.unwrap();
}
