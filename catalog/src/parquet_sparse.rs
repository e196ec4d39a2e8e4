//! Rows of a Parquet file that has no offset index (pyarrow, polars and DuckDB write none
//! unless asked): without one, nothing says where a column chunk's pages are, and the
//! async reader fetches whole column chunks (a row group can be a gigabyte). Pages are
//! read in order instead, each from its header, so rows near the start of a row group need
//! only the start of each column chunk.
//!
//! [`SparseFile`] holds the prefixes fetched so far (a `ChunkReader` over them); the sync
//! reader decodes from it, one column at a time, and each column whose prefix is short says
//! how far it needs; those prefixes grow (fetched with ranged GETs, close ones joined) and
//! the round starts again, until the rows are read or
//! [`crate::parquet_files::MAX_PAGE_BYTES`] would be passed. The first guess covers each
//! chunk's dictionary page and the share of its data the rows asked for lie in, so one or
//! two rounds do.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;
use bytes::{Buf, Bytes};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};
use storage::{ListedObject, Store};

use crate::error::{CatalogError, Result};
use crate::parquet_files::{JOIN_GAP_BYTES, MAX_PAGE_BYTES, join_ranges};

/// Data pages fetched at first after a chunk's dictionary: one page at writers' default
/// page size (1 MiB), with room for the rows written past it.
const FIRST_DATA_BYTES: u64 = 1280 * 1024;
/// The least of a chunk's data pages fetched at first, however wide the table.
const MIN_DATA_BYTES: u64 = 64 * 1024;
/// What the first round fetches at most, dictionaries apart (later rounds fetch what was
/// short, up to the page bound).
const FIRST_ROUND_BYTES: u64 = 8 * 1024 * 1024;
/// Bytes of a chunk fetched past what the rows' share of it suggests.
const PREFIX_SLACK_BYTES: u64 = 128 * 1024;

/// The bytes fetched of a file: prefixes of column chunks, by offset.
struct SparseFile {
    size: u64,
    segments: BTreeMap<u64, Bytes>,
    /// Where the last read that ran out of bytes wanted to read up to, or started.
    short: Mutex<Option<Short>>,
}

#[derive(Debug, Clone, Copy)]
enum Short {
    /// `get_bytes` wanted bytes up to this offset.
    Bytes { end: u64 },
    /// `get_read` started here (a page header read may have run past the prefix).
    Read { start: u64 },
}

impl SparseFile {
    fn segment(&self, start: u64) -> Option<(u64, &Bytes)> {
        let (&offset, bytes) = self.segments.range(..=start).next_back()?;
        (start < offset + bytes.len() as u64).then_some((offset, bytes))
    }

    fn note(&self, short: Short) {
        if let Ok(mut slot) = self.short.lock() {
            *slot = Some(short);
        }
    }
}

impl Length for SparseFile {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for SparseFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        self.note(Short::Read { start });
        match self.segment(start) {
            Some((offset, bytes)) => Ok(bytes
                .slice(usize::try_from(start - offset).unwrap_or(0)..)
                .reader()),
            None => Err(ParquetError::NeedMoreData(0)),
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let end = start + length as u64;
        if let Some((offset, bytes)) = self.segment(start)
            && end <= offset + bytes.len() as u64
        {
            let from = usize::try_from(start - offset).unwrap_or(0);
            return Ok(bytes.slice(from..from + length));
        }
        self.note(Short::Bytes { end });
        Err(ParquetError::NeedMoreData(length))
    }
}

/// Rows `skip..skip + limit` of row groups `groups` (in order) of a file without an offset
/// index, each of `group_rows` rows.
pub async fn read_in_order(
    store: &Store,
    object: &ListedObject,
    arrow: &ArrowReaderMetadata,
    groups: &[usize],
    skip: usize,
    limit: usize,
) -> Result<Vec<RecordBatch>> {
    let metadata = arrow.metadata();
    // Each column chunk of the groups, and how much of it the first round fetches: the share
    // of it that holds the rows asked for, and a little more.
    // A chunk starts with its dictionary page (its whole length is known: it ends where the
    // data pages start), then data pages of about 1 MiB each (writers' default).
    let mut chunks: Vec<(Range<u64>, u64, u64)> = Vec::new(); // range, dictionary, data guess
    let mut rows_before = skip as u64;
    let mut rows_wanted = limit as u64;
    for &group in groups {
        let group = metadata.row_group(group);
        let rows = u64::try_from(group.num_rows()).unwrap_or(0).max(1);
        let needed_here = (rows_before + rows_wanted).min(rows);
        for column in group.columns() {
            let (start, length) = column.byte_range();
            let data_start = u64::try_from(column.data_page_offset()).unwrap_or(start);
            let dictionary = data_start.saturating_sub(start).min(length);
            let data = length - dictionary;
            let share = (data as f64 * needed_here as f64 / rows as f64).ceil() as u64;
            let guess = (share + share / 10 + PREFIX_SLACK_BYTES).max(FIRST_DATA_BYTES);
            chunks.push((start..start + length, dictionary, guess.min(data)));
        }
        rows_wanted = rows_wanted.saturating_sub(needed_here.saturating_sub(rows_before));
        rows_before = rows_before.saturating_sub(rows);
    }
    // Wide tables: the first round's data guesses shrink to fit FIRST_ROUND_BYTES.
    let dictionaries: u64 = chunks.iter().map(|(_, dictionary, _)| dictionary).sum();
    let guesses: u64 = chunks.iter().map(|(_, _, guess)| guess).sum();
    let room = FIRST_ROUND_BYTES.saturating_sub(dictionaries);
    let mut chunks: Vec<(Range<u64>, u64)> = chunks
        .into_iter()
        .map(|(range, dictionary, guess)| {
            let length = range.end - range.start;
            let guess = if guesses > room {
                ((guess as f64 * room as f64 / guesses as f64) as u64).max(MIN_DATA_BYTES)
            } else {
                guess
            };
            (range, (dictionary + guess).min(length))
        })
        .collect();
    let mut file = SparseFile {
        size: object.size,
        segments: BTreeMap::new(),
        short: Mutex::new(None),
    };
    let mut fetched = vec![0_u64; chunks.len()];
    let leaves = metadata.file_metadata().schema_descr().num_columns();
    loop {
        fetch_prefixes(store, object, &chunks, &mut fetched, &mut file).await?;
        // Each column alone first, so every chunk that is short is found in this round
        // (one read stops at the first); then all of them together.
        let shared = Arc::new(file);
        let mut shorts = Vec::new();
        let mut failure = None;
        for leaf in (0..leaves).map(Some).chain([None]) {
            if leaf.is_none() && (!shorts.is_empty() || failure.is_some()) {
                break;
            }
            match read_rows(Arc::clone(&shared), arrow, groups, skip, limit, leaf) {
                Ok(batches) if leaf.is_none() => {
                    return Ok(batches);
                }
                Ok(_) => {}
                Err(error) => match shared.short.lock().ok().and_then(|mut slot| slot.take()) {
                    Some(short) => shorts.push(short),
                    None => failure = Some(error),
                },
            }
            if let Ok(mut slot) = shared.short.lock() {
                slot.take();
            }
        }
        file = Arc::try_unwrap(shared).map_err(|_| CatalogError::TaskFailed {
            task: "a Parquet read",
            detail: "the reader kept the file".to_owned(),
        })?;
        let mut grown = false;
        for short in shorts {
            grown |= grow(&mut chunks, &fetched, short).unwrap_or(false);
        }
        if !grown {
            let detail = failure.map_or_else(
                || "a page ends past its column chunk".to_owned(),
                |error| error.to_string(),
            );
            return Err(CatalogError::Unreadable {
                key: object.key.clone(),
                detail: format!("it is not a readable Parquet file ({detail})"),
            });
        }
        let total: u64 = chunks.iter().map(|(_, want)| want).sum();
        if total > MAX_PAGE_BYTES {
            return Err(CatalogError::Unreadable {
                key: object.key.clone(),
                detail: format!(
                    "the rows asked for lie more than {} MiB into the file's column chunks, \
                     and it has no page index to find them by",
                    MAX_PAGE_BYTES >> 20
                ),
            });
        }
    }
}

/// The read itself, from what is fetched so far: of one leaf column, or of all.
fn read_rows(
    file: Arc<SparseFile>,
    arrow: &ArrowReaderMetadata,
    groups: &[usize],
    skip: usize,
    limit: usize,
    leaf: Option<usize>,
) -> parquet::errors::Result<Vec<RecordBatch>> {
    let schema = arrow.metadata().file_metadata().schema_descr();
    let projection = match leaf {
        Some(leaf) => ProjectionMask::leaves(schema, [leaf]),
        None => ProjectionMask::all(),
    };
    // The reader owns a handle to the file; it is dropped before this returns.
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(ArcFile(file), arrow.clone())
        .with_projection(projection)
        .with_row_groups(groups.to_vec())
        .with_offset(skip)
        .with_limit(limit)
        .with_batch_size(limit.max(1))
        .build()?;
    reader
        .map(|batch| batch.map_err(|error| ParquetError::General(error.to_string())))
        .collect()
}

/// Grows the prefix of the chunk a short read was in; `false` when it was whole already
/// (the file itself is broken there).
fn grow(chunks: &mut [(Range<u64>, u64)], fetched: &[u64], short: Short) -> Option<bool> {
    let at = match short {
        Short::Bytes { end } => end.saturating_sub(1),
        Short::Read { start } => start,
    };
    let index = chunks.iter().position(|(range, _)| range.contains(&at))?;
    let (range, want) = &mut chunks[index];
    let length = range.end - range.start;
    if fetched[index] >= length {
        return Some(false);
    }
    let needed = match short {
        Short::Bytes { end } => end - range.start + PREFIX_SLACK_BYTES,
        Short::Read { .. } => 0,
    };
    *want = (*want * 2).max(needed).min(length);
    Some(true)
}

/// Fetches what each chunk's prefix lacks, ranges close together in one GET.
async fn fetch_prefixes(
    store: &Store,
    object: &ListedObject,
    chunks: &[(Range<u64>, u64)],
    fetched: &mut [u64],
    file: &mut SparseFile,
) -> Result<()> {
    let missing: Vec<Range<u64>> = chunks
        .iter()
        .zip(fetched.iter())
        .filter(|((_, want), have)| want > have)
        .map(|((range, want), have)| range.start + have..range.start + want)
        .collect();
    let spans = join_ranges(&missing, JOIN_GAP_BYTES);
    let etag = object.version.etag.as_deref();
    let reads = spans.iter().map(|span| async move {
        let body = store.read(&object.key, Some(span.clone()), etag).await?;
        Ok::<_, CatalogError>((span.start, body.collect().await?))
    });
    for (start, bytes) in futures::future::try_join_all(reads).await? {
        file.segments.insert(start, bytes);
    }
    // Segments that touch are joined, so a prefix is one slice however it grew.
    let mut joined: BTreeMap<u64, Bytes> = BTreeMap::new();
    for (start, bytes) in std::mem::take(&mut file.segments) {
        match joined.iter_mut().next_back() {
            Some((&last_start, last)) if last_start + last.len() as u64 >= start => {
                let overlap = usize::try_from(last_start + last.len() as u64 - start).unwrap_or(0);
                if overlap < bytes.len() {
                    let mut whole = Vec::with_capacity(last.len() + bytes.len() - overlap);
                    whole.extend_from_slice(last);
                    whole.extend_from_slice(&bytes[overlap..]);
                    *last = Bytes::from(whole);
                }
            }
            _ => {
                joined.insert(start, bytes);
            }
        }
    }
    file.segments = joined;
    for ((range, want), have) in chunks.iter().zip(fetched.iter_mut()) {
        *have = (*want).min(range.end - range.start);
    }
    Ok(())
}

/// The sparse file behind an `Arc`, as the reader wants an owned `ChunkReader`.
struct ArcFile(Arc<SparseFile>);

impl Length for ArcFile {
    fn len(&self) -> u64 {
        self.0.len()
    }
}

impl ChunkReader for ArcFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        self.0.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.0.get_bytes(start, length)
    }
}
