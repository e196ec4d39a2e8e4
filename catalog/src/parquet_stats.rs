//! Each column's empty count, smallest and largest value from a Parquet file's footer
//! statistics (every row group's, combined): what a preview of a Parquet table shows about
//! the whole table without reading a data page. A figure some row group lacks, or one the
//! writer cut short (long strings), is left out rather than guessed.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, Float32Array, Float64Array,
    Int64Array, PrimitiveArray,
};
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::statistics::Statistics;
use shared::ColumnSummary;

use crate::csv::cut_text;
use crate::parquet_files::cell;

/// The most characters of a text minimum or maximum shown.
const MAX_SHOWN_CHARS: usize = 64;

/// One summary per field of `schema`, in order.
pub fn footer_summaries(metadata: &ParquetMetaData, schema: &Schema) -> Vec<ColumnSummary> {
    let leaves = metadata.file_metadata().schema_descr().columns();
    schema
        .fields()
        .iter()
        .map(|field| {
            // Only a top-level leaf column has statistics of its own.
            let leaf = leaves
                .iter()
                .position(|column| column.path().parts() == std::slice::from_ref(field.name()));
            leaf.map(|leaf| summarise(metadata, leaf, field.data_type()))
                .unwrap_or_default()
        })
        .collect()
}

fn summarise(metadata: &ParquetMetaData, leaf: usize, data_type: &DataType) -> ColumnSummary {
    let mut empty = Some(0_u64);
    let (mut min, mut max): (Option<Value>, Option<Value>) = (None, None);
    let mut range_known = true;
    for group in metadata.row_groups() {
        let Some(statistics) = group.column(leaf).statistics() else {
            return ColumnSummary::default();
        };
        empty = empty.zip(statistics.null_count_opt()).map(|(a, b)| a + b);
        if statistics.null_count_opt() == u64::try_from(group.num_rows()).ok() {
            continue; // only nulls here: no range to add
        }
        let (Some(low), Some(high)) = (Value::min(statistics), Value::max(statistics)) else {
            // Missing, or cut short by the writer (long strings): no exact range.
            range_known = false;
            continue;
        };
        min = Some(match min {
            Some(current) if current.compare(&low) != Some(Ordering::Greater) => current,
            _ => low,
        });
        max = Some(match max {
            Some(current) if current.compare(&high) != Some(Ordering::Less) => current,
            _ => high,
        });
    }
    let show = |value: Option<Value>| {
        range_known
            .then_some(value)
            .flatten()
            .and_then(|value| value.text(data_type))
    };
    ColumnSummary {
        empty,
        min: show(min),
        max: show(max),
    }
}

/// A statistic in its physical type.
#[derive(Debug, Clone)]
enum Value {
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
}

impl Value {
    fn min(statistics: &Statistics) -> Option<Self> {
        if !statistics.min_is_exact() {
            return None;
        }
        Self::of(statistics, true)
    }

    fn max(statistics: &Statistics) -> Option<Self> {
        if !statistics.max_is_exact() {
            return None;
        }
        Self::of(statistics, false)
    }

    fn of(statistics: &Statistics, min: bool) -> Option<Self> {
        macro_rules! bound {
            ($s:expr) => {
                if min { $s.min_opt() } else { $s.max_opt() }
            };
        }
        Some(match statistics {
            Statistics::Boolean(s) => Value::Boolean(*bound!(s)?),
            Statistics::Int32(s) => Value::Int32(*bound!(s)?),
            Statistics::Int64(s) => Value::Int64(*bound!(s)?),
            Statistics::Float(s) => Value::Float(*bound!(s)?),
            Statistics::Double(s) => Value::Double(*bound!(s)?),
            Statistics::ByteArray(s) => Value::Bytes(bound!(s)?.data().to_vec()),
            _ => return None,
        })
    }

    fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Boolean(a), Value::Boolean(b)) => Some(a.cmp(b)),
            (Value::Int32(a), Value::Int32(b)) => Some(a.cmp(b)),
            (Value::Int64(a), Value::Int64(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Double(a), Value::Double(b)) => a.partial_cmp(b),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// The value as a cell of a column of `data_type` shows it; `None` where the physical
    /// order is not the column's (unsigned integers) or the type is not one we show.
    fn text(&self, data_type: &DataType) -> Option<String> {
        let array: ArrayRef = match (self, data_type) {
            (Value::Boolean(value), DataType::Boolean) => {
                Arc::new(BooleanArray::from(vec![*value]))
            }
            (Value::Int32(value), DataType::Int8 | DataType::Int16 | DataType::Int32) => {
                Arc::new(Int64Array::from(vec![i64::from(*value)]))
            }
            (Value::Int64(value), DataType::Int64) => Arc::new(Int64Array::from(vec![*value])),
            (Value::Int32(value), DataType::Date32) => Arc::new(Date32Array::from(vec![*value])),
            (Value::Int64(value), DataType::Date64) => Arc::new(Date64Array::from(vec![*value])),
            (Value::Int32(value), DataType::Decimal128(precision, scale)) => {
                decimal(i128::from(*value), *precision, *scale)?
            }
            (Value::Int64(value), DataType::Decimal128(precision, scale)) => {
                decimal(i128::from(*value), *precision, *scale)?
            }
            (Value::Int64(value), DataType::Timestamp(unit, zone)) => {
                let zone = zone.clone();
                match unit {
                    TimeUnit::Second => Arc::new(
                        PrimitiveArray::<TimestampSecondType>::from(vec![*value])
                            .with_timezone_opt(zone),
                    ),
                    TimeUnit::Millisecond => Arc::new(
                        PrimitiveArray::<TimestampMillisecondType>::from(vec![*value])
                            .with_timezone_opt(zone),
                    ),
                    TimeUnit::Microsecond => Arc::new(
                        PrimitiveArray::<TimestampMicrosecondType>::from(vec![*value])
                            .with_timezone_opt(zone),
                    ),
                    TimeUnit::Nanosecond => Arc::new(
                        PrimitiveArray::<TimestampNanosecondType>::from(vec![*value])
                            .with_timezone_opt(zone),
                    ),
                }
            }
            (Value::Float(value), DataType::Float32) => Arc::new(Float32Array::from(vec![*value])),
            (Value::Double(value), DataType::Float64) => Arc::new(Float64Array::from(vec![*value])),
            (Value::Bytes(bytes), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
                let text = String::from_utf8_lossy(bytes);
                return Some(cut_text(&text, MAX_SHOWN_CHARS).unwrap_or_else(|| text.into_owned()));
            }
            _ => return None,
        };
        Some(cell(&array, 0))
    }
}

fn decimal(value: i128, precision: u8, scale: i8) -> Option<ArrayRef> {
    Some(Arc::new(
        Decimal128Array::from(vec![value])
            .with_precision_and_scale(precision, scale)
            .ok()?,
    ))
}
