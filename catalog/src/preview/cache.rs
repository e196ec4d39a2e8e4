//! The server's caches of listings and previews (docs/ARCHITECTURE.md, "Caches and what
//! clears them").
//!
//! - The database list of each scope (the shared default one, and each user's), trusted
//!   for `revalidate_after`: within that time a list request makes no S3 request at all.
//! - Listings, per database, trusted for `revalidate_after`: within that time a repeated
//!   preview makes no S3 request at all; after it, one LIST revalidates every table.
//! - Per table (one quick_cache, bounded in bytes): its preview, its statistics and row index
//!   as a page reads them, and pages of rows, each holding the version it was read from: a
//!   changed object is a miss, never a stale hit. One preview serves every `sample_rows` it
//!   has rows for.
//!
//! Writes through this server remove exactly the entries they make stale.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use shared::{DatabaseName, DatabaseSummary, TablePreview, TableRows};

use crate::layout::Scope;
use crate::profiles::StoredProfile;
use crate::row_index::TableIndex;
use crate::stats::TableStats;
use storage::{ListedObject, ObjectVersion};

/// The objects of one database as listed at one moment: its tables (and whatever else
/// other tools put in its folder), and the app's objects about it in the `meta/` tree.
#[derive(Debug)]
pub struct CachedListing {
    pub fetched_at: Instant,
    pub objects: Vec<ListedObject>,
    pub meta: Vec<ListedObject>,
}

impl CachedListing {
    /// Whether the database exists: a table, another file, or its marker.
    pub fn exists(&self) -> bool {
        !self.objects.is_empty() || !self.meta.is_empty()
    }
}

/// The database list of one scope as listed at one moment, with each database already
/// serialised as the JSON the list call answers (so a warm list only copies bytes).
#[derive(Debug)]
pub struct CachedScope {
    pub fetched_at: Instant,
    pub databases: Vec<DatabaseSummary>,
    /// `databases[i]` as JSON.
    pub json: Vec<Bytes>,
    weight: u64,
}

impl CachedScope {
    fn new(databases: Vec<DatabaseSummary>) -> Self {
        let json: Vec<Bytes> = databases
            .iter()
            .map(|database| Bytes::from(serde_json::to_vec(database).unwrap_or_default()))
            .collect();
        let json_bytes: usize = json.iter().map(|fragment| fragment.len() + 32).sum();
        Self {
            fetched_at: Instant::now(),
            weight: list_bytes(&databases) + json_bytes as u64,
            databases,
            json,
        }
    }
}

#[derive(Clone)]
struct ScopeWeighter;

impl Weighter<Scope, Arc<CachedScope>> for ScopeWeighter {
    fn weight(&self, _key: &Scope, value: &Arc<CachedScope>) -> u64 {
        value.weight
    }
}

/// Heap bytes of a database list, roughly.
fn list_bytes(databases: &[DatabaseSummary]) -> u64 {
    let names: usize = databases
        .iter()
        .map(|database| {
            database.name.as_str().len()
                + database
                    .tables
                    .iter()
                    .map(|table| table.as_str().len() + 32)
                    .sum::<usize>()
                + 64
        })
        .sum();
    (names + 64) as u64
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

/// What the per-table cache keeps about one object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TableEntry {
    Preview,
    /// Statistics and row index, as read for a page.
    Facts,
    Rows {
        offset: u64,
        limit: usize,
    },
    /// Column profiles.
    Profile,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TableKey {
    /// The object's key: what invalidations match on.
    object: String,
    entry: TableEntry,
}

impl TableKey {
    fn new(object: &str, entry: TableEntry) -> Self {
        Self {
            object: object.to_owned(),
            entry,
        }
    }
}

#[derive(Clone)]
enum TableValue {
    Preview(Arc<CachedTable>),
    Facts(Arc<CachedFacts>),
    Rows(Arc<CachedRows>),
    Profile(Arc<StoredProfile>),
}

/// A table's statistics and row index as read for one version of it (either may be
/// missing: a table another tool wrote, not scanned yet).
#[derive(Debug)]
pub struct CachedFacts {
    pub version: ObjectVersion,
    pub stats: Option<TableStats>,
    pub index: Option<TableIndex>,
}

/// One page of rows of one version of a table.
#[derive(Debug)]
pub struct CachedRows {
    pub version: ObjectVersion,
    pub page: TableRows,
}

#[derive(Clone)]
struct TableWeighter;

impl Weighter<TableKey, TableValue> for TableWeighter {
    fn weight(&self, _key: &TableKey, value: &TableValue) -> u64 {
        const STRING: usize = std::mem::size_of::<String>();
        match value {
            TableValue::Preview(preview) => preview.weight,
            TableValue::Facts(facts) => {
                let stats = facts.stats.as_ref().map_or(0, |stats| {
                    stats
                        .columns
                        .iter()
                        .map(|c| c.name.len() + 32)
                        .sum::<usize>() as u64
                });
                stats
                    + facts
                        .index
                        .as_ref()
                        .map_or(0, TableIndex::approximate_bytes)
                    + 256
            }
            TableValue::Profile(profile) => profile.approximate_bytes(),
            TableValue::Rows(rows) => {
                let cells: usize = rows
                    .page
                    .rows
                    .iter()
                    .flatten()
                    .map(|cell| cell.len() + STRING)
                    .sum();
                (cells + rows.page.columns.len() * 48 + 256) as u64
            }
        }
    }
}

type ListingKey = (Scope, DatabaseName);

pub struct PreviewCaches {
    /// Bumped by every invalidation. A listing that started before a write through this
    /// server and ends after it must not be cached (it may predate the write): listings
    /// are kept only if no invalidation happened while they were read.
    writes: AtomicU64,
    scopes: Cache<Scope, Arc<CachedScope>, ScopeWeighter>,
    listings: Cache<ListingKey, Arc<CachedListing>>,
    /// Previews, statistics and indexes, and pages of rows: one bound for all.
    tables: Cache<TableKey, TableValue, TableWeighter>,
    revalidate_after: Duration,
}

impl PreviewCaches {
    pub fn new(cache_bytes: u64, revalidate_after: Duration) -> Self {
        // quick_cache sizes its tables from an item estimate: ~4 KiB per preview.
        let estimated_tables = usize::try_from(cache_bytes / 4096)
            .unwrap_or(usize::MAX)
            .max(16);
        // Database lists get an eighth of the bound: a list of 1,000 databases of five
        // tables weighs about 300 KiB, so even a small cache holds many users' lists.
        let list_bytes_bound = (cache_bytes / 8).max(1024 * 1024);
        Self {
            writes: AtomicU64::new(0),
            scopes: Cache::with_weighter(1_000, list_bytes_bound, ScopeWeighter),
            listings: Cache::new(10_000),
            tables: Cache::with_weighter(estimated_tables, cache_bytes, TableWeighter),
            revalidate_after,
        }
    }

    /// Take before a listing; hand to `store_scope` / `store_listing` after it.
    pub fn write_count(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Whether a write through this server happened since `write_count` said `before`.
    fn written_since(&self, before: u64) -> bool {
        self.writes.load(Ordering::Acquire) != before
    }

    /// The cached database list of `scope`, if it is recent enough to trust.
    pub fn fresh_scope(&self, scope: &Scope) -> Option<Arc<CachedScope>> {
        self.scopes
            .get(scope)
            .filter(|listed| listed.fetched_at.elapsed() < self.revalidate_after)
    }

    /// Keeps a scope's list read after `write_count` said `before` (unless a write came
    /// in between), and hands it back.
    pub fn store_scope(
        &self,
        scope: &Scope,
        databases: Vec<DatabaseSummary>,
        before: u64,
    ) -> Arc<CachedScope> {
        let listed = Arc::new(CachedScope::new(databases));
        if !self.written_since(before) {
            self.scopes.insert(scope.clone(), Arc::clone(&listed));
        }
        listed
    }

    /// Forgets the database list of `scope` (after a write that changes it).
    pub fn invalidate_scope(&self, scope: &Scope) {
        self.writes.fetch_add(1, Ordering::AcqRel);
        self.scopes.remove(scope);
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
        meta: Vec<ListedObject>,
        before: u64,
    ) -> Arc<CachedListing> {
        let listing = Arc::new(CachedListing {
            fetched_at: Instant::now(),
            objects,
            meta,
        });
        if !self.written_since(before) {
            self.listings
                .insert((scope.clone(), database.clone()), Arc::clone(&listing));
        }
        listing
    }

    /// The cached preview of `key`, if it was read from `version`.
    pub fn table(&self, key: &str, version: &ObjectVersion) -> Option<Arc<CachedTable>> {
        match self.tables.get(&TableKey::new(key, TableEntry::Preview))? {
            TableValue::Preview(cached) if &cached.version == version => Some(cached),
            _ => None,
        }
    }

    pub fn store_table(&self, key: &str, table: CachedTable) {
        self.tables.insert(
            TableKey::new(key, TableEntry::Preview),
            TableValue::Preview(Arc::new(table)),
        );
    }

    /// The statistics and index cached for `version` of `key`.
    pub fn facts(&self, key: &str, version: &ObjectVersion) -> Option<Arc<CachedFacts>> {
        match self.tables.get(&TableKey::new(key, TableEntry::Facts))? {
            TableValue::Facts(cached) if &cached.version == version => Some(cached),
            _ => None,
        }
    }

    pub fn store_facts(&self, key: &str, facts: CachedFacts) -> Arc<CachedFacts> {
        let facts = Arc::new(facts);
        self.tables.insert(
            TableKey::new(key, TableEntry::Facts),
            TableValue::Facts(Arc::clone(&facts)),
        );
        facts
    }

    /// The column profiles cached for `version` of `key`.
    pub fn profile(&self, key: &str, version: &ObjectVersion) -> Option<Arc<StoredProfile>> {
        match self.tables.get(&TableKey::new(key, TableEntry::Profile))? {
            TableValue::Profile(cached) if cached.describes(version) => Some(cached),
            _ => None,
        }
    }

    pub fn store_profile(&self, key: &str, profile: StoredProfile) -> Arc<StoredProfile> {
        let profile = Arc::new(profile);
        self.tables.insert(
            TableKey::new(key, TableEntry::Profile),
            TableValue::Profile(Arc::clone(&profile)),
        );
        profile
    }

    /// A page of rows cached for `version` of `key`.
    pub fn rows(
        &self,
        key: &str,
        version: &ObjectVersion,
        offset: u64,
        limit: usize,
    ) -> Option<Arc<CachedRows>> {
        match self
            .tables
            .get(&TableKey::new(key, TableEntry::Rows { offset, limit }))?
        {
            TableValue::Rows(cached) if &cached.version == version => Some(cached),
            _ => None,
        }
    }

    pub fn store_rows(&self, key: &str, offset: u64, limit: usize, rows: CachedRows) {
        self.tables.insert(
            TableKey::new(key, TableEntry::Rows { offset, limit }),
            TableValue::Rows(Arc::new(rows)),
        );
    }

    /// Forgets one table's preview, facts and pages, its database's listing and its
    /// scope's list.
    pub fn invalidate_table(&self, scope: &Scope, database: &DatabaseName, table_key: &str) {
        self.writes.fetch_add(1, Ordering::AcqRel);
        self.tables.retain(|key, _| key.object != table_key);
        self.listings.remove(&(scope.clone(), database.clone()));
        self.scopes.remove(scope);
    }

    /// Forgets a database's listing and every preview under `database_prefix`.
    pub fn invalidate_database(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        database_prefix: &str,
    ) {
        self.writes.fetch_add(1, Ordering::AcqRel);
        self.listings.remove(&(scope.clone(), database.clone()));
        self.scopes.remove(scope);
        self.tables
            .retain(|key, _| !key.object.starts_with(database_prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_across_a_write_is_answered_but_not_cached() {
        let caches = PreviewCaches::new(1024 * 1024, Duration::from_secs(60));
        let scope = Scope::Default;

        let before = caches.write_count();
        caches.store_scope(&scope, Vec::new(), before);
        assert!(caches.fresh_scope(&scope).is_some());

        // A listing starts, a write through this server lands, the listing ends.
        let before = caches.write_count();
        caches.invalidate_scope(&scope);
        let answered = caches.store_scope(&scope, Vec::new(), before);
        assert!(answered.databases.is_empty());
        assert!(
            caches.fresh_scope(&scope).is_none(),
            "a list that may predate the write must not be served from the cache"
        );
    }
}
