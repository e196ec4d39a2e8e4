//! The store on real S3 servers, and what only the embedded one does (its own credentials).

#![allow(clippy::unwrap_used)]

use storage::testing::{Server, TestS3};
use storage::{EMBEDDED_BUCKET, EmbeddedS3, StorageFailure, Store};

#[tokio::test]
async fn the_embedded_server_refuses_requests_without_its_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedS3::start(dir.path()).await.unwrap();
    server.store("").await.unwrap();
    let mut wrong = server.endpoint().clone();
    wrong.secret_key = "not-the-secret".into();
    let error = Store::for_endpoint(&wrong, EMBEDDED_BUCKET, "")
        .list("")
        .await
        .unwrap_err();
    assert_eq!(error.failure(), Some(StorageFailure::Denied), "{error}");
    server.shutdown().await.unwrap();
}

async fn objects_are_read_whole_or_by_range_and_a_changed_version_is_refused(s3: TestS3) {
    let store = s3.store();
    assert_eq!(store.prefix(), "team/");
    let key = "team/a.csv";
    store
        .put(key, b"0123456789".to_vec(), "text/csv")
        .await
        .unwrap();
    let listed = store.listed(key).await.unwrap().unwrap();
    assert_eq!(listed.size, 10);

    let whole = store.read(key, None, None).await.unwrap().collect().await;
    assert_eq!(&whole.unwrap()[..], b"0123456789");
    let middle = store.read(key, Some(2..5), None).await.unwrap();
    assert_eq!(&middle.collect().await.unwrap()[..], b"234");

    // Not every store lists ETags (s3s-fs does not); a wrong one is refused everywhere.
    if let Some(etag) = listed.version.etag.as_deref() {
        let same = store.read(key, Some(0..4), Some(etag)).await.unwrap();
        assert_eq!(&same.collect().await.unwrap()[..], b"0123");
    }
    let error = store
        .read(
            key,
            Some(0..4),
            Some("\"0123456789abcdef0123456789abcdef\""),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.failure(),
        Some(StorageFailure::PreconditionFailed),
        "{error}"
    );
}

async fn fixture(server: Server) -> TestS3 {
    server.start("team").await
}

storage::on_both_servers!(fixture => objects_are_read_whole_or_by_range_and_a_changed_version_is_refused);
