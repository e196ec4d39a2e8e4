//! Server-side glue for the server functions (feature `ssr` only): where the catalog and
//! the user come from ([`request`]), and how a catalog or account error becomes an API
//! error with the right status ([`errors`]). Internal detail goes to the log; the browser
//! gets a message that is safe to show.

pub mod errors;
pub mod request;

use catalog::Catalog;
use leptos::prelude::*;
use shared::{ApiError, ErrorCode};

pub use errors::{
    auth_api_error, import_api_error, into_app_error, to_api_error, to_logged_api_error,
};
pub use request::{
    ClientAddress, CspNonce, auth, client_address, current_identity, current_user, fail_auth,
    identity, provide_csp_nonce, request_cookie, set_cookie, start_session, unauthorized,
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

/// Who asked for what a server function answers, which decides how a failure is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// A script or the app's JavaScript calling the API: the status and a JSON body.
    ApiClient,
    /// A page rendered on the server that called the function directly: the page's status
    /// follows the failure, and the page stays HTML.
    PageRender,
    /// An HTML form posted without JavaScript: server_fn redirects back to the form's page
    /// with the error in the URL (`__err`), where the form's action shows it; that
    /// redirect must keep its status.
    FormWithoutJavaScript,
}

fn caller() -> Caller {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Caller::ApiClient;
    };
    let is_api = parts.uri.path().starts_with(shared::routes::API_PREFIX);
    let accepts_html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match (is_api, accepts_html) {
        (false, _) => Caller::PageRender,
        (true, true) => Caller::FormWithoutJavaScript,
        (true, false) => Caller::ApiClient,
    }
}

/// Sets the HTTP status (and for API clients the JSON content type) of a failed call.
pub fn respond_with_status(code: ErrorCode) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let caller = caller();
    if caller == Caller::FormWithoutJavaScript {
        return;
    }
    if let Ok(status) = http::StatusCode::from_u16(code.http_status()) {
        response.set_status(status);
    }
    match code {
        // The index of a 1 GB table takes a few seconds to build.
        ErrorCode::IndexBuilding | ErrorCode::ProfileComputing => response.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("2"),
        ),
        // Large reads under way end within a second or two.
        ErrorCode::Busy => response.insert_header(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        ),
        _ => {}
    }
    if caller == Caller::ApiClient {
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
