//! How an API error is shown: the server's message, which already says what to do.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorPanel(
    /// What was being attempted, e.g. "Could not load the databases".
    title: &'static str,
    error: AppError,
) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert">
            <p class="error-panel__title">{title}</p>
            <p class="error-panel__message">{error.message().to_owned()}</p>
        </div>
    }
}
