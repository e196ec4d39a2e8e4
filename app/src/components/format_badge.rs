//! The badge beside a table's name that says how it is stored (`csv`, `csv.gz`, `parquet`,
//! …), with what that means as its tooltip and accessible name.

use leptos::prelude::*;
use shared::TableFormat;

#[component]
pub fn FormatBadge(format: TableFormat) -> impl IntoView {
    let label = format!("Stored as {}", format.description());
    view! {
        <span
            class="badge badge--format"
            data-format=format.as_str()
            title=label.clone()
            aria-label=label
        >
            {format.as_str()}
        </span>
    }
}
