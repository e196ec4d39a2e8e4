//! Plain types and rules that both sides of Database Manager need.
//!
//! Everything that crosses the wire between the server and the browser (or a script) is
//! defined here, once: the API shapes in [`api`], the error contract in [`error`], and the
//! naming rule for databases, tables and users in [`names`]. This crate depends on serde
//! and thiserror only, so it builds for wasm and native alike.

pub mod accounts;
pub mod api;
pub mod dates;
pub mod error;
pub mod formats;
pub mod names;
pub mod profile;
pub mod routes;
pub mod warnings;

pub use accounts::{NewToken, SessionUser, SignedOutEverywhere, TokenInfo};
pub use api::{
    Column, ColumnSummary, ColumnType, DATABASES_PER_PAGE, DEFAULT_PAGE_ROWS, DEFAULT_SAMPLE_ROWS,
    DatabasePage, DatabaseSummary, Deleted, ImportReport, ImportedFile, MAX_PAGE_ROWS,
    MAX_SAMPLE_ROWS, SchemaPreview, ShadowedObject, TablePreview, TableRows, page_from_params,
    sample_rows_from_param,
};
pub use error::{ApiError, ErrorCode};
pub use formats::{Compression, TableFormat};
pub use names::{DatabaseName, NameError, NameKind, TableName, UserName};
pub use profile::{
    ColumnProfile, HistogramBin, LengthSummary, ProfileSource, ProfileValue, TableProfileReport,
    ValueCount,
};
pub use warnings::{Warning, WarningKind};
