//! The store's deadlines against a misbehaving S3, on both servers: a fault proxy between
//! the store and the server stalls, delays or resets connections, and every request still
//! ends within its bound, with an error that says the store is unreachable; once the
//! proxy passes bytes again, the same store works (no restart).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use storage::fault_proxy::Fault;
use storage::testing::{Server, TestS3};
use storage::{BODY_IDLE_TIMEOUT, OPERATION_TIMEOUT, StorageFailure};

/// Slack for a loaded test machine on top of each deadline.
const SLACK: Duration = Duration::from_secs(2);

async fn a_stalled_store_fails_requests_within_the_operation_deadline(s3: TestS3) {
    s3.put_raw("team/a.csv", b"a\n1\n").await;
    let proxy = s3.fault_proxy().await;
    let store = s3.store_through(&proxy);
    assert_eq!(store.list("team/").await.unwrap().len(), 1);

    proxy.set(Fault::Stall);
    // Side by side (each alone would take as long).
    let started = Instant::now();
    let (listed, read) = tokio::join!(store.list("team/"), store.get_small("team/a.csv"));
    let took = started.elapsed();
    assert!(took <= OPERATION_TIMEOUT + SLACK, "took {took:?}");
    for error in [listed.unwrap_err(), read.unwrap_err()] {
        assert_eq!(
            error.failure(),
            Some(StorageFailure::Unreachable),
            "{error}"
        );
    }

    proxy.set(Fault::Pass);
    assert_eq!(store.list("team/").await.unwrap().len(), 1);
}

async fn a_body_that_stops_arriving_fails_within_the_idle_deadline(s3: TestS3) {
    let big: Vec<u8> = (0..16 * 1024 * 1024u32).map(|n| (n % 251) as u8).collect();
    s3.put_raw("team/big.csv", &big).await;
    let proxy = s3.fault_proxy().await;
    let store = s3.store_through(&proxy);
    let mut body = store.read("team/big.csv", None, None).await.unwrap();
    proxy.set(Fault::Stall);
    let started = Instant::now();
    let mut received = 0;
    let error = loop {
        match body.next_chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("the whole body arrived through a stalled proxy"),
            Err(error) => break error,
        }
    };
    assert!(received < big.len());
    // The SDK's stalled-stream protection ends it after its 5 s grace period; the store's
    // own idle deadline is the second net.
    unreachable_within(&error, started, BODY_IDLE_TIMEOUT + SLACK);
}

async fn slow_answers_within_the_deadlines_still_arrive_and_resets_fail_fast(s3: TestS3) {
    s3.put_raw("team/a.csv", b"a\n1\n").await;
    let proxy = s3.fault_proxy().await;
    let store = s3.store_through(&proxy);
    proxy.set(Fault::Delay(Duration::from_millis(300)));
    assert_eq!(store.get_small("team/a.csv").await.unwrap(), b"a\n1\n");

    proxy.set(Fault::Reset);
    let started = Instant::now();
    let error = store.list("team/").await.unwrap_err();
    unreachable_within(&error, started, OPERATION_TIMEOUT);
}

/// `error` says the store is unreachable, and came within `bound` of `started`.
fn unreachable_within(error: &storage::StorageError, started: Instant, bound: Duration) {
    assert!(started.elapsed() <= bound, "after {:?}", started.elapsed());
    assert_eq!(
        error.failure(),
        Some(StorageFailure::Unreachable),
        "{error}"
    );
}

async fn fixture(server: Server) -> TestS3 {
    server.start("team").await
}

storage::on_both_servers!(fixture =>
    a_stalled_store_fails_requests_within_the_operation_deadline,
    a_body_that_stops_arriving_fails_within_the_idle_deadline,
    slow_answers_within_the_deadlines_still_arrive_and_resets_fail_fast,
);
