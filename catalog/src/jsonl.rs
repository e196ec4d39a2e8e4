//! JSON Lines tables (`.jsonl`, `.ndjson`): one JSON object per line. Read like a CSV
//! table's head, from the same growing ranged reads: the columns are the keys of the rows
//! read, in the order they are first seen; a nested value (object or array) is shown as its
//! JSON text; `null` is an empty cell; types are inferred from the cells as for CSV.
//!
//! A line that is not JSON makes the table unreadable ([`CatalogError::Unreadable`], naming
//! the line); a line that is JSON but not an object is shown whole in a column `value`.
//! The exact row count (non-empty lines) comes from a background pass over the whole
//! object ([`count_rows`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use shared::{MAX_SAMPLE_ROWS, WarningKind};
use storage::{ListedObject, ReadBudget, Store};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

use crate::csv::cut_text;
use crate::csv::infer::TypeInference;
use crate::error::{CatalogError, Result, read_error};
use crate::preview::head::{Head, MAX_HEAD_BYTES, MAX_PREVIEW_CELL_CHARS, ReadExtent, read_start};

/// The column of a line that is JSON but not an object.
pub const VALUE_COLUMN: &str = "value";

/// The lines of an object from its start, each whole (a line cut by the end of what was
/// read is not returned).
pub struct JsonLines {
    reader: BufReader<Box<dyn AsyncRead + Send + Unpin>>,
    /// How far the read got.
    pub extent: ReadExtent,
    key: String,
    /// Offset in the object after the last line returned, and its 1-based number.
    pub position: u64,
    pub line_number: u64,
}

impl JsonLines {
    /// Opens `object` (not empty), reading at most `cap` bytes paid for from `budget`.
    pub async fn open(
        store: &Store,
        object: &ListedObject,
        cap: u64,
        budget: &ReadBudget,
    ) -> Result<Self> {
        let (first, rest, extent) = read_start(store, object, cap, budget).await?;
        let input: Box<dyn AsyncRead + Send + Unpin> =
            Box::new(std::io::Cursor::new(first).chain(rest));
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, input),
            extent,
            key: object.key.clone(),
            position: 0,
            line_number: 0,
        })
    }

    /// The next non-empty line into `line` (without its line end); `false` at the end of
    /// what was read.
    pub async fn next_line(&mut self, line: &mut Vec<u8>) -> Result<bool> {
        loop {
            line.clear();
            let read = self
                .reader
                .read_until(b'\n', line)
                .await
                .map_err(|error| read_error(&self.key, &error))?;
            if read == 0 {
                return Ok(false);
            }
            let ends_line = line.last() == Some(&b'\n');
            if !ends_line && self.extent.stopped_early() {
                // The read stopped inside this line: it is not whole.
                return Ok(false);
            }
            self.position += read as u64;
            self.line_number += 1;
            while line
                .last()
                .is_some_and(|byte| matches!(byte, b'\n' | b'\r'))
            {
                line.pop();
            }
            if line.iter().any(|byte| !byte.is_ascii_whitespace()) {
                return Ok(true);
            }
        }
    }

    /// A line that is not JSON, as the table's error.
    fn not_json(&self, error: &serde_json::Error) -> CatalogError {
        CatalogError::Unreadable {
            key: self.key.clone(),
            detail: format!(
                "line {} is not JSON ({error}); every line of a JSON Lines file must be one \
                 JSON value",
                self.line_number
            ),
        }
    }
}

/// The keys of the rows read so far, in first-seen order, and each row's cells under them.
#[derive(Debug, Default)]
pub struct Columns {
    pub names: Vec<String>,
    positions: HashMap<String, usize>,
    /// Lines that were JSON but not objects.
    pub not_objects: usize,
}

impl Columns {
    /// The cells of one line (JSON), under the columns (new keys become new columns); cells
    /// are cut to `max_chars` characters (`cut` says when one was).
    pub fn cells(&mut self, value: Line<'_>, max_chars: usize, cut: &mut bool) -> Vec<String> {
        let mut cells = vec![String::new(); self.names.len()];
        let fields: Vec<(std::borrow::Cow<'_, str>, &RawValue)> = match value {
            Line::Object(fields) => fields,
            Line::Other(raw) => {
                self.not_objects += 1;
                vec![(VALUE_COLUMN.into(), raw)]
            }
        };
        for (key, raw) in fields {
            let position = match self.positions.get(key.as_ref()) {
                Some(position) => *position,
                None => {
                    self.names.push(key.to_string());
                    self.positions.insert(key.to_string(), self.names.len() - 1);
                    cells.push(String::new());
                    self.names.len() - 1
                }
            };
            let text = cell_text(raw);
            cells[position] = match cut_text(&text, max_chars) {
                Some(shortened) => {
                    *cut = true;
                    shortened
                }
                None => text,
            };
        }
        cells
    }
}

/// One line, parsed: an object's fields in file order (values as their raw JSON text), or
/// another JSON value.
pub enum Line<'a> {
    Object(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>),
    Other(&'a RawValue),
}

/// Parses one line.
pub fn parse_line(line: &[u8]) -> serde_json::Result<Line<'_>> {
    let raw: &RawValue = serde_json::from_slice(line)?;
    if raw.get().starts_with('{') {
        let fields: OrderedFields<'_> = serde_json::from_str(raw.get())?;
        Ok(Line::Object(fields.0))
    } else {
        Ok(Line::Other(raw))
    }
}

/// An object's fields in the order written (serde_json's map sorts them).
struct OrderedFields<'a>(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for OrderedFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = OrderedFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, value)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, &'de RawValue>()?
                {
                    fields.push((key, value));
                }
                Ok(OrderedFields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// A value as a cell: strings unquoted, `null` empty, numbers and booleans as written,
/// objects and arrays as their JSON text.
pub fn cell_text(raw: &RawValue) -> String {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned()),
        Some(b'n') if text == "null" => String::new(),
        _ => text.to_owned(),
    }
}

/// The head of a JSON Lines table: its first `wanted_rows` rows, then whatever else the
/// ranges already fetched hold, for type inference.
pub async fn read_jsonl_head(
    store: &Store,
    object: &ListedObject,
    wanted_rows: usize,
    budget: &ReadBudget,
) -> Result<Head> {
    let mut head = Head {
        whole_object: object.size == 0,
        ..Head::default()
    };
    if object.size == 0 {
        return Ok(head);
    }
    let mut lines = JsonLines::open(store, object, MAX_HEAD_BYTES, budget).await?;
    let mut columns = Columns::default();
    let mut inference: Vec<TypeInference> = Vec::new();
    let mut line = Vec::new();
    while lines.next_line(&mut line).await? {
        let parsed = parse_line(&line).map_err(|error| lines.not_json(&error))?;
        let mut cut = false;
        let cells = columns.cells(parsed, MAX_PREVIEW_CELL_CHARS, &mut cut);
        head.cells_shortened |= cut;
        inference.resize_with(columns.names.len(), TypeInference::default);
        // A key first seen now: the rows before had it empty.
        for (column, cell) in inference.iter_mut().zip(&cells) {
            column.observe(cell);
        }
        head.complete_rows += 1;
        head.rows_end = lines.position;
        if head.rows.len() < MAX_SAMPLE_ROWS {
            head.rows.push(cells);
        }
        if head.complete_rows >= wanted_rows as u64 {
            lines.extent.stop_fetching();
        }
    }
    lines.extent.check_budget()?;
    for row in &mut head.rows {
        row.resize(columns.names.len(), String::new());
    }
    head.header = columns.names;
    head.types = inference.iter().map(TypeInference::result).collect();
    head.whole_object = lines.extent.whole();
    head.hit_byte_cap = lines.extent.hit_cap();
    head.bytes_fetched = lines.extent.fetched();
    if columns.not_objects > 0 {
        head.extra_warnings.push(
            WarningKind::NotJsonObjects {
                count: columns.not_objects,
            }
            .into(),
        );
    }
    Ok(head)
}

/// Rows `offset..offset + limit` of a JSON Lines table, read from its start, at most `cap`
/// bytes: the page's columns (every key seen up to the page's end), its rows, rows read,
/// whether the whole object was read, and whether the cap came first.
pub struct JsonlPage {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub rows_read: u64,
    pub rows_end: u64,
    pub whole_object: bool,
    pub cut_short: bool,
    pub cells_shortened: bool,
}

pub async fn jsonl_rows(
    store: &Store,
    object: &ListedObject,
    offset: u64,
    limit: usize,
    cap: u64,
    budget: &ReadBudget,
) -> Result<JsonlPage> {
    let mut page = JsonlPage {
        columns: Vec::new(),
        rows: Vec::new(),
        rows_read: 0,
        rows_end: 0,
        whole_object: object.size == 0,
        cut_short: false,
        cells_shortened: false,
    };
    if object.size == 0 {
        return Ok(page);
    }
    let mut lines = JsonLines::open(store, object, cap, budget).await?;
    let mut columns = Columns::default();
    let mut line = Vec::new();
    while lines.next_line(&mut line).await? {
        let parsed = parse_line(&line).map_err(|error| lines.not_json(&error))?;
        page.rows_read += 1;
        page.rows_end = lines.position;
        let mut cut = false;
        // Rows before the page are parsed for their keys only (cells are cheap to drop).
        let cells = columns.cells(parsed, usize::MAX, &mut cut);
        if page.rows_read > offset {
            page.rows.push(cells);
            if page.rows.len() >= limit {
                lines.extent.stop_fetching();
                break;
            }
        }
    }
    lines.extent.check_budget()?;
    for row in &mut page.rows {
        row.resize(columns.names.len(), String::new());
    }
    page.columns = columns.names;
    let read_to_end = lines.extent.whole();
    page.whole_object = read_to_end && page.rows.len() < limit;
    page.cut_short = !read_to_end && page.rows.len() < limit;
    Ok(page)
}

/// The exact row count of a JSON Lines object: its non-empty lines, counted in one pass
/// over a streamed GET, adding the bytes read to `bytes_done`.
pub async fn count_rows(
    store: &Store,
    key: &str,
    version: &storage::ObjectVersion,
    bytes_done: &AtomicU64,
) -> Result<u64> {
    let mut body = store.read(key, None, version.etag.as_deref()).await?;
    let (mut rows, mut line_has_content) = (0_u64, false);
    while let Some(chunk) = body.next_chunk().await? {
        for byte in chunk.iter() {
            match byte {
                b'\n' => {
                    rows += u64::from(line_has_content);
                    line_has_content = false;
                }
                byte if byte.is_ascii_whitespace() => {}
                _ => line_has_content = true,
            }
        }
        bytes_done.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    Ok(rows + u64::from(line_has_content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_columns_in_first_seen_order() {
        let mut columns = Columns::default();
        let mut cut = false;
        let first = columns.cells(
            parse_line(br#"{"b": 1, "a": "x\"y", "n": null}"#).unwrap(),
            100,
            &mut cut,
        );
        assert_eq!(first, ["1", "x\"y", ""]);
        let second = columns.cells(
            parse_line(br#"{"a": true, "c": {"z": [1, 2], "y": 2}}"#).unwrap(),
            100,
            &mut cut,
        );
        assert_eq!(columns.names, ["b", "a", "n", "c"]);
        assert_eq!(second, ["", "true", "", r#"{"z": [1, 2], "y": 2}"#]);
        let other = columns.cells(parse_line(b"[1,2]").unwrap(), 100, &mut cut);
        assert_eq!(other.last().map(String::as_str), Some("[1,2]"));
        assert_eq!(columns.not_objects, 1);
        assert!(!cut);
    }

    #[test]
    fn a_line_that_is_not_json_is_an_error() {
        assert!(parse_line(b"{\"a\": 1").is_err());
        assert!(parse_line(b"id,name").is_err());
    }
}
