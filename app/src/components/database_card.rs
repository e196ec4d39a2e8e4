//! One database on the home page: name, default badge, table count and table names.

use leptos::prelude::*;
use shared::DatabaseSummary;

/// "1 table", "3 tables".
pub fn count_label(count: usize, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count == 1 { singular } else { plural })
}

#[component]
pub fn DatabaseCard(database: DatabaseSummary) -> impl IntoView {
    let heading_id = format!("database-{}", database.name);
    let labelled_by = heading_id.clone();
    let tables_label = format!("Tables in {}", database.name);
    let count = count_label(database.table_count, "table", "tables");
    let is_default = database.is_default;
    let is_empty = database.tables.is_empty();

    view! {
        <article class="database-card" data-database=database.name.clone() aria-labelledby=labelled_by>
            <header class="database-card__header">
                <h2 class="database-card__name" id=heading_id>{database.name.clone()}</h2>
                <Show when=move || is_default>
                    <span class="badge badge--default" title="Shared with everyone, read-only">
                        "default"
                    </span>
                </Show>
            </header>
            <p class="database-card__count" data-testid="table-count">{count}</p>
            <Show
                when=move || !is_empty
                fallback=|| view! { <p class="database-card__empty">"No tables yet."</p> }
            >
                <ul class="chip-list" aria-label=tables_label.clone()>
                    {database
                        .tables
                        .iter()
                        .map(|table| view! { <li class="chip">{table.clone()}</li> })
                        .collect_view()}
                </ul>
            </Show>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::count_label;

    #[test]
    fn counts_are_singular_for_one_and_plural_otherwise() {
        assert_eq!(count_label(0, "table", "tables"), "0 tables");
        assert_eq!(count_label(1, "table", "tables"), "1 table");
        assert_eq!(count_label(3, "table", "tables"), "3 tables");
    }
}
