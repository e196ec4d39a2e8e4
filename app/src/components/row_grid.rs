//! A page of a table's rows as a data grid: row numbers (as counted from 1), a sticky
//! header with each column's type, a sticky first column, horizontal scrolling.

use leptos::prelude::*;
use shared::TableRows;

use crate::components::column_header::ColumnHeader;
use crate::format::{display_cell, thousands};

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
                        let is_ragged = page.ragged_rows.contains(&index);
                        let number = thousands(first_row + index as u64);
                        view! {
                            <tr class:data-table__ragged=is_ragged title=is_ragged.then_some("This row has more or fewer fields than the header")>
                                <th scope="row" class="data-table__row-number">{number}</th>
                                {row.iter().map(|cell| view! { <td>{display_cell(cell)}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
