//! What only the embedded s3s-fs server does: persistence across restarts, seeding, and
//! its own credentials. (The suites that run on both servers are in `on_both_servers.rs`.)

#![allow(clippy::unwrap_used)]

use catalog::{Catalog, CatalogOptions, DemoData, DemoSeed, Layout, PreviewSettings, Scope};
use shared::{DatabaseName, TableName, UserName};
use storage::{StorageFailure, StorageSetting};

fn options(dir: &std::path::Path, sales_rows: usize) -> CatalogOptions {
    CatalogOptions {
        storage: StorageSetting::Embedded,
        data_dir: dir.to_owned(),
        demo_data: DemoData::Auto,
        demo_seed: DemoSeed { sales_rows },
        previews: PreviewSettings::default(),
    }
}

#[tokio::test]
async fn the_first_start_seeds_formats_sales_and_school_as_default_databases() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(options(dir.path(), 5_000)).await.unwrap();
    let listed = catalog
        .list_databases(&UserName::parse("local").unwrap())
        .await
        .unwrap();
    let names: Vec<(&str, bool, Vec<&str>)> = listed
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.is_default,
                d.tables.iter().map(TableName::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "formats",
                true,
                vec!["clicks", "events", "facts", "log", "visits"]
            ),
            ("sales", true, vec!["orders"]),
            ("school", true, vec!["courses", "enrollments", "students"]),
        ]
    );
    let formats: Vec<&str> = listed[0].formats.iter().map(|f| f.as_str()).collect();
    assert_eq!(formats, ["csv.zst", "csv.gz", "parquet", "jsonl", "csv"]);
    catalog.shutdown().await.unwrap();
}

#[tokio::test]
async fn data_survives_a_restart_and_seeding_happens_once() {
    let dir = tempfile::tempdir().unwrap();
    let user = UserName::parse("local").unwrap();
    let first = Catalog::open(options(dir.path(), 1_000)).await.unwrap();
    first
        .create_database(&user, &DatabaseName::parse("mine").unwrap())
        .await
        .unwrap();
    let orders_key = "default/sales/orders.csv";
    let before = first.store().list(orders_key).await.unwrap();
    first.shutdown().await.unwrap();

    // A second start must neither lose "mine" nor rewrite the demo data.
    let second = Catalog::open(options(dir.path(), 2_000)).await.unwrap();
    let listed = second.list_databases(&user).await.unwrap();
    assert!(listed.iter().any(|d| d.name == "mine" && !d.is_default));
    let after = second.store().list(orders_key).await.unwrap();
    assert_eq!(before, after, "the seeded table was not rewritten");
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_half_seeded_database_is_written_again_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(options(dir.path(), 1_000)).await.unwrap();
    let marker = Layout::of(catalog.store())
        .marker_key(&Scope::Default, &DatabaseName::parse("school").unwrap());
    catalog
        .store()
        .delete_keys(std::slice::from_ref(&marker))
        .await
        .unwrap();
    catalog.shutdown().await.unwrap();

    let reopened = Catalog::open(options(dir.path(), 1_000)).await.unwrap();
    assert!(reopened.store().exists(&marker).await.unwrap());
    reopened.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_stopped_store_reports_that_storage_is_unreachable() {
    let store = catalog::testing::embedded().await;
    let catalog = store.catalog.clone();
    catalog.check_ready().await.unwrap();
    drop(store);
    let error = catalog.check_ready().await.unwrap_err();
    assert_eq!(
        error.storage_failure(),
        Some(StorageFailure::Unreachable),
        "{error}"
    );
}
