//! `make bench` (or `cargo bench -p server --bench lists`): the database list over HTTP,
//! for 4 and for 1,000 databases of 5 tables (each with statistics and a marker, as the app
//! writes them): cold latency (the list read from S3: `DBM_REVALIDATE_SECS=0`), warm
//! latency (from the server's cache), and requests per second with 32 requests in flight.
//! Runs the real server binary (release) on the embedded S3. Prints a table; asserts
//! nothing (timings vary on shared machines).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{Server, median};

const TABLES_PER_DATABASE: usize = 5;
const IN_FLIGHT: usize = 32;
const LOAD_FOR: Duration = Duration::from_secs(5);

struct Row {
    databases: usize,
    cold: Duration,
    warm: Duration,
    per_second: f64,
    response_bytes: usize,
}

#[tokio::main]
async fn main() {
    let mut rows = Vec::new();
    for databases in [4, 1_000] {
        let root = tempfile::tempdir().unwrap();
        write_bucket(root.path(), databases);
        eprintln!("measuring {databases} databases…");
        let cold = {
            let server = Server::start(root.path(), &[("DBM_REVALIDATE_SECS", "0")]).await;
            let client = server.signed_in_client().await;
            let mut times = Vec::new();
            for _ in 0..20 {
                times.push(timed_list(&client, &server.base).await.0);
            }
            median(times)
        };
        let server = Server::start(root.path(), &[("DBM_REVALIDATE_SECS", "60")]).await;
        let client = server.signed_in_client().await;
        let (_, response_bytes) = timed_list(&client, &server.base).await;
        let mut times = Vec::new();
        for _ in 0..200 {
            times.push(timed_list(&client, &server.base).await.0);
        }
        let warm = median(times);
        let per_second = load(&client, &server.base).await;
        rows.push(Row {
            databases,
            cold,
            warm,
            per_second,
            response_bytes,
        });
    }
    print_table(&rows);
}

/// Writes `databases` default databases straight into the embedded server's folder
/// (before it starts), laid out as the app lays them out.
fn write_bucket(root: &std::path::Path, databases: usize) {
    let bucket = root.join(storage::EMBEDDED_BUCKET);
    let write = |key: String, body: &[u8]| {
        let path = bucket.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    write("meta/layout.json".to_owned(), br#"{"format":2}"#);
    for d in 0..databases {
        write(format!("meta/default/db{d:04}/database.json"), b"{}");
        for t in 0..TABLES_PER_DATABASE {
            write(format!("default/db{d:04}/t{t}.csv"), b"id,name\n1,a\n");
            write(format!("meta/default/db{d:04}/stats/t{t}.json"), b"{}");
        }
    }
}

async fn timed_list(client: &reqwest::Client, base: &str) -> (Duration, usize) {
    let started = Instant::now();
    let response = client
        .get(format!("{base}{}", shared::routes::DATABASES))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().len();
    (started.elapsed(), bytes)
}

/// Requests per second with IN_FLIGHT requests at once, for LOAD_FOR.
async fn load(client: &reqwest::Client, base: &str) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (client, base, done) = (client.clone(), base.to_owned(), Arc::clone(&done));
            tokio::spawn(async move {
                while started.elapsed() < LOAD_FOR {
                    timed_list(&client, &base).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "GET /api/databases, release server, embedded S3, {TABLES_PER_DATABASE} tables per database \
         (medians; load: {IN_FLIGHT} requests in flight for {} s, client on the same machine)",
        LOAD_FOR.as_secs()
    );
    println!();
    println!("| databases | answer (KB) | cold (ms) | warm (ms) | warm requests/s |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {:.1} | {:.2} | {:.3} | {:.0} |",
            row.databases,
            row.response_bytes as f64 / 1e3,
            row.cold.as_secs_f64() * 1e3,
            row.warm.as_secs_f64() * 1e3,
            row.per_second
        );
    }
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    if let Some(large) = rows.iter().find(|row| row.databases == 1_000) {
        let cold_ms = large.cold.as_secs_f64() * 1e3;
        println!();
        println!("Targets (1,000 databases):");
        println!(
            "- cold list under 100 ms: {cold_ms:.1} ms, {}",
            check(cold_ms < 100.0)
        );
        println!(
            "- warm list at least 10,000 requests/s: {:.0}/s, {}",
            large.per_second,
            check(large.per_second >= 10_000.0)
        );
    }
}
