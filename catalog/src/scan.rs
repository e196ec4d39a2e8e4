//! The whole-file scan of a table another tool wrote: its exact row count, profile (types
//! over every row, ragged rows, encoding) and row marks (the sparse row index), read with parallel ranged GETs and parsed
//! on all cores, in bounded memory.
//!
//! The object is read in chunks of [`ScanSettings::chunk_bytes`], several at once, and
//! handed on in file order. A chunk may start anywhere, even inside a quoted field, so a
//! fast boundary scan ([`RecordScanner`], memchr speed) runs over each chunk in order: it
//! carries the quote state across the join and finds where the chunk's first and last
//! records end. The whole records between them go to a worker thread to be parsed (the
//! expensive part); the header and each record that straddles two chunks are parsed here,
//! in order. Each worker ([`Parsers`]) keeps one profile for all the chunks it is given, so
//! a column's switch from exact counts to sketches happens once per worker rather than once
//! per chunk; their profiles are added at the end. Memory: the chunks being fetched and
//! parsed (at most [`ScanSettings::parsers`] at once), plus one straddling record of at
//! most [`ScanSettings::max_straddling_record`] bytes (a longer one is still counted, but
//! its fields are not looked at).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use storage::{ObjectVersion, Store};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::csv::join::Joiner;
use crate::csv::profile::{
    ColumnProfiling, PieceParser, PieceProfile, PiecesProfiler, TableProfile,
};
use crate::error::{CatalogError, Result};

/// How a scan divides its work.
#[derive(Debug, Clone, Copy)]
pub struct ScanSettings {
    /// Bytes per ranged GET.
    pub chunk_bytes: u64,
    /// Ranged GETs in flight at once.
    pub reads_in_flight: usize,
    /// Chunks parsed at once (on blocking threads).
    pub parsers: usize,
    /// The longest record that may straddle chunks and still be parsed.
    pub max_straddling_record: usize,
    /// Whether each column is profiled too.
    pub column_profiling: ColumnProfiling,
}

impl Default for ScanSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            chunk_bytes: 8 * 1024 * 1024,
            reads_in_flight: 4,
            parsers: cores,
            max_straddling_record: 16 * 1024 * 1024,
            column_profiling: ColumnProfiling::On,
        }
    }
}

/// Scans the object `key` of `size` bytes, exactly the version `version` (a changed object
/// fails the read rather than mixing two versions).
pub async fn scan_table(
    store: &Store,
    key: &str,
    size: u64,
    version: &ObjectVersion,
    settings: ScanSettings,
) -> Result<TableProfile> {
    scan_table_reporting(store, key, size, version, settings, &AtomicU64::new(0)).await
}

/// [`scan_table`], adding the bytes of each chunk joined to `bytes_done` as it goes.
pub async fn scan_table_reporting(
    store: &Store,
    key: &str,
    size: u64,
    version: &ObjectVersion,
    settings: ScanSettings,
    bytes_done: &AtomicU64,
) -> Result<TableProfile> {
    let chunk_bytes = settings.chunk_bytes.max(64 * 1024);
    let ranges: Vec<Range<u64>> = (0..size.div_ceil(chunk_bytes))
        .map(|index| index * chunk_bytes..((index + 1) * chunk_bytes).min(size))
        .collect();
    let etag = version.etag.clone();
    let mut chunks = futures::stream::iter(ranges)
        .map(|range| {
            let (store, key, etag) = (store.clone(), key.to_owned(), etag.clone());
            async move {
                let body = store.read(&key, Some(range), etag.as_deref()).await?;
                Ok::<Bytes, CatalogError>(body.collect().await?)
            }
        })
        .buffered(settings.reads_in_flight.max(1));

    let mut joiner: Option<Joiner> = None;
    let mut parsers: Option<Parsers> = None;
    while let Some(chunk) = chunks.try_next().await? {
        // The first chunk holds the first 64 KiB (or the whole file): enough to detect.
        // Statistics keep no line numbers, so the scan does not count them.
        let joiner = joiner.get_or_insert_with(|| {
            Joiner::new(&chunk, settings.max_straddling_record)
                .without_line_numbers()
                .with_column_profiling(settings.column_profiling)
        });
        let joined = joiner.join(&chunk);
        bytes_done.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let Some(whole) = joined else {
            continue;
        };
        let parsers = parsers.get_or_insert_with(|| Parsers::start(joiner, settings));
        parsers
            .parse(chunk.slice(whole.range), whole.first_line)
            .await?;
    }
    let Some(mut joiner) = joiner else {
        return Ok(PiecesProfiler::new(b',', settings.column_profiling).finish(true));
    };
    if let Some(parsers) = parsers {
        for piece in parsers.finish().await? {
            joiner.add(piece);
        }
    }
    let profile = joiner.finish(false);
    if profile.records_too_long > 0 {
        tracing::info!(
            key,
            records = profile.records_too_long,
            limit = settings.max_straddling_record,
            "records longer than the limit were counted but not parsed"
        );
    }
    Ok(profile)
}

/// The scan of a compressed object (`.csv.gz`, `.csv.zst`): a compressed stream cannot be
/// split, so it is decoded from one streamed GET, in order, and its text profiled beside
/// the download (the same profiler as a table being written, with its bounded queue).
/// Counts what a plain table's scan counts, except the row index: offsets in the text do
/// not lead into the object, so none is kept. `bytes_done` counts the object's bytes.
pub async fn scan_compressed(
    store: &Store,
    key: &str,
    version: &ObjectVersion,
    compression: shared::Compression,
    column_profiling: ColumnProfiling,
    bytes_done: &std::sync::Arc<AtomicU64>,
) -> Result<TableProfile> {
    use tokio::io::AsyncReadExt;
    let body = store.read(key, None, version.etag.as_deref()).await?;
    let bytes_done = std::sync::Arc::clone(bytes_done);
    let counted = tokio_util::io::StreamReader::new(Box::pin(
        body.into_stream()
            .inspect_ok(move |chunk| {
                bytes_done.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            })
            .map_err(std::io::Error::other),
    ));
    let mut text = crate::decompress::DecodedReader::new(compression, counted, u64::MAX, || false);
    let failure = text.progress();
    let mut profiler = crate::tables::BackgroundProfiler::start(column_profiling);
    loop {
        let mut chunk = bytes::BytesMut::zeroed(256 * 1024);
        let read = text.read(&mut chunk).await.map_err(|error| {
            crate::decompress::decode_or_read_error(Some(&failure), key, &error)
        })?;
        if read == 0 {
            break;
        }
        chunk.truncate(read);
        profiler.feed(chunk.freeze()).await?;
    }
    let mut profile = profiler.finish().await?;
    profile.row_marks = Default::default();
    Ok(profile)
}

/// Whole records of one chunk, and the right to be parsed now (one of
/// [`ScanSettings::parsers`]).
struct Piece {
    records: Bytes,
    first_line: u64,
    _turn: OwnedSemaphorePermit,
}

/// The scan's workers on the blocking pool: chunk `k` goes to worker `k % parsers`, which
/// adds it to the one profile it keeps; at most `parsers` chunks are held at once.
struct Parsers {
    queues: Vec<mpsc::Sender<Piece>>,
    workers: Vec<JoinHandle<PieceProfile>>,
    turns: Arc<Semaphore>,
    pieces: usize,
}

impl Parsers {
    /// Workers for the file `joiner` has read the header of.
    fn start(joiner: &Joiner, settings: ScanSettings) -> Self {
        let count = settings.parsers.max(1);
        let (delimiter, header) = (joiner.delimiter(), joiner.header());
        let (queues, workers) = (0..count)
            .map(|_| {
                let (queue, mut pieces) = mpsc::channel::<Piece>(1);
                let header = header.clone();
                let worker = tokio::task::spawn_blocking(move || {
                    let mut parser =
                        PieceParser::new(delimiter, &header, settings.column_profiling);
                    while let Some(piece) = pieces.blocking_recv() {
                        parser.parse(&piece.records, piece.first_line);
                    }
                    parser.finish()
                });
                (queue, worker)
            })
            .unzip();
        Self {
            queues,
            workers,
            turns: Arc::new(Semaphore::new(count)),
            pieces: 0,
        }
    }

    /// Hands whole records to the next worker; waits while `parsers` chunks are held.
    async fn parse(&mut self, records: Bytes, first_line: u64) -> Result<()> {
        let turn = Arc::clone(&self.turns)
            .acquire_owned()
            .await
            .map_err(|error| parser_failed(error.to_string()))?;
        let queue = &self.queues[self.pieces % self.queues.len()];
        self.pieces += 1;
        queue
            .send(Piece {
                records,
                first_line,
                _turn: turn,
            })
            .await
            .map_err(|_| parser_failed("it stopped taking chunks".to_owned()))
    }

    /// Each worker's profile, once it has parsed all it was given.
    async fn finish(self) -> Result<Vec<PieceProfile>> {
        drop(self.queues);
        let mut profiles = Vec::with_capacity(self.workers.len());
        for worker in self.workers {
            profiles.push(
                worker
                    .await
                    .map_err(|error| parser_failed(error.to_string()))?,
            );
        }
        Ok(profiles)
    }
}

fn parser_failed(detail: String) -> CatalogError {
    CatalogError::TaskFailed {
        task: "a scan's parser",
        detail,
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::csv::profile::TableProfiler;

    /// The joiner's result for `bytes` cut into chunks of `chunk` bytes, pieces parsed in
    /// place of the workers.
    fn joined(bytes: &[u8], chunk: usize, max_record: usize) -> TableProfile {
        let mut joiner = Joiner::new(bytes, max_record);
        for piece in bytes.chunks(chunk) {
            if let Some(whole) = joiner.join(piece) {
                let (delimiter, header) = (joiner.delimiter(), joiner.header());
                let records = &piece[whole.range];
                joiner.add(PieceProfile::of_records(
                    records,
                    delimiter,
                    &header,
                    whole.first_line,
                    ColumnProfiling::On,
                ));
            }
        }
        joiner.finish(bytes.is_empty())
    }

    /// One pass over the whole file as one chunk.
    fn sequential(bytes: &[u8]) -> TableProfile {
        let mut profiler = TableProfiler::new();
        profiler.feed(bytes);
        profiler.finish()
    }

    #[test]
    fn quoted_line_breaks_across_chunk_borders_count_once() {
        let csv = b"id,note\n1,\"a\nb\nc\"\n2,\"x,\"\"y\"\"\r\nz\"\n3,plain\n";
        for chunk in 1..csv.len() {
            let profile = joined(csv, chunk, 1024);
            assert_eq!(profile, sequential(csv), "chunks of {chunk}");
            assert_eq!(profile.row_count, 3);
        }
    }

    #[test]
    fn a_record_longer_than_the_limit_is_counted_not_parsed() {
        let csv = b"id,note\n1,short\n2,\"a very long note that straddles\"\n3,x\n";
        let profile = joined(csv, 9, 12);
        assert_eq!(profile.row_count, 3);
        assert_eq!(profile.records_too_long, 1);
        assert_eq!(sequential(csv).row_count, 3);
        assert_eq!(sequential(csv).records_too_long, 0);
    }

    /// Files with quoted fields holding line ends, doubled quotes, `\r\n`, empty lines and
    /// ragged rows, cut into chunks of every small size: the same profile (count, types,
    /// ragged rows, delimiter) as the sequential profiler reading the whole file.
    #[test]
    fn the_same_profile_as_a_sequential_parse_wherever_chunks_are_cut() {
        let mut random = StdRng::seed_from_u64(0x5CA7);
        let cells = [
            "1",
            "2.5",
            "true",
            "2024-01-02",
            "\"a\nb\"",
            "\"x,\"\"y\"\"\"",
            "\"\r\n\"",
            "",
            "007",
            "text",
        ];
        for case in 0..400 {
            let delimiter = [",", ";", "\t", "|"][case % 4];
            let columns = random.random_range(1..4);
            let mut csv: String = (0..columns)
                .map(|column| format!("c{column}"))
                .collect::<Vec<_>>()
                .join(delimiter);
            for _ in 0..random.random_range(0..12) {
                let width = if random.random_bool(0.1) {
                    columns + 1
                } else {
                    columns
                };
                let row: Vec<&str> = (0..width)
                    .map(|_| cells[random.random_range(0..cells.len())])
                    .collect();
                let end = ["\n", "\r\n", "\n\n"][random.random_range(0..3)];
                csv.push_str(end);
                csv.push_str(&row.join(delimiter));
            }
            if random.random_bool(0.5) {
                csv.push('\n');
            }
            let bytes = csv.as_bytes();
            let expected = sequential(bytes);
            for chunk in [1, 2, 3, 5, 8, 13, 64, bytes.len().max(1)] {
                assert_eq!(
                    joined(bytes, chunk, 1 << 20),
                    expected,
                    "case {case}, chunks of {chunk}: {csv:?}"
                );
            }
        }
    }

    /// A chunk's buffer that counts how many such buffers are alive.
    struct Counted {
        bytes: Vec<u8>,
        alive: Arc<std::sync::atomic::AtomicUsize>,
    }

    impl AsRef<[u8]> for Counted {
        fn as_ref(&self) -> &[u8] {
            &self.bytes
        }
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.alive.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Chunks handed on much faster than they are parsed: never more than `parsers` are
    /// held at once (the bound is reached, and not passed), and all are let go at the end.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_parsers_hold_at_most_their_number_of_chunks() {
        let header = "id,name,amount\n";
        let rows: String = (0..20_000)
            .map(|row| format!("{row},name {row},{}.5\n", row % 977))
            .collect();
        let mut joiner = Joiner::new(header.as_bytes(), 1024);
        joiner.join(header.as_bytes());
        let settings = ScanSettings {
            parsers: 2,
            ..ScanSettings::default()
        };
        let mut parsers = Parsers::start(&joiner, settings);
        let alive = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut most_alive = 0;
        for _ in 0..24 {
            alive.fetch_add(1, Ordering::SeqCst);
            let chunk = Bytes::from_owner(Counted {
                bytes: rows.clone().into_bytes(),
                alive: Arc::clone(&alive),
            });
            parsers.parse(chunk, 2).await.unwrap();
            most_alive = most_alive.max(alive.load(Ordering::SeqCst));
        }
        let rows_parsed: u64 = parsers
            .finish()
            .await
            .unwrap()
            .iter()
            .map(|piece| piece.rows)
            .sum();
        assert_eq!(rows_parsed, 24 * 20_000);
        assert_eq!(most_alive, settings.parsers, "chunks held at once, at most");
        assert_eq!(alive.load(Ordering::SeqCst), 0);
    }
}
