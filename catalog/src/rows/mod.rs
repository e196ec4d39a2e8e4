//! Pages of rows anywhere in a table ([`Catalog::table_rows`], `GET /api/table_rows`).
//!
//! A page of a table with a row index (every table over 4 MiB the app wrote or scanned) is
//! one ranged GET from the nearest mark at or before its first row ([`crate::row_index`]);
//! the index itself is one GET, cached with the table's statistics per object version. A
//! table without one is read from its start, up to [`FROM_START_BYTES`]: pages within that
//! are answered at once, deeper ones with [`CatalogError::IndexBuilding`] and its progress
//! while a background scan builds the index. Pages are cached per object version in the
//! same bounded cache as previews (docs/ARCHITECTURE.md, "Caches and what clears them").

mod read;

use std::sync::Arc;

use shared::{
    Column, ColumnType, DatabaseName, TableFormat, TableName, TableRows, UserName, WarningKind,
};
use storage::ListedObject;

use crate::Catalog;
use crate::csv::column_name;
use crate::csv::dialect::delimiter_from_name;
use crate::csv::infer::TypeInference;
use crate::deadline::{REQUEST_DEADLINE, within};
use crate::error::{CatalogError, Result};
use crate::layout::{Layout, Scope};
use crate::preview::cache::{CachedFacts, CachedRows};
use crate::preview::estimate_rows;
use crate::row_index::{INDEX_MIN_BYTES, TableIndex};
use crate::stats::TableStats;

use crate::jsonl::jsonl_rows;
use crate::parquet_files::read_rows as read_parquet_rows;
pub use read::{FROM_START_BYTES, MAX_PAGE_READ_BYTES, SEQUENTIAL_PAGE_BYTES};
use read::{ParsedRows, rows_from_start, rows_in_range};

impl Catalog {
    /// Data rows `offset..offset + limit` (0-based, the header not counted) of `table` in
    /// `database` (the default one of that name, else the user's own). Past the last row:
    /// no rows. A table without its row index yet answers pages within its first
    /// [`FROM_START_BYTES`] and [`CatalogError::IndexBuilding`] for deeper ones.
    /// Gives up with a storage error (503) when S3 has not answered within
    /// [`REQUEST_DEADLINE`].
    pub async fn table_rows(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        let work = self.rows_unbounded(user, database, table, offset, limit);
        within(REQUEST_DEADLINE, "rows", table.as_str(), work).await
    }

    /// The work of the call above, without its deadline.
    async fn rows_unbounded(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        let (scope, listing, listed_table) = self.find_table(user, database, table).await?;
        let object = &listed_table.object;
        let format = listed_table.format;
        let layout = Layout::of(self.store());
        let key = object.key.clone();
        if let Some(cached) = self.caches().rows(&key, &object.version, offset, limit) {
            return Ok(cached.page.clone());
        }
        let page = PageOf {
            database,
            table,
            object,
            format,
            is_default: scope == Scope::Default,
        };
        if format == TableFormat::Parquet {
            let rows = self.parquet_rows(&page, offset, limit).await?;
            self.cache_rows(object, offset, limit, &rows);
            return Ok(rows);
        }
        let meta_listed = |key: String| listing.meta.iter().any(|meta| meta.key == key);
        let listed = Listed {
            stats: meta_listed(layout.stats_key(&scope, database, table)),
            index: format.has_random_access()
                && object.size > INDEX_MIN_BYTES
                && meta_listed(layout.index_key(&scope, database, table)),
        };
        let facts = self
            .table_facts(&scope, database, table, object, listed)
            .await?;
        // Asked on every page without them (not only when the facts are read), so a scan
        // that failed or found the queue full is tried again; one that runs is not doubled.
        let wants_index = format.has_random_access() && object.size > INDEX_MIN_BYTES;
        if facts.index.is_none() && (wants_index || facts.stats.is_none()) {
            self.scan_in_background(&scope, database, &listed_table);
        }
        let rows = match (&facts.index, &facts.stats) {
            (Some(index), _) => self.rows_by_index(&page, index, offset, limit).await?,
            (None, stats) if format == TableFormat::Jsonl => {
                self.jsonl_rows(&page, stats.as_ref(), offset, limit)
                    .await?
            }
            (None, stats) => {
                self.rows_from_start(&page, stats.as_ref(), offset, limit)
                    .await?
            }
        };
        self.cache_rows(object, offset, limit, &rows);
        Ok(rows)
    }

    fn cache_rows(&self, object: &ListedObject, offset: u64, limit: usize, rows: &TableRows) {
        self.caches().store_rows(
            &object.key,
            offset,
            limit,
            CachedRows {
                version: object.version.clone(),
                page: rows.clone(),
            },
        );
    }

    /// A page of a Parquet table: its footer, then the pages of the row groups that hold
    /// the rows (`crate::parquet_files`).
    async fn parquet_rows(
        &self,
        page: &PageOf<'_>,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        let read = read_parquet_rows(self.store(), page.object, offset, limit, usize::MAX).await?;
        let parsed = ParsedRows {
            rows: read.rows,
            ..ParsedRows::default()
        };
        Ok(page.answer(offset, read.columns, (read.row_count, true), parsed))
    }

    /// A page of a JSON Lines table, read from its start up to [`SEQUENTIAL_PAGE_BYTES`].
    async fn jsonl_rows(
        &self,
        page: &PageOf<'_>,
        stats: Option<&TableStats>,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        let read = jsonl_rows(
            self.store(),
            page.object,
            offset,
            limit,
            SEQUENTIAL_PAGE_BYTES,
            self.head_budget(),
        )
        .await?;
        if read.cut_short && read.rows.is_empty() {
            return Err(out_of_reach(page.table, read.rows_read));
        }
        let columns = columns_of(&read.columns, &read.rows);
        let count = match stats {
            Some(stats) => (stats.row_count, true),
            None if read.whole_object => (read.rows_read, true),
            None => (
                estimate_rows(page.object.size, 0, read.rows_end, read.rows_read, None),
                false,
            ),
        };
        let parsed = ParsedRows {
            rows: read.rows,
            ..ParsedRows::default()
        };
        Ok(page.answer(offset, columns, count, parsed))
    }

    /// The table's statistics and row index for the listed version (cached).
    async fn table_facts(
        &self,
        scope: &Scope,
        database: &DatabaseName,
        table: &TableName,
        object: &ListedObject,
        listed: Listed,
    ) -> Result<Arc<CachedFacts>> {
        if let Some(facts) = self.caches().facts(&object.key, &object.version) {
            return Ok(facts);
        }
        let layout = Layout::of(self.store());
        let index = if listed.index {
            let key = layout.index_key(scope, database, table);
            self.read_sidecar(&key, TableIndex::parse)
                .await
                .filter(|index| index.describes(&object.version))
        } else {
            None
        };
        let stats = match &index {
            Some(index) => Some(index.stats.clone()),
            None if listed.stats => {
                let key = layout.stats_key(scope, database, table);
                self.read_stats(&key, &object.version).await
            }
            None => None,
        };
        let facts = CachedFacts {
            version: object.version.clone(),
            stats,
            index,
        };
        Ok(self.caches().store_facts(&object.key, facts))
    }

    async fn rows_by_index(
        &self,
        page: &PageOf<'_>,
        index: &TableIndex,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        let stats = &index.stats;
        let parsed = if offset >= stats.row_count {
            ParsedRows::default()
        } else {
            let range = index.page_range(offset, limit as u64);
            let delimiter = delimiter_from_name(&stats.delimiter);
            rows_in_range(
                self.store(),
                page.object,
                range,
                limit,
                delimiter,
                stats.columns.len(),
            )
            .await?
        };
        Ok(page.answer(
            offset,
            stats.columns.clone(),
            (stats.row_count, true),
            parsed,
        ))
    }

    async fn rows_from_start(
        &self,
        page: &PageOf<'_>,
        stats: Option<&TableStats>,
        offset: u64,
        limit: usize,
    ) -> Result<TableRows> {
        if let Some(stats) = stats.filter(|stats| offset >= stats.row_count) {
            return Ok(page.answer(
                offset,
                stats.columns.clone(),
                (stats.row_count, true),
                ParsedRows::default(),
            ));
        }
        let delimiter = stats.map(|stats| delimiter_from_name(&stats.delimiter));
        let sequential = !page.format.has_random_access();
        let cap = if sequential {
            SEQUENTIAL_PAGE_BYTES
        } else {
            FROM_START_BYTES
        };
        let read = rows_from_start(
            self.store(),
            page.object,
            page.format,
            offset,
            limit,
            cap,
            delimiter,
            self.head_budget(),
        )
        .await?;
        if read.parsed.cut_short && read.parsed.rows.is_empty() && sequential {
            return Err(out_of_reach(page.table, read.rows_read));
        }
        if read.parsed.cut_short && read.parsed.rows.is_empty() {
            return Err(CatalogError::IndexBuilding {
                table: page.table.to_string(),
                percent: self.scan_progress(&page.object.key).unwrap_or(0),
                reachable: read.rows_read,
            });
        }
        let columns = match stats {
            Some(stats) if stats.columns.len() == read.header.len() => stats.columns.clone(),
            _ => columns_of(&read.header, &read.parsed.rows),
        };
        let count = match stats {
            Some(stats) => (stats.row_count, true),
            None if read.whole_object => (read.rows_read, true),
            None => (
                estimate_rows(
                    page.object.size,
                    read.header_end,
                    read.rows_end,
                    read.rows_read,
                    read.compressed_per_text_byte,
                ),
                false,
            ),
        };
        Ok(page.answer(offset, columns, count, read.parsed))
    }
}

/// Which of the table's sidecars the listing shows.
#[derive(Debug, Clone, Copy)]
struct Listed {
    stats: bool,
    index: bool,
}

/// Rows past those a table read from its start reaches.
fn out_of_reach(table: &TableName, reachable: u64) -> CatalogError {
    CatalogError::RowsOutOfReach {
        table: table.to_string(),
        reachable,
        limit_mib: SEQUENTIAL_PAGE_BYTES >> 20,
    }
}

/// The table a page is read from.
struct PageOf<'a> {
    database: &'a DatabaseName,
    table: &'a TableName,
    object: &'a ListedObject,
    format: TableFormat,
    is_default: bool,
}

impl PageOf<'_> {
    fn answer(
        &self,
        offset: u64,
        columns: Vec<Column>,
        (row_count, row_count_exact): (u64, bool),
        parsed: ParsedRows,
    ) -> TableRows {
        let mut warnings = Vec::new();
        if parsed.invalid_utf8 {
            warnings.push(WarningKind::InvalidUtf8.into());
        }
        if parsed.cut_short {
            warnings.push(
                WarningKind::LongRows {
                    limit_mib: MAX_PAGE_READ_BYTES / (1024 * 1024),
                    complete_rows: parsed.rows.len() as u64,
                }
                .into(),
            );
        }
        TableRows {
            database: self.database.clone(),
            table: self.table.clone(),
            format: self.format,
            columns,
            offset,
            rows: parsed.rows,
            row_count,
            row_count_exact,
            ragged_rows: parsed.ragged,
            size_bytes: self.object.size,
            is_default: self.is_default,
            warnings,
        }
    }
}

/// Columns named by the header, typed by the rows at hand (no statistics yet).
fn columns_of(header: &[String], rows: &[Vec<String>]) -> Vec<Column> {
    let mut types = vec![TypeInference::default(); header.len()];
    for row in rows {
        for (column, cell) in types.iter_mut().zip(row) {
            column.observe(cell);
        }
    }
    header
        .iter()
        .enumerate()
        .map(|(index, raw)| Column {
            name: column_name(raw, index).name,
            column_type: types
                .get(index)
                .map_or(ColumnType::Text, TypeInference::result),
        })
        .collect()
}
