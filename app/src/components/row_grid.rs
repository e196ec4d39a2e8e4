//! A page of a table's rows as a data grid: row numbers (as counted from 1), a sticky
//! header with each column's type, a sticky first column, horizontal scrolling.

use leptos::prelude::*;
use shared::TableRows;

use crate::components::data_table::{ColumnHeader, DataRow};
use crate::format::thousands;

#[component]
pub fn RowGrid(page: TableRows) -> impl IntoView {
    let label = format!("Rows of {}", page.table);
    let first_row = page.offset + 1;
    view! {
        <div class="table-scroll table-scroll--tall" tabindex="0" role="region" aria-label=label data-testid="row-grid">
            <table class="data-table data-table--numbered">
                <thead>
                    <tr>
                        <th scope="col" class="data-table__row-number">"#"</th>
                        {page.columns.iter().cloned().map(|column| view! { <ColumnHeader column /> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {page.rows.iter().enumerate().map(|(index, row)| {
                        let ragged = page.ragged_rows.contains(&index);
                        let number = thousands(first_row + index as u64);
                        view! { <DataRow cells=row.clone() ragged number /> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
