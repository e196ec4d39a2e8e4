//! Parsing a page of rows out of a table's bytes with csv-async, as they stream in: from a
//! byte range the row index points at (one ranged GET), or from the start of a table that
//! has no index (growing ranges up to a cap). Either stops reading as soon as the page is
//! complete, and neither holds more than the page's rows.

use csv_async::{AsyncReaderBuilder, ByteRecord};
use shared::TableFormat;
use storage::{ListedObject, ReadBudget, Store};

use crate::error::{Result, read_error};
use crate::preview::head::{decode, open_head};
use crate::row_index::PageRange;

/// The most one page reads from a mark (rows can be very long): past it, the page ends
/// with the rows that were complete.
pub const MAX_PAGE_READ_BYTES: u64 = 32 * 1024 * 1024;
/// The most a page of a table without an index reads from its start: deeper pages wait
/// for the index.
pub const FROM_START_BYTES: u64 = 4 * 1024 * 1024;
/// The most text a page of a table that can only be read from its start (compressed text,
/// JSON Lines) decodes: past it, the page answers [`crate::CatalogError::RowsOutOfReach`].
pub const SEQUENTIAL_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Rows read for one page.
#[derive(Debug, Default)]
pub struct ParsedRows {
    pub rows: Vec<Vec<String>>,
    /// Indexes into `rows` of rows whose field count is not `columns`.
    pub ragged: Vec<usize>,
    pub invalid_utf8: bool,
    /// The read stopped at its byte cap before the page was complete.
    pub cut_short: bool,
}

impl ParsedRows {
    fn take(&mut self, record: &ByteRecord, columns: usize) {
        let cells = decode(record, &mut self.invalid_utf8);
        if cells.len() != columns {
            self.ragged.push(self.rows.len());
        }
        self.rows.push(cells);
    }
}

/// Rows `range.skip..range.skip + limit` of the records in `range` of `object` (every
/// record in it a data row), with `columns` fields expected per row. One ranged GET, at
/// most [`MAX_PAGE_READ_BYTES`], of exactly the listed version.
pub async fn rows_in_range(
    store: &Store,
    object: &ListedObject,
    range: PageRange,
    limit: usize,
    delimiter: u8,
    columns: usize,
) -> Result<ParsedRows> {
    let mut parsed = ParsedRows::default();
    let end = range.end.min(range.start + MAX_PAGE_READ_BYTES);
    if end <= range.start || limit == 0 {
        return Ok(parsed);
    }
    let capped = end < range.end;
    let body = store
        .read(
            &object.key,
            Some(range.start..end),
            object.version.etag.as_deref(),
        )
        .await?;
    let mut reader = AsyncReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .create_reader(body.into_async_read());
    let mut record = ByteRecord::new();
    let mut seen = 0u64;
    while parsed.rows.len() < limit {
        let more = reader
            .read_byte_record(&mut record)
            .await
            .map_err(|error| read_error(&object.key, &error))?;
        if !more {
            break;
        }
        if capped && reader.position().byte() >= end - range.start {
            // The cap may have cut this record: it is not shown.
            parsed.cut_short = true;
            break;
        }
        seen += 1;
        if seen > range.skip {
            parsed.take(&record, columns);
        }
    }
    Ok(parsed)
}

/// A page read from the start of a table without an index.
#[derive(Debug, Default)]
pub struct FromStart {
    pub header: Vec<String>,
    pub parsed: ParsedRows,
    /// Data rows read (those before the page too).
    pub rows_read: u64,
    /// Offsets where the data starts and where the last row read ends (for estimates).
    pub header_end: u64,
    pub rows_end: u64,
    /// The whole table was read: `rows_read` is its row count.
    pub whole_object: bool,
    /// For a compressed table: bytes of the object per byte of text (offsets above are in
    /// the text).
    pub compressed_per_text_byte: Option<f64>,
}

/// Rows `offset..offset + limit` of a table without an index, read from its start, at
/// most `cap` bytes. `parsed.cut_short` when the cap came before the page was complete.
#[allow(clippy::too_many_arguments)] // each is one fact about the read; a struct would only rename them
pub async fn rows_from_start(
    store: &Store,
    object: &ListedObject,
    format: TableFormat,
    offset: u64,
    limit: usize,
    cap: u64,
    delimiter: Option<u8>,
    budget: &ReadBudget,
) -> Result<FromStart> {
    if object.size == 0 {
        return Ok(FromStart {
            whole_object: true,
            ..FromStart::default()
        });
    }
    let mut input = open_head(store, object, format, cap, delimiter, budget).await?;
    let mut page = FromStart::default();
    let mut record = ByteRecord::new();
    let mut saw_header = false;
    while let Some(record_end) = input.next_record(&mut record, object).await? {
        if !saw_header {
            saw_header = true;
            page.header = decode(&record, &mut page.parsed.invalid_utf8);
            page.header_end = record_end;
            continue;
        }
        page.rows_read += 1;
        page.rows_end = record_end;
        if page.rows_read > offset {
            page.parsed.take(&record, page.header.len());
            if page.parsed.rows.len() >= limit {
                input.extent.stop_fetching();
                break;
            }
        }
    }
    input.extent.check_budget()?;
    let read_to_end = input.read_whole();
    page.whole_object = read_to_end && page.parsed.rows.len() < limit;
    page.parsed.cut_short = !read_to_end && page.parsed.rows.len() < limit;
    page.compressed_per_text_byte = input.compressed_per_text_byte();
    Ok(page)
}
