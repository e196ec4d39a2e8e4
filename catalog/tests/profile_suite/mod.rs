//! Column profiles over real S3, written once and run on both servers
//! (`on_both_servers.rs`): an import stores its profile and showing it costs one GET at
//! most; a table another tool wrote gets its profile from the background scan, and an
//! overwrite makes the old one ignored; deleting the table deletes its profile.

use bytes::Bytes;
use catalog::CatalogError;
use catalog::import::TableImport;
use catalog::testing::TestStore;
use shared::{ColumnType, DatabaseName, ProfileSource, ProfileValue, TableName, UserName};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db() -> DatabaseName {
    DatabaseName::parse("shop").unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

fn orders(rows: u64) -> Vec<u8> {
    let mut csv = b"id,amount,status\n".to_vec();
    for id in 1..=rows {
        let status = if id % 4 == 0 { "returned" } else { "paid" };
        csv.extend_from_slice(format!("{id},{}.5,{status}\n", id % 10).as_bytes());
    }
    csv
}

async fn scans_done(store: &TestStore) {
    for _ in 0..1200 {
        if store.catalog.background_counts_running() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the background scan did not finish in 60 s");
}

pub async fn an_imported_table_is_profiled_and_showing_it_costs_one_get_at_most(store: TestStore) {
    let import = TableImport {
        table: table("orders"),
        replace: false,
        max_bytes: 1 << 30,
    };
    let body = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(orders(1_000)))]);
    store
        .catalog
        .import_table(&user(), &db(), import, body)
        .await
        .unwrap();
    // The database page is open (its listing read), then the profile is asked for.
    store
        .catalog
        .database_schema(&user(), &db(), 5)
        .await
        .unwrap();
    let before = store.store().requests();
    let profile = store
        .catalog
        .table_profile(&user(), &db(), &table("orders"))
        .await
        .unwrap();
    let cost = store.store().requests().since(before);
    assert!(cost.gets <= 1 && cost.total() == cost.gets, "{cost:?}");
    assert_eq!(profile.computed_from, ProfileSource::Import);
    assert_eq!(profile.row_count, 1_000);
    let amount = &profile.columns[1];
    assert_eq!(amount.column_type, ColumnType::Float);
    assert_eq!(amount.min, Some(ProfileValue::Float(0.5)));
    assert_eq!(amount.max, Some(ProfileValue::Float(9.5)));
    assert!(
        (amount.mean.unwrap() - 5.0).abs() < 1e-9,
        "{:?}",
        amount.mean
    );
    let status = &profile.columns[2];
    assert_eq!(status.top_values[0].value, "paid");
    assert_eq!(status.top_values[0].count, 750);

    let before = store.store().requests();
    let again = store
        .catalog
        .table_profile(&user(), &db(), &table("orders"))
        .await
        .unwrap();
    assert_eq!(again, profile);
    assert_eq!(store.store().requests().since(before).total(), 0);

    store
        .catalog
        .delete_table(&user(), &db(), &table("orders"))
        .await
        .unwrap();
    let profile_key = "meta/users/alice/shop/profiles/orders.json";
    assert!(store.store().listed(profile_key).await.unwrap().is_none());
}

pub async fn a_foreign_table_is_profiled_by_the_scan_and_an_overwrite_hides_the_old_profile(
    store: TestStore,
) {
    let key = "users/alice/shop/foreign.csv";
    store.put_raw(key, &orders(5_000)).await;
    let (alice, shop, foreign) = (user(), db(), table("foreign"));
    let ask = || store.catalog.table_profile(&alice, &shop, &foreign);
    match ask().await {
        Err(CatalogError::ProfileComputing { percent, .. }) => assert!(percent <= 100),
        other => panic!("expected the profile to be computing, got {other:?}"),
    }
    scans_done(&store).await;
    let profile = ask().await.unwrap();
    assert_eq!(profile.computed_from, ProfileSource::Scan);
    assert_eq!(profile.row_count, 5_000);
    assert_eq!(profile.columns[0].max, Some(ProfileValue::Integer(5_000)));

    // Another client overwrites it: the stored profile describes the old version and is
    // never shown for the new one.
    store.put_raw(key, &orders(7)).await;
    store
        .catalog
        .invalidate_database(&catalog::Scope::User(user()), &db());
    match ask().await {
        Err(CatalogError::ProfileComputing { .. }) => {}
        Ok(profile) => assert_eq!(profile.row_count, 7),
        Err(other) => panic!("{other}"),
    }
    scans_done(&store).await;
    let profile = ask().await.unwrap();
    assert_eq!(profile.row_count, 7);
    assert_eq!(profile.columns[0].max, Some(ProfileValue::Integer(7)));
}

storage::on_both_servers!(catalog::testing::fresh =>
    an_imported_table_is_profiled_and_showing_it_costs_one_get_at_most,
    a_foreign_table_is_profiled_by_the_scan_and_an_overwrite_hides_the_old_profile,
);
