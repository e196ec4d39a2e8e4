//! What a person should know about a table or an import that is not an error: a stable
//! [`WarningKind`] (the `code` on the wire, with its details) and a message made from it
//! here, in one place, so the server and the browser word it the same way and the UI can
//! treat warnings by kind.
//!
//! On the wire: `{"code": "unnamed_columns", "columns": ["column_2"], "message": "..."}`.

use serde::{Deserialize, Serialize};

/// The kinds of warning, with what each needs to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum WarningKind {
    /// An import read a Windows-1252 (Latin-1) file and stored it as UTF-8.
    ConvertedFromWindows1252,
    /// An import decompressed a gzip or zstd file and stored the CSV it held.
    Decompressed { compression: String },
    /// Header cells that were empty; the columns got these names.
    UnnamedColumns { columns: Vec<String> },
    /// A header and no data rows.
    NoRows,
    /// The object has no content at all.
    EmptyFile,
    /// Rows of a preview with more or fewer fields than the header (they are marked).
    RaggedRowsShown { count: usize },
    /// Rows of the whole table with more or fewer fields than the header.
    RaggedRowsInTable { count: u64 },
    /// Bytes that are not UTF-8, shown as U+FFFD.
    InvalidUtf8,
    /// Rows so long that a preview stopped at its byte limit.
    LongRows { limit_mib: u64, complete_rows: u64 },
    /// Cells (or column names) longer than a preview shows; it shows their start.
    LongCellsShortened { limit_chars: usize },
    /// The object cannot be read as its format says (a truncated gzip stream, a `.parquet`
    /// that is not Parquet): `detail` says what is wrong. The rest of the database previews.
    Unreadable { detail: String },
    /// A JSON Lines row that is not a JSON object was shown as one cell.
    NotJsonObjects { count: usize },
}

/// A warning as sent: its kind and the message made from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WarningOnTheWire")]
pub struct Warning {
    #[serde(flatten)]
    pub kind: WarningKind,
    pub message: String,
}

impl From<WarningKind> for Warning {
    fn from(kind: WarningKind) -> Self {
        let message = kind.message();
        Self { kind, message }
    }
}

/// How a [`Warning`] is read back: the code, the message and every detail any kind has,
/// each optional, checked against the code. It reads the same JSON as a derived internally
/// tagged enum would, without the buffering such an enum needs (which was the largest single
/// function in the browser's wasm).
#[derive(Deserialize)]
struct WarningOnTheWire {
    code: String,
    message: String,
    compression: Option<String>,
    columns: Option<Vec<String>>,
    count: Option<u64>,
    limit_mib: Option<u64>,
    complete_rows: Option<u64>,
    limit_chars: Option<u64>,
    detail: Option<String>,
}

impl TryFrom<WarningOnTheWire> for Warning {
    type Error = String;

    fn try_from(wire: WarningOnTheWire) -> Result<Self, String> {
        let code = wire.code.as_str();
        let needs = |field: &str| format!("a `{code}` warning needs `{field}`");
        let small = |value: Option<u64>, field: &str| {
            value.ok_or_else(|| needs(field)).and_then(|value| {
                usize::try_from(value).map_err(|_| format!("`{field}` is too large"))
            })
        };
        let kind = match code {
            "converted_from_windows1252" => WarningKind::ConvertedFromWindows1252,
            "decompressed" => WarningKind::Decompressed {
                compression: wire.compression.ok_or_else(|| needs("compression"))?,
            },
            "unnamed_columns" => WarningKind::UnnamedColumns {
                columns: wire.columns.ok_or_else(|| needs("columns"))?,
            },
            "no_rows" => WarningKind::NoRows,
            "empty_file" => WarningKind::EmptyFile,
            "ragged_rows_shown" => WarningKind::RaggedRowsShown {
                count: small(wire.count, "count")?,
            },
            "ragged_rows_in_table" => WarningKind::RaggedRowsInTable {
                count: wire.count.ok_or_else(|| needs("count"))?,
            },
            "invalid_utf8" => WarningKind::InvalidUtf8,
            "long_rows" => WarningKind::LongRows {
                limit_mib: wire.limit_mib.ok_or_else(|| needs("limit_mib"))?,
                complete_rows: wire.complete_rows.ok_or_else(|| needs("complete_rows"))?,
            },
            "long_cells_shortened" => WarningKind::LongCellsShortened {
                limit_chars: small(wire.limit_chars, "limit_chars")?,
            },
            "unreadable" => WarningKind::Unreadable {
                detail: wire.detail.ok_or_else(|| needs("detail"))?,
            },
            "not_json_objects" => WarningKind::NotJsonObjects {
                count: small(wire.count, "count")?,
            },
            other => return Err(format!("unknown warning code `{other}`")),
        };
        Ok(Warning {
            kind,
            message: wire.message,
        })
    }
}

impl WarningKind {
    /// The stable code (the `code` field on the wire).
    pub fn code(&self) -> &'static str {
        match self {
            WarningKind::ConvertedFromWindows1252 => "converted_from_windows1252",
            WarningKind::Decompressed { .. } => "decompressed",
            WarningKind::UnnamedColumns { .. } => "unnamed_columns",
            WarningKind::NoRows => "no_rows",
            WarningKind::EmptyFile => "empty_file",
            WarningKind::RaggedRowsShown { .. } => "ragged_rows_shown",
            WarningKind::RaggedRowsInTable { .. } => "ragged_rows_in_table",
            WarningKind::InvalidUtf8 => "invalid_utf8",
            WarningKind::LongRows { .. } => "long_rows",
            WarningKind::LongCellsShortened { .. } => "long_cells_shortened",
            WarningKind::Unreadable { .. } => "unreadable",
            WarningKind::NotJsonObjects { .. } => "not_json_objects",
        }
    }

    /// What to tell a person.
    pub fn message(&self) -> String {
        match self {
            WarningKind::ConvertedFromWindows1252 => {
                "The file was not UTF-8; it was read as Windows-1252 (Latin-1) and saved as UTF-8."
                    .to_owned()
            }
            WarningKind::Decompressed { compression } => format!(
                "The file was {compression}-compressed; it was decompressed and saved as plain CSV."
            ),
            WarningKind::UnnamedColumns { columns } => format!(
                "Some columns have no name in the header; they are shown as {}.",
                columns.join(", ")
            ),
            WarningKind::NoRows => "The file has a header but no rows.".to_owned(),
            WarningKind::EmptyFile => "This table is empty: its file has no content.".to_owned(),
            WarningKind::RaggedRowsShown { count } => format!(
                "{count} of the rows shown have more or fewer fields than the header; they are marked."
            ),
            WarningKind::RaggedRowsInTable { count } => format!(
                "{count} rows in the whole table have more or fewer fields than the header."
            ),
            WarningKind::InvalidUtf8 => {
                "Some bytes are not valid UTF-8; they are shown as \u{FFFD}. \
                 Save the file as UTF-8 to see them correctly."
                    .to_owned()
            }
            WarningKind::LongRows {
                limit_mib,
                complete_rows,
            } => format!(
                "Rows in this file are very long: a preview reads at most {limit_mib} MiB, which \
                 held {complete_rows} complete rows."
            ),
            WarningKind::LongCellsShortened { limit_chars } => format!(
                "Some cells or column names are longer than {limit_chars} characters: the preview \
                 shows their start (ending in …). Open the table or download it to see them whole."
            ),
            WarningKind::Unreadable { detail } => format!(
                "This table cannot be read: {detail}. Replace the file with a complete one, or \
                 download it to look at it."
            ),
            WarningKind::NotJsonObjects { count } => format!(
                "{count} of the lines read are not JSON objects; each is shown whole in the \
                 column \"value\"."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_go_over_the_wire_as_code_details_and_message() {
        let warning = Warning::from(WarningKind::UnnamedColumns {
            columns: vec!["column_2".into()],
        });
        let json = serde_json::to_value(&warning).unwrap_or_default();
        assert_eq!(json["code"], "unnamed_columns");
        assert_eq!(json["columns"][0], "column_2");
        assert_eq!(
            json["message"],
            "Some columns have no name in the header; they are shown as column_2."
        );
        let back: Warning = serde_json::from_value(json).unwrap_or_else(|_| warning.clone());
        assert_eq!(back, warning);
    }

    #[test]
    fn a_warning_missing_a_detail_or_with_an_unknown_code_is_refused() {
        let missing = serde_json::json!({"code": "unnamed_columns", "message": "m"});
        let error = serde_json::from_value::<Warning>(missing)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("a `unnamed_columns` warning needs `columns`")
        );
        let unknown = serde_json::json!({"code": "sunspots", "message": "m"});
        let error = serde_json::from_value::<Warning>(unknown)
            .err()
            .map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("unknown warning code `sunspots`"));
    }

    #[test]
    fn every_kind_is_written_with_its_code_and_read_back_whole() {
        for kind in [
            WarningKind::ConvertedFromWindows1252,
            WarningKind::Decompressed {
                compression: "gzip".into(),
            },
            WarningKind::UnnamedColumns { columns: vec![] },
            WarningKind::NoRows,
            WarningKind::EmptyFile,
            WarningKind::RaggedRowsShown { count: 1 },
            WarningKind::RaggedRowsInTable { count: 1 },
            WarningKind::InvalidUtf8,
            WarningKind::LongRows {
                limit_mib: 32,
                complete_rows: 0,
            },
            WarningKind::LongCellsShortened { limit_chars: 4096 },
            WarningKind::Unreadable { detail: "x".into() },
            WarningKind::NotJsonObjects { count: 1 },
        ] {
            let json = serde_json::to_value(&kind).unwrap_or_default();
            assert_eq!(json["code"], kind.code());
            let warning = Warning::from(kind);
            let json = serde_json::to_string(&warning).unwrap_or_default();
            let back = serde_json::from_str::<Warning>(&json).map_err(|e| e.to_string());
            assert_eq!(back, Ok(warning), "{json}");
        }
    }
}
