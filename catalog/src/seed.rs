//! Seeding the default databases with the demo data on first start (embedded mode): the
//! `crate::demo` databases, and `formats`, one table in each format another tool might
//! write (`crate::sample_files`).
//!
//! Tables are written with their statistics, so their row counts are exact from the start.
//! Each database's marker is written last: a database whose marker exists is complete and
//! is left alone; one that was cut off half-way (the process stopped) is written again.

use shared::{DatabaseName, TableName};

use crate::demo::{DemoDatabase, demo_databases};
use crate::error::Result;
use crate::layout::{Layout, Scope};
use crate::tables::TableWriter;
use storage::Store;

/// Bytes of CSV generated before they are handed to the writer.
const SEED_CHUNK_BYTES: usize = 1024 * 1024;

/// How much demo data to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSeed {
    /// Rows of the `sales.orders` table.
    pub sales_rows: usize,
}

impl Default for DemoSeed {
    fn default() -> Self {
        Self {
            sales_rows: 1_000_000,
        }
    }
}

/// The demo database of tables other tools wrote, one per format the app reads.
pub const FORMATS_DATABASE: &str = "formats";
/// Rows of each table of [`FORMATS_DATABASE`].
const FORMATS_ROWS: u64 = 5_000;

/// Writes every demo database that is not complete yet. Returns the names it wrote.
pub async fn seed_default_databases(store: &Store, seed: DemoSeed) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let formats = DatabaseName::parse(FORMATS_DATABASE)?;
    let marker = Layout::of(store).marker_key(&Scope::Default, &formats);
    if !store.exists(&marker).await? {
        write_formats_database(store, &formats).await?;
        store
            .put(&marker, marker_body(), "application/json")
            .await?;
        written.push(formats.to_string());
    }
    for database in demo_databases(seed.sales_rows) {
        let name = DatabaseName::parse(database.name)?;
        let marker = Layout::of(store).marker_key(&Scope::Default, &name);
        if store.exists(&marker).await? {
            continue;
        }
        let started = std::time::Instant::now();
        write_database(store, &name, &database).await?;
        store
            .put(&marker, marker_body(), "application/json")
            .await?;
        tracing::info!(database = %name, elapsed_ms = started.elapsed().as_millis(), "seeded a demo database");
        written.push(name.to_string());
    }
    Ok(written)
}

/// One table in each format, written as another tool would (no statistics: previews
/// estimate, and the background scan counts, as for any such table).
async fn write_formats_database(store: &Store, name: &DatabaseName) -> Result<()> {
    use crate::sample_files::{compress, csv_text, jsonl_text, parquet_bytes};
    use shared::Compression;
    let rows = 1..FORMATS_ROWS + 1;
    let prefix = Layout::of(store).database_prefix(&Scope::Default, name);
    let parquet = parquet_bytes(rows.clone(), 2_000, 0, 1).map_err(|detail| {
        crate::error::CatalogError::TaskFailed {
            task: "writing the demo Parquet table",
            detail,
        }
    })?;
    let files: [(&str, Vec<u8>, &str); 5] = [
        ("visits.csv", csv_text(rows.clone(), true, 0, 3), "text/csv"),
        (
            "events.csv.gz",
            compress(Compression::Gzip, &csv_text(rows.clone(), true, 0, 1)),
            "application/gzip",
        ),
        (
            "clicks.csv.zst",
            compress(Compression::Zstd, &csv_text(rows.clone(), true, 0, 2)),
            "application/zstd",
        ),
        (
            "facts.parquet",
            parquet.to_vec(),
            "application/vnd.apache.parquet",
        ),
        ("log.jsonl", jsonl_text(rows), "application/x-ndjson"),
    ];
    for (file, body, content_type) in files {
        store
            .put(&format!("{prefix}{file}"), body, content_type)
            .await?;
    }
    Ok(())
}

/// The marker's content: a format version, so later releases can migrate.
pub(crate) fn marker_body() -> Vec<u8> {
    br#"{"format":1}"#.to_vec()
}

async fn write_database(store: &Store, name: &DatabaseName, database: &DemoDatabase) -> Result<()> {
    for table in &database.tables {
        let table_name = TableName::parse(table.name)?;
        let mut writer = TableWriter::new(store, &Scope::Default, name, &table_name);
        for chunk in table.chunks(SEED_CHUNK_BYTES) {
            writer.write(chunk.to_owned()).await?;
        }
        writer.finish().await?;
    }
    Ok(())
}
