//! `/sign-in`: username and password. Whatever went wrong, the message does not say
//! whether the username exists. After signing in, the page asked for (`?next=`) loads anew.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::routes;

use crate::api::SignIn;
use crate::components::account_fields::{AccountField, FormProblem};
use crate::error::failure_message;
use crate::session::{load_page, safe_next};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            load_page(&safe_next(query.with_untracked(|query| query.get("next"))));
        }
    });
    let problem = Signal::derive(move || failure_message(action.value().get()));
    view! {
        <Title text="Sign in" />
        <section class="account-card" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <ActionForm action attr:class="account-form">
                <AccountField label="Username" name="username" input_type="text" autocomplete="username" />
                <AccountField label="Password" name="password" input_type="password" autocomplete="current-password" />
                <FormProblem problem />
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="account-card__switch">"No account yet? " <A href=routes::SIGN_UP_PAGE>"Create one"</A></p>
        </section>
    }
}
