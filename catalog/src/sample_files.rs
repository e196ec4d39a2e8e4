//! One sample table written in every format the app reads (`shared::formats`): the demo
//! seed's `formats` database, the tests that check each format's values, and the formats
//! benchmark use these, so all three agree on what row `i` holds.
//!
//! Row `i` (1-based): `id` = i, `name` = `name-{i}`, `amount` = `(i % 1000) + 0.5`, `day` =
//! 2024-01-(i % 28 + 1), `flag` = i is even, and in Parquet also `price` (decimal(10, 2),
//! i × 1.01), `tags` (a list: [i % 3, i % 5]) and `payload` (random hex, to make files
//! large and incompressible where asked).

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch,
    StringArray,
};
use bytes::Bytes;
use shared::Compression;

/// The columns of the delimited-text and JSON Lines samples.
pub const TEXT_COLUMNS: [&str; 5] = ["id", "name", "amount", "day", "flag"];

/// Days from 1970-01-01 to 2024-01-01.
const DAYS_TO_2024: i32 = 19_723;

/// The cells of row `i` as text, in [`TEXT_COLUMNS`] order.
pub fn row_cells(i: u64) -> [String; 5] {
    [
        i.to_string(),
        format!("name-{i}"),
        format!("{}.5", i % 1000),
        format!("2024-01-{:02}", i % 28 + 1),
        i.is_multiple_of(2).to_string(),
    ]
}

/// Rows `rows` as CSV (with a header when `header`), each with a `payload` of
/// `payload_chars` random hex characters when that is not 0.
pub fn csv_text(
    rows: std::ops::Range<u64>,
    header: bool,
    payload_chars: usize,
    seed: u64,
) -> Vec<u8> {
    let mut random = XorShift(seed | 1);
    let mut text = Vec::new();
    if header {
        text.extend_from_slice(TEXT_COLUMNS.join(",").as_bytes());
        if payload_chars > 0 {
            text.extend_from_slice(b",payload");
        }
        text.push(b'\n');
    }
    for i in rows {
        text.extend_from_slice(row_cells(i).join(",").as_bytes());
        if payload_chars > 0 {
            text.push(b',');
            random.hex(payload_chars, &mut text);
        }
        text.push(b'\n');
    }
    text
}

/// Rows `rows` as JSON Lines (keys in [`TEXT_COLUMNS`] order; numbers and booleans as
/// JSON numbers and booleans).
pub fn jsonl_text(rows: std::ops::Range<u64>) -> Vec<u8> {
    let mut text = Vec::new();
    for i in rows {
        let [id, name, amount, day, flag] = row_cells(i);
        text.extend_from_slice(
            format!(
                "{{\"id\": {id}, \"name\": \"{name}\", \"amount\": {amount}, \"day\": \"{day}\", \"flag\": {flag}}}\n"
            )
            .as_bytes(),
        );
    }
    text
}

/// `text` compressed as one gzip member or zstd frame (fast levels).
pub fn compress(compression: Compression, text: &[u8]) -> Vec<u8> {
    match compression {
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(text);
            encoder.finish().unwrap_or_default()
        }
        Compression::Zstd => zstd::bulk::compress(text, 1).unwrap_or_default(),
    }
}

/// Rows `rows` as one Parquet file, `rows_per_group` rows per row group, each row with a
/// `payload` of `payload_chars` random hex characters (plain encoded: it is what makes a
/// file large).
pub fn parquet_bytes(
    rows: std::ops::Range<u64>,
    rows_per_group: usize,
    payload_chars: usize,
    seed: u64,
) -> Result<Bytes, String> {
    parquet_file(rows, rows_per_group, payload_chars, seed, true)
}

/// [`parquet_bytes`] without a page index (no column index, no offset index), as pyarrow,
/// polars and DuckDB write by default.
pub fn parquet_bytes_without_page_index(
    rows: std::ops::Range<u64>,
    rows_per_group: usize,
    payload_chars: usize,
    seed: u64,
) -> Result<Bytes, String> {
    parquet_file(rows, rows_per_group, payload_chars, seed, false)
}

fn parquet_file(
    rows: std::ops::Range<u64>,
    rows_per_group: usize,
    payload_chars: usize,
    seed: u64,
    page_index: bool,
) -> Result<Bytes, String> {
    use parquet::file::properties::{EnabledStatistics, WriterProperties};
    use parquet::schema::types::ColumnPath;
    let mut random = XorShift(seed | 1);
    let mut batches = Vec::new();
    let (start, end) = (rows.start, rows.end);
    let mut batch_start = start;
    while batch_start < end {
        let batch_end = (batch_start + 8192).min(end);
        let ids: Vec<u64> = (batch_start..batch_end).collect();
        let mut tags = ListBuilder::new(Int32Builder::new());
        for i in &ids {
            tags.values().append_value((i % 3) as i32);
            tags.values().append_value((i % 5) as i32);
            tags.append(true);
        }
        let payload: Vec<String> = ids
            .iter()
            .map(|_| {
                let mut text = Vec::with_capacity(payload_chars);
                random.hex(payload_chars, &mut text);
                String::from_utf8(text).unwrap_or_default()
            })
            .collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            (
                "id",
                Arc::new(Int64Array::from_iter_values(ids.iter().map(|i| *i as i64))),
            ),
            (
                "name",
                Arc::new(StringArray::from_iter_values(
                    ids.iter().map(|i| format!("name-{i}")),
                )),
            ),
            (
                "amount",
                Arc::new(Float64Array::from_iter_values(
                    ids.iter().map(|i| (i % 1000) as f64 + 0.5),
                )),
            ),
            (
                "day",
                Arc::new(Date32Array::from_iter_values(
                    ids.iter().map(|i| DAYS_TO_2024 + (i % 28) as i32),
                )),
            ),
            (
                "flag",
                Arc::new(BooleanArray::from_iter(
                    ids.iter().map(|i| Some(i.is_multiple_of(2))),
                )),
            ),
            (
                "price",
                Arc::new(
                    Decimal128Array::from_iter_values(ids.iter().map(|i| *i as i128 * 101))
                        .with_precision_and_scale(10, 2)
                        .map_err(|error| error.to_string())?,
                ),
            ),
            ("tags", Arc::new(tags.finish())),
            ("payload", Arc::new(StringArray::from_iter_values(payload))),
        ];
        batches.push(RecordBatch::try_from_iter(columns).map_err(|error| error.to_string())?);
        batch_start = batch_end;
    }
    let mut properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group.max(1)))
        .set_column_dictionary_enabled(ColumnPath::from("payload"), false);
    if !page_index {
        properties = properties
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_offset_index_disabled(true);
    }
    let properties = properties.build();
    write_parquet(&batches, properties)
}

/// Writes `batches` as one Parquet file.
fn write_parquet(
    batches: &[RecordBatch],
    properties: parquet::file::properties::WriterProperties,
) -> Result<Bytes, String> {
    let Some(first) = batches.first() else {
        return Err("no rows to write".to_owned());
    };
    let mut buffer = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut buffer, first.schema(), Some(properties))
            .map_err(|error| error.to_string())?;
    for batch in batches {
        writer.write(batch).map_err(|error| error.to_string())?;
    }
    writer.close().map_err(|error| error.to_string())?;
    Ok(Bytes::from(buffer))
}

/// The cells a preview shows for Parquet row `i` without its payload: [`row_cells`], then
/// `price` and `tags`.
pub fn parquet_cells(i: u64) -> Vec<String> {
    let mut cells = row_cells(i).to_vec();
    let cents = i * 101;
    cells.push(format!("{}.{:02}", cents / 100, cents % 100));
    cells.push(format!("[{},{}]", i % 3, i % 5));
    cells
}

/// A small, fast generator of random hex text (not for secrets).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn hex(&mut self, chars: usize, out: &mut Vec<u8>) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut left = chars;
        while left > 0 {
            let mut bits = self.next();
            for _ in 0..left.min(16) {
                out.push(DIGITS[(bits & 15) as usize]);
                bits >>= 4;
            }
            left = left.saturating_sub(16);
        }
    }
}
