//! The sparse row index of a table: the byte offset where every few hundred KiB a row
//! starts ([`RowMark`]s, taken by the same pass that profiles the table: an import, the
//! demo seed, or the background scan of a table another tool wrote), stored with a copy of
//! the table's statistics at `meta/{scope}/{database}/index/{table}.json`
//! (docs/ARCHITECTURE.md, "The S3 layout"). With it, a page of rows anywhere in the table is
//! one ranged GET that starts at the nearest mark at or before its first row.
//!
//! Like statistics, an index records the object version it was built from and is ignored
//! for any other version: it is never used to cut a changed object.
//!
//! Only tables larger than [`INDEX_MIN_BYTES`] get one: a page of a smaller table is read
//! from its start. The marks take about 21 bytes of JSON per 256 KiB (under 0.01% of the
//! table; the statistics copy adds a few hundred bytes).

use serde::{Deserialize, Serialize};
use storage::ObjectVersion;

use crate::csv::profile::TableProfile;
use crate::csv::row_marks::RowMark;
use crate::stats::TableStats;

/// Bumped when the stored shape changes; other formats are ignored (and rebuilt).
pub const INDEX_FORMAT: u32 = 1;
/// Tables up to this size get no index: their pages are read from the start.
pub const INDEX_MIN_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableIndex {
    pub format: u32,
    /// The statistics of the same version (what a page shows besides its rows).
    pub stats: TableStats,
    /// Bytes between marks, at least (the last record before a mark may end past it).
    pub stride_bytes: u64,
    /// In row order; the first is where data row 0 starts (just past the header).
    pub marks: Vec<RowMark>,
}

/// Where a page's rows are: bytes `start..end` of the object, after skipping `skip` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRange {
    pub start: u64,
    pub end: u64,
    pub skip: u64,
}

impl TableIndex {
    /// The index of a table written or scanned with `profile`, described by `stats`; `None`
    /// for a table small enough to read from its start, or one without any record end.
    pub fn from_profile(profile: &TableProfile, stats: &TableStats) -> Option<Self> {
        if stats.version.size <= INDEX_MIN_BYTES || profile.row_marks.marks.is_empty() {
            return None;
        }
        Some(Self {
            format: INDEX_FORMAT,
            stats: stats.clone(),
            stride_bytes: profile.row_marks.stride,
            marks: profile.row_marks.marks.clone(),
        })
    }

    /// Parses a stored index; `None` for another format, a broken object, or one without
    /// marks.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|index| index.format == INDEX_FORMAT && !index.marks.is_empty())
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether this index was built from `version` of the object.
    pub fn describes(&self, version: &ObjectVersion) -> bool {
        self.stats.describes(version)
    }

    /// The bytes that hold data rows `offset..offset + limit`: from the nearest mark at or
    /// before `offset` to the first mark at or after the row past the page (or the end).
    pub fn page_range(&self, offset: u64, limit: u64) -> PageRange {
        let before = self.marks.partition_point(|mark| mark.row <= offset);
        let first = self.marks[before.saturating_sub(1)];
        let past_page = offset.saturating_add(limit);
        let end = self.marks[before..]
            .iter()
            .find(|mark| mark.row >= past_page)
            .map_or(self.stats.version.size, |mark| mark.offset);
        PageRange {
            start: first.offset,
            end,
            skip: offset.saturating_sub(first.row),
        }
    }

    /// Heap bytes, roughly (for the cache's bound).
    pub fn approximate_bytes(&self) -> u64 {
        let columns: usize = self
            .stats
            .columns
            .iter()
            .map(|column| column.name.len() + 32)
            .sum();
        (self.marks.len() * std::mem::size_of::<RowMark>() + columns + 256) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::StatsSource;

    fn index(marks: &[[u64; 2]], size: u64) -> TableIndex {
        TableIndex {
            format: INDEX_FORMAT,
            stats: TableStats {
                format: crate::stats::STATS_FORMAT,
                version: ObjectVersion {
                    etag: None,
                    size,
                    last_modified_ms: 7,
                },
                row_count: 1_000,
                columns: vec![],
                delimiter: ",".into(),
                ragged_rows: 0,
                invalid_utf8: false,
                source: StatsSource::Write,
            },
            stride_bytes: 100,
            marks: marks.iter().map(|&pair| pair.into()).collect(),
        }
    }

    #[test]
    fn a_page_starts_at_the_nearest_mark_before_it_and_ends_at_the_first_after_it() {
        let index = index(&[[0, 10], [100, 1_010], [200, 2_010], [300, 3_010]], 10_000);
        let at = |offset, limit| {
            let range = index.page_range(offset, limit);
            (range.start, range.end, range.skip)
        };
        assert_eq!(at(0, 100), (10, 1_010, 0));
        assert_eq!(at(0, 101), (10, 2_010, 0));
        assert_eq!(at(150, 10), (1_010, 2_010, 50));
        assert_eq!(at(200, 100), (2_010, 3_010, 0));
        assert_eq!(at(299, 5), (2_010, 10_000, 99));
        assert_eq!(at(5_000, 5), (3_010, 10_000, 4_700));
    }

    #[test]
    fn an_index_describes_only_its_version_and_round_trips() {
        let index = index(&[[0, 10]], 10_000);
        assert_eq!(TableIndex::parse(&index.to_json()), Some(index.clone()));
        let mut other = index.stats.version.clone();
        other.last_modified_ms += 1;
        assert!(index.describes(&index.stats.version));
        assert!(!index.describes(&other));
        assert_eq!(TableIndex::parse(b"{}"), None);
    }
}
