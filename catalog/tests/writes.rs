//! Writes on the embedded S3 server that need volume or timing: concurrent imports into one
//! database, and deleting a database of more than 1,000 objects (several delete batches).

#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use catalog::import::TableImport;
use catalog::testing::embedded;
use catalog::{Layout, Scope};
use futures::stream::{self, StreamExt};
use shared::{DatabaseName, TableName, UserName};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn body(text: String) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    stream::iter(vec![Ok(Bytes::from(text))])
}

#[tokio::test]
async fn two_imports_into_the_same_database_at_the_same_time_both_land() {
    let store = embedded().await;
    let database = DatabaseName::parse("shared").unwrap();
    let alice = user();
    let import = |name: &str, rows: usize| {
        let csv: String = std::iter::once("n,square\n".to_owned())
            .chain((0..rows).map(|n| format!("{n},{}\n", n * n)))
            .collect();
        store.catalog.import_table(
            &alice,
            &database,
            TableImport {
                table: TableName::parse(name).unwrap(),
                replace: false,
                max_bytes: u64::MAX,
            },
            body(csv),
        )
    };
    let (first, second) = tokio::join!(import("first", 50_000), import("second", 70_000));
    assert_eq!(first.unwrap().rows, 50_000);
    assert_eq!(second.unwrap().rows, 70_000);

    let schema = store
        .catalog
        .database_schema(&user(), &database, 5)
        .await
        .unwrap();
    let counts: Vec<(&str, u64, bool)> = schema
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.row_count, t.row_count_exact))
        .collect();
    assert_eq!(
        counts,
        vec![("first", 50_000, true), ("second", 70_000, true)]
    );
}

#[tokio::test]
async fn a_database_of_1500_objects_is_deleted_in_batches() {
    let store = embedded().await;
    let database = DatabaseName::parse("big").unwrap();
    let scope = Scope::User(user());
    let names: Vec<String> = (0..1_500).map(|n| format!("t{n:04}")).collect();
    stream::iter(&names)
        .for_each_concurrent(16, |name| {
            let key = Layout::of(store.store()).table_key(
                &scope,
                &database,
                &TableName::parse(name).unwrap(),
            );
            let store = &store;
            async move { store.put_raw(&key, b"a\n1\n").await }
        })
        .await;
    store
        .catalog
        .create_database(&user(), &database)
        .await
        .unwrap();

    let deleted = store
        .catalog
        .delete_database(&user(), &database)
        .await
        .unwrap();
    assert_eq!(deleted, 1_501);
    assert_eq!(store.all_keys().await, Vec::<String>::new());
}
