//! The catalog's error type. Every variant carries where it happened (the S3 operation and
//! key, the setting, the path) so the log line alone tells what went wrong; the app turns it
//! into an API error whose message is safe to show.

use std::path::PathBuf;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use shared::NameError;

/// Why an S3 request failed, as far as a caller needs to tell the cases apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFailure {
    /// No answer: connection refused, DNS, TLS, timeout.
    Unreachable,
    /// The store answered but refused our credentials or the operation.
    Denied,
    /// The configured bucket does not exist.
    NoSuchBucket,
    /// The object does not exist.
    NoSuchKey,
    /// A conditional write found the object already there (or changed).
    PreconditionFailed,
    /// Anything else the store answered with.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("S3 {operation} on {target} failed: {detail}")]
    Storage {
        operation: &'static str,
        target: String,
        failure: StorageFailure,
        detail: String,
    },
    #[error(transparent)]
    InvalidName(#[from] NameError),
    #[error("database {database:?} does not exist")]
    DatabaseNotFound { database: String },
    #[error("table {table:?} does not exist in database {database:?}")]
    TableNotFound { database: String, table: String },
    #[error("database {database:?} is a default database, which is read-only")]
    ReadOnly { database: String },
    #[error("invalid DBM_STORAGE value {value:?}: {reason}")]
    InvalidStorageSetting { value: String, reason: String },
    #[error("embedded S3 server: {0}")]
    Embedded(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

impl CatalogError {
    /// Wraps an aws-sdk error with the operation and the key or bucket it was about.
    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        target: impl Into<String>,
        error: &SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let failure = classify(error);
        CatalogError::Storage {
            operation,
            target: target.into(),
            failure,
            detail: describe_sdk_error(error),
        }
    }

    /// The storage failure kind, when this is a storage error.
    pub fn storage_failure(&self) -> Option<StorageFailure> {
        match self {
            CatalogError::Storage { failure, .. } => Some(*failure),
            _ => None,
        }
    }
}

/// One readable line: the store's error code and message when it answered, otherwise the
/// chain of causes (e.g. "tcp connect error: Connection refused (os error 111)").
fn describe_sdk_error<E>(error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let SdkError::ServiceError(service) = error {
        let status = service.raw().status().as_u16();
        let code = service.err().code().unwrap_or("no error code");
        return match service.err().message() {
            Some(message) => format!("HTTP {status} {code}: {message}"),
            None => format!("HTTP {status} {code}"),
        };
    }
    error_chain(error)
}

/// The Display text of an error and its sources, without repeats.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ").replace(['\n', '\r'], " ")
}

fn classify<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> StorageFailure {
    match error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => StorageFailure::Unreachable,
        SdkError::ServiceError(service) => {
            match service.err().code() {
                Some("NoSuchBucket") => return StorageFailure::NoSuchBucket,
                Some("NoSuchKey") => return StorageFailure::NoSuchKey,
                Some("PreconditionFailed" | "ConditionalRequestConflict") => {
                    return StorageFailure::PreconditionFailed;
                }
                Some(
                    "AccessDenied"
                    | "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "InvalidToken",
                ) => return StorageFailure::Denied,
                _ => {}
            }
            match service.raw().status().as_u16() {
                401 | 403 => StorageFailure::Denied,
                404 => StorageFailure::NoSuchKey,
                409 | 412 => StorageFailure::PreconditionFailed,
                _ => StorageFailure::Other,
            }
        }
        SdkError::ResponseError(response) => match response.raw().status().as_u16() {
            401 | 403 => StorageFailure::Denied,
            _ => StorageFailure::Other,
        },
        _ => StorageFailure::Other,
    }
}
