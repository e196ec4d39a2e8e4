//! Tables other tools wrote in other formats (`.csv.gz`, `.csv.zst`, `.parquet`, `.jsonl`),
//! over real S3 and on both servers (`on_both_servers.rs`), counting requests and bytes:
//! large compressed tables preview from their head, a large Parquet file from its footer and
//! first pages, broken files get their own warning while the rest of the database previews,
//! two files with one name are reported, and imports decompress gzip and zstd.
//!
//! Expected values come from `catalog::sample_files`, which wrote the files: row `i` holds
//! the same cells in every format.

use bytes::Bytes;
use catalog::import::{ImportError, TableImport};
use catalog::sample_files::{
    TEXT_COLUMNS, compress, csv_text, jsonl_text, parquet_bytes, parquet_bytes_without_page_index,
    parquet_cells, row_cells,
};
use catalog::testing::TestStore;
use catalog::{CatalogError, Layout, Scope};
use shared::{
    ColumnType, Compression, DatabaseName, TableFormat, TableName, TablePreview, UserName,
    WarningKind,
};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db(name: &str) -> DatabaseName {
    DatabaseName::parse(name).unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

/// The key of `file` in the default database `database`.
fn key(store: &TestStore, database: &str, file: &str) -> String {
    format!(
        "{}{file}",
        Layout::of(store.store()).database_prefix(&Scope::Default, &db(database))
    )
}

/// Writes a large object behind the catalog's back, by multipart upload.
async fn put_large(store: &TestStore, key: &str, body: &[u8]) {
    let mut writer = store.other_store().writer(key, "application/octet-stream");
    for chunk in body.chunks(8 << 20) {
        writer.write(chunk).await.unwrap();
    }
    writer.finish().await.unwrap();
}

async fn scans_done(store: &TestStore) {
    for _ in 0..2400 {
        if store.catalog.background_counts_running() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the background scans did not finish in 120 s");
}

async fn previews(store: &TestStore, database: &str) -> Vec<TablePreview> {
    store
        .catalog
        .database_schema(&user(), &db(database), 5)
        .await
        .unwrap()
        .tables
}

/// A compressed CSV object of at least `min_bytes`: a first member or frame with rows
/// 1..=1000, then copies of one member of 20,000 rows until the size is reached. Every
/// member decodes to whole rows, so the object is one valid stream (as `cat a.gz b.gz`
/// makes). Returns the object and its row count.
fn large_compressed(compression: Compression, min_bytes: usize) -> (Vec<u8>, u64) {
    let mut object = compress(compression, &csv_text(1..1001, true, 200, 1));
    let member = compress(compression, &csv_text(1001..21_001, false, 200, 2));
    let mut rows = 1000;
    while object.len() < min_bytes {
        object.extend_from_slice(&member);
        rows += 20_000;
    }
    (object, rows)
}

fn assert_sample_rows(preview: &TablePreview, cells: impl Fn(u64) -> Vec<String>) {
    assert_eq!(preview.sample_rows.len(), 5, "{}", preview.name);
    for (index, row) in preview.sample_rows.iter().enumerate() {
        let expected = cells(index as u64 + 1);
        assert_eq!(
            &row[..expected.len()],
            &expected[..],
            "{} row {index}",
            preview.name
        );
    }
}

pub async fn large_compressed_tables_preview_from_at_most_256_kib(store: TestStore) {
    for (database, file, compression, format) in [
        ("gz", "events.csv.gz", Compression::Gzip, TableFormat::CsvGz),
        (
            "zst",
            "events.csv.zst",
            Compression::Zstd,
            TableFormat::CsvZst,
        ),
    ] {
        let (object, rows) = large_compressed(compression, 200 << 20);
        assert!(object.len() >= 200 << 20);
        put_large(&store, &key(&store, database, file), &object).await;
        // The listing first (as the database page has it), then the preview alone.
        let list = store.catalog.list_databases(&user()).await.unwrap();
        let summary = list.iter().find(|d| d.name == db(database)).unwrap();
        assert_eq!(summary.formats, [format]);
        let before = store.store().requests();
        let preview = previews(&store, database).await.remove(0);
        let cost = store.store().requests().since(before);
        assert!(
            cost.body_bytes <= 256 * 1024,
            "{file}: {} bytes read of {}",
            cost.body_bytes,
            object.len()
        );
        assert_eq!(preview.format, format);
        let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, [&TEXT_COLUMNS[..], &["payload"]].concat());
        let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.column_type).collect();
        use ColumnType::*;
        assert_eq!(types, [Integer, Text, Float, Date, Boolean, Text]);
        assert_sample_rows(&preview, |i| row_cells(i).to_vec());
        assert!(!preview.row_count_exact);
        // Estimated from the compressed bytes per row read: the right order of magnitude.
        assert!(
            preview.row_count > rows / 2 && preview.row_count < rows * 2,
            "{file}: estimate {} for {rows} rows",
            preview.row_count
        );
    }
}

pub async fn a_compressed_table_is_counted_profiled_and_paged_after_its_scan(store: TestStore) {
    // Three gzip members: 30,000 rows.
    let mut object = compress(Compression::Gzip, &csv_text(1..10_001, true, 0, 1));
    object.extend(compress(
        Compression::Gzip,
        &csv_text(10_001..20_001, false, 0, 1),
    ));
    object.extend(compress(
        Compression::Gzip,
        &csv_text(20_001..30_001, false, 0, 1),
    ));
    store
        .put_raw(&key(&store, "logs", "visits.csv.gz"), &object)
        .await;
    let first = previews(&store, "logs").await.remove(0);
    assert!(!first.row_count_exact || first.row_count == 30_000);
    scans_done(&store).await;
    let after = previews(&store, "logs").await.remove(0);
    assert_eq!((after.row_count, after.row_count_exact), (30_000, true));
    let profile = store
        .catalog
        .table_profile(&user(), &db("logs"), &table("visits"))
        .await
        .unwrap();
    assert_eq!(profile.row_count, 30_000);
    // 30,000 distinct ids: past the exact counts, estimated (HyperLogLog, within 2%).
    let ids = &profile.columns[0];
    assert!(
        !ids.distinct_exact && ids.distinct.abs_diff(30_000) < 600,
        "{}",
        ids.distinct
    );
    // A page from the middle: decoded from the start, the rows asked for.
    let page = store
        .catalog
        .table_rows(&user(), &db("logs"), &table("visits"), 25_000, 3)
        .await
        .unwrap();
    assert_eq!(page.format, TableFormat::CsvGz);
    assert_eq!(
        page.rows,
        (25_001..25_004)
            .map(|i| row_cells(i).to_vec())
            .collect::<Vec<_>>()
    );
    assert_eq!((page.row_count, page.row_count_exact), (30_000, true));
}

pub async fn rows_past_what_a_page_decodes_say_so(store: TestStore) {
    // 80 MB of identical rows compress to almost nothing: past the 64 MiB a page decodes.
    let row = b"1,name-1,1.5,2024-01-02,false\n";
    let mut text = b"id,name,amount,day,flag\n".to_vec();
    text.extend(row.repeat(80_000_000 / row.len()));
    store
        .put_raw(
            &key(&store, "deep", "t.csv.zst"),
            &compress(Compression::Zstd, &text),
        )
        .await;
    let error = store
        .catalog
        .table_rows(&user(), &db("deep"), &table("t"), 2_700_000, 10)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::RowsOutOfReach { limit_mib: 64, .. }),
        "{error:?}"
    );
    let near = store
        .catalog
        .table_rows(&user(), &db("deep"), &table("t"), 1_000_000, 2)
        .await
        .unwrap();
    assert_eq!(near.rows.len(), 2);
}

/// Where the data of row groups `from..` lies in a Parquet file (the page indexes and the
/// footer come after it).
fn row_group_data(file: &Bytes, from: usize) -> std::ops::Range<usize> {
    let metadata = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(file)
        .unwrap();
    let ranges: Vec<(u64, u64)> = metadata.row_groups()[from..]
        .iter()
        .flat_map(|group| group.columns().iter().map(|column| column.byte_range()))
        .collect();
    let start = ranges.iter().map(|(start, _)| *start).min().unwrap();
    let end = ranges
        .iter()
        .map(|(start, length)| start + length)
        .max()
        .unwrap();
    start as usize..end as usize
}

pub async fn a_large_parquet_file_previews_from_its_footer_and_first_pages(store: TestStore) {
    // 200,000 rows of about 1 KB in 5 row groups.
    let file = parquet_bytes(1..200_001, 40_000, 1060, 7).unwrap();
    assert!(file.len() >= 200 << 20, "{}", file.len());
    let footer =
        u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap()) as u64 + 8;
    // Every later row group's pages overwritten: reading any of them would fail.
    let mut object = file.to_vec();
    object[row_group_data(&file, 1)].fill(0xff);
    put_large(&store, &key(&store, "pq", "facts.parquet"), &object).await;
    // A cold preview: the database's two LISTs, then the table's reads.
    let before = store.store().requests();
    let preview = previews(&store, "pq").await.remove(0);
    let cost = store.store().requests().since(before);
    assert!(cost.gets <= 3, "{cost:?}");
    // The footer is read with the bytes before it (the offset index is there); the two
    // listings' XML is a few KiB.
    let footer_read = footer.max(catalog::parquet_files::FOOTER_PREFETCH_BYTES as u64);
    assert!(
        cost.body_bytes <= footer_read + (8 << 20) + (64 << 10),
        "{} bytes read; footer {footer}",
        cost.body_bytes
    );
    assert_eq!(preview.format, TableFormat::Parquet);
    assert_eq!(
        (preview.row_count, preview.row_count_exact),
        (200_000, true),
        "{:?}",
        preview.warnings
    );
    assert!(preview.warnings.is_empty(), "{:?}", preview.warnings);
    let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id", "name", "amount", "day", "flag", "price", "tags", "payload"
        ]
    );
    use ColumnType::*;
    let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.column_type).collect();
    assert_eq!(
        types,
        [Integer, Text, Float, Date, Boolean, Float, Text, Text]
    );
    assert_sample_rows(&preview, parquet_cells);
    // The whole table's figures, from the footer's statistics alone.
    let summary = |column: usize| {
        let summary = &preview.column_summaries[column];
        (
            summary.empty,
            summary.min.as_deref(),
            summary.max.as_deref(),
        )
    };
    assert_eq!(summary(0), (Some(0), Some("1"), Some("200000")));
    assert_eq!(summary(1), (Some(0), Some("name-1"), Some("name-99999")));
    assert_eq!(
        summary(3),
        (Some(0), Some("2024-01-01"), Some("2024-01-28"))
    );
    assert_eq!(summary(5), (Some(0), Some("1.01"), Some("202000.00")));
    // Nested: no statistics of its own. Long strings: the writer keeps only their start.
    assert_eq!(summary(6), (None, None, None));
    assert_eq!(summary(7), (Some(0), None, None));
}

pub async fn a_parquet_page_reads_only_the_row_group_that_holds_it(store: TestStore) {
    // 100,000 rows in 10 row groups.
    let file = parquet_bytes(1..100_001, 10_000, 100, 3).unwrap();
    store
        .put_raw(&key(&store, "pages", "facts.parquet"), &file)
        .await;
    previews(&store, "pages").await;
    let before = store.store().requests();
    let page = store
        .catalog
        .table_rows(&user(), &db("pages"), &table("facts"), 55_000, 4)
        .await
        .unwrap();
    let cost = store.store().requests().since(before);
    let expected: Vec<Vec<String>> = (55_001..55_005).map(parquet_cells).collect();
    let shown: Vec<Vec<String>> = page.rows.iter().map(|row| row[..7].to_vec()).collect();
    assert_eq!(shown, expected);
    assert_eq!((page.row_count, page.row_count_exact), (100_000, true));
    assert!(cost.gets <= 3, "{cost:?}");
    // One row group is about a tenth of the file; a page reads less than two.
    assert!(
        cost.body_bytes < file.len() as u64 / 5,
        "{cost:?} of {}",
        file.len()
    );
    // Across a row group's end, and past the last row.
    let across = store
        .catalog
        .table_rows(&user(), &db("pages"), &table("facts"), 9_998, 4)
        .await
        .unwrap();
    let ids: Vec<&str> = across.rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(ids, ["9999", "10000", "10001", "10002"]);
    let past = store
        .catalog
        .table_rows(&user(), &db("pages"), &table("facts"), 100_000, 4)
        .await
        .unwrap();
    assert!(past.rows.is_empty());
}

pub async fn a_parquet_file_without_a_page_index_is_read_page_by_page(store: TestStore) {
    // One row group of 100,000 rows of about 1 KB, no offset index (pyarrow's default):
    // nothing says where its pages are, yet a preview reads only their start.
    let file = parquet_bytes_without_page_index(1..100_001, 100_000, 1000, 5).unwrap();
    assert!(file.len() > 100_000_000, "{}", file.len());
    put_large(&store, &key(&store, "plain", "facts.parquet"), &file).await;
    let before = store.store().requests();
    let preview = previews(&store, "plain").await.remove(0);
    let cost = store.store().requests().since(before);
    assert!(preview.warnings.is_empty(), "{:?}", preview.warnings);
    assert_sample_rows(&preview, parquet_cells);
    assert_eq!(
        (preview.row_count, preview.row_count_exact),
        (100_000, true)
    );
    assert!(cost.gets <= 3, "{cost:?}");
    assert!(
        cost.body_bytes <= (256 << 10) + (8 << 20) + (64 << 10),
        "{cost:?}"
    );
    // Deep in the row group: read in order up to the rows, not past them.
    let before = store.store().requests();
    let page = store
        .catalog
        .table_rows(&user(), &db("plain"), &table("facts"), 30_000, 3)
        .await
        .unwrap();
    let cost = store.store().requests().since(before);
    let shown: Vec<Vec<String>> = page.rows.iter().map(|row| row[..7].to_vec()).collect();
    assert_eq!(
        shown,
        (30_001..30_004).map(parquet_cells).collect::<Vec<_>>()
    );
    assert!(
        cost.body_bytes < file.len() as u64 / 2,
        "{cost:?} of {}",
        file.len()
    );
}

pub async fn json_lines_preview_count_and_page(store: TestStore) {
    store
        .put_raw(&key(&store, "events", "log.jsonl"), &jsonl_text(1..20_001))
        .await;
    let preview = previews(&store, "events").await.remove(0);
    assert_eq!(preview.format, TableFormat::Jsonl);
    let names: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, TEXT_COLUMNS);
    use ColumnType::*;
    let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.column_type).collect();
    assert_eq!(types, [Integer, Text, Float, Date, Boolean]);
    assert_sample_rows(&preview, |i| row_cells(i).to_vec());
    scans_done(&store).await;
    let counted = previews(&store, "events").await.remove(0);
    assert_eq!((counted.row_count, counted.row_count_exact), (20_000, true));
    let page = store
        .catalog
        .table_rows(&user(), &db("events"), &table("log"), 15_000, 2)
        .await
        .unwrap();
    assert_eq!(
        page.rows,
        vec![row_cells(15_001).to_vec(), row_cells(15_002).to_vec()]
    );
    let profile = store
        .catalog
        .table_profile(&user(), &db("events"), &table("log"))
        .await
        .unwrap_err();
    assert!(
        matches!(profile, CatalogError::NotForFormat { .. }),
        "{profile:?}"
    );
}

pub async fn broken_files_get_their_own_warning_and_the_rest_previews(store: TestStore) {
    let good = csv_text(1..11, true, 0, 1);
    let gz = compress(Compression::Gzip, &csv_text(1..5001, true, 0, 1));
    for (file, body) in [
        ("good.csv", good.clone()),
        ("cut.csv.gz", gz[..gz.len() / 2].to_vec()),
        ("fake.parquet", good.clone()),
        ("bad.jsonl", b"{\"a\": 1}\n{\"a\": 2\n{\"a\": 3}\n".to_vec()),
        ("fine.jsonl", jsonl_text(1..4)),
    ] {
        store.put_raw(&key(&store, "mixed", file), &body).await;
    }
    let tables = previews(&store, "mixed").await;
    let by_name = |name: &str| tables.iter().find(|t| t.name.as_str() == name).unwrap();
    assert_eq!(by_name("good").row_count, 10);
    assert_eq!(by_name("fine").row_count, 3);
    for (name, says) in [
        ("cut", "truncated"),
        ("fake", "not a readable Parquet file"),
        ("bad", "line 2 is not JSON"),
    ] {
        let preview = by_name(name);
        let warning = preview
            .warnings
            .iter()
            .find(|warning| matches!(warning.kind, WarningKind::Unreadable { .. }))
            .unwrap_or_else(|| panic!("{name}: {:?}", preview.warnings));
        assert!(
            warning.message.contains(says),
            "{name}: {}",
            warning.message
        );
        assert!(preview.columns.is_empty());
    }
}

pub async fn files_that_share_a_name_are_reported_and_deleted_together(store: TestStore) {
    let layout = Layout::of(store.store());
    let scope = Scope::User(user());
    let prefix = layout.database_prefix(&scope, &db("mine"));
    store
        .catalog
        .create_database(&user(), &db("mine"))
        .await
        .unwrap();
    for (file, body) in [
        ("t.csv", csv_text(1..4, true, 0, 1)),
        ("t.jsonl", jsonl_text(1..3)),
        ("u.ndjson", jsonl_text(1..3)),
    ] {
        store.put_raw(&format!("{prefix}{file}"), &body).await;
    }
    let file = parquet_bytes(1..10, 100, 0, 1).unwrap();
    store.put_raw(&format!("{prefix}t.parquet"), &file).await;
    let list = store.catalog.list_databases(&user()).await.unwrap();
    let mine = list.iter().find(|d| d.name == db("mine")).unwrap();
    assert_eq!(mine.tables, [table("t"), table("u")]);
    assert_eq!(mine.formats, [TableFormat::Csv, TableFormat::Jsonl]);
    let schema = store
        .catalog
        .database_schema(&user(), &db("mine"), 5)
        .await
        .unwrap();
    let hidden: Vec<(&str, TableFormat)> = schema
        .shadowed
        .iter()
        .map(|object| (object.file.as_str(), object.shown_format))
        .collect();
    assert_eq!(
        hidden,
        [
            ("t.parquet", TableFormat::Csv),
            ("t.jsonl", TableFormat::Csv)
        ]
    );
    assert!(schema.shadowed[0].message.contains("Rename t.parquet"));
    let deleted = store
        .catalog
        .delete_table(&user(), &db("mine"), &table("t"))
        .await
        .unwrap();
    assert_eq!(deleted, 3);
    let keys = store.all_keys().await;
    assert!(!keys.iter().any(|key| key.contains("/mine/t.")), "{keys:?}");
    assert!(keys.iter().any(|key| key.ends_with("/mine/u.ndjson")));
}

pub async fn imports_store_compressed_files_as_plain_csv(store: TestStore) {
    let text = csv_text(1..2001, true, 0, 1);
    for (name, compression) in [("zipped", Compression::Gzip), ("packed", Compression::Zstd)] {
        let body = Bytes::from(compress(compression, &text));
        // Sent in small pieces, as a network delivers it.
        let chunks: Vec<Result<Bytes, std::io::Error>> = (0..body.len())
            .step_by(1000)
            .map(|start| Ok(body.slice(start..(start + 1000).min(body.len()))))
            .collect();
        let import = TableImport {
            table: table(name),
            replace: false,
            max_bytes: 1 << 30,
        };
        let imported = store
            .catalog
            .import_table(
                &user(),
                &db("uploads"),
                import,
                futures::stream::iter(chunks),
            )
            .await
            .unwrap();
        assert_eq!(imported.rows, 2000);
        assert!(
            matches!(imported.warnings[0].kind, WarningKind::Decompressed { .. }),
            "{:?}",
            imported.warnings
        );
        let key =
            Layout::of(store.store()).table_key(&Scope::User(user()), &db("uploads"), &table(name));
        let stored = store.store().get_small(&key).await.unwrap();
        assert_eq!(stored, text, "{name} is stored as the CSV it held");
    }
    // A truncated gzip file: refused, nothing left behind.
    let gz = compress(Compression::Gzip, &text);
    let import = TableImport {
        table: table("broken"),
        replace: false,
        max_bytes: 1 << 30,
    };
    let cut = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(
        gz[..gz.len() / 2].to_vec(),
    ))]);
    let error = store
        .catalog
        .import_table(&user(), &db("uploads"), import, cut)
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::Compressed { .. }), "{error:?}");
    assert!(error.to_string().contains("truncated"), "{error}");
    let keys = store.all_keys().await;
    assert!(!keys.iter().any(|key| key.contains("broken")), "{keys:?}");
    assert_eq!(store.incomplete_uploads().await, 0);
}

pub async fn a_parquet_footer_past_its_bound_is_refused_without_being_read(store: TestStore) {
    // A file whose footer says it is 33 MiB long: past the 32 MiB a server holds of one.
    let footer = 33_u32 << 20;
    let mut object = vec![0_u8; footer as usize + 8];
    let end = object.len();
    object[end - 8..end - 4].copy_from_slice(&footer.to_le_bytes());
    object[end - 4..].copy_from_slice(b"PAR1");
    object[..4].copy_from_slice(b"PAR1");
    put_large(&store, &key(&store, "huge", "meta.parquet"), &object).await;
    let before = store.store().requests();
    let preview = previews(&store, "huge").await.remove(0);
    let cost = store.store().requests().since(before);
    let warning = preview
        .warnings
        .iter()
        .find(|warning| matches!(warning.kind, WarningKind::Unreadable { .. }))
        .unwrap_or_else(|| panic!("{:?}", preview.warnings));
    assert!(
        warning.message.contains("its footer is 33 MiB"),
        "{}",
        warning.message
    );
    // Only the prefetched tail was read (and the listings' XML).
    let tail = catalog::parquet_files::FOOTER_PREFETCH_BYTES as u64;
    assert!(
        cost.body_bytes <= tail + (64 << 10),
        "{} bytes read",
        cost.body_bytes
    );
}

storage::on_both_servers!(catalog::testing::fresh =>
    large_compressed_tables_preview_from_at_most_256_kib,
    a_compressed_table_is_counted_profiled_and_paged_after_its_scan,
    rows_past_what_a_page_decodes_say_so,
    a_large_parquet_file_previews_from_its_footer_and_first_pages,
    a_parquet_page_reads_only_the_row_group_that_holds_it,
    a_parquet_file_without_a_page_index_is_read_page_by_page,
    a_parquet_footer_past_its_bound_is_refused_without_being_read,
    json_lines_preview_count_and_page,
    broken_files_get_their_own_warning_and_the_rest_previews,
    files_that_share_a_name_are_reported_and_deleted_together,
    imports_store_compressed_files_as_plain_csv,
);
