//! The database list: built from S3 listings only, never from a table's content, and
//! never paging through the app's own objects: one listing of the scope's tables (one
//! request per 1,000 tables) and one listing of its `meta/` folders (one request per 1,000
//! databases, for databases without tables), side by side.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};

use shared::{DatabaseName, DatabaseSummary};
use storage::{ListedObject, Store};

use crate::error::Result;
use crate::layout::{Layout, Scope};
use crate::preview::cache::CachedScope;
use crate::table_objects::DatabaseTables;

/// The databases of one scope, sorted by name, each with its sorted table names.
pub async fn list_scope(store: &Store, scope: &Scope) -> Result<Vec<DatabaseSummary>> {
    let layout = Layout::of(store);
    let scope_prefix = layout.scope_prefix(scope);
    let meta_prefix = layout.meta_scope_prefix(scope);
    let (objects, meta_folders) =
        tokio::try_join!(store.list(&scope_prefix), store.list_folders(&meta_prefix))?;
    let mut databases: BTreeMap<DatabaseName, Vec<&ListedObject>> = BTreeMap::new();
    for object in &objects {
        let Some(entry) = layout.classify(scope, &object.key) else {
            tracing::debug!(key = %object.key, "ignoring an object outside the layout");
            continue;
        };
        databases
            .entry(entry.database().clone())
            .or_default()
            .push(object);
    }
    for folder in &meta_folders {
        if let Some(database) = layout.meta_folder_database(scope, folder) {
            databases.entry(database).or_default();
        }
    }
    let is_default = *scope == Scope::Default;
    Ok(databases
        .into_iter()
        .map(|(name, objects)| {
            // Which object is each table: the one rule in `crate::table_objects`.
            let resolved = DatabaseTables::resolve(&layout, scope, objects);
            DatabaseSummary {
                name,
                table_count: resolved.tables.len(),
                formats: resolved.tables.iter().map(|table| table.format).collect(),
                tables: resolved
                    .tables
                    .into_iter()
                    .map(|table| table.name)
                    .collect(),
                is_default,
            }
        })
        .collect())
}

/// What one user sees: the default databases and the user's own, each scope as cached.
/// Cheap to make (two `Arc`s); merged by name only when read.
#[derive(Debug, Clone)]
pub struct DatabaseList {
    defaults: Arc<CachedScope>,
    own: Arc<CachedScope>,
}

impl DatabaseList {
    pub(crate) fn new(defaults: Arc<CachedScope>, own: Arc<CachedScope>) -> Self {
        Self { defaults, own }
    }

    /// Every database, sorted by name (a default one first on a tie).
    pub fn databases(&self) -> Vec<&DatabaseSummary> {
        self.merged()
            .map(|(scope, index)| &scope.databases[index])
            .collect()
    }

    /// The list as the JSON array `GET /api/databases` answers, copied from each scope's
    /// serialised entries: nothing is serialised again.
    pub fn to_json(&self) -> Bytes {
        let length: usize = [&self.defaults, &self.own]
            .iter()
            .flat_map(|scope| scope.json.iter().map(|fragment| fragment.len() + 1))
            .sum();
        let mut json = BytesMut::with_capacity(length + 2);
        json.put_u8(b'[');
        for (position, (scope, index)) in self.merged().enumerate() {
            if position > 0 {
                json.put_u8(b',');
            }
            json.put_slice(&scope.json[index]);
        }
        json.put_u8(b']');
        json.freeze()
    }

    /// (scope, index) of each database in name order: both scopes are sorted, so one merge.
    fn merged(&self) -> impl Iterator<Item = (&CachedScope, usize)> {
        let (defaults, own) = (&*self.defaults, &*self.own);
        let (mut next_default, mut next_own) = (0, 0);
        std::iter::from_fn(move || {
            let default = defaults.databases.get(next_default);
            let mine = own.databases.get(next_own);
            let take_default = match (default, mine) {
                (Some(default), Some(mine)) => default.name <= mine.name,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            if take_default {
                next_default += 1;
                Some((defaults, next_default - 1))
            } else {
                next_own += 1;
                Some((own, next_own - 1))
            }
        })
    }
}
