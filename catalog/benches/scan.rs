//! `make bench` (or `cargo bench -p catalog --bench scan`): the exact count (and profile) of
//! a 1 GB table another tool wrote, on the embedded S3 server, three ways in one run:
//! - the parallel scan (`catalog::scan`) that background counts use, with the column
//!   profiles it computes and without them (`DBM_COLUMN_PROFILES=off`);
//! - one streamed GET parsed on one core (how counts were made before);
//! - polars, `pl.scan_csv(...).select(pl.len())` over the same object, when Python with
//!   polars is installed (`pip install polars`); otherwise the table says how to add it.
//!
//! The table has a quoted note column whose text holds commas and line breaks, so record
//! ends are not line ends. Prints a table; asserts nothing but that all agree on the count
//! (timings vary on shared machines). Set DBM_BENCH_DIR to choose where the 1 GB goes.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::time::{Duration, Instant};

use catalog::csv::profile::{ColumnProfiling, TableProfiler};
use catalog::csv::records::RecordScanner;
use catalog::demo::{ORDERS_HEADER, order_rows};
use catalog::scan::{ScanSettings, scan_table};
use futures::StreamExt;
use storage::{EMBEDDED_BUCKET, EmbeddedS3, Store};

/// A new key each run: polars keeps a local cache of cloud files by address, which would
/// answer a second run from disk.
static KEY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("default/bench/foreign-{}.csv", now.as_nanos())
});
const SIZE: u64 = 1_000_000_000;

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    eprintln!("writing a 1 GB table…");
    let file = root.path().join("foreign.csv");
    let rows = write_foreign_table(&file);
    let server = EmbeddedS3::start(&root.path().join("s3")).await.unwrap();
    let store = server.store("").await.unwrap();
    eprintln!("uploading it as another tool would (plain multipart upload)…");
    storage::testing::upload_file(&store, &KEY, &file).await;
    std::fs::remove_file(&file).unwrap();
    let listed = store.listed(&KEY).await.unwrap().unwrap();
    let bytes = listed.size;

    eprintln!("parallel scan…");
    let started = Instant::now();
    let profile = scan_table(
        &store,
        &KEY,
        bytes,
        &listed.version,
        ScanSettings::default(),
    )
    .await
    .unwrap();
    let parallel = started.elapsed();
    assert_eq!(profile.row_count, rows, "the parallel scan's count");

    eprintln!("parallel scan without column profiles…");
    let started = Instant::now();
    let settings = ScanSettings {
        column_profiling: ColumnProfiling::Off,
        ..ScanSettings::default()
    };
    let unprofiled = scan_table(&store, &KEY, bytes, &listed.version, settings)
        .await
        .unwrap();
    let without_profiles = started.elapsed();
    assert_eq!(unprofiled.row_count, rows, "the unprofiled scan's count");

    eprintln!("count only…");
    let started = Instant::now();
    let counted = count_only(&store, bytes, &listed.version).await;
    let count_only = started.elapsed();
    assert_eq!(counted, rows, "the boundary scan's count");

    eprintln!("one streamed GET, one core…");
    let started = Instant::now();
    let mut body = store.read(&KEY, None, None).await.unwrap();
    let mut profiler = TableProfiler::new();
    while let Some(chunk) = body.next_chunk().await.unwrap() {
        profiler.feed(&chunk);
    }
    let sequential = started.elapsed();
    assert_eq!(profiler.finish().row_count, rows, "the sequential count");

    eprintln!("polars…");
    let polars = polars_count(&server, rows);
    print_table(
        bytes,
        rows,
        [parallel, without_profiles, count_only, sequential],
        polars,
    );
    server.shutdown().await.unwrap();
}

/// The same parallel ranged reads with only the record-boundary scan (no fields parsed):
/// what the scan costs without its profile.
async fn count_only(store: &Store, size: u64, version: &storage::ObjectVersion) -> u64 {
    let settings = ScanSettings::default();
    let mut scanner = RecordScanner::new(b',');
    let mut chunks = futures::stream::iter((0..size.div_ceil(settings.chunk_bytes)).map(|index| {
        let range = index * settings.chunk_bytes..((index + 1) * settings.chunk_bytes).min(size);
        let etag = version.etag.clone();
        async move {
            let body = store
                .read(&KEY, Some(range), etag.as_deref())
                .await
                .unwrap();
            body.collect().await.unwrap()
        }
    }))
    .buffered(settings.reads_in_flight);
    while let Some(chunk) = chunks.next().await {
        scanner.scan(&chunk);
    }
    scanner.records_at_end() - 1
}

/// A CSV of about SIZE bytes: the demo orders with a quoted note, every third one spanning
/// two lines. Returns its data rows.
fn write_foreign_table(path: &std::path::Path) -> u64 {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "{ORDERS_HEADER},note").unwrap();
    let (orders, _) = order_rows(1_000_000);
    let mut block = String::new();
    let mut block_rows = 0;
    for (index, line) in orders.lines().enumerate() {
        let note = match index % 3 {
            0 => "\"left at the door, \"\"as asked\"\"\nsecond line\"",
            1 => "\"gift, wrapped\"",
            _ => "plain",
        };
        block.push_str(line);
        block.push(',');
        block.push_str(note);
        block.push('\n');
        block_rows += 1;
    }
    let (mut written, mut rows) = (0u64, 0u64);
    while written < SIZE {
        file.write_all(block.as_bytes()).unwrap();
        written += block.len() as u64;
        rows += block_rows;
    }
    file.flush().unwrap();
    rows
}

/// Polars' count of the same object over S3, timed inside Python (start-up excluded).
fn polars_count(server: &EmbeddedS3, rows: u64) -> Result<Duration, String> {
    let endpoint = server.endpoint();
    let script = format!(
        r#"
import time, polars as pl
options = {{"aws_endpoint_url": "{url}", "aws_access_key_id": "{key}",
           "aws_secret_access_key": "{secret}", "aws_region": "us-east-1",
           "aws_allow_http": "true"}}
started = time.perf_counter()
rows = pl.scan_csv("s3://{bucket}/{object}", storage_options=options).select(pl.len()).collect().item()
print(rows, time.perf_counter() - started)
"#,
        url = endpoint.url,
        key = endpoint.access_key,
        secret = endpoint.secret_key,
        bucket = EMBEDDED_BUCKET,
        object = *KEY,
    );
    let stdout = storage::testing::run_python_peer(&script, "polars")?;
    let mut fields = stdout.split_whitespace();
    let counted: u64 = fields.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let seconds: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    if counted != rows {
        return Err(format!("polars counted {counted} rows, not {rows}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn print_table(
    bytes: u64,
    rows: u64,
    [parallel, without_profiles, count_only, sequential]: [Duration; 4],
    polars: Result<Duration, String>,
) {
    let rate = |time: Duration| bytes as f64 / 1e6 / time.as_secs_f64();
    println!();
    println!(
        "Exact count of a {:.2} GB table another tool wrote ({rows} rows, quoted notes with line \
         breaks), embedded S3 on loopback, {} cores",
        bytes as f64 / 1e9,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!();
    println!("| how | time (s) | MB/s | vs polars |");
    println!("|---|---|---|---|");
    let versus = |time: Duration| match &polars {
        Ok(polars) => format!("{:.2}x", polars.as_secs_f64() / time.as_secs_f64()),
        Err(_) => "-".to_owned(),
    };
    for (label, time) in [
        ("parallel scan (count, types, column profiles)", parallel),
        (
            "parallel scan without column profiles (count, types)",
            without_profiles,
        ),
        ("parallel reads, boundary scan only (count)", count_only),
        ("one GET, one core, with column profiles", sequential),
    ] {
        println!(
            "| {label} | {:.2} | {:.0} | {} |",
            time.as_secs_f64(),
            rate(time),
            versus(time)
        );
    }
    match &polars {
        Ok(time) => println!(
            "| polars scan_csv().select(pl.len()) | {:.2} | {:.0} | 1.00x |",
            time.as_secs_f64(),
            rate(*time)
        ),
        Err(why) => println!("| polars | - | - | {why} |"),
    }
    println!();
    println!("(\"vs polars\": polars' time divided by ours; above 1 is faster than polars.)");
    if let Ok(time) = polars {
        let met = |ours: Duration| if ours < time { "met" } else { "MISSED" };
        println!(
            "Target: faster than polars: {} with column profiles, {} without",
            met(parallel),
            met(without_profiles)
        );
    }
}
