//! The parallel scan over real S3, written once and run on both servers
//! (`on_both_servers.rs`): a table another client wrote, with quoted line breaks placed
//! across the chunk borders, scanned in small chunks with several reads in flight, gives
//! the same profile as one sequential parse of the whole object.

use catalog::csv::profile::TableProfiler;
use catalog::scan::{ScanSettings, scan_table};
use catalog::testing::TestStore;

const CHUNK: usize = 64 * 1024;

/// About `bytes` of CSV whose quoted notes (with commas, doubled quotes and line breaks)
/// straddle every chunk border, plus some CRLF line ends and empty lines.
fn table_with_quotes_across_borders(bytes: usize) -> Vec<u8> {
    let mut csv = b"id,amount,note\n".to_vec();
    let mut id = 0u64;
    while csv.len() < bytes {
        id += 1;
        let next_border = (csv.len() / CHUNK + 1) * CHUNK;
        if next_border - csv.len() < 40 {
            // Open a quoted note that the border falls into, line break and all.
            csv.extend_from_slice(format!("{id},{}.5,\"before the border, ", id % 97).as_bytes());
            while csv.len() < next_border + 3 {
                csv.extend_from_slice(b"\"\"quoted\"\"\n");
            }
            csv.extend_from_slice(b"after\"\r\n");
        } else {
            let end: &[u8] = if id.is_multiple_of(50) {
                b"\n\n"
            } else {
                b"\n"
            };
            csv.extend_from_slice(format!("{id},{},plain", id % 1000).as_bytes());
            csv.extend_from_slice(end);
        }
    }
    csv
}

pub async fn a_parallel_scan_matches_a_sequential_parse(store: TestStore) {
    let csv = table_with_quotes_across_borders(20 * CHUNK + 123);
    let key = "default/scans/t.csv";
    store.put_raw(key, &csv).await;
    let listed = store.store().listed(key).await.unwrap().unwrap();
    let settings = ScanSettings {
        chunk_bytes: CHUNK as u64,
        reads_in_flight: 4,
        parsers: 2,
        max_straddling_record: 1024 * 1024,
        ..ScanSettings::default()
    };
    let scanned = scan_table(store.store(), key, listed.size, &listed.version, settings)
        .await
        .unwrap();

    let mut sequential = TableProfiler::new();
    sequential.feed(&csv);
    let mut expected = sequential.finish();
    expected.first_ragged_lines.clear();
    assert_eq!(scanned, expected);
    assert!(scanned.row_count > 20_000, "{}", scanned.row_count);
}

pub async fn a_missing_object_is_a_storage_error_not_a_count(store: TestStore) {
    let listed = store.store().listed("default/none.csv").await.unwrap();
    assert!(listed.is_none());
    let version = storage::ObjectVersion {
        etag: None,
        size: 10,
        last_modified_ms: 0,
    };
    let result = scan_table(
        store.store(),
        "default/none.csv",
        10,
        &version,
        ScanSettings::default(),
    )
    .await;
    assert!(result.is_err());
}

storage::on_both_servers!(catalog::testing::fresh =>
    a_parallel_scan_matches_a_sequential_parse,
    a_missing_object_is_a_storage_error_not_a_count,
);
