//! The account calls: signing in and out, creating an account, and personal API tokens.
//! Sign-in and sign-up set the session cookie; everything else needs a signed-in user.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use shared::{NewToken, SessionUser, TokenInfo};

use crate::error::AppError;

/// `POST /api/sign_in` (`username`, `password`): sets the session cookie. A wrong
/// username and a wrong password get the same answer (401); too many failures, 429 with
/// `Retry-After`.
#[server(name = SignIn, prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::server::{auth, client_address, fail_auth, start_session};
    let auth = auth()?;
    let user = auth
        .sign_in(&username, &password, &client_address())
        .await
        .map_err(|error| fail_auth(&error))?;
    Ok(start_session(&auth, &user))
}

/// `POST /api/sign_up` (`username`, `password`): creates an account and signs it in
/// (403 when `DBM_SIGNUP=closed`, 409 when the name is taken).
#[server(name = SignUp, prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::server::{auth, client_address, fail_auth, start_session};
    let auth = auth()?;
    let user = auth
        .sign_up(&username, &password, &client_address())
        .await
        .map_err(|error| fail_auth(&error))?;
    Ok(start_session(&auth, &user))
}

/// `POST /api/sign_out`: removes the session cookie.
#[server(name = SignOut, prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<SessionUser, AppError> {
    use crate::server::{auth, current_user, set_cookie};
    let user = current_user()?;
    set_cookie(&auth()?.sessions().clear_cookie());
    Ok(SessionUser {
        user: user.to_string(),
    })
}

/// `GET /api/me`: who the session or token belongs to.
#[server(name = Me, prefix = "/api", endpoint = "me", input = GetUrl)]
pub async fn me() -> Result<SessionUser, AppError> {
    let user = crate::server::current_user()?;
    Ok(SessionUser {
        user: user.to_string(),
    })
}

/// `GET /api/tokens`: the user's API tokens, newest first, without their secrets.
#[server(name = ListTokens, prefix = "/api", endpoint = "tokens", input = GetUrl)]
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
#[server(name = CreateToken, prefix = "/api", endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<NewToken, AppError> {
    use crate::server::{auth, fail, fail_auth, identity, unauthorized};
    let identity = identity().ok_or_else(|| fail(unauthorized()))?;
    auth()?
        .create_token(&identity, &name)
        .await
        .map_err(|error| fail_auth(&error))
}

/// `POST /api/revoke_token` (`id`): the token stops working at once.
#[server(name = RevokeToken, prefix = "/api", endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<TokenInfo, AppError> {
    use crate::server::{auth, current_user, fail_auth};
    let user = current_user()?;
    auth()?
        .revoke_token(&user, &id)
        .await
        .map_err(|error| fail_auth(&error))
}
