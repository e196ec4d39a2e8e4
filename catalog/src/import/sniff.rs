//! Recognising files that are not CSV text at all, from their first bytes, so the user is
//! told what they uploaded ("a ZIP archive (an .xlsx workbook is one)") instead of a parse
//! error on line 1.

/// What the file is, when it is clearly not CSV text.
pub fn not_csv(first_bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            "a ZIP archive (an Excel .xlsx workbook is one)",
        ),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x1F\x8B", "a gzip-compressed file"),
        (b"\xD0\xCF\x11\xE0", "an old Office document (.xls or .doc)"),
        (b"SQLite format 3", "an SQLite database"),
        (
            b"PAR1",
            "a Parquet file (Parquet tables are previewed where they are in the bucket, not imported)",
        ),
        (b"\xFF\xFE", "UTF-16 text"),
        (b"\xFE\xFF", "UTF-16 text"),
    ];
    if let Some((_, what)) = SIGNATURES
        .iter()
        .find(|(magic, _)| first_bytes.starts_with(magic))
    {
        return Some(what);
    }
    // JSON Lines (or JSON): an object first. A CSV header never starts with `{"`.
    let text = first_bytes.trim_ascii_start();
    if text.starts_with(b"{\"") || text.starts_with(b"[{") {
        return Some(
            "JSON (JSON Lines tables are previewed where they are in the bucket, not imported)",
        );
    }
    // Text never contains NUL bytes; binary formats nearly always do early on.
    if first_bytes.iter().take(8192).any(|&byte| byte == 0) {
        return Some("binary data");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_binary_formats_are_named() {
        assert_eq!(
            not_csv(b"PK\x03\x04rest"),
            Some("a ZIP archive (an Excel .xlsx workbook is one)")
        );
        assert_eq!(not_csv(b"\x89PNG\r\n\x1a\n"), Some("a PNG image"));
        assert_eq!(not_csv(b"%PDF-1.7"), Some("a PDF document"));
        assert_eq!(not_csv(b"\xFF\xFEa\x00"), Some("UTF-16 text"));
        assert_eq!(not_csv(b"abc\x00def"), Some("binary data"));
        assert!(not_csv(b"{\"id\": 1}\n").is_some_and(|what| what.starts_with("JSON")));
    }

    #[test]
    fn csv_text_passes() {
        assert_eq!(not_csv(b"id,name\n1,Ada\n"), None);
        assert_eq!(not_csv("prénom;âge\n".as_bytes()), None);
        assert_eq!(not_csv(b"\xEF\xBB\xBFid\n1\n"), None);
        assert_eq!(not_csv(b""), None);
    }
}
