//! The HTTP router: health checks, the Leptos pages, the server functions (the API), the
//! static site files, and the middleware every request passes through, outermost first:
//! tracing, compression, [security headers](crate::security::security_headers),
//! [CSRF checks](crate::security::same_origin_writes), [identity](crate::identity::identify),
//! and [JSON bodies as forms](crate::json_form::json_as_form); pages and server functions
//! also pass a [deadline](crate::page_deadline).

use std::sync::OnceLock;

use app::{App, shell};
use auth::Auth;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use catalog::Catalog;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use shared::{ErrorCode, routes};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::trace::TraceLayer;

use crate::database_list::list_databases;
use crate::download::download;
use crate::failure::Failure;
use crate::identity::{Gate, identify};
use crate::import::{ImportLimits, import_tables};
use crate::json_form::json_as_form;
use crate::page_deadline::{PageDeadline, page_deadline};
use crate::security::{BrowserPolicy, same_origin_writes, security_headers};

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub catalog: Catalog,
    pub auth: Auth,
    pub import_limits: ImportLimits,
    pub gate: Gate,
    pub browser_policy: BrowserPolicy,
    pub stopping: Stopping,
    pub page_deadline: PageDeadline,
}

/// Cancelled when the shutdown deadline passes: imports and downloads still running stop.
#[derive(Clone, Debug, Default)]
pub struct Stopping(pub tokio_util::sync::CancellationToken);

/// The app's pages, walked once per process and shared by every router built in it.
///
/// Walking them is not only work: while leptos_server walks an app's routes it suspends
/// the loading of every resource in the process (a process-wide flag), and a resource
/// first polled meanwhile never loads. A page rendered by one server while another server
/// in the same process built its router hung for good (the integration tests start many
/// servers in one process; in a test, 29 of 30 home pages rendered during repeated walks
/// never finished). Walked once, before any router exists, nothing can render meanwhile.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let (catalog, auth) = (state.catalog.clone(), state.auth.clone());
    // What every page render and server function finds in its context.
    let context = move || {
        provide_context(catalog.clone());
        provide_context(auth.clone());
        app::server::provide_csp_nonce();
    };
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        // Pages and server functions only (the routes added so far): imports and downloads
        // run long by design, under deadlines of their own.
        .route_layer(from_fn_with_state(state.page_deadline, page_deadline))
        .route(routes::HEALTHZ, get(healthz))
        .route(routes::READYZ, get(readyz))
        // Uploads stream through; the handler enforces DBM_MAX_UPLOAD_MB itself.
        .route(
            routes::IMPORT_TABLES,
            post(import_tables).layer(DefaultBodyLimit::disable()),
        )
        .route(routes::DATABASES, get(list_databases))
        .route(routes::DOWNLOAD, get(download))
        // Any other API path is a JSON 404, not the app's HTML "page not found".
        .route(UNKNOWN_API, any(unknown_api))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn(json_as_form))
        .layer(from_fn_with_state(state.gate.clone(), identify))
        .layer(from_fn_with_state(
            state.browser_policy.clone(),
            same_origin_writes,
        ))
        .layer(from_fn_with_state(
            state.browser_policy.clone(),
            security_headers,
        ))
        .layer(compression())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Responses are compressed (gzip or brotli, as the client accepts), except downloads
/// (attachments, whatever their format: CSV, gzip, zstd, Parquet, JSON Lines): they keep
/// S3's `Content-Length` and byte ranges, and compressed files are not compressed twice. Debug builds use the
/// fastest level: their wasm is ~8 MB and unoptimised compression of it at the default
/// level takes seconds per page load, which slowed the end-to-end tests to time-outs.
fn compression() -> CompressionLayer<impl Predicate> {
    let level = if cfg!(debug_assertions) {
        CompressionLevel::Fastest
    } else {
        CompressionLevel::Default
    };
    CompressionLayer::new()
        .quality(level)
        .compress_when(DefaultPredicate::new().and(not_an_attachment))
}

fn not_an_attachment(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(axum::http::header::CONTENT_DISPOSITION)
}

/// Every path under `/api/` that no call answers.
const UNKNOWN_API: &str = "/api/{*rest}";

async fn unknown_api(uri: axum::http::Uri) -> Failure {
    Failure::new(
        ErrorCode::NotFound,
        format!(
            "There is no API call at {}; the README lists the calls.",
            uri.path()
        ),
    )
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
            Failure::new(
                ErrorCode::StorageUnavailable,
                "The storage is not reachable.",
            )
            .into_response()
        }
    }
}
