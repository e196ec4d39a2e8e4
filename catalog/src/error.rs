//! The catalog's error type: what the storage said (with its operation and key), or why a
//! request about databases and tables cannot be done. The app turns it into an API error
//! whose message is safe to show.

use shared::NameError;
use storage::{StorageError, StorageFailure};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    InvalidName(#[from] NameError),
    #[error("database {database:?} does not exist")]
    DatabaseNotFound { database: String },
    #[error("table {table:?} does not exist in database {database:?}")]
    TableNotFound { database: String, table: String },
    #[error("database {database:?} is a default database, which is read-only")]
    ReadOnly { database: String },
    /// Rows this deep need the table's row index, which a background scan is building.
    #[error(
        "table {table:?} is being indexed ({percent}% done); rows past {reachable} need the index"
    )]
    IndexBuilding {
        table: String,
        percent: u8,
        /// Rows reachable without it (read from the start).
        reachable: u64,
    },
    /// The table's column profile is not there yet: a background scan computes it.
    #[error("the profile of table {table:?} is being computed ({percent}% done)")]
    ProfileComputing { table: String, percent: u8 },
    /// The table has no current profile and this server computes none
    /// (`DBM_COLUMN_PROFILES=off`).
    #[error("column profiles are turned off on this server")]
    ProfilesTurnedOff,
    /// The object cannot be read as its format says (a truncated gzip stream, a `.parquet`
    /// that is not Parquet). Previews show it as that table's warning.
    #[error("{key} cannot be read: {detail}")]
    Unreadable { key: String, detail: String },
    /// Rows this deep in a table that cannot be read from the middle (compressed text,
    /// JSON Lines) are past what the server decodes from its start for one page.
    #[error(
        "rows past {reachable} of table {table:?} are not shown: its rows can only be read \
         from the start of the file, and the server reads at most {limit_mib} MiB of it per \
         page; download the table, or import it as CSV to page through all of it"
    )]
    RowsOutOfReach {
        table: String,
        reachable: u64,
        limit_mib: u64,
    },
    /// What was asked (column profiles) is not computed for tables of this format.
    #[error("{what} are not available for {format} tables like {table:?}")]
    NotForFormat {
        table: String,
        format: &'static str,
        what: &'static str,
    },
    /// Too many large reads at once: the shared budget for table heads had no room in time.
    #[error("the server is reading many large tables at once; no room for this one in time")]
    Busy,
    /// A task the work was split into ended without its result (it panicked: a bug).
    #[error("{task} failed: {detail}")]
    TaskFailed { task: &'static str, detail: String },
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

impl CatalogError {
    /// The kind of storage request failure, when this is one.
    pub fn storage_failure(&self) -> Option<StorageFailure> {
        match self {
            CatalogError::Storage(error) => error.failure(),
            _ => None,
        }
    }
}

/// A table's bytes could not be read: the parsers read bytes only (flexible records, no
/// UTF-8 check), so their errors are the ranged reads' I/O errors, the storage's.
pub(crate) fn read_error(key: &str, error: &dyn std::fmt::Display) -> CatalogError {
    StorageError::read_failed(key, error).into()
}
