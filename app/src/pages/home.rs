//! The home page: the databases the user can see, one page at a time, rendered on the
//! server from listings alone (nothing here reads a table). A filter box narrows the list
//! by name as you type; the filter and the page live in the URL (`/?q=sal&page=2`), so the
//! first render is already narrowed, links and the back button work, and without
//! JavaScript the filter is a plain GET form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::DatabasePage;

use crate::api::database_page;
use crate::components::database_card::DatabaseCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::import_panel::ImportPanel;
use crate::format::{count_label, thousands};
use crate::previews::DatabaseListVersion;

/// `/?q=FILTER&page=N`, leaving out what is empty or the first page.
fn list_url(filter: &str, page: usize) -> String {
    let mut query: Vec<(&str, String)> = Vec::new();
    if !filter.is_empty() {
        query.push(("q", filter.to_owned()));
    }
    if page > 1 {
        query.push(("page", page.to_string()));
    }
    if query.is_empty() {
        return "/".to_owned();
    }
    let encoded: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("/?{}", encoded.join("&"))
}

/// Percent-encodes a query value (letters, digits and `-_.~` stay as they are).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
pub fn HomePage() -> impl IntoView {
    let version = DatabaseListVersion::from_context();
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|query| query.get("q").unwrap_or_default()));
    let page = Memo::new(move |_| {
        query.with(|query| query.get("page").and_then(|page| page.parse::<u32>().ok()))
    });
    let databases = Resource::new(
        move || (version.get(), filter.get(), page.get()),
        |(_, filter, page)| database_page(Some(filter), page),
    );
    let navigate = use_navigate();
    let on_filter = move |event: leptos::ev::Event| {
        let typed = event_target_value(&event);
        navigate(
            &list_url(typed.trim(), 1),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    view! {
        <Title text="Databases" />
        <section class="page-intro">
            <h1>"Databases"</h1>
            <p class="lede">"CSV tables kept in S3. Default databases are shared with everyone and read-only."</p>
        </section>
        // Outside the list's Transition: the panel keeps its files while the list refreshes.
        <ImportPanel databases />
        <form class="list-filter" method="get" action="/" role="search">
            <label class="field">
                <span class="field__label">"Filter databases by name"</span>
                <input class="field__input" type="search" name="q" autocomplete="off"
                    data-testid="database-filter"
                    prop:value=move || filter.get() on:input=on_filter />
            </label>
        </form>
        // A Transition keeps the list on screen while it is fetched again after a write.
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading databases…"</p> }>
            {move || Suspend::new(async move {
                match databases.await {
                    Ok(page) => view! { <DatabaseList page /> }.into_any(),
                    Err(error) => {
                        view! { <ErrorPanel title="Could not load the databases" error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// What the summary line says about this page.
fn summary(page: &DatabasePage) -> String {
    let everything = format!(
        "{} · {}",
        count_label(page.total, "database", "databases"),
        count_label(page.total_tables, "table", "tables")
    );
    if !page.filter.is_empty() {
        return format!(
            "{} of {} match “{}”",
            thousands(page.matching as u64),
            count_label(page.total, "database", "databases"),
            page.filter
        );
    }
    if page.pages > 1 {
        let first = (page.page - 1) * shared::DATABASES_PER_PAGE + 1;
        let last = first + page.databases.len() - 1;
        return format!(
            "Showing {}–{} of {}",
            thousands(first as u64),
            thousands(last as u64),
            everything
        );
    }
    everything
}

#[component]
fn DatabaseList(page: DatabasePage) -> impl IntoView {
    if page.total == 0 {
        return view! {
            <div class="empty-state">
                <p class="empty-state__title">"No databases yet"</p>
                <p>"Databases appear here as soon as a folder of CSV files exists in the bucket."</p>
            </div>
        }
        .into_any();
    }
    let summary = summary(&page);
    let pager = (page.pages > 1).then(|| view! { <Pager page=page.clone() /> });
    let empty = page.databases.is_empty().then(|| {
        view! { <p class="empty-state" data-testid="no-match">"No database name contains that text."</p> }
    });
    view! {
        <p class="list-summary" data-testid="list-summary" aria-live="polite">{summary}</p>
        {empty}
        <ul class="database-grid" aria-label="Databases">
            {page
                .databases
                .into_iter()
                .map(|database| view! { <li><DatabaseCard database /></li> })
                .collect_view()}
        </ul>
        {pager}
    }
    .into_any()
}

#[component]
fn Pager(page: DatabasePage) -> impl IntoView {
    let previous = (page.page > 1).then(|| list_url(&page.filter, page.page - 1));
    let next = (page.page < page.pages).then(|| list_url(&page.filter, page.page + 1));
    let position = format!("Page {} of {}", page.page, page.pages);
    view! {
        <nav class="pager" aria-label="Pages of databases">
            {previous.map(|href| view! { <a class="button button--secondary" href=href rel="prev">"Previous"</a> })}
            <span class="pager__position">{position}</span>
            {next.map(|href| view! { <a class="button button--secondary" href=href rel="next">"Next"</a> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_urls_leave_out_defaults_and_encode_the_filter() {
        assert_eq!(list_url("", 1), "/");
        assert_eq!(list_url("", 3), "/?page=3");
        assert_eq!(list_url("sales 2024&x", 2), "/?q=sales%202024%26x&page=2");
    }
}
