//! The browser's preview cache: one entry per database, in a signal provided through
//! context, so a database's previews are fetched once and then shown again (a card
//! collapsed and reopened, a page left and come back to) without a request. "Refresh"
//! fetches one database again; imports and deletes clear that database's entry.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use shared::SchemaPreview;

use crate::api::database_schema;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub enum PreviewState {
    /// A request is under way; the previous result (if any) stays on screen meanwhile.
    Loading {
        request: u64,
        previous: Option<Arc<SchemaPreview>>,
    },
    Ready(Arc<SchemaPreview>),
    Failed(AppError),
}

#[derive(Debug, Clone, Copy)]
pub struct PreviewCache {
    entries: RwSignal<HashMap<String, PreviewState>>,
    next_request: StoredValue<u64>,
}

impl PreviewCache {
    /// Creates the cache and provides it to every component below.
    pub fn provide() -> Self {
        let cache = Self {
            entries: RwSignal::new(HashMap::new()),
            next_request: StoredValue::new(0),
        };
        provide_context(cache);
        cache
    }

    pub fn from_context() -> Self {
        expect_context::<Self>()
    }

    /// The entry of `database` (tracked: views update when it changes).
    pub fn state(&self, database: &str) -> Option<PreviewState> {
        self.entries.with(|entries| entries.get(database).cloned())
    }

    /// Fetches `database` unless it is cached or being fetched.
    pub fn ensure_loaded(&self, database: &str) {
        if !self
            .entries
            .with_untracked(|entries| entries.contains_key(database))
        {
            self.fetch(database);
        }
    }

    /// Fetches `database` again, keeping what is shown until the answer arrives.
    pub fn refresh(&self, database: &str) {
        self.fetch(database);
    }

    /// Forgets `database` (after an import into it or a delete).
    pub fn forget(&self, database: &str) {
        self.entries.update(|entries| {
            entries.remove(database);
        });
    }

    /// Forgets everything, without telling the views (they would fetch again): for when
    /// the page is being left because the user changes.
    pub fn clear_before_leaving(&self) {
        self.entries.update_untracked(HashMap::clear);
    }

    fn fetch(&self, database: &str) {
        let request = self.next_request.get_value() + 1;
        self.next_request.set_value(request);
        let database = database.to_owned();
        let entries = self.entries;
        entries.update(|entries| {
            let previous = match entries.get(&database) {
                Some(PreviewState::Ready(preview)) => Some(Arc::clone(preview)),
                Some(PreviewState::Loading { previous, .. }) => previous.clone(),
                _ => None,
            };
            entries.insert(
                database.clone(),
                PreviewState::Loading { request, previous },
            );
        });
        leptos::task::spawn_local(async move {
            let result = database_schema(database.clone(), None).await;
            entries.update(|entries| {
                // Only the latest request for a database may fill its entry.
                let is_latest = matches!(
                    entries.get(&database),
                    Some(PreviewState::Loading { request: current, .. }) if *current == request
                );
                if is_latest {
                    let state = match result {
                        Ok(preview) => PreviewState::Ready(Arc::new(preview)),
                        Err(error) => PreviewState::Failed(error),
                    };
                    entries.insert(database, state);
                }
            });
        });
    }
}

/// Which database cards are open. Kept above the list, so cards drawn again after the
/// list is refetched (after an import or delete) stay as the person left them.
#[derive(Debug, Clone, Copy)]
pub struct OpenCards(RwSignal<std::collections::HashSet<String>>);

impl OpenCards {
    pub fn provide() -> Self {
        let open = Self(RwSignal::new(std::collections::HashSet::new()));
        provide_context(open);
        open
    }

    pub fn from_context() -> Self {
        expect_context::<Self>()
    }

    /// Whether `database`'s card is open (tracked).
    pub fn is_open(&self, database: &str) -> bool {
        self.0.with(|open| open.contains(database))
    }

    pub fn toggle(&self, database: &str) {
        self.0.update(|open| {
            if !open.remove(database) {
                open.insert(database.to_owned());
            }
        });
    }
}

/// Bumped after every import or delete, so the database list is fetched again.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseListVersion(RwSignal<u64>);

impl DatabaseListVersion {
    pub fn provide() -> Self {
        let version = Self(RwSignal::new(0));
        provide_context(version);
        version
    }

    pub fn from_context() -> Self {
        expect_context::<Self>()
    }

    /// The current version (tracked).
    pub fn get(&self) -> u64 {
        self.0.get()
    }

    fn bump(&self) {
        self.0.update(|version| *version += 1);
    }
}

/// What an import or delete must refresh. Taken from context when a component is created,
/// because the callbacks that use it (an upload's end, a server call) run without one.
#[derive(Debug, Clone, Copy)]
pub struct AfterWrite {
    cache: PreviewCache,
    pages: crate::row_pages::RowPages,
    list: DatabaseListVersion,
}

impl AfterWrite {
    pub fn from_context() -> Self {
        Self {
            cache: PreviewCache::from_context(),
            pages: crate::row_pages::RowPages::from_context(),
            list: DatabaseListVersion::from_context(),
        }
    }

    /// `database` changed: its cached previews and pages of rows are dropped (and fetched
    /// again where shown) and the list is fetched again. Other databases' stay.
    pub fn database_changed(&self, database: &str) {
        self.cache.forget(database);
        self.pages.forget_database(database);
        self.list.bump();
    }
}
