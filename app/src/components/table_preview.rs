//! One table's preview: name (a link to the table's page), format badge, row count (≈ when estimated),
//! size, columns with their types, a download, and the sample rows in a real table with a
//! sticky header and horizontal scrolling.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ColumnSummary, DatabaseName, TablePreview, routes};

use crate::components::data_table::{ColumnHeader, DataRow};
use crate::components::delete_button::{DeleteButton, DeleteTarget};
use crate::components::format_badge::FormatBadge;
use crate::format::{bytes, count_label, row_count, thousands};

#[component]
pub fn TablePreviewView(
    /// The database the table is in (for its page and its download).
    database: DatabaseName,
    table: TablePreview,
    /// The database, when the table may be deleted (not a default database).
    deletable_in: Option<String>,
) -> AnyView {
    let heading_id = format!("table-{}", table.name);
    let labelled_by = heading_id.clone();
    let table_name = table.name.to_string();
    let scroll_label = format!("Sample rows of {}", table.name);
    let rows_label = row_count(table.row_count, table.row_count_exact);
    let rows_title = if table.row_count_exact {
        "Exact row count".to_owned()
    } else {
        "Estimated from the rows read; the exact count is being computed".to_owned()
    };
    let delimiter = match table.delimiter.as_str() {
        "" => String::new(),
        "\\t" => " · delimiter tab".to_owned(),
        other => format!(" · delimiter “{other}”"),
    };
    let meta = format!(
        "{} · {}{delimiter}",
        count_label(table.columns.len(), "column", "columns"),
        bytes(table.size_bytes),
    );
    let format = table.format;
    let summaries = table.column_summaries.clone();
    let summary_columns: Vec<String> = table
        .columns
        .iter()
        .map(|column| column.name.clone())
        .collect();
    let shown = format!(
        "Showing {} of {}",
        count_label(table.sample_rows.len(), "row", "rows"),
        rows_label
    );
    let has_columns = !table.columns.is_empty();
    let table_href = routes::table_page(&database, &table.name);
    let download_href = routes::download(&database, &table.name);
    let ragged = table.ragged_rows.clone();
    let delete_target = deletable_in.map(|database| DeleteTarget::Table {
        database,
        table: table.name.to_string(),
    });

    view! {
        <section class="table-preview" data-table=table_name aria-labelledby=labelled_by>
            <header class="table-preview__header">
                <h3 class="table-preview__name" id=heading_id>
                    <A href=table_href>{table.name.to_string()}</A>
                </h3>
                <FormatBadge format />
                <p class="table-preview__meta">
                    <span class="table-preview__rows" data-testid="row-count" title=rows_title>{rows_label}</span>
                    " · "
                    <span>{meta}</span>
                </p>
                <a class="button button--ghost" href=download_href download data-testid="download">"Download"</a>
                {delete_target.map(|target| view! { <DeleteButton target /> })}
            </header>
            {(!table.warnings.is_empty()).then(|| view! {
                <ul class="table-preview__warnings" role="note">
                    {table.warnings.iter().map(|w| view! { <li data-warning=w.kind.code()>{w.message.clone()}</li> }).collect_view()}
                </ul>
            })}
            {has_columns.then(|| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=scroll_label.clone()>
                    <table class="data-table">
                        <thead>
                            <tr>
                                {table.columns.iter().cloned().map(|column| view! { <ColumnHeader column /> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {table.sample_rows.iter().enumerate().map(|(index, row)| {
                                let ragged = ragged.contains(&index);
                                view! { <DataRow cells=row.clone() ragged /> }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="table-preview__caption">{shown.clone()}</p>
            })}
            {(!summaries.is_empty()).then(|| view! { <ColumnSummaries columns=summary_columns.clone() summaries=summaries.clone() /> })}
        </section>
    }
    .into_any()
}

/// A Parquet table's figures over all its rows, from its footer: a collapsed table of each
/// column's empty count and range.
#[component]
fn ColumnSummaries(columns: Vec<String>, summaries: Vec<ColumnSummary>) -> impl IntoView {
    let dash = || "–".to_owned();
    view! {
        <details class="table-preview__summaries" data-testid="column-summaries">
            <summary>"Whole-table figures from the file's footer"</summary>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Column"</th>
                            <th scope="col">"Empty"</th>
                            <th scope="col">"Smallest"</th>
                            <th scope="col">"Largest"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {columns
                            .into_iter()
                            .zip(summaries)
                            .map(|(name, summary)| view! {
                                <tr>
                                    <th scope="row">{name}</th>
                                    <td>{summary.empty.map_or_else(dash, thousands)}</td>
                                    <td>{summary.min.unwrap_or_else(dash)}</td>
                                    <td>{summary.max.unwrap_or_else(dash)}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}
