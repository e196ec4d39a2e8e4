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

async fn requests_are_counted_by_kind_with_their_body_bytes(s3: TestS3) {
    let store = s3.store();
    let key = "team/counted.csv";
    store.put(key, vec![b'x'; 5_000], "text/csv").await.unwrap();
    let before = store.requests();
    let body = store.read(key, Some(1_000..3_000), None).await.unwrap();
    assert_eq!(body.collect().await.unwrap().len(), 2_000);
    store.list("team/").await.unwrap();
    let counted = store.requests().since(before);
    assert_eq!((counted.gets, counted.lists, counted.other), (1, 1, 0));
    // The ranged body, and the listing's XML.
    assert!(
        counted.body_bytes >= 2_000 && counted.body_bytes < 4_000,
        "{counted:?}"
    );
}

async fn downloads_pass_ranges_through_and_say_what_they_hold(s3: TestS3) {
    let store = s3.store();
    let key = "team/download.csv";
    let bytes: Vec<u8> = (0..10_000u32).map(|n| (n % 251) as u8).collect();
    store.put(key, bytes.clone(), "text/csv").await.unwrap();
    let whole = store.download(key, None).await.unwrap();
    assert_eq!(whole.content_length, Some(10_000));
    assert!(whole.content_range.is_none());
    assert!(whole.etag.is_some() && whole.last_modified.is_some());
    assert_eq!(whole.body.collect().await.unwrap(), bytes);

    let part = store.download(key, Some("bytes=9000-")).await.unwrap();
    assert_eq!(part.content_length, Some(1_000));
    assert_eq!(part.content_range.as_deref(), Some("bytes 9000-9999/10000"));
    assert_eq!(part.body.collect().await.unwrap(), bytes[9_000..]);

    let error = store.download(key, Some("bytes=20000-")).await.unwrap_err();
    assert_eq!(
        error.failure(),
        Some(StorageFailure::RangeNotSatisfiable),
        "{error}"
    );
}

async fn fixture(server: Server) -> TestS3 {
    server.start("team").await
}

storage::on_both_servers!(fixture =>
    objects_are_read_whole_or_by_range_and_a_changed_version_is_refused,
    large_objects_are_read_whole_and_by_range_exactly,
    requests_are_counted_by_kind_with_their_body_bytes,
    downloads_pass_ranges_through_and_say_what_they_hold,
);
