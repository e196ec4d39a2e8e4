//! The server functions. Their paths and JSON shapes are the public API (DESIGN.md §4 and
//! the README): keep them stable. Each body is a few lines: take the catalog and the user,
//! call one catalog method, map the error.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use shared::DatabaseSummary;

use crate::error::AppError;

/// `GET /api/databases`: every database the user can see, sorted by name, from S3
/// listings only.
#[server(name = ListDatabases, prefix = "/api", endpoint = "databases", input = GetUrl)]
pub async fn list_databases() -> Result<Vec<DatabaseSummary>, AppError> {
    use crate::server::{catalog, current_user, into_app_error};
    let user = current_user()?;
    catalog()?
        .list_databases(&user)
        .await
        .map_err(into_app_error)
}
