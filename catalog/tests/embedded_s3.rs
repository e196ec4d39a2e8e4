//! The listing suite against the embedded s3s-fs server, and what only the embedded
//! server does: persistence across restarts, seeding, and its own credentials.

#![allow(clippy::unwrap_used)]

mod import_suite;
mod listing_suite;
mod preview_suite;

use catalog::testing as common;

use catalog::{
    Catalog, CatalogOptions, DemoData, DemoSeed, EmbeddedS3, PreviewSettings, Scope, StorageSetting,
};
use shared::{DatabaseName, UserName};

macro_rules! listing_on_embedded {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            listing_suite::$test(common::embedded_with_prefix(listing_suite::SUITE_PREFIX).await).await;
        }
    )*};
}

listing_suite::all_tests!(listing_on_embedded);

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
async fn the_first_start_seeds_school_and_sales_as_default_databases() {
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
                d.tables.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("sales", true, vec!["orders"]),
            ("school", true, vec!["courses", "enrollments", "students"]),
        ]
    );
    catalog.shutdown().await;
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
    first.shutdown().await;

    // A second start must neither lose "mine" nor rewrite the demo data.
    let second = Catalog::open(options(dir.path(), 2_000)).await.unwrap();
    let listed = second.list_databases(&user).await.unwrap();
    assert!(listed.iter().any(|d| d.name == "mine" && !d.is_default));
    let after = second.store().list(orders_key).await.unwrap();
    assert_eq!(before, after, "the seeded table was not rewritten");
    second.shutdown().await;
}

#[tokio::test]
async fn a_half_seeded_database_is_written_again_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(options(dir.path(), 1_000)).await.unwrap();
    let marker = catalog
        .store()
        .layout()
        .marker_key(&Scope::Default, &DatabaseName::parse("school").unwrap());
    catalog
        .store()
        .client()
        .delete_object()
        .bucket(catalog.store().bucket())
        .key(&marker)
        .send()
        .await
        .unwrap();
    catalog.shutdown().await;

    let reopened = Catalog::open(options(dir.path(), 1_000)).await.unwrap();
    assert!(reopened.store().exists(&marker).await.unwrap());
    reopened.shutdown().await;
}

#[tokio::test]
async fn the_embedded_server_refuses_requests_without_its_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedS3::start(dir.path()).await.unwrap();
    let mut wrong = server.endpoint().clone();
    wrong.secret_key = "not-the-secret".into();
    let client = catalog::s3_client::client_for_endpoint(&wrong);
    let result = client
        .list_objects_v2()
        .bucket(catalog::EMBEDDED_BUCKET)
        .send()
        .await;
    assert!(result.is_err(), "a wrong secret must be refused");
    server.shutdown().await;
}

#[tokio::test]
async fn a_stopped_store_reports_that_storage_is_unreachable() {
    let store = common::embedded().await;
    let catalog = store.catalog.clone();
    catalog.check_ready().await.unwrap();
    drop(store);
    let error = catalog.check_ready().await.unwrap_err();
    assert_eq!(
        error.storage_failure(),
        Some(catalog::StorageFailure::Unreachable),
        "{error}"
    );
}

macro_rules! preview_on_embedded {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            preview_suite::$test(common::embedded().await).await;
        }
    )*};
}

preview_suite::all_tests!(preview_on_embedded);

macro_rules! import_on_embedded {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            import_suite::$test(common::embedded().await).await;
        }
    )*};
}

import_suite::all_tests!(import_on_embedded);
