//! Previews on the embedded S3 server, counted: S3 requests and bytes read (the server's
//! meter), staleness after writes by another client, and exact background counts.

#![allow(clippy::unwrap_used)]

mod common_data {
    /// `rows` CSV rows of about 40 bytes each after a header, built by repeating one block.
    pub fn orders_csv(rows: usize) -> Vec<u8> {
        let mut csv = b"order_id,customer,amount,paid,ordered_on\n".to_vec();
        for n in 0..rows {
            csv.extend_from_slice(
                format!(
                    "{n},C{:05},{}.{:02},{},2024-03-{:02}\n",
                    n % 50_000,
                    n % 997,
                    n % 100,
                    n % 3 == 0,
                    n % 28 + 1
                )
                .as_bytes(),
            );
        }
        csv
    }
}

use std::time::Duration;

use catalog::csv::profile::{TableProfile, TableProfiler};
use catalog::preview::head::{head_read_budget, read_head};
use catalog::stats::{StatsSource, TableStats};
use catalog::testing::{TestStore, embedded, embedded_with};
use catalog::{Layout, PreviewSettings, Scope};
use shared::{DatabaseName, TableName, UserName};
use storage::ObjectVersion;

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db() -> DatabaseName {
    DatabaseName::parse("shop").unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

fn key(store: &TestStore, name: &str) -> String {
    Layout::of(store.store()).table_key(&Scope::User(user()), &db(), &table(name))
}

/// The previews of the test database, 5 rows each.
async fn schema(store: &TestStore) -> shared::SchemaPreview {
    store
        .catalog
        .database_schema(&user(), &db(), 5)
        .await
        .unwrap()
}

/// Stores statistics for a table as the app's write path does.
async fn store_stats(
    store: &TestStore,
    name: &str,
    profile: &TableProfile,
    version: &ObjectVersion,
) {
    let stats = TableStats::from_profile(profile, version.clone(), StatsSource::Write);
    let stats_key = Layout::of(store.store()).stats_key(&Scope::User(user()), &db(), &table(name));
    store
        .store()
        .put(&stats_key, stats.to_json(), "application/json")
        .await
        .unwrap();
}

/// Writes `block` repeated until the object has at least `bytes`, as one multipart upload.
async fn write_repeated(
    store: &TestStore,
    key: &str,
    header: &[u8],
    block: &[u8],
    bytes: u64,
) -> u64 {
    let mut writer = store.store().writer(key, "text/csv");
    writer.write(header).await.unwrap();
    let mut blocks = 0;
    while writer.bytes_written() < bytes {
        writer.write(block).await.unwrap();
        blocks += 1;
    }
    writer.finish().await.unwrap();
    blocks
}

#[tokio::test]
async fn a_second_preview_within_the_interval_makes_no_s3_request() {
    let store = embedded().await;
    store
        .put_raw(&key(&store, "orders"), &common_data::orders_csv(100))
        .await;
    store
        .put_raw(&key(&store, "customers"), b"id,name\n1,Ada\n")
        .await;
    let meter = store.meter().unwrap();

    let first = schema(&store).await;
    let after_first = meter.reading();
    let second = schema(&store).await;
    let used = meter.reading().since(after_first);

    assert_eq!(first, second);
    assert_eq!(
        used.requests, 0,
        "the repeated preview must be served from the caches"
    );
    // A smaller preview is cut from the same cache entry.
    let smaller = store
        .catalog
        .database_schema(&user(), &db(), 2)
        .await
        .unwrap();
    assert_eq!(smaller.tables[1].sample_rows.len(), 2);
    assert_eq!(meter.reading().since(after_first).requests, 0);
}

#[tokio::test]
async fn a_200_mb_table_is_previewed_from_at_most_256_kib() {
    let store = embedded().await;
    let header = b"order_id,customer,amount,paid,ordered_on\n";
    let block = &common_data::orders_csv(25_000)[header.len()..]; // ~1 MiB of rows
    let block_rows = 25_000u64;
    let object_key = key(&store, "orders");
    let blocks = write_repeated(&store, &object_key, header, block, 200 * 1024 * 1024).await;

    // Statistics as an import writes them, so the preview takes the ordinary path.
    let listed = store.store().listed(&object_key).await.unwrap().unwrap();
    assert!(listed.size >= 200 * 1024 * 1024);
    let mut profiler = TableProfiler::new();
    profiler.feed(header);
    profiler.feed(block);
    let mut profile = profiler.finish();
    profile.row_count = block_rows * blocks;
    store_stats(&store, "orders", &profile, &listed.version).await;

    let meter = store.meter().unwrap();
    let before = meter.reading();
    let schema = schema(&store).await;
    let used = meter.reading().since(before);
    let preview = &schema.tables[0];
    assert_eq!(preview.sample_rows.len(), 5);
    assert_eq!(
        (preview.row_count, preview.row_count_exact),
        (block_rows * blocks, true)
    );
    assert_eq!(preview.size_bytes, listed.size);
    assert!(
        used.body_bytes <= 256 * 1024,
        "read {} bytes",
        used.body_bytes
    );
    // A constant, whatever the size: the database looked for in the default scope and the
    // user's (a LIST of its tables and one of its meta folder in each), the statistics, and
    // one ranged GET.
    assert!(used.requests <= 6, "made {} requests", used.requests);

    // Without statistics the head read alone is just as small.
    let head = read_head(
        store.store(),
        &listed,
        shared::TableFormat::Csv,
        5,
        &head_read_budget(),
    )
    .await
    .unwrap();
    assert!(
        head.bytes_fetched <= 64 * 1024,
        "head read {} bytes",
        head.bytes_fetched
    );
}

#[tokio::test]
async fn an_object_overwritten_by_another_client_is_not_served_stale_after_the_interval() {
    let settings = PreviewSettings {
        revalidate_after: Duration::from_millis(300),
        ..PreviewSettings::default()
    };
    let store = embedded_with("", settings).await;
    let object_key = key(&store, "prices");
    store.put_raw(&object_key, b"item,price\napple,1\n").await;
    let before = schema(&store).await;
    assert_eq!(
        before.tables[0].sample_rows[0],
        vec!["apple".to_owned(), "1".to_owned()]
    );

    // Another tool rewrites the table with content of the same size.
    store.put_raw(&object_key, b"item,price\npears,2\n").await;

    tokio::time::sleep(Duration::from_millis(400)).await;
    let after = schema(&store).await;
    assert_eq!(
        after.tables[0].sample_rows[0],
        vec!["pears".to_owned(), "2".to_owned()]
    );
}

#[tokio::test]
async fn a_write_through_the_catalog_is_seen_at_once_after_invalidation() {
    let store = embedded().await;
    let object_key = key(&store, "prices");
    store.put_raw(&object_key, b"item,price\napple,1\n").await;
    schema(&store).await;
    store
        .put_raw(&object_key, b"item,price\nplum,3\nkiwi,4\n")
        .await;
    store
        .catalog
        .invalidate_table(&Scope::User(user()), &db(), &table("prices"));
    let after = schema(&store).await;
    assert_eq!(after.tables[0].row_count, 2);
}

#[tokio::test]
async fn a_million_row_table_from_another_tool_is_estimated_then_counted_exactly_and_persisted() {
    let store = embedded().await;
    let object_key = key(&store, "orders");
    let csv = common_data::orders_csv(1_000_000);
    store.put_raw(&object_key, &csv).await;

    let first = schema(&store).await;
    let estimate = &first.tables[0];
    assert!(!estimate.row_count_exact);
    let error = (estimate.row_count as f64 - 1_000_000.0).abs() / 1_000_000.0;
    assert!(
        error < 0.1,
        "estimate {} is more than 10% off",
        estimate.row_count
    );

    // The exact count runs once in the background.
    let mut waited = Duration::ZERO;
    while store.catalog.background_counts_running() > 0 {
        assert!(
            waited < Duration::from_secs(120),
            "the background count did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    let counted = schema(&store).await;
    assert_eq!(
        (
            counted.tables[0].row_count,
            counted.tables[0].row_count_exact
        ),
        (1_000_000, true)
    );

    // Persisted: a fresh catalog (empty caches) answers exactly without scanning again.
    let stats_key =
        Layout::of(store.store()).stats_key(&Scope::User(user()), &db(), &table("orders"));
    let stats = TableStats::parse(&store.store().get_small(&stats_key).await.unwrap()).unwrap();
    assert_eq!(stats.row_count, 1_000_000);
    assert_eq!(stats.source, StatsSource::Scan);
    let fresh =
        catalog::Catalog::from_store(store.store().clone(), "fresh", PreviewSettings::default());
    let meter = store.meter().unwrap();
    let before = meter.reading();
    let again = fresh.database_schema(&user(), &db(), 5).await.unwrap();
    assert_eq!(
        (again.tables[0].row_count, again.tables[0].row_count_exact),
        (1_000_000, true)
    );
    assert!(meter.reading().since(before).body_bytes < 256 * 1024);
    assert_eq!(fresh.background_counts_running(), 0);
}

#[tokio::test]
async fn a_count_is_never_trusted_for_an_object_whose_version_changed() {
    let store = embedded().await;
    let object_key = key(&store, "t");
    store.put_raw(&object_key, b"a\n1\n2\n").await;
    let listed = store.store().listed(&object_key).await.unwrap().unwrap();
    // Statistics claiming 999 rows, for the current version...
    let mut profile = TableProfiler::new().finish();
    profile.row_count = 999;
    store_stats(&store, "t", &profile, &listed.version).await;
    let trusted = schema(&store).await;
    assert_eq!(trusted.tables[0].row_count, 999);

    // ...are ignored once the object is rewritten.
    tokio::time::sleep(Duration::from_millis(5)).await;
    store.put_raw(&object_key, b"a\n1\n2\n3\n").await;
    store
        .catalog
        .invalidate_table(&Scope::User(user()), &db(), &table("t"));
    let after = schema(&store).await;
    assert_eq!(
        (after.tables[0].row_count, after.tables[0].row_count_exact),
        (3, true)
    );
}

#[tokio::test]
async fn an_unknown_database_is_not_found() {
    let store = embedded().await;
    let error = store
        .catalog
        .database_schema(&user(), &DatabaseName::parse("nope").unwrap(), 5)
        .await
        .unwrap_err();
    assert!(
        matches!(error, catalog::CatalogError::DatabaseNotFound { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn default_databases_are_previewed_for_every_user_and_marked() {
    let store = embedded().await;
    let default_key = Layout::of(store.store()).table_key(
        &Scope::Default,
        &DatabaseName::parse("school").unwrap(),
        &table("students"),
    );
    store.put_raw(&default_key, b"id,name\n1,Ada\n").await;
    let schema = store
        .catalog
        .database_schema(
            &UserName::parse("bob").unwrap(),
            &DatabaseName::parse("school").unwrap(),
            5,
        )
        .await
        .unwrap();
    assert!(schema.is_default);
    assert_eq!(schema.tables[0].name, "students");
}

#[tokio::test]
async fn sample_rows_bounds_the_rows_returned() {
    let store = embedded().await;
    store
        .put_raw(&key(&store, "orders"), &common_data::orders_csv(500))
        .await;
    for wanted in [1, 5, 100] {
        let schema = store
            .catalog
            .database_schema(&user(), &db(), wanted)
            .await
            .unwrap();
        assert_eq!(schema.tables[0].sample_rows.len(), wanted);
    }
}

#[tokio::test]
async fn thirty_cold_previews_of_one_table_at_once_read_it_once() {
    // Wide rows: 100 sample rows take about 300 KiB of the table to read, and the head
    // read takes the whole table (450 KiB), so its count is exact and no background scan
    // (whose reads the meter would count too) starts.
    let mut csv = b"id,text\n".to_vec();
    for n in 0..150 {
        csv.extend_from_slice(format!("{n},{}\n", "x".repeat(3_000)).as_bytes());
    }
    let once = embedded().await;
    once.put_raw(&key(&once, "wide"), &csv).await;
    let meter = once.meter().unwrap();
    let before = meter.reading();
    once.catalog
        .database_schema(&user(), &db(), 100)
        .await
        .unwrap();
    let one_preview = meter.reading().since(before);

    let store = embedded().await;
    store.put_raw(&key(&store, "wide"), &csv).await;
    let meter = store.meter().unwrap();
    let before = meter.reading();
    let (alice, shop) = (user(), db());
    let previews = (0..30).map(|_| store.catalog.database_schema(&alice, &shop, 100));
    let answers = futures::future::join_all(previews).await;
    let thirty = meter.reading().since(before);
    for answer in answers {
        let schema = answer.unwrap();
        assert_eq!(schema.tables[0].sample_rows.len(), 100);
        assert!(schema.tables[0].row_count_exact);
    }
    assert_eq!(store.catalog.background_counts_running(), 0);
    // The listings of 30 cold requests are each made (small); the table is read once.
    assert!(one_preview.body_bytes > 250 * 1024, "{one_preview:?}");
    assert!(
        thirty.body_bytes < one_preview.body_bytes + 200 * 1024,
        "one preview read {} bytes, thirty read {}",
        one_preview.body_bytes,
        thirty.body_bytes
    );
}

#[tokio::test]
async fn a_head_read_never_holds_more_than_its_budget_and_gives_it_back() {
    use std::time::Duration;
    let store = embedded().await;
    // A 3 MiB header field: its head needs more than a 1 MiB budget holds.
    let mut csv = vec![b'h'; 3 * 1024 * 1024];
    csv.extend_from_slice(b",b\n1,2\n");
    store.put_raw(&key(&store, "wide"), &csv).await;
    let listed = store
        .store()
        .listed(&key(&store, "wide"))
        .await
        .unwrap()
        .unwrap();

    let small = storage::ReadBudget::new(1024 * 1024, Duration::from_millis(200));
    let error = read_head(store.store(), &listed, shared::TableFormat::Csv, 5, &small)
        .await
        .unwrap_err();
    assert!(matches!(error, catalog::CatalogError::Busy), "{error}");
    assert_eq!(small.available_bytes(), 1024 * 1024, "given back");

    let enough = storage::ReadBudget::new(16 * 1024 * 1024, Duration::from_millis(200));
    let head = read_head(store.store(), &listed, shared::TableFormat::Csv, 5, &enough)
        .await
        .unwrap();
    assert_eq!(head.rows, vec![vec!["1".to_owned(), "2".to_owned()]]);
    assert!(head.cells_shortened);
    assert_eq!(head.header[0].chars().count(), 257);
    assert_eq!(enough.available_bytes(), 16 * 1024 * 1024, "given back");
}
