//! The JSON shapes of the API (README, "API"). Field names here are the contract: scripts
//! depend on them, so rename nothing without a version bump. Names are the checked name
//! types; on the wire they are plain strings.

use serde::{Deserialize, Serialize};

use crate::{DatabaseName, TableFormat, TableName};

/// One entry of `GET /api/databases`: what the home page shows for a database, built from
/// S3 listings alone (no table is read for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSummary {
    pub name: DatabaseName,
    pub table_count: usize,
    /// Table names, sorted.
    pub tables: Vec<TableName>,
    /// The format of each table in `tables`, in the same order (`csv` when absent).
    #[serde(default)]
    pub formats: Vec<TableFormat>,
    /// True for the shared, read-only databases every user can read.
    pub is_default: bool,
}

/// Databases shown on one page of the home page.
pub const DATABASES_PER_PAGE: usize = 48;

/// `GET /api/database_page?filter=TEXT&page=N`: one page of the database list, narrowed to
/// the names that contain `filter` (any case). The home page shows this, so its size
/// follows the page, never the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabasePage {
    /// The databases on this page, sorted by name.
    pub databases: Vec<DatabaseSummary>,
    /// Databases that match the filter (all of them without one).
    pub matching: usize,
    /// Every database the user can see, and their tables.
    pub total: usize,
    pub total_tables: usize,
    /// 1-based; past the last page, the last page is shown.
    pub page: usize,
    pub pages: usize,
    /// The filter as applied (trimmed).
    pub filter: String,
    /// The user's own databases, every one (names only): the import panel offers them.
    pub own: Vec<DatabaseName>,
}

impl DatabasePage {
    /// The page of `all` (sorted) that `filter` and `page` ask for.
    pub fn of(all: &[&DatabaseSummary], filter: &str, page: usize) -> Self {
        let filter = filter.trim().to_owned();
        let needle = filter.to_lowercase();
        let matching: Vec<&DatabaseSummary> = all
            .iter()
            .filter(|database| database.name.as_str().to_lowercase().contains(&needle))
            .copied()
            .collect();
        let pages = matching.len().div_ceil(DATABASES_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        Self {
            databases: matching
                .iter()
                .skip((page - 1) * DATABASES_PER_PAGE)
                .take(DATABASES_PER_PAGE)
                .map(|database| (*database).clone())
                .collect(),
            matching: matching.len(),
            total: all.len(),
            total_tables: all.iter().map(|database| database.table_count).sum(),
            page,
            pages,
            filter,
            own: all
                .iter()
                .filter(|database| !database.is_default)
                .map(|database| database.name.clone())
                .collect(),
        }
    }
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
    /// How the table is stored (`csv` when absent).
    #[serde(default)]
    pub format: TableFormat,
    pub columns: Vec<Column>,
    /// The first rows, each cell the exact text of its CSV field (`""` when empty).
    pub sample_rows: Vec<Vec<String>>,
    /// Data rows (the header not counted); an estimate when `row_count_exact` is false.
    pub row_count: u64,
    pub row_count_exact: bool,
    pub size_bytes: u64,
    /// The field delimiter found: `,`, `;`, `\t` or `|` (empty for Parquet and JSON Lines).
    pub delimiter: String,
    /// Indexes into `sample_rows` of rows with more or fewer fields than the header.
    #[serde(default)]
    pub ragged_rows: Vec<usize>,
    /// What a person should know about this preview (ragged rows, bytes that are not
    /// UTF-8, an empty file, rows longer than the preview reads).
    #[serde(default)]
    pub warnings: Vec<crate::Warning>,
    /// Parquet only: each column's figures over the whole table from the file's footer
    /// statistics, one per column (absent for other formats).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_summaries: Vec<ColumnSummary>,
}

/// What a Parquet file's footer says about one whole column; a figure the footer does not
/// have exactly is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Null (empty) cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<u64>,
    /// The smallest and largest value, as a cell shows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
}

/// `GET /api/database_schema`: previews of every table of one database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaPreview {
    pub database: DatabaseName,
    pub is_default: bool,
    pub tables: Vec<TablePreview>,
    /// Objects that are not shown as tables because another object has the same name
    /// (`shared::formats`, "which object is the table").
    #[serde(default)]
    pub shadowed: Vec<ShadowedObject>,
}

/// An object with a table's name that is not the table: another format of the same stem
/// comes first ([`TableFormat::PRECEDENCE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowedObject {
    pub table: TableName,
    /// The object's file name in the database folder (`t.parquet`).
    pub file: String,
    pub format: TableFormat,
    /// The format of the object that is the table.
    pub shown_format: TableFormat,
    pub message: String,
}

impl ShadowedObject {
    pub fn new(table: TableName, file: String, format: TableFormat, shown: TableFormat) -> Self {
        let message = format!(
            "{file} is not shown: the table {table} is its {shown} file ({} comes before {} \
             when two files share a name). Rename {file} to see it as a table of its own.",
            shown.description(),
            format.description(),
        );
        Self {
            table,
            file,
            format,
            shown_format: shown,
            message,
        }
    }
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

/// Rows per page of `GET /api/table_rows` when the request names none.
pub const DEFAULT_PAGE_ROWS: usize = 100;
/// The most rows one page may ask for.
pub const MAX_PAGE_ROWS: usize = 1000;

/// `GET /api/table_rows?database=NAME&table=NAME&offset=N&limit=M`: rows `offset..offset+M`
/// of a table (0-based over data rows, the header not counted), read through the table's
/// row index from one ranged GET wherever they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRows {
    pub database: DatabaseName,
    pub table: TableName,
    /// How the table is stored (`csv` when absent).
    #[serde(default)]
    pub format: TableFormat,
    pub columns: Vec<Column>,
    /// The first row's position, as asked for.
    pub offset: u64,
    /// Each cell the exact text of its CSV field; empty past the last row.
    pub rows: Vec<Vec<String>>,
    /// Data rows in the table; an estimate when `row_count_exact` is false.
    pub row_count: u64,
    pub row_count_exact: bool,
    /// Indexes into `rows` of rows with more or fewer fields than the header.
    #[serde(default)]
    pub ragged_rows: Vec<usize>,
    pub size_bytes: u64,
    pub is_default: bool,
    /// What a person should know about these rows (bytes that are not UTF-8, rows too
    /// long to show all of).
    #[serde(default)]
    pub warnings: Vec<crate::Warning>,
}

/// Checks `offset` (absent: 0) and `limit` (absent: [`DEFAULT_PAGE_ROWS`]) of a page.
pub fn page_from_params(
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<(u64, usize), crate::ApiError> {
    let offset = match offset {
        None => 0,
        Some(offset) => u64::try_from(offset).map_err(|_| {
            crate::ApiError::new(
                crate::ErrorCode::BadRequest,
                format!("offset must be 0 or more (rows are counted from 0); got {offset}."),
            )
        })?,
    };
    let limit = match limit {
        None => DEFAULT_PAGE_ROWS,
        Some(limit) => usize::try_from(limit)
            .ok()
            .filter(|limit| (1..=MAX_PAGE_ROWS).contains(limit))
            .ok_or_else(|| {
                crate::ApiError::new(
                    crate::ErrorCode::BadRequest,
                    format!("limit must be between 1 and {MAX_PAGE_ROWS}; got {limit}."),
                )
            })?,
    };
    Ok((offset, limit))
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

    fn summaries(count: usize) -> Vec<&'static DatabaseSummary> {
        (0..count)
            .map(|n| DatabaseSummary {
                name: DatabaseName::parse(&format!("db{n:04}")).unwrap_or_else(|_| unreachable!()),
                table_count: 2,
                tables: Vec::new(),
                formats: Vec::new(),
                is_default: n % 2 == 0,
            })
            .map(|summary| &*Box::leak(Box::new(summary)))
            .collect()
    }

    #[test]
    fn a_page_holds_at_most_one_page_of_databases_and_counts_them_all() {
        let all = summaries(100);
        let first = DatabasePage::of(&all, "", 1);
        assert_eq!(first.databases.len(), DATABASES_PER_PAGE);
        assert_eq!(
            (first.matching, first.total, first.total_tables),
            (100, 100, 200)
        );
        assert_eq!((first.page, first.pages), (1, 3));
        assert_eq!(first.own.len(), 50);
        let last = DatabasePage::of(&all, "", 99);
        assert_eq!((last.page, last.databases.len()), (3, 4));
        assert_eq!(last.databases[0].name, "db0096");
    }

    #[test]
    fn the_filter_narrows_by_name_in_any_case() {
        let all = summaries(100);
        let page = DatabasePage::of(&all, " DB005 ", 1);
        assert_eq!(page.filter, "DB005");
        let names: Vec<&str> = page.databases.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "db0050", "db0051", "db0052", "db0053", "db0054", "db0055", "db0056", "db0057",
                "db0058", "db0059"
            ]
        );
        assert_eq!((page.matching, page.total, page.pages), (10, 100, 1));
        let none = DatabasePage::of(&all, "zzz", 3);
        assert_eq!((none.matching, none.page, none.pages), (0, 1, 1));
    }

    #[test]
    fn pages_default_to_the_first_hundred_rows_and_name_the_allowed_range() {
        assert_eq!(page_from_params(None, None).ok(), Some((0, 100)));
        assert_eq!(
            page_from_params(Some(10_000_000), Some(1000)).ok(),
            Some((10_000_000, 1000))
        );
        for (offset, limit, says) in [
            (Some(-1), None, "offset must be 0 or more"),
            (None, Some(0), "between 1 and 1000"),
            (None, Some(1001), "between 1 and 1000"),
            (None, Some(-5), "between 1 and 1000"),
        ] {
            let error = page_from_params(offset, limit).expect_err("out of range");
            assert_eq!(error.code, crate::ErrorCode::BadRequest);
            assert!(error.message.contains(says), "{}", error.message);
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
