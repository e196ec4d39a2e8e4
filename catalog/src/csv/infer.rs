//! Column type inference. Each non-empty cell narrows the set of types the column can still
//! be; the most specific type left wins (boolean, integer, float, date, datetime), and a
//! column with nothing left, or with no value at all, is text.
//!
//! Integers widen to floats and dates to datetimes, so `1, 2.5` is a float column and
//! `2024-01-01, 2024-01-01T10:00` a datetime column. A number with a leading zero (`00123`)
//! is an identifier, not a number: it makes the column text.

use shared::ColumnType;

const INTEGER: u8 = 1;
const FLOAT: u8 = 1 << 1;
const BOOLEAN: u8 = 1 << 2;
const DATE: u8 = 1 << 3;
const DATETIME: u8 = 1 << 4;
const ALL: u8 = INTEGER | FLOAT | BOOLEAN | DATE | DATETIME;

/// The types a column can still be, given the cells seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInference {
    candidates: u8,
    seen_value: bool,
}

impl Default for TypeInference {
    fn default() -> Self {
        Self {
            candidates: ALL,
            seen_value: false,
        }
    }
}

impl TypeInference {
    /// Narrows by one cell; empty (or blank) cells decide nothing.
    pub fn observe(&mut self, cell: &str) {
        self.observe_bytes(cell.as_bytes());
    }

    /// [`TypeInference::observe`] for a cell known to be UTF-8 (a slice of checked text).
    pub fn observe_bytes(&mut self, cell: &[u8]) {
        let value = trimmed(cell);
        if !value.is_empty() {
            self.observe_value(value);
        }
    }

    /// Narrows by one value ([`trimmed`], not empty) and says what it was among the types
    /// the column could still be. Seeing a value again never narrows further, so a caller
    /// that knows it saw the value before may skip it.
    pub fn observe_value(&mut self, value: &[u8]) -> CellKinds {
        self.seen_value = true;
        if self.candidates == 0 {
            return CellKinds(0);
        }
        let kinds = types_of(value, self.candidates);
        self.candidates &= kinds;
        CellKinds(kinds)
    }

    /// Adds what another part of the same column saw (the order cells come in never matters).
    pub fn merge(&mut self, other: &TypeInference) {
        self.candidates &= other.candidates;
        self.seen_value |= other.seen_value;
    }

    pub fn result(&self) -> ColumnType {
        if !self.seen_value {
            return ColumnType::Text;
        }
        [
            (BOOLEAN, ColumnType::Boolean),
            (INTEGER, ColumnType::Integer),
            (FLOAT, ColumnType::Float),
            (DATE, ColumnType::Date),
            (DATETIME, ColumnType::Datetime),
        ]
        .into_iter()
        .find(|(flag, _)| self.candidates & flag != 0)
        .map_or(ColumnType::Text, |(_, column_type)| column_type)
    }
}

/// A cell without the spaces around it. Nearly every cell starts and ends with a visible
/// ASCII character: no trim needed; otherwise the cell is trimmed as text (Unicode spaces
/// too; bytes that are not UTF-8 are left as they are).
pub fn trimmed(cell: &[u8]) -> &[u8] {
    let visible = |byte: Option<&u8>| byte.is_some_and(u8::is_ascii_graphic);
    if visible(cell.first()) && visible(cell.last()) {
        cell
    } else {
        std::str::from_utf8(cell).map_or(cell, |text| text.trim().as_bytes())
    }
}

/// What one non-empty cell is, among the types its column could still be when it came
/// (a cell of a column already known to be text is nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellKinds(u8);

impl CellKinds {
    /// A whole number (`-12`), while the column may be integers.
    pub fn is_integer(self) -> bool {
        self.0 & INTEGER != 0
    }
    /// A number (whole or not), while the column may be numbers.
    pub fn is_number(self) -> bool {
        self.0 & FLOAT != 0
    }
    pub fn is_boolean(self) -> bool {
        self.0 & BOOLEAN != 0
    }
    /// A date (`YYYY-MM-DD`), while the column may be dates or datetimes.
    pub fn is_date(self) -> bool {
        self.0 & DATE != 0
    }
    /// A date or a datetime, while the column may be datetimes.
    pub fn is_datetime(self) -> bool {
        self.0 & DATETIME != 0
    }
}

/// The types among `candidates` that `value` (trimmed, non-empty) is a valid instance of.
/// Only the checks that can still matter are run: this is called for every cell imported.
/// Every type is ASCII, so the checks read bytes (no UTF-8 check needed first).
fn types_of(value: &[u8], candidates: u8) -> u8 {
    let mut types = 0;
    if candidates & INTEGER != 0 && is_integer(value) {
        types |= INTEGER | FLOAT;
    } else if candidates & FLOAT != 0 && is_float(value) {
        types |= FLOAT;
    }
    if candidates & BOOLEAN != 0
        && (value.eq_ignore_ascii_case(b"true") || value.eq_ignore_ascii_case(b"false"))
    {
        types |= BOOLEAN;
    }
    if candidates & DATE != 0 && is_date(value) {
        types |= DATE | DATETIME;
    } else if candidates & DATETIME != 0 && is_datetime(value) {
        types |= DATETIME;
    }
    types
}

fn without_sign(value: &[u8]) -> &[u8] {
    match value {
        [b'+' | b'-', rest @ ..] => rest,
        _ => value,
    }
}

fn all_digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

/// A whole part with more than one digit must not start with 0 (`007` is an identifier).
fn has_leading_zero(digits: &[u8]) -> bool {
    digits.len() > 1 && digits[0] == b'0'
}

fn is_integer(value: &[u8]) -> bool {
    let digits = without_sign(value);
    !digits.is_empty()
        && all_digits(digits)
        && !has_leading_zero(digits)
        // Up to 18 digits always fit in an i64; only longer ones need the exact check.
        && (digits.len() <= 18
            || std::str::from_utf8(value).is_ok_and(|text| text.parse::<i64>().is_ok()))
}

/// `1.5`, `-0.25`, `.5`, `3.`, `1e10`, `6.02E+23`; not `inf`, `nan` or `1,5`. One pass.
fn is_float(value: &[u8]) -> bool {
    let bytes = without_sign(value);
    let digits_from = |at: usize| {
        bytes[at..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |offset| at + offset)
    };
    let whole_end = digits_from(0);
    if has_leading_zero(&bytes[..whole_end]) {
        return false;
    }
    let mut at = whole_end;
    if bytes.get(at) == Some(&b'.') {
        at = digits_from(at + 1);
        if whole_end == 0 && at == whole_end + 1 {
            return false; // "." alone
        }
    } else if whole_end == 0 {
        return false; // no digits before an exponent or the end
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent_end = digits_from(at);
        if exponent_end == at {
            return false;
        }
        at = exponent_end;
    }
    at == bytes.len()
}

/// The value of a run of ASCII digits (at most 9, so no overflow); `None` otherwise.
fn number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 || !all_digits(bytes) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')),
    )
}

/// `YYYY-MM-DD`, a real calendar day.
fn is_date(value: &[u8]) -> bool {
    if value.len() != 10 || value[4] != b'-' || value[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (
        number(&value[..4]),
        number(&value[5..7]),
        number(&value[8..]),
    ) else {
        return false;
    };
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date, `T` or a space, `HH:MM`, optional `:SS` and fraction, optional `Z` or offset.
fn is_datetime(value: &[u8]) -> bool {
    if value.len() < 16 || !is_date(&value[..10]) {
        return false;
    }
    let time = match &value[10..] {
        [b'T' | b' ', time @ ..] => time,
        _ => return false,
    };
    let time = match time {
        [rest @ .., b'Z' | b'z'] => rest,
        _ => time,
    };
    let time = match time.iter().rposition(|b| matches!(b, b'+' | b'-')) {
        Some(at) if at >= 5 && is_offset(&time[at + 1..]) => &time[..at],
        _ => time,
    };
    let (clock, fraction): (&[u8], &[u8]) = match time.iter().position(|&b| b == b'.') {
        Some(at) => (&time[..at], &time[at + 1..]),
        None => (time, b"0"),
    };
    if fraction.is_empty() || !all_digits(fraction) {
        return false;
    }
    let in_range =
        |part: &[u8], max: u32| part.len() == 2 && number(part).is_some_and(|n| n <= max);
    let mut parts = clock.split(|&b| b == b':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(hour), Some(minute), None, _) => {
            in_range(hour, 23) && in_range(minute, 59) && fraction == b"0"
        }
        (Some(hour), Some(minute), Some(second), None) => {
            in_range(hour, 23) && in_range(minute, 59) && in_range(second, 60)
        }
        _ => false,
    }
}

fn is_offset(offset: &[u8]) -> bool {
    let digits = offset.iter().filter(|&&b| b != b':');
    digits.clone().count() == 4 && digits.copied().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(cells: &[&str]) -> ColumnType {
        let mut inference = TypeInference::default();
        for cell in cells {
            inference.observe(cell);
        }
        inference.result()
    }

    #[test]
    fn each_type_is_recognised() {
        assert_eq!(infer(&["1", "-20", "+3", "0"]), ColumnType::Integer);
        assert_eq!(
            infer(&["1.5", "-0.25", ".5", "3.", "1e10", "6.02E+23"]),
            ColumnType::Float
        );
        assert_eq!(infer(&["true", "FALSE", "True"]), ColumnType::Boolean);
        assert_eq!(infer(&["2024-02-29", "1999-12-31"]), ColumnType::Date);
        assert_eq!(
            infer(&[
                "2024-01-01T08:30:00",
                "2024-01-01 08:30",
                "2024-01-01T08:30:00.123Z",
                "2024-01-01T08:30:00+02:00"
            ]),
            ColumnType::Datetime
        );
        assert_eq!(infer(&["hello", "world"]), ColumnType::Text);
    }

    #[test]
    fn leading_zeros_keep_identifiers_as_text() {
        assert_eq!(infer(&["00123", "00124"]), ColumnType::Text);
        assert_eq!(infer(&["1", "007"]), ColumnType::Text);
        assert_eq!(infer(&["007.5"]), ColumnType::Text);
        assert_eq!(infer(&["0.5", "0"]), ColumnType::Float);
    }

    #[test]
    fn empty_cells_decide_nothing() {
        assert_eq!(infer(&["", "1", " ", "2"]), ColumnType::Integer);
        assert_eq!(infer(&["", ""]), ColumnType::Text);
        assert_eq!(infer(&[]), ColumnType::Text);
    }

    #[test]
    fn mixed_columns_widen_or_become_text() {
        assert_eq!(infer(&["1", "2.5"]), ColumnType::Float);
        assert_eq!(
            infer(&["2024-01-01", "2024-01-02T10:00"]),
            ColumnType::Datetime
        );
        assert_eq!(infer(&["1", "true"]), ColumnType::Text);
        assert_eq!(infer(&["1", "abc"]), ColumnType::Text);
        assert_eq!(infer(&["2024-01-01", "3"]), ColumnType::Text);
    }

    #[test]
    fn impossible_dates_and_times_are_text() {
        assert_eq!(infer(&["2023-02-29"]), ColumnType::Text);
        assert_eq!(infer(&["2024-13-01"]), ColumnType::Text);
        assert_eq!(infer(&["2024-01-01T24:00"]), ColumnType::Text);
        assert_eq!(infer(&["2024-1-1"]), ColumnType::Text);
    }

    #[test]
    fn numbers_that_are_not_plain_decimals_are_text() {
        for value in ["inf", "NaN", "1,5", "1.2.3", "1e", "--1", "0x10"] {
            assert_eq!(infer(&[value]), ColumnType::Text, "{value}");
        }
    }

    #[test]
    fn the_byte_checks_agree_with_the_first_text_version() {
        let alphabet = [
            "0",
            "1",
            "2",
            "9",
            "00",
            "12",
            "2024",
            "-",
            "+",
            ".",
            "e",
            "E",
            ":",
            "T",
            " ",
            "Z",
            "x",
            "true",
            "FALSE",
            "2024-02-29",
            "2023-02-29",
            "T10:00",
            ":30",
            ".5",
            "+01:00",
        ];
        let mut state = 0x2545_F491_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300_000 {
            let mut value = String::new();
            for _ in 0..(next() % 6) {
                value.push_str(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            for candidates in [ALL, INTEGER | FLOAT, DATE | DATETIME, DATETIME, BOOLEAN] {
                assert_eq!(
                    types_of(value.as_bytes(), candidates),
                    reference::types_of(&value, candidates),
                    "{value:?} among {candidates:#b}"
                );
            }
        }
    }

    /// The first, `&str` version of the checks, kept as the reference for the byte ones.
    mod reference {
        use super::super::{
            BOOLEAN, DATE, DATETIME, FLOAT, INTEGER, days_in_month, has_leading_zero,
        };

        fn without_sign(value: &str) -> &str {
            value.strip_prefix(['+', '-']).unwrap_or(value)
        }

        fn is_float(value: &str) -> bool {
            let unsigned = without_sign(value);
            let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
                Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
                None => (unsigned, None),
            };
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
            let mantissa_ok = (!whole.is_empty() || !fraction.is_empty())
                && all_digits(whole)
                && all_digits(fraction)
                && !has_leading_zero(whole.as_bytes());
            let exponent_ok = exponent.is_none_or(|exp| {
                let digits = without_sign(exp);
                !digits.is_empty() && all_digits(digits)
            });
            mantissa_ok && exponent_ok
        }

        /// The types among `candidates` that `value` (trimmed, non-empty) is a valid instance of.
        /// Only the checks that can still matter are run: this is called for every cell imported.
        pub fn types_of(value: &str, candidates: u8) -> u8 {
            let mut types = 0;
            if candidates & INTEGER != 0 && is_integer(value) {
                types |= INTEGER | FLOAT;
            } else if candidates & FLOAT != 0 && is_float(value) {
                types |= FLOAT;
            }
            if candidates & BOOLEAN != 0
                && (value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"))
            {
                types |= BOOLEAN;
            }
            if candidates & DATE != 0 && is_date(value) {
                types |= DATE | DATETIME;
            } else if candidates & DATETIME != 0 && is_datetime(value) {
                types |= DATETIME;
            }
            types
        }

        fn is_integer(value: &str) -> bool {
            let digits = without_sign(value);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !has_leading_zero(digits.as_bytes())
                // Up to 18 digits always fit in an i64; only longer ones need the exact check.
                && (digits.len() <= 18 || value.parse::<i64>().is_ok())
        }

        /// The value of a run of ASCII digits (at most 9, so no overflow); `None` otherwise.
        fn number(text: &str) -> Option<u32> {
            let bytes = text.as_bytes();
            if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(
                bytes
                    .iter()
                    .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')),
            )
        }

        /// `YYYY-MM-DD`, a real calendar day.
        fn is_date(value: &str) -> bool {
            let bytes = value.as_bytes();
            if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
                return false;
            }
            let (Some(year), Some(month), Some(day)) = (
                number(&value[..4]),
                number(&value[5..7]),
                number(&value[8..]),
            ) else {
                return false;
            };
            (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
        }

        /// A date, `T` or a space, `HH:MM`, optional `:SS` and fraction, optional `Z` or offset.
        fn is_datetime(value: &str) -> bool {
            if value.len() < 16 || !value.is_char_boundary(10) || !is_date(&value[..10]) {
                return false;
            }
            let rest = &value[10..];
            let Some(time) = rest.strip_prefix(['T', ' ']) else {
                return false;
            };
            let time = time.strip_suffix(['Z', 'z']).unwrap_or(time);
            let time = match time.rfind(['+', '-']) {
                Some(at) if at >= 5 && is_offset(&time[at + 1..]) => &time[..at],
                _ => time,
            };
            let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            let parts: Vec<&str> = clock.split(':').collect();
            let in_range =
                |part: &str, max: u32| part.len() == 2 && number(part).is_some_and(|n| n <= max);
            match parts.as_slice() {
                [hour, minute] => in_range(hour, 23) && in_range(minute, 59) && fraction == "0",
                [hour, minute, second] => {
                    in_range(hour, 23) && in_range(minute, 59) && in_range(second, 60)
                }
                _ => false,
            }
        }

        fn is_offset(offset: &str) -> bool {
            let digits: String = offset.chars().filter(|c| *c != ':').collect();
            digits.len() == 4 && number(&digits).is_some()
        }
    }

    #[test]
    fn integers_too_large_for_64_bits_are_floats() {
        assert_eq!(infer(&["99999999999999999999"]), ColumnType::Float);
    }
}
