//! The background scan of a table whose statistics or row index are missing (another tool
//! wrote it, or an older release did): one parallel scan of the whole object
//! ([`crate::scan`]), in bounded memory, that stores them and the column profiles, for the
//! version read. The request
//! that asked gets an estimate (a preview) or "being indexed, N%" (a deep page) at once;
//! later requests get the exact count and any page.
//!
//! At most [`SCANS_AT_ONCE`](super::SCANS_AT_ONCE) scans run and
//! [`SCANS_QUEUED`](super::SCANS_QUEUED) wait; each running one reports the bytes it has
//! joined so far ([`Catalog::scan_progress`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use shared::{DatabaseName, TableFormat};
use storage::{ObjectVersion, Store};

use super::SCANS_QUEUED;
use crate::Catalog;
use crate::error::Result;
use crate::layout::{Layout, Scope};
use crate::scan::{ScanSettings, scan_compressed, scan_table_reporting};
use crate::stats::{StatsSource, TableStats};
use crate::table_objects::ListedTable;
use crate::tables::{SidecarKeys, store_sidecars};

/// How far one background scan is.
#[derive(Debug)]
pub struct ScanProgress {
    /// Bytes of the object read and joined so far.
    pub bytes_done: Arc<AtomicU64>,
    pub size: u64,
}

impl ScanProgress {
    /// 0 to 100 (a queued scan is at 0).
    pub fn percent(&self) -> u8 {
        let done = self.bytes_done.load(Ordering::Relaxed).min(self.size);
        u8::try_from(done * 100 / self.size.max(1)).unwrap_or(100)
    }
}

impl Catalog {
    /// Starts a background scan of `object` that stores its statistics and row index,
    /// unless one is running or waiting for it, or the queue is full (a later request asks
    /// again).
    pub(crate) fn scan_in_background(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        table: &ListedTable,
    ) {
        let object = &table.object;
        if table.format == TableFormat::Parquet || !self.background_scans() {
            // Parquet's footer has the exact count: nothing to scan.
            return;
        }
        let progress = Arc::new(ScanProgress {
            bytes_done: Arc::new(AtomicU64::new(0)),
            size: object.size,
        });
        let newly_started = self
            .counting()
            .lock()
            .map(|mut running| {
                running.len() < SCANS_QUEUED
                    && !running.contains_key(&object.key)
                    && running
                        .insert(object.key.clone(), Arc::clone(&progress))
                        .is_none()
            })
            .unwrap_or(false);
        if !newly_started {
            return;
        }
        let catalog = self.clone();
        let (scope, database) = (scope.clone(), database.clone());
        let (key, version) = (object.key.clone(), object.version.clone());
        let layout = Layout::of(self.store());
        let sidecars = SidecarKeys::of(&layout, &scope, &database, &table.name);
        let format = table.format;
        tokio::spawn(async move {
            // Each scan already uses every core: more at once would only add memory.
            if let Ok(_permit) = catalog.scans().acquire().await {
                let started = std::time::Instant::now();
                let settings = ScanSettings {
                    column_profiling: catalog.column_profiling(),
                    ..ScanSettings::default()
                };
                let scanned = scan_and_store(
                    catalog.store(),
                    settings,
                    format,
                    &key,
                    &sidecars,
                    &version,
                    &progress.bytes_done,
                )
                .await;
                match scanned {
                    Ok(Some(stats)) => {
                        let elapsed = started.elapsed();
                        tracing::info!(%key, rows = stats.row_count, elapsed_ms = elapsed.as_millis(), "exact statistics, row index and column profiles stored");
                        catalog.caches().invalidate_table(&scope, &database, &key);
                    }
                    Ok(None) => {
                        tracing::info!(%key, "the table changed while it was scanned; the next request scans again")
                    }
                    Err(error) if gone_or_changed(&error) => {
                        tracing::info!(%key, "the table went away or changed while it was scanned")
                    }
                    Err(error) => tracing::warn!(%key, %error, "background scan failed"),
                }
            }
            if let Ok(mut running) = catalog.counting().lock() {
                running.remove(&key);
            }
        });
    }

    /// How far the background scan of the object `key` is, if one runs or waits.
    pub fn scan_progress(&self, key: &str) -> Option<u8> {
        self.counting()
            .lock()
            .ok()?
            .get(key)
            .map(|progress| progress.percent())
    }
}

/// Scans `key` (stored as `format`) and stores its statistics and, for delimited text, its
/// column profiles and (plain text only) row index. Returns `None` when the object changed
/// while it was read (nothing is stored then; the next request starts again).
async fn scan_and_store(
    store: &Store,
    settings: ScanSettings,
    format: TableFormat,
    key: &str,
    sidecars: &SidecarKeys,
    version: &ObjectVersion,
    bytes_done: &Arc<AtomicU64>,
) -> Result<Option<TableStats>> {
    let profile = match (format, format.compression()) {
        (TableFormat::Jsonl, _) => None,
        (_, None) => Some(
            scan_table_reporting(store, key, version.size, version, settings, bytes_done).await?,
        ),
        (_, Some(compression)) => Some(
            scan_compressed(
                store,
                key,
                version,
                compression,
                settings.column_profiling,
                bytes_done,
            )
            .await?,
        ),
    };
    let json_rows = match profile {
        None => Some(crate::jsonl::count_rows(store, key, version, bytes_done).await?),
        Some(_) => None,
    };

    // What was found is only worth keeping if the object is still the version that was read.
    let still_same = store
        .listed(key)
        .await?
        .is_some_and(|listed| &listed.version == version);
    if !still_same {
        return Ok(None);
    }
    let stats = match (&profile, json_rows) {
        (Some(profile), _) => {
            let stats = TableStats::from_profile(profile, version.clone(), StatsSource::Scan);
            store_sidecars(store, sidecars, profile, &stats).await?;
            stats
        }
        (None, rows) => {
            // JSON Lines: the count; columns and types come from each preview's head.
            let stats = TableStats::row_count_only(rows.unwrap_or(0), version.clone());
            store
                .put(&sidecars.stats, stats.to_json(), "application/json")
                .await?;
            stats
        }
    };
    Ok(Some(stats))
}

/// A scan's error that only means another writer deleted or replaced the table meanwhile.
fn gone_or_changed(error: &crate::CatalogError) -> bool {
    matches!(
        error.storage_failure(),
        Some(storage::StorageFailure::NoSuchKey | storage::StorageFailure::PreconditionFailed)
    )
}
