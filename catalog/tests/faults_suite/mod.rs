//! A stalled S3 behind the catalog, written once and run on both servers
//! (`on_both_servers.rs`): with a fault proxy holding every answer, cold previews, pages and
//! the database list fail with a storage error (503 to the caller) within
//! `REQUEST_DEADLINE`, the readiness check within `READY_DEADLINE`; when the proxy passes
//! bytes again, the same catalog answers (no restart).

use std::time::{Duration, Instant};

use bytes::Bytes;
use catalog::import::TableImport;
use catalog::testing::TestStore;
use catalog::{Catalog, PreviewSettings, READY_DEADLINE, REQUEST_DEADLINE};
use shared::{DatabaseName, TableName, UserName};
use storage::StorageFailure;
use storage::fault_proxy::Fault;

/// Slack for a loaded test machine on top of each deadline.
const SLACK: Duration = Duration::from_millis(1_500);

pub async fn a_stalled_store_is_answered_within_the_deadlines_and_recovers(store: TestStore) {
    let (user, database) = (
        UserName::parse("alice").unwrap(),
        DatabaseName::parse("shop").unwrap(),
    );
    let table = TableName::parse("orders").unwrap();
    let import = TableImport {
        table: table.clone(),
        replace: false,
        max_bytes: 1 << 20,
    };
    let body = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(
        b"id,total\n1,9.5\n2,3\n",
    ))]);
    store
        .catalog
        .import_table(&user, &database, import, body)
        .await
        .unwrap();

    let proxy = store.fault_proxy().await;
    let catalog = Catalog::from_store(
        store.store_through(&proxy),
        "through a fault proxy",
        PreviewSettings::default(),
    );
    proxy.set(Fault::Stall);
    // Side by side (each alone would take as long).
    let started = Instant::now();
    let (previews, rows, ready) = tokio::join!(
        catalog.database_schema(&user, &database, 5),
        catalog.table_rows(&user, &database, &table, 0, 10),
        async {
            let ready = catalog.check_ready().await;
            (ready, started.elapsed())
        },
    );
    let took = started.elapsed();
    assert!(took <= REQUEST_DEADLINE + SLACK, "{took:?}");
    assert!(ready.1 <= READY_DEADLINE + SLACK, "{:?}", ready.1);
    for error in [
        previews.unwrap_err(),
        rows.unwrap_err(),
        ready.0.unwrap_err(),
    ] {
        assert_eq!(
            error.storage_failure(),
            Some(StorageFailure::Unreachable),
            "{error}"
        );
    }

    proxy.set(Fault::Pass);
    catalog.check_ready().await.unwrap();
    let previews = catalog.database_schema(&user, &database, 5).await.unwrap();
    assert_eq!(previews.tables[0].row_count, 2);
}

storage::on_both_servers!(catalog::testing::fresh =>
    a_stalled_store_is_answered_within_the_deadlines_and_recovers,
);
