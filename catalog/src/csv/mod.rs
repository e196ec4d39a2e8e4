//! Reading CSV: what a column's type is ([`infer`]), which delimiter a file uses
//! ([`dialect`]), a whole-file profile computed as bytes stream by ([`profile`]), on two
//! cores for imports ([`parallel`]), and the profile of each column in it
//! ([`column_profile`]).

pub mod column_profile;
pub(crate) mod dialect;
pub(crate) mod fields;
pub(crate) mod infer;
pub(crate) mod join;
pub mod parallel;
pub mod profile;
pub mod records;
pub mod row_marks;

/// The UTF-8 byte order mark some tools write at the start of a file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `text` cut after `max_chars` characters, with `…` to show it was; `None` when it is
/// no longer than that.
pub fn cut_text(text: &str, max_chars: usize) -> Option<String> {
    text.char_indices()
        .nth(max_chars)
        .map(|(at, _)| format!("{}…", &text[..at]))
}

/// A column's name as shown, and whether the header gave it none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnName {
    pub name: String,
    /// The header cell was empty: `name` is a placeholder made from the position.
    pub unnamed: bool,
}

/// A header cell as a column name: empty cells are named by position (`column_3`), and
/// say so, so a real header such as `column_total` is never taken for a placeholder.
pub fn column_name(raw: &str, index: usize) -> ColumnName {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        ColumnName {
            name: format!("column_{}", index + 1),
            unnamed: true,
        }
    } else {
        ColumnName {
            name: trimmed.to_owned(),
            unnamed: false,
        }
    }
}
