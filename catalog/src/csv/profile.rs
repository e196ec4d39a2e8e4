//! A whole-file profile computed as the bytes stream by, in constant memory: the exact row
//! count, the column names and types (inferred over every row), the delimiter, rows whose
//! field count differs from the header's, and whether bytes were not UTF-8.
//!
//! It is push-based (feed chunks as they arrive from an upload or an S3 body), built on
//! csv-core, the parser under csv-async, so it splits records exactly as previews do.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use shared::Column;

use super::dialect::detect_delimiter;
use super::infer::TypeInference;
use super::{UTF8_BOM, column_name};

/// Bytes gathered before the delimiter is chosen.
const DETECTION_BYTES: usize = 64 * 1024;

/// What a profile found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProfile {
    pub columns: Vec<Column>,
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
    /// The file has no content at all.
    pub is_empty: bool,
}

/// Feeds bytes in, takes a [`TableProfile`] out.
pub struct TableProfiler {
    /// Bytes held back until the delimiter is known.
    pending: Vec<u8>,
    parser: Option<Parser>,
}

struct Parser {
    reader: Reader,
    delimiter: u8,
    fields: Vec<u8>,
    fields_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    header: Option<Vec<String>>,
    columns: Vec<TypeInference>,
    rows: u64,
    ragged_rows: u64,
    first_ragged_lines: Vec<u64>,
    invalid_utf8: bool,
    /// The line the record being parsed starts on (csv-core counts past its terminator).
    record_start_line: u64,
}

const RAGGED_LINES_KEPT: usize = 5;

impl Default for TableProfiler {
    fn default() -> Self {
        Self::new()
    }
}

impl TableProfiler {
    pub fn new() -> Self {
        Self {
            pending: Vec::new(),
            parser: None,
        }
    }

    /// Takes the next chunk of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if let Some(parser) = self.parser.as_mut() {
            parser.feed(chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= DETECTION_BYTES {
            self.start_parsing();
        }
    }

    pub fn finish(mut self) -> TableProfile {
        let is_empty = self.parser.is_none() && self.pending.is_empty();
        if self.parser.is_none() {
            self.start_parsing();
        }
        let Some(mut parser) = self.parser.take() else {
            return TableProfile {
                columns: Vec::new(),
                unnamed_columns: Vec::new(),
                row_count: 0,
                delimiter: b',',
                ragged_rows: 0,
                first_ragged_lines: Vec::new(),
                invalid_utf8: false,
                is_empty,
            };
        };
        parser.feed(&[]);
        parser.into_profile(is_empty)
    }

    fn start_parsing(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let without_bom = pending.strip_prefix(UTF8_BOM).unwrap_or(&pending);
        let delimiter = detect_delimiter(without_bom);
        let mut parser = Parser::new(delimiter);
        parser.feed_nonfinal(&pending);
        self.parser = Some(parser);
    }
}

/// The profile of some complete records from the middle of a file (a piece of the parallel
/// scan): everything about them that adds up across pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PieceProfile {
    pub rows: u64,
    pub ragged_rows: u64,
    pub columns: Vec<TypeInference>,
    pub invalid_utf8: bool,
}

impl PieceProfile {
    /// Profiles `records` (whole records, each ended by its line end, or the file's last
    /// record when `at_end`) of a file whose header is `header`.
    pub fn of_records(records: &[u8], delimiter: u8, header: &[String], at_end: bool) -> Self {
        let mut parser = Parser::new(delimiter);
        parser.columns = vec![TypeInference::default(); header.len()];
        parser.header = Some(header.to_vec());
        parser.feed_nonfinal(records);
        if at_end {
            parser.feed(&[]);
        }
        Self {
            rows: parser.rows,
            ragged_rows: parser.ragged_rows,
            columns: parser.columns,
            invalid_utf8: parser.invalid_utf8,
        }
    }
}

/// Builds a whole-file profile from its pieces, in any order: the header and any records
/// that straddle pieces go through [`PiecesProfiler::feed_in_order`]; pieces of whole
/// records are profiled elsewhere (on other cores) and added with [`PiecesProfiler::add`].
/// Lines of ragged rows are not known this way (`first_ragged_lines` stays empty).
pub struct PiecesProfiler {
    ordered: Parser,
    pieces: Vec<PieceProfile>,
}

impl PiecesProfiler {
    pub fn new(delimiter: u8) -> Self {
        Self {
            ordered: Parser::new(delimiter),
            pieces: Vec::new(),
        }
    }

    /// The header, once its record was fed.
    pub fn header(&self) -> Option<&[String]> {
        self.ordered.header.as_deref()
    }

    /// Bytes that complete records in file order: the first record (the header) and the
    /// records that straddle pieces.
    pub fn feed_in_order(&mut self, records: &[u8]) {
        self.ordered.feed_nonfinal(records);
    }

    pub fn add(&mut self, piece: PieceProfile) {
        self.pieces.push(piece);
    }

    /// The profile of the whole file, `file_empty` when it has no bytes at all.
    pub fn finish(mut self, file_empty: bool) -> TableProfile {
        self.ordered.feed(&[]);
        for piece in self.pieces {
            self.ordered.rows += piece.rows;
            self.ordered.ragged_rows += piece.ragged_rows;
            self.ordered.invalid_utf8 |= piece.invalid_utf8;
            for (column, seen) in self.ordered.columns.iter_mut().zip(&piece.columns) {
                column.merge(seen);
            }
        }
        self.ordered.first_ragged_lines.clear();
        self.ordered.into_profile(file_empty)
    }
}

impl Parser {
    fn new(delimiter: u8) -> Self {
        Self {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            fields: vec![0; 4096],
            fields_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            header: None,
            columns: Vec::new(),
            rows: 0,
            ragged_rows: 0,
            first_ragged_lines: Vec::new(),
            invalid_utf8: false,
            record_start_line: 1,
        }
    }

    /// An empty chunk means the end of the file (csv-core's convention).
    fn feed(&mut self, mut input: &[u8]) {
        let at_end = input.is_empty();
        loop {
            let (result, read, written, ended) = self.reader.read_record(
                input,
                &mut self.fields[self.fields_len..],
                &mut self.ends[self.ends_len..],
            );
            input = &input[read..];
            self.fields_len += written;
            self.ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty => {
                    if !at_end {
                        return;
                    }
                }
                ReadRecordResult::OutputFull => {
                    let doubled = self.fields.len() * 2;
                    self.fields.resize(doubled, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let doubled = self.ends.len() * 2;
                    self.ends.resize(doubled, 0);
                }
                ReadRecordResult::Record => {
                    self.take_record();
                    self.fields_len = 0;
                    self.ends_len = 0;
                    self.record_start_line = self.reader.line();
                }
                ReadRecordResult::End => return,
            }
        }
    }

    fn into_profile(self, is_empty: bool) -> TableProfile {
        let header = self.header.clone().unwrap_or_default();
        let names: Vec<_> = header
            .iter()
            .enumerate()
            .map(|(index, raw)| column_name(raw, index))
            .collect();
        TableProfile {
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
                    column_type: self
                        .columns
                        .get(index)
                        .map(TypeInference::result)
                        .unwrap_or(shared::ColumnType::Text),
                })
                .collect(),
            row_count: self.rows,
            delimiter: self.delimiter,
            ragged_rows: self.ragged_rows,
            first_ragged_lines: self.first_ragged_lines,
            invalid_utf8: self.invalid_utf8,
            is_empty,
        }
    }

    fn feed_nonfinal(&mut self, input: &[u8]) {
        if !input.is_empty() {
            self.feed(input);
        }
    }

    fn take_record(&mut self) {
        let fields = &self.fields[..self.fields_len];
        let ends = &self.ends[..self.ends_len];
        let Some(header) = self.header.as_ref() else {
            let mut start = 0;
            let names = ends
                .iter()
                .map(|&end| {
                    let name = decode(&fields[start..end], &mut self.invalid_utf8);
                    start = end;
                    name.into_owned()
                })
                .collect::<Vec<_>>();
            self.columns = vec![TypeInference::default(); names.len()];
            self.header = Some(names);
            return;
        };
        self.rows += 1;
        if ends.len() != header.len() {
            self.ragged_rows += 1;
            if self.first_ragged_lines.len() < RAGGED_LINES_KEPT {
                self.first_ragged_lines.push(self.record_start_line);
            }
        }
        // The hot loop of an import: cells are inferred where they lie, never copied, and
        // the record's text is checked once (delimiters are ASCII, so every field end is a
        // character boundary of valid text).
        let mut start = 0;
        if let Ok(text) = std::str::from_utf8(fields) {
            for (column, &end) in self.columns.iter_mut().zip(ends) {
                column.observe(text.get(start..end).unwrap_or_default());
                start = end;
            }
            return;
        }
        for (column, &end) in self.columns.iter_mut().zip(ends) {
            column.observe(&decode(&fields[start..end], &mut self.invalid_utf8));
            start = end;
        }
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
    fn ragged_rows_are_counted_with_their_line_numbers() {
        let profile = profile_in_chunks(b"a,b\n1,2\n3\n4,5,6\n7,8\n", 5);
        assert_eq!(profile.row_count, 4);
        assert_eq!(profile.ragged_rows, 2);
        assert_eq!(profile.first_ragged_lines, vec![3, 4]);
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
