//! The browser's cache of pages of rows: the last [`RECENT_PAGES`] pages viewed (of any
//! table), so paging back, or returning to a table, shows them without a request. An
//! import or delete in a database drops that database's pages (`previews::AfterWrite`), so
//! a page is never shown from before a write made here.

use std::collections::VecDeque;

use leptos::prelude::*;
use shared::TableRows;

/// Pages kept at most (each at most 500 rows, 1,000 through the API).
pub const RECENT_PAGES: usize = 32;

/// Which page: database, table, first row (0-based) and rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub database: String,
    pub table: String,
    pub offset: u64,
    pub limit: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct RowPages(StoredValue<VecDeque<(PageKey, TableRows)>>);

impl RowPages {
    pub fn provide() -> Self {
        let pages = Self(StoredValue::new(VecDeque::new()));
        provide_context(pages);
        pages
    }

    pub fn from_context() -> Self {
        expect_context::<Self>()
    }

    /// The page, if it was viewed recently (it becomes the most recent).
    pub fn get(&self, key: &PageKey) -> Option<TableRows> {
        let mut found = None;
        self.0.update_value(|pages| {
            if let Some(at) = pages.iter().position(|(cached, _)| cached == key)
                && let Some(entry) = pages.remove(at)
            {
                found = Some(entry.1.clone());
                pages.push_back(entry);
            }
        });
        found
    }

    /// Keeps a page, dropping the least recently viewed past [`RECENT_PAGES`].
    pub fn put(&self, key: PageKey, rows: TableRows) {
        self.0.update_value(|pages| {
            pages.retain(|(cached, _)| cached != &key);
            pages.push_back((key, rows));
            while pages.len() > RECENT_PAGES {
                pages.pop_front();
            }
        });
    }

    /// Forgets every page of `database` (after an import into it or a delete).
    pub fn forget_database(&self, database: &str) {
        self.0
            .update_value(|pages| pages.retain(|(key, _)| key.database != database));
    }

    pub fn len(&self) -> usize {
        self.0.with_value(VecDeque::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(database: &str, offset: u64) -> PageKey {
        PageKey {
            database: database.to_owned(),
            table: "t".to_owned(),
            offset,
            limit: 100,
        }
    }

    fn page(database: &str) -> TableRows {
        TableRows {
            format: shared::TableFormat::Csv,
            database: shared::DatabaseName::parse(database).unwrap_or_else(|_| unreachable!()),
            table: shared::TableName::parse("t").unwrap_or_else(|_| unreachable!()),
            columns: Vec::new(),
            offset: 0,
            rows: Vec::new(),
            row_count: 0,
            row_count_exact: true,
            ragged_rows: Vec::new(),
            size_bytes: 0,
            is_default: false,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn at_most_the_recent_pages_are_kept_and_a_write_drops_its_database() {
        let owner = Owner::new();
        owner.set();
        let pages = RowPages(StoredValue::new(VecDeque::new()));
        for offset in 0..(RECENT_PAGES as u64 + 10) {
            pages.put(key("a", offset), page("a"));
        }
        assert_eq!(pages.len(), RECENT_PAGES);
        assert!(
            pages.get(&key("a", 0)).is_none(),
            "the oldest pages went first"
        );
        assert!(pages.get(&key("a", 10)).is_some());
        pages.put(key("b", 0), page("b"));
        pages.forget_database("a");
        assert_eq!(pages.len(), 1);
        assert!(pages.get(&key("b", 0)).is_some());
    }
}
