//! The account calls: signing in and out (here or everywhere), creating an account,
//! changing the password, and personal API tokens. Sign-in and sign-up set the session
//! cookie; everything else needs a signed-in user.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use shared::{NewToken, SessionUser, SignedOutEverywhere, TokenInfo};

use crate::api::codec::JsonText;
use crate::error::AppError;

/// `POST /api/sign_in` (`username`, `password`): sets the session cookie. A wrong
/// username and a wrong password get the same answer (401); too many failures, 429 with
/// `Retry-After` (a browser that signed in to the account before is limited by its own
/// failures only).
#[server(name = SignIn, prefix = "/api", endpoint = "sign_in", output = JsonText)]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::server::{auth, client_address, fail_auth, request_cookie, start_session};
    let auth = auth()?;
    let device = request_cookie(auth.devices().cookie_name());
    let origin = auth::Origin {
        client: &client_address(),
        device: device.as_deref(),
    };
    let user = auth
        .sign_in(&username, &password, origin)
        .await
        .map_err(|error| fail_auth(&error))?;
    start_session(&auth, &user).await
}

/// `POST /api/sign_up` (`username`, `password`): creates an account and signs it in
/// (403 when `DBM_SIGNUP=closed`, 409 when the name is taken).
#[server(name = SignUp, prefix = "/api", endpoint = "sign_up", output = JsonText)]
pub async fn sign_up(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::server::{auth, client_address, fail_auth, start_session};
    let auth = auth()?;
    let user = auth
        .sign_up(&username, &password, &client_address())
        .await
        .map_err(|error| fail_auth(&error))?;
    start_session(&auth, &user).await
}

/// `POST /api/sign_out`: ends this session (its cookie stops working on every replica
/// within the revalidation interval) and removes the cookie.
#[server(name = SignOut, prefix = "/api", endpoint = "sign_out", output = JsonText)]
pub async fn sign_out() -> Result<SessionUser, AppError> {
    use crate::server::{auth, current_identity, fail_auth, set_cookie};
    let identity = current_identity()?;
    let auth = auth()?;
    auth.sign_out(&identity)
        .await
        .map_err(|error| fail_auth(&error))?;
    set_cookie(&auth.sessions().clear_cookie());
    Ok(SessionUser {
        user: identity.user.to_string(),
    })
}

/// `POST /api/sign_out_everywhere`: ends every session of the user, in every browser
/// (API tokens stay: revoke them on the Settings page).
#[server(name = SignOutEverywhere, prefix = "/api", endpoint = "sign_out_everywhere", output = JsonText)]
pub async fn sign_out_everywhere() -> Result<SignedOutEverywhere, AppError> {
    use crate::server::{auth, current_user, fail_auth, set_cookie};
    let user = current_user()?;
    let auth = auth()?;
    let sessions_ended = auth
        .sign_out_everywhere(&user)
        .await
        .map_err(|error| fail_auth(&error))?;
    set_cookie(&auth.sessions().clear_cookie());
    Ok(SignedOutEverywhere {
        user: user.to_string(),
        sessions_ended,
    })
}

/// `POST /api/change_password` (`current_password`, `new_password`): from a signed-in
/// session only. Every session of the user ends; this browser gets a new one.
#[server(name = ChangePassword, prefix = "/api", endpoint = "change_password", output = JsonText)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<SessionUser, AppError> {
    use crate::server::{auth, client_address, current_identity, fail_auth, start_session};
    let identity = current_identity()?;
    let auth = auth()?;
    auth.change_password(
        &identity,
        &current_password,
        &new_password,
        &client_address(),
    )
    .await
    .map_err(|error| fail_auth(&error))?;
    start_session(&auth, &identity.user).await
}

/// `GET /api/me`: who the session or token belongs to.
#[server(name = Me, prefix = "/api", endpoint = "me", input = GetUrl, output = JsonText)]
pub async fn me() -> Result<SessionUser, AppError> {
    let user = crate::server::current_user()?;
    Ok(SessionUser {
        user: user.to_string(),
    })
}

/// `GET /api/tokens`: the user's API tokens, newest first, without their secrets.
#[server(name = ListTokens, prefix = "/api", endpoint = "tokens", input = GetUrl, output = JsonText)]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use crate::server::{auth, current_user, fail_auth};
    let user = current_user()?;
    auth()?
        .list_tokens(&user)
        .await
        .map_err(|error| fail_auth(&error))
}

/// `POST /api/create_token` (`name`): a new token, whose text is in this answer only.
/// Only from a signed-in session: a token cannot make more tokens.
#[server(name = CreateToken, prefix = "/api", endpoint = "create_token", output = JsonText)]
pub async fn create_token(name: String) -> Result<NewToken, AppError> {
    use crate::server::{auth, current_identity, fail_auth};
    let identity = current_identity()?;
    auth()?
        .create_token(&identity, &name)
        .await
        .map_err(|error| fail_auth(&error))
}

/// `POST /api/revoke_token` (`id`): the token stops working at once.
#[server(name = RevokeToken, prefix = "/api", endpoint = "revoke_token", output = JsonText)]
pub async fn revoke_token(id: String) -> Result<TokenInfo, AppError> {
    use crate::server::{auth, current_user, fail_auth};
    let user = current_user()?;
    auth()?
        .revoke_token(&user, &id)
        .await
        .map_err(|error| fail_auth(&error))
}
