//! The JSON shapes of the API (README, "API"). Field names here are the contract: scripts
//! depend on them, so rename nothing without a version bump. Names are the checked name
//! types; on the wire they are plain strings.

use serde::{Deserialize, Serialize};

use crate::{DatabaseName, TableName};

/// One entry of `GET /api/databases`: what the home page shows for a database, built from
/// S3 listings alone (no table is read for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSummary {
    pub name: DatabaseName,
    pub table_count: usize,
    /// Table names, sorted.
    pub tables: Vec<TableName>,
    /// True for the shared, read-only databases every user can read.
    pub is_default: bool,
}

/// The type inferred for a column from its non-empty cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Float,
    Boolean,
    Date,
    Datetime,
    Text,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
            ColumnType::Text => "text",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
}

/// The preview of one table: `GET /api/database_schema` answers one per table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePreview {
    pub name: TableName,
    pub columns: Vec<Column>,
    /// The first rows, each cell the exact text of its CSV field (`""` when empty).
    pub sample_rows: Vec<Vec<String>>,
    /// Data rows (the header not counted); an estimate when `row_count_exact` is false.
    pub row_count: u64,
    pub row_count_exact: bool,
    pub size_bytes: u64,
    /// The field delimiter found: `,`, `;`, `\t` or `|`.
    pub delimiter: String,
    /// Indexes into `sample_rows` of rows with more or fewer fields than the header.
    #[serde(default)]
    pub ragged_rows: Vec<usize>,
    /// What a person should know about this preview (ragged rows, bytes that are not
    /// UTF-8, an empty file, rows longer than the preview reads).
    #[serde(default)]
    pub warnings: Vec<crate::Warning>,
}

/// `GET /api/database_schema`: previews of every table of one database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaPreview {
    pub database: DatabaseName,
    pub is_default: bool,
    pub tables: Vec<TablePreview>,
}

/// Sample rows when the request names none.
pub const DEFAULT_SAMPLE_ROWS: usize = 5;
/// The most sample rows one preview may ask for.
pub const MAX_SAMPLE_ROWS: usize = 100;

/// Checks the `sample_rows` parameter: absent means [`DEFAULT_SAMPLE_ROWS`].
pub fn sample_rows_from_param(param: Option<i64>) -> Result<usize, crate::ApiError> {
    let Some(requested) = param else {
        return Ok(DEFAULT_SAMPLE_ROWS);
    };
    match usize::try_from(requested) {
        Ok(rows) if (1..=MAX_SAMPLE_ROWS).contains(&rows) => Ok(rows),
        _ => Err(crate::ApiError::new(
            crate::ErrorCode::BadRequest,
            format!("sample_rows must be between 1 and {MAX_SAMPLE_ROWS}; got {requested}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_rows_default_to_five_and_stay_in_range() {
        assert_eq!(sample_rows_from_param(None).ok(), Some(5));
        assert_eq!(sample_rows_from_param(Some(1)).ok(), Some(1));
        assert_eq!(sample_rows_from_param(Some(100)).ok(), Some(100));
        for bad in [0, -1, 101, i64::MAX] {
            let error = sample_rows_from_param(Some(bad)).expect_err("out of range");
            assert_eq!(error.code, crate::ErrorCode::BadRequest);
            assert!(
                error.message.contains("between 1 and 100"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn column_types_serialize_in_lowercase_under_the_key_type() {
        let column = Column {
            name: "born".into(),
            column_type: ColumnType::Datetime,
        };
        let json = serde_json::to_string(&column).unwrap_or_default();
        assert_eq!(json, r#"{"name":"born","type":"datetime"}"#);
    }
}

/// The answer of `POST /api/import_tables`: one entry per file, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub database: DatabaseName,
    pub files: Vec<ImportedFile>,
}

/// What happened to one uploaded file: the table it became, or why it did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFile {
    /// The file name as sent.
    pub file: String,
    /// The table name used (from the `table` field, or sanitised from the file name).
    pub table: Option<TableName>,
    pub rows: Option<u64>,
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(default)]
    pub warnings: Vec<crate::Warning>,
    /// An existing table was replaced.
    #[serde(default)]
    pub replaced: bool,
    pub error: Option<crate::ApiError>,
}

/// The answer of the delete calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub database: DatabaseName,
    /// The table deleted, or `None` when the whole database was.
    pub table: Option<TableName>,
    pub objects_deleted: usize,
}
