//! The embedded S3 server: `s3s-fs` serving a folder on 127.0.0.1, on a free port, with
//! random credentials. The app talks to it over HTTP with the same client it uses for any
//! S3, so the default setup exercises the real code path.
//!
//! It gets its own listener rather than a route in the app's router: S3 path-style URLs
//! (`/{bucket}/{key}`) would collide with the app's routes. Listings are answered by a
//! key-ordered walk ([`listing`]) instead of s3s-fs's whole-bucket scan ([`service`]).
//! Before it serves, it clears uploads a killed process left half-created
//! ([`upload_files`]).

mod body;
mod listing;
mod service;
mod upload_files;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::BodyExt;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use rand::distr::{Alphanumeric, SampleString};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::client::StaticEndpoint;
use crate::error::{Result, StorageError};
use crate::store::Store;

/// The bucket the embedded server keeps everything in.
pub const EMBEDDED_BUCKET: &str = "dbm";

/// Counts what the embedded server was asked for and sent: requests, and bytes of response
/// bodies. The benchmark and the tests read it to show how little a preview reads.
#[derive(Debug, Default)]
pub struct S3Meter {
    requests: AtomicU64,
    body_bytes: AtomicU64,
}

/// A reading of an [`S3Meter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeterReading {
    pub requests: u64,
    pub body_bytes: u64,
}

impl MeterReading {
    /// What happened between `earlier` and this reading.
    pub fn since(self, earlier: MeterReading) -> MeterReading {
        MeterReading {
            requests: self.requests - earlier.requests,
            body_bytes: self.body_bytes - earlier.body_bytes,
        }
    }
}

impl S3Meter {
    pub fn reading(&self) -> MeterReading {
        MeterReading {
            requests: self.requests.load(Ordering::Relaxed),
            body_bytes: self.body_bytes.load(Ordering::Relaxed),
        }
    }
}

/// A running embedded S3 server. Stopped on [`EmbeddedS3::shutdown`] or when dropped.
pub struct EmbeddedS3 {
    endpoint: StaticEndpoint,
    data_dir: PathBuf,
    meter: Arc<S3Meter>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmbeddedS3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedS3")
            .field("endpoint", &self.endpoint)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl EmbeddedS3 {
    /// Starts serving `data_dir` (created if missing) and makes sure the bucket exists.
    pub async fn start(data_dir: &Path) -> Result<Self> {
        let bucket_dir = data_dir.join(EMBEDDED_BUCKET);
        tokio::fs::create_dir_all(&bucket_dir)
            .await
            .map_err(|source| StorageError::Io {
                path: bucket_dir.clone(),
                source,
            })?;
        remove_cut_short_uploads(data_dir).await?;
        let filesystem = s3s_fs::FileSystem::new(data_dir).map_err(|error| {
            StorageError::Embedded(format!("cannot serve {}: {error:?}", data_dir.display()))
        })?;

        let access_key = random_token(20);
        let secret_key = random_token(40);
        let service = {
            let root = data_dir.canonicalize().map_err(|source| StorageError::Io {
                path: data_dir.to_owned(),
                source,
            })?;
            let mut builder =
                S3ServiceBuilder::new(service::EmbeddedService::new(filesystem, root));
            builder.set_auth(SimpleAuth::from_single(
                access_key.clone(),
                secret_key.clone(),
            ));
            builder.build()
        };

        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|error| StorageError::Embedded(format!("cannot bind 127.0.0.1: {error}")))?;
        let address = listener
            .local_addr()
            .map_err(|error| StorageError::Embedded(error.to_string()))?;

        let (stop, stopped) = watch::channel(false);
        let meter = Arc::new(S3Meter::default());
        let task = tokio::spawn(serve(listener, service, Arc::clone(&meter), stopped));
        tracing::info!(%address, data_dir = %data_dir.display(), "embedded S3 server started");

        Ok(Self {
            endpoint: StaticEndpoint {
                url: format!("http://{address}"),
                access_key,
                secret_key,
            },
            data_dir: data_dir.to_owned(),
            meter,
            stop,
            task: Some(task),
        })
    }

    /// The URL and credentials to reach it.
    pub fn endpoint(&self) -> &StaticEndpoint {
        &self.endpoint
    }

    /// A store on this server's bucket, under `prefix`, whose uploads skip payload hashing
    /// (the server is in this process, on loopback: nothing between to guard against).
    /// Creates the bucket when it is missing.
    pub async fn store(&self, prefix: &str) -> Result<Store> {
        let store =
            Store::for_endpoint(&self.endpoint, EMBEDDED_BUCKET, prefix).with_unsigned_payloads();
        store.ensure_bucket().await?;
        Ok(store)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Requests served and response bytes sent so far.
    pub fn meter(&self) -> Arc<S3Meter> {
        Arc::clone(&self.meter)
    }

    /// Stops accepting connections and waits for requests in flight to finish. A serve
    /// task that panicked is reported, not swallowed.
    pub async fn shutdown(mut self) -> Result<()> {
        let _ = self.stop.send(true);
        match self.task.take() {
            Some(task) => task.await.map_err(|error| {
                StorageError::Embedded(format!("the server task ended abnormally: {error}"))
            }),
            None => Ok(()),
        }
    }
}

impl Drop for EmbeddedS3 {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Clears what a process killed while creating an upload left in `data_dir`
/// ([`upload_files`]): nothing serves the folder yet, so nothing is under way.
async fn remove_cut_short_uploads(data_dir: &Path) -> Result<()> {
    let root = data_dir.to_owned();
    let removed =
        tokio::task::spawn_blocking(move || upload_files::remove_cut_short_uploads(&root))
            .await
            .map_err(|error| {
                StorageError::Embedded(format!("the start-up cleanup failed: {error}"))
            })?
            .map_err(|source| StorageError::Io {
                path: data_dir.to_owned(),
                source,
            })?;
    if removed > 0 {
        tracing::info!(
            removed,
            "removed uploads a stopped process had only begun to create"
        );
    }
    Ok(())
}

async fn serve(
    listener: TcpListener,
    service: s3s::service::S3Service,
    meter: Arc<S3Meter>,
    mut stopped: watch::Receiver<bool>,
) {
    let connections = ConnectionBuilder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    loop {
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _peer)) => socket,
                Err(error) => {
                    tracing::warn!(%error, "embedded S3: accept failed");
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        // Small responses must not wait for delayed ACKs (Nagle): ~40 ms per request otherwise.
        if let Err(error) = socket.set_nodelay(true) {
            tracing::debug!(%error, "embedded S3: cannot set TCP_NODELAY");
        }
        // Count each request and every body byte sent, for the meter.
        let service = service.clone();
        let meter = Arc::clone(&meter);
        let metered = hyper::service::service_fn(move |request| {
            meter.requests.fetch_add(1, Ordering::Relaxed);
            let call = hyper::service::Service::call(&service, request);
            let meter = Arc::clone(&meter);
            async move {
                let response = call.await?;
                Ok::<_, s3s::HttpError>(response.map(move |body| {
                    body.map_frame(move |frame| {
                        if let Some(data) = frame.data_ref() {
                            meter
                                .body_bytes
                                .fetch_add(data.len() as u64, Ordering::Relaxed);
                        }
                        frame
                    })
                }))
            }
        });
        let connection = connections.serve_connection(TokioIo::new(socket), metered);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "embedded S3: connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
}

fn random_token(length: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), length)
}
