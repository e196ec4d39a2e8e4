//! Accounts and tokens against real S3 servers: the embedded one and moto, so the
//! conditional writes and the record layout are proven on two implementations.

#![allow(clippy::unwrap_used)]

use auth::rate_limit::Allowance;
use auth::{Auth, AuthError, AuthSettings, Credential, Origin, SessionSecret};
use storage::testing::{Server, TestS3};

const PASSWORD: &str = "correct horse battery";

fn auth_over(store: &TestS3) -> Auth {
    Auth::new(
        store.store().clone(),
        SessionSecret::random(),
        AuthSettings::default(),
    )
    .unwrap()
}

/// A sign-in from `client`, in a browser not known for the account.
fn from(client: &str) -> Origin<'_> {
    Origin {
        client,
        device: None,
    }
}

fn bearer(token: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    headers
}

async fn sign_up_and_in(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("Alice", PASSWORD, "c1").await.unwrap();
    assert_eq!(alice.as_str(), "alice");
    assert!(matches!(
        auth.sign_up("alice", PASSWORD, "c1").await,
        Err(AuthError::NameTaken { .. })
    ));
    assert_eq!(
        auth.sign_in("ALICE ", PASSWORD, from("c1")).await.unwrap(),
        alice
    );
    for (user, password) in [
        ("alice", "wrong password!"),
        ("nobody", PASSWORD),
        ("../x", PASSWORD),
    ] {
        assert!(
            matches!(
                auth.sign_in(user, password, from("c1")).await,
                Err(AuthError::InvalidCredentials)
            ),
            "{user}"
        );
    }
    assert!(matches!(
        auth.sign_up("bob", "short", "c1").await,
        Err(AuthError::BadPassword(_))
    ));
    assert!(matches!(
        auth.sign_up("b/ob", PASSWORD, "c1").await,
        Err(AuthError::BadUsername(_))
    ));
}

async fn passwords_are_stored_as_argon2id_hashes_in_the_system_folder(store: TestS3) {
    let auth = auth_over(&store);
    auth.sign_up("carol", PASSWORD, "c").await.unwrap();
    let keys = store.all_keys().await;
    let key = keys
        .iter()
        .find(|key| key.ends_with("system/accounts/carol/account.json"))
        .unwrap();
    let body = String::from_utf8(store.store().get_small(key).await.unwrap()).unwrap();
    assert!(body.contains("$argon2id$"), "{body}");
    assert!(!body.contains(PASSWORD));
}

async fn a_taken_key_is_never_overwritten(store: TestS3) {
    let dave = shared::UserName::parse("dave").unwrap();
    let key = auth::records::account_key(store.store().prefix(), &dave);
    assert_eq!(key, "system/accounts/dave/account.json");
    let first = auth::records::create(store.store(), &key, &"first")
        .await
        .unwrap();
    let second = auth::records::create(store.store(), &key, &"second")
        .await
        .unwrap();
    assert!(first && !second);
    let body = store.store().get_small(&key).await.unwrap();
    assert_eq!(body, b"\"first\"");
}

async fn failed_sign_ins_lock_the_account_then_the_client(store: TestS3) {
    let settings = AuthSettings {
        per_account: Allowance {
            failures: 3,
            window: std::time::Duration::from_secs(600),
        },
        per_client: Allowance {
            failures: 5,
            window: std::time::Duration::from_secs(600),
        },
        ..AuthSettings::default()
    };
    let auth = Auth::new(store.store().clone(), SessionSecret::random(), settings).unwrap();
    auth.sign_up("erin", PASSWORD, "setup").await.unwrap();
    auth.sign_up("frank", PASSWORD, "setup").await.unwrap();
    for _ in 0..3 {
        assert!(matches!(
            auth.sign_in("erin", "nope nope nope", from("c")).await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    // Locked, even with the right password; another account is still open.
    assert!(matches!(
        auth.sign_in("erin", PASSWORD, from("d")).await,
        Err(AuthError::RateLimited { .. })
    ));
    assert!(auth.sign_in("frank", PASSWORD, from("c")).await.is_ok());
    // Two more failures from client c (five in all) lock that client out of every account.
    for user in ["ghost1", "ghost2"] {
        assert!(matches!(
            auth.sign_in(user, PASSWORD, from("c")).await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    match auth.sign_in("frank", PASSWORD, from("c")).await {
        Err(AuthError::RateLimited { retry_after }) => assert!(retry_after.as_secs() > 500),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert!(
        auth.sign_in("frank", PASSWORD, from("other-client"))
            .await
            .is_ok()
    );
}

async fn tokens_are_listed_without_secrets_and_revoked_at_once(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    let bob = auth.sign_up("bob", PASSWORD, "c").await.unwrap();
    let token = auth
        .create_token(
            &auth.start_session(&alice).await.unwrap().identity,
            " nightly import ",
        )
        .await
        .unwrap();
    assert_eq!(token.info.name, "nightly import");
    let identity = auth
        .identify(&bearer(&token.token), "c")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.user, alice);
    assert!(matches!(
        auth.create_token(&identity, "more").await,
        Err(AuthError::TokenCannotCreateTokens)
    ));
    assert_eq!(
        identity.credential,
        Credential::Token {
            id: token.info.id.clone()
        }
    );

    let listed = auth.list_tokens(&alice).await.unwrap();
    assert_eq!(listed, vec![token.info.clone()]);
    assert!(auth.list_tokens(&bob).await.unwrap().is_empty());
    let stored: Vec<String> = store.all_keys().await;
    for key in stored {
        let body = store.store().get_small(&key).await.unwrap();
        let secret = token.token.rsplit('_').next().unwrap();
        assert!(
            !String::from_utf8_lossy(&body).contains(secret),
            "{key} holds the secret"
        );
    }

    // Bob cannot revoke Alice's token; a malformed id is simply not found.
    assert!(matches!(
        auth.revoke_token(&bob, &token.info.id).await,
        Err(AuthError::TokenNotFound { .. })
    ));
    assert!(matches!(
        auth.revoke_token(&alice, "../x").await,
        Err(AuthError::TokenNotFound { .. })
    ));
    assert_eq!(
        auth.revoke_token(&alice, &token.info.id).await.unwrap(),
        token.info
    );
    assert!(matches!(
        auth.identify(&bearer(&token.token), "c").await,
        Err(AuthError::InvalidToken)
    ));
    assert!(auth.list_tokens(&alice).await.unwrap().is_empty());
}

async fn forged_tokens_are_refused(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    let token = auth
        .create_token(&auth.start_session(&alice).await.unwrap().identity, "ci")
        .await
        .unwrap()
        .token;
    let mut wrong_secret = token.clone();
    let last = wrong_secret.pop().unwrap();
    wrong_secret.push(if last == '0' { '1' } else { '0' });
    let as_bob = token.replacen("dbm_alice_", "dbm_bob_", 1);
    for bad in [wrong_secret.as_str(), &as_bob, "dbm_nothing", "not a token"] {
        assert!(
            matches!(
                auth.identify(&bearer(bad), "c").await,
                Err(AuthError::InvalidToken)
            ),
            "{bad}"
        );
    }
    let mut basic = http::HeaderMap::new();
    basic.insert(
        http::header::AUTHORIZATION,
        "Basic YWxpY2U6eA==".parse().unwrap(),
    );
    assert!(matches!(
        auth.identify(&basic, "c").await,
        Err(AuthError::InvalidToken)
    ));
    assert_eq!(
        auth.identify(&http::HeaderMap::new(), "c").await.unwrap(),
        None
    );
}

/// The `Cookie` header a browser sends back for a `Set-Cookie` value.
fn cookie_header(set_cookie: &str) -> http::HeaderMap {
    let pair = set_cookie.split(';').next().unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, pair.parse().unwrap());
    headers
}

/// The value of a `Set-Cookie`.
fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

/// Two replicas: the same bucket and secret, their own caches and limits.
fn replicas(store: &TestS3, settings: AuthSettings) -> (Auth, Auth) {
    let secret = SessionSecret::random();
    let one = || Auth::new(store.store().clone(), secret.clone(), settings.clone()).unwrap();
    (one(), one())
}

async fn a_flood_of_forged_tokens_makes_no_s3_request(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    // Tokens of the right shape for a real user, made under another server's secret.
    let elsewhere = auth_over(&store);
    let mut forged = Vec::new();
    for _ in 0..25 {
        let session = elsewhere.start_session(&alice).await.unwrap().identity;
        forged.push(elsewhere.create_token(&session, "x").await.unwrap().token);
    }
    let before = store.store().requests();
    for (attempt, token) in forged.iter().enumerate() {
        let answer = auth.identify(&bearer(token), "flooder").await;
        if attempt < 20 {
            assert!(matches!(answer, Err(AuthError::InvalidToken)), "{answer:?}");
        } else {
            assert!(
                matches!(answer, Err(AuthError::RateLimited { .. })),
                "{answer:?}"
            );
        }
    }
    let made = store.store().requests().since(before);
    assert_eq!(
        made.gets + made.lists + made.heads + made.other,
        0,
        "forged tokens cost {made:?}"
    );
    // Another client is not limited by the flooder's failures.
    let session = auth.start_session(&alice).await.unwrap().identity;
    let real = auth.create_token(&session, "real").await.unwrap().token;
    assert!(
        auth.identify(&bearer(&real), "someone-else")
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_signed_out_session_is_refused_on_every_replica(store: TestS3) {
    let settings = AuthSettings {
        recheck_after: std::time::Duration::from_millis(300),
        ..AuthSettings::default()
    };
    let (one, two) = replicas(&store, settings);
    let alice = one.sign_up("alice", PASSWORD, "c").await.unwrap();
    let started = one.start_session(&alice).await.unwrap();
    let cookie = cookie_header(&started.session_cookie);
    assert_eq!(
        two.identify(&cookie, "c").await.unwrap().unwrap().user,
        alice
    );
    let other_browser = cookie_header(&one.start_session(&alice).await.unwrap().session_cookie);

    one.sign_out(&started.identity).await.unwrap();
    assert_eq!(
        one.identify(&cookie, "c").await.unwrap(),
        None,
        "at once here"
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        two.identify(&cookie, "c").await.unwrap(),
        None,
        "within the bound there"
    );
    assert!(
        two.identify(&other_browser, "c").await.unwrap().is_some(),
        "only that session"
    );

    // Everywhere: every session of the user ends.
    assert_eq!(two.sign_out_everywhere(&alice).await.unwrap(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(one.identify(&other_browser, "c").await.unwrap(), None);
}

async fn a_password_change_or_reset_ends_every_session(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    let first = auth.start_session(&alice).await.unwrap();
    let second = cookie_header(&auth.start_session(&alice).await.unwrap().session_cookie);
    assert!(matches!(
        auth.change_password(&first.identity, "wrong current!", "new password here", "c")
            .await,
        Err(AuthError::InvalidCredentials)
    ));
    auth.change_password(&first.identity, PASSWORD, "new password here", "c")
        .await
        .unwrap();
    for cookie in [cookie_header(&first.session_cookie), second] {
        assert_eq!(auth.identify(&cookie, "c").await.unwrap(), None);
    }
    assert!(matches!(
        auth.sign_in("alice", PASSWORD, from("c")).await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(
        auth.sign_in("alice", "new password here", from("c"))
            .await
            .is_ok()
    );
    // A token is not a session: it cannot change the password.
    let session = auth.start_session(&alice).await.unwrap();
    let token = auth
        .create_token(&session.identity, "t")
        .await
        .unwrap()
        .token;
    let by_token = auth.identify(&bearer(&token), "c").await.unwrap().unwrap();
    assert!(matches!(
        auth.change_password(&by_token, "new password here", "another new one", "c")
            .await,
        Err(AuthError::SessionRequired)
    ));

    auth.reset_password(&alice, "reset by the admin")
        .await
        .unwrap();
    assert_eq!(
        auth.identify(&cookie_header(&session.session_cookie), "c")
            .await
            .unwrap(),
        None
    );
    assert!(
        auth.sign_in("alice", "reset by the admin", from("c"))
            .await
            .is_ok()
    );
    let nobody = shared::UserName::parse("nobody").unwrap();
    assert!(matches!(
        auth.reset_password(&nobody, "reset by the admin").await,
        Err(AuthError::NoSuchAccount { .. })
    ));
}

async fn two_replicas_signing_up_one_name_at_once_make_one_account(store: TestS3) {
    let (one, two) = replicas(&store, AuthSettings::default());
    let rounds = (0..20).map(|round| {
        let (one, two) = (one.clone(), two.clone());
        async move {
            let name = format!("racer{round}");
            let (client_a, client_b) = (format!("a{round}"), format!("b{round}"));
            let (a, b) = tokio::join!(
                one.sign_up(&name, "password of one", &client_a),
                two.sign_up(&name, "password of two", &client_b),
            );
            let winners = [&a, &b].iter().filter(|answer| answer.is_ok()).count();
            assert_eq!(winners, 1, "round {round}: {a:?} / {b:?}");
            let loser = if a.is_ok() { b } else { a };
            assert!(
                matches!(loser, Err(AuthError::NameTaken { .. })),
                "{loser:?}"
            );
            // The winner's password is the account's.
            let password = if winners == 1
                && one
                    .sign_in(&name, "password of one", from("x"))
                    .await
                    .is_ok()
            {
                "password of one"
            } else {
                "password of two"
            };
            assert!(
                two.sign_in(&name, password, from("y")).await.is_ok(),
                "round {round}"
            );
        }
    });
    futures::future::join_all(rounds).await;
}

async fn an_attacker_cannot_lock_the_owner_out_of_a_known_browser(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "setup").await.unwrap();
    let device = cookie_value(&auth.start_session(&alice).await.unwrap().device_cookie);
    let known = Origin {
        client: "proxy",
        device: Some(&device),
    };
    // Guesses from many addresses (or one proxy) lock the account for unknown browsers.
    for attempt in 0..30 {
        let _ = auth
            .sign_in(
                "alice",
                "a wrong guess!",
                from(&format!("attacker{}", attempt % 3)),
            )
            .await;
    }
    assert!(matches!(
        auth.sign_in("alice", PASSWORD, from("new-laptop")).await,
        Err(AuthError::RateLimited { .. })
    ));
    // The owner's browser, through the same proxy, still gets in.
    assert_eq!(auth.sign_in("alice", PASSWORD, known).await.unwrap(), alice);
    // A stolen device cookie does not help an attacker: it has failures of its own.
    for _ in 0..5 {
        let _ = auth.sign_in("alice", "a wrong guess!", known).await;
    }
    assert!(matches!(
        auth.sign_in("alice", PASSWORD, known).await,
        Err(AuthError::RateLimited { .. })
    ));
    // A device cookie of another account is just an unknown browser.
    let bob = auth.sign_up("bob", PASSWORD, "setup").await.unwrap();
    let bobs = cookie_value(&auth.start_session(&bob).await.unwrap().device_cookie);
    let wrong_account = Origin {
        client: "new-laptop",
        device: Some(&bobs),
    };
    assert!(matches!(
        auth.sign_in("alice", PASSWORD, wrong_account).await,
        Err(AuthError::RateLimited { .. })
    ));
}

async fn fixture(server: Server) -> TestS3 {
    server.start("").await
}

storage::on_both_servers!(fixture =>
    sign_up_and_in,
    passwords_are_stored_as_argon2id_hashes_in_the_system_folder,
    a_taken_key_is_never_overwritten,
    failed_sign_ins_lock_the_account_then_the_client,
    tokens_are_listed_without_secrets_and_revoked_at_once,
    a_flood_of_forged_tokens_makes_no_s3_request,
    a_signed_out_session_is_refused_on_every_replica,
    a_password_change_or_reset_ends_every_session,
    two_replicas_signing_up_one_name_at_once_make_one_account,
    an_attacker_cannot_lock_the_owner_out_of_a_known_browser,
    forged_tokens_are_refused,
);
