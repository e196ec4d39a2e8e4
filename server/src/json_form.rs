//! Lets scripts send the POST calls as JSON as well as form-encoded: a JSON object body of
//! strings is rewritten as the form the server functions read. Every POST call under
//! `/api/` accepts JSON this way, except the import (multipart).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::failure::Failure;

use shared::routes::{API_PREFIX, IMPORT_TABLES};

/// The most a JSON body may hold (POST calls take a few short fields).
const MAX_BODY: usize = 64 * 1024;

pub async fn json_as_form(request: Request, next: Next) -> Response {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let path = request.uri().path();
    if !is_json || !path.starts_with(API_PREFIX) || path == IMPORT_TABLES {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let form = match to_bytes(body, MAX_BODY)
        .await
        .ok()
        .and_then(|bytes| to_form(&bytes))
    {
        Some(form) => form,
        None => {
            return Failure::new(
                ErrorCode::BadRequest,
                "Send a JSON object of strings, e.g. {\"database\": \"sales\"}.",
            )
            .into_response();
        }
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
