//! `make bench` (or `cargo bench -p server --bench imports`): import throughput end to end
//! and the server's peak memory, for files of 10 MB, 100 MB and 1 GB, beside a plain
//! multipart upload of the same file to the same kind of S3 (no checks, no profile: what
//! any S3 client does). Runs the real server binary (release) on its embedded S3; the plain
//! uploads go to another embedded S3 (s3s-fs, same disk) started by this benchmark. Each
//! import is a streamed multipart/form-data upload, as a script would send it.
//!
//! The plain uploads: the Rust SDK (`aws-sdk-s3` through the app's own multipart writer:
//! 8 MiB parts, three in flight, no checks) and, when Python has boto3 (`pip install boto3`),
//! boto3's `upload_file` with 8 MiB parts.
//!
//! Memory is the server's resident set as Linux counts it: idle after start, and the peak
//! during each upload (VmHWM, reset before each file through /proc/PID/clear_refs).
//! Prints a table; asserts nothing (timings vary on shared machines).
//! Set DBM_BENCH_DIR to choose where the ~2.5 GB of test data go.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use catalog::demo::{ORDERS_HEADER, order_rows};
use common::{Server, memory_kib};
use reqwest::multipart::{Form, Part};
use shared::routes::{self, import_fields};
use storage::{EMBEDDED_BUCKET, EmbeddedS3, StaticEndpoint, Store};

struct Row {
    label: &'static str,
    bytes: u64,
    rows: u64,
    elapsed: Duration,
    peak_above_idle: u64,
    plain_sdk: Duration,
    boto3: Result<Duration, String>,
}

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    let server = Server::start(&root.path().join("data"), &[]).await;
    // The plain uploads go to an embedded S3 of their own, the same server program on the
    // same disk, reached the same way (loopback HTTP, unsigned payloads).
    let s3 = EmbeddedS3::start(&root.path().join("s3")).await.unwrap();
    let store = s3.store("").await.unwrap();
    let endpoint = s3.endpoint();
    let pid = server.pid();
    let base = server.base.clone();
    let client = server.signed_in_client().await;
    // One small import first, so the idle figure includes a warmed-up server.
    upload(
        &client,
        &base,
        "warmup",
        &write_csv(root.path(), "warmup", 100_000),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = memory_kib(pid, "VmRSS:");

    let mut rows = Vec::new();
    for (label, size) in [
        ("10 MB", 10_000_000u64),
        ("100 MB", 100_000_000),
        ("1 GB", 1_000_000_000),
    ] {
        eprintln!("writing the {label} file…");
        let (path, row_count) = write_csv(root.path(), label, size);
        let bytes = std::fs::metadata(&path).unwrap().len();
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
        eprintln!("importing the {label} file…");
        let started = Instant::now();
        let imported_rows = upload(
            &client,
            &base,
            &format!("t{}", rows.len()),
            &(path.clone(), row_count),
        )
        .await;
        let elapsed = started.elapsed();
        assert_eq!(imported_rows, row_count);
        let peak = memory_kib(pid, "VmHWM:");
        eprintln!("uploading the {label} file as it is (SDK)…");
        let plain_sdk = plain_upload(&store, &path).await;
        eprintln!("uploading the {label} file as it is (boto3)…");
        let boto3 = boto3_upload(endpoint, &path);
        rows.push(Row {
            label,
            bytes,
            rows: row_count,
            elapsed,
            peak_above_idle: peak.saturating_sub(idle),
            plain_sdk,
            boto3,
        });
        std::fs::remove_file(path).unwrap();
    }
    print_table(&rows, idle);
    drop(server);
    s3.shutdown().await.unwrap();
}

/// The file uploaded as it is: 8 MiB parts, three in flight, nothing checked or profiled.
async fn plain_upload(store: &Store, path: &Path) -> Duration {
    let started = Instant::now();
    storage::testing::upload_file(store, "plain/upload.csv", path).await;
    started.elapsed()
}

/// boto3's `upload_file` of the same file with 8 MiB parts, timed inside Python.
fn boto3_upload(endpoint: &StaticEndpoint, path: &Path) -> Result<Duration, String> {
    let script = format!(
        r#"
import time, boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3", endpoint_url="{url}", aws_access_key_id="{key}",
                  aws_secret_access_key="{secret}", region_name="us-east-1")
config = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
started = time.perf_counter()
s3.upload_file("{path}", "{bucket}", "plain/boto3.csv", Config=config)
print(time.perf_counter() - started)
"#,
        url = endpoint.url,
        key = endpoint.access_key,
        secret = endpoint.secret_key,
        path = path.display(),
        bucket = EMBEDDED_BUCKET,
    );
    storage::testing::run_python_peer(&script, "boto3")?
        .trim()
        .parse::<f64>()
        .map(Duration::from_secs_f64)
        .map_err(|error| format!("boto3 printed no time: {error}"))
}

/// Writes a CSV file of about `size` bytes; returns its path and row count.
fn write_csv(dir: &std::path::Path, label: &str, size: u64) -> (std::path::PathBuf, u64) {
    let path = dir.join(format!("{}.csv", label.replace(' ', "_")));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "{ORDERS_HEADER}").unwrap();
    let (block, block_rows) = order_rows(1_000_000.min(size as usize));
    let mut written = 0u64;
    let mut rows = 0u64;
    while written < size {
        file.write_all(block.as_bytes()).unwrap();
        written += block.len() as u64;
        rows += block_rows;
    }
    file.flush().unwrap();
    (path, rows)
}

/// Streams one file to the import endpoint; returns the rows the server counted.
async fn upload(
    client: &reqwest::Client,
    base: &str,
    table: &str,
    (path, _): &(std::path::PathBuf, u64),
) -> u64 {
    let file = tokio::fs::File::open(path).await.unwrap();
    let length = file.metadata().await.unwrap().len();
    let part = Part::stream_with_length(reqwest::Body::from(file), length)
        .file_name(format!("{table}.csv"))
        .mime_str("text/csv")
        .unwrap();
    let form = Form::new()
        .text(import_fields::DATABASE, "bench")
        .text(import_fields::TABLE, table.to_owned())
        .part(import_fields::FILE, part);
    let response = client
        .post(format!("{base}{}", routes::IMPORT_TABLES))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: serde_json::Value = response.json().await.unwrap();
    report["files"][0]["rows"].as_u64().unwrap()
}

fn print_table(rows: &[Row], idle_kib: u64) {
    let rate = |bytes: u64, time: Duration| bytes as f64 / 1e6 / time.as_secs_f64();
    println!();
    println!(
        "Imports through POST /api/import_tables, release server on its embedded S3 (idle RSS \
         {:.1} MiB), beside plain uploads of the same file to an embedded S3",
        idle_kib as f64 / 1024.0
    );
    println!();
    println!(
        "| file | rows | import (s) | import (MB/s) | plain SDK upload (MB/s) | boto3 upload_file (MB/s) | import / SDK | import / boto3 | peak RSS above idle (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let import = rate(row.bytes, row.elapsed);
        let sdk = rate(row.bytes, row.plain_sdk);
        let (boto3, boto3_ratio) = match &row.boto3 {
            Ok(time) => {
                let boto3 = rate(row.bytes, *time);
                (format!("{boto3:.0}"), format!("{:.2}", import / boto3))
            }
            Err(why) => (why.clone(), "-".to_owned()),
        };
        println!(
            "| {} ({:.1} MB) | {} | {:.2} | {import:.0} | {sdk:.0} | {boto3} | {:.2} | {boto3_ratio} | {:.1} |",
            row.label,
            row.bytes as f64 / 1e6,
            row.rows,
            row.elapsed.as_secs_f64(),
            import / sdk,
            row.peak_above_idle as f64 / 1024.0,
        );
    }
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    if let Some(last) = rows.last() {
        let import = rate(last.bytes, last.elapsed);
        let sdk = rate(last.bytes, last.plain_sdk);
        println!();
        println!("Targets ({}):", last.label);
        println!(
            "- at least 0.8 of a plain SDK multipart upload: {:.2}, {}",
            import / sdk,
            check(import / sdk >= 0.8)
        );
        if let Ok(time) = &last.boto3 {
            let boto3 = rate(last.bytes, *time);
            println!(
                "- at least 0.8 of boto3 upload_file: {:.2}, {}",
                import / boto3,
                check(import / boto3 >= 0.8)
            );
        }
        let mib = last.peak_above_idle as f64 / 1024.0;
        println!(
            "- peak memory under 100 MB above idle: {mib:.1} MiB, {}",
            check(mib * 1.048_576 < 100.0)
        );
    }
}
