//! Where CSV records end, found without parsing fields: the few states of csv-core's reader
//! that decide record boundaries (outside or inside quotes, at the start of a field or a
//! record), driven by `memchr` from one interesting byte to the next. It runs at memory
//! speed, so the parallel scan ([`crate::scan`]) can resolve, in order, the state each
//! chunk starts in (possibly inside a quoted field) while the fields are parsed on all cores.
//!
//! It follows csv-core's default dialect with the given delimiter: `"` quotes (doubled to
//! escape), `\r`, `\n` and `\r\n` end records, empty lines are not records, a quote opens a
//! quoted field only at the start of a field, and a last record without a line end counts.
//! A UTF-8 byte order mark at the start of the file must be skipped by the caller (csv-core
//! skips it too). The property test below checks it against csv-core on random files.

use memchr::{memchr, memchr3};

use super::row_marks::RowMarks;

/// Where the reader is between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// At the start of a record (also after empty lines).
    RecordStart,
    /// Just after a delimiter.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the end of the quotes, or half of `""`.
    QuoteInQuoted,
}

/// Record ends found in one chunk, as offsets just past the byte that ended the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordEnds {
    pub first: Option<usize>,
    pub last: Option<usize>,
}

/// Follows record boundaries across chunks fed in order.
#[derive(Debug, Clone)]
pub struct RecordScanner {
    delimiter: u8,
    state: RecordState,
    records: u64,
    /// Bytes of the file before the current chunk.
    position: u64,
    marks: RowMarks,
}

impl RecordScanner {
    pub fn new(delimiter: u8) -> Self {
        Self {
            delimiter,
            state: RecordState::RecordStart,
            records: 0,
            position: 0,
            marks: RowMarks::default(),
        }
    }

    /// Bytes of the file the caller does not scan (a byte order mark), so the row marks
    /// are offsets in the whole file.
    pub fn skip(&mut self, bytes: u64) {
        self.position += bytes;
    }

    /// The input so far ends inside a quoted field: at the end of a file, a quote that was
    /// never closed.
    pub fn inside_quotes(&self) -> bool {
        self.state == RecordState::Quoted
    }

    /// The row marks taken so far (a sparse row index of the bytes scanned).
    pub fn row_marks(&self) -> &RowMarks {
        &self.marks
    }

    /// Records in the whole input, once all of it was fed: a last record without a line
    /// end counts too.
    pub fn records_at_end(&self) -> u64 {
        self.records + u64::from(self.state != RecordState::RecordStart)
    }

    /// Reads the next chunk; returns where records ended in it.
    pub fn scan(&mut self, bytes: &[u8]) -> RecordEnds {
        let mut ends = RecordEnds::default();
        let mut at = 0;
        while at < bytes.len() {
            match self.state {
                RecordState::Quoted => match memchr(b'"', &bytes[at..]) {
                    Some(offset) => {
                        at += offset + 1;
                        self.state = RecordState::QuoteInQuoted;
                    }
                    None => at = bytes.len(),
                },
                RecordState::QuoteInQuoted => {
                    let byte = bytes[at];
                    at += 1;
                    self.state = match byte {
                        b'"' => RecordState::Quoted,
                        b'\n' | b'\r' => self.end_record(at, &mut ends),
                        _ if byte == self.delimiter => RecordState::FieldStart,
                        _ => RecordState::Unquoted,
                    };
                }
                RecordState::RecordStart | RecordState::FieldStart | RecordState::Unquoted => {
                    let rest = &bytes[at..];
                    let next = memchr3(b'"', b'\n', b'\r', rest);
                    // Ordinary bytes before it: only the last one matters (a delimiter or not).
                    let run = next.unwrap_or(rest.len());
                    if run > 0 {
                        self.state = if rest[run - 1] == self.delimiter {
                            RecordState::FieldStart
                        } else {
                            RecordState::Unquoted
                        };
                    }
                    at += run;
                    if next.is_some() {
                        let byte = bytes[at];
                        at += 1;
                        self.state = match (byte, self.state) {
                            (b'"', RecordState::RecordStart | RecordState::FieldStart) => {
                                RecordState::Quoted
                            }
                            (b'"', _) => RecordState::Unquoted,
                            (_, RecordState::RecordStart) => RecordState::RecordStart,
                            _ => self.end_record(at, &mut ends),
                        };
                    }
                }
            }
        }
        self.position += bytes.len() as u64;
        ends
    }

    fn end_record(&mut self, at: usize, ends: &mut RecordEnds) -> RecordState {
        self.records += 1;
        self.marks
            .record_ended(self.records, self.position + at as u64);
        ends.first.get_or_insert(at);
        ends.last = Some(at);
        RecordState::RecordStart
    }
}

#[cfg(test)]
mod tests {
    use csv_core::{ReadRecordResult, ReaderBuilder};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// Records as csv-core counts them (the reference).
    fn csv_core_records(bytes: &[u8], delimiter: u8) -> u64 {
        let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
        let (mut output, mut ends) = (vec![0; 1 << 16], vec![0; 1 << 12]);
        let mut input = bytes;
        let mut records = 0;
        loop {
            let (result, read, _, _) = reader.read_record(input, &mut output, &mut ends);
            input = &input[read..];
            match result {
                ReadRecordResult::Record => records += 1,
                ReadRecordResult::End => return records,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {
                    unreachable!("test inputs are small")
                }
            }
        }
    }

    fn scanned_records(bytes: &[u8], delimiter: u8, cuts: &[usize]) -> u64 {
        let mut scanner = RecordScanner::new(delimiter);
        let mut start = 0;
        for &cut in cuts.iter().chain([bytes.len()].iter()) {
            scanner.scan(&bytes[start..cut]);
            start = cut;
        }
        scanner.records_at_end()
    }

    #[test]
    fn quoted_line_ends_and_doubled_quotes_stay_inside_the_record() {
        let csv = b"a,b\n\"x\ny\",\"say \"\"hi\"\"\r\n\"\r\n1,2";
        assert_eq!(scanned_records(csv, b',', &[]), 3);
        assert_eq!(csv_core_records(csv, b','), 3);
    }

    #[test]
    fn empty_lines_are_not_records_and_a_quote_inside_a_field_is_a_character() {
        for csv in [
            &b"a\n\n\r\n\rb\n"[..],
            b"a,b\"c\nd\"\n",
            b"\n\n",
            b"x,",
            b"",
        ] {
            assert_eq!(
                scanned_records(csv, b',', &[]),
                csv_core_records(csv, b','),
                "{:?}",
                String::from_utf8_lossy(csv)
            );
        }
    }

    #[test]
    fn record_ends_are_offsets_past_the_line_end() {
        let mut scanner = RecordScanner::new(b',');
        let ends = scanner.scan(b"ab\n\"c\nd\"\nef");
        assert_eq!((ends.first, ends.last), (Some(3), Some(9)));
        assert_eq!(scanner.records_at_end(), 3);
    }

    /// Random files made of the bytes that matter, cut into chunks anywhere (inside quoted
    /// fields, between `\r` and `\n`, between the two quotes of `""`): the same count as
    /// csv-core reading the whole file, for every delimiter we detect.
    #[test]
    fn the_same_records_as_csv_core_wherever_the_chunks_are_cut() {
        let mut random = StdRng::seed_from_u64(0x0DB3);
        for case in 0..3_000 {
            let delimiter = [b',', b';', b'\t', b'|'][case % 4];
            let alphabet = [b'a', b'"', b'\n', b'\r', delimiter, b','];
            let length = random.random_range(0..120);
            let bytes: Vec<u8> = (0..length)
                .map(|_| alphabet[random.random_range(0..alphabet.len())])
                .collect();
            let mut cuts: Vec<usize> = (0..random.random_range(0..6))
                .map(|_| random.random_range(0..=length))
                .collect();
            cuts.sort_unstable();
            assert_eq!(
                scanned_records(&bytes, delimiter, &cuts),
                csv_core_records(&bytes, delimiter),
                "case {case}: {:?} cut at {cuts:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
