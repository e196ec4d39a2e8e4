//! `make bench` (or `cargo bench -p server --bench imports`): import throughput end to end
//! and the server's peak memory, for files of 10 MB, 100 MB and 1 GB. Runs the real server
//! binary (release) on the embedded S3 and sends each file as a streamed multipart upload,
//! as a script would. Prints a table; asserts nothing (timings vary on shared machines).
//!
//! Memory is the server's resident set as Linux counts it: idle after start, and the peak
//! during each upload (VmHWM, reset before each file through /proc/PID/clear_refs).
//! Set DBM_BENCH_DIR to choose where the ~2.5 GB of test data go.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use catalog::demo::{ORDERS_HEADER, order_rows};
use common::{Server, memory_kib};
use reqwest::multipart::{Form, Part};
use shared::routes::{self, import_fields};

struct Row {
    label: &'static str,
    bytes: u64,
    rows: u64,
    elapsed: Duration,
    peak_above_idle: u64,
}

#[tokio::main]
async fn main() {
    let root = match std::env::var("DBM_BENCH_DIR") {
        Ok(dir) => tempfile::tempdir_in(dir).unwrap(),
        Err(_) => tempfile::tempdir().unwrap(),
    };
    let server = Server::start(&root.path().join("data"), &[]).await;
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
        rows.push(Row {
            label,
            bytes,
            rows: row_count,
            elapsed,
            peak_above_idle: peak.saturating_sub(idle),
        });
        std::fs::remove_file(path).unwrap();
    }
    print_table(&rows, idle);
    drop(server);
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
    println!();
    println!(
        "Imports through POST /api/import_tables, release server, embedded S3 (idle RSS {:.1} MiB)",
        idle_kib as f64 / 1024.0
    );
    println!();
    println!("| file | rows | time (s) | throughput (MB/s) | peak RSS above idle (MiB) |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} ({:.1} MB) | {} | {:.2} | {:.0} | {:.1} |",
            row.label,
            row.bytes as f64 / 1e6,
            row.rows,
            row.elapsed.as_secs_f64(),
            row.bytes as f64 / 1e6 / row.elapsed.as_secs_f64(),
            row.peak_above_idle as f64 / 1024.0,
        );
    }
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    println!();
    println!("Targets:");
    for row in rows {
        let rate = row.bytes as f64 / 1e6 / row.elapsed.as_secs_f64();
        println!(
            "- {}: at least 100 MB/s: {rate:.0} MB/s, {}",
            row.label,
            check(rate >= 100.0)
        );
    }
    if let Some(last) = rows.last() {
        let mib = last.peak_above_idle as f64 / 1024.0;
        println!(
            "- 1 GB: peak memory under 100 MB above idle: {mib:.1} MiB, {}",
            check(mib * 1.048_576 < 100.0)
        );
    }
}
