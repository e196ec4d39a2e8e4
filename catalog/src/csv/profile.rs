//! A whole-file profile computed as the bytes stream by, in bounded memory: the exact row
//! count, the column names and types (inferred over every row), the delimiter, rows whose
//! field count differs from the header's (with the lines of the first ones), whether bytes
//! were not UTF-8, and records too long to look into.
//!
//! It is push-based (feed chunks as they arrive from an upload or an S3 body). The chunks go
//! through the same [`Joiner`] as the parallel scan: record boundaries are found by the
//! quote-aware [`super::records::RecordScanner`], whole records are split into fields by
//! [`FieldSplitter`] (csv-core's reading, checked against it) and profiled, and the profiles
//! of pieces add up ([`PiecesProfiler`]), so a file profiled here or in parallel pieces gives
//! the same result. Each column's [`ColumnProfiler`] rides in the same loop (unless
//! [`ColumnProfiling::Off`]), fed the cells type inference has just looked at.

use shared::{Column, ColumnProfile};

use super::column_name;
use super::column_profile::ColumnProfiler;
use super::fields::{FieldSplitter, Fields};
use super::infer::TypeInference;
use super::join::Joiner;
use super::row_marks::RowMarks;

/// Bytes gathered before the delimiter is chosen.
const DETECTION_BYTES: usize = 64 * 1024;
/// Lines of ragged rows kept for the error message.
const RAGGED_LINES_KEPT: usize = 5;
/// The longest record an import looks into (a longer one is counted, and refused).
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// Columns profiled, at most: the first ones of a wider table (the others still get their
/// types). Each profiled column holds at most about 100 KiB (`column_profile`), so a pass
/// holds at most about 25 MiB of profiles, whatever the header.
pub const MAX_PROFILED_COLUMNS: usize = 256;

/// Whether a pass profiles each column (empty cells, distinct values, ranges, top values,
/// histograms) beside counting rows and inferring types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnProfiling {
    #[default]
    On,
    /// Types and counts only (to measure what column profiles cost).
    Off,
}

/// Column profiles, compared as equal when they say the same thing: exact figures equal,
/// floating-point ones (means, deviations) within 1e-9 relative (merging pieces in another
/// order rounds the last bits differently), and estimates (from sketches, which depend on
/// the order values came in) as close as their documented error: distinct counts within
/// 2%, histograms with the same bins and total, top values led by the same value.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfiles(pub Vec<ColumnProfile>);

impl PartialEq for ColumnProfiles {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| same_column(a, b))
    }
}

fn same_column(a: &ColumnProfile, b: &ColumnProfile) -> bool {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300),
        (a, b) => a.is_none() && b.is_none(),
    };
    let distinct = if a.distinct_exact {
        a.distinct == b.distinct
    } else {
        a.distinct.abs_diff(b.distinct) as f64 <= 0.02 * a.distinct.max(b.distinct) as f64
    };
    let top_values = if a.top_values_exact {
        a.top_values == b.top_values
    } else {
        a.top_values.first().map(|top| &top.value) == b.top_values.first().map(|top| &top.value)
    };
    let histogram = if a.histogram_exact {
        a.histogram == b.histogram
    } else {
        let total = |bins: &[shared::HistogramBin]| bins.iter().map(|bin| bin.count).sum::<u64>();
        a.histogram.len() == b.histogram.len()
            && a.histogram
                .iter()
                .zip(&b.histogram)
                .all(|(x, y)| x.low == y.low && x.high == y.high)
            && total(&a.histogram) == total(&b.histogram)
    };
    let rest = |column: &ColumnProfile| ColumnProfile {
        mean: None,
        stddev: None,
        distinct: 0,
        top_values: Vec::new(),
        histogram: Vec::new(),
        ..column.clone()
    };
    close(a.mean, b.mean)
        && close(a.stddev, b.stddev)
        && distinct
        && top_values
        && histogram
        && rest(a) == rest(b)
}

/// What a profile found.
#[derive(Debug, Clone, PartialEq)]
pub struct TableProfile {
    pub columns: Vec<Column>,
    /// What each column holds over every row (empty with [`ColumnProfiling::Off`]).
    pub column_profiles: ColumnProfiles,
    /// Names given to columns whose header cell was empty (`column_N`).
    pub unnamed_columns: Vec<String>,
    /// Data rows, the header not counted.
    pub row_count: u64,
    pub delimiter: u8,
    /// Data rows with more or fewer fields than the header.
    pub ragged_rows: u64,
    /// 1-based line numbers (the header is line 1) of the first ragged rows.
    pub first_ragged_lines: Vec<u64>,
    /// Some bytes were not valid UTF-8.
    pub invalid_utf8: bool,
    /// Records longer than the limit: counted, their fields not looked at.
    pub records_too_long: u64,
    /// The line the first of them starts on (0 when lines were not counted).
    pub first_too_long_line: Option<u64>,
    /// The file has no content at all.
    pub is_empty: bool,
    /// Where rows start, every few hundred KiB (the sparse row index).
    pub row_marks: RowMarks,
    /// The file ends inside a quoted field: the line its last record starts on (0 when
    /// lines were not counted).
    pub unclosed_quote_line: Option<u64>,
}

/// Feeds bytes in, takes a [`TableProfile`] out.
pub struct TableProfiler {
    /// Bytes held back until the delimiter is known.
    pending: Vec<u8>,
    joiner: Option<Joiner>,
    column_profiling: ColumnProfiling,
}

impl Default for TableProfiler {
    fn default() -> Self {
        Self::new()
    }
}

impl TableProfiler {
    pub fn new() -> Self {
        Self::with(ColumnProfiling::On)
    }

    pub fn with(column_profiling: ColumnProfiling) -> Self {
        Self {
            pending: Vec::new(),
            joiner: None,
            column_profiling,
        }
    }

    /// Takes the next chunk of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if let Some(joiner) = self.joiner.as_mut() {
            join_and_profile(joiner, chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= DETECTION_BYTES {
            let head = std::mem::take(&mut self.pending);
            self.joiner = Some(start_joining(&head, self.column_profiling));
        }
    }

    pub fn finish(self) -> TableProfile {
        let is_empty = self.joiner.is_none() && self.pending.is_empty();
        let joiner = self
            .joiner
            .unwrap_or_else(|| start_joining(&self.pending, self.column_profiling));
        joiner.finish(is_empty)
    }
}

/// A joiner whose delimiter is detected from `head`, the file's first bytes, which it then
/// takes as its first chunk.
fn start_joining(head: &[u8], column_profiling: ColumnProfiling) -> Joiner {
    let mut joiner = Joiner::new(head, MAX_RECORD_BYTES).with_column_profiling(column_profiling);
    join_and_profile(&mut joiner, head);
    joiner
}

/// One chunk through the joiner, its whole records profiled here, in order.
fn join_and_profile(joiner: &mut Joiner, chunk: &[u8]) {
    if let Some(whole) = joiner.join(chunk) {
        joiner.profile_in_order(&chunk[whole.range], whole.first_line);
    }
}

/// The profile of some whole records from the middle of a file (a piece of the parallel
/// scan): everything about them that adds up across pieces.
#[derive(Debug, Clone)]
pub struct PieceProfile {
    pub rows: u64,
    pub ragged_rows: u64,
    pub first_ragged_lines: Vec<u64>,
    pub columns: Vec<TypeInference>,
    pub column_profilers: Vec<ColumnProfiler>,
    pub invalid_utf8: bool,
}

impl PieceProfile {
    /// Profiles `records` (whole records, or the file's last one without its line end) of a
    /// file whose header is `header`; the first starts on line `first_line`.
    pub fn of_records(
        records: &[u8],
        delimiter: u8,
        header: &[String],
        first_line: u64,
        column_profiling: ColumnProfiling,
    ) -> Self {
        let mut parser = PieceParser::new(delimiter, header, column_profiling);
        parser.parse(records, first_line);
        parser.finish()
    }
}

/// Parses whole records from anywhere in a file, piece after piece, into one
/// [`PieceProfile`] (a worker of a parallel pass keeps one for all the pieces it is given).
pub struct PieceParser {
    parser: RecordParser,
}

impl PieceParser {
    /// For a file whose header is `header`.
    pub fn new(delimiter: u8, header: &[String], column_profiling: ColumnProfiling) -> Self {
        let mut parser = RecordParser::new(delimiter, column_profiling);
        parser.stats.start_columns(header.len());
        parser.stats.header = Some(header.to_vec());
        Self { parser }
    }

    /// Whole records (or the file's last one without its line end); the first starts on
    /// line `first_line`.
    pub fn parse(&mut self, records: &[u8], first_line: u64) {
        self.parser.parse(records, first_line);
    }

    pub fn finish(self) -> PieceProfile {
        let stats = self.parser.stats;
        PieceProfile {
            rows: stats.rows,
            ragged_rows: stats.ragged_rows,
            first_ragged_lines: stats.first_ragged_lines,
            columns: stats.columns,
            column_profilers: stats.profilers,
            invalid_utf8: stats.invalid_utf8,
        }
    }
}

/// Builds a whole-file profile from its pieces, in any order: the header and any records
/// that straddle pieces go through [`PiecesProfiler::feed_in_order`]; pieces of whole
/// records are profiled elsewhere (on other cores) and added with [`PiecesProfiler::add`].
pub struct PiecesProfiler {
    ordered: RecordParser,
}

impl PiecesProfiler {
    pub fn new(delimiter: u8, column_profiling: ColumnProfiling) -> Self {
        Self {
            ordered: RecordParser::new(delimiter, column_profiling),
        }
    }

    pub fn delimiter(&self) -> u8 {
        self.ordered.delimiter
    }

    /// The header, once its record was fed.
    pub fn header(&self) -> Option<&[String]> {
        self.ordered.stats.header.as_deref()
    }

    /// Whole records in file order: the first one (the header) and those that straddle
    /// pieces; the first starts on line `first_line`.
    pub fn feed_in_order(&mut self, records: &[u8], first_line: u64) {
        self.ordered.parse(records, first_line);
    }

    /// Adds a piece's profile (kept merged: memory does not grow with the pieces).
    pub fn add(&mut self, piece: PieceProfile) {
        let stats = &mut self.ordered.stats;
        stats.rows += piece.rows;
        stats.ragged_rows += piece.ragged_rows;
        stats.invalid_utf8 |= piece.invalid_utf8;
        keep_first_lines(&mut stats.first_ragged_lines, piece.first_ragged_lines);
        for (column, seen) in stats.columns.iter_mut().zip(&piece.columns) {
            column.merge(seen);
        }
        for (column, seen) in stats.profilers.iter_mut().zip(&piece.column_profilers) {
            column.merge(seen);
        }
    }

    /// The profile of the whole file, `file_empty` when it has no bytes at all.
    pub fn finish(self, file_empty: bool) -> TableProfile {
        self.ordered.into_profile(file_empty)
    }
}

/// Splits whole records and keeps their statistics.
struct RecordParser {
    delimiter: u8,
    splitter: FieldSplitter,
    stats: RecordStats,
}

#[derive(Default)]
struct RecordStats {
    header: Option<Vec<String>>,
    columns: Vec<TypeInference>,
    /// One per column, or none with [`ColumnProfiling::Off`].
    profilers: Vec<ColumnProfiler>,
    column_profiling: ColumnProfiling,
    rows: u64,
    ragged_rows: u64,
    first_ragged_lines: Vec<u64>,
    invalid_utf8: bool,
}

impl RecordParser {
    fn new(delimiter: u8, column_profiling: ColumnProfiling) -> Self {
        Self {
            delimiter,
            splitter: FieldSplitter::default(),
            stats: RecordStats {
                column_profiling,
                ..RecordStats::default()
            },
        }
    }

    fn parse(&mut self, records: &[u8], first_line: u64) {
        // One UTF-8 check for all the records (nearly always they are text): their fields,
        // even unescaped, are text then too, and are not checked again one by one.
        let all_text = std::str::from_utf8(records).is_ok();
        let stats = &mut self.stats;
        self.splitter
            .split(records, self.delimiter, first_line, |fields, line| {
                stats.take_record(fields, line, all_text);
            });
    }

    fn into_profile(self, is_empty: bool) -> TableProfile {
        let stats = self.stats;
        let header = stats.header.unwrap_or_default();
        let names: Vec<_> = header
            .iter()
            .enumerate()
            .map(|(index, raw)| column_name(raw, index))
            .collect();
        let types: Vec<_> = (0..names.len())
            .map(|index| {
                stats
                    .columns
                    .get(index)
                    .map(TypeInference::result)
                    .unwrap_or(shared::ColumnType::Text)
            })
            .collect();
        let column_profiles = stats
            .profilers
            .iter()
            .zip(names.iter().zip(&types))
            .map(|(profiler, (name, &column_type))| {
                profiler.finish(&name.name, column_type, stats.rows)
            })
            .collect();
        TableProfile {
            column_profiles: ColumnProfiles(column_profiles),
            unnamed_columns: names
                .iter()
                .filter(|name| name.unnamed)
                .map(|name| name.name.clone())
                .collect(),
            columns: names
                .into_iter()
                .enumerate()
                .map(|(index, name)| Column {
                    name: name.name,
                    column_type: types[index],
                })
                .collect(),
            row_count: stats.rows,
            delimiter: self.delimiter,
            ragged_rows: stats.ragged_rows,
            first_ragged_lines: stats.first_ragged_lines,
            invalid_utf8: stats.invalid_utf8,
            records_too_long: 0,
            first_too_long_line: None,
            is_empty,
            row_marks: RowMarks::default(),
            unclosed_quote_line: None,
        }
    }
}

impl RecordStats {
    fn start_columns(&mut self, count: usize) {
        self.columns = vec![TypeInference::default(); count];
        if self.column_profiling == ColumnProfiling::On {
            self.profilers = vec![ColumnProfiler::default(); count.min(MAX_PROFILED_COLUMNS)];
        }
    }

    /// `all_text`: the fields are known to be UTF-8.
    fn take_record(&mut self, fields: Fields<'_>, line: u64, all_text: bool) {
        let Some(header) = self.header.as_ref() else {
            let names = fields
                .iter()
                .map(|name| decode(name, &mut self.invalid_utf8).into_owned())
                .collect::<Vec<_>>();
            self.start_columns(names.len());
            self.header = Some(names);
            return;
        };
        self.rows += 1;
        if fields.len() != header.len() {
            self.ragged_rows += 1;
            keep_first_lines(&mut self.first_ragged_lines, [line]);
        }
        // The hot loop of an import and a scan: cells are inferred where they lie, never
        // copied; types are ASCII, so known text is checked as bytes.
        if !self.profilers.is_empty() {
            self.take_profiled_record(fields, all_text);
            return;
        }
        if all_text {
            for (column, field) in self.columns.iter_mut().zip(fields.iter()) {
                column.observe_bytes(field);
            }
            return;
        }
        // Some bytes are not UTF-8: check this record (delimiters are ASCII, so every field
        // boundary is a character boundary of valid text).
        if let Ok(text) = std::str::from_utf8(fields.text()) {
            for (column, &(start, end)) in self.columns.iter_mut().zip(fields.spans()) {
                column.observe(text.get(start..end).unwrap_or_default());
            }
            return;
        }
        for (column, field) in self.columns.iter_mut().zip(fields.iter()) {
            column.observe(&decode(field, &mut self.invalid_utf8));
        }
    }

    /// [`RecordStats::take_record`]'s cells, each also fed to its column's profiler.
    /// Columns past [`MAX_PROFILED_COLUMNS`] only have their types inferred.
    fn take_profiled_record(&mut self, fields: Fields<'_>, all_text: bool) {
        let record_is_text = all_text || std::str::from_utf8(fields.text()).is_ok();
        for (index, (column, cell)) in self.columns.iter_mut().zip(fields.iter()).enumerate() {
            let text = if record_is_text {
                std::borrow::Cow::Borrowed(cell)
            } else {
                std::borrow::Cow::Owned(
                    decode(cell, &mut self.invalid_utf8)
                        .into_owned()
                        .into_bytes(),
                )
            };
            match self.profilers.get_mut(index) {
                Some(profiler) => profiler.observe(column, &text),
                None => column.observe_bytes(&text),
            }
        }
    }
}

/// Adds lines to the first ones kept, whatever order they come in.
fn keep_first_lines(kept: &mut Vec<u64>, lines: impl IntoIterator<Item = u64>) {
    for line in lines {
        if kept.len() < RAGGED_LINES_KEPT {
            kept.push(line);
        } else if let Some(last) = kept.last_mut()
            && line < *last
        {
            *last = line;
        } else {
            continue;
        }
        kept.sort_unstable();
    }
}

/// A field as text, borrowed when it is UTF-8 (nearly always); bad bytes become U+FFFD.
fn decode<'a>(bytes: &'a [u8], invalid_utf8: &mut bool) -> std::borrow::Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            *invalid_utf8 = true;
            String::from_utf8_lossy(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::ColumnType;

    use super::*;

    fn profile_in_chunks(bytes: &[u8], chunk: usize) -> TableProfile {
        let mut profiler = TableProfiler::new();
        for piece in bytes.chunks(chunk.max(1)) {
            profiler.feed(piece);
        }
        profiler.finish()
    }

    fn types(profile: &TableProfile) -> Vec<ColumnType> {
        profile.columns.iter().map(|c| c.column_type).collect()
    }

    #[test]
    fn counts_rows_and_infers_types_over_the_whole_file() {
        let csv = b"id,price,ok,day\n1,2.5,true,2024-01-01\n2,3,false,2024-01-02\n";
        let profile = profile_in_chunks(csv, 1024);
        assert_eq!(profile.row_count, 2);
        assert_eq!(
            types(&profile),
            vec![
                ColumnType::Integer,
                ColumnType::Float,
                ColumnType::Boolean,
                ColumnType::Date
            ]
        );
    }

    #[test]
    fn only_empty_header_cells_are_unnamed_not_names_that_look_like_placeholders() {
        let profile = profile_in_chunks(b"id,,column_total\n1,2,3\n", 1024);
        let names: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["id", "column_2", "column_total"]);
        assert_eq!(profile.unnamed_columns, vec!["column_2".to_owned()]);
    }

    #[test]
    fn chunk_boundaries_do_not_change_the_result() {
        let csv = b"a,b\n\"x,\"\"y\"\"\n z\",1\r\n2,3\n\n4,5";
        let whole = profile_in_chunks(csv, csv.len());
        for chunk in [1, 2, 3, 7] {
            assert_eq!(profile_in_chunks(csv, chunk), whole, "chunks of {chunk}");
        }
        assert_eq!(whole.row_count, 3, "the blank line is not a row");
    }

    #[test]
    fn a_bom_is_not_part_of_the_first_column_name() {
        let profile = profile_in_chunks(b"\xEF\xBB\xBFname,age\nAda,36\n", 4);
        assert_eq!(profile.columns[0].name, "name");
    }

    #[test]
    fn the_first_ragged_lines_are_kept_whatever_order_pieces_come_in() {
        let mut kept = Vec::new();
        keep_first_lines(&mut kept, [90, 80, 70]);
        keep_first_lines(&mut kept, [95, 10, 60]);
        keep_first_lines(&mut kept, [20, 99]);
        assert_eq!(kept, vec![10, 20, 60, 70, 80]);
    }

    #[test]
    fn a_row_longer_than_the_limit_is_counted_and_reported() {
        let mut csv = b"id,note\n1,\"".to_vec();
        csv.resize(MAX_RECORD_BYTES + 10, b'x');
        csv.extend_from_slice(b"\"\n2,short\n");
        let profile = profile_in_chunks(&csv, 1024 * 1024);
        assert_eq!((profile.row_count, profile.records_too_long), (2, 1));
        assert_eq!(profile.first_too_long_line, Some(2));
    }

    #[test]
    fn ragged_rows_are_counted_with_their_line_numbers() {
        let profile = profile_in_chunks(b"a,b\n1,2\n3\n4,5,6\n7,8\n", 5);
        assert_eq!(profile.row_count, 4);
        assert_eq!(profile.ragged_rows, 2);
        assert_eq!(profile.first_ragged_lines, vec![3, 4]);
    }

    #[test]
    fn only_the_first_columns_of_a_very_wide_table_are_profiled_but_all_are_typed() {
        let columns = MAX_PROFILED_COLUMNS + 44;
        let header: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
        let row: Vec<String> = (0..columns).map(|c| c.to_string()).collect();
        let csv = format!("{}\n{}\n", header.join(","), row.join(","));
        let profile = profile_in_chunks(csv.as_bytes(), 100);
        assert_eq!(profile.columns.len(), columns);
        assert!(types(&profile).iter().all(|t| *t == ColumnType::Integer));
        assert_eq!(profile.column_profiles.0.len(), MAX_PROFILED_COLUMNS);
    }

    #[test]
    fn empty_and_header_only_files() {
        let empty = profile_in_chunks(b"", 10);
        assert!(empty.is_empty);
        assert_eq!(empty.row_count, 0);
        let header_only = profile_in_chunks(b"a;b;c\n", 10);
        assert!(!header_only.is_empty);
        assert_eq!(header_only.row_count, 0);
        assert_eq!(header_only.delimiter, b';');
        assert_eq!(header_only.columns.len(), 3);
    }

    #[test]
    fn invalid_utf8_is_noticed_not_fatal() {
        let profile = profile_in_chunks(b"name\ncaf\xe9\n", 3);
        assert!(profile.invalid_utf8);
        assert_eq!(profile.row_count, 1);
    }

    #[test]
    fn files_larger_than_the_detection_window_are_counted_exactly() {
        let mut csv = b"n;square\n".to_vec();
        for n in 0..20_000 {
            csv.extend_from_slice(format!("{n};{}\n", n * n).as_bytes());
        }
        let profile = profile_in_chunks(&csv, 8192);
        assert_eq!(profile.row_count, 20_000);
        assert_eq!(profile.delimiter, b';');
        assert_eq!(
            types(&profile),
            vec![ColumnType::Integer, ColumnType::Integer]
        );
    }
}
