//! Preview parser cases, written once and run against every S3 implementation (`on_both_servers.rs`): each CSV edge case is written as a table by
//! another client (no statistics), then previewed through the catalog.

use catalog::preview::head::MAX_PREVIEW_CELL_CHARS;
use catalog::testing::TestStore;
use catalog::{Layout, Scope};
use shared::{ColumnType, DatabaseName, TableName, TablePreview, UserName, WarningKind};

fn user() -> UserName {
    UserName::parse("alice").unwrap()
}

async fn preview_of(store: &TestStore, content: &[u8], sample_rows: usize) -> TablePreview {
    let database = DatabaseName::parse("cases").unwrap();
    let table = TableName::parse("t").unwrap();
    let key = Layout::of(store.store()).table_key(&Scope::User(user()), &database, &table);
    store.put_raw(&key, content).await;
    store
        .catalog
        .invalidate_table(&Scope::User(user()), &database, &table);
    let schema = store
        .catalog
        .database_schema(&user(), &database, sample_rows)
        .await
        .unwrap();
    assert_eq!(schema.tables.len(), 1);
    schema.tables.into_iter().next().unwrap()
}

fn types(preview: &TablePreview) -> Vec<ColumnType> {
    preview.columns.iter().map(|c| c.column_type).collect()
}

fn names(preview: &TablePreview) -> Vec<&str> {
    preview.columns.iter().map(|c| c.name.as_str()).collect()
}

pub async fn quoted_fields_keep_their_commas_quotes_and_newlines(store: TestStore) {
    let csv = b"id,note\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"line one\nline two\"\n";
    let preview = preview_of(&store, csv, 5).await;
    assert_eq!(
        preview.sample_rows,
        vec![
            vec!["1".to_owned(), "a, b".to_owned()],
            vec!["2".to_owned(), "say \"hi\"".to_owned()],
            vec!["3".to_owned(), "line one\nline two".to_owned()],
        ]
    );
    assert_eq!((preview.row_count, preview.row_count_exact), (3, true));
}

pub async fn a_bom_and_crlf_line_ends_are_handled(store: TestStore) {
    let preview = preview_of(&store, b"\xEF\xBB\xBFname,age\r\nAda,36\r\nBo,41\r\n", 5).await;
    assert_eq!(names(&preview), vec!["name", "age"]);
    assert_eq!(
        preview.sample_rows[1],
        vec!["Bo".to_owned(), "41".to_owned()]
    );
    assert_eq!(types(&preview), vec![ColumnType::Text, ColumnType::Integer]);
}

pub async fn each_delimiter_is_detected(store: TestStore) {
    for (delimiter, name) in [(b',', ","), (b';', ";"), (b'\t', "\\t"), (b'|', "|")] {
        let d = char::from(delimiter);
        let csv = format!("a{d}b{d}c\n1{d}2.5{d}x\n2{d}3{d}y\n");
        let preview = preview_of(&store, csv.as_bytes(), 5).await;
        assert_eq!(preview.delimiter, name);
        assert_eq!(names(&preview), vec!["a", "b", "c"], "delimiter {name}");
        assert_eq!(
            types(&preview),
            vec![ColumnType::Integer, ColumnType::Float, ColumnType::Text]
        );
    }
}

pub async fn ragged_rows_are_shown_and_flagged(store: TestStore) {
    let preview = preview_of(&store, b"a,b\n1,2\n3\n4,5,6\n", 5).await;
    assert_eq!(preview.sample_rows.len(), 3);
    assert_eq!(preview.sample_rows[1], vec!["3".to_owned()]);
    assert_eq!(preview.ragged_rows, vec![1, 2]);
    assert!(
        preview
            .warnings
            .iter()
            .any(|w| matches!(w.kind, WarningKind::RaggedRowsShown { count: 2 }))
    );
}

pub async fn an_empty_file_is_an_empty_table_not_an_error(store: TestStore) {
    let preview = preview_of(&store, b"", 5).await;
    assert!(preview.columns.is_empty());
    assert_eq!(
        (
            preview.row_count,
            preview.row_count_exact,
            preview.size_bytes
        ),
        (0, true, 0)
    );
    assert!(
        preview
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::EmptyFile)
    );
}

pub async fn a_header_only_file_has_columns_and_no_rows(store: TestStore) {
    let preview = preview_of(&store, b"id;name;born\n", 5).await;
    assert_eq!(names(&preview), vec!["id", "name", "born"]);
    assert!(preview.sample_rows.is_empty());
    assert_eq!((preview.row_count, preview.row_count_exact), (0, true));
}

pub async fn invalid_utf8_gives_a_lossy_preview_that_says_so(store: TestStore) {
    let preview = preview_of(&store, b"city\nS\xe3o Paulo\nZ\xfcrich\n", 5).await;
    assert_eq!(preview.sample_rows[0], vec!["S\u{FFFD}o Paulo".to_owned()]);
    assert!(
        preview
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::InvalidUtf8)
    );
}

pub async fn a_field_over_one_mebibyte_grows_the_range_and_shows_its_start(store: TestStore) {
    let big = "x".repeat(1_200_000);
    let csv = format!("id,blob\n1,\"{big}\"\n2,small\n");
    let preview = preview_of(&store, csv.as_bytes(), 2).await;
    assert_eq!(preview.sample_rows.len(), 2);
    // The preview keeps the start of the cell, and says so.
    let shown = &preview.sample_rows[0][1];
    assert_eq!(shown.chars().count(), MAX_PREVIEW_CELL_CHARS + 1);
    assert!(shown.ends_with("x…"), "{}", &shown[shown.len() - 8..]);
    assert!(preview.warnings.iter().any(|w| w.kind
        == WarningKind::LongCellsShortened {
            limit_chars: MAX_PREVIEW_CELL_CHARS
        }));
    assert_eq!(
        preview.sample_rows[1],
        vec!["2".to_owned(), "small".to_owned()]
    );
    assert_eq!((preview.row_count, preview.row_count_exact), (2, true));
}

pub async fn leading_zeros_and_empty_cells_infer_as_documented(store: TestStore) {
    let csv = b"code,grade,passed,day,at\n00123,4.5,true,2024-01-02,2024-01-02T10:00:00\n00124,,false,2024-01-03,2024-01-03 11:30\n";
    let preview = preview_of(&store, csv, 5).await;
    assert_eq!(
        types(&preview),
        vec![
            ColumnType::Text,
            ColumnType::Float,
            ColumnType::Boolean,
            ColumnType::Date,
            ColumnType::Datetime
        ]
    );
    assert_eq!(
        preview.sample_rows[1][1], "",
        "an empty field is an empty string"
    );
}

storage::on_both_servers!(catalog::testing::fresh =>
            quoted_fields_keep_their_commas_quotes_and_newlines,
            a_bom_and_crlf_line_ends_are_handled,
            each_delimiter_is_detected,
            ragged_rows_are_shown_and_flagged,
            an_empty_file_is_an_empty_table_not_an_error,
            a_header_only_file_has_columns_and_no_rows,
            invalid_utf8_gives_a_lossy_preview_that_says_so,
            a_field_over_one_mebibyte_grows_the_range_and_shows_its_start,
            leading_zeros_and_empty_cells_infer_as_documented,
);
