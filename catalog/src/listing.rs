//! The database list: built from S3 listings only, never from a table's content.

use std::collections::{BTreeMap, BTreeSet};

use shared::{DatabaseName, DatabaseSummary, TableName};

use crate::error::Result;
use crate::layout::{Entry, Layout, Scope};
use storage::Store;

/// The databases of one scope, sorted by name, each with its sorted table names.
pub async fn list_scope(store: &Store, scope: &Scope) -> Result<Vec<DatabaseSummary>> {
    let layout = Layout::of(store);
    let objects = store.list(&layout.scope_prefix(scope)).await?;
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
pub fn merge(defaults: Vec<DatabaseSummary>, own: Vec<DatabaseSummary>) -> Vec<DatabaseSummary> {
    let mut all: Vec<DatabaseSummary> = defaults.into_iter().chain(own).collect();
    all.sort_by(|a, b| a.name.cmp(&b.name).then(b.is_default.cmp(&a.is_default)));
    all
}
