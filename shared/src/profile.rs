//! Column profiles of whole tables (`GET /api/table_profile`): what every cell of each
//! column holds, computed in the one streaming pass an import or a background scan makes.
//!
//! Fields that do not apply to a column's type are absent from the JSON (e.g. `mean` for
//! text, `length` for numbers). Which figures are estimates is said next to them:
//! `distinct_exact`, `top_values_exact`, `histogram_exact`.

use serde::{Deserialize, Serialize};

use crate::{ColumnType, DatabaseName, TableName};

/// `GET /api/table_profile?database=NAME&table=NAME`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableProfileReport {
    pub database: DatabaseName,
    pub table: TableName,
    /// Data rows, the header not counted (exact).
    pub row_count: u64,
    /// One per column, in order; a table wider than 256 columns has only its first 256
    /// profiled.
    pub columns: Vec<ColumnProfile>,
    /// Columns past those (absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unprofiled_columns: u64,
    pub computed_from: ProfileSource,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// Which pass computed a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSource {
    /// The app wrote the table (an import, the demo seed).
    Import,
    /// A background scan of a table another tool wrote.
    Scan,
}

/// What one column holds, over every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Cells that are empty or blank.
    pub empty: u64,
    /// Distinct non-empty values (exact when `distinct_exact`, else a HyperLogLog estimate).
    pub distinct: u64,
    pub distinct_exact: bool,
    /// The smallest and largest value by the column's type: numbers numerically, dates
    /// and datetimes in time order, text by bytes. Absent when every cell is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<ProfileValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<ProfileValue>,
    /// Numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Numbers only: the sample standard deviation (n − 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stddev: Option<f64>,
    /// The most frequent values, most frequent first (ties by value).
    pub top_values: Vec<ValueCount>,
    /// False when the counts come from a frequent-items sketch: each is then an estimate,
    /// and values that are not frequent enough to stand out are left off.
    pub top_values_exact: bool,
    /// Numbers, dates and datetimes: about 20 bins of equal width from `min` to `max`,
    /// whose counts add up to the non-empty cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<HistogramBin>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub histogram_exact: bool,
    /// Text only: lengths of the non-empty values, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<LengthSummary>,
    /// Booleans only.
    #[serde(rename = "true", default, skip_serializing_if = "Option::is_none")]
    pub true_count: Option<u64>,
    #[serde(rename = "false", default, skip_serializing_if = "Option::is_none")]
    pub false_count: Option<u64>,
}

impl ColumnProfile {
    /// Non-empty cells.
    pub fn values(&self, row_count: u64) -> u64 {
        row_count.saturating_sub(self.empty)
    }
}

/// A value of a column as the profile shows it: integers and floats as JSON numbers,
/// dates, datetimes and text as strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProfileValue {
    Integer(i64),
    Float(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    /// The value's text (cut at 256 characters, ending with `…`, when longer).
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// The bin holds values from `low` to `high` (both included for the last bin, and for
    /// integer and date bins, which hold whole numbers and days).
    pub low: ProfileValue,
    pub high: ProfileValue,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LengthSummary {
    pub min: u64,
    pub max: u64,
    pub mean: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_that_do_not_apply_are_absent_and_values_keep_their_kind() {
        let column = ColumnProfile {
            name: "age".into(),
            column_type: ColumnType::Integer,
            empty: 1,
            distinct: 3,
            distinct_exact: true,
            min: Some(ProfileValue::Integer(7)),
            max: Some(ProfileValue::Float(2.5)),
            mean: Some(1.5),
            stddev: None,
            top_values: vec![],
            top_values_exact: true,
            histogram: vec![],
            histogram_exact: false,
            length: None,
            true_count: None,
            false_count: None,
        };
        let json = serde_json::to_string(&column).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"name":"age","type":"integer","empty":1,"distinct":3,"distinct_exact":true,"min":7,"max":2.5,"mean":1.5,"top_values":[],"top_values_exact":true}"#
        );
        let back: ColumnProfile = serde_json::from_str(&json).unwrap_or(column.clone());
        assert_eq!(back.min, Some(ProfileValue::Integer(7)));
        assert_eq!(back.max, Some(ProfileValue::Float(2.5)));
    }
}
