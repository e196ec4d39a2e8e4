//! `make bench` (or `cargo bench -p catalog --bench pages`): pages of 100 rows anywhere in an
//! imported 1 GB table, on the embedded S3 server, beside what people use instead, in one
//! run:
//! - ours: `Catalog::table_rows` at offsets spread over the table, cold (a new catalog,
//!   nothing cached: the database's listings, the row index, one ranged GET) and warm (the
//!   same page again), with the S3 requests and bytes each made;
//! - pandas, `read_csv("s3://…", skiprows=range(1, N + 1), nrows=100)` through s3fs, and
//!   polars, `scan_csv("s3://…").slice(N, 100)`, at row 10,000,000, when Python has them
//!   (`pip install pandas s3fs polars`); otherwise the table says how to add them.
//!
//! The table is imported through `Catalog::import_table` (checks, profile and index in one
//! pass), and that import's throughput is printed too. Asserts only that every page holds
//! the rows asked for. Set DBM_BENCH_DIR to choose where the 1 GB goes.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::time::{Duration, Instant};

use bytes::Bytes;
use catalog::demo::{ORDERS_HEADER, order_rows};
use catalog::import::TableImport;
use catalog::{Catalog, PreviewSettings};
use shared::{DatabaseName, TableName, UserName};
use storage::{EMBEDDED_BUCKET, EmbeddedS3, Requests};

const SIZE: u64 = 1_000_000_000;
const PAGE: usize = 100;
/// Where the peers are timed (they read from the start: deeper only takes longer).
const PEER_OFFSET: u64 = 10_000_000;
const WARM_REPEATS: u32 = 2_000;

#[tokio::main]
async fn main() {
    let root = storage::testing::bench_dir();
    eprintln!("writing a 1 GB table…");
    let file = root.path().join("orders.csv");
    let rows = write_table(&file);
    let server = EmbeddedS3::start(&root.path().join("s3")).await.unwrap();
    let store = server.store("").await.unwrap();
    let (user, database, table) = (
        UserName::parse("bench").unwrap(),
        DatabaseName::parse("big").unwrap(),
        TableName::parse("orders").unwrap(),
    );

    eprintln!("importing it (checks, profile and row index in one pass)…");
    let catalog = Catalog::from_store(store.clone(), "bench", PreviewSettings::default());
    let started = Instant::now();
    let import = TableImport {
        table: table.clone(),
        replace: true,
        max_bytes: 2 * SIZE,
    };
    let imported = catalog
        .import_table(&user, &database, import, file_stream(&file).await)
        .await
        .unwrap();
    let import_time = started.elapsed();
    assert_eq!(imported.rows, rows);
    std::fs::remove_file(&file).unwrap();
    let key = "users/bench/big/orders.csv";
    let index_bytes = store
        .listed("meta/users/bench/big/index/orders.json")
        .await
        .unwrap()
        .map_or(0, |listed| listed.size);

    let offsets = [
        0,
        1_000_000,
        5_000_000,
        PEER_OFFSET,
        rows / 4 * 3,
        rows - PAGE as u64,
    ];
    let mut measured = Vec::new();
    for &offset in &offsets {
        eprintln!("row {offset}…");
        // Cold: a catalog that has cached nothing (as after a restart).
        let cold_catalog = Catalog::from_store(store.clone(), "bench", PreviewSettings::default());
        let before = store.requests();
        let started = Instant::now();
        let page = cold_catalog
            .table_rows(&user, &database, &table, offset, PAGE)
            .await
            .unwrap();
        let cold = started.elapsed();
        let cold_requests = store.requests().since(before);
        assert_eq!(page.rows.len(), PAGE);
        assert_eq!(
            page.rows[0][0],
            (offset + 1).to_string(),
            "order ids count from 1"
        );

        let before = store.requests();
        let started = Instant::now();
        for _ in 0..WARM_REPEATS {
            cold_catalog
                .table_rows(&user, &database, &table, offset, PAGE)
                .await
                .unwrap();
        }
        let warm = started.elapsed() / WARM_REPEATS;
        assert_eq!(store.requests().since(before).total(), 0);
        measured.push((offset, cold, cold_requests, warm));
    }

    eprintln!("pandas and polars at row {PEER_OFFSET}…");
    let peers = peer_pages(&server, key, PEER_OFFSET);
    print_table(
        SIZE,
        rows,
        import_time,
        index_bytes,
        &measured,
        peers.as_ref(),
    );
    server.shutdown().await.unwrap();
}

/// A CSV of about SIZE bytes of demo orders, numbered from 1. Returns its data rows.
fn write_table(path: &std::path::Path) -> u64 {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "{ORDERS_HEADER}").unwrap();
    let (block, _) = order_rows(1 << 20);
    let lines: Vec<&str> = block.lines().collect();
    let (mut written, mut rows) = (0u64, 0u64);
    while written < SIZE {
        for line in &lines {
            // Each row's own number first, so a page shows where it is.
            let rest = line.split_once(',').map_or("", |(_, rest)| rest);
            rows += 1;
            let row = format!("{rows},{rest}\n");
            written += row.len() as u64;
            file.write_all(row.as_bytes()).unwrap();
        }
    }
    file.flush().unwrap();
    rows
}

/// The file as an upload arrives: 1 MiB pieces.
async fn file_stream(
    path: &std::path::Path,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    let file = tokio::fs::File::open(path).await.unwrap();
    Box::pin(futures::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0; 1024 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(Bytes::from(buffer)), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    }))
}

/// pandas (through s3fs) and polars reading the same page of the same object, each timed
/// inside Python (start-up and imports excluded).
fn peer_pages(server: &EmbeddedS3, key: &str, offset: u64) -> Result<[Duration; 2], String> {
    let endpoint = server.endpoint();
    let script = format!(
        r#"
import time
import pandas as pd, polars as pl
url = "s3://{bucket}/{key}"
s3fs_options = {{"key": "{access}", "secret": "{secret}",
                "client_kwargs": {{"endpoint_url": "{endpoint}", "region_name": "us-east-1"}}}}
started = time.perf_counter()
frame = pd.read_csv(url, skiprows=range(1, {offset} + 1), nrows=100, storage_options=s3fs_options)
pandas = time.perf_counter() - started
assert int(frame.iloc[0, 0]) == {offset} + 1, frame.iloc[0, 0]
polars_options = {{"aws_endpoint_url": "{endpoint}", "aws_access_key_id": "{access}",
                  "aws_secret_access_key": "{secret}", "aws_region": "us-east-1",
                  "aws_allow_http": "true"}}
started = time.perf_counter()
page = pl.scan_csv(url, storage_options=polars_options).slice({offset}, 100).collect()
polars = time.perf_counter() - started
assert page[0, 0] == {offset} + 1, page[0, 0]
print(pandas, polars)
"#,
        bucket = EMBEDDED_BUCKET,
        access = endpoint.access_key,
        secret = endpoint.secret_key,
        endpoint = endpoint.url,
    );
    let stdout = storage::testing::run_python_peer(&script, "pandas").map_err(|error| {
        if error.contains("No module named") {
            "pandas, s3fs or polars is missing: `pip install pandas s3fs polars`, then run again"
                .to_owned()
        } else {
            error
        }
    })?;
    let times: Vec<f64> = stdout
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    match times[..] {
        [pandas, polars] => Ok([
            Duration::from_secs_f64(pandas),
            Duration::from_secs_f64(polars),
        ]),
        _ => Err(format!("the peers printed {stdout:?}")),
    }
}

fn print_table(
    bytes: u64,
    rows: u64,
    import_time: Duration,
    index_bytes: u64,
    measured: &[(u64, Duration, Requests, Duration)],
    peers: Result<&[Duration; 2], &String>,
) {
    let ms = |time: Duration| time.as_secs_f64() * 1e3;
    println!();
    println!(
        "Pages of {PAGE} rows in an imported {:.2} GB table ({rows} rows), embedded S3 on \
         loopback, {} cores",
        bytes as f64 / 1e9,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "Import with checks, profile and row index: {:.1} s, {:.0} MB/s; row index {} bytes \
         ({:.4}% of the table)",
        import_time.as_secs_f64(),
        bytes as f64 / 1e6 / import_time.as_secs_f64(),
        index_bytes,
        index_bytes as f64 * 100.0 / bytes as f64
    );
    println!();
    println!(
        "| first row | cold (ms) | cold GETs | cold LISTs | cold bytes read | warm (ms) | warm requests |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (offset, cold, requests, warm) in measured {
        println!(
            "| {offset} | {:.1} | {} | {} | {} | {:.3} | 0 |",
            ms(*cold),
            requests.gets,
            requests.lists,
            requests.body_bytes,
            ms(*warm)
        );
    }
    println!();
    let ours = measured
        .iter()
        .find(|(offset, ..)| *offset == PEER_OFFSET)
        .map(|(_, cold, ..)| *cold);
    match (peers, ours) {
        (Ok([pandas, polars]), Some(ours)) => {
            println!("| at row {PEER_OFFSET} | time (ms) | ours (cold) is … faster |");
            println!("|---|---|---|");
            println!("| ours, cold | {:.1} | 1x |", ms(ours));
            for (label, time) in [
                ("pandas read_csv(skiprows, nrows) via s3fs", pandas),
                ("polars scan_csv().slice()", polars),
            ] {
                println!(
                    "| {label} | {:.0} | {:.0}x |",
                    ms(*time),
                    time.as_secs_f64() / ours.as_secs_f64()
                );
            }
            let slowest_cold = measured.iter().map(|m| m.1).max().unwrap_or_default();
            let slowest_warm = measured.iter().map(|m| m.3).max().unwrap_or_default();
            let fewest = pandas.min(polars).as_secs_f64() / ours.as_secs_f64();
            println!();
            println!(
                "Targets: cold < 20 ms at any offset: {}; warm < 2 ms: {}; >= 100x both peers at \
                 row {PEER_OFFSET}: {}",
                verdict(slowest_cold < Duration::from_millis(20)),
                verdict(slowest_warm < Duration::from_millis(2)),
                verdict(fewest >= 100.0)
            );
        }
        (Err(why), _) => println!("| pandas, polars | {why} |"),
        _ => {}
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}
