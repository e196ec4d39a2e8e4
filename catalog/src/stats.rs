//! Table statistics: the exact row count, columns and types, and dialect of one table,
//! stored in the meta tree (`meta/{scope}/{database}/stats/{table}.json`) with the version of the
//! object they were computed for. Statistics whose version differs from the object's
//! current listing are ignored: a count is never trusted for a changed object.

use serde::{Deserialize, Serialize};
use shared::Column;
use storage::ObjectVersion;

use crate::csv::profile::TableProfile;

/// Bumped when the stored shape changes; other formats are ignored (and recomputed).
pub const STATS_FORMAT: u32 = 1;

/// Who computed the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsSource {
    /// Written while the app wrote the table (import, demo seed).
    Write,
    /// A background scan of a table another tool wrote.
    Scan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStats {
    pub format: u32,
    pub version: ObjectVersion,
    pub row_count: u64,
    pub columns: Vec<Column>,
    pub delimiter: String,
    pub ragged_rows: u64,
    pub invalid_utf8: bool,
    pub source: StatsSource,
}

impl TableStats {
    pub fn from_profile(
        profile: &TableProfile,
        version: ObjectVersion,
        source: StatsSource,
    ) -> Self {
        Self {
            format: STATS_FORMAT,
            version,
            row_count: profile.row_count,
            // Names as long as a header cell can be (a table another tool wrote) are cut, so
            // statistics stay small whatever the file.
            columns: profile
                .columns
                .iter()
                .map(|column| Column {
                    name: cut_name(&column.name),
                    column_type: column.column_type,
                })
                .collect(),
            delimiter: crate::csv::dialect::delimiter_name(profile.delimiter),
            ragged_rows: profile.ragged_rows,
            invalid_utf8: profile.invalid_utf8,
            source,
        }
    }

    /// A scan's exact row count alone, for tables whose columns and types come from each
    /// preview's head (JSON Lines).
    pub fn row_count_only(row_count: u64, version: ObjectVersion) -> Self {
        Self {
            format: STATS_FORMAT,
            version,
            row_count,
            columns: Vec::new(),
            delimiter: String::new(),
            ragged_rows: 0,
            invalid_utf8: false,
            source: StatsSource::Scan,
        }
    }

    /// Parses stored statistics; `None` for another format or a broken object.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|stats| stats.format == STATS_FORMAT)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Whether these statistics describe `version` of the object.
    pub fn describes(&self, version: &ObjectVersion) -> bool {
        &self.version == version
    }
}

/// The most characters of a column name kept (imports refuse longer ones).
pub const MAX_COLUMN_NAME_CHARS: usize = 256;

fn cut_name(name: &str) -> String {
    crate::csv::cut_text(name, MAX_COLUMN_NAME_CHARS).unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(etag: &str) -> ObjectVersion {
        ObjectVersion {
            etag: Some(etag.into()),
            size: 10,
            last_modified_ms: 1,
        }
    }

    #[test]
    fn statistics_round_trip_and_describe_only_their_version() {
        let profile = crate::csv::profile::TableProfile {
            columns: vec![],
            column_profiles: Default::default(),
            unnamed_columns: vec![],
            row_count: 42,
            delimiter: b';',
            ragged_rows: 0,
            first_ragged_lines: vec![],
            invalid_utf8: false,
            records_too_long: 0,
            first_too_long_line: None,
            is_empty: false,
            row_marks: Default::default(),
            unclosed_quote_line: None,
        };
        let stats = TableStats::from_profile(&profile, version("\"a\""), StatsSource::Scan);
        let parsed = TableStats::parse(&stats.to_json());
        assert_eq!(parsed.as_ref(), Some(&stats));
        assert!(stats.describes(&version("\"a\"")));
        assert!(!stats.describes(&version("\"b\"")));
        assert_eq!(stats.delimiter, ";");
    }

    #[test]
    fn column_names_are_cut_so_statistics_stay_small() {
        let long = "é".repeat(10_000);
        let cut = cut_name(&long);
        assert_eq!(cut.chars().count(), MAX_COLUMN_NAME_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(cut_name("id"), "id");
    }

    #[test]
    fn other_formats_and_garbage_are_ignored() {
        assert_eq!(TableStats::parse(b"not json"), None);
        assert_eq!(TableStats::parse(br#"{"format": 99}"#), None);
    }
}
