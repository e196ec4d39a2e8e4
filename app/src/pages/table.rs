//! `/db/NAME/TABLE?row=N&size=S`: one table, any row of it; `?view=profile`: what each of
//! its columns holds (`super::table_profile`). Rendered on the server (the
//! page's rows are in the HTML), then hydrated. The position lives in the URL, so a page
//! deep-links and the back button walks back through the pages seen; links and the "go to
//! row" form work without JavaScript. Pages come from `GET /api/table_rows` through the
//! browser's cache of recent pages ([`RowPages`]); while the index of a table another tool
//! wrote is being built, deep rows show its progress and are asked for again.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::{DEFAULT_PAGE_ROWS, ErrorCode, TableRows, routes};

use crate::components::format_badge::FormatBadge;

use crate::api::table_rows;
use crate::components::error_panel::ErrorPanel;
use crate::components::row_grid::RowGrid;
use crate::error::AppError;
use crate::format::{bytes, count_label, row_count, thousands};
use crate::pages::table_profile::ProfileView;
use crate::row_pages::{PageKey, RowPages};

/// The page sizes offered.
pub const PAGE_SIZES: [usize; 3] = [50, 100, 500];

/// Where in a table the page is: its first row (1-based, as shown) and how many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub row: u64,
    pub size: usize,
}

impl Position {
    /// From the URL's `row` and `size`; anything unreadable is the first page of 100.
    pub fn from_query(row: Option<&str>, size: Option<&str>) -> Self {
        let row = row
            .and_then(|row| row.trim().replace(',', "").parse::<u64>().ok())
            .unwrap_or(1)
            .max(1);
        let size = size
            .and_then(|size| size.parse::<usize>().ok())
            .filter(|size| PAGE_SIZES.contains(size))
            .unwrap_or(DEFAULT_PAGE_ROWS);
        Self { row, size }
    }

    pub fn offset(self) -> u64 {
        self.row - 1
    }

    /// This position's page: `/db/NAME/TABLE?row=N&size=S` (defaults left out).
    pub fn url(self, database: &str, table: &str) -> String {
        let mut query = Vec::new();
        if self.row > 1 {
            query.push(format!("row={}", self.row));
        }
        if self.size != DEFAULT_PAGE_ROWS {
            query.push(format!("size={}", self.size));
        }
        let path = format!("/db/{database}/{table}");
        if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }

    pub fn first(self) -> Self {
        Self { row: 1, ..self }
    }

    pub fn previous(self) -> Self {
        Self {
            row: self.row.saturating_sub(self.size as u64).max(1),
            ..self
        }
    }

    pub fn next(self) -> Self {
        Self {
            row: self.row + self.size as u64,
            ..self
        }
    }

    /// The page that ends with the last of `rows` rows.
    pub fn last(self, rows: u64) -> Self {
        Self {
            row: rows.saturating_sub(self.size as u64).saturating_add(1),
            ..self
        }
    }

    pub fn with_size(self, size: usize) -> Self {
        Self { size, ..self }
    }
}

/// The query parameter and value of the profile view.
pub const PROFILE_VIEW: (&str, &str) = ("view", "profile");

#[component]
pub fn TablePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let database = Memo::new(move |_| params.with(|p| p.get("name").unwrap_or_default()));
    let table = Memo::new(move |_| params.with(|p| p.get("table").unwrap_or_default()));
    let profile_shown = Memo::new(move |_| {
        query.with(|q| q.get(PROFILE_VIEW.0).as_deref() == Some(PROFILE_VIEW.1))
    });
    let rows_href = move || format!("/db/{}/{}", database.get(), table.get());
    let profile_href = move || {
        format!(
            "/db/{}/{}?{}={}",
            database.get(),
            table.get(),
            PROFILE_VIEW.0,
            PROFILE_VIEW.1
        )
    };
    let current = move |profile: bool| (profile_shown.get() == profile).then_some("page");
    view! {
        <Title text=move || format!("{} · {}", table.get(), database.get()) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/">"Databases"</A>
            <span aria-hidden="true">" / "</span>
            <A href=move || format!("/db/{}", database.get())>{database}</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{table}</span>
        </nav>
        <section class="page-intro table-page__intro">
            <h1>{table}</h1>
            <a
                class="button button--secondary"
                data-testid="download"
                download
                href=move || download_href(&database.get(), &table.get())
            >
                "Download"
            </a>
        </section>
        <nav class="view-tabs" aria-label="Views of the table">
            <A href=rows_href attr:class="view-tabs__tab" attr:aria-current=move || current(false)
                attr:data-testid="rows-tab">"Rows"</A>
            <A href=profile_href attr:class="view-tabs__tab" attr:aria-current=move || current(true)
                attr:data-testid="profile-tab">"Profile"</A>
        </nav>
        {move || if profile_shown.get() {
            view! { <ProfileView database table /> }.into_any()
        } else {
            view! { <RowsView database table /> }.into_any()
        }}
    }
}

/// The rows at the URL's position, with the pager.
#[component]
fn RowsView(database: Memo<String>, table: Memo<String>) -> impl IntoView {
    let query = use_query_map();
    let position = Memo::new(move |_| {
        query.with(|q| Position::from_query(q.get("row").as_deref(), q.get("size").as_deref()))
    });
    let pages = RowPages::from_context();
    let page = Resource::new(
        move || (database.get(), table.get(), position.get()),
        move |(database, table, position)| async move {
            let key = PageKey {
                database: database.clone(),
                table: table.clone(),
                offset: position.offset(),
                limit: position.size,
            };
            if let Some(cached) = pages.get(&key) {
                return Ok(cached);
            }
            let offset = i64::try_from(position.offset()).unwrap_or(i64::MAX);
            let size = i64::try_from(position.size).unwrap_or(100);
            let result = table_rows(database, table, Some(offset), Some(size)).await;
            if let Ok(rows) = &result {
                pages.put(key, rows.clone());
            }
            result
        },
    );
    // While the index is built, ask again every two seconds (in the browser only).
    Effect::new(move |_| {
        if let Some(Err(error)) = page.get()
            && error.code() == ErrorCode::IndexBuilding
        {
            set_timeout(move || page.refetch(), std::time::Duration::from_secs(2));
        }
    });
    let go_to = GoTo {
        database,
        table,
        position,
    };
    go_to.listen_to_keys(page);

    view! {
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading rows…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(rows) => view! { <TableView rows go_to /> }.into_any(),
                    Err(error) if error.code() == ErrorCode::IndexBuilding => {
                        view! { <IndexBuilding error go_to /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel title="Could not load the rows" error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn download_href(database: &str, table: &str) -> String {
    match (
        shared::DatabaseName::parse(database),
        shared::TableName::parse(table),
    ) {
        (Ok(database), Ok(table)) => routes::download(&database, &table),
        _ => routes::DOWNLOAD.to_owned(),
    }
}

/// Moving to another position: the URL changes (a history entry, so "back" returns).
#[derive(Clone, Copy)]
struct GoTo {
    database: Memo<String>,
    table: Memo<String>,
    position: Memo<Position>,
}

impl GoTo {
    fn href(&self, position: Position) -> String {
        position.url(&self.database.get(), &self.table.get())
    }

    fn navigate(&self, position: Position) {
        let url = position.url(&self.database.get_untracked(), &self.table.get_untracked());
        use_navigate()(
            &url,
            NavigateOptions {
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    }

    /// PageDown / PageUp: next / previous page; Home / End: first / last (not while typing
    /// in a field).
    fn listen_to_keys(self, page: Resource<Result<TableRows, AppError>>) {
        let navigate = use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            if event.alt_key() || event.ctrl_key() || event.meta_key() || typing_in_a_field(&event)
            {
                return;
            }
            let here = self.position.get_untracked();
            let rows = page
                .get_untracked()
                .and_then(Result::ok)
                .map(|rows| rows.row_count);
            let target = match event.key().as_str() {
                "PageDown" => here.next(),
                "PageUp" => here.previous(),
                "Home" => here.first(),
                "End" => match rows {
                    Some(rows) => here.last(rows),
                    None => return,
                },
                _ => return,
            };
            event.prevent_default();
            if target != here {
                let url = target.url(&self.database.get_untracked(), &self.table.get_untracked());
                navigate(
                    &url,
                    NavigateOptions {
                        scroll: false,
                        ..NavigateOptions::default()
                    },
                );
            }
        });
        on_cleanup(move || handle.remove());
    }
}

fn typing_in_a_field(event: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(
                element.tag_name().to_ascii_lowercase().as_str(),
                "input" | "select" | "textarea"
            )
        })
}

#[component]
fn TableView(rows: TableRows, go_to: GoTo) -> impl IntoView {
    let here = go_to.position.get_untracked();
    let total = rows.row_count;
    let shown = rows.rows.len() as u64;
    let count_text = row_count(total, rows.row_count_exact);
    let count_title = if rows.row_count_exact {
        "Exact row count"
    } else {
        "Estimated from the rows read; the exact count is being computed"
    };
    let meta = format!(
        "{} · {}",
        count_label(rows.columns.len(), "column", "columns"),
        bytes(rows.size_bytes)
    );
    let position_text = if shown == 0 {
        format!("No rows from row {} on", thousands(here.row))
    } else {
        format!(
            "Rows {}–{} of {}",
            thousands(here.row),
            thousands(here.row + shown - 1),
            count_text
        )
    };
    let at_start = here.row <= 1;
    let at_end = here.offset() + shown >= total && rows.row_count_exact;
    let warnings = rows.warnings.clone();
    view! {
        <p class="table-page__meta">
            <FormatBadge format=rows.format />
            " "
            <span data-testid="row-count" title=count_title>{count_text.clone()}</span>
            " · "
            <span>{meta}</span>
        </p>
        {(!warnings.is_empty()).then(|| view! {
            <ul class="table-preview__warnings" role="note">
                {warnings.iter().map(|w| view! { <li data-warning=w.kind.code()>{w.message.clone()}</li> }).collect_view()}
            </ul>
        })}
        <Pager go_to here total at_start at_end />
        <p class="table-page__position" data-testid="position" aria-live="polite">{position_text}</p>
        {(shown > 0).then(|| view! { <RowGrid page=rows.clone() /> })}
        <p class="table-page__keys">"Keys: PageDown / PageUp for the next / previous page, Home / End for the first / last."</p>
    }
}

#[component]
fn Pager(go_to: GoTo, here: Position, total: u64, at_start: bool, at_end: bool) -> impl IntoView {
    let link = move |label: &'static str,
                     target: Position,
                     disabled: bool,
                     testid: &'static str| {
        if disabled {
            view! { <span class="button button--secondary button--disabled" aria-disabled="true">{label}</span> }
                .into_any()
        } else {
            view! { <A href=go_to.href(target) attr:class="button button--secondary" attr:data-testid=testid>{label}</A> }
                .into_any()
        }
    };
    let on_size = move |event: leptos::ev::Event| {
        if let Ok(size) = event_target_value(&event).parse::<usize>() {
            go_to.navigate(here.with_size(size));
        }
    };
    let row_input = NodeRef::<leptos::html::Input>::new();
    let on_go = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Some(input) = row_input.get() {
            let wanted = Position::from_query(Some(&input.value()), None).row;
            go_to.navigate(Position {
                row: wanted,
                ..here
            });
        }
    };
    let action = go_to.href(Position {
        row: 1,
        size: DEFAULT_PAGE_ROWS,
    });
    view! {
        <nav class="row-pager" aria-label="Pages of rows">
            {link("First", here.first(), at_start, "first-page")}
            {link("Previous", here.previous(), at_start, "previous-page")}
            {link("Next", here.next(), at_end, "next-page")}
            {link("Last", here.last(total), at_end, "last-page")}
            <form class="row-pager__go" method="get" action=action on:submit=on_go>
                <label class="field field--inline">
                    <span class="field__label">"Go to row"</span>
                    <input class="field__input" type="text" inputmode="numeric" name="row"
                        data-testid="go-to-row" node_ref=row_input prop:value=here.row.to_string() />
                </label>
                <label class="field field--inline">
                    <span class="field__label">"Rows per page"</span>
                    <select class="field__input" name="size" data-testid="page-size" on:change=on_size>
                        {PAGE_SIZES.iter().map(|&size| view! {
                            <option value=size.to_string() selected=size == here.size>{size.to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button--secondary">"Go"</button>
            </form>
        </nav>
    }
}

#[component]
fn IndexBuilding(error: AppError, go_to: GoTo) -> impl IntoView {
    let percent = error.0.progress_percent.unwrap_or(0);
    let first = go_to.href(go_to.position.get_untracked().first());
    view! {
        <div class="notice" role="status" data-testid="index-building">
            <p class="notice__title">"This table is being indexed"</p>
            <p>{error.message().to_owned()}</p>
            <progress max="100" value=percent.to_string()>{format!("{percent}%")}</progress>
            <p><A href=first>"Show the first rows meanwhile"</A></p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_from_the_url_and_go_back_into_it() {
        let here = Position::from_query(Some("1,000,001"), Some("500"));
        assert_eq!(
            here,
            Position {
                row: 1_000_001,
                size: 500
            }
        );
        assert_eq!(here.offset(), 1_000_000);
        assert_eq!(
            here.url("sales", "orders"),
            "/db/sales/orders?row=1000001&size=500"
        );
        assert_eq!(Position::from_query(None, None).url("s", "o"), "/db/s/o");
        for (row, size) in [
            (Some("0"), Some("7")),
            (Some("x"), None),
            (Some("-4"), Some("a")),
        ] {
            assert_eq!(
                Position::from_query(row, size),
                Position { row: 1, size: 100 }
            );
        }
    }

    #[test]
    fn moves_stay_inside_the_table() {
        let here = Position {
            row: 120,
            size: 100,
        };
        assert_eq!(here.previous().row, 20);
        assert_eq!(here.previous().previous().row, 1);
        assert_eq!(here.next().row, 220);
        assert_eq!(here.last(1_000_000).row, 999_901);
        assert_eq!(here.last(30).row, 1);
        assert_eq!(here.first().row, 1);
    }
}
