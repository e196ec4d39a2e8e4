//! Table previews: for every table of one database, its columns and types, a few rows, its
//! row count and size, read from the head of each object only.
//!
//! - [`head`]: the ranged, streamed read of a table's first rows (csv-async).
//! - [`cache`]: listings trusted for a short interval, previews keyed by object version.
//! - [`count`]: the exact row count and row index of tables other tools wrote, once, in the
//!   background.
//!
//! Row counts come from the table's statistics when they describe the object as it is now
//! (every table the app writes has them), from the head when it holds the whole table,
//! and otherwise are estimated from the bytes per row read, while the exact count is
//! computed in the background and stored for next time.

pub(crate) mod cache;
pub mod count;

/// Background scans (exact counts and row indexes of tables other tools wrote) running
/// at once.
pub const SCANS_AT_ONCE: usize = 2;
/// Tables waiting for or in a background scan; past this, a preview just estimates (a
/// later preview asks again).
pub const SCANS_QUEUED: usize = 1024;
pub mod head;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use shared::{
    Column, DatabaseName, SchemaPreview, TableFormat, TableName, TablePreview, UserName,
    WarningKind,
};

use crate::Catalog;
use crate::csv::column_name;
use crate::csv::dialect::delimiter_name;
use crate::deadline::{REQUEST_DEADLINE, within};
use crate::error::{CatalogError, Result};
use crate::jsonl::read_jsonl_head;
use crate::layout::{Layout, Scope};
use crate::parquet_files::parquet_preview;
use crate::table_objects::{DatabaseTables, ListedTable};
use storage::{ListedObject, ObjectVersion};

use crate::stats::TableStats;
use cache::{CachedListing, CachedTable};
use head::{Head, MAX_HEAD_BYTES, MAX_PREVIEW_CELL_CHARS, read_head};

/// Tables previewed at the same time for one request.
const CONCURRENT_TABLES: usize = 8;

/// How previews are cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewSettings {
    /// Bound of the table-preview cache, in bytes (`DBM_CACHE_MB`).
    pub cache_bytes: u64,
    /// How long a database listing is trusted before S3 is asked again
    /// (`DBM_REVALIDATE_SECS`): the longest a change made by another tool goes unseen.
    pub revalidate_after: Duration,
    /// Whether imports and background scans profile each column (`DBM_COLUMN_PROFILES`).
    pub column_profiling: crate::csv::profile::ColumnProfiling,
    /// Whether previews and pages start background scans of tables other tools wrote (on
    /// in the server; benchmarks turn them off to time a cold preview alone).
    pub background_scans: bool,
}

impl Default for PreviewSettings {
    fn default() -> Self {
        Self {
            cache_bytes: 256 * 1024 * 1024,
            revalidate_after: Duration::from_secs(5),
            column_profiling: crate::csv::profile::ColumnProfiling::On,
            background_scans: true,
        }
    }
}

impl Catalog {
    /// Previews of every table in `database` (the user's own, or a default one), each
    /// with up to `sample_rows` rows.
    /// Gives up with a storage error (503) when S3 has not answered within
    /// [`REQUEST_DEADLINE`].
    pub async fn database_schema(
        &self,
        user: &UserName,
        database: &DatabaseName,
        sample_rows: usize,
    ) -> Result<SchemaPreview> {
        let work = self.previews_unbounded(user, database, sample_rows);
        within(REQUEST_DEADLINE, "previews", database.as_str(), work).await
    }

    /// The work of the call above, without its deadline.
    async fn previews_unbounded(
        &self,
        user: &UserName,
        database: &DatabaseName,
        sample_rows: usize,
    ) -> Result<SchemaPreview> {
        let (scope, listing) = self.find_database(user, database).await?;
        let layout = Layout::of(self.store());
        let meta_keys: HashSet<&str> = listing.meta.iter().map(|o| o.key.as_str()).collect();
        let resolved = DatabaseTables::resolve(&layout, &scope, &listing.objects);
        let previews = futures::stream::iter(resolved.tables.iter().cloned())
            .map(|table: ListedTable| {
                let scope = &scope;
                let has_stats =
                    meta_keys.contains(layout.stats_key(scope, database, &table.name).as_str());
                async move {
                    let preview = self
                        .table_preview(scope, database, &table, has_stats, sample_rows)
                        .await;
                    match preview {
                        // One broken file does not hide the rest of the database.
                        Err(CatalogError::Unreadable { detail, .. }) => {
                            Ok(unreadable_preview(&table, detail))
                        }
                        other => other,
                    }
                }
            })
            .buffered(CONCURRENT_TABLES)
            .try_collect()
            .await?;
        Ok(SchemaPreview {
            database: database.clone(),
            is_default: scope == Scope::Default,
            tables: previews,
            shadowed: resolved.shadowed_report(&layout.database_prefix(&scope, database)),
        })
    }

    /// Forgets what this server cached about one table (after writing or deleting it).
    pub fn invalidate_table(&self, scope: &Scope, database: &DatabaseName, table: &TableName) {
        let key = Layout::of(self.store()).table_key(scope, database, table);
        self.caches().invalidate_table(scope, database, &key);
    }

    /// Forgets what this server cached about a database and all its tables.
    pub fn invalidate_database(&self, scope: &Scope, database: &DatabaseName) {
        let prefix = Layout::of(self.store()).database_prefix(scope, database);
        self.caches().invalidate_database(scope, database, &prefix);
    }

    /// Exact counts still running in the background.
    pub fn background_counts_running(&self) -> usize {
        self.counting().lock().map(|set| set.len()).unwrap_or(0)
    }

    /// The default database of that name, else the user's own; 404 when neither exists.
    pub(crate) async fn find_database(
        &self,
        user: &UserName,
        database: &DatabaseName,
    ) -> Result<(Scope, Arc<CachedListing>)> {
        for scope in [Scope::Default, Scope::User(user.clone())] {
            let listing = self.database_listing(&scope, database).await?;
            if listing.exists() {
                return Ok((scope, listing));
            }
        }
        Err(CatalogError::DatabaseNotFound {
            database: database.to_string(),
        })
    }

    /// The listed object of `table` in `database` (the default one of that name, else the
    /// user's own), with the database's scope and (cached) listing.
    pub(crate) async fn find_table(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
    ) -> Result<(Scope, Arc<CachedListing>, ListedTable)> {
        let (scope, listing) = self.find_database(user, database).await?;
        let layout = Layout::of(self.store());
        let found = DatabaseTables::resolve(&layout, &scope, &listing.objects)
            .find(table)
            .cloned()
            .ok_or_else(|| CatalogError::TableNotFound {
                database: database.to_string(),
                table: table.to_string(),
            })?;
        Ok((scope, listing, found))
    }

    async fn database_listing(
        &self,
        scope: &Scope,
        database: &DatabaseName,
    ) -> Result<Arc<CachedListing>> {
        if let Some(fresh) = self.caches().fresh_listing(scope, database) {
            return Ok(fresh);
        }
        let layout = Layout::of(self.store());
        let prefix = layout.database_prefix(scope, database);
        let meta_prefix = layout.meta_database_prefix(scope, database);
        let before = self.caches().write_count();
        let (objects, meta) =
            tokio::try_join!(self.store().list(&prefix), self.store().list(&meta_prefix))?;
        Ok(self
            .caches()
            .store_listing(scope, database, objects, meta, before))
    }

    async fn table_preview(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        table: &ListedTable,
        has_stats: bool,
        sample_rows: usize,
    ) -> Result<TablePreview> {
        let object = &table.object;
        if let Some(preview) = self.cached_preview(object, sample_rows) {
            return Ok(preview);
        }
        // Concurrent cold previews of one version of a table: one reads, the others wait
        // for its turn to end and are then served from the cache.
        let _turn = self
            .head_turns()
            .take(format!("{}\n{:?}", object.key, object.version))
            .await;
        if let Some(preview) = self.cached_preview(object, sample_rows) {
            return Ok(preview);
        }
        let (preview, whole_object) = match table.format {
            TableFormat::Parquet => {
                let preview =
                    parquet_preview(self.store(), &table.name, object, sample_rows).await?;
                let whole = preview.sample_rows.len() as u64 >= preview.row_count;
                (preview, whole)
            }
            format => {
                let stats_key = Layout::of(self.store()).stats_key(scope, database, &table.name);
                let stats = if has_stats {
                    self.read_stats(&stats_key, &object.version).await
                } else {
                    None
                };
                let budget = self.head_budget();
                let head = if format == TableFormat::Jsonl {
                    read_jsonl_head(self.store(), object, sample_rows, budget).await?
                } else {
                    read_head(self.store(), object, format, sample_rows, budget).await?
                };
                let preview =
                    build_preview(&table.name, format, object.size, &head, stats.as_ref());
                if !preview.row_count_exact {
                    self.scan_in_background(scope, database, table);
                }
                (preview, head.whole_object)
            }
        };
        let cached = CachedTable::new(object.version.clone(), preview, whole_object);
        let served = cached
            .serve(sample_rows)
            .unwrap_or_else(|| cached.preview.clone());
        self.caches().store_table(&object.key, cached);
        Ok(served)
    }

    /// The cached preview of this version of a table, when it has `sample_rows` rows.
    fn cached_preview(&self, object: &ListedObject, sample_rows: usize) -> Option<TablePreview> {
        self.caches()
            .table(&object.key, &object.version)
            .and_then(|cached| cached.serve(sample_rows))
    }

    /// The table's statistics, if they describe this version of it.
    pub(crate) async fn read_stats(
        &self,
        stats_key: &str,
        version: &ObjectVersion,
    ) -> Option<TableStats> {
        self.read_sidecar(stats_key, TableStats::parse)
            .await
            .filter(|stats| stats.describes(version))
    }

    /// A statistics or index object, parsed; `None` (logged) when it cannot be read: the
    /// caller goes without it (estimates, or reads from the table's start).
    pub(crate) async fn read_sidecar<T>(
        &self,
        key: &str,
        parse: impl Fn(&[u8]) -> Option<T>,
    ) -> Option<T> {
        match self.store().get_small(key).await {
            Ok(bytes) => parse(&bytes),
            // Listed a moment ago, deleted since (by another replica, or a tool): normal.
            Err(error) if error.failure() == Some(storage::StorageFailure::NoSuchKey) => {
                tracing::debug!(%error, key, "a table's statistics or index went away; going without");
                None
            }
            Err(error) => {
                tracing::warn!(%error, key, "cannot read a table's statistics or index; going without");
                None
            }
        }
    }
}

/// The preview of a table whose file cannot be read: its name, format and why.
fn unreadable_preview(table: &ListedTable, detail: String) -> TablePreview {
    TablePreview {
        name: table.name.clone(),
        format: table.format,
        columns: Vec::new(),
        sample_rows: Vec::new(),
        row_count: 0,
        row_count_exact: false,
        size_bytes: table.object.size,
        delimiter: String::new(),
        ragged_rows: Vec::new(),
        warnings: vec![WarningKind::Unreadable { detail }.into()],
        column_summaries: Vec::new(),
    }
}

/// The preview of one table (delimited text or JSON Lines) from its head and, when they
/// describe it, its statistics.
pub fn build_preview(
    name: &TableName,
    format: TableFormat,
    size: u64,
    head: &Head,
    stats: Option<&TableStats>,
) -> TablePreview {
    let mut warnings = head.extra_warnings.clone();
    if size == 0 {
        warnings.push(WarningKind::EmptyFile.into());
    }
    let whole_file_types = stats
        .map(|stats| &stats.columns)
        .filter(|columns| columns.len() == head.header.len());
    let columns = head
        .header
        .iter()
        .enumerate()
        .map(|(index, raw)| Column {
            name: column_name(raw, index).name,
            column_type: whole_file_types
                .and_then(|columns| columns.get(index))
                .map(|column| column.column_type)
                .or_else(|| head.types.get(index).copied())
                .unwrap_or(shared::ColumnType::Text),
        })
        .collect();
    let (row_count, row_count_exact) = match stats {
        Some(stats) => (stats.row_count, true),
        None if head.whole_object => (head.complete_rows, true),
        None => (
            estimate_rows(
                size,
                head.header_end,
                head.rows_end,
                head.complete_rows,
                head.compressed_per_text_byte,
            ),
            false,
        ),
    };
    if !head.ragged.is_empty() {
        warnings.push(
            WarningKind::RaggedRowsShown {
                count: head.ragged.len(),
            }
            .into(),
        );
    }
    if let Some(stats) = stats.filter(|stats| stats.ragged_rows > 0) {
        warnings.push(
            WarningKind::RaggedRowsInTable {
                count: stats.ragged_rows,
            }
            .into(),
        );
    }
    if head.invalid_utf8 || stats.is_some_and(|stats| stats.invalid_utf8) {
        warnings.push(WarningKind::InvalidUtf8.into());
    }
    if head.cells_shortened {
        warnings.push(
            WarningKind::LongCellsShortened {
                limit_chars: MAX_PREVIEW_CELL_CHARS,
            }
            .into(),
        );
    }
    if head.hit_byte_cap {
        warnings.push(
            WarningKind::LongRows {
                limit_mib: MAX_HEAD_BYTES / (1024 * 1024),
                complete_rows: head.complete_rows,
            }
            .into(),
        );
    }
    let delimiter = if format == TableFormat::Jsonl {
        String::new()
    } else {
        stats.map_or_else(
            || delimiter_name(head.delimiter),
            |stats| stats.delimiter.clone(),
        )
    };
    TablePreview {
        name: name.clone(),
        format,
        columns,
        sample_rows: head.rows.clone(),
        row_count,
        row_count_exact,
        size_bytes: size,
        delimiter,
        ragged_rows: head.ragged.clone(),
        warnings,
        column_summaries: Vec::new(),
    }
}

/// Rows in the whole object of `size` bytes, from the bytes per row of the `rows` read
/// between offsets `header_end` and `rows_end`. For a compressed object the offsets are in
/// its text, and `compressed_per_text_byte` scales them to the object's bytes.
pub(crate) fn estimate_rows(
    size: u64,
    header_end: u64,
    rows_end: u64,
    rows: u64,
    compressed_per_text_byte: Option<f64>,
) -> u64 {
    let scale = compressed_per_text_byte.unwrap_or(1.0);
    let to_object = |offset: u64| (offset as f64 * scale).round() as u64;
    let (header_end, rows_end) = (to_object(header_end), to_object(rows_end));
    let sampled_bytes = rows_end.saturating_sub(header_end);
    if rows == 0 || sampled_bytes == 0 {
        return rows;
    }
    let data_bytes = size.saturating_sub(header_end);
    let estimate = rows as f64 * data_bytes as f64 / sampled_bytes as f64;
    (estimate.round() as u64).max(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_with(rows: u64, header_end: u64, rows_end: u64, whole: bool) -> Head {
        Head {
            header: vec!["a".into()],
            types: vec![shared::ColumnType::Integer],
            complete_rows: rows,
            header_end,
            rows_end,
            whole_object: whole,
            delimiter: b',',
            ..Head::default()
        }
    }

    #[test]
    fn the_estimate_scales_the_rows_read_to_the_object_size() {
        // 100 rows in 1,000 bytes after a 10-byte header; the object has 10,010 bytes.
        let head = head_with(100, 10, 1_010, false);
        let preview = build_preview(
            &TableName::parse("t").unwrap(),
            TableFormat::Csv,
            10_010,
            &head,
            None,
        );
        assert_eq!(preview.row_count, 1_000);
        assert!(!preview.row_count_exact);
    }

    #[test]
    fn a_head_that_holds_the_whole_object_counts_exactly() {
        let preview = build_preview(
            &TableName::parse("t").unwrap(),
            TableFormat::Csv,
            1_010,
            &head_with(100, 10, 1_010, true),
            None,
        );
        assert_eq!((preview.row_count, preview.row_count_exact), (100, true));
    }

    #[test]
    fn an_empty_object_says_so() {
        let preview = build_preview(
            &TableName::parse("t").unwrap(),
            TableFormat::Csv,
            0,
            &Head {
                whole_object: true,
                delimiter: b',',
                ..Head::default()
            },
            None,
        );
        assert_eq!(preview.row_count, 0);
        assert!(preview.row_count_exact);
        assert!(preview.columns.is_empty());
        assert_eq!(preview.warnings[0].kind, WarningKind::EmptyFile);
    }
}
