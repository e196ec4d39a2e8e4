//! Writing a table: the bytes stream to S3 (multipart) and through the profiler in one pass,
//! then the statistics, the row index and the column profiles are stored for the exact
//! version the listing reports. Used by the
//! demo seed and by imports, so every table the app writes has an exact row count.
//!
//! The profile is computed off the path from the network to S3, on a thread of its own that
//! cuts the text into pieces and hands them to worker threads ([`ParallelProfiler`]): each
//! chunk is handed over without a copy (`Bytes`), in batches of [`PROFILE_BATCH_BYTES`], and
//! the hand-over holds at most [`PROFILE_QUEUE_BYTES`] (the writer waits when the profiler
//! is that far behind); the profiler then holds a few pieces of
//! [`crate::csv::parallel::PIECE_BYTES`] (one filling, one per worker).

use std::sync::Arc;

use bytes::Bytes;
use shared::{DatabaseName, TableName};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::csv::parallel::ParallelProfiler;
use crate::csv::profile::{ColumnProfiling, TableProfile};
use crate::error::{CatalogError, Result};
use crate::layout::{Layout, Scope};
use crate::profiles::StoredProfile;
use crate::row_index::TableIndex;
use crate::stats::{StatsSource, TableStats};
use storage::{ObjectWriter, Store};

/// Bytes written but not yet taken by the profiler, at most (it then holds a few pieces
/// of [`crate::csv::parallel::PIECE_BYTES`] more).
pub const PROFILE_QUEUE_BYTES: usize = 4 * 1024 * 1024;

/// A table being written. Dropping it before [`TableWriter::finish`] aborts the upload.
pub struct TableWriter<'a> {
    store: &'a Store,
    table_key: String,
    sidecars: SidecarKeys,
    writer: ObjectWriter,
    profiler: BackgroundProfiler,
}

/// Where a table's statistics, row index and column profiles go.
#[derive(Debug, Clone)]
pub(crate) struct SidecarKeys {
    pub stats: String,
    pub index: String,
    pub profile: String,
}

impl SidecarKeys {
    pub(crate) fn of(
        layout: &Layout<'_>,
        scope: &Scope,
        database: &DatabaseName,
        table: &TableName,
    ) -> Self {
        Self {
            stats: layout.stats_key(scope, database, table),
            index: layout.index_key(scope, database, table),
            profile: layout.profile_key(scope, database, table),
        }
    }
}

/// Chunks are handed to the profiler in batches of about this many bytes (one wake-up of
/// its thread per batch, not per network read).
const PROFILE_BATCH_BYTES: usize = 256 * 1024;

/// A [`ParallelProfiler`] on a blocking thread (its workers beside it), fed through a
/// queue bounded in bytes.
pub(crate) struct BackgroundProfiler {
    queue: mpsc::UnboundedSender<(Vec<Bytes>, OwnedSemaphorePermit)>,
    room: Arc<Semaphore>,
    task: JoinHandle<TableProfile>,
    batch: Vec<Bytes>,
    batch_bytes: usize,
}

impl BackgroundProfiler {
    pub(crate) fn start(column_profiling: ColumnProfiling) -> Self {
        let (queue, mut batches) = mpsc::unbounded_channel::<(Vec<Bytes>, OwnedSemaphorePermit)>();
        let task = tokio::task::spawn_blocking(move || {
            std::thread::scope(|scope| {
                let mut profiler = ParallelProfiler::start(scope, column_profiling);
                while let Some((batch, _room)) = batches.blocking_recv() {
                    for chunk in batch {
                        profiler.feed(&chunk);
                    }
                }
                profiler.finish()
            })
        });
        Self {
            queue,
            room: Arc::new(Semaphore::new(PROFILE_QUEUE_BYTES)),
            task,
            batch: Vec::new(),
            batch_bytes: 0,
        }
    }

    /// Queues a chunk; waits while the queue is full.
    pub(crate) async fn feed(&mut self, chunk: Bytes) -> Result<()> {
        self.batch_bytes += chunk.len();
        self.batch.push(chunk);
        if self.batch_bytes >= PROFILE_BATCH_BYTES {
            self.send_batch().await?;
        }
        Ok(())
    }

    async fn send_batch(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let permits =
            u32::try_from(self.batch_bytes.clamp(1, PROFILE_QUEUE_BYTES)).unwrap_or(u32::MAX);
        let room = Arc::clone(&self.room)
            .acquire_many_owned(permits)
            .await
            .map_err(|error| profiler_failed(error.to_string()))?;
        self.batch_bytes = 0;
        self.queue
            .send((std::mem::take(&mut self.batch), room))
            .map_err(|_| profiler_failed("it stopped taking bytes".to_owned()))
    }

    pub(crate) async fn finish(mut self) -> Result<TableProfile> {
        self.send_batch().await?;
        drop(self.queue);
        self.task
            .await
            .map_err(|error| profiler_failed(error.to_string()))
    }
}

fn profiler_failed(detail: String) -> CatalogError {
    CatalogError::TaskFailed {
        task: "the profiler of a table being written",
        detail,
    }
}

impl<'a> TableWriter<'a> {
    pub fn new(
        store: &'a Store,
        scope: &Scope,
        database: &DatabaseName,
        table: &TableName,
    ) -> Self {
        Self::with(store, scope, database, table, ColumnProfiling::On)
    }

    /// A writer that profiles columns or not (benchmarks measure what profiles cost).
    pub fn with(
        store: &'a Store,
        scope: &Scope,
        database: &DatabaseName,
        table: &TableName,
        column_profiling: ColumnProfiling,
    ) -> Self {
        let layout = Layout::of(store);
        let table_key = layout.table_key(scope, database, table);
        Self {
            store,
            writer: store.writer(&table_key, "text/csv; charset=utf-8"),
            sidecars: SidecarKeys::of(&layout, scope, database, table),
            table_key,
            profiler: BackgroundProfiler::start(column_profiling),
        }
    }

    /// Appends bytes to the table (`Bytes`, `Vec<u8>` or `String`: not copied for the profile).
    pub async fn write(&mut self, chunk: impl Into<Bytes>) -> Result<()> {
        let chunk = chunk.into();
        self.profiler.feed(chunk.clone()).await?;
        Ok(self.writer.write(&chunk).await?)
    }

    pub fn bytes_written(&self) -> u64 {
        self.writer.bytes_written()
    }

    /// Completes the object, then stores its statistics.
    pub async fn finish(self) -> Result<(TableStats, TableProfile)> {
        let (profile, pending) = self.finish_profile().await?;
        let stats = pending.publish(&profile).await?;
        Ok((stats, profile))
    }

    /// Ends the profile without making the object visible yet: the caller can check the
    /// profile, then [`PendingTable::publish`] it, or drop it to abort the upload.
    pub async fn finish_profile(self) -> Result<(TableProfile, PendingTable<'a>)> {
        let profile = self.profiler.finish().await?;
        let pending = PendingTable {
            store: self.store,
            table_key: self.table_key,
            sidecars: self.sidecars,
            writer: self.writer,
        };
        Ok((profile, pending))
    }
}

/// A table whose bytes are all uploaded but not yet visible. Dropping it aborts the upload,
/// so readers keep seeing the table as it was.
pub struct PendingTable<'a> {
    store: &'a Store,
    table_key: String,
    sidecars: SidecarKeys,
    writer: ObjectWriter,
}

impl PendingTable<'_> {
    /// Makes the object visible in one step (S3 completes an upload atomically), then
    /// stores its statistics, row index and column profiles for the version now listed.
    pub async fn publish(self, profile: &TableProfile) -> Result<TableStats> {
        self.writer.finish().await?;
        let listed = self.store.require_listed(&self.table_key).await?;
        let stats = TableStats::from_profile(profile, listed.version, StatsSource::Write);
        store_sidecars(self.store, &self.sidecars, profile, &stats).await?;
        Ok(stats)
    }
}

/// Stores a table's statistics, its column profiles (when the pass made them) and, for a
/// table large enough to need one, its row index (all describe the same version; each
/// alone is still correct).
pub(crate) async fn store_sidecars(
    store: &Store,
    keys: &SidecarKeys,
    profile: &TableProfile,
    stats: &TableStats,
) -> Result<()> {
    let put_if = |key: &str, json: Option<Vec<u8>>| {
        let key = key.to_owned();
        async move {
            match json {
                Some(json) => store.put(&key, json, "application/json").await,
                None => Ok(()),
            }
        }
    };
    let index = TableIndex::from_profile(profile, stats).map(|index| index.to_json());
    let profiles = StoredProfile::from_profile(profile, stats).map(|stored| stored.to_json());
    // Boxed: three S3 requests' futures side by side are large.
    tokio::try_join!(
        Box::pin(store.put(&keys.stats, stats.to_json(), "application/json")),
        Box::pin(put_if(&keys.index, index)),
        Box::pin(put_if(&keys.profile, profiles)),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(count: usize) -> Bytes {
        let mut csv = String::new();
        for n in 0..count {
            csv.push_str(&format!("{n},x\n"));
        }
        Bytes::from(csv)
    }

    #[tokio::test]
    async fn chunks_larger_than_the_queue_pass_and_the_queue_is_free_after() {
        let mut profiler = BackgroundProfiler::start(ColumnProfiling::On);
        profiler.feed(Bytes::from_static(b"n,s\n")).await.unwrap();
        let large = rows(1_200_000); // about 11 MB: more than the whole queue
        assert!(large.len() > PROFILE_QUEUE_BYTES);
        profiler.feed(large).await.unwrap();
        for _ in 0..100 {
            profiler.feed(rows(1_000)).await.unwrap();
        }
        let room = Arc::clone(&profiler.room);
        let profile = profiler.finish().await.unwrap();
        assert_eq!(profile.row_count, 1_300_000);
        assert_eq!(room.available_permits(), PROFILE_QUEUE_BYTES);
    }

    #[tokio::test]
    async fn small_chunks_go_to_the_profiler_in_batches() {
        let mut profiler = BackgroundProfiler::start(ColumnProfiling::On);
        profiler.feed(Bytes::from_static(b"n,s\n")).await.unwrap();
        for _ in 0..2_000 {
            profiler.feed(rows(100)).await.unwrap();
            // Held back here: less than one batch, whatever was fed so far.
            assert!(profiler.batch_bytes < PROFILE_BATCH_BYTES);
        }
        assert_eq!(profiler.finish().await.unwrap().row_count, 200_000);
    }
}
