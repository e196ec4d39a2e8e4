//! `/sign-up`: choose a username and a password, checked as you type with the same rules
//! the server applies. Where sign-up is closed, the server says so and who to ask.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use shared::UserName;
use shared::accounts::check_new_password;
use shared::routes;

use crate::api::SignUp;
use crate::components::account_fields::{AccountField, FormProblem};
use crate::error::failure_message;
use crate::format::capitalise;
use crate::session::load_page;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            load_page("/");
        }
    });
    let username_hint = Signal::derive(move || {
        let typed = username.get();
        if typed.is_empty() {
            return None;
        }
        UserName::from_input(&typed)
            .err()
            .map(|error| format!("{}.", capitalise(&error.to_string())))
    });
    let password_hint = Signal::derive(move || {
        let typed = password.get();
        (!typed.is_empty())
            .then(|| check_new_password(&typed).err())
            .flatten()
    });
    let problem = Signal::derive(move || failure_message(action.value().get()));
    view! {
        <Title text="Create an account" />
        <section class="account-card" aria-labelledby="sign-up-title">
            <h1 id="sign-up-title">"Create an account"</h1>
            <p class="account-card__lede">
                "Your databases are yours alone; the default databases are shared with everyone, read-only."
            </p>
            <ActionForm action attr:class="account-form">
                <AccountField label="Username" name="username" input_type="text" autocomplete="username"
                    typed=username hint=username_hint
                    help="Letters, digits, '_' and '-'; capitals become lowercase." />
                <AccountField label="Password" name="password" input_type="password" autocomplete="new-password"
                    typed=password hint=password_hint
                    help="At least 10 characters; a few words make a good one." />
                <FormProblem problem />
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="account-card__switch">"Have an account? " <A href=routes::SIGN_IN_PAGE>"Sign in"</A></p>
        </section>
    }
}
