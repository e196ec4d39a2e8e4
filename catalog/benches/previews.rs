//! `make bench` (or `cargo bench -p catalog --bench previews`): preview latency and bytes
//! read for tables of 1 MB, 100 MB and 1 GB on the embedded S3 server, against the old
//! tool's approach (download the whole object, parse N rows, count every line). Prints a
//! table; it asserts nothing (timings vary on shared machines).
//!
//! "Cold" is a preview with empty caches (a new catalog over the same S3 connection pool):
//! one LIST, one GET of the statistics, one ranged GET of the head. "Warm" is the same
//! preview repeated within the revalidation interval: no S3 request at all.
//! Set DBM_BENCH_DIR to choose where the ~1.1 GB of test data is written.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use catalog::demo::{ORDERS_HEADER, order_rows};
use catalog::tables::TableWriter;
use catalog::{Catalog, Layout, PreviewSettings, Scope};
use shared::{DatabaseName, TableName, UserName};
use storage::{EmbeddedS3, S3Meter, Store};

const SAMPLE_ROWS: usize = 5;
const COLD_RUNS: usize = 30;
const WARM_RUNS: usize = 2_000;

struct Row {
    label: &'static str,
    size: u64,
    rows: u64,
    cold: Duration,
    warm: Duration,
    cold_requests: u64,
    cold_object_bytes: u64,
    cold_response_bytes: u64,
    baseline: Duration,
    baseline_bytes: u64,
}

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    let server = EmbeddedS3::start(root.path()).await.unwrap();
    let store = server.store("").await.unwrap();
    let meter = server.meter();
    let user = UserName::parse("local").expect("a valid name");

    let mut results = Vec::new();
    for (label, size) in [
        ("1 MB", 1_000_000u64),
        ("100 MB", 100_000_000),
        ("1 GB", 1_000_000_000),
    ] {
        let database = DatabaseName::parse(&format!("bench{}", results.len())).unwrap();
        eprintln!("writing the {label} table…");
        let rows = write_table(&store, &database, size).await;
        eprintln!("measuring {label}…");
        results.push(measure(label, &store, &meter, &user, &database, rows).await);
    }
    print_table(&results);
    server.shutdown().await.unwrap();
}

/// Writes a table of about `size` bytes through the app's own write path (statistics too).
async fn write_table(store: &Store, database: &DatabaseName, size: u64) -> u64 {
    let table = TableName::parse("orders").unwrap();
    let mut writer = TableWriter::new(store, &Scope::Default, database, &table);
    writer.write(format!("{ORDERS_HEADER}\n")).await.unwrap();
    let (block, rows_in_block) = order_rows(999_000);
    let block = bytes::Bytes::from(block);
    let mut rows = 0;
    loop {
        writer.write(block.clone()).await.unwrap();
        rows += rows_in_block;
        if writer.bytes_written() + block.len() as u64 > size {
            break;
        }
    }
    let (stats, _) = writer.finish().await.unwrap();
    assert_eq!(stats.row_count, rows);
    rows
}

async fn measure(
    label: &'static str,
    store: &Store,
    meter: &S3Meter,
    user: &UserName,
    database: &DatabaseName,
    rows: u64,
) -> Row {
    let settings = PreviewSettings {
        revalidate_after: Duration::from_secs(3600),
        ..PreviewSettings::default()
    };
    let size = store
        .list(&Layout::of(store).database_prefix(&Scope::Default, database))
        .await
        .unwrap()
        .iter()
        .filter(|object| object.key.ends_with(".csv"))
        .map(|object| object.size)
        .sum();

    // Cold: a fresh catalog each time (empty caches, same S3 connection pool).
    let mut cold_times = Vec::new();
    let mut cold_reading = Default::default();
    for _ in 0..COLD_RUNS {
        let catalog = Catalog::from_store(store.clone(), "bench", settings);
        let before = meter.reading();
        let started = Instant::now();
        let schema = catalog
            .database_schema(user, database, SAMPLE_ROWS)
            .await
            .unwrap();
        cold_times.push(started.elapsed());
        cold_reading = meter.reading().since(before);
        assert_eq!(schema.tables[0].row_count, rows);
    }
    let object = store
        .listed(&Layout::of(store).table_key(
            &Scope::Default,
            database,
            &TableName::parse("orders").unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    let head = catalog::preview::head::read_head(
        store,
        &object,
        shared::TableFormat::Csv,
        SAMPLE_ROWS,
        &catalog::preview::head::head_read_budget(),
    )
    .await
    .unwrap();

    // Warm: the same catalog, the same preview again.
    let catalog = Catalog::from_store(store.clone(), "bench", settings);
    catalog
        .database_schema(user, database, SAMPLE_ROWS)
        .await
        .unwrap();
    let before = meter.reading();
    let mut warm_times = Vec::new();
    for _ in 0..WARM_RUNS {
        let started = Instant::now();
        catalog
            .database_schema(user, database, SAMPLE_ROWS)
            .await
            .unwrap();
        warm_times.push(started.elapsed());
    }
    assert_eq!(
        meter.reading().since(before).requests,
        0,
        "warm previews must not touch S3"
    );

    // Baseline: the old tool downloaded the object, parsed N rows and counted all lines.
    let baseline_runs = if size > 500_000_000 { 3 } else { 5 };
    let mut baseline_times = Vec::new();
    let mut baseline_bytes = 0;
    for _ in 0..baseline_runs {
        let started = Instant::now();
        baseline_bytes = baseline_preview(store, &object.key).await;
        baseline_times.push(started.elapsed());
    }

    Row {
        label,
        size,
        rows,
        cold: median(cold_times),
        warm: median(warm_times),
        cold_requests: cold_reading.requests,
        cold_object_bytes: head.bytes_fetched,
        cold_response_bytes: cold_reading.body_bytes,
        baseline: median(baseline_times),
        baseline_bytes,
    }
}

/// The old approach: the whole object, then N rows parsed, then every line counted.
async fn baseline_preview(store: &Store, key: &str) -> u64 {
    let bytes = store
        .read(key, None, None)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut reader = csv_async::AsyncReaderBuilder::new().create_reader(&bytes[..]);
    let mut record = csv_async::ByteRecord::new();
    for _ in 0..SAMPLE_ROWS {
        reader.read_byte_record(&mut record).await.unwrap();
    }
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    assert!(lines > SAMPLE_ROWS);
    bytes.len() as u64
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1000.0)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "Previews of one table, {SAMPLE_ROWS} sample rows, embedded S3 (medians: cold of {COLD_RUNS}, warm of {WARM_RUNS})"
    );
    println!();
    println!(
        "| table | rows | cold (ms) | warm (ms) | S3 requests cold | table bytes read cold | all S3 response bytes cold | baseline (ms) | baseline bytes | baseline / cold |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} | {:.0}x |",
            row.label,
            mb(row.size),
            row.rows,
            ms(row.cold),
            ms(row.warm),
            row.cold_requests,
            kib(row.cold_object_bytes),
            kib(row.cold_response_bytes),
            ms(row.baseline),
            mb(row.baseline_bytes),
            row.baseline.as_secs_f64() / row.cold.as_secs_f64(),
        );
    }
    let (first, last) = (&rows[0], &rows[rows.len() - 1]);
    println!();
    println!("Targets (1 GB table):");
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "- cold preview under 20 ms: {} ms, {}",
        ms(last.cold),
        check(last.cold < Duration::from_millis(20))
    );
    println!(
        "- at most 64 KiB of the table read: {}, {}",
        kib(last.cold_object_bytes),
        check(last.cold_object_bytes <= 64 * 1024)
    );
    println!(
        "- warm preview under 1 ms: {} ms, {}",
        ms(last.warm),
        check(last.warm < Duration::from_millis(1))
    );
    let ratio = last.baseline.as_secs_f64() / last.cold.as_secs_f64();
    println!(
        "- baseline / ours at least 200x: {ratio:.0}x, {}",
        check(ratio >= 200.0)
    );
    let spread = last.cold.as_secs_f64() / first.cold.as_secs_f64();
    println!(
        "- cold 1 GB within 1.5x of cold 1 MB: {spread:.2}x, {}",
        check(spread <= 1.5)
    );
}
