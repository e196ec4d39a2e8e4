//! The calls about one table: pages of its rows, and the profiles of its columns. (Downloads stream the object as it is,
//! so they are an axum handler in the server crate: `GET /api/download`.)

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use shared::{TableProfileReport, TableRows};

use crate::api::codec::JsonText;
use crate::error::AppError;

/// `GET /api/table_rows?database=NAME&table=NAME&offset=N&limit=M`: data rows
/// `N..N+M` (0-based; M 1..=1000, default 100) of one table, through its row index: one
/// ranged GET wherever they are. Past the last row: no rows. While the index of a table
/// another tool wrote is being built, rows beyond its first 4 MiB answer 503
/// `index_building` with `progress_percent` and `Retry-After`.
#[server(name = TableRowsCall, prefix = "/api", endpoint = "table_rows", input = GetUrl, output = JsonText)]
pub async fn table_rows(
    database: String,
    table: String,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<TableRows, AppError> {
    use crate::server::{catalog, current_user, fail, into_app_error};
    let database = shared::DatabaseName::parse(&database).map_err(|error| fail(error.into()))?;
    let table = shared::TableName::parse(&table).map_err(|error| fail(error.into()))?;
    let (offset, limit) = shared::page_from_params(offset, limit).map_err(fail)?;
    let user = current_user()?;
    catalog()?
        .table_rows(&user, &database, &table, offset, limit)
        .await
        .map_err(into_app_error)
}

/// `GET /api/table_profile?database=NAME&table=NAME`: what each column of one table holds
/// over every row (empty cells, distinct values, range, mean and deviation, top values,
/// histogram, lengths, true/false counts), computed by the import or the background scan
/// that read the whole table. One GET of the stored profile at most. While a table another
/// tool wrote is being scanned, answers 503 `profile_computing` with `progress_percent` and
/// `Retry-After` (and starts the scan if none runs).
#[server(name = TableProfileCall, prefix = "/api", endpoint = "table_profile", input = GetUrl, output = JsonText)]
pub async fn table_profile(
    database: String,
    table: String,
) -> Result<TableProfileReport, AppError> {
    use crate::server::{catalog, current_user, fail, into_app_error};
    let database = shared::DatabaseName::parse(&database).map_err(|error| fail(error.into()))?;
    let table = shared::TableName::parse(&table).map_err(|error| fail(error.into()))?;
    let user = current_user()?;
    catalog()?
        .table_profile(&user, &database, &table)
        .await
        .map_err(into_app_error)
}
