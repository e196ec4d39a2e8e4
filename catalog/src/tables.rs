//! Writing a table: the bytes stream to S3 (multipart) and through the profiler in one pass,
//! then the statistics are stored for the exact version the listing reports. Used by the
//! demo seed and by imports, so every table the app writes has an exact row count.

use shared::{DatabaseName, TableName};

use crate::csv::profile::{TableProfile, TableProfiler};
use crate::error::Result;
use crate::layout::{Layout, Scope};
use crate::stats::{StatsSource, TableStats};
use storage::{ObjectWriter, Store};

/// A table being written. Dropping it before [`TableWriter::finish`] aborts the upload.
pub struct TableWriter<'a> {
    store: &'a Store,
    table_key: String,
    stats_key: String,
    writer: ObjectWriter,
    profiler: TableProfiler,
}

impl<'a> TableWriter<'a> {
    pub fn new(
        store: &'a Store,
        scope: &Scope,
        database: &DatabaseName,
        table: &TableName,
    ) -> Self {
        let layout = Layout::of(store);
        let table_key = layout.table_key(scope, database, table);
        Self {
            store,
            writer: store.writer(&table_key, "text/csv; charset=utf-8"),
            stats_key: layout.stats_key(scope, database, table),
            table_key,
            profiler: TableProfiler::new(),
        }
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.profiler.feed(chunk);
        Ok(self.writer.write(chunk).await?)
    }

    pub fn bytes_written(&self) -> u64 {
        self.writer.bytes_written()
    }

    /// Completes the object, then stores its statistics.
    pub async fn finish(self) -> Result<(TableStats, TableProfile)> {
        let (profile, pending) = self.finish_profile();
        let stats = pending.publish(&profile).await?;
        Ok((stats, profile))
    }

    /// Ends the profile without making the object visible yet: the caller can check the
    /// profile, then [`PendingTable::publish`] it, or drop it to abort the upload.
    pub fn finish_profile(self) -> (TableProfile, PendingTable<'a>) {
        let profile = self.profiler.finish();
        let pending = PendingTable {
            store: self.store,
            table_key: self.table_key,
            stats_key: self.stats_key,
            writer: self.writer,
        };
        (profile, pending)
    }
}

/// A table whose bytes are all uploaded but not yet visible. Dropping it aborts the upload,
/// so readers keep seeing the table as it was.
pub struct PendingTable<'a> {
    store: &'a Store,
    table_key: String,
    stats_key: String,
    writer: ObjectWriter,
}

impl PendingTable<'_> {
    /// Makes the object visible in one step (S3 completes an upload atomically), then
    /// stores its statistics for the version now listed.
    pub async fn publish(self, profile: &TableProfile) -> Result<TableStats> {
        self.writer.finish().await?;
        let listed = self.store.require_listed(&self.table_key).await?;
        let stats = TableStats::from_profile(profile, listed.version, StatsSource::Write);
        self.store
            .put(&self.stats_key, stats.to_json(), "application/json")
            .await?;
        Ok(stats)
    }
}
