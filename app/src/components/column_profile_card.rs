//! One column's profile as a compact card: its name and type, the share of empty cells as a
//! bar, the distinct count, the range, the figures of its type (mean and deviation, lengths,
//! true and false) and a chart: a histogram for numbers and dates, the most frequent values
//! for text and booleans. Estimates are marked ≈ and say how close they are.

use leptos::prelude::*;
use shared::{ColumnProfile, ColumnType, ValueCount};

use crate::components::profile_charts::{Histogram, ShareBar, TopValues, label};
use crate::format::{short_float, thousands};

#[component]
pub fn ColumnProfileCard(column: ColumnProfile, row_count: u64) -> impl IntoView {
    let values = column.values(row_count);
    let empty_share = if row_count == 0 {
        0.0
    } else {
        column.empty as f64 / row_count as f64
    };
    let empty_text = format!(
        "{} empty ({})",
        thousands(column.empty),
        percent(empty_share)
    );
    let (distinct, distinct_title) = if column.distinct_exact {
        (thousands(column.distinct), "Exact count of distinct values")
    } else {
        (
            format!("≈ {}", thousands(column.distinct)),
            "Estimated (HyperLogLog): within about 2%",
        )
    };
    let range = match (&column.min, &column.max) {
        (Some(min), Some(max)) if min == max => Some(label(min)),
        (Some(min), Some(max)) => Some(format!("{} – {}", label(min), label(max))),
        _ => None,
    };
    let type_name = column.column_type.as_str();
    let figures = type_figures(&column);
    let chart = chart(&column, values, range_ends(&column));
    view! {
        <article class="profile-card" data-column=column.name.clone() data-type=type_name>
            <header class="profile-card__header">
                <h3 class="profile-card__name" title=column.name.clone()>{column.name.clone()}</h3>
                <span class=format!("type-badge type-badge--{type_name}")>{type_name}</span>
            </header>
            <dl class="profile-card__facts">
                <div class="profile-card__fact profile-card__fact--wide">
                    <dt>"Empty"</dt>
                    <dd>
                        <ShareBar share=empty_share />
                        <span data-testid="empty">{empty_text}</span>
                    </dd>
                </div>
                <div class="profile-card__fact">
                    <dt>"Distinct"</dt>
                    <dd title=distinct_title data-testid="distinct">{distinct}</dd>
                </div>
                {range.map(|range| view! {
                    <div class="profile-card__fact">
                        <dt>"Range"</dt>
                        <dd data-testid="range">{range}</dd>
                    </div>
                })}
                {figures.into_iter().map(|(name, value)| view! {
                    <div class="profile-card__fact">
                        <dt>{name}</dt>
                        <dd>{value}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {chart}
        </article>
    }
}

/// The figures only some types have.
fn type_figures(column: &ColumnProfile) -> Vec<(&'static str, String)> {
    let mut figures = Vec::new();
    if let Some(mean) = column.mean {
        let deviation = column
            .stddev
            .map(|sd| format!(" ± {}", short_float(sd)))
            .unwrap_or_default();
        figures.push(("Mean", format!("{}{deviation}", short_float(mean))));
    }
    if let Some(length) = &column.length {
        figures.push((
            "Length",
            format!("{}–{} (mean {:.1})", length.min, length.max, length.mean),
        ));
    }
    if let (Some(yes), Some(no)) = (column.true_count, column.false_count) {
        figures.push((
            "True / false",
            format!("{} / {}", thousands(yes), thousands(no)),
        ));
    }
    figures
}

/// The smallest and largest value, as shown.
fn range_ends(column: &ColumnProfile) -> (String, String) {
    let shown =
        |value: &Option<shared::ProfileValue>| value.as_ref().map(label).unwrap_or_default();
    (shown(&column.min), shown(&column.max))
}

/// The chart that suits the column's type.
fn chart(column: &ColumnProfile, values: u64, (low, high): (String, String)) -> AnyView {
    let name = column.name.clone();
    let all_different =
        column.top_values_exact && column.top_values.first().is_some_and(|top| top.count == 1);
    match column.column_type {
        ColumnType::Integer | ColumnType::Float | ColumnType::Date | ColumnType::Datetime
            if !column.histogram.is_empty() =>
        {
            let note = (!column.histogram_exact)
                .then_some("Bin counts estimated from a t-digest; they add up to the values.");
            view! {
                <Histogram column=name bins=column.histogram.clone() exact=column.histogram_exact low high />
                {note.map(|note| view! { <p class="profile-card__note">{note}</p> })}
            }
            .into_any()
        }
        ColumnType::Boolean => {
            let bars = vec![
                ValueCount {
                    value: "true".to_owned(),
                    count: column.true_count.unwrap_or(0),
                },
                ValueCount {
                    value: "false".to_owned(),
                    count: column.false_count.unwrap_or(0),
                },
            ];
            view! { <TopValues column=name values=bars exact=true /> }.into_any()
        }
        ColumnType::Text if all_different => view! {
            <p class="profile-card__note" data-testid="all-different">"Every value is different."</p>
        }
        .into_any(),
        ColumnType::Text if !column.top_values.is_empty() => {
            let note = (!column.top_values_exact).then_some(
                "Counts estimated (frequent-items sketch); values under about 1.4% of the cells \
                 are not listed.",
            );
            view! {
                <TopValues column=name values=column.top_values.clone() exact=column.top_values_exact />
                {note.map(|note| view! { <p class="profile-card__note">{note}</p> })}
            }
            .into_any()
        }
        ColumnType::Text if values > 0 => view! {
            <p class="profile-card__note" data-testid="no-top-values">
                "No value stands out: none is more than about 1.4% of the cells."
            </p>
        }
        .into_any(),
        _ => view! { <p class="profile-card__note">"No values."</p> }.into_any(),
    }
}

fn percent(share: f64) -> String {
    let percent = share * 100.0;
    if percent > 0.0 && percent < 0.1 {
        "< 0.1%".to_owned()
    } else {
        format!("{percent:.1}%")
    }
}
