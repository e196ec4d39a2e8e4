//! From catalog and account errors to API errors: the status and a message safe to show;
//! the detail goes to the log.

use auth::AuthError;
use catalog::CatalogError;
use catalog::import::ImportError;
use shared::{ApiError, ErrorCode};
use storage::{StorageError, StorageFailure};

use super::fail;
use crate::error::AppError;

/// Logs a catalog error with its detail and answers with a message safe to show.
pub fn into_app_error(error: CatalogError) -> AppError {
    fail(to_logged_api_error(&error))
}

/// An import failure as the API error for that file (logged like any catalog error).
pub fn import_api_error(error: &ImportError) -> ApiError {
    let code = match error {
        ImportError::Catalog(catalog_error) => return to_logged_api_error(catalog_error),
        ImportError::TableExists { .. } => ErrorCode::Conflict,
        ImportError::TooLarge { .. } => ErrorCode::TooLarge,
        ImportError::NotCsv { .. }
        | ImportError::Encoding { .. }
        | ImportError::Empty
        | ImportError::DuplicateColumns { .. }
        | ImportError::RaggedRows { .. }
        | ImportError::RowsTooLong { .. }
        | ImportError::UnclosedQuote { .. }
        | ImportError::ColumnNameTooLong { .. }
        | ImportError::Compressed { .. }
        | ImportError::CutOff { .. } => ErrorCode::BadRequest,
    };
    tracing::info!(%error, ?code, "import refused");
    let mut message = crate::format::capitalise(&error.to_string());
    if !message.is_empty() {
        message.push('.');
    }
    ApiError::new(code, message)
}

fn log(error: &dyn std::fmt::Display, code: ErrorCode) {
    if code.http_status() >= 500 {
        tracing::error!(error = %error, ?code, "request failed");
    } else {
        tracing::info!(error = %error, ?code, "request refused");
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
        CatalogError::Storage(storage_error) => storage_api_error(storage_error),
        CatalogError::Busy => ApiError::new(
            ErrorCode::Busy,
            "The server is reading many large tables at once. Try again in a moment.",
        ),
        CatalogError::IndexBuilding {
            table,
            percent,
            reachable,
        } => ApiError::new(
            ErrorCode::IndexBuilding,
            format!(
                "Table {table:?} is being indexed ({percent}% done). The first {reachable} rows \
                 can be shown now; rows further in can in a moment: try again shortly."
            ),
        )
        .with_progress(*percent),
        CatalogError::ProfileComputing { table, percent } => ApiError::new(
            ErrorCode::ProfileComputing,
            format!(
                "The profile of table {table:?} is being computed ({percent}% done): the whole \
                 table is read once. Try again shortly."
            ),
        )
        .with_progress(*percent),
        CatalogError::ProfilesTurnedOff => ApiError::new(
            ErrorCode::NotFound,
            "Column profiles are turned off on this server (DBM_COLUMN_PROFILES=off), and this \
             table has none from before.",
        ),
        CatalogError::Unreadable { key, detail } => {
            let file = key.rsplit('/').next().unwrap_or(key);
            ApiError::new(
                ErrorCode::Unreadable,
                format!(
                    "{file} cannot be read: {detail}. Replace it with a complete file, or \
                     download it to look at it."
                ),
            )
        }
        CatalogError::RowsOutOfReach { .. } => ApiError::new(
            ErrorCode::OutOfReach,
            crate::format::capitalise(&format!("{error}.")),
        ),
        CatalogError::NotForFormat {
            table,
            format,
            what,
        } => ApiError::new(
            ErrorCode::NotForFormat,
            format!(
                "{} are not computed for {format} tables such as {table:?}; its preview and \
                 its rows are.",
                crate::format::capitalise(what)
            ),
        ),
        CatalogError::TaskFailed { .. } => ApiError::new(
            ErrorCode::Internal,
            "The server failed while reading the table; the details are in its log.",
        ),
    }
}

/// The API error for a storage error: which failure it was decides the status.
pub fn storage_api_error(error: &StorageError) -> ApiError {
    let Some(failure) = error.failure() else {
        return ApiError::new(
            ErrorCode::Internal,
            "Something went wrong on the server; the details are in its log.",
        );
    };
    match failure {
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
        StorageFailure::PreconditionFailed => ApiError::new(
            ErrorCode::Conflict,
            "Something else changed the same object at the same moment. Try again.",
        ),
        StorageFailure::RangeNotSatisfiable => ApiError::new(
            ErrorCode::RangeNotSatisfiable,
            "The byte range asked for is not in the table: ask for a range within its size.",
        ),
        StorageFailure::NoSuchUpload => ApiError::new(
            ErrorCode::StorageUnavailable,
            "The upload to the storage was cancelled before it finished (nothing of it was \
             kept). Send the file again.",
        ),
        StorageFailure::NotImplemented => ApiError::new(
            ErrorCode::StorageUnavailable,
            "The storage does not implement a request the server needs. Ask the \
             administrator to check which S3 service DBM_STORAGE points at.",
        ),
        StorageFailure::Other => ApiError::new(
            ErrorCode::StorageUnavailable,
            "The storage could not complete the request. Try again in a moment.",
        ),
    }
}

/// The API error for an account error (logged like a catalog error). The caller sets
/// `Retry-After` for [`AuthError::RateLimited`].
pub fn auth_api_error(error: &AuthError) -> ApiError {
    let api_error = match error {
        AuthError::Storage(storage_error) => {
            let api_error = storage_api_error(storage_error);
            log(storage_error, api_error.code);
            return api_error;
        }
        AuthError::InvalidCredentials => {
            ApiError::new(ErrorCode::Unauthorized, "Wrong username or password.")
        }
        AuthError::RateLimited { retry_after } => ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "Too many failed attempts. Wait {} and try again.",
                crate::format::wait_label(retry_after.as_secs())
            ),
        ),
        AuthError::NameTaken { .. } => ApiError::new(
            ErrorCode::Conflict,
            "That username is not available; choose another.",
        ),
        AuthError::SignupClosed => ApiError::new(
            ErrorCode::Forbidden,
            "Sign-up is closed on this server: ask its administrator to create an account for you.",
        ),
        AuthError::BadPassword(message) | AuthError::BadTokenName(message) => {
            ApiError::new(ErrorCode::BadRequest, message.clone())
        }
        AuthError::BadUsername(name_error) => ApiError::from(name_error.clone()),
        AuthError::TokenNotFound { id } => ApiError::new(
            ErrorCode::NotFound,
            format!("You have no API token with the id {id:?}."),
        ),
        AuthError::TokenCannotCreateTokens => ApiError::new(
            ErrorCode::Forbidden,
            "Create tokens from a signed-in browser session (the Settings page), not with a token.",
        ),
        AuthError::SessionRequired => ApiError::new(
            ErrorCode::Forbidden,
            "Change your password from a signed-in browser session (the Settings page), not \
             with a token.",
        ),
        AuthError::NoSuchAccount { user } => ApiError::new(
            ErrorCode::NotFound,
            format!("There is no account named {user:?}."),
        ),
        AuthError::InvalidToken => ApiError::new(
            ErrorCode::Unauthorized,
            "The API token is not valid: it is mistyped or was revoked. Create a new one on \
             the Settings page and send it as `Authorization: Bearer <token>`.",
        ),
        AuthError::CorruptRecord { .. } | AuthError::Internal(_) => ApiError::new(
            ErrorCode::Internal,
            "Something went wrong on the server; the details are in its log.",
        ),
    };
    if api_error.code.http_status() >= 500 {
        tracing::error!(%error, "account request failed");
    } else {
        tracing::info!(%error, code = ?api_error.code, "account request refused");
    }
    api_error
}

pub fn to_logged_api_error(error: &CatalogError) -> ApiError {
    let api_error = to_api_error(error);
    log(error, api_error.code);
    api_error
}
