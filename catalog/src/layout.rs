//! Where databases, tables, markers and statistics live in the bucket, and how a listed key
//! is read back (docs/ARCHITECTURE.md, "The S3 layout"). The only place the catalog builds or
//! parses object keys.
//!
//! ```text
//! {prefix}default/{database}/{table}.csv                shared, read-only databases
//!                                                       (or .tsv, .csv.gz, .tsv.gz, .csv.zst,
//!                                                       .parquet, .jsonl, .ndjson: tables
//!                                                       other tools wrote; shared::formats)
//! {prefix}users/{user}/{database}/{table}.csv           each user's own databases
//! {prefix}meta/default/{database}/database.json         marker: the database exists
//! {prefix}meta/default/{database}/stats/{table}.json    statistics of one table
//! {prefix}meta/default/{database}/index/{table}.json    row index of one table (> 4 MiB)
//! {prefix}meta/default/{database}/profiles/{table}.json column profiles of one table
//! {prefix}meta/users/{user}/{database}/...              the same for a user's databases
//! {prefix}meta/layout.json                              the layout's format (2)
//! ```
//! The app's own objects about a database (markers, statistics, and what later features
//! keep per table) live in the parallel `meta/` tree, never among the tables: listing the
//! tables of a scope pages through tables only, and listing `meta/{scope}/` by folder finds
//! every database (even one without tables) in one request per 1,000 databases.
//!
//! Format 1 kept them inside each database, in `{database}/.dbm/`; [`Layout::moved_sidecar`]
//! says where such an object belongs now (`crate::migrate` moves them once). Beside these,
//! the `auth` crate keeps accounts under `{prefix}system/`; no listing of databases looks
//! there. Names can never start with `.`, so `.dbm` cannot collide with a table.

use shared::{DatabaseName, TableFormat, TableName, UserName};
use storage::Store;

/// Format 1's folder inside a database for the app's own objects; listings hide it.
const LEGACY_DIR: &str = ".dbm";
/// The tree, beside `default/` and `users/`, that holds the app's objects about databases.
const META_DIR: &str = "meta/";
const MARKER_FILE: &str = "database.json";
/// The layout's format, kept at `{prefix}meta/layout.json`.
pub const LAYOUT_FORMAT: u32 = 2;
/// What the app writes: plain CSV.
const TABLE_EXTENSION: &str = ".csv";

/// Whose databases: the shared default ones, or one user's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Default,
    User(UserName),
}

/// What a key found under a scope is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Table {
        database: DatabaseName,
        table: TableName,
        format: TableFormat,
    },
    /// An object in format 1's reserved folder (`.dbm/`), not yet moved.
    Reserved { database: DatabaseName },
    /// Anything else under a database (another file type, a nested folder): ignored, but
    /// it still shows that the database exists.
    Other { database: DatabaseName },
}

impl Entry {
    pub fn database(&self) -> &DatabaseName {
        match self {
            Entry::Table { database, .. }
            | Entry::Reserved { database }
            | Entry::Other { database } => database,
        }
    }
}

/// Builds and parses keys under the store's key prefix. Borrowed from the store: free to
/// make wherever a key is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout<'a> {
    /// Empty, or ends with `/` ([`Store::prefix`]).
    prefix: &'a str,
}

impl<'a> Layout<'a> {
    /// The layout of the databases in `store`.
    pub fn of(store: &'a Store) -> Self {
        Self {
            prefix: store.prefix(),
        }
    }

    /// The layout under `prefix` (empty, or ending with `/`), for tests.
    #[cfg(test)]
    pub(crate) fn for_prefix(prefix: &'a str) -> Self {
        Self { prefix }
    }

    /// `default/` or `users/{user}/`: where a scope sits in the data and the meta trees.
    fn scope_path(scope: &Scope) -> String {
        match scope {
            Scope::Default => "default/".to_owned(),
            Scope::User(user) => format!("users/{user}/"),
        }
    }

    /// The folder that holds every database of `scope`.
    pub fn scope_prefix(&self, scope: &Scope) -> String {
        format!("{}{}", self.prefix, Self::scope_path(scope))
    }

    pub fn database_prefix(&self, scope: &Scope, database: &DatabaseName) -> String {
        format!("{}{database}/", self.scope_prefix(scope))
    }

    /// The folder of the app's objects about every database of `scope`.
    pub fn meta_scope_prefix(&self, scope: &Scope) -> String {
        format!("{}{META_DIR}{}", self.prefix, Self::scope_path(scope))
    }

    /// The folder of the app's objects about one database.
    pub fn meta_database_prefix(&self, scope: &Scope, database: &DatabaseName) -> String {
        format!("{}{database}/", self.meta_scope_prefix(scope))
    }

    /// Where the layout's format is recorded.
    pub fn format_key(&self) -> String {
        format!("{}{META_DIR}layout.json", self.prefix)
    }

    /// Every folder that may hold format 1's `.dbm/` objects: the data trees.
    pub fn data_roots(&self) -> [String; 2] {
        [
            format!("{}default/", self.prefix),
            format!("{}users/", self.prefix),
        ]
    }

    /// Where an object of format 1 (`{scope}{database}/.dbm/{rest}`) belongs now
    /// (`meta/{scope}{database}/{rest}`); `None` for any other key.
    pub fn moved_sidecar(&self, key: &str) -> Option<String> {
        let rest = key.strip_prefix(self.prefix)?;
        let (before, after) = rest.split_once(&format!("/{LEGACY_DIR}/"))?;
        let in_scope = before.starts_with("default/") || before.starts_with("users/");
        in_scope.then(|| format!("{}{META_DIR}{before}/{after}", self.prefix))
    }

    /// The database a folder listed under [`Layout::meta_scope_prefix`] stands for.
    pub fn meta_folder_database(&self, scope: &Scope, folder: &str) -> Option<DatabaseName> {
        let name = folder
            .strip_prefix(&self.meta_scope_prefix(scope))?
            .strip_suffix('/')?;
        DatabaseName::parse(name).ok()
    }

    pub fn table_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}{table}{TABLE_EXTENSION}",
            self.database_prefix(scope, database)
        )
    }

    pub fn marker_key(&self, scope: &Scope, database: &DatabaseName) -> String {
        format!(
            "{}{MARKER_FILE}",
            self.meta_database_prefix(scope, database)
        )
    }

    pub fn stats_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}stats/{table}.json",
            self.meta_database_prefix(scope, database)
        )
    }

    /// The sparse row index of a table (with a copy of its statistics: one GET for a page).
    pub fn index_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}index/{table}.json",
            self.meta_database_prefix(scope, database)
        )
    }

    /// The column profiles of a table (`crate::profiles`).
    pub fn profile_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}profiles/{table}.json",
            self.meta_database_prefix(scope, database)
        )
    }

    /// Reads a listed key back. `None` for keys outside `scope` or directly in the scope
    /// folder, and for database folders whose name breaks the naming rule (written by
    /// another tool): those are not databases this app can address.
    pub fn classify(&self, scope: &Scope, key: &str) -> Option<Entry> {
        let rest = key.strip_prefix(&self.scope_prefix(scope))?;
        let (database, inside) = rest.split_once('/')?;
        let database = DatabaseName::parse(database).ok()?;
        if inside.starts_with(&format!("{LEGACY_DIR}/")) {
            return Some(Entry::Reserved { database });
        }
        let table = TableFormat::split_file_name(inside)
            .filter(|(stem, _)| !stem.contains('/'))
            .and_then(|(stem, format)| Some((TableName::parse(stem).ok()?, format)));
        Some(match table {
            Some((table, format)) => Entry::Table {
                database,
                table,
                format,
            },
            None => Entry::Other { database },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(prefix: &str) -> Layout<'_> {
        Layout { prefix }
    }

    fn name<T: std::str::FromStr>(raw: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        raw.parse().expect("valid test name")
    }

    #[test]
    fn keys_follow_the_documented_layout() {
        let layout = layout("team/");
        let user = Scope::User(name("alice"));
        let db: DatabaseName = name("school");
        let table: TableName = name("students");
        assert_eq!(
            layout.table_key(&Scope::Default, &db, &table),
            "team/default/school/students.csv"
        );
        assert_eq!(
            layout.table_key(&user, &db, &table),
            "team/users/alice/school/students.csv"
        );
        assert_eq!(
            layout.marker_key(&user, &db),
            "team/meta/users/alice/school/database.json"
        );
        assert_eq!(
            layout.stats_key(&Scope::Default, &db, &table),
            "team/meta/default/school/stats/students.json"
        );
        assert_eq!(
            layout.index_key(&Scope::Default, &db, &table),
            "team/meta/default/school/index/students.json"
        );
        assert_eq!(
            layout.profile_key(&Scope::Default, &db, &table),
            "team/meta/default/school/profiles/students.json"
        );
        assert_eq!(layout.format_key(), "team/meta/layout.json");
    }

    #[test]
    fn the_meta_tree_is_outside_every_scope_and_its_folders_name_databases() {
        let layout = layout("team/");
        let alice = Scope::User(name("alice"));
        let marker = layout.marker_key(&alice, &name("shop"));
        for scope in [Scope::Default, alice.clone(), Scope::User(name("meta"))] {
            assert_eq!(layout.classify(&scope, &marker), None);
        }
        assert_eq!(
            layout.meta_folder_database(&alice, "team/meta/users/alice/shop/"),
            Some(name("shop"))
        );
        assert_eq!(
            layout.meta_folder_database(&alice, "team/meta/users/alice/bad name/"),
            None
        );
    }

    #[test]
    fn format_1_sidecars_are_moved_to_the_meta_tree() {
        let layout = layout("team/");
        assert_eq!(
            layout
                .moved_sidecar("team/users/alice/shop/.dbm/stats/orders.json")
                .as_deref(),
            Some("team/meta/users/alice/shop/stats/orders.json")
        );
        assert_eq!(
            layout
                .moved_sidecar("team/default/school/.dbm/database.json")
                .as_deref(),
            Some("team/meta/default/school/database.json")
        );
        for other in [
            "team/default/school/students.csv",
            "team/system/accounts/a/account.json",
            "other/default/school/.dbm/database.json",
        ] {
            assert_eq!(layout.moved_sidecar(other), None, "{other}");
        }
    }

    #[test]
    fn the_system_folder_is_outside_every_scope() {
        let layout = layout("team/");
        let system = "team/system/";
        for scope in [Scope::Default, Scope::User(name("system"))] {
            assert!(!system.starts_with(&layout.scope_prefix(&scope)));
            assert_eq!(
                layout.classify(&scope, "team/system/accounts/a/account.json"),
                None
            );
        }
    }

    #[test]
    fn an_empty_prefix_adds_nothing() {
        assert_eq!(layout("").scope_prefix(&Scope::Default), "default/");
    }

    #[test]
    fn listed_keys_are_classified() {
        let layout = layout("p/");
        let scope = Scope::Default;
        assert_eq!(
            layout.classify(&scope, "p/default/school/students.csv"),
            Some(Entry::Table {
                database: name("school"),
                table: name("students"),
                format: TableFormat::Csv,
            })
        );
        assert_eq!(
            layout.classify(&scope, "p/default/school/events.csv.zst"),
            Some(Entry::Table {
                database: name("school"),
                table: name("events"),
                format: TableFormat::CsvZst,
            })
        );
        assert_eq!(
            layout.classify(&scope, "p/default/school/.dbm/stats/students.json"),
            Some(Entry::Reserved {
                database: name("school")
            })
        );
        for other in [
            "p/default/school/notes.txt",
            "p/default/school/sub/deep.csv",
            "p/default/school/bad name.csv",
        ] {
            assert_eq!(
                layout.classify(&scope, other),
                Some(Entry::Other {
                    database: name("school")
                }),
                "{other}"
            );
        }
        assert_eq!(layout.classify(&scope, "p/default/loose.csv"), None);
        assert_eq!(layout.classify(&scope, "p/default/bad db/x.csv"), None);
        assert_eq!(layout.classify(&scope, "p/users/bob/x/y.csv"), None);
    }
}
