//! `GET /api/databases`: every database the signed-in user can see (the default ones and
//! their own), sorted by name, as a JSON array of `{name, table_count, tables, is_default}`.
//!
//! A plain axum handler rather than a server function, so a warm list is answered with
//! bytes the catalog keeps per scope (`catalog::DatabaseList::to_json`): nothing is read
//! from S3 within `DBM_REVALIDATE_SECS` (docs/ARCHITECTURE.md, "Caches and what clears
//! them"), and nothing is serialised again.

use auth::Identity;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use catalog::Catalog;

use crate::failure::Failure;

pub async fn list_databases(
    State(catalog): State<Catalog>,
    identity: Option<Extension<Identity>>,
) -> Response {
    let Some(Extension(Identity { user, .. })) = identity else {
        return Failure(app::server::unauthorized()).into_response();
    };
    match catalog.database_list(&user).await {
        Ok(list) => ([(header::CONTENT_TYPE, "application/json")], list.to_json()).into_response(),
        Err(error) => Failure(app::server::to_logged_api_error(&error)).into_response(),
    }
}
