//! A column's header cell in a data table: its name, and a badge with its inferred type.

use leptos::prelude::*;
use shared::Column;

#[component]
pub fn ColumnHeader(column: Column) -> impl IntoView {
    let type_name = column.column_type.as_str();
    view! {
        <th scope="col">
            <span class="data-table__column">{column.name}</span>
            <span class=format!("type-badge type-badge--{type_name}")>{type_name}</span>
        </th>
    }
}
