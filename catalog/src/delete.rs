//! Deleting tables and databases of a user's: the objects go, then exactly the cache
//! entries they made stale, before the call answers.

use shared::{DatabaseName, TableName, UserName};

use crate::Catalog;
use crate::error::CatalogError;
use crate::layout::{Layout, Scope};
use crate::table_objects::DatabaseTables;

impl Catalog {
    /// Deletes one table of the user's and its statistics, row index and profile. A table
    /// stored in several formats (`t.csv` and a shadowed `t.parquet`) goes in every one,
    /// so no other file takes its place. Returns how many objects were deleted.
    pub async fn delete_table(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
    ) -> Result<usize, CatalogError> {
        self.refuse_default_database(database).await?;
        let scope = Scope::User(user.clone());
        let layout = Layout::of(self.store());
        let listed = self
            .store()
            .list(&layout.database_prefix(&scope, database))
            .await?;
        let tables = DatabaseTables::resolve(&layout, &scope, &listed);
        let mut keys: Vec<String> = tables
            .objects_named(table)
            .map(|object| object.object.key.clone())
            .collect();
        if keys.is_empty() {
            return Err(CatalogError::TableNotFound {
                database: database.to_string(),
                table: table.to_string(),
            });
        }
        let table_keys = keys.clone();
        for sidecar in [
            layout.stats_key(&scope, database, table),
            layout.index_key(&scope, database, table),
            layout.profile_key(&scope, database, table),
        ] {
            if self.store().exists(&sidecar).await? {
                keys.push(sidecar);
            }
        }
        self.store().delete_keys(&keys).await?;
        for key in &table_keys {
            self.caches().invalidate_table(&scope, database, key);
        }
        Ok(keys.len())
    }

    /// Deletes one of the user's databases with every object under it. Returns how many
    /// objects were deleted.
    pub async fn delete_database(
        &self,
        user: &UserName,
        database: &DatabaseName,
    ) -> Result<usize, CatalogError> {
        self.refuse_default_database(database).await?;
        let scope = Scope::User(user.clone());
        let layout = Layout::of(self.store());
        let (data_prefix, meta_prefix) = (
            layout.database_prefix(&scope, database),
            layout.meta_database_prefix(&scope, database),
        );
        let (objects, meta) = tokio::try_join!(
            self.store().list(&data_prefix),
            self.store().list(&meta_prefix),
        )?;
        // The tables first, the marker and statistics last: a delete cut off half-way
        // leaves a database that still exists (and can be deleted again), never tables
        // without their database.
        let keys: Vec<String> = objects
            .into_iter()
            .chain(meta)
            .map(|object| object.key)
            .collect();
        if keys.is_empty() {
            return Err(CatalogError::DatabaseNotFound {
                database: database.to_string(),
            });
        }
        self.store().delete_keys(&keys).await?;
        self.invalidate_database(&scope, database);
        Ok(keys.len())
    }
}
