//! Databases and tables of CSV files in S3, kept free of any web framework: listing,
//! previews, imports and deletes, on top of the `storage` crate (the one way to S3).
//!
//! A [`Catalog`] is the one handle the app uses: it owns a [`Store`], the preview caches and,
//! in embedded mode, the in-process S3 server. Every call takes the user it acts for.
//! Its public methods, by what they do:
//! - opening and health: [`Catalog::open`], [`Catalog::check_ready`], [`Catalog::shutdown`]
//!   (this file);
//! - reading: [`Catalog::database_list`] and [`Catalog::list_databases`] (this file),
//!   [`Catalog::database_schema`] ([`preview`]), the whole-table [`scan`];
//! - writing: [`Catalog::create_database`] (this file), [`Catalog::import_table`]
//!   ([`import`]); deleting: [`Catalog::delete_table`], [`Catalog::delete_database`]
//!   (`delete.rs`).
//!
//! Layout of the crate:
//! - `layout`: where databases, tables, markers and statistics live in the bucket
//!   ([`Layout`], [`Scope`]); [`table_objects`]: which listed object is each table (formats,
//!   and files that share a name).
//! - Formats other than plain CSV: [`decompress`] (gzip and zstd text), [`parquet_files`]
//!   (footers and pages through ranged GETs; `parquet_sparse` for files without a page
//!   index, `parquet_stats` for the footer's figures), [`jsonl`] (JSON Lines);
//!   [`sample_files`] writes one sample table in each.
//! - [`csv`]: type inference, delimiter detection, whole-file profiles.
//! - [`import`]: importing CSV files (checked, converted, profiled, atomic); `delete`.
//! - [`stats`], [`row_index`], [`profiles`] and [`tables`]: table statistics, sparse row
//!   indexes and column profiles, and writing a table with them in one pass.
//! - `rows`: pages of rows anywhere in a table ([`Catalog::table_rows`]), and downloads.
//! - `listing`: the database list, from listings alone; [`migrate`]: moving the objects of
//!   older layouts on start.
//! - [`preview`]: table previews from ranged head reads, their caches, background counts.
//! - [`demo`] and `seed`: the generated demo data and first-start seeding.
//! - [`testing`] (feature `testing`): a catalog over a real S3 server, for tests.

pub mod csv;
mod deadline;
pub mod decompress;
mod delete;
pub mod demo;
mod download;
pub use download::TableDownload;
mod error;
pub mod import;
pub mod jsonl;
mod layout;
mod listing;
pub mod migrate;
pub mod parquet_files;
mod parquet_sparse;
mod parquet_stats;
pub mod preview;
pub mod profiles;
pub mod row_index;
mod rows;
pub mod sample_files;
pub mod scan;
mod seed;
pub mod stats;
pub mod table_objects;
pub mod tables;
#[cfg(feature = "testing")]
pub mod testing;
mod turns;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use shared::{DatabaseName, DatabaseSummary, UserName};
use storage::{EmbeddedS3, S3Meter, StorageSetting, Store};

use deadline::within;
pub use deadline::{READY_DEADLINE, REQUEST_DEADLINE};
pub use error::{CatalogError, Result};
pub use layout::{Layout, Scope};
pub use listing::DatabaseList;
pub use preview::PreviewSettings;
pub use rows::{FROM_START_BYTES, MAX_PAGE_READ_BYTES};
pub use seed::DemoSeed;

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
    /// Object keys whose exact row count is being computed in the background (or waits).
    /// (and how far each is).
    counting: Mutex<HashMap<String, Arc<preview::count::ScanProgress>>>,
    /// Background scans running at once ([`preview::SCANS_AT_ONCE`]).
    scans: tokio::sync::Semaphore,
    /// The bytes every head read (previews, pages from a table's start) pays from.
    head_budget: storage::ReadBudget,
    /// One cold head read per table version at a time.
    head_turns: turns::Turns,
    /// Whether imports and scans profile columns.
    column_profiling: csv::profile::ColumnProfiling,
    background_scans: bool,
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
        let opened = storage::open(&options.storage, &options.data_dir).await?;
        migrate::move_format_1_sidecars(&opened.store).await?;
        let is_embedded = opened.embedded.is_some();
        let catalog = Self::from_parts(
            opened.store,
            opened.description,
            opened.embedded,
            options.previews,
        );
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
                counting: Mutex::new(HashMap::new()),
                scans: tokio::sync::Semaphore::new(preview::SCANS_AT_ONCE),
                head_budget: preview::head::head_read_budget(),
                head_turns: turns::Turns::default(),
                column_profiling: previews.column_profiling,
                background_scans: previews.background_scans,
            }),
        }
    }

    pub(crate) fn caches(&self) -> &preview::cache::PreviewCaches {
        &self.inner.caches
    }

    pub(crate) fn head_budget(&self) -> &storage::ReadBudget {
        &self.inner.head_budget
    }

    pub(crate) fn head_turns(&self) -> &turns::Turns {
        &self.inner.head_turns
    }

    pub(crate) fn counting(&self) -> &Mutex<HashMap<String, Arc<preview::count::ScanProgress>>> {
        &self.inner.counting
    }

    pub(crate) fn column_profiling(&self) -> csv::profile::ColumnProfiling {
        self.inner.column_profiling
    }

    pub(crate) fn background_scans(&self) -> bool {
        self.inner.background_scans
    }

    pub(crate) fn scans(&self) -> &tokio::sync::Semaphore {
        &self.inner.scans
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
        let check = async { Ok(self.store().check_bucket().await?) };
        within(READY_DEADLINE, "the readiness check", "", check).await
    }

    /// The default databases and the user's own, sorted by name. Reads listings only, and
    /// those only when this scope's list is older than `DBM_REVALIDATE_SECS` or was changed
    /// by a write through this server; the default scope's list is shared by every user.
    /// Gives up with a storage error (503) when S3 has not answered within
    /// [`REQUEST_DEADLINE`].
    pub async fn database_list(&self, user: &UserName) -> Result<DatabaseList> {
        let work = self.list_unbounded(user);
        within(REQUEST_DEADLINE, "the database list", user.as_str(), work).await
    }

    /// The work of the call above, without its deadline.
    async fn list_unbounded(&self, user: &UserName) -> Result<DatabaseList> {
        let own_scope = Scope::User(user.clone());
        let (defaults, own) = tokio::try_join!(
            self.scope_list(&Scope::Default),
            self.scope_list(&own_scope),
        )?;
        Ok(DatabaseList::new(defaults, own))
    }

    /// [`Catalog::database_list`], copied out.
    pub async fn list_databases(&self, user: &UserName) -> Result<Vec<DatabaseSummary>> {
        let list = self.database_list(user).await?;
        Ok(list.databases().into_iter().cloned().collect())
    }

    async fn scope_list(&self, scope: &Scope) -> Result<Arc<preview::cache::CachedScope>> {
        if let Some(fresh) = self.caches().fresh_scope(scope) {
            return Ok(fresh);
        }
        let before = self.caches().write_count();
        let databases = listing::list_scope(self.store(), scope).await?;
        Ok(self.caches().store_scope(scope, databases, before))
    }

    /// Creates an empty database of the user's (its marker); existing ones are left as they are.
    pub async fn create_database(&self, user: &UserName, database: &DatabaseName) -> Result<()> {
        let scope = Scope::User(user.clone());
        let marker = Layout::of(self.store()).marker_key(&scope, database);
        self.store()
            .put(&marker, seed::marker_body(), "application/json")
            .await?;
        self.caches().invalidate_scope(&scope);
        Ok(())
    }

    /// Default databases are read-only for everyone, and their names are taken.
    pub(crate) async fn refuse_default_database(
        &self,
        database: &DatabaseName,
    ) -> Result<(), CatalogError> {
        let layout = Layout::of(self.store());
        let (data_prefix, meta_prefix) = (
            layout.database_prefix(&Scope::Default, database),
            layout.meta_database_prefix(&Scope::Default, database),
        );
        let (has_tables, has_meta) = tokio::try_join!(
            self.store().list_any(&data_prefix),
            self.store().list_any(&meta_prefix),
        )?;
        if has_tables || has_meta {
            return Err(CatalogError::ReadOnly {
                database: database.to_string(),
            });
        }
        Ok(())
    }

    /// Stops the embedded server, if there is one. Requests after this fail. A server
    /// that did not stop cleanly is an error (it is logged by the caller).
    pub async fn shutdown(&self) -> Result<()> {
        let server = self
            .inner
            .embedded
            .lock()
            .map(|mut guard| guard.take())
            .unwrap_or(None);
        match server {
            Some(server) => Ok(server.shutdown().await?),
            None => Ok(()),
        }
    }
}
