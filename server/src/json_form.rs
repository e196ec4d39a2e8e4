//! The bodies of the API's POST calls (all but the import, which streams): at most
//! [`MAX_BODY`] (they carry a few short fields), answered 413 with the limit beyond it
//! rather than failing inside the server function; and JSON as well as form-encoded: a JSON
//! object body of strings is rewritten as the form the server functions read.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::failure::Failure;

use shared::routes::{API_PREFIX, IMPORT_TABLES};

/// The most the body of a POST call may hold (form-encoded or JSON).
const MAX_BODY: usize = 64 * 1024;

pub async fn json_as_form(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_call_body =
        request.method() == Method::POST && path.starts_with(API_PREFIX) && path != IMPORT_TABLES;
    if !is_call_body {
        return next.run(request).await;
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Failure::new(
            ErrorCode::TooLarge,
            format!(
                "API calls take at most {} KiB of fields; this request sent more. Imports go to \
                 {IMPORT_TABLES}.",
                MAX_BODY / 1024
            ),
        )
        .into_response();
    };
    if !is_json {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let Some(form) = to_form(&bytes) else {
        return Failure::new(
            ErrorCode::BadRequest,
            "Send a JSON object of strings, e.g. {\"database\": \"sales\"}.",
        )
        .into_response();
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    next.run(Request::from_parts(parts, Body::from(form))).await
}

fn to_form(json: &[u8]) -> Option<String> {
    let object: std::collections::BTreeMap<String, String> = serde_json::from_slice(json).ok()?;
    serde_urlencoded::to_string(object).ok()
}
