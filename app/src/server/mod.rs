//! Server-side glue for the server functions (feature `ssr` only): where the catalog and
//! the user come from ([`request`]), and how a catalog or account error becomes an API
//! error with the right status ([`errors`]). Internal detail goes to the log; the browser
//! gets a message that is safe to show.

pub mod errors;
pub mod request;

use catalog::Catalog;
use leptos::prelude::*;
use shared::{ApiError, ErrorCode};

pub use errors::{auth_api_error, import_api_error, into_app_error, to_api_error};
pub use request::{
    ClientAddress, CspNonce, auth, client_address, current_user, fail_auth, identity,
    provide_csp_nonce, set_cookie, unauthorized,
};

use crate::error::AppError;

/// The catalog the server put into the request's context.
pub fn catalog() -> Result<Catalog, AppError> {
    use_context::<Catalog>().ok_or_else(|| {
        tracing::error!("no Catalog in the server-function context");
        fail(ApiError::new(
            ErrorCode::Internal,
            "The server is not set up correctly; the details are in its log.",
        ))
    })
}

/// Sets the HTTP status of the current server-function response.
pub fn respond_with_status(code: ErrorCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code.http_status()) {
            response.set_status(status);
        }
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
    }
}

/// An API error as a server-function error, with its HTTP status set.
pub fn fail(error: ApiError) -> AppError {
    respond_with_status(error.code);
    AppError(error)
}
