//! Seeding the default databases with the demo data on first start (embedded mode).
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

/// Writes every demo database that is not complete yet. Returns the names it wrote.
pub async fn seed_default_databases(store: &Store, seed: DemoSeed) -> Result<Vec<String>> {
    let mut written = Vec::new();
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
