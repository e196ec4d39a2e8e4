//! The storage error type. Every variant says where it happened (the S3 operation and key,
//! the setting, the path), so the log line alone tells what went wrong; the layers above
//! turn it into an API error whose message is safe to show. This is the only place an
//! aws-sdk error becomes one of ours.

use std::path::PathBuf;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// Why an S3 request failed, as far as a caller needs to tell the cases apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFailure {
    /// No answer: connection refused, DNS, TLS, timeout, a body cut off mid-stream.
    Unreachable,
    /// The store answered but refused our credentials or the operation.
    Denied,
    /// The configured bucket does not exist.
    NoSuchBucket,
    /// The object does not exist.
    NoSuchKey,
    /// A conditional request found the object already there, or changed.
    PreconditionFailed,
    /// A ranged read asked for bytes the object does not have (HTTP 416).
    RangeNotSatisfiable,
    /// The multipart upload is gone (completed, or aborted by a sweep).
    NoSuchUpload,
    /// The store does not implement the operation (HTTP 501).
    NotImplemented,
    /// Anything else the store answered with.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// An S3 request that failed, or whose answer could not be used.
    #[error("S3 {operation} on {target} failed: {detail}")]
    Request {
        operation: &'static str,
        target: String,
        failure: StorageFailure,
        detail: String,
    },
    #[error("invalid DBM_STORAGE value {value:?}: {reason}")]
    InvalidSetting { value: String, reason: String },
    /// The embedded S3 server could not start.
    #[error("embedded S3 server: {0}")]
    Embedded(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

impl StorageError {
    /// A failed request that is not an aws-sdk error (a body cut off, an answer without
    /// what it must carry).
    pub(crate) fn request(
        operation: &'static str,
        target: impl Into<String>,
        failure: StorageFailure,
        detail: impl Into<String>,
    ) -> Self {
        StorageError::Request {
            operation,
            target: target.into(),
            failure,
            detail: detail.into(),
        }
    }

    /// Wraps an aws-sdk error with the operation and the key or bucket it was about.
    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        target: impl Into<String>,
        error: &SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        Self::request(
            operation,
            target,
            classify(error),
            describe_sdk_error(error),
        )
    }

    /// A request (or several) that got no answer within `deadline`: the store is treated as
    /// unreachable, so callers answer 503 rather than wait.
    pub fn deadline_passed(
        operation: &'static str,
        target: impl Into<String>,
        deadline: std::time::Duration,
    ) -> Self {
        Self::request(
            operation,
            target,
            StorageFailure::Unreachable,
            format!("no answer within {:.1} s", deadline.as_secs_f64()),
        )
    }

    /// A body that broke off while it was being read (the connection, or a parser reading
    /// it, reported `error`).
    pub fn read_failed(key: &str, error: &dyn std::fmt::Display) -> Self {
        Self::request(
            "GetObject",
            key,
            StorageFailure::Unreachable,
            format!("reading the object failed: {error}"),
        )
    }

    /// The kind of request failure, when this is one.
    pub fn failure(&self) -> Option<StorageFailure> {
        match self {
            StorageError::Request { failure, .. } => Some(*failure),
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

/// The Display text of an error and its sources, without repeats, on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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
                Some("NoSuchUpload") => return StorageFailure::NoSuchUpload,
                Some("NotImplemented") => return StorageFailure::NotImplemented,
                Some("InvalidRange") => return StorageFailure::RangeNotSatisfiable,
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
                416 => StorageFailure::RangeNotSatisfiable,
                501 => StorageFailure::NotImplemented,
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
