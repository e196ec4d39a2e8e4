//! The listing tests, written once and run against every S3 implementation (`on_both_servers.rs`). Each function receives a fresh, empty store.

use catalog::{Layout, Scope};
use futures::stream::{self, StreamExt};
use shared::{DatabaseName, DatabaseSummary, TableName, UserName};

use catalog::PreviewSettings;
use catalog::testing::TestStore;
use storage::testing::Server;

/// Every suite test runs under this key prefix, so prefixes are tested everywhere.
pub const SUITE_PREFIX: &str = "team";

fn db(name: &str) -> DatabaseName {
    DatabaseName::parse(name).unwrap()
}

fn table(name: &str) -> TableName {
    TableName::parse(name).unwrap()
}

fn alice() -> UserName {
    UserName::parse("alice").unwrap()
}

fn summary(name: &str, tables: &[&str], is_default: bool) -> DatabaseSummary {
    DatabaseSummary {
        name: DatabaseName::parse(name).unwrap(),
        table_count: tables.len(),
        tables: tables
            .iter()
            .map(|t| TableName::parse(t).unwrap())
            .collect(),
        formats: vec![shared::TableFormat::Csv; tables.len()],
        is_default,
    }
}

async fn put_table(store: &TestStore, scope: &Scope, database: &str, name: &str) {
    let key = Layout::of(store.store()).table_key(scope, &db(database), &table(name));
    store.put_raw(&key, b"id,name\n1,a\n").await;
}

pub async fn an_empty_bucket_lists_no_databases(store: TestStore) {
    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![]);
}

pub async fn default_and_own_databases_are_listed_sorted_with_their_tables(store: TestStore) {
    let own = Scope::User(alice());
    put_table(&store, &Scope::Default, "school", "students").await;
    put_table(&store, &Scope::Default, "school", "courses").await;
    put_table(&store, &own, "zoo", "animals").await;
    put_table(&store, &own, "archive", "old").await;

    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(
        listed,
        vec![
            summary("archive", &["old"], false),
            summary("school", &["courses", "students"], true),
            summary("zoo", &["animals"], false),
        ]
    );
}

pub async fn a_database_with_a_marker_but_no_tables_is_listed_empty(store: TestStore) {
    store
        .catalog
        .create_database(&alice(), &db("fresh"))
        .await
        .unwrap();
    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![summary("fresh", &[], false)]);
}

pub async fn keys_follow_the_documented_layout(store: TestStore) {
    put_table(&store, &Scope::User(alice()), "shop", "orders").await;
    store
        .catalog
        .create_database(&alice(), &db("shop"))
        .await
        .unwrap();
    let prefix = store.store().prefix().to_owned();
    assert_eq!(
        store.all_keys().await,
        vec![
            format!("{prefix}meta/users/alice/shop/database.json"),
            format!("{prefix}users/alice/shop/orders.csv"),
        ]
    );
}

pub async fn format_1_markers_and_statistics_are_moved_to_the_meta_tree_once(store: TestStore) {
    let prefix = store.store().prefix().to_owned();
    let old = [
        format!("{prefix}default/school/.dbm/database.json"),
        format!("{prefix}default/school/.dbm/stats/students.json"),
        format!("{prefix}users/alice/shop/.dbm/database.json"),
    ];
    for key in &old {
        store.put_raw(key, b"{}").await;
    }
    put_table(&store, &Scope::Default, "school", "students").await;

    let moved = catalog::migrate::move_format_1_sidecars(store.store())
        .await
        .unwrap();
    assert_eq!(moved, 3);
    assert_eq!(
        store.all_keys().await,
        vec![
            format!("{prefix}default/school/students.csv"),
            format!("{prefix}meta/default/school/database.json"),
            format!("{prefix}meta/default/school/stats/students.json"),
            format!("{prefix}meta/layout.json"),
            format!("{prefix}meta/users/alice/shop/database.json"),
        ]
    );
    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(
        listed,
        vec![
            summary("school", &["students"], true),
            summary("shop", &[], false)
        ]
    );
    // Recorded: the next start makes one request and moves nothing.
    store.put_raw(&old[0], b"{}").await;
    let again = catalog::migrate::move_format_1_sidecars(store.store())
        .await
        .unwrap();
    assert_eq!(again, 0);
}

pub async fn reserved_objects_and_other_files_are_hidden_from_the_table_list(store: TestStore) {
    let layout = Layout::of(store.store());
    let scope = Scope::Default;
    put_table(&store, &scope, "school", "students").await;
    let stats = layout.stats_key(&scope, &db("school"), &table("students"));
    store.put_raw(&stats, b"{}").await;
    let prefix = layout.database_prefix(&scope, &db("school"));
    store
        .put_raw(&format!("{prefix}README.txt"), b"notes")
        .await;
    store
        .put_raw(&format!("{prefix}nested/deep.csv"), b"a\n1\n")
        .await;
    store
        .put_raw(&format!("{prefix}bad name.csv"), b"a\n1\n")
        .await;

    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![summary("school", &["students"], true)]);
}

pub async fn folders_with_invalid_names_written_by_other_tools_are_not_databases(store: TestStore) {
    let scope_prefix = Layout::of(store.store()).scope_prefix(&Scope::Default);
    for bad in [".hidden", "with space", "_private", "dots.in.name"] {
        store
            .put_raw(&format!("{scope_prefix}{bad}/t.csv"), b"a\n1\n")
            .await;
    }
    store
        .put_raw(&format!("{scope_prefix}loose.csv"), b"a\n1\n")
        .await;
    put_table(&store, &Scope::Default, "good", "t").await;

    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![summary("good", &["t"], true)]);
}

pub async fn another_users_databases_are_not_listed(store: TestStore) {
    let bob = UserName::parse("bob").unwrap();
    put_table(&store, &Scope::User(bob.clone()), "secret", "plans").await;
    put_table(&store, &Scope::User(alice()), "mine", "notes").await;

    let for_alice = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(for_alice, vec![summary("mine", &["notes"], false)]);
    let for_bob = store.catalog.list_databases(&bob).await.unwrap();
    assert_eq!(for_bob, vec![summary("secret", &["plans"], false)]);
}

pub async fn objects_outside_the_configured_prefix_are_ignored(store: TestStore) {
    // The store under test was opened with SUITE_PREFIX; write beside it.
    store.put_raw("default/elsewhere/t.csv", b"a\n1\n").await;
    put_table(&store, &Scope::Default, "inside", "t").await;

    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![summary("inside", &["t"], true)]);
}

pub async fn listings_longer_than_one_page_are_followed_to_the_end(store: TestStore) {
    // S3 pages listings at 1,000 keys; 1,005 tables need two pages.
    let names: Vec<String> = (0..1_005).map(|i| format!("t{i:04}")).collect();
    stream::iter(&names)
        .for_each_concurrent(16, |name| put_table(&store, &Scope::Default, "big", name))
        .await;

    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].table_count, 1_005);
    assert_eq!(
        listed[0].tables.first().map(TableName::as_str),
        Some("t0000")
    );
    assert_eq!(
        listed[0].tables.last().map(TableName::as_str),
        Some("t1004")
    );
}

pub async fn invalid_names_are_refused_with_a_clear_message_and_write_nothing(store: TestStore) {
    let cases = [
        ("..", "'.'"),
        ("a/b", "'/'"),
        ("", "empty"),
        (&"x".repeat(65) as &str, "65 characters"),
        ("tab\there", "'\\t'"),
        ("bell\u{7}", "'\\u{7}'"),
        (".hidden", "'.'"),
        ("_private", "must start with a letter or a digit"),
    ];
    for (raw, expected) in cases {
        match DatabaseName::parse(raw) {
            Ok(name) => {
                store
                    .catalog
                    .create_database(&alice(), &name)
                    .await
                    .unwrap();
                panic!("{raw:?} was accepted");
            }
            Err(error) => {
                let message = error.to_string();
                assert!(message.contains(expected), "{raw:?}: {message}");
                assert!(message.contains("database name"), "{raw:?}: {message}");
            }
        }
    }
    let prefix = store.store().prefix().to_owned();
    assert_eq!(store.store().list(&prefix).await.unwrap(), vec![]);
}

pub async fn the_list_reads_no_table_content(store: TestStore) {
    // A table whose content is not CSV at all still lists: the list never opens objects.
    let key = Layout::of(store.store()).table_key(&Scope::Default, &db("raw"), &table("blob"));
    store.put_raw(&key, &[0xff, 0x00, 0xfe, 0x01]).await;
    let listed = store.catalog.list_databases(&alice()).await.unwrap();
    assert_eq!(listed, vec![summary("raw", &["blob"], true)]);
}

/// A catalog under [`SUITE_PREFIX`], so the suite also proves keys outside it are ignored.
async fn fixture(server: Server) -> TestStore {
    TestStore::start(server, SUITE_PREFIX, PreviewSettings::default()).await
}

storage::on_both_servers!(fixture =>
            an_empty_bucket_lists_no_databases,
            default_and_own_databases_are_listed_sorted_with_their_tables,
            a_database_with_a_marker_but_no_tables_is_listed_empty,
            keys_follow_the_documented_layout,
            format_1_markers_and_statistics_are_moved_to_the_meta_tree_once,
            reserved_objects_and_other_files_are_hidden_from_the_table_list,
            folders_with_invalid_names_written_by_other_tools_are_not_databases,
            another_users_databases_are_not_listed,
            objects_outside_the_configured_prefix_are_ignored,
            listings_longer_than_one_page_are_followed_to_the_end,
            the_list_reads_no_table_content,
            invalid_names_are_refused_with_a_clear_message_and_write_nothing,
);
