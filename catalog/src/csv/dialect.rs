//! Delimiter detection: `,` `;` `\t` or `|`, whichever splits the first lines of a file
//! into the same number of fields most consistently (quote-aware).

/// The delimiters we detect, in order of preference on a tie.
pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at.
const SAMPLE_LINES: usize = 20;

/// The delimiter of a file whose first bytes are `sample` (`,` when nothing fits better).
pub fn detect_delimiter(sample: &[u8]) -> u8 {
    let lines = complete_lines(sample);
    let mut best = (b',', 0usize, 0usize); // (delimiter, consistent lines, fields)
    for candidate in CANDIDATES {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| count_outside_quotes(line, candidate))
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().take_while(|&&count| count == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (candidate, consistent, first);
        }
    }
    best.0
}

/// Printable name of a delimiter for the API (`,` `;` `\t` `|`).
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "\\t".to_owned(),
        other => char::from(other).to_string(),
    }
}

/// The delimiter byte of a name [`delimiter_name`] made (`,` for anything else).
pub fn delimiter_from_name(name: &str) -> u8 {
    match name {
        "\\t" => b'\t',
        other => other.bytes().next().filter(u8::is_ascii).unwrap_or(b','),
    }
}

/// The first lines, split at line ends outside quotes; a last line without its end is
/// dropped when there are others (it may be cut off).
fn complete_lines(sample: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (at, &byte) in sample.iter().enumerate() {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                let line = &sample[start..at];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !line.is_empty() {
                    lines.push(line);
                }
                start = at + 1;
                if lines.len() == SAMPLE_LINES {
                    return lines;
                }
            }
            _ => {}
        }
    }
    if lines.is_empty() && start < sample.len() {
        lines.push(&sample[start..]);
    }
    lines
}

fn count_outside_quotes(line: &[u8], delimiter: u8) -> usize {
    let mut in_quotes = false;
    line.iter()
        .filter(|&&byte| {
            if byte == b'"' {
                in_quotes = !in_quotes;
            }
            byte == delimiter && !in_quotes
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_delimiter_is_detected() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter(b"a|b|c\r\n1|2|3\r\n"), b'|');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        assert_eq!(
            detect_delimiter(b"name;note\n\"Smith, J\";\"a, b, c\"\n\"Doe, K\";x\n"),
            b';'
        );
    }

    #[test]
    fn a_single_column_or_empty_sample_falls_back_to_comma() {
        assert_eq!(detect_delimiter(b"only\n1\n2\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn a_header_alone_is_enough() {
        assert_eq!(detect_delimiter(b"a;b;c"), b';');
    }
}
