//! Parquet tables: read from their footer and the pages that hold the rows shown, never
//! whole. The `parquet` crate's async reader runs over [`S3ParquetFile`], an
//! `AsyncFileReader` on our store: the footer (with the offset index, which says where each
//! page is) comes from one ranged GET of the object's last [`FOOTER_PREFETCH_BYTES`] (a
//! second only for a larger footer), the row count from the metadata (no data page read),
//! and a page of rows from the pages of the row groups that hold it (the ranges it needs,
//! joined into one GET when they lie close together). A file without an offset index is
//! read page after page from the start of each column chunk instead
//! (`crate::parquet_sparse`).
//!
//! Types map to ours: integers, floats, booleans, dates, timestamps (datetime), decimals
//! (float, or integer at scale 0, printed exactly from the decimal, never rounded through a
//! float), strings and everything else as text; nested values (lists, structs, maps) are
//! shown as JSON text, binary as hex. A preview also shows each column's empty count and
//! range from the footer's statistics (`crate::parquet_stats`).

use std::ops::Range;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, Time32MillisecondType, Time32SecondType,
    Time64MicrosecondType, Time64NanosecondType, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, TryStreamExt};
use parquet::arrow::ParquetRecordBatchStreamBuilder;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::arrow::async_reader::AsyncFileReader;
use parquet::errors::ParquetError;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
use shared::{Column, ColumnType, TableFormat, TableName, TablePreview};
use storage::{ListedObject, Store};

use crate::csv::cut_text;
use crate::error::{CatalogError, Result};
use crate::preview::head::MAX_PREVIEW_CELL_CHARS;

/// The object's last bytes read first: the footer and, usually, the offset index.
pub const FOOTER_PREFETCH_BYTES: usize = 256 * 1024;
/// Ranges closer than this are read in one GET (the gap is read and dropped).
pub const JOIN_GAP_BYTES: u64 = 1024 * 1024;
/// The largest footer (metadata and page indexes) read; a file with a larger one (tens of
/// thousands of row groups or columns) is reported unreadable rather than held in memory.
pub const MAX_FOOTER_BYTES: u64 = 32 * 1024 * 1024;
/// The most bytes one page of rows reads from a Parquet object, apart from its footer.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// One Parquet object in S3, read by ranges of exactly the version listed.
pub struct S3ParquetFile {
    store: Store,
    key: String,
    etag: Option<String>,
    size: u64,
    /// Bytes of data pages read so far (the footer not counted), bounded by [`MAX_PAGE_BYTES`].
    data_bytes: u64,
}

impl S3ParquetFile {
    pub fn new(store: &Store, object: &ListedObject) -> Self {
        Self {
            store: store.clone(),
            key: object.key.clone(),
            etag: object.version.etag.clone(),
            size: object.size,
            data_bytes: 0,
        }
    }

    async fn read(&self, range: Range<u64>) -> parquet::errors::Result<Bytes> {
        let body = self
            .store
            .read(&self.key, Some(range), self.etag.as_deref())
            .await
            .map_err(|error| ParquetError::External(Box::new(error)))?;
        body.collect()
            .await
            .map_err(|error| ParquetError::External(Box::new(error)))
    }

    /// Counts `bytes` of data pages against [`MAX_PAGE_BYTES`], refusing past it.
    fn charge_pages(&mut self, bytes: u64) -> parquet::errors::Result<()> {
        self.data_bytes += bytes;
        if self.data_bytes > MAX_PAGE_BYTES {
            return Err(ReadLimit(format!(
                "the rows asked for span more than {} MiB of the file",
                MAX_PAGE_BYTES >> 20
            ))
            .into());
        }
        Ok(())
    }

    /// The footer metadata, with the offset index when the file has one.
    pub async fn metadata(&mut self) -> Result<Arc<ParquetMetaData>> {
        let key = self.key.clone();
        self.get_metadata(Some(&reader_options()))
            .await
            .map_err(|error| parquet_error(&key, error))
    }
}

impl AsyncFileReader for S3ParquetFile {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        async move {
            self.charge_pages(range.end - range.start)?;
            self.read(range).await
        }
        .boxed()
    }

    /// Ranges that lie within [`JOIN_GAP_BYTES`] of each other are read in one GET; the GETs
    /// run at once.
    fn get_byte_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
    ) -> BoxFuture<'_, parquet::errors::Result<Vec<Bytes>>> {
        async move {
            let spans = join_ranges(&ranges, JOIN_GAP_BYTES);
            self.charge_pages(spans.iter().map(|span| span.end - span.start).sum())?;
            let this = &*self;
            let read: Vec<Bytes> =
                futures::future::try_join_all(spans.iter().map(|span| this.read(span.clone())))
                    .await?;
            Ok(ranges
                .iter()
                .map(|range| {
                    let index = spans
                        .iter()
                        .position(|span| span.start <= range.start && range.end <= span.end)
                        .unwrap_or(0);
                    let start = usize::try_from(range.start - spans[index].start).unwrap_or(0);
                    let end = usize::try_from(range.end - spans[index].start).unwrap_or(0);
                    read[index].slice(start..end.min(read[index].len()))
                })
                .collect())
        }
        .boxed()
    }

    fn get_metadata<'a>(
        &'a mut self,
        options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, parquet::errors::Result<Arc<ParquetMetaData>>> {
        async move {
            let size = self.size;
            let reader = ParquetMetaDataReader::new()
                .with_arrow_reader_options(options)
                .with_prefetch_hint(Some(FOOTER_PREFETCH_BYTES));
            let mut fetch = FooterFetch(self);
            Ok(Arc::new(reader.load_and_finish(&mut fetch, size).await?))
        }
        .boxed()
    }
}

/// The metadata's reads: not counted against the page bound, but bounded by
/// [`MAX_FOOTER_BYTES`] (a footer is read whole into memory).
struct FooterFetch<'a>(&'a mut S3ParquetFile);

impl parquet::arrow::async_reader::MetadataFetch for &mut FooterFetch<'_> {
    fn fetch(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        let length = range.end.saturating_sub(range.start);
        if length > MAX_FOOTER_BYTES {
            let limit = ReadLimit(format!(
                "its footer is {} MiB, more than the {} MiB the server reads of one",
                length >> 20,
                MAX_FOOTER_BYTES >> 20
            ));
            return futures::future::ready(Err(limit.into())).boxed();
        }
        self.0.read(range).boxed()
    }
}

/// A read past one of this module's bounds ([`MAX_PAGE_BYTES`], [`MAX_FOOTER_BYTES`]), in
/// words for the table's warning.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ReadLimit(String);

impl From<ReadLimit> for ParquetError {
    fn from(limit: ReadLimit) -> Self {
        ParquetError::External(Box::new(limit))
    }
}

/// Sorted ranges joined where the gap between them is at most `gap`.
pub(crate) fn join_ranges(ranges: &[Range<u64>], gap: u64) -> Vec<Range<u64>> {
    let mut sorted: Vec<Range<u64>> = ranges.to_vec();
    sorted.sort_by_key(|range| range.start);
    let mut spans: Vec<Range<u64>> = Vec::new();
    for range in sorted {
        match spans.last_mut() {
            Some(last) if range.start <= last.end.saturating_add(gap) => {
                last.end = last.end.max(range.end);
            }
            _ => spans.push(range),
        }
    }
    spans
}

/// The offset index (where each page is) is read; the column index (page statistics) is not.
fn reader_options() -> ArrowReaderOptions {
    ArrowReaderOptions::new()
        .with_column_index_policy(PageIndexPolicy::Skip)
        .with_offset_index_policy(PageIndexPolicy::Optional)
}

/// A Parquet error as the catalog's: the store's failures stay storage errors; a read past
/// a bound says which; anything else means the object is not (complete) Parquet.
fn parquet_error(key: &str, error: ParquetError) -> CatalogError {
    let unreadable = |detail: String| CatalogError::Unreadable {
        key: key.to_owned(),
        detail,
    };
    let inner = match error {
        ParquetError::External(inner) => inner,
        other => return unreadable(format!("it is not a readable Parquet file ({other})")),
    };
    let inner = match inner.downcast::<storage::StorageError>() {
        Ok(storage) => return CatalogError::Storage(*storage),
        Err(other) => other,
    };
    match inner.downcast::<ReadLimit>() {
        Ok(limit) => unreadable(limit.0),
        Err(other) => unreadable(format!(
            "it is not a readable Parquet file ({})",
            ParquetError::External(other)
        )),
    }
}

/// What a preview or a page of a Parquet table reads: the rows, the columns, the count.
#[derive(Debug, Clone, Default)]
pub struct ParquetRows {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// From the footer: exact.
    pub row_count: u64,
    /// A cell was longer than a preview keeps.
    pub cells_shortened: bool,
    /// From the footer's statistics, one per column (`crate::parquet_stats`).
    pub summaries: Vec<shared::ColumnSummary>,
}

/// Rows `offset..offset + limit` of the Parquet `object`: the footer, then only the pages
/// of the row groups that hold those rows. Cells are cut to `max_chars` characters.
pub async fn read_rows(
    store: &Store,
    object: &ListedObject,
    offset: u64,
    limit: usize,
    max_chars: usize,
) -> Result<ParquetRows> {
    let mut file = S3ParquetFile::new(store, object);
    let metadata = file.metadata().await?;
    let key = object.key.clone();
    let arrow = ArrowReaderMetadata::try_new(Arc::clone(&metadata), reader_options())
        .map_err(|error| parquet_error(&key, error))?;
    let columns: Vec<Column> = arrow
        .schema()
        .fields()
        .iter()
        .map(|field| Column {
            name: field.name().clone(),
            column_type: column_type(field.data_type()),
        })
        .collect();
    let row_count = u64::try_from(metadata.file_metadata().num_rows()).unwrap_or(0);
    let mut result = ParquetRows {
        columns,
        row_count,
        summaries: crate::parquet_stats::footer_summaries(&metadata, arrow.schema()),
        ..ParquetRows::default()
    };
    if offset >= row_count || limit == 0 {
        return Ok(result);
    }
    // The row groups that hold rows offset..offset + limit, and where the first starts.
    let (mut groups, mut first_row, mut group_start) = (Vec::new(), None, 0_u64);
    for (index, group) in metadata.row_groups().iter().enumerate() {
        let rows = u64::try_from(group.num_rows()).unwrap_or(0);
        let group_end = group_start + rows;
        if group_end > offset && group_start < offset + limit as u64 {
            first_row.get_or_insert(group_start);
            groups.push(index);
        }
        group_start = group_end;
    }
    let skip = usize::try_from(offset - first_row.unwrap_or(offset)).unwrap_or(usize::MAX);
    // Read with the footer when the file has one (`reader_options`).
    let has_offset_index = metadata.page_index().is_some()
        && groups.iter().all(|group| {
            metadata
                .row_group(*group)
                .columns()
                .iter()
                .all(|column| column.offset_index_range().is_some())
        });
    let batches: Vec<RecordBatch> = if has_offset_index {
        let stream = ParquetRecordBatchStreamBuilder::new_with_metadata(file, arrow)
            .with_row_groups(groups)
            .with_offset(skip)
            .with_limit(limit)
            .with_batch_size(limit.max(1))
            .build()
            .map_err(|error| parquet_error(&key, error))?;
        stream
            .try_collect()
            .await
            .map_err(|error| parquet_error(&key, error))?
    } else {
        crate::parquet_sparse::read_in_order(store, object, &arrow, &groups, skip, limit).await?
    };
    for batch in &batches {
        for row in 0..batch.num_rows() {
            let cells = batch
                .columns()
                .iter()
                .map(|array| {
                    let text = cell(array, row);
                    match cut_text(&text, max_chars) {
                        Some(cut) => {
                            result.cells_shortened = true;
                            cut
                        }
                        None => text,
                    }
                })
                .collect();
            result.rows.push(cells);
        }
    }
    Ok(result)
}

/// The preview of a Parquet table: its schema, exact count and first `sample_rows` rows.
pub async fn parquet_preview(
    store: &Store,
    name: &TableName,
    object: &ListedObject,
    sample_rows: usize,
) -> Result<TablePreview> {
    let read = read_rows(store, object, 0, sample_rows, MAX_PREVIEW_CELL_CHARS).await?;
    let mut warnings = Vec::new();
    if read.cells_shortened {
        warnings.push(
            shared::WarningKind::LongCellsShortened {
                limit_chars: MAX_PREVIEW_CELL_CHARS,
            }
            .into(),
        );
    }
    Ok(TablePreview {
        name: name.clone(),
        format: TableFormat::Parquet,
        columns: read.columns,
        sample_rows: read.rows,
        row_count: read.row_count,
        row_count_exact: true,
        size_bytes: object.size,
        delimiter: String::new(),
        ragged_rows: Vec::new(),
        warnings,
        column_summaries: read.summaries,
    })
}

/// Our type for an Arrow type.
pub fn column_type(data_type: &DataType) -> ColumnType {
    match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => ColumnType::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ColumnType::Float,
        DataType::Decimal128(_, 0) | DataType::Decimal256(_, 0) => ColumnType::Integer,
        DataType::Decimal128(..) | DataType::Decimal256(..) => ColumnType::Float,
        DataType::Boolean => ColumnType::Boolean,
        DataType::Date32 | DataType::Date64 => ColumnType::Date,
        DataType::Timestamp(..) => ColumnType::Datetime,
        DataType::Dictionary(_, values) => column_type(values),
        _ => ColumnType::Text,
    }
}

/// One value as a cell's text (`""` for null).
pub fn cell(array: &ArrayRef, row: usize) -> String {
    if array.is_null(row) {
        return String::new();
    }
    if let Some(dictionary) = array.as_any_dictionary_opt() {
        let key = dictionary.normalized_keys().get(row).copied().unwrap_or(0);
        return cell(dictionary.values(), key);
    }
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => array.as_string_view().value(row).to_owned(),
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_)
        | DataType::Map(..) => json_value(array, row).to_string(),
        _ => scalar_text(array, row).unwrap_or_else(|| format!("({})", array.data_type())),
    }
}

/// Numbers, booleans, dates and times, binary: their text; `None` for other types.
fn scalar_text(array: &ArrayRef, row: usize) -> Option<String> {
    let text = match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Float16 => array.as_primitive::<Float16Type>().value(row).to_string(),
        DataType::Float32 => array.as_primitive::<Float32Type>().value(row).to_string(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Decimal128(..) => array.as_primitive::<Decimal128Type>().value_as_string(row),
        DataType::Decimal256(..) => array.as_primitive::<Decimal256Type>().value_as_string(row),
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .value_as_date(row)?
            .to_string(),
        DataType::Date64 => array
            .as_primitive::<Date64Type>()
            .value_as_date(row)?
            .to_string(),
        DataType::Timestamp(unit, zone) => {
            let time = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value_as_datetime(row),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value_as_datetime(row),
                TimeUnit::Microsecond => array
                    .as_primitive::<TimestampMicrosecondType>()
                    .value_as_datetime(row),
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .value_as_datetime(row),
            }?;
            // ISO 8601; a time zone in the type means the values are UTC instants.
            let mut text = time.to_string().replacen(' ', "T", 1);
            if zone.is_some() {
                text.push('Z');
            }
            text
        }
        DataType::Time32(TimeUnit::Second) => array
            .as_primitive::<Time32SecondType>()
            .value_as_time(row)?
            .to_string(),
        DataType::Time32(_) => array
            .as_primitive::<Time32MillisecondType>()
            .value_as_time(row)?
            .to_string(),
        DataType::Time64(TimeUnit::Microsecond) => array
            .as_primitive::<Time64MicrosecondType>()
            .value_as_time(row)?
            .to_string(),
        DataType::Time64(_) => array
            .as_primitive::<Time64NanosecondType>()
            .value_as_time(row)?
            .to_string(),
        DataType::Binary => hex(array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => hex(array.as_binary::<i64>().value(row)),
        DataType::BinaryView => hex(array.as_binary_view().value(row)),
        DataType::FixedSizeBinary(_) => hex(array.as_fixed_size_binary().value(row)),
        _ => return None,
    };
    Some(text)
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("0x");
    for byte in bytes {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// A value as JSON: nested types as arrays and objects, numbers and booleans as such, the
/// rest as strings (their cell text).
fn json_value(array: &ArrayRef, row: usize) -> serde_json::Value {
    use serde_json::Value;
    if array.is_null(row) {
        return Value::Null;
    }
    let items = |values: ArrayRef| -> Value {
        Value::Array((0..values.len()).map(|i| json_value(&values, i)).collect())
    };
    match array.data_type() {
        DataType::List(_) => items(array.as_list::<i32>().value(row)),
        DataType::LargeList(_) => items(array.as_list::<i64>().value(row)),
        DataType::FixedSizeList(..) => items(array.as_fixed_size_list().value(row)),
        DataType::Struct(fields) => {
            let structs = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(structs.columns())
                    .map(|(field, column)| (field.name().clone(), json_value(column, row)))
                    .collect(),
            )
        }
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            Value::Object(
                (0..entries.len())
                    .map(|i| (cell(keys, i), json_value(values, i)))
                    .collect(),
            )
        }
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        data_type if data_type.is_integer() || data_type.is_floating() => {
            let text = cell(array, row);
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        _ => Value::String(cell(array, row)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_ranges_are_read_together() {
        let ranges = vec![0..10, 3_000_000..3_000_010, 15..20, 1_000_000..1_000_005];
        assert_eq!(
            join_ranges(&ranges, 1024 * 1024),
            vec![0..1_000_005, 3_000_000..3_000_010]
        );
        assert_eq!(join_ranges(&ranges, 0).len(), 4);
    }

    #[test]
    fn nested_values_are_json_and_decimals_exact() {
        use arrow_array::builder::{Int32Builder, ListBuilder};
        let mut lists = ListBuilder::new(Int32Builder::new());
        lists.values().append_value(1);
        lists.values().append_value(2);
        lists.append(true);
        lists.append(false);
        let lists: ArrayRef = Arc::new(lists.finish());
        assert_eq!(cell(&lists, 0), "[1,2]");
        assert_eq!(cell(&lists, 1), "");
        let decimals: ArrayRef = Arc::new(
            arrow_array::Decimal128Array::from(vec![12345, -5])
                .with_precision_and_scale(10, 2)
                .unwrap_or_else(|_| arrow_array::Decimal128Array::from(vec![0])),
        );
        assert_eq!(cell(&decimals, 0), "123.45");
        assert_eq!(cell(&decimals, 1), "-0.05");
        assert_eq!(column_type(decimals.data_type()), ColumnType::Float);
    }
}
