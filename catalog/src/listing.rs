//! The database list: built from S3 listings only, never from a table's content, and
//! never paging through the app's own objects: one listing of the scope's tables (one
//! request per 1,000 tables) and one listing of its `meta/` folders (one request per 1,000
//! databases, for databases without tables), side by side.

use std::collections::{BTreeMap, BTreeSet};

use shared::{DatabaseName, DatabaseSummary, TableName};
use storage::Store;

use crate::error::Result;
use crate::layout::{Entry, Layout, Scope};

/// The databases of one scope, sorted by name, each with its sorted table names.
pub async fn list_scope(store: &Store, scope: &Scope) -> Result<Vec<DatabaseSummary>> {
    let layout = Layout::of(store);
    let scope_prefix = layout.scope_prefix(scope);
    let meta_prefix = layout.meta_scope_prefix(scope);
    let (objects, meta_folders) =
        tokio::try_join!(store.list(&scope_prefix), store.list_folders(&meta_prefix))?;
    let mut databases: BTreeMap<DatabaseName, BTreeSet<TableName>> = BTreeMap::new();
    for object in &objects {
        let Some(entry) = layout.classify(scope, &object.key) else {
            tracing::debug!(key = %object.key, "ignoring an object outside the layout");
            continue;
        };
        let tables = databases.entry(entry.database().clone()).or_default();
        if let Entry::Table { table, .. } = entry {
            tables.insert(table);
        }
    }
    for folder in &meta_folders {
        if let Some(database) = layout.meta_folder_database(scope, folder) {
            databases.entry(database).or_default();
        }
    }
    let is_default = *scope == Scope::Default;
    Ok(databases
        .into_iter()
        .map(|(name, tables)| DatabaseSummary {
            name,
            table_count: tables.len(),
            tables: tables.into_iter().collect(),
            is_default,
        })
        .collect())
}

/// Default databases and the user's own, merged and sorted by name (default first on a tie).
pub fn merge(defaults: &[DatabaseSummary], own: &[DatabaseSummary]) -> Vec<DatabaseSummary> {
    let mut all: Vec<DatabaseSummary> = defaults.iter().chain(own).cloned().collect();
    all.sort_by(|a, b| a.name.cmp(&b.name).then(b.is_default.cmp(&a.is_default)));
    all
}
