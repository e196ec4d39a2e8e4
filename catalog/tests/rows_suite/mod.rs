//! Pages of rows through the row index, written once and run on both S3 servers
//! (`on_both_servers.rs`): what a deep page costs (requests and bytes, counted by the
//! store's client), that pages hold exactly the rows the `csv` crate reads at those
//! positions whatever the dialect, and how a table another tool wrote gets its index (and
//! loses it when it changes).

use bytes::Bytes;
use catalog::CatalogError;
use catalog::import::TableImport;
use catalog::testing::TestStore;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::{DatabaseName, TableName, UserName};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db() -> DatabaseName {
    DatabaseName::parse("big").unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

/// Imports `csv` as the user's table `name`, as an upload would arrive (1 MiB pieces).
async fn import(store: &TestStore, name: &str, csv: Vec<u8>) {
    let pieces: Vec<Result<Bytes, std::io::Error>> = csv
        .chunks(1024 * 1024)
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    let import = TableImport {
        table: table(name),
        replace: true,
        max_bytes: 1 << 30,
    };
    store
        .catalog
        .import_table(&user(), &db(), import, futures::stream::iter(pieces))
        .await
        .unwrap();
}

/// `rows` short rows (`id,flag`): 10,500,000 of them are about 100 MB.
fn numbered_rows(rows: u64) -> Vec<u8> {
    let mut csv = Vec::with_capacity(rows as usize * 11);
    csv.extend_from_slice(b"id,flag\n");
    for id in 0..rows {
        csv.extend_from_slice(id.to_string().as_bytes());
        csv.extend_from_slice(if id % 3 == 0 { b",t\n" } else { b",f\n" });
    }
    csv
}

pub async fn a_deep_page_costs_two_gets_and_under_a_mebibyte_then_nothing(store: TestStore) {
    import(&store, "numbers", numbered_rows(10_500_000)).await;
    let (alice, big, numbers) = (user(), db(), table("numbers"));
    let rows = || {
        store
            .catalog
            .table_rows(&alice, &big, &numbers, 10_000_000, 100)
    };
    let before = store.store().requests();
    let page = rows().await.unwrap();
    let cold = store.store().requests().since(before);
    assert_eq!(page.rows.len(), 100);
    assert_eq!(page.rows[0], ["10000000", "f"]);
    assert_eq!(page.rows[99], ["10000099", "f"]);
    assert_eq!(page.rows[98], ["10000098", "t"]);
    assert_eq!((page.row_count, page.row_count_exact), (10_500_000, true));
    // The index (with the statistics) and one ranged read of the rows; the listings of
    // the database (shared with its previews, trusted for DBM_REVALIDATE_SECS) besides.
    assert!(cold.gets <= 2, "{cold:?}");
    assert!(cold.body_bytes <= 1024 * 1024, "{cold:?}");
    assert_eq!(cold.heads + cold.other, 0, "{cold:?}");

    let before = store.store().requests();
    assert_eq!(rows().await.unwrap(), page);
    assert_eq!(store.store().requests().since(before).total(), 0);

    // Past the end: no rows, and no read of the table.
    let before = store.store().requests();
    let past = store
        .catalog
        .table_rows(&user(), &db(), &table("numbers"), 10_500_000, 10)
        .await
        .unwrap();
    assert!(past.rows.is_empty());
    assert_eq!(store.store().requests().since(before).gets, 0);
}

/// A random table over 4 MiB (so it gets an index with many marks) in one of several
/// dialects: quoted fields with line breaks and doubled quotes, CRLF and LF, a byte order
/// mark, `,` `;` or tab, empty lines and ragged rows.
fn random_table(random: &mut StdRng, variant: usize, bytes: usize) -> (Vec<u8>, u8) {
    let delimiter = [b',', b';', b'\t', b','][variant % 4];
    let separator = char::from(delimiter).to_string();
    let cells = [
        "1",
        "-2.5",
        "true",
        "2024-01-02",
        "\"a\nb\"",
        "\"x,\"\"y\"\"; z\"",
        "\"\r\n\"",
        "",
        "plain text",
        "\"tab\there\"",
    ];
    let mut csv = Vec::with_capacity(bytes + 256);
    if variant == 0 {
        csv.extend_from_slice(b"\xEF\xBB\xBF");
    }
    csv.extend_from_slice(["a", "b", "c", "d"].join(&separator).as_bytes());
    let mut row = 0u64;
    while csv.len() < bytes {
        let line_end = match (variant, row % 7) {
            (1, _) => "\r\n",
            (_, 0) => "\n\n",
            _ => "\n",
        };
        csv.extend_from_slice(line_end.as_bytes());
        let width = if variant == 3 && random.random_bool(0.1) {
            random.random_range(1..7)
        } else {
            4
        };
        let mut fields = vec![row.to_string()];
        fields.extend((1..width).map(|_| cells[random.random_range(0..cells.len())].to_owned()));
        csv.extend_from_slice(fields.join(&separator).as_bytes());
        row += 1;
    }
    (csv, delimiter)
}

/// Every data row as the `csv` crate reads the whole file.
fn reference_rows(csv: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(csv);
    reader
        .byte_records()
        .map(|record| {
            record
                .unwrap()
                .iter()
                .map(|field| String::from_utf8_lossy(field).into_owned())
                .collect()
        })
        .collect()
}

pub async fn pages_hold_exactly_the_rows_the_csv_crate_reads_there(store: TestStore) {
    let mut random = StdRng::seed_from_u64(0xB16_7AB1E);
    for variant in 0..4 {
        let (csv, delimiter) = random_table(&mut random, variant, 5 * 1024 * 1024);
        let name = format!("dialect{variant}");
        if variant == 3 {
            // Imports refuse ragged rows: this one another tool wrote, and the scan indexed.
            let key = format!("users/alice/big/{name}.csv");
            store.put_raw(&key, &csv).await;
            store
                .catalog
                .invalidate_database(&catalog::Scope::User(user()), &db());
            store
                .catalog
                .table_rows(&user(), &db(), &table(&name), 0, 1)
                .await
                .unwrap();
            scans_done(&store).await;
        } else {
            import(&store, &name, csv.clone()).await;
        }
        let expected = reference_rows(&csv, delimiter);
        let total = expected.len() as u64;
        let mut offsets: Vec<(u64, usize)> = (0..25)
            .map(|_| {
                (
                    random.random_range(0..total + 10),
                    random.random_range(1..=1000),
                )
            })
            .collect();
        offsets.extend([(0, 1), (0, 1000), (total - 1, 5), (total, 3)]);
        for (offset, limit) in offsets {
            let page = store
                .catalog
                .table_rows(&user(), &db(), &table(&name), offset, limit)
                .await
                .unwrap();
            let from = (offset as usize).min(expected.len());
            let to = (from + limit).min(expected.len());
            assert_eq!(
                page.rows,
                expected[from..to],
                "{name}: offset {offset}, limit {limit}"
            );
            assert_eq!((page.row_count, page.row_count_exact), (total, true));
            let ragged: Vec<usize> = page
                .rows
                .iter()
                .enumerate()
                .filter(|(_, row)| row.len() != 4)
                .map(|(index, _)| index)
                .collect();
            assert_eq!(page.ragged_rows, ragged);
        }
    }
}

pub async fn a_small_table_is_paged_from_its_start(store: TestStore) {
    let csv = b"id;name\n1;\"Ada\nLovelace\"\r\n2;Grace\n\n3;Edsger\n".to_vec();
    import(&store, "people", csv).await;
    let page = store
        .catalog
        .table_rows(&user(), &db(), &table("people"), 1, 5)
        .await
        .unwrap();
    assert_eq!(page.rows, [["2", "Grace"], ["3", "Edsger"]]);
    assert_eq!(page.columns[0].name, "id");
    assert_eq!((page.row_count, page.row_count_exact), (3, true));
    let missing = store
        .catalog
        .table_rows(&user(), &db(), &table("nobody"), 0, 5)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, CatalogError::TableNotFound { .. }),
        "{missing}"
    );
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

/// Rows `0..rows` with a pad of `pad` bytes: the same ids at other byte offsets.
fn padded_rows(rows: u64, pad: usize) -> Vec<u8> {
    let mut csv = b"id,pad\n".to_vec();
    let padding = "x".repeat(pad);
    for id in 0..rows {
        csv.extend_from_slice(format!("{id},{padding}\n").as_bytes());
    }
    csv
}

pub async fn a_foreign_table_gets_its_index_from_the_scan_and_loses_it_when_changed(
    store: TestStore,
) {
    let key = "users/alice/big/foreign.csv";
    store.put_raw(key, &padded_rows(1_000_000, 20)).await;
    let (alice, big, foreign) = (user(), db(), table("foreign"));
    let deep = || {
        store
            .catalog
            .table_rows(&alice, &big, &foreign, 900_000, 10)
    };
    // Not indexed yet: the first rows are served at once, deep ones say the index is
    // being built.
    let first = store
        .catalog
        .table_rows(&user(), &db(), &table("foreign"), 0, 3)
        .await
        .unwrap();
    assert_eq!(first.rows[2][0], "2");
    assert!(!first.row_count_exact);
    match deep().await {
        Err(CatalogError::IndexBuilding { reachable, .. }) => {
            assert!(reachable > 100_000 && reachable < 900_000, "{reachable}")
        }
        other => panic!("expected the index to be building, got {other:?}"),
    }
    scans_done(&store).await;
    let index_key = "meta/users/alice/big/index/foreign.json";
    assert!(store.store().listed(index_key).await.unwrap().is_some());
    let page = deep().await.unwrap();
    assert_eq!(page.rows[0][0], "900000");
    assert!(page.row_count_exact);

    // Another client overwrites the table with longer rows: the old index (its marks now
    // in the wrong places) is never used to cut the new object.
    store.put_raw(key, &padded_rows(1_000_000, 31)).await;
    store
        .catalog
        .invalidate_database(&catalog::Scope::User(user()), &db());
    match deep().await {
        Err(CatalogError::IndexBuilding { .. }) => {}
        Ok(page) => assert_eq!(page.rows[0], ["900000", &"x".repeat(31)]),
        Err(other) => panic!("{other}"),
    }
    scans_done(&store).await;
    let page = deep().await.unwrap();
    assert_eq!(page.rows[0], ["900000", &"x".repeat(31)]);
    assert_eq!(page.rows[9][0], "900009");
}

/// A row of 34 MiB between short ones: a page that would reach past it reads at most
/// `MAX_PAGE_READ_BYTES` and ends with the rows that were complete, saying why.
pub async fn a_page_reads_at_most_its_byte_bound_past_a_huge_row(store: TestStore) {
    let mut csv = b"id,blob\n".to_vec();
    for id in 0..5 {
        csv.extend_from_slice(format!("{id},x\n").as_bytes());
    }
    csv.extend_from_slice(b"5,");
    csv.resize(csv.len() + 34 * 1024 * 1024, b'y');
    csv.extend_from_slice(b"\n6,x\n7,x\n");
    store.put_raw("users/alice/big/huge.csv", &csv).await;
    let (alice, big, huge) = (user(), db(), table("huge"));
    let _ = store.catalog.table_rows(&alice, &big, &huge, 0, 1).await;
    scans_done(&store).await;

    let before = store.store().requests();
    let page = store
        .catalog
        .table_rows(&alice, &big, &huge, 3, 10)
        .await
        .unwrap();
    let read = store.store().requests().since(before);
    assert_eq!(page.rows, [["3", "x"], ["4", "x"]]);
    assert!(page.row_count_exact);
    assert!(
        page.warnings.iter().any(|w| w.kind.code() == "long_rows"),
        "{:?}",
        page.warnings
    );
    let bound = catalog::MAX_PAGE_READ_BYTES + 1024 * 1024;
    assert!(read.body_bytes <= bound, "{read:?}");
}

storage::on_both_servers!(catalog::testing::fresh =>
    a_page_reads_at_most_its_byte_bound_past_a_huge_row,
    a_deep_page_costs_two_gets_and_under_a_mebibyte_then_nothing,
    pages_hold_exactly_the_rows_the_csv_crate_reads_there,
    a_small_table_is_paged_from_its_start,
    a_foreign_table_gets_its_index_from_the_scan_and_loses_it_when_changed,
);
