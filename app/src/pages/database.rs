//! `/db/NAME`: one database's previews on a page of their own, to link to and bookmark.
//! The previews come from the same browser cache as the home page's cards.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::preview_panel::PreviewPanel;

#[component]
pub fn DatabasePage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    view! {
        <Title text=name />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/">"Databases"</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{name}</span>
        </nav>
        <section class="page-intro">
            <h1>{name}</h1>
        </section>
        // Each table's preview has an h3: their section heading keeps the levels in order.
        <h2 class="database-page__tables">"Tables"</h2>
        {move || {
            let database = name();
            view! { <PreviewPanel database /> }
        }}
    }
}
