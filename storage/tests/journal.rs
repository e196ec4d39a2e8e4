//! The upload journal and the sweep of abandoned uploads, on both servers: a multipart
//! upload is journaled while it runs and forgotten when it completes or is aborted; the
//! upload of a writer that never ends (as a killed process leaves it) is aborted by a sweep
//! once its entry is stale, and left alone while fresh; uploads no entry names are aborted
//! through the store's listing (the embedded server's included); and the embedded server aborts an upload left before a
//! restart, when its access keys have changed.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use storage::testing::{Server, TestS3, embedded_incomplete_uploads};
use storage::{EmbeddedS3, ObjectWriter, PART_SIZE, Store};

const KEY: &str = "team/users/alice/db/big.csv";
const FRESH: Duration = Duration::from_secs(300);

/// A writer that has sent two parts and holds the start of a third.
async fn writer_with_two_parts(store: &Store) -> ObjectWriter {
    let mut writer = store.writer(KEY, "text/csv");
    let part = vec![b'x'; PART_SIZE];
    for _ in 0..2 {
        writer.write(&part).await.unwrap();
    }
    writer.write(b"tail").await.unwrap();
    writer
}

/// Leaves a writer as a killed process would: neither finished nor aborted. Its parts are
/// given time to land first (a part landing after the sweep would be a new leftover).
async fn abandon(writer: ObjectWriter) {
    std::mem::forget(writer);
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

async fn a_finished_upload_leaves_no_entry(s3: TestS3) {
    let store = s3.store();
    let writer = writer_with_two_parts(store).await;
    let entries = store.upload_journal().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].key, KEY);
    writer.finish().await.unwrap();
    assert!(store.upload_journal().await.unwrap().is_empty());
    assert_eq!(s3.incomplete_uploads().await, 0);
}

async fn a_dropped_writer_aborts_and_removes_its_entry(s3: TestS3) {
    let store = s3.store();
    drop(writer_with_two_parts(store).await);
    assert!(store.wait_for_aborts(Duration::from_secs(20)).await);
    assert!(store.upload_journal().await.unwrap().is_empty());
    assert_eq!(s3.incomplete_uploads().await, 0);
}

async fn an_abandoned_upload_is_swept_once_stale_and_not_before(s3: TestS3) {
    let store = s3.store();
    abandon(writer_with_two_parts(store).await).await;
    assert!(s3.incomplete_uploads().await > 0);

    let fresh = store.sweep_abandoned_uploads(FRESH).await.unwrap();
    assert_eq!((fresh.running, fresh.aborted), (1, 0));
    assert_eq!(
        fresh.aborted_unjournaled, 0,
        "a journaled upload is not a stranger"
    );
    assert!(
        s3.incomplete_uploads().await > 0,
        "a running upload was aborted"
    );

    let stale = store.sweep_abandoned_uploads(Duration::ZERO).await.unwrap();
    assert_eq!((stale.running, stale.aborted), (0, 1));
    assert_eq!(s3.incomplete_uploads().await, 0);
    assert!(store.upload_journal().await.unwrap().is_empty());
    assert_eq!(
        s3.all_keys().await,
        Vec::<String>::new(),
        "nothing else written"
    );
}

async fn uploads_no_entry_names_are_swept_from_the_stores_listing(s3: TestS3) {
    let store = s3.store();
    abandon(writer_with_two_parts(store).await).await;
    // As if the process died before it could journal the upload.
    let entry_keys: Vec<String> = s3.all_keys().await;
    store.delete_keys(&entry_keys).await.unwrap();

    let fresh = store.sweep_abandoned_uploads(FRESH).await.unwrap();
    assert!(fresh.store_listed);
    assert_eq!(fresh.aborted_unjournaled, 0, "too young to be abandoned");
    let report = store.sweep_abandoned_uploads(Duration::ZERO).await.unwrap();
    assert_eq!(report.aborted_unjournaled, 1);
    assert_eq!(s3.incomplete_uploads().await, 0);
}

async fn fixture(server: Server) -> TestS3 {
    server.start("team").await
}

storage::on_both_servers!(fixture =>
    a_finished_upload_leaves_no_entry,
    a_dropped_writer_aborts_and_removes_its_entry,
    an_abandoned_upload_is_swept_once_stale_and_not_before,
    uploads_no_entry_names_are_swept_from_the_stores_listing,
);

#[tokio::test]
async fn the_embedded_server_aborts_an_upload_left_before_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = EmbeddedS3::start(dir.path()).await.unwrap();
    let store = first.store("team").await.unwrap();
    abandon(writer_with_two_parts(&store).await).await;
    first.shutdown().await.unwrap();
    assert!(!embedded_incomplete_uploads(dir.path()).is_empty());

    // A new start: new access keys, the same folder.
    let second = EmbeddedS3::start(dir.path()).await.unwrap();
    let store = second.store("team").await.unwrap();
    let report = store.sweep_abandoned_uploads(Duration::ZERO).await.unwrap();
    assert_eq!(report.aborted, 1);
    assert_eq!(
        embedded_incomplete_uploads(dir.path()),
        Vec::<String>::new()
    );
    assert!(store.upload_journal().await.unwrap().is_empty());
    second.shutdown().await.unwrap();
}
