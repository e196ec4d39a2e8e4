//! The server's preview caches (docs/ARCHITECTURE.md, "Caches and what clears them").
//!
//! - Listings, per database, trusted for `revalidate_after`: within that time a repeated
//!   preview makes no S3 request at all; after it, one LIST revalidates every table.
//! - Table previews (quick_cache, bounded in bytes), one entry per object key, holding the
//!   version it was read from: a changed object is a miss, never a stale hit. One entry
//!   serves every `sample_rows` it has rows for.
//!
//! Writes through this server remove exactly the entries they make stale.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use shared::{DatabaseName, TablePreview};

use crate::layout::Scope;
use storage::{ListedObject, ObjectVersion};

/// The objects of one database as listed at one moment.
#[derive(Debug)]
pub struct CachedListing {
    pub fetched_at: Instant,
    pub objects: Vec<ListedObject>,
}

/// One table's preview, read from one version of its object.
#[derive(Debug)]
pub struct CachedTable {
    pub version: ObjectVersion,
    /// With as many sample rows as the read produced (up to the maximum).
    pub preview: TablePreview,
    /// Every row of the table is in `preview` (so any smaller request is served).
    pub has_all_rows: bool,
    weight: u64,
}

impl CachedTable {
    pub fn new(version: ObjectVersion, preview: TablePreview, has_all_rows: bool) -> Self {
        let weight = approximate_bytes(&preview);
        Self {
            version,
            preview,
            has_all_rows,
            weight,
        }
    }

    /// The preview with `sample_rows` rows, when this entry has them.
    pub fn serve(&self, sample_rows: usize) -> Option<TablePreview> {
        if self.preview.sample_rows.len() < sample_rows && !self.has_all_rows {
            return None;
        }
        let mut preview = self.preview.clone();
        preview.sample_rows.truncate(sample_rows);
        preview.ragged_rows.retain(|&row| row < sample_rows);
        Some(preview)
    }
}

/// Heap bytes of a preview, roughly: what the cache bound is measured in.
fn approximate_bytes(preview: &TablePreview) -> u64 {
    const STRING: usize = std::mem::size_of::<String>();
    let cells: usize = preview
        .sample_rows
        .iter()
        .flatten()
        .map(|cell| cell.len() + STRING)
        .sum();
    let columns: usize = preview
        .columns
        .iter()
        .map(|c| c.name.len() + STRING + 8)
        .sum();
    let warnings: usize = preview
        .warnings
        .iter()
        .map(|warning| warning.message.len())
        .sum();
    (cells + columns + warnings + preview.name.as_str().len() + 256) as u64
}

#[derive(Clone)]
struct TableWeighter;

impl Weighter<String, Arc<CachedTable>> for TableWeighter {
    fn weight(&self, _key: &String, value: &Arc<CachedTable>) -> u64 {
        value.weight
    }
}

type ListingKey = (Scope, DatabaseName);

pub struct PreviewCaches {
    listings: Cache<ListingKey, Arc<CachedListing>>,
    tables: Cache<String, Arc<CachedTable>, TableWeighter>,
    revalidate_after: Duration,
}

impl PreviewCaches {
    pub fn new(cache_bytes: u64, revalidate_after: Duration) -> Self {
        // quick_cache sizes its tables from an item estimate: ~4 KiB per preview.
        let estimated_tables = usize::try_from(cache_bytes / 4096)
            .unwrap_or(usize::MAX)
            .max(16);
        Self {
            listings: Cache::new(10_000),
            tables: Cache::with_weighter(estimated_tables, cache_bytes, TableWeighter),
            revalidate_after,
        }
    }

    /// The cached listing, if it is recent enough to trust without asking S3.
    pub fn fresh_listing(
        &self,
        scope: &Scope,
        database: &DatabaseName,
    ) -> Option<Arc<CachedListing>> {
        self.listings
            .get(&(scope.clone(), database.clone()))
            .filter(|listing| listing.fetched_at.elapsed() < self.revalidate_after)
    }

    pub fn store_listing(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        objects: Vec<ListedObject>,
    ) -> Arc<CachedListing> {
        let listing = Arc::new(CachedListing {
            fetched_at: Instant::now(),
            objects,
        });
        self.listings
            .insert((scope.clone(), database.clone()), Arc::clone(&listing));
        listing
    }

    /// The cached preview of `key`, if it was read from `version`.
    pub fn table(&self, key: &str, version: &ObjectVersion) -> Option<Arc<CachedTable>> {
        self.tables
            .get(key)
            .filter(|cached| &cached.version == version)
    }

    pub fn store_table(&self, key: &str, table: CachedTable) {
        self.tables.insert(key.to_owned(), Arc::new(table));
    }

    /// Forgets one table's preview and its database's listing.
    pub fn invalidate_table(&self, scope: &Scope, database: &DatabaseName, table_key: &str) {
        self.tables.remove(table_key);
        self.listings.remove(&(scope.clone(), database.clone()));
    }

    /// Forgets a database's listing and every preview under `database_prefix`.
    pub fn invalidate_database(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        database_prefix: &str,
    ) {
        self.listings.remove(&(scope.clone(), database.clone()));
        self.tables
            .retain(|key, _| !key.starts_with(database_prefix));
    }
}
