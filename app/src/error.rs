//! The error type of every server function: the API's `{"code", "message"}` body both on
//! the wire and in the browser, so a component shows the server's message as it is.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use shared::{ApiError, ErrorCode};

use crate::api::codec::JsonTextEncoding;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{0}")]
pub struct AppError(pub ApiError);

impl AppError {
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        AppError(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonTextEncoding;

    /// Errors raised by the server-function machinery itself (bad arguments, a network
    /// failure in the browser), worded for a person.
    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        let api_error = match error {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => ApiError::new(
                ErrorCode::BadRequest,
                format!("Bad request parameters: {detail}"),
            ),
            ServerFnErrorErr::Request(_) => ApiError::new(
                ErrorCode::Internal,
                "Could not reach the Database Manager server. Check your connection and try again.",
            ),
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Response(_) => ApiError::new(
                ErrorCode::Internal,
                "The server sent an answer this page could not read. Reload the page and try again.",
            ),
            other => ApiError::new(
                ErrorCode::Internal,
                format!("Something went wrong: {other}"),
            ),
        };
        #[cfg(feature = "ssr")]
        {
            if api_error.code.http_status() >= 500 {
                tracing::error!(error = %api_error.message, "a server function failed outside its own code");
            }
            crate::server::respond_with_status(api_error.code);
        }
        AppError(api_error)
    }
}

/// The message to show for an action's last outcome: its error's, if it failed.
pub fn failure_message<T>(outcome: Option<Result<T, AppError>>) -> Option<String> {
    outcome
        .and_then(Result::err)
        .map(|error| error.message().to_owned())
}
