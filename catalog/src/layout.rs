//! Where databases, tables, markers and statistics live in the bucket, and how a listed key
//! is read back (docs/ARCHITECTURE.md, "The S3 layout"). The only place the catalog builds or
//! parses object keys.
//!
//! ```text
//! {prefix}default/{database}/{table}.csv            shared, read-only databases
//! {prefix}users/{user}/{database}/{table}.csv       each user's own databases
//! {prefix}.../{database}/.dbm/database.json         marker: the database exists
//! {prefix}.../{database}/.dbm/stats/{table}.json    statistics of one table
//! ```
//! Beside `default/` and `users/`, the `auth` crate keeps accounts under `{prefix}system/`
//! (its `records` module lays that folder out); no listing of databases looks there.
//! Database and table names can never start with `.`, so `.dbm` cannot collide with them.

use shared::{DatabaseName, TableName, UserName};
use storage::Store;

/// The folder inside a database that holds the app's own objects; listings hide it.
pub const RESERVED_DIR: &str = ".dbm";
const MARKER_FILE: &str = "database.json";
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
    },
    /// The marker, statistics or any other object in the reserved folder.
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

    /// The folder that holds every database of `scope`.
    pub fn scope_prefix(&self, scope: &Scope) -> String {
        match scope {
            Scope::Default => format!("{}default/", self.prefix),
            Scope::User(user) => format!("{}users/{user}/", self.prefix),
        }
    }

    pub fn database_prefix(&self, scope: &Scope, database: &DatabaseName) -> String {
        format!("{}{database}/", self.scope_prefix(scope))
    }

    pub fn table_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}{table}{TABLE_EXTENSION}",
            self.database_prefix(scope, database)
        )
    }

    pub fn marker_key(&self, scope: &Scope, database: &DatabaseName) -> String {
        format!(
            "{}{RESERVED_DIR}/{MARKER_FILE}",
            self.database_prefix(scope, database)
        )
    }

    pub fn stats_key(&self, scope: &Scope, database: &DatabaseName, table: &TableName) -> String {
        format!(
            "{}{RESERVED_DIR}/stats/{table}.json",
            self.database_prefix(scope, database)
        )
    }

    /// Reads a listed key back. `None` for keys outside `scope` or directly in the scope
    /// folder, and for database folders whose name breaks the naming rule (written by
    /// another tool): those are not databases this app can address.
    pub fn classify(&self, scope: &Scope, key: &str) -> Option<Entry> {
        let rest = key.strip_prefix(&self.scope_prefix(scope))?;
        let (database, inside) = rest.split_once('/')?;
        let database = DatabaseName::parse(database).ok()?;
        if inside.starts_with(&format!("{RESERVED_DIR}/")) {
            return Some(Entry::Reserved { database });
        }
        let table = inside
            .strip_suffix(TABLE_EXTENSION)
            .filter(|stem| !stem.contains('/'))
            .and_then(|stem| TableName::parse(stem).ok());
        Some(match table {
            Some(table) => Entry::Table { database, table },
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
            "team/users/alice/school/.dbm/database.json"
        );
        assert_eq!(
            layout.stats_key(&user, &db, &table),
            "team/users/alice/school/.dbm/stats/students.json"
        );
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
                table: name("students")
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
