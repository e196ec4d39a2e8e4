//! `/settings`: the user's personal API tokens, password and sessions. A new token is shown
//! once, right after it is made (only its hash is kept); the list shows names, ids and
//! dates; revoking one makes it stop working at once. Changing the password signs every
//! other browser out; "sign out everywhere" signs out every browser, this one included.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{NewToken, TokenInfo};

use crate::api::{ChangePassword, CreateToken, list_tokens, revoke_token, sign_out_everywhere};
use crate::components::account_fields::AccountField;
use crate::components::confirm_button::{ConfirmButton, Confirmation};
use crate::components::error_panel::ErrorPanel;
use crate::error::failure_message;
use crate::format::utc_label;
use crate::previews::PreviewCache;
use crate::session::{SignedIn, leave_signed_out};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    // Bumped after each revocation (its dialog shows whether it worked): the list reloads.
    let revoked_version = RwSignal::new(0_u64);
    let tokens = Resource::new(
        move || (create.version().get(), revoked_version.get()),
        |_| list_tokens(),
    );
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let create_problem = move || failure_message(create.value().get());
    let SignedIn(user) = SignedIn::from_context();
    view! {
        <Title text="Settings" />
        <section class="page-intro">
            <h1>"Settings"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    user.await.map(|name| view! { <p class="lede">"Signed in as " <strong>{name}</strong></p> })
                })}
            </Suspense>
        </section>
        <section class="settings-section" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p>
                "Scripts use a token instead of your password: send it as "
                <code>"Authorization: Bearer <token>"</code>
                " to any call of the API (see the README for curl examples). A token can do what you can, except make more tokens."
            </p>
            <ActionForm action=create attr:class="token-form">
                <label class="field">
                    <span class="field__label">"Token name"</span>
                    <input class="field__input" type="text" name="name" required maxlength="64"
                        placeholder="e.g. nightly import" />
                </label>
                <button type="submit" class="button button--primary" disabled=move || create.pending().get()>
                    "Create token"
                </button>
            </ActionForm>
            <p class="form-problem" role="alert">{create_problem}</p>
            {move || created.get().map(|token| view! { <NewTokenNotice token /> })}
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) => view! { <TokenTable tokens=list revoked_version /> }.into_any(),
                        Err(error) => view! { <ErrorPanel title="Could not load your tokens" error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <PasswordSection />
        <SessionsSection />
    }
}

/// Changing the password: the current one, then the new one. Every other browser is
/// signed out; this one gets a new session.
#[component]
fn PasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    let problem = move || failure_message(change.value().get());
    let changed = move || change.value().get().is_some_and(|answer| answer.is_ok());
    Effect::new(move || {
        if changed()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <section class="settings-section" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <p>"Changing your password signs you out of every other browser and device; this one stays signed in."</p>
            <ActionForm action=change node_ref=form attr:class="password-form">
                <AccountField label="Current password" name="current_password" input_type="password"
                    autocomplete="current-password" />
                <AccountField label="New password" name="new_password" input_type="password"
                    autocomplete="new-password" help="At least 10 characters; a few words make a good one." />
                <button type="submit" class="button button--primary" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                </button>
            </ActionForm>
            <p class="form-problem" role="alert">{problem}</p>
            <p class="form-done" role="status" data-testid="password-changed">
                {move || changed().then_some("Password changed. Every other browser and device was signed out.")}
            </p>
        </section>
    }
}

/// Signing out of every browser and device at once (this one too).
#[component]
fn SessionsSection() -> impl IntoView {
    let previews = PreviewCache::from_context();
    let confirmation = Confirmation {
        button: "Sign out everywhere".to_owned(),
        title: "Sign out everywhere".to_owned(),
        question: "Sign out of every browser and device, this one included? API tokens keep \
                   working; revoke them above."
            .to_owned(),
        confirm: "Sign out everywhere",
        busy: "Signing out…",
    };
    let on_confirm = move || async move {
        sign_out_everywhere()
            .await
            .map(|_| leave_signed_out(previews))
            .map_err(|failure| failure.message().to_owned())
    };
    view! {
        <section class="settings-section" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            <p>"Signed in on a computer you no longer use, or lost a phone? End every session at once."</p>
            <ConfirmButton confirmation on_confirm />
        </section>
    }
}

#[component]
fn NewTokenNotice(token: NewToken) -> impl IntoView {
    let select_all = move |event: leptos::ev::FocusEvent| {
        use wasm_bindgen::JsCast as _;
        if let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    };
    view! {
        <div class="token-notice" role="status" data-testid="new-token">
            <p>
                <strong>{format!("Token “{}” created.", token.info.name)}</strong>
                " Copy it now: it is not stored and will not be shown again."
            </p>
            <input class="field__input token-notice__text" type="text" readonly
                aria-label="The new token" value=token.token on:focus=select_all />
        </div>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenInfo>, revoked_version: RwSignal<u64>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="empty-state" data-testid="no-tokens">"You have no API tokens."</p> }
            .into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data-table token-table" aria-label="Your API tokens">
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Id"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|token| {
                        let confirmation = Confirmation {
                            button: "Revoke".to_owned(),
                            title: format!("Revoke {}", token.name),
                            question: format!(
                                "Revoke the token “{}”? Scripts using it stop working at once.",
                                token.name
                            ),
                            confirm: "Revoke",
                            busy: "Revoking…",
                        };
                        let id = token.id.clone();
                        let on_confirm = move || {
                            let id = id.clone();
                            async move {
                                let revoked = revoke_token(id).await.map(|_| ());
                                revoked_version.update(|version| *version += 1);
                                revoked.map_err(|failure| failure.message().to_owned())
                            }
                        };
                        view! {
                            <tr data-token=token.id.clone()>
                                <td>{token.name.clone()}</td>
                                <td><code>{token.id.clone()}</code></td>
                                <td>{utc_label(token.created_at)}</td>
                                <td><ConfirmButton confirmation on_confirm /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}
