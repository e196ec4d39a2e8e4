//! Why an account call failed. The app maps each case to an API error; none of the
//! messages says whether a username exists, except sign-up's "not available".

use std::time::Duration;

use shared::NameError;
use storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown user or wrong password: deliberately one case.
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many failed sign-in attempts; retry after {} s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    #[error("the username {user:?} is not available")]
    NameTaken { user: String },
    #[error("sign-up is closed on this server")]
    SignupClosed,
    #[error("{0}")]
    BadPassword(String),
    #[error(transparent)]
    BadUsername(#[from] NameError),
    #[error("{0}")]
    BadTokenName(String),
    #[error("there is no token {id:?}")]
    TokenNotFound { id: String },
    /// Tokens are made from a signed-in session only.
    #[error("a token cannot create tokens; sign in")]
    TokenCannotCreateTokens,
    /// A password is changed from a signed-in session only (not with a token).
    #[error("a password is changed from a signed-in session, not with a token; sign in")]
    SessionRequired,
    /// No account has that name (`server user reset-password`).
    #[error("there is no account named {user:?}")]
    NoSuchAccount { user: String },
    /// A bearer token that is malformed, unknown, revoked or for another secret.
    #[error("the API token is not valid")]
    InvalidToken,
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A stored record that cannot be read back (written by something else, or corrupted).
    #[error("the record at {key} is unreadable: {detail}")]
    CorruptRecord { key: String, detail: String },
    /// Something that should not happen did (hashing failed, a random id was taken).
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = AuthError> = std::result::Result<T, E>;
