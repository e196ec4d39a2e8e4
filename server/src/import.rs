//! `POST /api/import_tables`: a multipart upload of one or more CSV files into a database.
//!
//! A plain axum handler rather than a server function, so each file part streams straight
//! into the catalog (to S3, checked and profiled as it arrives) and is never held whole.
//! Fields, in order: `database`; optionally `replace=true`; then for each file an optional
//! `table` (its name; otherwise the file name, sanitised) followed by the `file` part.

use std::pin::Pin;
use std::time::Duration;

use auth::Identity;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use catalog::Catalog;
use catalog::import::TableImport;
use futures::{Stream, StreamExt as _};
use shared::names::sanitize_table_name;
use shared::routes::import_fields;
use shared::{ApiError, DatabaseName, ErrorCode, ImportReport, ImportedFile, TableName, UserName};

use crate::failure::Failure;
use crate::routes::Stopping;

/// The import endpoint's settings.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    /// The most bytes one import request may send (`DBM_MAX_UPLOAD_MB`).
    pub max_request_bytes: u64,
    /// The longest the client may send nothing while a file arrives (`DBM_BODY_IDLE_SECS`).
    pub body_idle: Duration,
}

pub async fn import_tables(
    State(catalog): State<Catalog>,
    State(limits): State<ImportLimits>,
    State(Stopping(stopping)): State<Stopping>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    // Before anything is read: an anonymous upload is refused at once.
    let Some(Extension(Identity { user, .. })) = identity else {
        return Failure(app::server::unauthorized()).into_response();
    };
    // Refuse an upload that says it is too large before reading any of it.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_request_bytes) {
        return Failure::new(
            ErrorCode::TooLarge,
            format!(
                "The upload is larger than the {} MiB limit. Import fewer or smaller files, or \
                 ask the administrator to raise DBM_MAX_UPLOAD_MB.",
                limits.max_request_bytes / (1024 * 1024)
            ),
        )
        .into_response();
    }
    let mut multipart = match multipart {
        Ok(multipart) => multipart,
        Err(rejection) => {
            return Failure::new(
                ErrorCode::BadRequest,
                format!("Send the files as multipart/form-data: {rejection}"),
            )
            .into_response();
        }
    };
    // At the shutdown deadline the import stops: dropping it aborts the upload of the
    // file under way (tables already imported stay), and the client is told.
    let imported = tokio::select! {
        imported = read_fields(&catalog, &user, &mut multipart, limits) => imported,
        () = stopping.cancelled() => Err(ApiError::new(
            ErrorCode::StorageUnavailable,
            "The server is shutting down: the file being imported was not kept. Send it again \
             in a moment.",
        )),
    };
    match imported {
        Ok(report) => {
            let status = report
                .files
                .iter()
                .find_map(|file| file.error.as_ref())
                .map_or(StatusCode::OK, |error| Failure(error.clone()).status());
            (status, Json(report)).into_response()
        }
        Err(error) => Failure(error).into_response(),
    }
}

async fn read_fields(
    catalog: &Catalog,
    user: &UserName,
    multipart: &mut Multipart,
    limits: ImportLimits,
) -> Result<ImportReport, ApiError> {
    let mut database: Option<DatabaseName> = None;
    let mut replace = false;
    let mut next_table: Option<String> = None;
    let mut files = Vec::new();
    let mut budget = limits.max_request_bytes;
    let idle = limits.body_idle;
    loop {
        let field = match tokio::time::timeout(idle, multipart.next_field()).await {
            Ok(field) => field.map_err(cut_off)?,
            // A client that stalls after a file: report what happened to the files sent.
            Err(_) if !files.is_empty() => break,
            Err(_) => return Err(stalled(idle)),
        };
        let Some(field) = field else { break };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            import_fields::DATABASE => {
                let text = text_within(idle, field).await?;
                database = Some(DatabaseName::parse(text.trim()).map_err(ApiError::from)?);
            }
            import_fields::REPLACE => {
                let text = text_within(idle, field).await?;
                replace = matches!(text.trim(), "true" | "1" | "on" | "yes");
            }
            import_fields::TABLE => next_table = Some(text_within(idle, field).await?),
            import_fields::FILE => {
                let database = database.clone().ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::BadRequest,
                        "Send the `database` field before the files.",
                    )
                })?;
                let file = field.file_name().unwrap_or("upload.csv").to_owned();
                let table = table_name(next_table.take(), &file);
                let outcome = match table {
                    Err(error) => Err(error),
                    Ok(table) => {
                        let import = TableImport {
                            table,
                            replace,
                            max_bytes: budget,
                        };
                        catalog
                            .import_table(
                                user,
                                &database,
                                import,
                                with_idle_deadline(field, limits.body_idle),
                            )
                            .await
                            .map_err(|error| app::server::import_api_error(&error))
                    }
                };
                files.push(match outcome {
                    Ok(imported) => {
                        budget = budget.saturating_sub(imported.bytes);
                        ImportedFile {
                            file,
                            table: Some(imported.table),
                            rows: Some(imported.rows),
                            columns: imported.columns,
                            warnings: imported.warnings,
                            replaced: imported.replaced,
                            error: None,
                        }
                    }
                    Err(error) => ImportedFile {
                        file,
                        table: None,
                        rows: None,
                        columns: Vec::new(),
                        warnings: Vec::new(),
                        replaced: false,
                        error: Some(error),
                    },
                });
            }
            other => {
                return Err(ApiError::new(
                    ErrorCode::BadRequest,
                    format!(
                        "Unknown field {other:?}: send `database`, `replace`, `table` and `file` fields."
                    ),
                ));
            }
        }
    }
    let database = database
        .ok_or_else(|| ApiError::new(ErrorCode::BadRequest, "The `database` field is missing."))?;
    if files.is_empty() {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "No file was sent: add one or more `file` parts.",
        ));
    }
    Ok(ImportReport { database, files })
}

/// The table name given, or one made from the file name.
fn table_name(given: Option<String>, file: &str) -> Result<TableName, ApiError> {
    match given.map(|name| name.trim().to_owned()).filter(|name| !name.is_empty()) {
        Some(name) => TableName::parse(&name).map_err(ApiError::from),
        None => sanitize_table_name(file).ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("No table name can be made from the file name {file:?}; give one in a `table` field."),
            )
        }),
    }
}

/// A small text field, read within the idle deadline.
async fn text_within(
    idle: Duration,
    field: axum::extract::multipart::Field<'_>,
) -> Result<String, ApiError> {
    tokio::time::timeout(idle, field.text())
        .await
        .map_err(|_| stalled(idle))?
        .map_err(cut_off)
}

/// The answer to a client that stopped sending.
fn stalled(idle: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::BadRequest,
        format!(
            "The upload stalled: the client sent nothing for {} s (DBM_BODY_IDLE_SECS); nothing \
             more was saved. Try again.",
            idle.as_secs()
        ),
    )
}

/// The file's bytes, failing once the client has sent nothing for `idle`: an upload that
/// stalls is stopped (its upload aborted) instead of holding the import open forever.
fn with_idle_deadline<'a, S, E>(
    body: S,
    idle: Duration,
) -> Pin<Box<dyn Stream<Item = Result<Bytes, String>> + Send + 'a>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'a,
    E: std::fmt::Display,
{
    Box::pin(futures::stream::unfold(
        Some(body),
        move |body| async move {
            let mut body = body?;
            match tokio::time::timeout(idle, body.next()).await {
                Ok(Some(Ok(bytes))) => Some((Ok(bytes), Some(body))),
                Ok(Some(Err(error))) => Some((Err(error.to_string()), None)),
                Ok(None) => None,
                Err(_) => Some((
                    Err(format!(
                        "the client sent nothing for {} s (DBM_BODY_IDLE_SECS)",
                        idle.as_secs()
                    )),
                    None,
                )),
            }
        },
    ))
}

fn cut_off(error: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::new(
        ErrorCode::BadRequest,
        format!("The upload could not be read ({error}); nothing more was saved. Try again."),
    )
}
