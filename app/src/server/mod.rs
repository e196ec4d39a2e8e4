//! Server-side glue for the server functions (feature `ssr` only): where the catalog and
//! the user come from, and how a catalog error becomes an API error with the right status.
//! Internal detail goes to the log; the browser gets a message that is safe to show.

use catalog::import::ImportError;
use catalog::{Catalog, CatalogError, StorageFailure};
use leptos::prelude::*;
use shared::{ApiError, ErrorCode, UserName};

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

/// The user a request acts for. Until accounts exist, everyone is the local user.
pub fn current_user() -> Result<UserName, AppError> {
    Ok(UserName::local())
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

/// Logs a catalog error with its detail and answers with a message safe to show.
pub fn into_app_error(error: CatalogError) -> AppError {
    let api_error = to_api_error(&error);
    log(&error, api_error.code);
    fail(api_error)
}

/// An import failure as the API error for that file (logged like any catalog error).
pub fn import_api_error(error: &ImportError) -> ApiError {
    let code = match error {
        ImportError::Catalog(catalog_error) => {
            let api_error = to_api_error(catalog_error);
            log(catalog_error, api_error.code);
            return api_error;
        }
        ImportError::TableExists { .. } => ErrorCode::Conflict,
        ImportError::TooLarge { .. } => ErrorCode::TooLarge,
        ImportError::NotCsv { .. }
        | ImportError::Encoding { .. }
        | ImportError::Empty
        | ImportError::DuplicateColumns { .. }
        | ImportError::RaggedRows { .. }
        | ImportError::CutOff { .. } => ErrorCode::BadRequest,
    };
    tracing::info!(%error, ?code, "import refused");
    let mut message = crate::format::capitalise(&error.to_string());
    if !message.is_empty() {
        message.push('.');
    }
    ApiError::new(code, message)
}

fn log(error: &CatalogError, code: ErrorCode) {
    if code.http_status() >= 500 {
        tracing::error!(%error, ?code, "request failed");
    } else {
        tracing::info!(%error, ?code, "request refused");
    }
}

/// The API error for a catalog error: a message safe to show, the detail only logged.
pub fn to_api_error(error: &CatalogError) -> ApiError {
    match error {
        CatalogError::InvalidName(name_error) => ApiError::from(name_error.clone()),
        CatalogError::DatabaseNotFound { database } => ApiError::new(
            ErrorCode::NotFound,
            format!("There is no database named {database:?}."),
        ),
        CatalogError::TableNotFound { database, table } => ApiError::new(
            ErrorCode::NotFound,
            format!("There is no table named {table:?} in database {database:?}."),
        ),
        CatalogError::ReadOnly { database } => ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "{database:?} is a default database: it is shared and read-only. Import into a \
                 database of your own (choose another name)."
            ),
        ),
        CatalogError::Storage { failure, .. } => match failure {
            StorageFailure::Unreachable => ApiError::new(
                ErrorCode::StorageUnavailable,
                "The storage is not reachable right now. Try again in a moment; if this \
                 persists, ask the administrator to check the S3 endpoint.",
            ),
            StorageFailure::Denied => ApiError::new(
                ErrorCode::StorageUnavailable,
                "The storage refused the server's credentials. Ask the administrator to \
                 check the S3 credentials.",
            ),
            StorageFailure::NoSuchBucket => ApiError::new(
                ErrorCode::StorageUnavailable,
                "The configured S3 bucket does not exist. Ask the administrator to check \
                 DBM_STORAGE.",
            ),
            StorageFailure::NoSuchKey => {
                ApiError::new(ErrorCode::NotFound, "That table no longer exists.")
            }
            StorageFailure::Other => ApiError::new(
                ErrorCode::StorageUnavailable,
                "The storage could not complete the request. Try again in a moment.",
            ),
        },
        CatalogError::InvalidStorageSetting { .. }
        | CatalogError::Embedded(_)
        | CatalogError::Io { .. } => ApiError::new(
            ErrorCode::Internal,
            "Something went wrong on the server; the details are in its log.",
        ),
    }
}
