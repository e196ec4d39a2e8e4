//! The storage domain of Database Manager, kept free of any web framework.
//!
//! A [`Catalog`] is the one handle the app uses: it owns an S3 client, a bucket, the key
//! [`layout`](crate::layout) and, in embedded mode, the in-process S3 server. Every call
//! takes the user it acts for, so adding authentication changes no signature here.
//!
//! Layout of the crate:
//! - [`csv`]: type inference, delimiter detection, whole-file profiles.
//! - [`storage_setting`]: the `DBM_STORAGE` value (`embedded` or `s3://bucket/prefix`).
//! - [`s3_client`]: building the aws-sdk-s3 client (one code path for every store).
//! - [`embedded`]: the in-process `s3s-fs` server on 127.0.0.1.
//! - [`layout`]: where databases, tables, markers and statistics live in the bucket.
//! - [`store`]: the S3 primitives (list, head, put) with errors that name the key.
//! - [`upload`]: streamed multipart writes that abort when not finished.
//! - [`import`]: importing CSV files (checked, converted, profiled, atomic) and deleting.
//! - [`stats`] and [`tables`]: table statistics, and writing a table with them in one pass.
//! - [`listing`]: the database list, from listings alone.
//! - [`preview`]: table previews from ranged head reads, their caches, background counts.
//! - [`demo`] and [`seed`]: the generated demo data and first-start seeding.
//! - `testing` (feature `testing`): real S3 servers for tests (embedded, moto).

pub mod csv;
pub mod demo;
pub mod embedded;
pub mod error;
pub mod import;
pub mod layout;
pub mod listing;
pub mod preview;
pub mod s3_client;
pub mod seed;
pub mod stats;
pub mod storage_setting;
pub mod store;
pub mod tables;
#[cfg(feature = "testing")]
pub mod testing;
pub mod upload;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use shared::{DatabaseName, DatabaseSummary, UserName};

pub use embedded::{EMBEDDED_BUCKET, EmbeddedS3};
pub use embedded::{MeterReading, S3Meter};
pub use error::{CatalogError, Result, StorageFailure};
pub use layout::{Layout, Scope};
pub use preview::PreviewSettings;
pub use s3_client::StaticEndpoint;
pub use seed::DemoSeed;
pub use storage_setting::StorageSetting;
pub use store::Store;

/// Whether to write the demo databases when they are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemoData {
    /// Seed in embedded mode only (the default).
    #[default]
    Auto,
    /// Seed whatever the storage.
    On,
    /// Never seed.
    Off,
}

/// Everything needed to open a catalog.
#[derive(Debug, Clone)]
pub struct CatalogOptions {
    pub storage: StorageSetting,
    /// Where the embedded server keeps its objects.
    pub data_dir: PathBuf,
    pub demo_data: DemoData,
    pub demo_seed: DemoSeed,
    pub previews: PreviewSettings,
}

/// The handle to the storage. Cheap to clone; all clones share one client.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// Where the data is, for logs and the start-up line (never includes secrets).
    description: String,
    embedded: Mutex<Option<EmbeddedS3>>,
    caches: preview::cache::PreviewCaches,
    /// Object keys whose exact row count is being computed in the background.
    counting: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("storage", &self.inner.description)
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Opens the configured storage, checks that its bucket is reachable, and seeds the
    /// demo databases when asked to. Fails with an error that says what to fix.
    pub async fn open(options: CatalogOptions) -> Result<Self> {
        let (catalog, is_embedded) = match &options.storage {
            StorageSetting::Embedded => {
                let server = EmbeddedS3::start(&options.data_dir).await?;
                let client = s3_client::client_for_endpoint(server.endpoint());
                let description = format!(
                    "embedded S3 at {} (data in {})",
                    server.endpoint().url,
                    options.data_dir.display()
                );
                let store =
                    Store::new(client, EMBEDDED_BUCKET, Layout::new("")).with_unsigned_payloads();
                store.ensure_bucket().await?;
                (
                    Self::from_parts(store, description, Some(server), options.previews),
                    true,
                )
            }
            StorageSetting::External { bucket, prefix } => {
                let (client, endpoint) = s3_client::client_from_environment().await;
                let store = Store::new(client, bucket, Layout::new(prefix));
                store.check_bucket().await?;
                let description = format!("s3://{bucket}/{prefix} at {endpoint}");
                (
                    Self::from_parts(store, description, None, options.previews),
                    false,
                )
            }
        };
        let seed = match options.demo_data {
            DemoData::Auto => is_embedded,
            DemoData::On => true,
            DemoData::Off => false,
        };
        if seed {
            seed::seed_default_databases(catalog.store(), options.demo_seed).await?;
        }
        Ok(catalog)
    }

    /// A catalog over an existing store (tests, tools); does not check reachability.
    pub fn from_store(
        store: Store,
        description: impl Into<String>,
        previews: PreviewSettings,
    ) -> Self {
        Self::from_parts(store, description.into(), None, previews)
    }

    fn from_parts(
        store: Store,
        description: String,
        embedded: Option<EmbeddedS3>,
        previews: PreviewSettings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                description,
                embedded: Mutex::new(embedded),
                caches: preview::cache::PreviewCaches::new(
                    previews.cache_bytes,
                    previews.revalidate_after,
                ),
                counting: Mutex::new(HashSet::new()),
            }),
        }
    }

    pub(crate) fn caches(&self) -> &preview::cache::PreviewCaches {
        &self.inner.caches
    }

    pub(crate) fn counting(&self) -> &Mutex<HashSet<String>> {
        &self.inner.counting
    }

    /// The embedded server's request meter, when the storage is embedded.
    pub fn embedded_meter(&self) -> Option<Arc<S3Meter>> {
        self.inner
            .embedded
            .lock()
            .ok()
            .and_then(|guard| guard.as_ref().map(EmbeddedS3::meter))
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Where the data lives, in words (for logs; holds no secret).
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// Whether the storage answers now (for `/readyz`).
    pub async fn check_ready(&self) -> Result<()> {
        self.store().check_bucket().await
    }

    /// The default databases and the user's own, sorted by name. Reads listings only.
    pub async fn list_databases(&self, user: &UserName) -> Result<Vec<DatabaseSummary>> {
        let own_scope = Scope::User(user.clone());
        let (defaults, own) = tokio::try_join!(
            listing::list_scope(self.store(), &Scope::Default),
            listing::list_scope(self.store(), &own_scope),
        )?;
        Ok(listing::merge(defaults, own))
    }

    /// Creates an empty database of the user's (its marker); existing ones are left as they are.
    pub async fn create_database(&self, user: &UserName, database: &DatabaseName) -> Result<()> {
        let scope = Scope::User(user.clone());
        let marker = self.store().layout().marker_key(&scope, database);
        self.store()
            .put(&marker, seed::marker_body(), "application/json")
            .await
    }

    /// Stops the embedded server, if there is one. Requests after this fail.
    pub async fn shutdown(&self) {
        let server = self
            .inner
            .embedded
            .lock()
            .map(|mut guard| guard.take())
            .unwrap_or(None);
        if let Some(server) = server {
            server.shutdown().await;
        }
    }
}
