//! The site header: the product name, navigation, and who is signed in with a way out. On a
//! phone it stays one line: the name shrinks to the logo and the account collapses into a
//! menu (`<details>`, so it opens without JavaScript too); CSS shows one form or the other.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::routes;

use crate::api::sign_out;
use crate::previews::PreviewCache;
use crate::session::{SignedIn, leave_signed_out};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let SignedIn(user) = SignedIn::from_context();
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
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        user.await.map(|name| view! { <SignedInNav name /> })
                    })}
                </Suspense>
            </div>
        </header>
    }
}

#[component]
fn SignedInNav(name: String) -> impl IntoView {
    let previews = PreviewCache::from_context();
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_sign_out = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match send_sign_out().await {
                Ok(()) => leave_signed_out(previews),
                Err(message) => {
                    busy.set(false);
                    failed.set(Some(message));
                }
            }
        });
    };
    view! {
        <nav class="site-nav" aria-label="Main">
            <A href="/" exact=true>"Databases"</A>
            <A href=routes::SETTINGS_PAGE>"Settings"</A>
        </nav>
        <div class="site-account site-account--inline">
            <span class="user-chip" title=format!("Signed in as {name}")>
                <span class="visually-hidden">"Signed in as "</span>
                <span data-testid="signed-in-user">{name.clone()}</span>
            </span>
            <button type="button" class="button button--ghost" on:click=on_sign_out disabled=move || busy.get()>
                "Sign out"
            </button>
        </div>
        <details class="site-account site-account--menu">
            <summary class="account-menu__button" aria-label=format!("Account of {name}")>
                <svg class="account-menu__icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="12" cy="8" r="4" />
                    <path d="M4 21c0-4 3.6-7 8-7s8 3 8 7" />
                </svg>
            </summary>
            <div class="account-menu__panel">
                <p class="account-menu__name">"Signed in as " <strong>{name.clone()}</strong></p>
                <button type="button" class="button button--secondary" on:click=on_sign_out disabled=move || busy.get()>
                    "Sign out"
                </button>
            </div>
        </details>
        {move || failed.get().map(|message| view! { <p class="header-error" role="alert">{message}</p> })}
    }
}

/// Ends the session on the server; the server's message if it could not. Loaded when a
/// person first signs out (a separate wasm file).
#[leptos::lazy]
async fn send_sign_out() -> Result<(), String> {
    sign_out()
        .await
        .map(|_| ())
        .map_err(|error| error.message().to_owned())
}
