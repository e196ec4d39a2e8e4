//! Which listed object is each table. A table is named by its object's stem; when several
//! objects in one database share a stem (`t.csv` beside `t.parquet`), the one whose format
//! comes first in [`TableFormat::PRECEDENCE`] is the table and the others are *shadowed*:
//! reported beside the previews with what to do, never silently hidden.
//! The database list, previews, pages, profiles, downloads and deletes all resolve tables
//! here, so they agree.

use std::collections::BTreeMap;

use shared::{ShadowedObject, TableFormat, TableName};
use storage::ListedObject;

use crate::layout::{Entry, Layout, Scope};

/// A table and the object it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTable {
    pub name: TableName,
    pub format: TableFormat,
    pub object: ListedObject,
}

/// The tables of one database, by name, and the objects their names shadow.
#[derive(Debug, Clone, Default)]
pub struct DatabaseTables {
    /// Sorted by name.
    pub tables: Vec<ListedTable>,
    /// Objects with a table's name that are not the table.
    pub shadowed: Vec<ListedTable>,
}

impl DatabaseTables {
    /// Resolves the listed `objects` of `database` in `scope`.
    pub fn resolve<'a>(
        layout: &Layout<'_>,
        scope: &Scope,
        objects: impl IntoIterator<Item = &'a ListedObject>,
    ) -> Self {
        let mut by_name: BTreeMap<TableName, Vec<ListedTable>> = BTreeMap::new();
        for object in objects {
            if let Some(Entry::Table { table, format, .. }) = layout.classify(scope, &object.key) {
                by_name.entry(table.clone()).or_default().push(ListedTable {
                    name: table,
                    format,
                    object: object.clone(),
                });
            }
        }
        let mut resolved = Self::default();
        for (_, mut candidates) in by_name {
            // `.jsonl` and `.ndjson` share a format: the key decides between them.
            candidates.sort_by(|a, b| {
                (a.format.precedence(), &a.object.key).cmp(&(b.format.precedence(), &b.object.key))
            });
            let mut candidates = candidates.into_iter();
            if let Some(table) = candidates.next() {
                resolved.tables.push(table);
                resolved.shadowed.extend(candidates);
            }
        }
        resolved
    }

    /// The table named `name`.
    pub fn find(&self, name: &TableName) -> Option<&ListedTable> {
        self.tables
            .binary_search_by(|table| table.name.cmp(name))
            .ok()
            .map(|index| &self.tables[index])
    }

    /// The shadowed objects as the previews report them.
    pub fn shadowed_report(&self, database_prefix: &str) -> Vec<ShadowedObject> {
        self.shadowed
            .iter()
            .map(|hidden| {
                let shown = self
                    .find(&hidden.name)
                    .map_or(TableFormat::Csv, |table| table.format);
                let file = hidden
                    .object
                    .key
                    .strip_prefix(database_prefix)
                    .unwrap_or(&hidden.object.key)
                    .to_owned();
                ShadowedObject::new(hidden.name.clone(), file, hidden.format, shown)
            })
            .collect()
    }

    /// Every object named after `name`: the table and what it shadows (a delete removes all).
    pub fn objects_named<'a>(
        &'a self,
        name: &'a TableName,
    ) -> impl Iterator<Item = &'a ListedTable> {
        self.tables
            .iter()
            .chain(&self.shadowed)
            .filter(move |table| &table.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storage::ObjectVersion;

    fn object(key: &str) -> ListedObject {
        ListedObject {
            key: key.to_owned(),
            size: 1,
            version: ObjectVersion {
                etag: Some("\"e\"".into()),
                size: 1,
                last_modified_ms: 1,
            },
        }
    }

    #[test]
    fn the_first_format_in_precedence_is_the_table_and_the_others_are_reported() {
        let layout = Layout::for_prefix("");
        let objects: Vec<ListedObject> = [
            "default/db/t.parquet",
            "default/db/t.csv",
            "default/db/t.ndjson",
            "default/db/u.jsonl",
            "default/db/u.csv.gz",
            "default/db/notes.txt",
        ]
        .into_iter()
        .map(object)
        .collect();
        let tables = DatabaseTables::resolve(&layout, &Scope::Default, &objects);
        let shown: Vec<(&str, TableFormat)> = tables
            .tables
            .iter()
            .map(|table| (table.name.as_str(), table.format))
            .collect();
        assert_eq!(shown, [("t", TableFormat::Csv), ("u", TableFormat::CsvGz)]);
        let report = tables.shadowed_report("default/db/");
        let files: Vec<&str> = report.iter().map(|hidden| hidden.file.as_str()).collect();
        assert_eq!(files, ["t.parquet", "t.ndjson", "u.jsonl"]);
        assert!(
            report[0].message.contains("Rename t.parquet"),
            "{}",
            report[0].message
        );
        let t = TableName::parse("t").unwrap_or_else(|_| unreachable!());
        assert_eq!(tables.objects_named(&t).count(), 3);
    }
}
