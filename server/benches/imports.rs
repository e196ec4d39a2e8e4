//! `make bench` (or `cargo bench -p server --bench imports`): import throughput end to end
//! and the server's peak memory, for files of 10 MB, 100 MB and 1 GB, beside a plain
//! multipart upload of the same file to the same kind of S3 (no checks, no profile: what
//! any S3 client does). Runs the real server binary (release) on its embedded S3; the plain
//! uploads go to another embedded S3 (s3s-fs, same disk) started by this benchmark. Each
//! import is a streamed multipart/form-data upload, as a script would send it.
//!
//! The plain uploads: the Rust SDK (`aws-sdk-s3` through the app's own multipart writer:
//! 8 MiB parts, as many in flight as an import, no checks) and, when Python has boto3
//! (`pip install boto3`), boto3's `upload_file` with 8 MiB parts.
//!
//! Column profiles: every file is imported twice, by a server that profiles columns (the
//! default) and by one started with `DBM_COLUMN_PROFILES=off`, to show what profiles cost;
//! `DBM_BENCH_PROFILES=on` or `off` runs only one of them. A fourth file of 100 columns
//! (100 MB) shows their memory on a wide table. Files up to 100 MB are imported three times
//! by each server, alternating which goes first, and the median time is shown (the peak
//! memory is the highest); the 1 GB file once by each.
//!
//! Memory is the server's resident set as Linux counts it: idle after start, and the peak
//! during each upload (VmHWM, reset before each file through /proc/PID/clear_refs).
//! Prints a table; asserts nothing (timings vary on shared machines).
//! Set DBM_BENCH_DIR to choose where the ~2.5 GB of test data go, and DBM_BENCH_FILES to
//! run some of the files only (their labels, separated by commas: `DBM_BENCH_FILES="1 GB"`).

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
    /// With column profiles, then without (when run).
    profiled: Option<Import>,
    unprofiled: Option<Import>,
    plain_sdk: Duration,
    boto3: Result<Duration, String>,
}

#[derive(Clone, Copy)]
struct Import {
    elapsed: Duration,
    peak_above_idle: u64,
}

/// The median time of some imports, with the highest peak memory among them.
fn median(imports: &[Import]) -> Option<Import> {
    let mut times: Vec<Duration> = imports.iter().map(|import| import.elapsed).collect();
    times.sort();
    Some(Import {
        elapsed: *times.get(times.len() / 2)?,
        peak_above_idle: imports.iter().map(|i| i.peak_above_idle).max()?,
    })
}

/// A release server and what it uses when idle.
struct Importer {
    server: Server,
    client: reqwest::Client,
    idle_kib: u64,
}

impl Importer {
    async fn start(data_dir: &Path, profiles: &str, scratch: &Path) -> Self {
        let server = Server::start(data_dir, &[("DBM_COLUMN_PROFILES", profiles)]).await;
        let client = server.signed_in_client().await;
        // One small import first, so the idle figure includes a warmed-up server.
        let warmup = write_csv(scratch, "warmup", 100_000);
        upload(&client, &server.base, "warmup", &warmup, false).await;
        std::fs::remove_file(&warmup.0).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle_kib = memory_kib(server.pid(), "VmRSS:");
        Self {
            server,
            client,
            idle_kib,
        }
    }

    async fn import(&self, table: &str, file: &(std::path::PathBuf, u64), replace: bool) -> Import {
        let pid = self.server.pid();
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
        let started = Instant::now();
        let imported_rows = upload(&self.client, &self.server.base, table, file, replace).await;
        let elapsed = started.elapsed();
        assert_eq!(imported_rows, file.1);
        let peak = memory_kib(pid, "VmHWM:");
        Import {
            elapsed,
            peak_above_idle: peak.saturating_sub(self.idle_kib),
        }
    }
}

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    let which = std::env::var("DBM_BENCH_PROFILES").unwrap_or_else(|_| "both".to_owned());
    let profiled = if which != "off" {
        Some(Importer::start(&root.path().join("data-on"), "on", root.path()).await)
    } else {
        None
    };
    let unprofiled = if which != "on" {
        Some(Importer::start(&root.path().join("data-off"), "off", root.path()).await)
    } else {
        None
    };
    // The plain uploads go to an embedded S3 of their own, the same server program on the
    // same disk, reached the same way (loopback HTTP, unsigned payloads).
    let s3 = EmbeddedS3::start(&root.path().join("s3")).await.unwrap();
    let store = s3.store("").await.unwrap();
    let endpoint = s3.endpoint();

    let mut rows = Vec::new();
    for (label, size, columns) in [
        ("10 MB", 10_000_000u64, 0),
        ("100 MB", 100_000_000, 0),
        ("1 GB", 1_000_000_000, 0),
        ("100 columns, 100 MB", 100_000_000, 100),
    ] {
        if !wanted(label) {
            continue;
        }
        eprintln!("writing the {label} file…");
        let file = if columns == 0 {
            write_csv(root.path(), label, size)
        } else {
            write_wide_csv(root.path(), label, size, columns)
        };
        let bytes = std::fs::metadata(&file.0).unwrap().len();
        let table = format!("t{}", rows.len());
        let mut row = Row {
            label,
            bytes,
            rows: file.1,
            profiled: None,
            unprofiled: None,
            plain_sdk: Duration::ZERO,
            boto3: Err("-".to_owned()),
        };
        let rounds = if size > 100_000_000 { 1 } else { 3 };
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let replace = round > 0;
            let mut order = [(&profiled, &mut with), (&unprofiled, &mut without)];
            if round % 2 == 1 {
                order.reverse();
            }
            for (importer, results) in order {
                if let Some(importer) = importer {
                    eprintln!("importing the {label} file (round {})…", round + 1);
                    results.push(importer.import(&table, &file, replace).await);
                }
            }
        }
        row.profiled = median(&with);
        row.unprofiled = median(&without);
        eprintln!("uploading the {label} file as it is (SDK)…");
        row.plain_sdk = plain_upload(&store, &file.0).await;
        eprintln!("uploading the {label} file as it is (boto3)…");
        row.boto3 = boto3_upload(endpoint, &file.0);
        rows.push(row);
        std::fs::remove_file(&file.0).unwrap();
    }
    let idle = |importer: &Option<Importer>| importer.as_ref().map(|i| i.idle_kib);
    print_table(&rows, idle(&profiled).or(idle(&unprofiled)).unwrap_or(0));
    drop((profiled, unprofiled));
    s3.shutdown().await.unwrap();
}

/// Whether `DBM_BENCH_FILES` (labels separated by commas, e.g. `1 GB,100 MB`; all when
/// unset) asks for the file labelled `label`.
fn wanted(label: &str) -> bool {
    std::env::var("DBM_BENCH_FILES").map_or(true, |files| {
        files.split(',').any(|file| file.trim() == label)
    })
}

/// The file uploaded as it is: 8 MiB parts, as many in flight as an import
/// ([`storage::PARTS_IN_FLIGHT`]), nothing checked or profiled.
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

/// A CSV file of about `size` bytes and `columns` columns (integers, decimals, dates,
/// flags, categories and free text in turn, with distinct values from a handful to one per
/// row); returns its path and row count.
fn write_wide_csv(
    dir: &std::path::Path,
    label: &str,
    size: u64,
    columns: usize,
) -> (std::path::PathBuf, u64) {
    let path = dir.join(format!("{}.csv", label.replace([' ', ','], "_")));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let header: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
    writeln!(file, "{}", header.join(",")).unwrap();
    let mut random = catalog::demo::Rng::new(7);
    let (mut written, mut rows) = (0u64, 0u64);
    let mut line = String::new();
    while written < size {
        line.clear();
        for column in 0..columns {
            if column > 0 {
                line.push(',');
            }
            let draw = u64::from(random.range(0, 1_000_000));
            let cell = match column % 6 {
                0 => format!("{}", rows * 31 + column as u64),
                1 => format!("{}.{:02}", draw % 5_000, draw % 100),
                2 => format!("2024-{:02}-{:02}", draw % 12 + 1, draw % 28 + 1),
                3 => (if draw % 3 == 0 { "true" } else { "false" }).to_owned(),
                4 => format!("group {}", draw % 40),
                _ => format!("note {draw:x}"),
            };
            line.push_str(&cell);
        }
        line.push('\n');
        file.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        rows += 1;
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
    replace: bool,
) -> u64 {
    let file = tokio::fs::File::open(path).await.unwrap();
    let length = file.metadata().await.unwrap().len();
    // Read in 256 KiB blocks, as curl or a browser sends a file: a `Body` made straight
    // from the file reads 4 KiB at a time, and that client would be the bottleneck.
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
        file,
        256 * 1024,
    ));
    let part = Part::stream_with_length(body, length)
        .file_name(format!("{table}.csv"))
        .mime_str("text/csv")
        .unwrap();
    let form = Form::new()
        .text(import_fields::DATABASE, "bench")
        .text(import_fields::TABLE, table.to_owned())
        .text(
            import_fields::REPLACE,
            if replace { "true" } else { "false" },
        )
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
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!();
    println!(
        "Imports through POST /api/import_tables, release server on its embedded S3 (idle RSS \
         {:.1} MiB), with column profiles and without (DBM_COLUMN_PROFILES=off), beside plain \
         uploads of the same file to an embedded S3",
        mib(idle_kib)
    );
    println!();
    println!(
        "| file | rows | import (MB/s) | without profiles (MB/s) | profiles cost | plain SDK upload (MB/s) | boto3 upload_file (MB/s) | import / SDK | import / boto3 | peak RSS above idle (MiB) | without profiles (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let shown = |import: Option<Import>, show: &dyn Fn(Import) -> String| {
        import.map_or_else(|| "-".to_owned(), show)
    };
    for row in rows {
        let sdk = rate(row.bytes, row.plain_sdk);
        let main = row.profiled.or(row.unprofiled);
        let import = main.map(|i| rate(row.bytes, i.elapsed));
        let boto3 = row.boto3.as_ref().map(|time| rate(row.bytes, *time));
        let cost = match (row.profiled, row.unprofiled) {
            (Some(on), Some(off)) => format!(
                "{:+.0}%",
                (on.elapsed.as_secs_f64() / off.elapsed.as_secs_f64() - 1.0) * 100.0
            ),
            _ => "-".to_owned(),
        };
        println!(
            "| {} ({:.1} MB) | {} | {} | {} | {cost} | {sdk:.0} | {} | {} | {} | {} | {} |",
            row.label,
            row.bytes as f64 / 1e6,
            row.rows,
            shown(row.profiled, &|i| format!(
                "{:.0}",
                rate(row.bytes, i.elapsed)
            )),
            shown(row.unprofiled, &|i| format!(
                "{:.0}",
                rate(row.bytes, i.elapsed)
            )),
            match &boto3 {
                Ok(boto3) => format!("{boto3:.0}"),
                Err(why) => (*why).clone(),
            },
            import.map_or("-".to_owned(), |import| format!("{:.2}", import / sdk)),
            match (&boto3, import) {
                (Ok(boto3), Some(import)) => format!("{:.2}", import / boto3),
                _ => "-".to_owned(),
            },
            shown(row.profiled, &|i| format!("{:.1}", mib(i.peak_above_idle))),
            shown(row.unprofiled, &|i| format!(
                "{:.1}",
                mib(i.peak_above_idle)
            )),
        );
    }
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    println!();
    println!("Targets:");
    if let Some(gb) = rows.iter().find(|row| row.label == "1 GB") {
        let sdk = rate(gb.bytes, gb.plain_sdk);
        if let Some(on) = gb.profiled.or(gb.unprofiled) {
            let import = rate(gb.bytes, on.elapsed);
            println!(
                "- 1 GB at least 0.8 of a plain SDK multipart upload: {:.2}, {}",
                import / sdk,
                check(import / sdk >= 0.8)
            );
            if let Ok(time) = &gb.boto3 {
                let boto3 = rate(gb.bytes, *time);
                println!(
                    "- 1 GB at least 0.8 of boto3 upload_file: {:.2}, {}",
                    import / boto3,
                    check(import / boto3 >= 0.8)
                );
            }
            let peak = mib(on.peak_above_idle);
            println!(
                "- 1 GB peak memory under 100 MB above idle: {peak:.1} MiB, {}",
                check(peak * 1.048_576 < 100.0)
            );
        }
        if let (Some(on), Some(off)) = (gb.profiled, gb.unprofiled) {
            let slower = on.elapsed.as_secs_f64() / off.elapsed.as_secs_f64() - 1.0;
            println!(
                "- 1 GB with profiles at most 10% slower than without: {:+.1}%, {}",
                slower * 100.0,
                check(slower <= 0.10)
            );
            let import = rate(gb.bytes, on.elapsed);
            println!(
                "- 1 GB with profiles at least 95 MB/s: {import:.0} MB/s, {}",
                check(import >= 95.0)
            );
        }
    }
    if let Some(wide) = rows.iter().find(|row| row.label.starts_with("100 columns"))
        && let (Some(on), Some(off)) = (wide.profiled, wide.unprofiled)
    {
        let more = mib(on.peak_above_idle) - mib(off.peak_above_idle);
        println!(
            "- 100 columns: peak memory at most 64 MiB more with profiles: {more:+.1} MiB, {}",
            check(more <= 64.0)
        );
    }
}
