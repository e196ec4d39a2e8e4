//! The one HTTP failure the server's own handlers and middleware answer with (the server
//! functions answer through `app::server::fail`, with the same body and statuses).
//!
//! A [`Failure`] is an [`ApiError`]: a stable code and a message that is safe to show.
//! Its status comes from the code alone ([`ErrorCode::http_status`]), its body is the
//! API's JSON error, and a 401 carries `WWW-Authenticate: Bearer` so scripts know what to
//! send. Details never go into it: whoever turns a domain error into a failure logs them
//! (`app::server::auth_api_error` does for account errors).

use auth::AuthError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::{ApiError, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub ApiError);

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message))
    }

    /// An account error (its detail logged, the message safe to show).
    pub fn from_auth(error: &AuthError) -> Self {
        Self(app::server::auth_api_error(error))
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.0)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_follows_the_code_and_401_says_how_to_authenticate() {
        let unauthorized = Failure::new(ErrorCode::Unauthorized, "Sign in first.").into_response();
        assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(unauthorized.headers()[header::WWW_AUTHENTICATE], "Bearer");

        let too_large = Failure::new(ErrorCode::TooLarge, "Too large.").into_response();
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(too_large.headers().get(header::WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn a_corrupt_account_record_is_an_internal_error_not_an_outage() {
        let error = AuthError::CorruptRecord {
            key: "system/accounts/a/account.json".into(),
            detail: "expected value at line 1".into(),
        };
        let failure = Failure::from_auth(&error);
        assert_eq!(failure.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !failure.0.message.contains("line 1"),
            "details are not sent"
        );
    }
}
