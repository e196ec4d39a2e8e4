//! The small charts of a column profile, drawn as inline SVG from the data (rendered on the
//! server, no chart library): a histogram, bars of the most frequent values, and a bar for a
//! share. Colours come from the theme's CSS variables, so both themes work; every chart has a
//! text alternative (an `aria-label` that says what it shows, and the numbers as text).

use leptos::prelude::*;
use shared::{HistogramBin, ProfileValue, ValueCount};

use crate::format::{short_float, thousands};

/// The histogram's drawing area (SVG user units; the SVG stretches to its box).
const WIDTH: f64 = 200.0;
const HEIGHT: f64 = 60.0;

/// Bars of equal width, one per bin, as high as their share of the fullest bin; the
/// column's smallest and largest values are written under it.
#[component]
pub fn Histogram(
    /// The column, for the text alternative.
    column: String,
    bins: Vec<HistogramBin>,
    exact: bool,
    /// The column's range, as shown under the axis.
    low: String,
    high: String,
) -> impl IntoView {
    let tallest = bins.iter().map(|bin| bin.count).max().unwrap_or(0).max(1);
    let width = WIDTH / bins.len().max(1) as f64;
    let fullest = bins.iter().max_by_key(|bin| bin.count);
    let summary = match (bins.first(), bins.last(), fullest) {
        (Some(first), Some(last), Some(fullest)) => format!(
            "Histogram of {column}: {} bins from {} to {}; the fullest, {}, holds {} values{}.",
            bins.len(),
            label(&first.low),
            label(&last.high),
            bin_range(fullest),
            thousands(fullest.count),
            if exact { "" } else { " (estimated)" }
        ),
        _ => format!("Histogram of {column}: no values."),
    };
    view! {
        <figure class="profile-chart" data-testid="histogram">
            <svg class="histogram" viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none"
                role="img" aria-label=summary.clone()>
                {bins.iter().enumerate().map(|(index, bin)| {
                    let height = if bin.count == 0 {
                        0.0
                    } else {
                        (HEIGHT - 2.0) * bin.count as f64 / tallest as f64 + 1.0
                    };
                    let tip = format!("{}: {}", bin_range(bin), thousands(bin.count));
                    view! {
                        <rect class="histogram__bar" x=format!("{:.2}", index as f64 * width + 0.5)
                            y=format!("{:.2}", HEIGHT - height) width=format!("{:.2}", (width - 1.0).max(0.5))
                            height=format!("{height:.2}")>
                            <title>{tip}</title>
                        </rect>
                    }
                }).collect_view()}
                <line class="histogram__axis" x1="0" x2=WIDTH.to_string() y1=HEIGHT.to_string() y2=HEIGHT.to_string() />
            </svg>
            <figcaption class="profile-chart__axis">
                <span>{low}</span>
                <span>{high}</span>
            </figcaption>
        </figure>
    }
}

/// The most frequent values: each a row with its text, a bar as long as its count beside
/// the most frequent one's, and its count.
#[component]
pub fn TopValues(column: String, values: Vec<ValueCount>, exact: bool) -> impl IntoView {
    let most = values
        .iter()
        .map(|value| value.count)
        .max()
        .unwrap_or(0)
        .max(1);
    let label = format!(
        "Most frequent values of {column}{}",
        if exact { "" } else { " (estimated counts)" }
    );
    view! {
        <ol class="top-values" aria-label=label data-testid="top-values">
            {values.into_iter().map(|value| {
                let share = value.count as f64 / most as f64;
                let count = format!("{}{}", if exact { "" } else { "≈" }, thousands(value.count));
                let shown = if value.value.is_empty() { "(empty)".to_owned() } else { value.value };
                view! {
                    <li class="top-values__row">
                        <span class="top-values__value" title=shown.clone()>{shown.clone()}</span>
                        <ShareBar share />
                        <span class="top-values__count">{count}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// A bar filled to `share` (0 to 1); decorative: the number is always written beside it.
#[component]
pub fn ShareBar(share: f64) -> impl IntoView {
    let filled = (share.clamp(0.0, 1.0) * 100.0).max(if share > 0.0 { 1.0 } else { 0.0 });
    view! {
        <svg class="share-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect class="share-bar__track" x="0" y="0" width="100" height="8" rx="2" />
            <rect class="share-bar__fill" x="0" y="0" width=format!("{filled:.2}") height="8" rx="2" />
        </svg>
    }
}

/// A value as shown: integers with their thousands grouped, floats with six significant
/// digits at most.
pub fn label(value: &ProfileValue) -> String {
    match value {
        ProfileValue::Float(number) => short_float(*number),
        ProfileValue::Integer(number) if *number < 0 => {
            format!("−{}", thousands(number.unsigned_abs()))
        }
        ProfileValue::Integer(number) => thousands(number.unsigned_abs()),
        ProfileValue::Text(text) => text.clone(),
    }
}

fn bin_range(bin: &HistogramBin) -> String {
    if bin.low == bin.high {
        label(&bin.low)
    } else {
        format!("{} – {}", label(&bin.low), label(&bin.high))
    }
}
