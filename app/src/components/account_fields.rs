//! The fields of the sign-in and sign-up forms: labelled inputs with optional help and a
//! live hint (shown while what is typed breaks a rule), and the form's problem message.
//! Field names are the server functions' argument names (`username`, `password`).

use leptos::prelude::*;

/// A labelled input of an account form; `typed` follows what is typed (for live checks),
/// `hint` replaces `help` while it has something to say.
#[component]
pub fn AccountField(
    label: &'static str,
    name: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] typed: Option<RwSignal<String>>,
    #[prop(optional, into)] hint: Option<Signal<Option<String>>>,
    #[prop(optional)] help: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let described_by = hint_id.clone();
    let on_input = move |event| {
        if let Some(typed) = typed {
            typed.set(event_target_value(&event));
        }
    };
    let hint_text = move || hint.and_then(|hint| hint.get());
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <input
                class="field__input"
                type=input_type
                name=name
                autocomplete=autocomplete
                required
                aria-describedby=described_by
                aria-invalid=move || if hint_text().is_some() { "true" } else { "false" }
                on:input=on_input
            />
            <span class="field__help" id=hint_id>
                {move || hint_text().unwrap_or_else(|| help.unwrap_or_default().to_owned())}
            </span>
        </label>
    }
}

/// What went wrong with the last submission, announced to screen readers.
#[component]
pub fn FormProblem(problem: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="form-problem" role="alert" data-testid="form-problem">
            {move || problem.get()}
        </p>
    }
}
