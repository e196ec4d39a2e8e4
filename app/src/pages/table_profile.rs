//! `/db/NAME/TABLE?view=profile`: what every column of the table holds, one card per column
//! ([`ColumnProfileCard`]), from `GET /api/table_profile` (rendered on the server, then
//! hydrated). While the profile of a table another tool wrote is being computed, the view
//! shows how far the scan is and asks again every two seconds.

use leptos::prelude::*;
use shared::{ErrorCode, ProfileSource, TableProfileReport};

use crate::api::table_profile;
use crate::components::column_profile_card::ColumnProfileCard;
use crate::components::error_panel::ErrorPanel;
use crate::error::AppError;
use crate::format::thousands;

#[component]
pub fn ProfileView(database: Memo<String>, table: Memo<String>) -> impl IntoView {
    let profile = Resource::new(
        move || (database.get(), table.get()),
        |(database, table)| table_profile(database, table),
    );
    Effect::new(move |_| {
        if let Some(Err(error)) = profile.get()
            && error.code() == ErrorCode::ProfileComputing
        {
            set_timeout(move || profile.refetch(), std::time::Duration::from_secs(2));
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the profile…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(report) => view! { <Profiles report /> }.into_any(),
                    Err(error) if error.code() == ErrorCode::ProfileComputing => {
                        view! { <Computing error /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel title="Could not load the profile" error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Profiles(report: TableProfileReport) -> impl IntoView {
    let source = match report.computed_from {
        ProfileSource::Import => "computed when the table was imported",
        ProfileSource::Scan => "computed by reading the whole table once",
    };
    let intro = format!(
        "Every one of its {} rows, {source}.",
        thousands(report.row_count)
    );
    let rows = report.row_count;
    let unprofiled = (report.unprofiled_columns > 0).then(|| {
        format!(
            "Only the first {} columns are profiled; the other {} are not.",
            report.columns.len(),
            thousands(report.unprofiled_columns)
        )
    });
    view! {
        <section class="profile" aria-labelledby="profile-heading" data-testid="profile">
            <h2 id="profile-heading" class="profile__heading">"Columns"</h2>
            <p class="profile__intro">{intro}</p>
            {unprofiled.map(|note| view! { <p class="profile__intro" role="note">{note}</p> })}
            <div class="profile__grid">
                {report.columns.into_iter().map(|column| view! {
                    <ColumnProfileCard column row_count=rows />
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn Computing(error: AppError) -> impl IntoView {
    let percent = error.0.progress_percent.unwrap_or(0);
    view! {
        <div class="notice" role="status" data-testid="profile-computing">
            <p class="notice__title">"The profile is being computed"</p>
            <p>{error.message().to_owned()}</p>
            <progress max="100" value=percent.to_string()>{format!("{percent}%")}</progress>
        </div>
    }
}
