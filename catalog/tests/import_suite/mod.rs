//! Import and delete tests, written once and run against every S3 implementation (`on_both_servers.rs`).

use std::time::Duration;

use bytes::Bytes;
use catalog::import::{ImportError, TableImport};
use catalog::testing::TestStore;
use catalog::{CatalogError, Layout, Scope};
use futures::stream;
use shared::{ColumnType, DatabaseName, TableName, UserName, WarningKind};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

fn db(name: &str) -> DatabaseName {
    DatabaseName::parse(name).unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

fn import(name: &str, replace: bool) -> TableImport {
    TableImport {
        table: table(name),
        replace,
        max_bytes: 64 * 1024 * 1024,
    }
}

/// The body as an upload would arrive: in chunks of `chunk` bytes.
fn body(
    bytes: &[u8],
    chunk: usize,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(chunk.max(1))
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    stream::iter(chunks)
}

async fn import_bytes(
    store: &TestStore,
    database: &str,
    name: &str,
    bytes: &[u8],
) -> Result<catalog::import::ImportedTable, ImportError> {
    store
        .catalog
        .import_table(
            &user(),
            &db(database),
            import(name, false),
            body(bytes, 4096),
        )
        .await
}

/// Waits for the aborts that dropped uploads spawn.
/// Waits (at most 20 s) until the background aborts of dropped uploads have ended, their
/// journal entries removed.
async fn all_aborts_end(store: &TestStore) {
    assert!(
        store
            .catalog
            .store()
            .wait_for_aborts(Duration::from_secs(20))
            .await,
        "aborts of dropped uploads still running after 20 s"
    );
}

async fn no_incomplete_uploads(store: &TestStore) {
    for _ in 0..50 {
        if store.incomplete_uploads().await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{} multipart uploads were left behind",
        store.incomplete_uploads().await
    );
}

pub async fn an_import_is_previewed_exactly_from_its_statistics_without_a_scan(store: TestStore) {
    let csv =
        b"id,price,ok,day\n1,2.5,true,2024-01-01\n2,3,false,2024-01-02\n3,4.25,true,2024-01-03\n";
    let imported = import_bytes(&store, "shop", "items", csv).await.unwrap();
    assert_eq!(imported.rows, 3);
    assert!(!imported.replaced);
    let schema = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    let preview = &schema.tables[0];
    assert_eq!((preview.row_count, preview.row_count_exact), (3, true));
    let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.column_type).collect();
    assert_eq!(
        types,
        vec![
            ColumnType::Integer,
            ColumnType::Float,
            ColumnType::Boolean,
            ColumnType::Date
        ]
    );
    assert_eq!(store.catalog.background_counts_running(), 0);
    let listed = store.catalog.list_databases(&user()).await.unwrap();
    assert_eq!(listed[0].tables, vec!["items"]);
}

pub async fn a_replace_is_seen_at_once_and_never_mixed(store: TestStore) {
    import_bytes(&store, "shop", "prices", b"item,price\napple,1\n")
        .await
        .unwrap();
    let before = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    assert_eq!(before.tables[0].sample_rows[0][0], "apple");

    let replaced = store
        .catalog
        .import_table(
            &user(),
            &db("shop"),
            import("prices", true),
            body(b"item,price\npear,2\nplum,3\n", 7),
        )
        .await
        .unwrap();
    assert!(replaced.replaced);
    let after = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    let rows: Vec<&str> = after.tables[0]
        .sample_rows
        .iter()
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(rows, vec!["pear", "plum"]);
    assert_eq!(
        (after.tables[0].row_count, after.tables[0].row_count_exact),
        (2, true)
    );
}

pub async fn an_existing_table_is_a_conflict_unless_replaced(store: TestStore) {
    import_bytes(&store, "shop", "prices", b"item,price\napple,1\n")
        .await
        .unwrap();
    let keys = store.all_keys().await;
    let error = import_bytes(&store, "shop", "prices", b"item,price\npear,2\n")
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::TableExists { .. }), "{error}");
    assert!(error.to_string().contains("already exists"));
    assert_eq!(store.all_keys().await, keys);
}

pub async fn bad_files_are_refused_and_leave_the_bucket_as_it_was(store: TestStore) {
    import_bytes(&store, "shop", "kept", b"a,b\n1,2\n")
        .await
        .unwrap();
    let keys = store.all_keys().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            "PNG image",
        ),
        ("zip", b"PK\x03\x04\x14\x00\x00\x00".to_vec(), "ZIP archive"),
        ("nul", b"id,name\n1,\x00\x00\x00\n".to_vec(), "binary data"),
        (
            "garbage",
            b"id,name\n1,\x81\x8d\xff\xfe\n".to_vec(),
            "neither UTF-8 nor Windows-1252",
        ),
        ("empty", Vec::new(), "empty"),
        (
            "dupes",
            b"id,name,id\n1,a,2\n".to_vec(),
            "columns 1 and 3 are both named \"id\"",
        ),
        (
            "ragged",
            b"a,b\n1,2\n3\n4,5\n6,7,8\n".to_vec(),
            "2 rows have more or fewer fields than the header (lines 3, 5)",
        ),
        (
            "unclosed",
            b"a,b\n1,2\n3,\"oops\n4,5\n".to_vec(),
            "a quoted field that starts on line 3 is never closed",
        ),
        (
            "longname",
            format!("id,{}\n1,2\n", "x".repeat(300)).into_bytes(),
            "column 2's name is 300 characters long, more than the 256 allowed",
        ),
    ];
    for (name, bytes, expected) in cases {
        let error = import_bytes(&store, "shop", name, &bytes)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{name}: {error}");
    }
    // Bad bytes far into a file that began as UTF-8: refused with the line number.
    let mut late = b"id,name\n".to_vec();
    for n in 0..2_000 {
        late.extend_from_slice(format!("{n},café\n").as_bytes());
    }
    late.extend_from_slice(b"2000,\xff\xfe\n");
    let error = import_bytes(&store, "shop", "late", &late)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("line 2002"), "{error}");
    // An unclosed quote makes the rest of the file one row, longer than any row may be:
    // refused for the quote, with its line, in bounded memory.
    let mut unclosed = b"id,note\n1,\"never closed\n".to_vec();
    unclosed.resize(17 * 1024 * 1024, b'a');
    let error = store
        .catalog
        .import_table(
            &user(),
            &db("shop"),
            import("unclosed", false),
            body(&unclosed, 1024 * 1024),
        )
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("a quoted field that starts on line 2 is never closed"),
        "{error}"
    );
    // Over the size limit.
    let limited = TableImport {
        max_bytes: 1_000,
        ..import("big", false)
    };
    let error = store
        .catalog
        .import_table(&user(), &db("shop"), limited, body(&vec![b'a'; 5_000], 512))
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::TooLarge { .. }), "{error}");
    // A new database whose only import failed does not appear.
    let error = import_bytes(&store, "brand-new", "t", b"")
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::Empty), "{error}");

    // The aborts of dropped uploads run in the background, and remove their journal entries.
    all_aborts_end(&store).await;
    assert_eq!(store.all_keys().await, keys, "nothing may be left behind");
    no_incomplete_uploads(&store).await;
}

pub async fn an_upload_cut_off_midway_aborts_and_keeps_the_old_table(store: TestStore) {
    import_bytes(&store, "shop", "orders", b"id,total\n1,2\n")
        .await
        .unwrap();
    let keys = store.all_keys().await;
    // 12 MiB arrive (more than one multipart part), then the client goes away.
    let mut chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Bytes::from_static(b"id,total\n"))];
    let block = Bytes::from("1,2\n".repeat(262_144)); // 1 MiB
    chunks.extend((0..12).map(|_| Ok(block.clone())));
    chunks.push(Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "client disconnected",
    )));
    let error = store
        .catalog
        .import_table(
            &user(),
            &db("shop"),
            import("orders", true),
            stream::iter(chunks),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::CutOff { .. }), "{error}");
    assert!(error.to_string().contains("nothing was saved"));

    // The abort runs in the background and removes the upload's journal entry after the
    // upload: wait for all of it, not only for the upload to go.
    all_aborts_end(&store).await;
    no_incomplete_uploads(&store).await;
    assert_eq!(store.all_keys().await, keys);
    let schema = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    assert_eq!(
        schema.tables[0].row_count, 1,
        "the replaced table is unchanged"
    );
}

pub async fn only_empty_header_cells_are_reported_as_unnamed_columns(store: TestStore) {
    let named = import_bytes(&store, "shop", "totals", b"column_total,amount\n1,2\n")
        .await
        .unwrap();
    assert!(named.warnings.is_empty(), "{:?}", named.warnings);
    let unnamed = import_bytes(&store, "shop", "gaps", b"id,,column_total\n1,2,3\n")
        .await
        .unwrap();
    assert_eq!(
        unnamed.warnings.iter().map(|w| &w.kind).collect::<Vec<_>>(),
        vec![&WarningKind::UnnamedColumns {
            columns: vec!["column_2".to_owned()]
        }]
    );
}

pub async fn windows_1252_files_are_converted_to_utf8_and_the_report_says_so(store: TestStore) {
    let imported = import_bytes(
        &store,
        "shop",
        "cafes",
        b"name,city\nCaf\xe9 Z\xfcrich,Z\xfcrich\n",
    )
    .await
    .unwrap();
    assert!(
        imported.warnings[0].kind == WarningKind::ConvertedFromWindows1252,
        "{:?}",
        imported.warnings
    );
    let schema = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    assert_eq!(schema.tables[0].sample_rows[0][0], "Café Zürich");
    assert!(
        schema.tables[0].warnings.is_empty(),
        "{:?}",
        schema.tables[0].warnings
    );
}

pub async fn default_databases_are_read_only(store: TestStore) {
    let key =
        Layout::of(store.store()).table_key(&Scope::Default, &db("school"), &table("students"));
    store.put_raw(&key, b"id\n1\n").await;
    let keys = store.all_keys().await;
    let error = import_bytes(&store, "school", "mine", b"a\n1\n")
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::Catalog(CatalogError::ReadOnly { .. })),
        "{error}"
    );
    let error = store
        .catalog
        .delete_table(&user(), &db("school"), &table("students"))
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::ReadOnly { .. }), "{error}");
    let error = store
        .catalog
        .delete_database(&user(), &db("school"))
        .await
        .unwrap_err();
    assert!(matches!(error, CatalogError::ReadOnly { .. }), "{error}");
    assert_eq!(store.all_keys().await, keys);
}

pub async fn deleting_a_table_removes_it_and_its_statistics(store: TestStore) {
    import_bytes(&store, "shop", "a", b"x\n1\n").await.unwrap();
    import_bytes(&store, "shop", "b", b"x\n1\n").await.unwrap();
    store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    store
        .catalog
        .delete_table(&user(), &db("shop"), &table("a"))
        .await
        .unwrap();
    let schema = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["b"],
        "the deleted table is gone at once, not after the interval"
    );
    assert!(!store.all_keys().await.iter().any(|key| key.contains("/a.")));
    let error = store
        .catalog
        .delete_table(&user(), &db("shop"), &table("a"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::TableNotFound { .. }),
        "{error}"
    );
}

pub async fn deleting_a_database_removes_everything_under_it(store: TestStore) {
    import_bytes(&store, "shop", "a", b"x\n1\n").await.unwrap();
    import_bytes(&store, "other", "b", b"x\n1\n").await.unwrap();
    store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap();
    let deleted = store
        .catalog
        .delete_database(&user(), &db("shop"))
        .await
        .unwrap();
    assert_eq!(deleted, 4, "table, statistics, column profiles and marker");
    let listed = store.catalog.list_databases(&user()).await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        vec!["other"]
    );
    let error = store
        .catalog
        .database_schema(&user(), &db("shop"), 5)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::DatabaseNotFound { .. }),
        "{error}"
    );
    let error = store
        .catalog
        .delete_database(&user(), &db("shop"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CatalogError::DatabaseNotFound { .. }),
        "{error}"
    );
}

storage::on_both_servers!(catalog::testing::fresh =>
            an_import_is_previewed_exactly_from_its_statistics_without_a_scan,
            a_replace_is_seen_at_once_and_never_mixed,
            an_existing_table_is_a_conflict_unless_replaced,
            bad_files_are_refused_and_leave_the_bucket_as_it_was,
            an_upload_cut_off_midway_aborts_and_keeps_the_old_table,
            only_empty_header_cells_are_reported_as_unnamed_columns,
    windows_1252_files_are_converted_to_utf8_and_the_report_says_so,
            default_databases_are_read_only,
            deleting_a_table_removes_it_and_its_statistics,
            deleting_a_database_removes_everything_under_it,
);
