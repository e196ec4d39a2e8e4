//! The database list on the embedded S3 server, counted with its meter: a list within the
//! revalidation interval makes no S3 request, this server's writes show at once, another
//! client's within the interval, and a large bucket is listed cold in a number of LIST
//! requests that follows the tables shown, not the objects stored.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bytes::Bytes;
use catalog::import::TableImport;
use catalog::testing::embedded_with;
use catalog::{Layout, PreviewSettings, Scope};
use futures::stream;
use shared::{DatabaseName, TableName, UserName};

fn alice() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db(name: &str) -> DatabaseName {
    DatabaseName::parse(name).unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

fn settings(revalidate_after: Duration) -> PreviewSettings {
    PreviewSettings {
        revalidate_after,
        ..PreviewSettings::default()
    }
}

fn names(list: &[shared::DatabaseSummary]) -> Vec<&str> {
    list.iter().map(|database| database.name.as_str()).collect()
}

#[tokio::test]
async fn a_second_list_within_the_interval_makes_no_s3_request_and_is_shared_by_users() {
    let store = embedded_with("", settings(Duration::from_secs(60))).await;
    let key = Layout::of(store.store()).table_key(&Scope::Default, &db("school"), &table("t"));
    store.put_raw(&key, b"a\n1\n").await;
    let meter = store.meter().unwrap();

    let first = store.catalog.list_databases(&alice()).await.unwrap();
    let before = meter.reading();
    let second = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(meter.reading().since(before).requests, 0);
    assert_eq!(first, second);

    // Bob's own scope is listed; the default scope comes from Alice's list.
    let before = meter.reading();
    let bob = UserName::parse("bob").unwrap();
    assert_eq!(
        names(&store.catalog.list_databases(&bob).await.unwrap()),
        ["school"]
    );
    let used = meter.reading().since(before).requests;
    assert!(
        used <= 2,
        "Bob's list made {used} requests, for his scope only"
    );
}

#[tokio::test]
async fn writes_through_this_server_show_at_once_and_others_within_the_interval() {
    let interval = Duration::from_millis(300);
    let store = embedded_with("", settings(interval)).await;
    assert!(
        store
            .catalog
            .list_databases(&alice())
            .await
            .unwrap()
            .is_empty()
    );

    let import = TableImport {
        table: table("orders"),
        replace: false,
        max_bytes: u64::MAX,
    };
    let body = stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from("id\n1\n"))]);
    store
        .catalog
        .import_table(&alice(), &db("shop"), import, body)
        .await
        .unwrap();
    assert_eq!(
        names(&store.catalog.list_databases(&alice()).await.unwrap()),
        ["shop"]
    );

    store
        .catalog
        .create_database(&alice(), &db("empty"))
        .await
        .unwrap();
    assert_eq!(
        names(&store.catalog.list_databases(&alice()).await.unwrap()),
        ["empty", "shop"]
    );

    store
        .catalog
        .delete_database(&alice(), &db("shop"))
        .await
        .unwrap();
    assert_eq!(
        names(&store.catalog.list_databases(&alice()).await.unwrap()),
        ["empty"]
    );

    // Another client's write is seen once the interval has passed.
    let key = Layout::of(store.store()).table_key(&Scope::Default, &db("shared"), &table("t"));
    store.put_raw(&key, b"a\n1\n").await;
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    assert_eq!(
        names(&store.catalog.list_databases(&alice()).await.unwrap()),
        ["empty", "shared"]
    );
}

#[tokio::test]
async fn a_thousand_databases_with_statistics_are_listed_cold_in_few_list_requests() {
    const DATABASES: usize = 1_000;
    const TABLES: usize = 5;
    let store = embedded_with("", settings(Duration::from_secs(60))).await;
    let layout = Layout::of(store.store());
    let mut keys = Vec::new();
    for d in 0..DATABASES {
        let database = db(&format!("db{d:04}"));
        keys.push(layout.marker_key(&Scope::Default, &database));
        for t in 0..TABLES {
            let name = table(&format!("t{t}"));
            keys.push(layout.table_key(&Scope::Default, &database, &name));
            keys.push(layout.stats_key(&Scope::Default, &database, &name));
        }
    }
    store
        .write_files_behind_the_server(&keys, b"a\n1\n")
        .unwrap();

    let meter = store.meter().unwrap();
    let before = meter.reading();
    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    let requests = meter.reading().since(before).requests;
    assert_eq!(listed.len(), DATABASES);
    assert!(listed.iter().all(|database| database.table_count == TABLES));
    // ceil(5,000 tables / 1,000 per page) + a constant: one folder listing of the default
    // scope's meta tree, and two small listings of Alice's empty scope.
    let bound = (DATABASES * TABLES).div_ceil(1_000) + 3;
    assert!(
        requests <= bound as u64,
        "{requests} requests, bound {bound}"
    );
}
