//! The Database Manager server: reads the [`config::Config`], opens the storage, builds
//! the [`routes::router`], and serves until SIGTERM or Ctrl-C, then drains requests in
//! flight and stops the embedded S3 server.
//!
//! [`start`] is what `main` and the integration tests both use.

pub mod config;
mod database_list;
mod download;
mod failure;
mod identity;
mod import;
mod json_form;
mod page_deadline;
mod routes;
mod security;
mod serve;
pub mod telemetry;
mod upload_sweeper;
pub mod user_command;

use std::net::SocketAddr;
use std::time::Duration;

use auth::{Auth, SessionSecret};
use catalog::{Catalog, CatalogError};
use leptos::prelude::LeptosOptions;
use storage::{StorageFailure, StorageSetting};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::routes::{AppState, router};

/// The name cargo-leptos gives the wasm, JS and CSS files (`name` in Cargo.toml's metadata).
pub const SITE_OUTPUT_NAME: &str = "database-manager";

/// Why the server could not start, worded as one line that says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the storage ({storage}): {reason}")]
    Storage { storage: String, reason: String },
    #[error("cannot set up accounts: {0}")]
    Accounts(String),
    #[error(
        "cannot listen on {addr}: {source}; is another server using that port? Set DBM_ADDR to change it"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A server that is listening.
pub struct RunningServer {
    pub address: SocketAddr,
    pub catalog: Catalog,
    pub auth: Auth,
    shutdown: tokio::sync::oneshot::Sender<()>,
    /// Cancelled when the shutdown deadline passes: long requests (imports, downloads)
    /// stop then.
    stop_long_requests: CancellationToken,
    shutdown_deadline: Duration,
    task: JoinHandle<std::io::Result<()>>,
    /// Stops the sweeper of abandoned uploads.
    stop_sweeper: CancellationToken,
}

/// After the shutdown deadline: how long stopped requests get to end, and aborts of
/// their uploads to finish.
const AFTER_DEADLINE: Duration = Duration::from_secs(10);

impl RunningServer {
    /// Stops accepting, lets requests in flight finish for at most the shutdown deadline
    /// (`DBM_SHUTDOWN_SECS`), then stops imports and downloads still running (their
    /// uploads aborted), waits for those aborts, and stops the storage.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.stop_sweeper.cancel();
        let _ = self.shutdown.send(());
        let result = match tokio::time::timeout(self.shutdown_deadline, &mut self.task).await {
            Ok(finished) => finished.unwrap_or(Ok(())),
            Err(_) => {
                tracing::warn!(
                    deadline_secs = self.shutdown_deadline.as_secs(),
                    "requests still running at the shutdown deadline: stopping them"
                );
                self.stop_long_requests.cancel();
                match tokio::time::timeout(AFTER_DEADLINE, &mut self.task).await {
                    Ok(finished) => finished.unwrap_or(Ok(())),
                    Err(_) => {
                        self.task.abort();
                        Ok(())
                    }
                }
            }
        };
        if !self.catalog.store().wait_for_aborts(AFTER_DEADLINE).await {
            tracing::error!("aborts of unfinished uploads did not end in time; some may be left");
        }
        if let Err(error) = self.catalog.shutdown().await {
            tracing::error!(%error, "the storage did not stop cleanly");
        }
        result
    }
}

/// Opens the storage and starts serving; returns once the server listens.
pub async fn start(config: &Config) -> Result<RunningServer, StartupError> {
    let catalog = Catalog::open(config.catalog_options())
        .await
        .map_err(|error| storage_startup_error(&config.storage, &error))?;
    tracing::info!(storage = catalog.description(), "storage ready");
    let auth = open_accounts(config, &catalog)?;

    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartupError::Bind {
            addr: config.addr,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| StartupError::Bind {
        addr: config.addr,
        source,
    })?;

    let leptos_options = LeptosOptions::builder()
        .output_name(SITE_OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_addr(address)
        .build();
    let stop_long_requests = CancellationToken::new();
    let app = router(AppState {
        leptos_options,
        catalog: catalog.clone(),
        auth: auth.clone(),
        import_limits: import::ImportLimits {
            max_request_bytes: config.max_upload_mb * 1024 * 1024,
            body_idle: Duration::from_secs(config.body_idle_secs),
        },
        gate: identity::Gate {
            auth: auth.clone(),
            client_ip_header: config.client_ip_header.clone(),
        },
        browser_policy: security::BrowserPolicy {
            public_origin: config.public_url.as_ref().map(|url| url.origin.clone()),
            https: config.public_url.as_ref().is_some_and(|url| url.https),
            sessions: auth.sessions().clone(),
        },
        stopping: routes::Stopping(stop_long_requests.clone()),
        page_deadline: page_deadline::PageDeadline(Duration::from_secs(config.page_deadline_secs)),
    });

    let (shutdown, shutdown_requested) = tokio::sync::oneshot::channel::<()>();
    let limits = serve::ConnectionLimits {
        header_read: Duration::from_secs(config.header_read_secs),
        max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
    };
    let task = tokio::spawn(serve::serve(listener, app, limits, async move {
        let _ = shutdown_requested.await;
    }));
    tracing::info!("serving on http://{address}");
    let stop_sweeper = CancellationToken::new();
    let stale_after = Duration::from_secs(config.upload_stale_secs);
    upload_sweeper::spawn(
        catalog.store().clone(),
        upload_sweeper::SweepSchedule {
            stale_after,
            at_start_stale_after: match config.storage {
                StorageSetting::Embedded => Duration::ZERO,
                StorageSetting::External { .. } => stale_after,
            },
        },
        stop_sweeper.clone(),
    );
    Ok(RunningServer {
        stop_sweeper,
        address,
        catalog,
        auth,
        shutdown,
        stop_long_requests,
        shutdown_deadline: Duration::from_secs(config.shutdown_secs),
        task,
    })
}

/// The accounts over the catalog's bucket, with the session secret from the setting or,
/// for embedded storage, from the data folder (generated the first time).
pub fn open_accounts(config: &Config, catalog: &Catalog) -> Result<Auth, StartupError> {
    let secret = match (&config.session_secret, &config.storage) {
        (Some(secret), _) => SessionSecret::from_setting(secret.expose()),
        (None, StorageSetting::Embedded) => {
            SessionSecret::load_or_create(&config.data_dir.join("session-secret"))
        }
        (None, StorageSetting::External { .. }) => {
            return Err(StartupError::Accounts(
                "DBM_SESSION_SECRET is not set; with s3:// storage every replica must sign \
                 sessions with the same secret. Set it to at least 32 random characters, e.g. \
                 the output of `openssl rand -hex 32`"
                    .to_owned(),
            ));
        }
    }
    .map_err(|error| StartupError::Accounts(error.to_string()))?;
    Auth::new(catalog.store().clone(), secret, config.auth_settings())
        .map_err(|error| StartupError::Accounts(error.to_string()))
}

/// Serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> Result<(), StartupError> {
    let server = start(&config).await?;
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    if let Err(error) = server.stop().await {
        tracing::warn!(%error, "the server stopped with an error");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

pub(crate) fn storage_startup_error(
    storage: &StorageSetting,
    error: &CatalogError,
) -> StartupError {
    let hint = match (storage, error.storage_failure()) {
        (StorageSetting::External { .. }, Some(StorageFailure::Unreachable)) => {
            " Check AWS_ENDPOINT_URL (and that the S3 server is running)."
        }
        (StorageSetting::External { .. }, Some(StorageFailure::Denied)) => {
            " Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE."
        }
        (StorageSetting::External { .. }, Some(StorageFailure::NoSuchBucket)) => {
            " Create the bucket, or fix the bucket name in DBM_STORAGE."
        }
        (StorageSetting::Embedded, _) => " Check that DBM_DATA_DIR is a writable folder.",
        _ => "",
    };
    let reason = format!("{error}.{hint}").replace(['\n', '\r'], " ");
    StartupError::Storage {
        storage: storage.to_string(),
        reason,
    }
}
