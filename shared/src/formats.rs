//! The file formats a table can be stored in, and how an object's name says which one it is.
//!
//! A table is an object named `{table}{extension}` in a database's folder: the table's name
//! is the stem (it follows the naming rule, [`crate::names`]) and the extension its format.
//! When several objects in one database have the same stem (`t.csv` beside `t.parquet`),
//! the one whose format comes first in [`TableFormat::PRECEDENCE`] is the table and the
//! others are reported beside the previews ([`crate::api::ShadowedObject`]), never hidden
//! without a word.

use serde::{Deserialize, Serialize};

/// How a table's bytes are stored. On the wire: `csv`, `tsv`, `csv.gz`, `tsv.gz`,
/// `csv.zst`, `parquet`, `jsonl`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum TableFormat {
    #[default]
    #[serde(rename = "csv")]
    Csv,
    #[serde(rename = "tsv")]
    Tsv,
    #[serde(rename = "csv.gz")]
    CsvGz,
    #[serde(rename = "tsv.gz")]
    TsvGz,
    #[serde(rename = "csv.zst")]
    CsvZst,
    #[serde(rename = "parquet")]
    Parquet,
    #[serde(rename = "jsonl")]
    Jsonl,
}

/// How the bytes of a delimited-text table are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    Gzip,
    Zstd,
}

impl TableFormat {
    /// Which object is the table when several share a stem: the earliest here. Plain text
    /// first (what the app itself writes), then compressed text, then the others.
    pub const PRECEDENCE: [TableFormat; 7] = [
        TableFormat::Csv,
        TableFormat::Tsv,
        TableFormat::CsvGz,
        TableFormat::TsvGz,
        TableFormat::CsvZst,
        TableFormat::Parquet,
        TableFormat::Jsonl,
    ];

    /// Every object name ending this format recognises, longest first within a format.
    const EXTENSIONS: [(&'static str, TableFormat); 8] = [
        (".csv.gz", TableFormat::CsvGz),
        (".tsv.gz", TableFormat::TsvGz),
        (".csv.zst", TableFormat::CsvZst),
        (".csv", TableFormat::Csv),
        (".tsv", TableFormat::Tsv),
        (".parquet", TableFormat::Parquet),
        (".jsonl", TableFormat::Jsonl),
        (".ndjson", TableFormat::Jsonl),
    ];

    /// The stem and format of an object's file name (`orders.csv.gz` → `orders`,
    /// [`TableFormat::CsvGz`]); `None` for names no format recognises. The stem is not
    /// checked against the naming rule here.
    pub fn split_file_name(file_name: &str) -> Option<(&str, TableFormat)> {
        Self::EXTENSIONS.iter().find_map(|(extension, format)| {
            file_name
                .strip_suffix(extension)
                .filter(|stem| !stem.is_empty())
                .map(|stem| (stem, *format))
        })
    }

    /// The name on the wire and on the badge.
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Tsv => "tsv",
            TableFormat::CsvGz => "csv.gz",
            TableFormat::TsvGz => "tsv.gz",
            TableFormat::CsvZst => "csv.zst",
            TableFormat::Parquet => "parquet",
            TableFormat::Jsonl => "jsonl",
        }
    }

    /// What a person calls it.
    pub fn description(self) -> &'static str {
        match self {
            TableFormat::Csv => "CSV",
            TableFormat::Tsv => "tab-separated text",
            TableFormat::CsvGz => "gzip-compressed CSV",
            TableFormat::TsvGz => "gzip-compressed tab-separated text",
            TableFormat::CsvZst => "zstd-compressed CSV",
            TableFormat::Parquet => "Parquet",
            TableFormat::Jsonl => "JSON Lines",
        }
    }

    /// The media type a download of the table is sent as.
    pub fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Tsv => "text/tab-separated-values; charset=utf-8",
            TableFormat::CsvGz | TableFormat::TsvGz => "application/gzip",
            TableFormat::CsvZst => "application/zstd",
            TableFormat::Parquet => "application/vnd.apache.parquet",
            TableFormat::Jsonl => "application/x-ndjson",
        }
    }

    /// The position in [`TableFormat::PRECEDENCE`] (lower wins).
    pub fn precedence(self) -> usize {
        Self::PRECEDENCE
            .iter()
            .position(|format| *format == self)
            .unwrap_or(usize::MAX)
    }

    /// Delimited text (CSV or TSV, compressed or not): read by the CSV parser.
    pub fn is_delimited_text(self) -> bool {
        !matches!(self, TableFormat::Parquet | TableFormat::Jsonl)
    }

    /// The compression of a delimited-text format, if any.
    pub fn compression(self) -> Option<Compression> {
        match self {
            TableFormat::CsvGz | TableFormat::TsvGz => Some(Compression::Gzip),
            TableFormat::CsvZst => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// The delimiter the name promises (tab for `.tsv`); `None` when it is detected.
    pub fn named_delimiter(self) -> Option<u8> {
        matches!(self, TableFormat::Tsv | TableFormat::TsvGz).then_some(b'\t')
    }

    /// Whether any row can be reached without reading the rows before it: plain text (through
    /// its row index) and Parquet (through its row groups and page index).
    pub fn has_random_access(self) -> bool {
        matches!(
            self,
            TableFormat::Csv | TableFormat::Tsv | TableFormat::Parquet
        )
    }
}

impl std::fmt::Display for TableFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_give_stem_and_format() {
        for (name, stem, format) in [
            ("orders.csv", "orders", TableFormat::Csv),
            ("orders.csv.gz", "orders", TableFormat::CsvGz),
            ("orders.tsv.gz", "orders", TableFormat::TsvGz),
            ("events.csv.zst", "events", TableFormat::CsvZst),
            ("facts.parquet", "facts", TableFormat::Parquet),
            ("log.jsonl", "log", TableFormat::Jsonl),
            ("log.ndjson", "log", TableFormat::Jsonl),
            ("t.tsv", "t", TableFormat::Tsv),
            ("a.b.csv", "a.b", TableFormat::Csv),
        ] {
            assert_eq!(
                TableFormat::split_file_name(name),
                Some((stem, format)),
                "{name}"
            );
        }
        for other in ["notes.txt", ".csv", "data.gz", "x.zst", "csv", "t.json"] {
            assert_eq!(TableFormat::split_file_name(other), None, "{other}");
        }
    }

    #[test]
    fn formats_go_over_the_wire_as_their_names() {
        for format in TableFormat::PRECEDENCE {
            let json = serde_json::to_string(&format).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", format.as_str()));
        }
    }

    #[test]
    fn plain_csv_wins_a_shared_stem() {
        let mut formats = TableFormat::PRECEDENCE;
        formats.reverse();
        formats.sort_by_key(|format| format.precedence());
        assert_eq!(formats[0], TableFormat::Csv);
        assert!(TableFormat::CsvGz.precedence() < TableFormat::Parquet.precedence());
    }
}
