//! The data calls: the database list, previews, and deletes. Each body is a few lines:
//! take the catalog and the signed-in user (401 without one), call one catalog method, map
//! the error.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use shared::{DatabasePage, Deleted, SchemaPreview};

use crate::api::codec::JsonText;
use crate::error::AppError;

/// `GET /api/database_page?filter=TEXT&page=N`: one page of the list (what the home page
/// shows), narrowed to names containing `filter`; from the same cached listings.
#[server(name = DatabasePageCall, prefix = "/api", endpoint = "database_page", input = GetUrl, output = JsonText)]
pub async fn database_page(
    filter: Option<String>,
    page: Option<u32>,
) -> Result<DatabasePage, AppError> {
    use crate::server::{catalog, current_user, into_app_error};
    let user = current_user()?;
    let list = catalog()?
        .database_list(&user)
        .await
        .map_err(into_app_error)?;
    let page = page.map_or(1, |page| usize::try_from(page).unwrap_or(usize::MAX));
    Ok(DatabasePage::of(
        &list.databases(),
        filter.as_deref().unwrap_or(""),
        page,
    ))
}

/// `GET /api/database_schema?database=NAME&sample_rows=N`: previews of every table in one
/// database (N rows each, default 5, 1..=100). Reads only the head of each table.
#[server(name = DatabaseSchema, prefix = "/api", endpoint = "database_schema", input = GetUrl, output = JsonText)]
pub async fn database_schema(
    database: String,
    sample_rows: Option<i64>,
) -> Result<SchemaPreview, AppError> {
    use crate::server::{catalog, current_user, fail, into_app_error};
    let database = shared::DatabaseName::parse(&database).map_err(|error| fail(error.into()))?;
    let sample_rows = shared::sample_rows_from_param(sample_rows).map_err(fail)?;
    let user = current_user()?;
    catalog()?
        .database_schema(&user, &database, sample_rows)
        .await
        .map_err(into_app_error)
}

/// `POST /api/delete_table` (`database`, `table`; form-encoded or JSON): deletes one of
/// the user's tables and its statistics. Default databases: 403; missing table: 404.
#[server(name = DeleteTable, prefix = "/api", endpoint = "delete_table", output = JsonText)]
pub async fn delete_table(database: String, table: String) -> Result<Deleted, AppError> {
    use crate::server::{catalog, current_user, fail, into_app_error};
    let database = shared::DatabaseName::parse(&database).map_err(|error| fail(error.into()))?;
    let table = shared::TableName::parse(&table).map_err(|error| fail(error.into()))?;
    let user = current_user()?;
    let objects_deleted = catalog()?
        .delete_table(&user, &database, &table)
        .await
        .map_err(into_app_error)?;
    Ok(Deleted {
        database,
        table: Some(table),
        objects_deleted,
    })
}

/// `POST /api/delete_database` (`database`; form-encoded or JSON): deletes one of the
/// user's databases with all its tables. Default databases: 403; missing: 404.
#[server(name = DeleteDatabase, prefix = "/api", endpoint = "delete_database", output = JsonText)]
pub async fn delete_database(database: String) -> Result<Deleted, AppError> {
    use crate::server::{catalog, current_user, fail, into_app_error};
    let database = shared::DatabaseName::parse(&database).map_err(|error| fail(error.into()))?;
    let user = current_user()?;
    let objects_deleted = catalog()?
        .delete_database(&user, &database)
        .await
        .map_err(into_app_error)?;
    Ok(Deleted {
        database,
        table: None,
        objects_deleted,
    })
}
