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
