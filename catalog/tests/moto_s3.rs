//! The listing suite against moto's standalone S3 server: the same tests as on the embedded
//! server, to prove the catalog speaks S3 and not just s3s-fs.

#![allow(clippy::unwrap_used)]

mod import_suite;
mod listing_suite;
mod preview_suite;

use catalog::testing as common;

macro_rules! listing_on_moto {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            listing_suite::$test(common::moto_with_prefix(listing_suite::SUITE_PREFIX).await).await;
        }
    )*};
}

listing_suite::all_tests!(listing_on_moto);

macro_rules! preview_on_moto {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            preview_suite::$test(common::moto().await).await;
        }
    )*};
}

preview_suite::all_tests!(preview_on_moto);

macro_rules! import_on_moto {
    ($($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            import_suite::$test(common::moto().await).await;
        }
    )*};
}

import_suite::all_tests!(import_on_moto);
