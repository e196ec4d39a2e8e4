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

/// Several MiB, so bodies come in many blocks: whole, ranged across block borders, and to
/// the last byte, byte for byte.
async fn large_objects_are_read_whole_and_by_range_exactly(s3: TestS3) {
    let store = s3.store();
    let key = "team/large.csv";
    let bytes: Vec<u8> = (0..3 * 1024 * 1024 + 12_345)
        .map(|n: u32| (n.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut writer = store.writer(key, "text/csv");
    writer.write(&bytes).await.unwrap();
    writer.finish().await.unwrap();
    let size = bytes.len() as u64;

    let whole = store.read(key, None, None).await.unwrap().collect().await;
    assert!(whole.unwrap()[..] == bytes[..], "the whole object");
    for range in [0..1, 262_143..262_145, 1_000_000..2_500_000, size - 7..size] {
        let (start, end) = (range.start as usize, range.end as usize);
        let body = store.read(key, Some(range), None).await.unwrap();
        assert!(
            body.collect().await.unwrap()[..] == bytes[start..end],
            "bytes {start}..{end}"
        );
    }
}

async fn fixture(server: Server) -> TestS3 {
    server.start("team").await
}

storage::on_both_servers!(fixture =>
    objects_are_read_whole_or_by_range_and_a_changed_version_is_refused,
    large_objects_are_read_whole_and_by_range_exactly,
);
