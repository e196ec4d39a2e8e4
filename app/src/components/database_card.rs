//! One database on the home page: name, default badge, table count and table names (each a
//! link to the table's page, with a format badge when it is not plain CSV), and
//! a toggle that loads and shows its table previews (collapsed at first: the list itself
//! never reads a table).

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{DatabaseSummary, TableFormat, routes};

use crate::components::delete_button::{DeleteButton, DeleteTarget};
use crate::components::format_badge::FormatBadge;
use crate::components::preview_panel::PreviewPanel;
use crate::format::count_label;
use crate::previews::OpenCards;

#[component]
pub fn DatabaseCard(database: DatabaseSummary) -> impl IntoView {
    let name = database.name.to_string();
    let href = routes::database_page(&database.name);
    let link_text = name.clone();
    let panel_database = name.clone();
    let heading_id = format!("database-{name}");
    let labelled_by = heading_id.clone();
    let panel_id = format!("previews-{name}");
    let controls = panel_id.clone();
    let tables_label = format!("Tables in {name}");
    let count = count_label(database.table_count, "table", "tables");
    let is_default = database.is_default;
    let has_tables = !database.tables.is_empty();
    let open_cards = OpenCards::from_context();
    let expanded = {
        let name = name.clone();
        Memo::new(move |_| open_cards.is_open(&name))
    };
    let toggle_name = StoredValue::new(name.clone());
    let delete_target = DeleteTarget::Database {
        name: name.clone(),
        table_count: database.table_count,
    };

    view! {
        <article
            class="database-card"
            class:database-card--expanded=move || expanded.get()
            data-database=name.clone()
            aria-labelledby=labelled_by
        >
            <header class="database-card__header">
                <h2 class="database-card__name" id=heading_id>
                    <A href=href>{link_text}</A>
                </h2>
                <Show when=move || is_default>
                    <span class="badge badge--default" title="Shared with everyone, read-only">
                        "default"
                    </span>
                </Show>
            </header>
            <p class="database-card__count" data-testid="table-count">{count}</p>
            <Show
                when=move || has_tables
                fallback=|| view! { <p class="database-card__empty">"No tables yet."</p> }
            >
                <ul class="chip-list" aria-label=tables_label.clone()>
                    {database
                        .tables
                        .iter()
                        .enumerate()
                        .map(|(index, table)| {
                            let href = routes::table_page(&database.name, table);
                            let label = table.to_string();
                            let format = database.formats.get(index).copied().unwrap_or_default();
                            view! {
                                <li class="chip">
                                    <A href=href>{label}</A>
                                    {(format != TableFormat::Csv).then(|| view! { <FormatBadge format /> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <button
                    type="button"
                    class="button button--secondary database-card__toggle"
                    aria-expanded=move || expanded.get().to_string()
                    aria-controls=controls.clone()
                    on:click=move |_| toggle_name.with_value(|name| open_cards.toggle(name))
                >
                    {move || if expanded.get() { "Hide table previews" } else { "Load table previews" }}
                </button>
            </Show>
            {(!is_default).then(|| view! {
                <div class="database-card__actions">
                    <DeleteButton target=delete_target.clone() />
                </div>
            })}
            <div id=panel_id class="database-card__previews">
                <Show when=move || expanded.get()>
                    {
                        let database = panel_database.clone();
                        view! {
                            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading previews…"</p> }>
                                {move || Suspend::new(preview_panel(database.clone()))}
                            </Suspense>
                        }
                    }
                </Show>
            </div>
        </article>
    }
}

/// The previews of `database`, whose code (previews, the browser's cache of them, the
/// tables) the browser fetches the first time a card is opened: a separate wasm file, so
/// the home page's first download does not carry it.
#[leptos::lazy]
fn preview_panel(database: String) -> AnyView {
    view! { <PreviewPanel database /> }.into_any()
}
