//! `/settings`: the user's personal API tokens. A new token is shown once, right after it
//! is made (only its hash is kept); the list shows names, ids and dates; revoking one makes
//! it stop working at once.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{NewToken, TokenInfo};

use crate::api::{CreateToken, list_tokens, revoke_token};
use crate::components::confirm_button::{ConfirmButton, Confirmation};
use crate::components::error_panel::ErrorPanel;
use crate::error::failure_message;
use crate::format::utc_label;
use crate::session::SignedIn;

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
