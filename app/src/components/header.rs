//! The site header: the product name, navigation and who is signed in.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <svg class="brand__logo" viewBox="0 0 24 24" aria-hidden="true">
                        <ellipse cx="12" cy="5" rx="8" ry="3" />
                        <path d="M4 5v6c0 1.7 3.6 3 8 3s8-1.3 8-3V5" />
                        <path d="M4 11v6c0 1.7 3.6 3 8 3s8-1.3 8-3v-6" />
                    </svg>
                    <span class="brand__name">"Database Manager"</span>
                </A>
                <nav class="site-nav" aria-label="Main">
                    <A href="/" exact=true>"Databases"</A>
                </nav>
                <span class="user-chip" title="Signed in as">
                    <span class="visually-hidden">"Signed in as "</span>
                    "local"
                </span>
            </div>
        </header>
    }
}
