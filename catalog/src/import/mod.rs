//! Importing CSV files as tables.
//!
//! An import streams the upload to S3 (multipart, parts of a few MiB) while checking and
//! profiling it in the same pass, so the server never holds a whole file:
//! - gzip and zstd files (recognised from their first bytes, not their names) are decoded as
//!   they arrive and stored as the plain CSV they hold; the report says so, and the size
//!   limit applies to the text stored;
//! - [`sniff`]: files that are not CSV text (ZIP, images, PDF, Parquet, JSON, NUL bytes) are
//!   refused first;
//! - [`encoding`]: UTF-8 is kept; Windows-1252/Latin-1 is converted to UTF-8 and the report
//!   says so; anything else is refused with the line where it went wrong;
//! - the profile (exact row count, types over the whole file, delimiter) becomes the table's
//!   statistics.
//!
//! Policies (documented in the README): duplicate column names are refused (which columns,
//! what to do); empty column names are allowed and shown as `column_N` with a warning; rows
//! with more or fewer fields than the header are refused with the first line numbers.
//!
//! Nothing half-written is left: the object becomes visible only when the upload completes,
//! which happens after every check passed. On any failure (a check, the size limit, a client
//! that went away) the multipart upload is aborted, a replaced table stays as it was, and a
//! new database gets no marker.

pub(crate) mod encoding;
pub(crate) mod sniff;

use std::collections::HashMap;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use shared::{Column, DatabaseName, TableName, UserName, Warning, WarningKind};

use crate::Catalog;
use crate::csv::profile::{MAX_RECORD_BYTES, TableProfile};
use crate::decompress::{DecodedReader, compression_name, detect_compression};
use crate::error::CatalogError;
use crate::layout::{Layout, Scope};
use crate::stats::MAX_COLUMN_NAME_CHARS;
use crate::tables::TableWriter;
use encoding::{SourceEncoding, Utf8Checker, windows_1252_to_utf8};

/// Bytes looked at before deciding what a file is and how it is encoded.
const SNIFF_BYTES: usize = 8 * 1024;

/// One file to import.
#[derive(Debug, Clone)]
pub struct TableImport {
    pub table: TableName,
    /// Replace the table if it exists (otherwise that is a conflict).
    pub replace: bool,
    /// The most bytes accepted for this file.
    pub max_bytes: u64,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTable {
    pub table: TableName,
    pub rows: u64,
    pub columns: Vec<Column>,
    pub bytes: u64,
    pub warnings: Vec<Warning>,
    pub replaced: bool,
}

/// Why a file was not imported. Each message says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(
        "a table named {table:?} already exists in this database; choose another name, or replace it"
    )]
    TableExists { table: String },
    #[error(
        "the file is larger than the {limit_mib} MiB limit; split it, or ask the administrator to raise DBM_MAX_UPLOAD_MB"
    )]
    TooLarge { limit_mib: u64 },
    #[error(
        "this is not a CSV file: it looks like {what}; imports take CSV or TSV text (plain, or gzip- or zstd-compressed): export or save it as CSV (UTF-8) and import that"
    )]
    NotCsv { what: &'static str },
    #[error(
        "line {line} has bytes that are neither UTF-8 nor Windows-1252 text; save the file as UTF-8 and import it again"
    )]
    Encoding { line: u64 },
    #[error("the file is empty; a CSV file needs at least a header line")]
    Empty,
    #[error(
        "columns {first} and {second} are both named {name:?}; give every column its own name and import again"
    )]
    DuplicateColumns {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("{}", ragged_message(*.count, .lines))]
    RaggedRows { count: u64, lines: Vec<u64> },
    #[error(
        "{} longer than {limit_mib} MiB{}, more than a table row can be; check that the quotes in the file are balanced (an unclosed quote makes the rest of the file one row)",
        if *.count == 1 { "1 row is".to_owned() } else { format!("{} rows are", .count) },
        match .first_line {
            Some(line) if *line > 0 && *.count == 1 => format!(" (it starts on line {line})"),
            Some(line) if *line > 0 => format!(" (the first starts on line {line})"),
            _ => String::new(),
        }
    )]
    RowsTooLong {
        count: u64,
        limit_mib: usize,
        /// The line the first starts on, when known.
        first_line: Option<u64>,
    },
    #[error(
        "a quoted field that starts on line {line} is never closed, so the rest of the file would be one cell; check the quotes around that line and import again"
    )]
    UnclosedQuote { line: u64 },
    #[error(
        "column {column}'s name is {chars} characters long, more than the {limit} allowed; is line 1 a header, with its quotes balanced? Fix it and import again"
    )]
    ColumnNameTooLong {
        column: usize,
        chars: usize,
        limit: usize,
    },
    #[error(
        "the file could not be decompressed: {detail}; check that it is complete and import it again"
    )]
    Compressed { detail: String },
    #[error(
        "the upload was cut off before the file was complete ({detail}); nothing was saved, try again"
    )]
    CutOff { detail: String },
}

impl From<storage::StorageError> for ImportError {
    fn from(error: storage::StorageError) -> Self {
        ImportError::Catalog(error.into())
    }
}

impl Catalog {
    /// Imports one file as a table of the user's database (created if new).
    pub async fn import_table<S, E>(
        &self,
        user: &UserName,
        database: &DatabaseName,
        import: TableImport,
        mut body: S,
    ) -> Result<ImportedTable, ImportError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: std::fmt::Display,
    {
        self.refuse_default_database(database).await?;
        let scope = Scope::User(user.clone());
        let layout = Layout::of(self.store());
        let key = layout.table_key(&scope, database, &import.table);
        let existed = self.store().exists(&key).await?;
        if existed && !import.replace {
            return Err(ImportError::TableExists {
                table: import.table.to_string(),
            });
        }

        let mut writer = TableWriter::with(
            self.store(),
            &scope,
            database,
            &import.table,
            self.column_profiling(),
        );
        let mut reader = UploadReader::default();
        // The first bytes say whether the file is compressed (the name is not trusted).
        let mut first = Bytes::new();
        while first.is_empty() {
            match body.next().await {
                Some(chunk) => {
                    first = chunk.map_err(|error| ImportError::CutOff {
                        detail: error.to_string(),
                    })?
                }
                None => break,
            }
        }
        let compression = detect_compression(&first);
        let raw = futures::stream::iter([Ok::<Bytes, String>(first)])
            .chain(body.map(|chunk| chunk.map_err(|error| error.to_string())));
        let mut text: std::pin::Pin<
            Box<dyn Stream<Item = Result<Bytes, ImportError>> + Send + '_>,
        > = match compression {
            None => {
                Box::pin(raw.map(|chunk| chunk.map_err(|detail| ImportError::CutOff { detail })))
            }
            Some(compression) => Box::pin(decompressed(compression, raw)),
        };
        while let Some(chunk) = text.next().await {
            let chunk = chunk?;
            // The limit is on the table as stored: decompressed text counts.
            reader.received += chunk.len() as u64;
            if reader.received > import.max_bytes {
                return Err(ImportError::TooLarge {
                    limit_mib: import.max_bytes / (1024 * 1024),
                });
            }
            if let Some(text) = reader.accept(chunk)? {
                writer.write(text).await?;
            }
        }
        drop(text);
        if let Some(text) = reader.end()? {
            writer.write(text).await?;
        }

        let (profile, pending) = writer.finish_profile().await?;
        let mut warnings = check_profile(&profile)?;
        if reader.encoding == Some(SourceEncoding::Windows1252) {
            warnings.insert(0, WarningKind::ConvertedFromWindows1252.into());
        }
        if let Some(compression) = compression {
            warnings.insert(
                0,
                WarningKind::Decompressed {
                    compression: compression_name(compression).to_owned(),
                }
                .into(),
            );
        }
        let stats = pending.publish(&profile).await?;
        // The marker comes last: a database whose first import failed never appears.
        self.create_database(user, database).await?;
        self.invalidate_table(&scope, database, &import.table);
        Ok(ImportedTable {
            table: import.table,
            rows: stats.row_count,
            columns: stats.columns,
            bytes: reader.received,
            warnings,
            replaced: existed,
        })
    }
}

/// The text of a compressed upload, in chunks of up to 256 KiB, as it arrives.
fn decompressed<'a>(
    compression: shared::Compression,
    raw: impl Stream<Item = Result<Bytes, String>> + Unpin + Send + 'a,
) -> impl Stream<Item = Result<Bytes, ImportError>> + Send + 'a {
    let input =
        tokio_util::io::StreamReader::new(raw.map(|chunk| chunk.map_err(std::io::Error::other)));
    let reader = DecodedReader::new(compression, input, u64::MAX, || false);
    let progress = reader.progress();
    tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024).map(move |chunk| {
        chunk.map_err(|error| match progress.failure() {
            Some(failure) => ImportError::Compressed { detail: failure.0 },
            None => ImportError::CutOff {
                detail: error.to_string(),
            },
        })
    })
}

/// Turns the raw upload into UTF-8 text: sniffs, picks the encoding, converts or checks.
#[derive(Default)]
struct UploadReader {
    received: u64,
    /// Bytes held back until enough are seen to decide.
    head: Vec<u8>,
    encoding: Option<SourceEncoding>,
    utf8: Utf8Checker,
    /// Line ends passed so far, to say on which line an encoding error is.
    newlines: u64,
}

impl UploadReader {
    /// Text to store for `chunk`, or `None` while the first bytes are held back. UTF-8
    /// text is passed on as it came (not copied).
    fn accept(&mut self, chunk: Bytes) -> Result<Option<Bytes>, ImportError> {
        if self.encoding.is_none() {
            self.head.extend_from_slice(&chunk);
            if self.head.len() < SNIFF_BYTES {
                return Ok(None);
            }
            return self.decide().map(Some);
        }
        self.decode(chunk).map(Some)
    }

    /// At the end of the upload: whatever is still held back.
    fn end(&mut self) -> Result<Option<Bytes>, ImportError> {
        let text = if self.encoding.is_none() {
            if self.head.is_empty() {
                return Err(ImportError::Empty);
            }
            Some(self.decide()?)
        } else {
            None
        };
        if self.encoding == Some(SourceEncoding::Utf8) {
            self.utf8.finish().map_err(|_| ImportError::Encoding {
                line: self.newlines + 1,
            })?;
        }
        Ok(text)
    }

    fn decide(&mut self) -> Result<Bytes, ImportError> {
        let head = Bytes::from(std::mem::take(&mut self.head));
        if let Some(what) = sniff::not_csv(&head) {
            return Err(ImportError::NotCsv { what });
        }
        let encoding = encoding::detect(&head[..head.len().min(64 * 1024)]).ok_or_else(|| {
            ImportError::Encoding {
                line: first_bad_line(&head),
            }
        })?;
        self.encoding = Some(encoding);
        self.decode(head)
    }

    fn decode(&mut self, chunk: Bytes) -> Result<Bytes, ImportError> {
        let newlines_before = self.newlines;
        self.newlines += memchr::memchr_iter(b'\n', &chunk).count() as u64;
        let line_of = |index: usize| {
            newlines_before + memchr::memchr_iter(b'\n', &chunk[..index]).count() as u64 + 1
        };
        match self.encoding {
            Some(SourceEncoding::Windows1252) => {
                let mut text = Vec::with_capacity(chunk.len() + chunk.len() / 8);
                windows_1252_to_utf8(&chunk, &mut text).map_err(|index| ImportError::Encoding {
                    line: line_of(index),
                })?;
                Ok(Bytes::from(text))
            }
            _ => {
                let fed_before = self.utf8.bytes_fed();
                self.utf8.check(&chunk).map_err(|offset| {
                    // The bad byte may sit in a character begun in the previous chunk.
                    let index = usize::try_from(offset.saturating_sub(fed_before)).unwrap_or(0);
                    ImportError::Encoding {
                        line: line_of(index.min(chunk.len())),
                    }
                })?;
                Ok(chunk)
            }
        }
    }
}

/// The line of the first byte that is neither UTF-8 nor Windows-1252.
fn first_bad_line(head: &[u8]) -> u64 {
    let bad = std::str::from_utf8(head)
        .err()
        .map_or(0, |error| error.valid_up_to());
    head[..bad].iter().filter(|&&byte| byte == b'\n').count() as u64 + 1
}

/// "2 rows have more or fewer fields than the header (lines 3, 7): …".
fn ragged_message(count: u64, lines: &[u64]) -> String {
    let mut listed: Vec<String> = lines.iter().map(u64::to_string).collect();
    if count > lines.len() as u64 {
        listed.push("…".to_owned());
    }
    let subject = if count == 1 {
        "1 row has".to_owned()
    } else {
        format!("{count} rows have")
    };
    let line_word = if listed.len() == 1 { "line" } else { "lines" };
    let them = if count == 1 { "it" } else { "them" };
    format!(
        "{subject} more or fewer fields than the header ({line_word} {}); every row needs one \
         field per column: fix {them} and import again",
        listed.join(", ")
    )
}

/// Refuses what cannot be imported; returns warnings for what can.
fn check_profile(profile: &TableProfile) -> Result<Vec<Warning>, ImportError> {
    if let Some(line) = profile.unclosed_quote_line {
        return Err(ImportError::UnclosedQuote { line });
    }
    if profile.is_empty || profile.columns.is_empty() {
        return Err(ImportError::Empty);
    }
    for (index, column) in profile.columns.iter().enumerate() {
        let chars = column.name.chars().count();
        if chars > MAX_COLUMN_NAME_CHARS {
            return Err(ImportError::ColumnNameTooLong {
                column: index + 1,
                chars,
                limit: MAX_COLUMN_NAME_CHARS,
            });
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, column) in profile.columns.iter().enumerate() {
        if let Some(first) = seen.insert(column.name.as_str(), index + 1) {
            return Err(ImportError::DuplicateColumns {
                name: column.name.clone(),
                first,
                second: index + 1,
            });
        }
    }
    if profile.records_too_long > 0 {
        return Err(ImportError::RowsTooLong {
            count: profile.records_too_long,
            limit_mib: MAX_RECORD_BYTES / (1024 * 1024),
            first_line: profile.first_too_long_line,
        });
    }
    if profile.ragged_rows > 0 {
        return Err(ImportError::RaggedRows {
            count: profile.ragged_rows,
            lines: profile.first_ragged_lines.clone(),
        });
    }
    let mut warnings = Vec::new();
    if !profile.unnamed_columns.is_empty() {
        warnings.push(Warning::from(WarningKind::UnnamedColumns {
            columns: profile.unnamed_columns.clone(),
        }));
    }
    if profile.row_count == 0 {
        warnings.push(WarningKind::NoRows.into());
    }
    Ok(warnings)
}
