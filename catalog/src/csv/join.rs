//! Joining a file's chunks in order, wherever they were cut: the quote-aware boundary scan
//! ([`RecordScanner`]) carries its state from one chunk to the next (so a chunk that starts
//! inside a quoted field is read as such), and each chunk yields the range of whole records
//! it holds, with the line they start on. Those are profiled wherever the caller likes (in
//! place for an import, on other cores for a scan); the header and each record that
//! straddles two chunks are profiled here, in order.
//!
//! Memory: one straddling record, at most `max_record` bytes. A longer one is counted (the
//! boundary scan always counts) but its fields are not looked at
//! ([`TableProfile::records_too_long`]).

use std::ops::Range;

use super::UTF8_BOM;
use super::dialect::detect_delimiter;
use super::profile::{ColumnProfiling, PieceProfile, PiecesProfiler, TableProfile};
use super::records::RecordScanner;

/// The whole records of one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeRecords {
    /// Where they are in the chunk.
    pub range: Range<usize>,
    /// The 1-based line the first of them starts on.
    pub first_line: u64,
}

pub struct Joiner {
    scanner: RecordScanner,
    profile: PiecesProfiler,
    max_record: usize,
    /// The start of the record still open at the end of the last chunk, and its line.
    straddling: Vec<u8>,
    straddling_line: u64,
    /// That record grew past `max_record`: it is counted, not parsed.
    straddling_too_long: bool,
    records_too_long: u64,
    first_too_long_line: Option<u64>,
    /// The line the next chunk starts on.
    next_line: u64,
    /// Whether line numbers are kept (for ragged rows' lines; a scan does without).
    count_lines: bool,
    at_file_start: bool,
}

impl Joiner {
    /// `head`: the file's first bytes (64 KiB, or all of a smaller file), from which the
    /// delimiter is detected.
    pub fn new(head: &[u8], max_record: usize) -> Self {
        let without_bom = head.strip_prefix(UTF8_BOM).unwrap_or(head);
        let delimiter = detect_delimiter(&without_bom[..without_bom.len().min(64 * 1024)]);
        Self {
            scanner: RecordScanner::new(delimiter),
            profile: PiecesProfiler::new(delimiter, ColumnProfiling::On),
            max_record,
            straddling: Vec::new(),
            straddling_line: 1,
            straddling_too_long: false,
            records_too_long: 0,
            first_too_long_line: None,
            next_line: 1,
            count_lines: true,
            at_file_start: true,
        }
    }

    /// Skips counting line ends (a few percent of the work) where no one reads the lines
    /// of ragged rows: the profile's `first_ragged_lines` stays empty.
    pub fn without_line_numbers(mut self) -> Self {
        self.count_lines = false;
        self
    }

    /// Profiles columns or not ([`ColumnProfiling::On`] unless told).
    pub fn with_column_profiling(mut self, column_profiling: ColumnProfiling) -> Self {
        self.profile = PiecesProfiler::new(self.profile.delimiter(), column_profiling);
        self
    }

    pub fn delimiter(&self) -> u8 {
        self.profile.delimiter()
    }

    /// The header's cells (empty until the first record was joined).
    pub fn header(&self) -> Vec<String> {
        self.profile.header().unwrap_or_default().to_vec()
    }

    /// Takes the next chunk; returns the whole records in it, for the caller to profile
    /// (with [`PieceProfile::of_records`]) and [`Joiner::add`].
    pub fn join(&mut self, chunk: &[u8]) -> Option<WholeRecords> {
        // A byte order mark at the start of the file is not part of the first cell.
        let start = if self.at_file_start && chunk.starts_with(UTF8_BOM) {
            self.scanner.skip(UTF8_BOM.len() as u64);
            UTF8_BOM.len()
        } else {
            0
        };
        self.at_file_start = false;
        let ends = self.scanner.scan(&chunk[start..]);
        let (Some(first), Some(last)) = (ends.first, ends.last) else {
            self.extend_straddling(&chunk[start..]);
            self.next_line += self.lines_in(&chunk[start..]);
            return None;
        };
        let (first, last) = (start + first, start + last);
        self.extend_straddling(&chunk[start..first]);
        self.parse_straddling();
        let first_line = self.next_line + self.lines_in(&chunk[start..first]);
        let last_line = first_line + self.lines_in(&chunk[first..last]);
        self.straddling_line = last_line;
        self.extend_straddling(&chunk[last..]);
        self.next_line = last_line + self.lines_in(&chunk[last..]);
        (first < last).then_some(WholeRecords {
            range: first..last,
            first_line,
        })
    }

    pub fn add(&mut self, piece: PieceProfile) {
        self.profile.add(piece);
    }

    /// Profiles whole records (as [`Joiner::join`] returned them) here, in file order: for
    /// a caller with no other core to spare.
    pub fn profile_in_order(&mut self, records: &[u8], first_line: u64) {
        self.profile.feed_in_order(records, first_line);
    }

    /// The whole file's profile once every chunk was joined and every piece added.
    pub fn finish(mut self, file_empty: bool) -> TableProfile {
        let unclosed_quote_line = self.scanner.inside_quotes().then_some(if self.count_lines {
            self.straddling_line
        } else {
            0
        });
        if !self.straddling.is_empty() || self.straddling_too_long {
            self.parse_straddling();
        }
        let records = self.scanner.records_at_end();
        let mut profile = self.profile.finish(file_empty);
        // The count is the boundary scan's: it includes records too long to parse.
        profile.row_count = records.saturating_sub(1);
        profile.records_too_long = self.records_too_long;
        profile.first_too_long_line = self
            .first_too_long_line
            .map(|line| if self.count_lines { line } else { 0 });
        profile.row_marks = self.scanner.row_marks().clone();
        profile.unclosed_quote_line = unclosed_quote_line;
        if !self.count_lines {
            profile.first_ragged_lines.clear();
        }
        profile
    }

    fn extend_straddling(&mut self, bytes: &[u8]) {
        if self.straddling_too_long {
            return;
        }
        if self.straddling.len() + bytes.len() > self.max_record {
            self.straddling = Vec::new();
            self.straddling_too_long = true;
            return;
        }
        self.straddling.extend_from_slice(bytes);
    }

    /// The record gathered in `straddling` is complete: parse it (in order).
    fn parse_straddling(&mut self) {
        if self.straddling_too_long {
            self.records_too_long += 1;
            self.first_too_long_line.get_or_insert(self.straddling_line);
            self.straddling_too_long = false;
        } else {
            self.profile
                .feed_in_order(&self.straddling, self.straddling_line);
        }
        self.straddling.clear();
    }
}

impl Joiner {
    fn lines_in(&self, bytes: &[u8]) -> u64 {
        if self.count_lines {
            memchr::memchr_iter(b'\n', bytes).count() as u64
        } else {
            0
        }
    }
}
