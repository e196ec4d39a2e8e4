//! `make bench` (or `cargo bench -p catalog --bench formats`): cold previews of a 1 GB
//! `.csv.gz`, a 1 GB Parquet file (10 row groups, with its page index) and one as pyarrow
//! writes by default (one row group, no page index) on the embedded S3 server (latency, GET requests,
//! bytes read), beside the seed's method (download the whole object, then read it) and
//! polars over the same objects (`scan_parquet(...).head(5)`, `scan_csv(...).head(5)`), when
//! Python with polars is installed. Prints a table; asserts only that the previews are
//! right (timings vary on shared machines).
//!
//! "Cold" is a preview with empty caches (a new catalog over the same S3 connection pool):
//! the database's two LISTs, then the table's reads. Set DBM_BENCH_DIR to choose where the
//! ~3 GB of test data is written.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use catalog::sample_files::{compress, csv_text, parquet_bytes, parquet_bytes_without_page_index};
use catalog::{Catalog, Layout, PreviewSettings, Scope};
use shared::{Compression, DatabaseName, TableFormat, UserName};
use storage::{EMBEDDED_BUCKET, EmbeddedS3, Store};

const SIZE: usize = 1_000_000_000;
const COLD_RUNS: usize = 20;
const SAMPLE_ROWS: usize = 5;

struct Measured {
    label: &'static str,
    size: u64,
    cold: Duration,
    gets: u64,
    bytes: u64,
    seed_method: Duration,
    polars: Result<Duration, String>,
    target: &'static str,
}

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    let server = EmbeddedS3::start(root.path()).await.unwrap();
    let store = server.store("").await.unwrap();
    let user = UserName::parse("local").unwrap();
    // A new folder each run: polars caches cloud files by address.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();

    eprintln!("writing a 1 GB .csv.gz…");
    let gz_db = DatabaseName::parse(&format!("gz{stamp}")).unwrap();
    let gz_key = key(&store, &gz_db, "events.csv.gz");
    let mut gz = compress(Compression::Gzip, &csv_text(1..1001, true, 200, 1));
    let member = compress(Compression::Gzip, &csv_text(1001..21_001, false, 200, 2));
    while gz.len() < SIZE {
        gz.extend_from_slice(&member);
    }
    put(&store, &gz_key, &gz).await;
    let gz_size = gz.len() as u64;
    drop(gz);

    eprintln!("writing a 1 GB Parquet file…");
    let pq_db = DatabaseName::parse(&format!("pq{stamp}")).unwrap();
    let pq_key = key(&store, &pq_db, "facts.parquet");
    let parquet = parquet_bytes(1..940_001, 100_000, 1060, 7).unwrap();
    put(&store, &pq_key, &parquet).await;
    let pq_size = parquet.len() as u64;
    drop(parquet);

    eprintln!(
        "writing a 1 GB Parquet file of one row group and no page index (pyarrow's default)…"
    );
    let plain_db = DatabaseName::parse(&format!("plain{stamp}")).unwrap();
    let plain_key = key(&store, &plain_db, "facts.parquet");
    let plain = parquet_bytes_without_page_index(1..940_001, 1_000_000, 1060, 9).unwrap();
    put(&store, &plain_key, &plain).await;
    let plain_size = plain.len() as u64;
    drop(plain);

    let cases = [
        (
            gz_db,
            gz_key,
            gz_size,
            "1 GB .csv.gz",
            TableFormat::CsvGz,
            "< 30 ms, <= 256 KiB",
        ),
        (
            pq_db,
            pq_key,
            pq_size,
            "1 GB Parquet",
            TableFormat::Parquet,
            "< 100 ms, <= 3 GETs",
        ),
        (
            plain_db,
            plain_key,
            plain_size,
            "1 GB Parquet, no page index",
            TableFormat::Parquet,
            "< 100 ms, <= 3 GETs",
        ),
    ];
    let mut results = Vec::new();
    for (database, key, size, label, format, target) in cases {
        eprintln!("measuring the {label}…");
        let (cold, gets, bytes) = cold_preview(&store, &user, &database, format).await;
        let (seed_method, polars) = if format == TableFormat::Parquet {
            let seed = timed(|| seed_method_parquet(&store, &key)).await;
            (seed, polars_head(&server, &key, "scan_parquet"))
        } else {
            let seed = timed(|| seed_method_gz(&store, &key)).await;
            (seed, polars_head(&server, &key, "scan_csv"))
        };
        results.push(Measured {
            label,
            size,
            cold,
            gets,
            bytes,
            seed_method,
            polars,
            target,
        });
    }
    print_table(&results);
    server.shutdown().await.unwrap();
}

fn key(store: &Store, database: &DatabaseName, file: &str) -> String {
    format!(
        "{}{file}",
        Layout::of(store).database_prefix(&Scope::Default, database)
    )
}

async fn put(store: &Store, key: &str, body: &[u8]) {
    let mut writer = store.writer(key, "application/octet-stream");
    for chunk in body.chunks(8 << 20) {
        writer.write(chunk).await.unwrap();
    }
    writer.finish().await.unwrap();
}

/// The median cold preview, and the GETs and bytes of the last one (they do not vary).
async fn cold_preview(
    store: &Store,
    user: &UserName,
    database: &DatabaseName,
    format: TableFormat,
) -> (Duration, u64, u64) {
    // A scan of the whole object would run beside each cold preview (every run is a new
    // catalog): timed alone, the preview is what a user waits for.
    let settings = PreviewSettings {
        revalidate_after: Duration::from_secs(3600),
        background_scans: false,
        ..PreviewSettings::default()
    };
    let mut times = Vec::new();
    let mut reading = storage::Requests::default();
    for _ in 0..COLD_RUNS {
        let catalog = Catalog::from_store(store.clone(), "bench", settings);
        let before = store.requests();
        let started = Instant::now();
        let schema = catalog
            .database_schema(user, database, SAMPLE_ROWS)
            .await
            .unwrap();
        times.push(started.elapsed());
        reading = store.requests().since(before);
        let table = &schema.tables[0];
        assert_eq!(table.format, format);
        assert_eq!(table.sample_rows.len(), SAMPLE_ROWS, "{:?}", table.warnings);
        assert_eq!(table.sample_rows[0][0], "1");
    }
    times.sort();
    (times[times.len() / 2], reading.gets, reading.body_bytes)
}

async fn timed<F: std::future::Future<Output = ()>>(work: impl Fn() -> F) -> Duration {
    let started = Instant::now();
    work().await;
    started.elapsed()
}

/// The seed's method for a compressed table: download it whole, decompress it, read the
/// first rows and count the lines.
async fn seed_method_gz(store: &Store, key: &str) {
    use std::io::Read;
    let bytes = store
        .read(key, None, None)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
    let mut buffer = vec![0; 1 << 20];
    let mut lines = 0_u64;
    loop {
        let read = decoder.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        lines += buffer[..read].iter().filter(|&&byte| byte == b'\n').count() as u64;
    }
    assert!(lines > SAMPLE_ROWS as u64);
}

/// The seed's method for Parquet: download it whole, then read the first rows from memory.
async fn seed_method_parquet(store: &Store, key: &str) {
    let bytes = store
        .read(key, None, None)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .with_limit(SAMPLE_ROWS)
        .build()
        .unwrap();
    let rows: usize = reader.map(|batch| batch.unwrap().num_rows()).sum();
    assert_eq!(rows, SAMPLE_ROWS);
}

/// Polars' first rows of the same object over S3, timed inside Python (start-up excluded).
fn polars_head(server: &EmbeddedS3, key: &str, scan: &str) -> Result<Duration, String> {
    let endpoint = server.endpoint();
    let script = format!(
        r#"
import time, polars as pl
options = {{"aws_endpoint_url": "{url}", "aws_access_key_id": "{access}",
           "aws_secret_access_key": "{secret}", "aws_region": "us-east-1",
           "aws_allow_http": "true"}}
started = time.perf_counter()
rows = pl.{scan}("s3://{bucket}/{key}", storage_options=options).head({rows}).collect()
print(rows.height, time.perf_counter() - started)
"#,
        url = endpoint.url,
        access = endpoint.access_key,
        secret = endpoint.secret_key,
        bucket = EMBEDDED_BUCKET,
        rows = SAMPLE_ROWS,
    );
    let stdout = storage::testing::run_python_peer(&script, "polars")?;
    let mut fields = stdout.split_whitespace();
    let height: usize = fields.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let seconds: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    if height != SAMPLE_ROWS {
        return Err(format!("polars read {height} rows, not {SAMPLE_ROWS}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn print_table(results: &[Measured]) {
    println!();
    println!("Cold previews of tables other tools wrote ({COLD_RUNS} runs, median; embedded S3)");
    println!();
    println!(
        "| table | size | cold preview (ms) | GETs | bytes read | seed's method (ms) | vs seed's | polars head(5) (ms) | vs polars | target |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in results {
        let (polars_ms, versus_polars) = match &row.polars {
            Ok(polars) => (
                ms(*polars),
                format!("{:.1}x", polars.as_secs_f64() / row.cold.as_secs_f64()),
            ),
            Err(why) => ("-".to_owned(), why.clone()),
        };
        println!(
            "| {} | {:.0} MB | {} | {} | {:.1} KiB | {} | {:.0}x | {} | {} | {} |",
            row.label,
            row.size as f64 / 1e6,
            ms(row.cold),
            row.gets,
            row.bytes as f64 / 1024.0,
            ms(row.seed_method),
            row.seed_method.as_secs_f64() / row.cold.as_secs_f64(),
            polars_ms,
            versus_polars,
            row.target,
        );
    }
    println!();
    println!(
        "(\"vs\": the other's time divided by ours; above 1 is faster. Bytes read include the \
         two LISTs' XML. The seed's method downloads the whole object, then reads it.)"
    );
}
