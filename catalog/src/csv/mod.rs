//! Reading CSV: what a column's type is ([`infer`]), which delimiter a file uses
//! ([`dialect`]), and a whole-file profile computed as bytes stream by ([`profile`]).

pub mod dialect;
pub mod infer;
pub mod profile;

/// The UTF-8 byte order mark some tools write at the start of a file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file's bytes without a leading byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// A header cell as a column name: empty cells are named by position (`column_3`).
pub fn column_name(raw: &str, index: usize) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        format!("column_{}", index + 1)
    } else {
        trimmed.to_owned()
    }
}
