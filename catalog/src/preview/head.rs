//! Reading the head of a table: the header and the first rows, parsed by csv-async from
//! ranged, streamed GETs, stopping as soon as the rows asked for are complete. The bytes
//! read depend on the rows asked for and their width, never on the object's size.
//!
//! Memory is bounded by construction: every head read pays for the ranges it fetches from
//! one budget the whole server shares ([`HEAD_READ_BUDGET_BYTES`]; a read that finds no
//! room within [`HEAD_BUDGET_WAIT`] fails as [`CatalogError::Busy`]), and what a head keeps
//! of a cell is at most [`MAX_PREVIEW_CELL_CHARS`] characters (column names
//! [`MAX_COLUMN_NAME_CHARS`]), however long the cell.

use std::io::Cursor;

use bytes::Bytes;

use std::sync::Arc;
use std::time::Duration;

use csv_async::{AsyncReader, AsyncReaderBuilder, ByteRecord};
use shared::{ColumnType, MAX_SAMPLE_ROWS, TableFormat};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::decompress::{DecodeProgress, DecodedReader, decode_or_read_error};

use crate::csv::dialect::detect_delimiter;
use crate::csv::infer::TypeInference;
use crate::csv::{UTF8_BOM, cut_text};
use crate::error::{CatalogError, Result};
use crate::stats::MAX_COLUMN_NAME_CHARS;
use storage::{ListedObject, RangeProgress, RangedReader, ReadBudget, Store};

/// The first range asked for: enough for the header and hundreds of ordinary rows.
pub const FIRST_RANGE_BYTES: u64 = 64 * 1024;
/// The most a preview reads of one object, for files whose rows are huge.
pub const MAX_HEAD_BYTES: u64 = 32 * 1024 * 1024;
/// The bytes all head reads of the server may hold at once (what they fetched and have
/// not finished with): four reads at [`MAX_HEAD_BYTES`], or hundreds of ordinary ones.
pub const HEAD_READ_BUDGET_BYTES: u64 = 4 * MAX_HEAD_BYTES;
/// The longest a head read waits for room in the budget before it answers busy.
pub const HEAD_BUDGET_WAIT: Duration = Duration::from_secs(4);
/// The most characters of a cell a preview keeps (the table page and downloads have all).
pub const MAX_PREVIEW_CELL_CHARS: usize = 4096;

/// The budget head reads share ([`HEAD_READ_BUDGET_BYTES`], [`HEAD_BUDGET_WAIT`]).
pub fn head_read_budget() -> ReadBudget {
    ReadBudget::new(HEAD_READ_BUDGET_BYTES, HEAD_BUDGET_WAIT)
}

/// What the head of a table holds.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub header: Vec<String>,
    /// Up to [`MAX_SAMPLE_ROWS`] complete rows, cells as text.
    pub rows: Vec<Vec<String>>,
    /// Indexes into `rows` of rows whose field count differs from the header's.
    pub ragged: Vec<usize>,
    /// Inferred over every complete row read (often many more than `rows`).
    pub types: Vec<ColumnType>,
    /// Complete rows read.
    pub complete_rows: u64,
    pub delimiter: u8,
    pub invalid_utf8: bool,
    /// Every row of the object was read: `complete_rows` is the exact count.
    pub whole_object: bool,
    /// Rows were so long that the read stopped at [`MAX_HEAD_BYTES`].
    pub hit_byte_cap: bool,
    /// A cell or column name was longer than a preview keeps ([`MAX_PREVIEW_CELL_CHARS`],
    /// [`MAX_COLUMN_NAME_CHARS`]); `header` and `rows` hold its start.
    pub cells_shortened: bool,
    /// Byte offsets in the object: where the data rows start, and where the last complete
    /// row read ends (for estimating the row count).
    pub header_end: u64,
    pub rows_end: u64,
    /// Bytes asked for from S3.
    pub bytes_fetched: u64,
    /// For a compressed object: bytes of the object per byte of text read (offsets above
    /// are in the text; estimates scale them to the object).
    pub compressed_per_text_byte: Option<f64>,
    /// Warnings only some formats have (JSON Lines rows that are not objects).
    pub extra_warnings: Vec<shared::Warning>,
}

/// A table's bytes from its start, parsed as they arrive: one ranged GET of
/// [`FIRST_RANGE_BYTES`], then growing ranges up to a cap.
pub struct HeadInput {
    pub reader: AsyncReader<Box<dyn AsyncRead + Send + Unpin>>,
    /// Bytes of the byte order mark the parser does not see (its positions are offsets
    /// in the object minus these).
    pub bom: usize,
    pub delimiter: u8,
    /// How far the read got; [`ReadExtent::stop_fetching`] ends it.
    pub extent: ReadExtent,
    /// For a compressed object: the text decoded so far (offsets are in the text).
    pub decoded: Option<Arc<DecodeProgress>>,
}

impl HeadInput {
    /// Reads the next record into `record` and answers where it ends in the object; `None`
    /// at the end, or when the read stopped early (told to, or at its cap) and this record
    /// may have been cut off with it.
    pub async fn next_record(
        &mut self,
        record: &mut ByteRecord,
        object: &ListedObject,
    ) -> Result<Option<u64>> {
        let more = self
            .reader
            .read_byte_record(record)
            .await
            .map_err(|error| self.error(&object.key, &error))?;
        if !more {
            return Ok(None);
        }
        // Offsets in the object: the parser sees the bytes after the byte order mark.
        let record_end = self.reader.position().byte() + self.bom as u64;
        if let Some(decoded) = &self.decoded {
            // The text ended early on purpose: the last record may be cut.
            let cut = decoded.ended_early() && record_end >= decoded.produced();
            return Ok((!cut).then_some(record_end));
        }
        if self.extent.stopped_early() && record_end >= self.extent.delivered() {
            return Ok(None);
        }
        Ok(Some(record_end))
    }

    /// Every byte of the object was delivered (no cap cut the read) and, for a compressed
    /// one, its whole text decoded.
    pub fn read_whole(&self) -> bool {
        let text_whole = self
            .decoded
            .as_ref()
            .is_none_or(|decoded| decoded.finished() && !decoded.ended_early());
        self.extent.whole() && text_whole
    }

    /// A compressed stream that stopped at its bound on decoded text.
    pub fn hit_text_limit(&self) -> bool {
        self.decoded
            .as_ref()
            .is_some_and(|decoded| decoded.hit_limit())
    }

    /// Bytes of the object per byte of text, for a compressed object.
    pub fn compressed_per_text_byte(&self) -> Option<f64> {
        let decoded = self.decoded.as_ref()?;
        let compressed = self.extent.delivered();
        Some(compressed as f64 / decoded.produced().max(1) as f64)
    }

    /// A read error as the catalog's ([`decode_or_read_error`]).
    fn error(&self, key: &str, error: &dyn std::fmt::Display) -> CatalogError {
        decode_or_read_error(self.decoded.as_deref(), key, error)
    }
}

/// How far a read from an object's start ([`read_start`]) got: its first range and the
/// growing ranges after it. Offsets are in the object (for a compressed one, in its
/// compressed bytes).
#[derive(Debug, Clone)]
pub struct ReadExtent {
    progress: Arc<RangeProgress>,
    first_len: u64,
    size: u64,
}

impl ReadExtent {
    /// Bytes of the object delivered to the reader so far.
    pub fn delivered(&self) -> u64 {
        self.first_len + self.progress.delivered()
    }

    /// Bytes asked for from S3.
    pub fn fetched(&self) -> u64 {
        self.first_len + self.progress.fetched()
    }

    /// The read was stopped (told to, or at its cap) before the object's end: what ends
    /// at [`Self::delivered`] may be cut off.
    pub fn stopped_early(&self) -> bool {
        self.progress.fetching_stopped() && self.delivered() < self.size
    }

    /// Every byte of the object was delivered and no cap cut the read.
    pub fn whole(&self) -> bool {
        self.delivered() >= self.size && !self.progress.hit_cap()
    }

    /// The read stopped at its cap on bytes.
    pub fn hit_cap(&self) -> bool {
        self.progress.hit_cap()
    }

    /// Fetches no range after the ones under way.
    pub fn stop_fetching(&self) {
        self.progress.stop_fetching();
    }

    /// [`CatalogError::Busy`] when the read stopped for want of room in its budget: what
    /// it read is incomplete and must not be used.
    pub fn check_budget(&self) -> Result<()> {
        if self.progress.out_of_budget() {
            Err(CatalogError::Busy)
        } else {
            Ok(())
        }
    }
}

/// The first range of `object` ([`FIRST_RANGE_BYTES`]), a reader of the rest in growing
/// ranges, up to `cap` bytes in all, each paid for from `budget`, and how far they got.
pub async fn read_start(
    store: &Store,
    object: &ListedObject,
    cap: u64,
    budget: &ReadBudget,
) -> Result<(Bytes, RangedReader, ReadExtent)> {
    let etag = object.version.etag.clone();
    let first_end = object.size.min(FIRST_RANGE_BYTES);
    let first_share = budget.take(first_end).await.ok_or(CatalogError::Busy)?;
    let first = store
        .read(&object.key, Some(0..first_end), etag.as_deref())
        .await?
        .collect()
        .await?;
    let rest = RangedReader::new(
        store.clone(),
        &object.key,
        etag,
        object.size,
        first.len() as u64,
        cap,
    )
    .with_budget(budget.clone(), first_share);
    let extent = ReadExtent {
        progress: rest.progress(),
        first_len: first.len() as u64,
        size: object.size,
    };
    Ok((first, rest, extent))
}

/// Opens `object` (not empty, stored as `format`) for parsing from its start, reading at
/// most `cap` bytes of it (and, compressed, decoding at most `cap` bytes of text) paid for
/// from `budget`, with the delimiter given, named by the format, or detected from the
/// first bytes of text.
pub async fn open_head(
    store: &Store,
    object: &ListedObject,
    format: TableFormat,
    cap: u64,
    delimiter: Option<u8>,
    budget: &ReadBudget,
) -> Result<HeadInput> {
    let (first, rest, extent) = read_start(store, object, cap, budget).await?;
    let (text_start, text, decoded): (Bytes, Box<dyn AsyncRead + Send + Unpin>, _) =
        match format.compression() {
            None => (first, Box::new(rest), None),
            Some(compression) => {
                // A stream that ends early was cut on purpose only if bytes of the object
                // were left unread; otherwise the file itself is truncated.
                let stopped = extent.clone();
                let cut_on_purpose = move || stopped.stopped_early();
                let mut decoder = DecodedReader::new(
                    compression,
                    Cursor::new(first).chain(rest),
                    cap,
                    cut_on_purpose,
                );
                let decoded = decoder.progress();
                // The first bytes of text, for the byte order mark and the delimiter.
                let mut start = vec![0; FIRST_RANGE_BYTES as usize];
                let mut filled = 0;
                while filled < start.len() {
                    let read = decoder.read(&mut start[filled..]).await.map_err(|error| {
                        decode_or_read_error(Some(&decoded), &object.key, &error)
                    })?;
                    if read == 0 {
                        break;
                    }
                    filled += read;
                }
                start.truncate(filled);
                (Bytes::from(start), Box::new(decoder), Some(decoded))
            }
        };
    let bom = if text_start.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let delimiter = delimiter
        .or(format.named_delimiter())
        .unwrap_or_else(|| detect_delimiter(&text_start[bom..]));
    let input: Box<dyn AsyncRead + Send + Unpin> =
        Box::new(Cursor::new(text_start.slice(bom..)).chain(text));
    let reader = AsyncReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .create_reader(input);
    Ok(HeadInput {
        reader,
        bom,
        delimiter,
        extent,
        decoded,
    })
}

/// Reads the head of `object` until `wanted_rows` complete rows are read (or the object
/// ends), then parses whatever else the ranges already fetched hold, for type inference.
pub async fn read_head(
    store: &Store,
    object: &ListedObject,
    format: TableFormat,
    wanted_rows: usize,
    budget: &ReadBudget,
) -> Result<Head> {
    let size = object.size;
    if size == 0 {
        return Ok(Head {
            delimiter: b',',
            whole_object: true,
            ..Head::default()
        });
    }
    let mut input = open_head(store, object, format, MAX_HEAD_BYTES, None, budget).await?;
    let mut head = Head {
        delimiter: input.delimiter,
        ..Head::default()
    };
    let mut inference: Vec<TypeInference> = Vec::new();
    let mut record = ByteRecord::new();
    let mut saw_header = false;
    while let Some(record_end) = input.next_record(&mut record, object).await? {
        if !saw_header {
            saw_header = true;
            head.header = decode_start(&record, MAX_COLUMN_NAME_CHARS, &mut head);
            inference = vec![TypeInference::default(); head.header.len()];
            head.header_end = record_end;
            continue;
        }
        let cells = decode_start(&record, MAX_PREVIEW_CELL_CHARS, &mut head);
        head.complete_rows += 1;
        head.rows_end = record_end;
        for (column, cell) in inference.iter_mut().zip(&cells) {
            column.observe(cell);
        }
        if head.rows.len() < MAX_SAMPLE_ROWS {
            if cells.len() != head.header.len() {
                head.ragged.push(head.rows.len());
            }
            head.rows.push(cells);
        }
        if head.complete_rows >= wanted_rows as u64 {
            input.extent.stop_fetching();
        }
    }
    input.extent.check_budget()?;
    head.whole_object = input.read_whole();
    head.hit_byte_cap = input.extent.hit_cap() || input.hit_text_limit();
    head.compressed_per_text_byte = input.compressed_per_text_byte();
    head.types = inference.iter().map(TypeInference::result).collect();
    head.bytes_fetched = input.extent.fetched();
    Ok(head)
}

/// Cells as text, each at most `max_chars` characters (its start and `…`, noted in
/// `head.cells_shortened`): a long cell is never copied whole. Bytes that are not UTF-8
/// become U+FFFD and are noted in `head.invalid_utf8`.
fn decode_start(record: &ByteRecord, max_chars: usize, head: &mut Head) -> Vec<String> {
    // A character is at most 4 bytes: this many bytes hold `max_chars` and one more.
    let enough_bytes = (max_chars + 1) * 4;
    record
        .iter()
        .map(|field| {
            let start = &field[..field.len().min(enough_bytes)];
            let text = match std::str::from_utf8(start) {
                Ok(text) => text.to_owned(),
                // Cut in the middle of a character: keep the whole ones before it.
                Err(error) if error.error_len().is_none() && start.len() < field.len() => {
                    String::from_utf8_lossy(&start[..error.valid_up_to()]).into_owned()
                }
                Err(_) => {
                    head.invalid_utf8 = true;
                    String::from_utf8_lossy(start).into_owned()
                }
            };
            match cut_text(&text, max_chars) {
                Some(cut) => {
                    head.cells_shortened = true;
                    cut
                }
                None => text,
            }
        })
        .collect()
}

/// Cells as text; bytes that are not UTF-8 become U+FFFD and are reported.
pub(crate) fn decode(record: &ByteRecord, invalid_utf8: &mut bool) -> Vec<String> {
    record
        .iter()
        .map(|field| match std::str::from_utf8(field) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                *invalid_utf8 = true;
                String::from_utf8_lossy(field).into_owned()
            }
        })
        .collect()
}
