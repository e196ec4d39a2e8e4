//! The previews of one database, from the browser's preview cache (and a note for each file
//! not shown because another has its table's name): loads them when first
//! shown, shows them again without a request afterwards, and refreshes on demand.

use leptos::prelude::*;

use crate::components::error_panel::ErrorPanel;
use crate::components::table_preview::TablePreviewView;
use crate::previews::{PreviewCache, PreviewState};

#[component]
pub fn PreviewPanel(database: String) -> impl IntoView {
    let cache = PreviewCache::from_context();
    {
        // Effects run only in the browser, after hydration: the server never fetches here.
        // Tracked, so a preview dropped after an import or delete is fetched again.
        let database = database.clone();
        Effect::new(move |_| {
            if cache.state(&database).is_none() {
                cache.ensure_loaded(&database);
            }
        });
    }
    let state = {
        let database = database.clone();
        Memo::new(move |_| cache.state(&database).map(Tracked))
    };
    let is_loading = Memo::new(move |_| {
        matches!(
            state.get().map(|t| t.0),
            None | Some(PreviewState::Loading { .. })
        )
    });
    let refresh = {
        let database = database.clone();
        move |_| cache.refresh(&database)
    };

    view! {
        <section class="preview-panel" aria-busy=move || is_loading.get().to_string() data-testid="preview-panel">
            <div class="preview-panel__bar">
                <p class="preview-panel__status" role="status">
                    {move || if is_loading.get() { "Loading table previews…" } else { "" }}
                </p>
                <button type="button" class="button button--ghost" on:click=refresh disabled=is_loading>
                    "Refresh"
                </button>
            </div>
            {move || match state.get().map(|t| t.0) {
                None | Some(PreviewState::Loading { previous: None, .. }) => {
                    view! { <PreviewSkeleton /> }.into_any()
                }
                Some(PreviewState::Loading { previous: Some(preview), .. }) | Some(PreviewState::Ready(preview)) => {
                    let shadowed = preview.shadowed.clone();
                    view! {
                        {(!shadowed.is_empty()).then(|| view! {
                            <ul class="preview-panel__shadowed" role="note" data-testid="shadowed">
                                {shadowed
                                    .into_iter()
                                    .map(|object| view! { <li data-file=object.file.clone()>{object.message}</li> })
                                    .collect_view()}
                            </ul>
                        })}
                        <div class="preview-panel__tables">
                            {preview
                                .tables
                                .iter()
                                .cloned()
                                .map(|table| {
                                    let deletable_in = (!preview.is_default).then(|| preview.database.to_string());
                                    let database = preview.database.clone();
                                    view! { <TablePreviewView database table deletable_in /> }
                                })
                                .collect_view()}
                        </div>
                    }
                    .into_any()
                }
                Some(PreviewState::Failed(error)) => {
                    view! { <ErrorPanel title="Could not load the table previews" error /> }.into_any()
                }
            }}
        </section>
    }
}

/// A cache entry as a memo value: entries compare by identity of what they hold, so the
/// panel re-renders only when its own database's entry changes.
#[derive(Clone)]
struct Tracked(PreviewState);

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        use std::sync::Arc;
        match (&self.0, &other.0) {
            (PreviewState::Ready(a), PreviewState::Ready(b)) => Arc::ptr_eq(a, b),
            (
                PreviewState::Loading { request: a, .. },
                PreviewState::Loading { request: b, .. },
            ) => a == b,
            (PreviewState::Failed(a), PreviewState::Failed(b)) => a == b,
            _ => false,
        }
    }
}

/// A placeholder of the size of a preview, so the page does not jump when it arrives.
#[component]
fn PreviewSkeleton() -> impl IntoView {
    view! {
        <div class="preview-skeleton" aria-hidden="true">
            <div class="preview-skeleton__title"></div>
            <div class="preview-skeleton__table"></div>
        </div>
    }
}
