//! The page for any path the router does not know.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="page-intro">
            <h1>"Page not found"</h1>
            <p class="lede">"There is nothing at this address. " <A href="/">"See all databases"</A></p>
        </section>
    }
}
