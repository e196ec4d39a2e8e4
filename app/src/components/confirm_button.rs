//! The one way the app asks before doing something that cannot be undone (deleting a
//! database or a table, revoking a token): a button that opens a native `<dialog>` naming
//! exactly what will happen. Focus stays inside, Escape cancels, the dialog shows the
//! server's message when the action fails and closes when it succeeds.

use std::future::Future;

use leptos::html::Dialog;
use leptos::prelude::*;

/// What the button and its dialog say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The button's visible text.
    pub button: String,
    /// The button's accessible name and the dialog's title (e.g. "Revoke nightly import").
    pub title: String,
    /// What will happen, in a sentence.
    pub question: String,
    /// The confirming button's text, and its text while the action runs.
    pub confirm: &'static str,
    pub busy: &'static str,
}

#[component]
pub fn ConfirmButton<Act, Done>(confirmation: Confirmation, on_confirm: Act) -> AnyView
where
    Act: Fn() -> Done + Clone + Send + Sync + 'static,
    Done: Future<Output = Result<(), String>> + 'static,
{
    let dialog = NodeRef::<Dialog>::new();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let open = move |_| {
        error.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let confirm = move |_| {
        busy.set(true);
        let done = on_confirm();
        leptos::task::spawn_local(async move {
            let result = done.await;
            busy.set(false);
            match result {
                Ok(()) => close(),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let Confirmation {
        button,
        title,
        question,
        confirm: confirm_text,
        busy: busy_text,
    } = confirmation;
    let title_id = format!("confirm-{}", title.replace(' ', "-"));
    let labelled_by = title_id.clone();
    view! {
        <button type="button" class="button button--danger-ghost" aria-label=title.clone() on:click=open>
            {button}
        </button>
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by>
            <h2 class="dialog__title" id=title_id>{title}</h2>
            <p>{question}</p>
            {move || error.get().map(|message| view! { <p class="dialog__error" role="alert">{message}</p> })}
            <div class="dialog__actions">
                <button type="button" class="button button--ghost" on:click=move |_| close() autofocus>
                    "Cancel"
                </button>
                <button type="button" class="button button--danger" on:click=confirm disabled=move || busy.get()>
                    {move || if busy.get() { busy_text } else { confirm_text }}
                </button>
            </div>
        </dialog>
    }
    // Erased here: the generic closures would otherwise nest into every page that shows
    // the button, past rustc's query depth in release builds.
    .into_any()
}
