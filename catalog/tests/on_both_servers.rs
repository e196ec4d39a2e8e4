//! The catalog's suites, written once and run on both S3 servers: the embedded s3s-fs
//! server and moto's, to prove the catalog speaks S3 and not just one implementation.
//! Each suite ends with `storage::on_both_servers!`, which makes its `#[tokio::test]`s.

#![allow(clippy::unwrap_used)]

mod faults_suite;
mod formats_suite;
mod import_suite;
mod listing_suite;
mod preview_suite;
mod profile_suite;
mod rows_suite;
mod scan_suite;
