//! `make soak` (or `cargo bench -p server --bench soak`): two replicas of the release server
//! on one S3 store (an embedded S3 server started here, reached by both as `s3://`), and
//! 60 s (`DBM_SOAK_SECS`) of mixed work from four writers at once, each on its own
//! database, every call to a replica picked at random: imports of new tables, replaces,
//! deletes, previews and pages of rows, and now and then a 9 MiB import (a multipart upload),
//! some of them cut off by the client halfway.
//!
//! It checks, and fails (exit status 1) when any check fails:
//! - **no stale read after the bound**: a preview or page asked for more than the bound
//!   (`DBM_REVALIDATE_SECS` = 1 s, plus 1 s for the request itself) after a table was last
//!   written or deleted shows that write (each table's rows carry their version);
//! - **no error** other than the expected conflicts (an import onto a table that exists);
//! - **no orphan**: after both replicas stop, no multipart upload is left and the upload
//!   journal is empty.
//!
//! Prints the calls made per kind with their median and 95th-percentile latency.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Server;
use rand::Rng as _;
use serde_json::Value;

const WRITERS: usize = 4;
const TABLES: usize = 5;
/// How long after a write any replica must show it: the revalidation interval (1 s) and
/// room for the request that shows it.
const BOUND: Duration = Duration::from_secs(2);
const SECRET: &str = "soak-test-session-secret-0123456789abcdef";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Import,
    Replace,
    Delete,
    Preview,
    Page,
    LargeImport,
    CutOffImport,
}

/// What one writer knows about its tables: the version last written (and when the write
/// was answered), or when it was deleted.
#[derive(Debug, Clone, Copy)]
enum Known {
    Written { version: u64, at: Instant },
    Deleted { at: Instant },
}

#[derive(Default)]
struct Tally {
    latencies: HashMap<Kind, Vec<Duration>>,
    conflicts: usize,
    stale: Vec<String>,
    errors: Vec<String>,
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("DBM_SOAK_SECS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(60);
    let store_dir = tempfile::tempdir().unwrap();
    let s3 = storage::EmbeddedS3::start(store_dir.path()).await.unwrap();
    let endpoint = s3.endpoint().clone();
    let storage = format!("s3://{}/soak", storage::EMBEDDED_BUCKET);
    let settings = [
        ("DBM_STORAGE", storage.as_str()),
        ("DBM_SESSION_SECRET", SECRET),
        ("DBM_REVALIDATE_SECS", "1"),
        ("AWS_ENDPOINT_URL", endpoint.url.as_str()),
        ("AWS_ACCESS_KEY_ID", endpoint.access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", endpoint.secret_key.as_str()),
        ("AWS_REGION", "us-east-1"),
    ];
    let data_dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut replicas = Vec::new();
    for dir in &data_dirs {
        replicas.push(Server::start(dir.path(), &settings).await);
    }
    // The benchmark user signs up on one replica and in on the other.
    let mut clients = Vec::new();
    for replica in &replicas {
        clients.push((replica.signed_in_client().await, replica.base.clone()));
    }
    let clients = Arc::new(clients);
    eprintln!("two replicas up; {WRITERS} writers for {seconds} s…");

    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (clients, tally) = (Arc::clone(&clients), Arc::clone(&tally));
            tokio::spawn(async move { write_and_read(writer, &clients, &tally, until).await })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }

    for replica in replicas {
        replica.stop().await;
    }
    let store = s3.store("soak").await.unwrap();
    let journal = store.upload_journal().await.unwrap().len();
    let left = storage::testing::embedded_incomplete_uploads(store_dir.path()).len();
    s3.shutdown().await.unwrap();

    let tally = tally.lock().unwrap();
    print_table(&tally, seconds, left, journal);
    let failed = !tally.stale.is_empty() || !tally.errors.is_empty() || left > 0 || journal > 0;
    for problem in tally.stale.iter().chain(&tally.errors).take(10) {
        println!("  {problem}");
    }
    if failed {
        println!("soak FAILED");
        std::process::exit(1);
    }
    println!("soak passed");
}

/// One writer's loop: a random call to a random replica, until `until`.
async fn write_and_read(
    writer: usize,
    clients: &[(reqwest::Client, String)],
    tally: &Mutex<Tally>,
    until: Instant,
) {
    let database = format!("soak{writer}");
    let mut known: HashMap<String, Known> = HashMap::new();
    let mut next_version = 1_u64;
    while Instant::now() < until {
        let (client, base) = &clients[rand::rng().random_range(0..clients.len())];
        let table = format!("t{}", rand::rng().random_range(0..TABLES));
        let roll = rand::rng().random_range(0..100);
        let started = Instant::now();
        let (kind, outcome) = match roll {
            0..35 => (
                Kind::Preview,
                preview(client, base, &database, &known, started).await,
            ),
            35..45 => (
                Kind::Page,
                page(client, base, &database, &table, &known, started).await,
            ),
            45..65 | 65..80 | 95..100 => {
                let replace = (65..80).contains(&roll);
                let large = roll >= 95;
                let cut_off = large && rand::rng().random_bool(0.3);
                let version = next_version;
                next_version += 1;
                let kind = match (replace, large, cut_off) {
                    (_, _, true) => Kind::CutOffImport,
                    (_, true, false) => Kind::LargeImport,
                    (true, false, false) => Kind::Replace,
                    (false, false, false) => Kind::Import,
                };
                let exists = matches!(known.get(&table), Some(Known::Written { .. }));
                let answer = import(
                    client,
                    base,
                    &database,
                    &table,
                    version,
                    replace || large,
                    large,
                    cut_off,
                )
                .await;
                (
                    kind,
                    record_import(
                        &mut known,
                        &table,
                        version,
                        exists,
                        replace || large,
                        cut_off,
                        answer,
                    ),
                )
            }
            _ => {
                let answer = delete(client, base, &database, &table).await;
                let exists = matches!(known.get(&table), Some(Known::Written { .. }));
                let outcome = match (answer, exists) {
                    (Ok(200), true) => {
                        known.insert(table.clone(), Known::Deleted { at: Instant::now() });
                        Outcome::Fine
                    }
                    (Ok(404), false) => Outcome::Fine,
                    (answer, _) => Outcome::Error(format!(
                        "delete {database}.{table}: {answer:?} (exists: {exists})"
                    )),
                };
                (Kind::Delete, outcome)
            }
        };
        let took = started.elapsed();
        let mut tally = tally.lock().unwrap();
        tally.latencies.entry(kind).or_default().push(took);
        match outcome {
            Outcome::Fine => {}
            Outcome::Conflict => tally.conflicts += 1,
            Outcome::Stale(detail) => tally.stale.push(detail),
            Outcome::Error(detail) => tally.errors.push(detail),
        }
    }
}

enum Outcome {
    Fine,
    Conflict,
    Stale(String),
    Error(String),
}

/// Updates what the writer knows after an import answered `answer`.
fn record_import(
    known: &mut HashMap<String, Known>,
    table: &str,
    version: u64,
    existed: bool,
    replace: bool,
    cut_off: bool,
    answer: Result<u16, String>,
) -> Outcome {
    match answer {
        _ if cut_off => {
            // A cut-off upload never lands; what was there stays. Nothing to check here:
            // the orphan check at the end is what counts.
            Outcome::Fine
        }
        Ok(200) => {
            known.insert(
                table.to_owned(),
                Known::Written {
                    version,
                    at: Instant::now(),
                },
            );
            Outcome::Fine
        }
        Ok(409) if existed && !replace => Outcome::Conflict,
        other => Outcome::Error(format!("import {table} v{version}: {other:?}")),
    }
}

/// The CSV of one version of a table: each row says the version.
fn table_csv(version: u64, rows: usize) -> Vec<u8> {
    let mut csv = b"id,version\n".to_vec();
    for id in 0..rows {
        csv.extend_from_slice(format!("{id},{version}\n").as_bytes());
    }
    csv
}

#[allow(clippy::too_many_arguments)]
async fn import(
    client: &reqwest::Client,
    base: &str,
    database: &str,
    table: &str,
    version: u64,
    replace: bool,
    large: bool,
    cut_off: bool,
) -> Result<u16, String> {
    let rows = if large { 700_000 } else { 50 };
    let csv = table_csv(version, rows);
    let file = if cut_off {
        // Half the file, then the client gives up mid-body.
        let half = bytes::Bytes::from(csv[..csv.len() / 2].to_vec());
        let chunks = futures::stream::iter([
            Ok::<_, std::io::Error>(half),
            Err(std::io::Error::other("the client gave up")),
        ]);
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(chunks))
    } else {
        reqwest::multipart::Part::bytes(csv)
    }
    .file_name(format!("{table}.csv"))
    .mime_str("text/csv")
    .unwrap();
    let mut form = reqwest::multipart::Form::new().text("database", database.to_owned());
    if replace {
        form = form.text("replace", "true");
    }
    let form = form.text("table", table.to_owned()).part("file", file);
    client
        .post(format!("{base}{}", shared::routes::IMPORT_TABLES))
        .multipart(form)
        .send()
        .await
        .map(|response| response.status().as_u16())
        .map_err(|error| error.to_string())
}

async fn delete(
    client: &reqwest::Client,
    base: &str,
    database: &str,
    table: &str,
) -> Result<u16, String> {
    client
        .post(format!("{base}{}", shared::routes::DELETE_TABLE))
        .form(&[("database", database), ("table", table)])
        .send()
        .await
        .map(|response| response.status().as_u16())
        .map_err(|error| error.to_string())
}

/// A preview of the writer's database, checked against what the writer wrote before
/// `asked - BOUND`.
async fn preview(
    client: &reqwest::Client,
    base: &str,
    database: &str,
    known: &HashMap<String, Known>,
    asked: Instant,
) -> Outcome {
    let url = format!(
        "{base}{}?database={database}",
        shared::routes::DATABASE_SCHEMA
    );
    let response = match client.get(url).send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Error(format!("preview {database}: {error}")),
    };
    // 404 (no such database yet, or not yet seen by this replica) shows no tables: the
    // checks below tell whether that is stale.
    let body: Value = match response.status().as_u16() {
        200 => response.json().await.unwrap_or_default(),
        404 => Value::Null,
        status => return Outcome::Error(format!("preview {database}: {status}")),
    };
    let shown: HashMap<String, Option<String>> = body["tables"]
        .as_array()
        .map(|tables| {
            tables
                .iter()
                .map(|table| {
                    let version = table["sample_rows"][0][1].as_str().map(str::to_owned);
                    (
                        table["name"].as_str().unwrap_or_default().to_owned(),
                        version,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (table, state) in known {
        match state {
            Known::Written { version, at } if *at + BOUND < asked => {
                let seen = shown.get(table).cloned().flatten();
                if seen != Some(version.to_string()) {
                    return Outcome::Stale(format!(
                        "preview of {database}.{table} {:?} after v{version} was written: {seen:?}",
                        asked - *at
                    ));
                }
            }
            Known::Deleted { at } if *at + BOUND < asked && shown.contains_key(table) => {
                return Outcome::Stale(format!(
                    "{database}.{table} still previewed {:?} after it was deleted",
                    asked - *at
                ));
            }
            _ => {}
        }
    }
    Outcome::Fine
}

/// The first page of a table, checked like a preview.
async fn page(
    client: &reqwest::Client,
    base: &str,
    database: &str,
    table: &str,
    known: &HashMap<String, Known>,
    asked: Instant,
) -> Outcome {
    let url = format!(
        "{base}{}?database={database}&table={table}&limit=3",
        shared::routes::TABLE_ROWS
    );
    let response = match client.get(url).send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Error(format!("page {database}.{table}: {error}")),
    };
    let status = response.status().as_u16();
    let settled = |at: &Instant| *at + BOUND < asked;
    match (known.get(table), status) {
        (Some(Known::Written { version, at }), 200) => {
            let body: Value = response.json().await.unwrap_or_default();
            let seen = body["rows"][0][1].as_str().map(str::to_owned);
            if settled(at) && seen != Some(version.to_string()) {
                return Outcome::Stale(format!(
                    "page of {database}.{table} {:?} after v{version} was written: {seen:?}",
                    asked - *at
                ));
            }
            Outcome::Fine
        }
        (Some(Known::Written { at, .. }), 404) if !settled(at) => Outcome::Fine,
        (Some(Known::Written { version, at }), 404) => Outcome::Stale(format!(
            "page of {database}.{table}: 404 {:?} after v{version} was written",
            asked - *at
        )),
        (Some(Known::Deleted { at }), 200) if settled(at) => Outcome::Stale(format!(
            "page of {database}.{table} {:?} after it was deleted",
            asked - *at
        )),
        (Some(Known::Deleted { .. }) | None, 200 | 404) => Outcome::Fine,
        (_, status) => Outcome::Error(format!("page {database}.{table}: {status}")),
    }
}

fn print_table(tally: &Tally, seconds: u64, left: usize, journal: usize) {
    println!();
    println!("| call ({seconds} s, two replicas) | count | median ms | p95 ms |");
    println!("|---|---:|---:|---:|");
    let mut kinds: Vec<_> = tally.latencies.iter().collect();
    kinds.sort_by_key(|(kind, _)| **kind);
    for (kind, times) in kinds {
        let mut times = times.clone();
        times.sort();
        let at = |fraction: f64| {
            let index = ((times.len() as f64 - 1.0) * fraction).round() as usize;
            times[index].as_secs_f64() * 1000.0
        };
        println!(
            "| {kind:?} | {} | {:.1} | {:.1} |",
            times.len(),
            at(0.5),
            at(0.95)
        );
    }
    println!();
    println!("| check | result |");
    println!("|---|---:|");
    println!(
        "| stale reads after {} s | {} |",
        BOUND.as_secs(),
        tally.stale.len()
    );
    println!(
        "| errors (other than expected conflicts) | {} |",
        tally.errors.len()
    );
    println!(
        "| expected conflicts (import onto an existing table) | {} |",
        tally.conflicts
    );
    println!("| multipart uploads left after both stopped | {left} |");
    println!("| upload journal entries left | {journal} |");
}
