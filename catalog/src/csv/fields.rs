//! Splitting whole records into fields: a byte loop over unquoted fields (they are short)
//! and memchr over quoted ones, as fast as csv-core on typical tables, counting lines as it
//! goes. The input is only ever whole records, as [`super::join`] cuts them, so no state is
//! carried from one call to the next.
//!
//! A record without a quoted field (nearly every record of most tables) is not copied: its
//! fields are spans of the input. From its first quoted field on, a record's fields are
//! copied into a buffer, quotes removed (with the few fields before it).
//!
//! It reads what csv-core's default dialect reads (a test checks it against csv-core on
//! random input): `"` quotes a field only at its start and `""` inside quotes is one quote;
//! text after a closing quote joins the field (`"ab"c` is `abc`); `\r`, `\n` and `\r\n` end
//! a record; empty lines are skipped; the last record needs no line end, and a line ending
//! in the delimiter has a last, empty field.

use memchr::memchr;

/// One record's fields: each is `text[start..end]` of one of its spans.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// The record's text (its fields and what separates them), or the fields of a record
    /// with quotes, copied one after the other.
    text: &'a [u8],
    spans: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    /// How many fields the record has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// The text that holds every field (no delimiter is ever inside a field's span, so a
    /// field of UTF-8 text is UTF-8 too).
    pub fn text(&self) -> &'a [u8] {
        self.text
    }

    /// Each field's start and end in [`Fields::text`].
    pub fn spans(&self) -> &'a [(usize, usize)] {
        self.spans
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let text = self.text;
        self.spans
            .iter()
            .map(move |&(start, end)| &text[start..end])
    }
}

/// How far a record could be split without copying.
enum Unquoted {
    /// All of it: its text ends at `end`, and the next record begins at `next`.
    Record { end: usize, next: usize },
    /// Up to a field that starts with a quote, at this offset.
    QuoteAt(usize),
}

/// Where the unquoted text from `at` ends: at the first delimiter or line end, or at the
/// end of `records`. Fields are short: a byte loop beats a memchr call per field.
fn field_end(records: &[u8], mut at: usize, ends_field: &[bool; 256]) -> usize {
    while at < records.len() && !ends_field[usize::from(records[at])] {
        at += 1;
    }
    at
}

/// Reusable buffers for one record's fields.
#[derive(Debug, Default)]
pub struct FieldSplitter {
    /// The fields of a record with quotes, one after the other (quotes removed, `""` made
    /// `"`).
    copied: Vec<u8>,
    /// Where each field starts and ends: in the input, or in `copied`.
    spans: Vec<(usize, usize)>,
}

impl FieldSplitter {
    /// Calls `each(fields, line)` for every record in `records`, where `line` is the
    /// 1-based line the record starts on, counting from `first_line` at the slice's start.
    pub fn split(
        &mut self,
        records: &[u8],
        delimiter: u8,
        first_line: u64,
        mut each: impl FnMut(Fields<'_>, u64),
    ) {
        let mut ends_field = [false; 256];
        for byte in [delimiter, b'\n', b'\r'] {
            ends_field[usize::from(byte)] = true;
        }
        let mut at = 0;
        let mut line = first_line;
        let length = records.len();
        while at < length {
            // Empty lines are not records.
            while at < length && matches!(records[at], b'\n' | b'\r') {
                line += u64::from(records[at] == b'\n');
                at += 1;
            }
            if at == length {
                return;
            }
            let record_line = line;
            let record_start = at;
            match self.unquoted(records, record_start, &ends_field, delimiter) {
                Unquoted::Record { end, next } => {
                    at = next;
                    line += u64::from(records.get(end) == Some(&b'\n'));
                    let fields = Fields {
                        text: &records[record_start..end],
                        spans: &self.spans,
                    };
                    each(fields, record_line);
                }
                Unquoted::QuoteAt(quote) => {
                    self.copy_fields_so_far(&records[record_start..]);
                    at = self.copying(records, quote, &ends_field, delimiter, &mut line);
                    let fields = Fields {
                        text: &self.copied,
                        spans: &self.spans,
                    };
                    each(fields, record_line);
                }
            }
        }
    }

    /// The fields of the record at `record_start` as spans of `records` (relative to
    /// `record_start`), up to the first field that starts with a quote.
    fn unquoted(
        &mut self,
        records: &[u8],
        record_start: usize,
        ends_field: &[bool; 256],
        delimiter: u8,
    ) -> Unquoted {
        self.spans.clear();
        let length = records.len();
        let mut at = record_start;
        loop {
            if records[at] == b'"' {
                return Unquoted::QuoteAt(at);
            }
            let field_start = at;
            at = field_end(records, at, ends_field);
            self.spans
                .push((field_start - record_start, at - record_start));
            if at == length {
                return Unquoted::Record { end: at, next: at };
            }
            if records[at] != delimiter {
                return Unquoted::Record {
                    end: at,
                    next: at + 1,
                };
            }
            at += 1;
            if at == length {
                // `a,` at the very end: a last empty field
                let end = at - record_start;
                self.spans.push((end, end));
                return Unquoted::Record { end: at, next: at };
            }
        }
    }

    /// Copies the fields found so far (spans of `record`) into `copied`, and makes their
    /// spans point there.
    fn copy_fields_so_far(&mut self, record: &[u8]) {
        self.copied.clear();
        for span in &mut self.spans {
            let start = self.copied.len();
            self.copied.extend_from_slice(&record[span.0..span.1]);
            *span = (start, self.copied.len());
        }
    }

    /// The rest of a record from the field at `at` (which starts with a quote), copied into
    /// `copied` without quotes after the fields already there; returns where the next
    /// record begins.
    fn copying(
        &mut self,
        records: &[u8],
        mut at: usize,
        ends_field: &[bool; 256],
        delimiter: u8,
        line: &mut u64,
    ) -> usize {
        let length = records.len();
        loop {
            let start = self.copied.len();
            if records[at] == b'"' {
                at = self.quoted(records, at + 1, line);
            }
            let field_start = at;
            at = field_end(records, at, ends_field);
            self.copied.extend_from_slice(&records[field_start..at]);
            self.spans.push((start, self.copied.len()));
            if at == length {
                return at;
            }
            let byte = records[at];
            at += 1;
            if byte != delimiter {
                *line += u64::from(byte == b'\n');
                return at;
            }
            if at == length {
                let end = self.copied.len();
                self.spans.push((end, end)); // `a,` at the very end: a last empty field
                return at;
            }
        }
    }

    /// The inside of a quoted field starting at `at`; returns where the quotes ended.
    fn quoted(&mut self, records: &[u8], mut at: usize, line: &mut u64) -> usize {
        loop {
            let rest = &records[at..];
            let Some(quote) = memchr(b'"', rest) else {
                // Unclosed at the end of the input: the rest is the field.
                self.push_counting_lines(rest, line);
                return records.len();
            };
            self.push_counting_lines(&rest[..quote], line);
            at += quote + 1;
            if records.get(at) == Some(&b'"') {
                self.copied.push(b'"');
                at += 1;
            } else {
                return at;
            }
        }
    }

    fn push_counting_lines(&mut self, text: &[u8], line: &mut u64) {
        *line += memchr::memchr_iter(b'\n', text).count() as u64;
        self.copied.extend_from_slice(text);
    }
}

#[cfg(test)]
mod tests {
    use csv_core::{ReadRecordResult, ReaderBuilder};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    type Records = Vec<Vec<Vec<u8>>>;

    fn split(input: &[u8], delimiter: u8) -> (Records, Vec<u64>) {
        let (mut records, mut lines) = (Vec::new(), Vec::new());
        FieldSplitter::default().split(input, delimiter, 1, |fields, line| {
            records.push(fields.iter().map(<[u8]>::to_vec).collect());
            lines.push(line);
        });
        (records, lines)
    }

    fn csv_core(input: &[u8], delimiter: u8) -> Records {
        let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
        let (mut output, mut ends) = (vec![0; 1 << 16], vec![0; 1 << 12]);
        let (mut input, mut records) = (input, Vec::new());
        // A record may take several calls (the end of the input comes as an empty call).
        let (mut written, mut ended) = (0, 0);
        loop {
            let (result, read, wrote, end) =
                reader.read_record(input, &mut output[written..], &mut ends[ended..]);
            input = &input[read..];
            written += wrote;
            ended += end;
            match result {
                ReadRecordResult::Record => {
                    let mut start = 0;
                    records.push(
                        ends[..ended]
                            .iter()
                            .map(|&end| {
                                let field = output[start..end].to_vec();
                                start = end;
                                field
                            })
                            .collect(),
                    );
                    (written, ended) = (0, 0);
                }
                ReadRecordResult::End => return records,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {
                    unreachable!("test inputs are small")
                }
            }
        }
    }

    #[test]
    fn quotes_doubled_quotes_text_after_quotes_and_trailing_delimiters() {
        let (records, _) = split(b"a,\"b,\"\"c\"\"\nd\",\"e\"f\r\n\n,\n", b',');
        let expected: Records = vec![
            vec![b"a".to_vec(), b"b,\"c\"\nd".to_vec(), b"ef".to_vec()],
            vec![b"".to_vec(), b"".to_vec()],
        ];
        assert_eq!(records, expected);
    }

    #[test]
    fn records_start_on_the_line_their_first_byte_is_on() {
        let (_, lines) = split(b"h\n\"x\ny\"\r\n\n\nz\r\nlast", b',');
        assert_eq!(lines, vec![1, 2, 6, 7]);
    }

    #[test]
    fn a_record_after_a_lone_carriage_return_keeps_its_first_empty_field() {
        let (records, _) = split(b"a\r,b", b',');
        let expected: Records = vec![vec![b"a".to_vec()], vec![b"".to_vec(), b"b".to_vec()]];
        assert_eq!(records, expected);
    }

    /// Random input over the bytes that matter: the same records and fields as csv-core.
    #[test]
    fn the_same_fields_as_csv_core_on_random_input() {
        let mut random = StdRng::seed_from_u64(0xF1E1D);
        for case in 0..5_000 {
            let delimiter = [b',', b';', b'\t', b'|'][case % 4];
            let alphabet = [b'a', b'b', b'"', b'\n', b'\r', delimiter, b','];
            let length = random.random_range(0..80);
            let input: Vec<u8> = (0..length)
                .map(|_| alphabet[random.random_range(0..alphabet.len())])
                .collect();
            assert_eq!(
                split(&input, delimiter).0,
                csv_core(&input, delimiter),
                "case {case}: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}
