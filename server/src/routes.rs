//! The HTTP router: health checks, the Leptos pages, the server functions (the API), and
//! the static site files.

use app::{App, shell};
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use catalog::Catalog;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use shared::{ApiError, ErrorCode};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::import::{ImportLimits, import_tables};
use crate::json_form::json_as_form;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub catalog: Catalog,
    pub import_limits: ImportLimits,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let catalog = state.catalog.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        // Uploads stream through; the handler enforces DBM_MAX_UPLOAD_MB itself.
        .route(
            "/api/import_tables",
            post(import_tables).layer(DefaultBodyLimit::disable()),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(catalog.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(json_as_form))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The process is up and serving HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// The storage answers: load balancers send traffic only while this is 200.
async fn readyz(State(catalog): State<Catalog>) -> Response {
    match catalog.check_ready().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            let body = ApiError::new(
                ErrorCode::StorageUnavailable,
                "The storage is not reachable.",
            );
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
