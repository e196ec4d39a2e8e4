//! The HTML shell (rendered once per page on the server) and the application's router.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

use crate::components::header::SiteHeader;
use crate::pages::home::HomePage;
use crate::pages::not_found::NotFound;
use crate::pages::{DatabaseRoute, SettingsRoute, SignInRoute, SignUpRoute, TableRoute};
use crate::previews::{DatabaseListVersion, OpenCards, PreviewCache};
use crate::row_pages::RowPages;
use crate::session::SignedIn;

/// The document around the app: head, hydration scripts, body.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="description" content="Browse, preview and import CSV tables kept in S3." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    PreviewCache::provide();
    RowPages::provide();
    DatabaseListVersion::provide();
    OpenCards::provide();
    SignedIn::provide();
    // Tests and scripts wait for this marker: clicks before hydration do nothing.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/database-manager.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Database Manager".to_owned() } else { format!("{page} · Database Manager") }
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader />
            <main id="main" class="page">
                <Routes fallback=NotFound>
                    // The list must be in the HTML itself (readable without JavaScript), so
                    // the page waits for its data instead of streaming it in later.
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/db/:name") view={Lazy::<DatabaseRoute>::new()} />
                    <Route path=path!("/db/:name/:table") view={Lazy::<TableRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                    <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} />
                    <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()} />
                </Routes>
            </main>
        </Router>
    }
}
