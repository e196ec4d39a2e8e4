//! The cells of a data table, shared by the previews' samples and the table page's grid:
//! a column's header cell (its name, and a badge with its inferred type) and a row of
//! cells (flagged when its field count differs from the header's, optionally numbered).

use leptos::prelude::*;
use shared::Column;

use crate::format::display_cell;

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

#[component]
pub fn DataRow(
    cells: Vec<String>,
    /// More or fewer fields than the header.
    ragged: bool,
    /// The row's number as shown, in a first column of its own.
    #[prop(optional)]
    number: Option<String>,
) -> impl IntoView {
    view! {
        <tr class:data-table__ragged=ragged title=ragged.then_some("This row has more or fewer fields than the header")>
            {number.map(|number| view! { <th scope="row" class="data-table__row-number">{number}</th> })}
            {cells.iter().map(|cell| view! { <td>{display_cell(cell)}</td> }).collect_view()}
        </tr>
    }
}
