//! How numbers read on screen: row counts with thousands separators, sizes in kB/MB/GB.

/// `1234567` → `"1,234,567"`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Decimal units, one decimal place from kB up: `56_946_123` → `"56.9 MB"`.
pub fn bytes(value: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut size = value as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value} B")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// "1 table", "3 tables".
pub fn count_label(count: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(count as u64),
        if count == 1 { singular } else { plural }
    )
}

/// A row count as shown: exact, or `≈` when estimated.
pub fn row_count(count: u64, exact: bool) -> String {
    let noun = if count == 1 { "row" } else { "rows" };
    if exact {
        format!("{} {noun}", thousands(count))
    } else {
        format!("≈ {} {noun}", thousands(count))
    }
}

/// A message with its first letter in upper case (error texts are written in lower case).
pub fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A wait in words, rounded up: "30 seconds", "1 minute", "15 minutes".
pub fn wait_label(seconds: u64) -> String {
    if seconds < 60 {
        count_label(seconds.max(1) as usize, "second", "seconds")
    } else {
        count_label(seconds.div_ceil(60) as usize, "minute", "minutes")
    }
}

/// Seconds since 1970 as a UTC date and time, `2026-11-27 14:05 UTC`.
pub fn utc_label(unix_seconds: u64) -> String {
    let date = shared::dates::CivilDate::from_days((unix_seconds / 86_400) as i64);
    let minutes_of_day = (unix_seconds % 86_400) / 60;
    format!(
        "{date} {:02}:{:02} UTC",
        minutes_of_day / 60,
        minutes_of_day % 60
    )
}

/// Cells longer than this are cut on screen (the API still returns them whole).
const CELL_DISPLAY_CHARS: usize = 500;

/// A cell as shown: cut after [`CELL_DISPLAY_CHARS`] characters.
pub fn display_cell(cell: &str) -> String {
    if cell.chars().count() <= CELL_DISPLAY_CHARS {
        cell.to_owned()
    } else {
        let cut: String = cell.chars().take(CELL_DISPLAY_CHARS).collect();
        format!("{cut}…")
    }
}

/// A float with at most 6 significant digits, without trailing zeros: `1234.5678` →
/// `"1234.57"`, `1e12` → `"1.000e12"`.
pub fn short_float(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..=9).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let decimals = usize::try_from((5 - magnitude).max(0)).unwrap_or(0);
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_rounded_up_to_whole_units() {
        assert_eq!(wait_label(0), "1 second");
        assert_eq!(wait_label(59), "59 seconds");
        assert_eq!(wait_label(61), "2 minutes");
        assert_eq!(wait_label(900), "15 minutes");
    }

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(utc_label(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_label(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_label(1_795_781_100), "2026-11-27 12:05 UTC");
    }

    #[test]
    fn short_floats_read_well() {
        assert_eq!(short_float(2.5), "2.5");
        assert_eq!(short_float(1234.5678), "1234.57");
        assert_eq!(short_float(0.000123456), "0.000123456");
        assert_eq!(short_float(1e12), "1.000e12");
        assert_eq!(short_float(100.0), "100");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(31_200), "31.2 kB");
        assert_eq!(bytes(56_946_123), "56.9 MB");
        assert_eq!(bytes(1_000_000_000), "1.0 GB");
    }

    #[test]
    fn counts_are_singular_for_one_and_plural_otherwise() {
        assert_eq!(count_label(0, "table", "tables"), "0 tables");
        assert_eq!(count_label(1, "table", "tables"), "1 table");
        assert_eq!(count_label(1_200, "table", "tables"), "1,200 tables");
        assert_eq!(row_count(1, true), "1 row");
        assert_eq!(row_count(998_000, false), "≈ 998,000 rows");
    }

    #[test]
    fn messages_are_capitalised() {
        assert_eq!(capitalise("the file is empty"), "The file is empty");
        assert_eq!(capitalise("ébauche"), "Ébauche");
        assert_eq!(capitalise(""), "");
    }
}
