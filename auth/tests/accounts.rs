//! Accounts and tokens against real S3 servers: the embedded one and moto, so the
//! conditional writes and the record layout are proven on two implementations.

#![allow(clippy::unwrap_used)]

use auth::rate_limit::Allowance;
use auth::{Auth, AuthError, AuthSettings, Credential, Identity, SessionSecret};
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
    assert_eq!(auth.sign_in("ALICE ", PASSWORD, "c1").await.unwrap(), alice);
    for (user, password) in [
        ("alice", "wrong password!"),
        ("nobody", PASSWORD),
        ("../x", PASSWORD),
    ] {
        assert!(
            matches!(
                auth.sign_in(user, password, "c1").await,
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
            auth.sign_in("erin", "nope nope nope", "c").await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    // Locked, even with the right password; another account is still open.
    assert!(matches!(
        auth.sign_in("erin", PASSWORD, "d").await,
        Err(AuthError::RateLimited { .. })
    ));
    assert!(auth.sign_in("frank", PASSWORD, "c").await.is_ok());
    // Two more failures from client c (five in all) lock that client out of every account.
    for user in ["ghost1", "ghost2"] {
        assert!(matches!(
            auth.sign_in(user, PASSWORD, "c").await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    match auth.sign_in("frank", PASSWORD, "c").await {
        Err(AuthError::RateLimited { retry_after }) => assert!(retry_after.as_secs() > 500),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert!(
        auth.sign_in("frank", PASSWORD, "other-client")
            .await
            .is_ok()
    );
}

async fn tokens_are_listed_without_secrets_and_revoked_at_once(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    let bob = auth.sign_up("bob", PASSWORD, "c").await.unwrap();
    let token = auth
        .create_token(&Identity::session(alice.clone()), " nightly import ")
        .await
        .unwrap();
    assert_eq!(token.info.name, "nightly import");
    let identity = auth.identify(&bearer(&token.token)).await.unwrap().unwrap();
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
        auth.identify(&bearer(&token.token)).await,
        Err(AuthError::InvalidToken)
    ));
    assert!(auth.list_tokens(&alice).await.unwrap().is_empty());
}

async fn forged_tokens_are_refused(store: TestS3) {
    let auth = auth_over(&store);
    let alice = auth.sign_up("alice", PASSWORD, "c").await.unwrap();
    let token = auth
        .create_token(&Identity::session(alice.clone()), "ci")
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
                auth.identify(&bearer(bad)).await,
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
        auth.identify(&basic).await,
        Err(AuthError::InvalidToken)
    ));
    assert_eq!(auth.identify(&http::HeaderMap::new()).await.unwrap(), None);
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
    forged_tokens_are_refused,
);
