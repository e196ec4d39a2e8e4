//! `GET /api/download?database=NAME&table=NAME`: a table's object streamed as it is stored,
//! as an attachment named as in the bucket (`orders.csv`, `events.csv.zst`), in its format's
//! media type. `Content-Length`, `ETag` and `Last-Modified` come
//! from S3; a `Range` header passes through (206 with `Content-Range`), so browsers and
//! `curl -C -` resume broken downloads. Chunks go from S3 to the client as they arrive:
//! memory does not grow with the table. Same access rules as previews.

use auth::Identity;
use axum::Extension;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use catalog::Catalog;
use serde::Deserialize;
use shared::{ApiError, DatabaseName, ErrorCode, TableName};

use crate::failure::Failure;
use crate::routes::Stopping;
use futures::StreamExt;

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    database: String,
    table: String,
}

pub async fn download(
    State(catalog): State<Catalog>,
    State(Stopping(stopping)): State<Stopping>,
    identity: Option<Extension<Identity>>,
    query: Result<Query<DownloadQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(Identity { user, .. })) = identity else {
        return Failure(app::server::unauthorized()).into_response();
    };
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => {
            return Failure::new(
                ErrorCode::BadRequest,
                format!("A download needs ?database=NAME&table=NAME: {rejection}"),
            )
            .into_response();
        }
    };
    let names = DatabaseName::parse(&query.database)
        .and_then(|database| Ok((database, TableName::parse(&query.table)?)));
    let (database, table) = match names {
        Ok(names) => names,
        Err(error) => return Failure(ApiError::from(error)).into_response(),
    };
    // Only byte ranges pass through; anything else is answered whole, as HTTP allows.
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .filter(|range| range.starts_with("bytes="));
    let (download, file_name, format) =
        match catalog.download(&user, &database, &table, range).await {
            Ok(opened) => (opened.download, opened.file_name, opened.format),
            Err(error) => return Failure(app::server::to_logged_api_error(&error)).into_response(),
        };
    let status = if download.content_range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    // Cut off at the shutdown deadline (the client can resume with a range).
    let body = download
        .body
        .into_stream()
        .take_until(stopping.cancelled_owned());
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let answer = response.headers_mut();
    answer.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    answer.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // File names in the bucket that are tables are a checked name and an extension.
    let file = format!("attachment; filename=\"{file_name}\"");
    let optional = [
        (header::CONTENT_DISPOSITION, Some(file)),
        (
            header::CONTENT_LENGTH,
            download.content_length.map(|length| length.to_string()),
        ),
        (header::CONTENT_RANGE, download.content_range),
        (header::ETAG, download.etag),
        (header::LAST_MODIFIED, download.last_modified),
    ];
    for (name, value) in optional {
        if let Some(value) = value.and_then(|value| HeaderValue::from_str(&value).ok()) {
            answer.insert(name, value);
        }
    }
    response
}
