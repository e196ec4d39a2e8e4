//! The home page: every database the user can see, rendered on the server from listings
//! alone. Nothing here reads a table.

use leptos::prelude::*;
use leptos_meta::Title;
use shared::DatabaseSummary;

use crate::api::list_databases;
use crate::components::database_card::DatabaseCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::import_panel::ImportPanel;
use crate::format::count_label;
use crate::previews::DatabaseListVersion;

#[component]
pub fn HomePage() -> impl IntoView {
    let version = DatabaseListVersion::from_context();
    let databases = Resource::new(move || version.get(), |_| list_databases());
    view! {
        <Title text="Databases" />
        <section class="page-intro">
            <h1>"Databases"</h1>
            <p class="lede">"CSV tables kept in S3. Default databases are shared with everyone and read-only."</p>
        </section>
        // Outside the list's Transition: the panel keeps its files while the list refreshes.
        <ImportPanel databases />
        // A Transition keeps the list on screen while it is fetched again after a write.
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading databases…"</p> }>
            {move || Suspend::new(async move {
                match databases.await {
                    Ok(list) => view! { <DatabaseList databases=list /> }.into_any(),
                    Err(error) => {
                        view! { <ErrorPanel title="Could not load the databases" error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn DatabaseList(databases: Vec<DatabaseSummary>) -> impl IntoView {
    if databases.is_empty() {
        return view! {
            <div class="empty-state">
                <p class="empty-state__title">"No databases yet"</p>
                <p>"Databases appear here as soon as a folder of CSV files exists in the bucket."</p>
            </div>
        }
        .into_any();
    }
    let table_total: usize = databases.iter().map(|d| d.table_count).sum();
    let summary = format!(
        "{} · {}",
        count_label(databases.len(), "database", "databases"),
        count_label(table_total, "table", "tables")
    );
    view! {
        <p class="list-summary" data-testid="list-summary">{summary}</p>
        <ul class="database-grid" aria-label="Databases">
            {databases
                .into_iter()
                .map(|database| view! { <li><DatabaseCard database /></li> })
                .collect_view()}
        </ul>
    }
    .into_any()
}
