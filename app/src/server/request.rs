//! What the server's middleware learnt about the request (who it is for, from where, the
//! page's CSP nonce), read back inside server functions and pages through the request
//! parts leptos_axum puts into context.

use auth::{Auth, AuthError, Identity};
use leptos::prelude::*;
use shared::{ApiError, ErrorCode, UserName};

use super::fail;
use crate::error::AppError;

/// The client's address, as the server decided it (the peer, or `DBM_CLIENT_IP_HEADER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The nonce this response's Content-Security-Policy allows inline scripts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

fn from_request<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<T>().cloned())
}

/// Who the request acts for, if anyone signed in or sent a valid token.
pub fn identity() -> Option<Identity> {
    from_request::<Identity>()
}

/// Who a request acts for and how it proved it; 401 when nobody is signed in.
pub fn current_identity() -> Result<Identity, AppError> {
    identity().ok_or_else(|| fail(unauthorized()))
}

/// The user a request acts for; 401 when nobody is signed in.
pub fn current_user() -> Result<UserName, AppError> {
    current_identity().map(|identity| identity.user)
}

/// The answer to a request that needs a user and has none.
pub fn unauthorized() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "Sign in first, or send an API token as `Authorization: Bearer <token>` (create one \
         on the Settings page).",
    )
}

/// Where the request came from, for per-client limits.
pub fn client_address() -> String {
    from_request::<ClientAddress>().map_or_else(|| "unknown".to_owned(), |address| address.0)
}

/// The accounts handle the server put into context.
pub fn auth() -> Result<Auth, AppError> {
    use_context::<Auth>().ok_or_else(|| {
        tracing::error!("no Auth in the server-function context");
        fail(ApiError::new(
            ErrorCode::Internal,
            "The server is not set up correctly; the details are in its log.",
        ))
    })
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Signs `user` in on this response (the session cookie, and the device cookie that
/// makes this browser known to the account) and says who it is.
pub async fn start_session(auth: &Auth, user: &UserName) -> Result<shared::SessionUser, AppError> {
    let started = auth
        .start_session(user)
        .await
        .map_err(|error| fail_auth(&error))?;
    set_cookie(&started.session_cookie);
    set_cookie(&started.device_cookie);
    Ok(shared::SessionUser {
        user: user.to_string(),
    })
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let headers = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok());
    auth::session::find_cookie(headers, name).map(str::to_owned)
}

/// An account error as a server-function error: status, and `Retry-After` when limited.
pub fn fail_auth(error: &AuthError) -> AppError {
    if let AuthError::RateLimited { retry_after } = error
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.insert_header(http::header::RETRY_AFTER, retry_after.as_secs().into());
    }
    fail(super::auth_api_error(error))
}

/// Makes this response's CSP nonce (chosen by the server's header middleware) the one
/// Leptos puts on its inline scripts, so the policy and the page agree.
pub fn provide_csp_nonce() {
    if let Some(nonce) = from_request::<CspNonce>() {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}
