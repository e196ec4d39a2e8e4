//! A sparse row index in the making: every [`MARK_STRIDE_BYTES`] or so, the data row that
//! starts there and its byte offset in the object, taken at record boundaries as the
//! quote-aware boundary scan ([`super::records::RecordScanner`]) finds them, so a quoted
//! field with line breaks is never cut. A page of rows then starts at the nearest mark at
//! or before it and reads at most one stride before its first row.
//!
//! Memory is bounded whatever the file: past [`MAX_MARKS`] marks, every other one is
//! dropped and the stride doubles (a 16 GiB file keeps 256 KiB strides; larger ones get
//! wider ones).

use serde::{Deserialize, Serialize};

/// Bytes between two marks (at least; a mark waits for the next record start).
pub const MARK_STRIDE_BYTES: u64 = 256 * 1024;
/// Marks kept at most (16 bytes each in memory).
pub const MAX_MARKS: usize = 65_536;

/// Data row `row` (0-based, the header not counted) starts at byte `offset` of the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "[u64; 2]", into = "[u64; 2]")]
pub struct RowMark {
    pub row: u64,
    pub offset: u64,
}

impl From<[u64; 2]> for RowMark {
    fn from([row, offset]: [u64; 2]) -> Self {
        Self { row, offset }
    }
}

impl From<RowMark> for [u64; 2] {
    fn from(mark: RowMark) -> Self {
        [mark.row, mark.offset]
    }
}

/// Marks collected while a file is scanned in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMarks {
    pub stride: u64,
    pub marks: Vec<RowMark>,
    /// The next mark is taken at the first record that starts at or after this offset.
    next_at: u64,
}

impl Default for RowMarks {
    fn default() -> Self {
        Self::new(MARK_STRIDE_BYTES)
    }
}

impl RowMarks {
    pub fn new(stride: u64) -> Self {
        Self {
            stride: stride.max(1),
            marks: Vec::new(),
            next_at: 0,
        }
    }

    /// A record ended at `offset` (just past its line end); `records` ended so far, the
    /// header included. The first one is the header: the mark of data row 0.
    #[inline]
    pub fn record_ended(&mut self, records: u64, offset: u64) {
        if offset < self.next_at {
            return;
        }
        self.marks.push(RowMark {
            row: records.saturating_sub(1),
            offset,
        });
        if self.marks.len() > MAX_MARKS {
            self.thin();
        }
        // From the last mark kept (thinning may have dropped this one).
        self.next_at = self.marks.last().map_or(offset, |mark| mark.offset) + self.stride;
    }

    /// Keeps every other mark (the first, where data starts, always) and doubles the stride.
    fn thin(&mut self) {
        let mut index = 0;
        self.marks.retain(|_| {
            index += 1;
            index % 2 == 1
        });
        self.stride *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_at_the_header_end_then_one_per_stride() {
        let mut marks = RowMarks::new(100);
        // Records of 30 bytes: the header ends at 30, rows end every 30 bytes after.
        for record in 1..=20u64 {
            marks.record_ended(record, record * 30);
        }
        let taken: Vec<[u64; 2]> = marks.marks.iter().map(|&mark| mark.into()).collect();
        assert_eq!(taken, [[0, 30], [4, 150], [8, 270], [12, 390], [16, 510]]);
    }

    #[test]
    fn past_the_limit_the_marks_thin_out_and_memory_stays_bounded() {
        // Records of 10 bytes, a mark every 100 bytes: 40 times more marks than are kept.
        let mut marks = RowMarks::new(100);
        for record in 1..=(400 * MAX_MARKS as u64) {
            marks.record_ended(record, record * 10);
        }
        assert!(marks.marks.len() <= MAX_MARKS);
        assert_eq!(marks.marks[0], RowMark { row: 0, offset: 10 });
        assert_eq!(marks.stride, 6_400); // 100 doubled until 40x fewer marks fit
        for pair in marks.marks.windows(2) {
            assert!(pair[0].row < pair[1].row && pair[0].offset < pair[1].offset);
            assert!(pair[1].offset - pair[0].offset <= marks.stride + 10);
        }
    }

    #[test]
    fn marks_are_stored_as_pairs() {
        let json = serde_json::to_string(&RowMark { row: 3, offset: 99 }).unwrap_or_default();
        assert_eq!(json, "[3,99]");
    }
}
