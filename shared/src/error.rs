//! The error contract of the API: a stable machine-readable `code`, a message that is safe
//! to show a person, and the HTTP status each code answers with.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stable error codes. Scripts match on these; add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself is wrong (a bad name, a parameter out of range).
    BadRequest,
    /// Nobody is signed in: send the session cookie or `Authorization: Bearer <token>`.
    Unauthorized,
    /// The caller may not do this (e.g. write to a default database).
    Forbidden,
    /// The database or table does not exist.
    NotFound,
    /// The thing already exists, or changed underneath the request.
    Conflict,
    /// The upload is over the size limit.
    TooLarge,
    /// Too many attempts (sign-in); the `Retry-After` header says when to try again.
    RateLimited,
    /// The storage (S3) could not be reached or refused the request.
    StorageUnavailable,
    /// A download asked for a byte range the table does not have.
    RangeNotSatisfiable,
    /// The table's row index is being built (rows this deep need it): `progress_percent`
    /// says how far it is, `Retry-After` when to ask again.
    IndexBuilding,
    /// The table's column profile is being computed (a background scan of a table another
    /// tool wrote): `progress_percent` says how far it is, `Retry-After` when to ask again.
    ProfileComputing,
    /// The server is doing as much of this kind of work as it allows itself at once (e.g.
    /// reading large tables); `Retry-After` says when to try again.
    Busy,
    /// The table's file cannot be read as its format says (truncated, not that format).
    Unreadable,
    /// The rows asked for are deeper than the server reads of a table that can only be
    /// read from its start (compressed text, JSON Lines); the message says what to do.
    OutOfReach,
    /// What was asked is not available for a table of this format (e.g. column profiles
    /// of JSON Lines).
    NotForFormat,
    /// Anything else; details are in the server log, never in the message.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::RangeNotSatisfiable => 416,
            ErrorCode::IndexBuilding => 503,
            ErrorCode::ProfileComputing => 503,
            ErrorCode::Busy => 503,
            ErrorCode::Unreadable => 422,
            ErrorCode::OutOfReach => 422,
            ErrorCode::NotForFormat => 422,
            ErrorCode::Internal => 500,
        }
    }
}

/// The JSON body of every error answer: `{"code": "not_found", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// How far the work the caller waits for is ([`ErrorCode::IndexBuilding`], [`ErrorCode::ProfileComputing`]), 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_percent: Option<u8>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            progress_percent: None,
        }
    }

    pub fn with_progress(mut self, percent: u8) -> Self {
        self.progress_percent = Some(percent.min(100));
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<crate::NameError> for ApiError {
    fn from(error: crate::NameError) -> Self {
        ApiError::new(ErrorCode::BadRequest, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_as_code_and_message() {
        let error = ApiError::new(ErrorCode::StorageUnavailable, "S3 is down");
        let json = serde_json::to_string(&error).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"code":"storage_unavailable","message":"S3 is down"}"#
        );
    }

    #[test]
    fn every_code_has_a_client_or_server_error_status() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::TooLarge,
            ErrorCode::RateLimited,
            ErrorCode::StorageUnavailable,
            ErrorCode::RangeNotSatisfiable,
            ErrorCode::IndexBuilding,
            ErrorCode::ProfileComputing,
            ErrorCode::Busy,
            ErrorCode::Unreadable,
            ErrorCode::OutOfReach,
            ErrorCode::NotForFormat,
            ErrorCode::Internal,
        ] {
            assert!((400..600).contains(&code.http_status()));
        }
    }
}
