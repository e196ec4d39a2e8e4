//! Deleting a database or a table: a button, then a confirmation dialog that names exactly
//! what will be deleted. Native `<dialog>`: focus stays inside, Escape cancels.

use leptos::html::Dialog;
use leptos::prelude::*;

use crate::api::{delete_database, delete_table};
use crate::previews::AfterWrite;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteTarget {
    Database { name: String, table_count: usize },
    Table { database: String, table: String },
}

impl DeleteTarget {
    fn database(&self) -> &str {
        match self {
            DeleteTarget::Database { name, .. } => name,
            DeleteTarget::Table { database, .. } => database,
        }
    }

    fn button_label(&self) -> String {
        match self {
            DeleteTarget::Database { name, .. } => format!("Delete database {name}"),
            DeleteTarget::Table { table, .. } => format!("Delete table {table}"),
        }
    }

    fn question(&self) -> String {
        match self {
            DeleteTarget::Database { name, table_count } => format!(
                "Delete the database “{name}” and its {}? This cannot be undone.",
                crate::format::count_label(*table_count, "table", "tables")
            ),
            DeleteTarget::Table { database, table } => {
                format!("Delete the table “{table}” from “{database}”? This cannot be undone.")
            }
        }
    }
}

#[component]
pub fn DeleteButton(target: DeleteTarget) -> impl IntoView {
    let after_write = AfterWrite::from_context();
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
    let confirm = {
        let target = target.clone();
        move |_| {
            busy.set(true);
            let target = target.clone();
            leptos::task::spawn_local(async move {
                let result = match &target {
                    DeleteTarget::Database { name, .. } => {
                        delete_database(name.clone()).await.map(|_| ())
                    }
                    DeleteTarget::Table { database, table } => {
                        delete_table(database.clone(), table.clone())
                            .await
                            .map(|_| ())
                    }
                };
                busy.set(false);
                match result {
                    Ok(()) => {
                        close();
                        after_write.database_changed(target.database());
                    }
                    Err(failure) => error.set(Some(failure.message().to_owned())),
                }
            });
        }
    };
    let label = target.button_label();
    let title_id = format!("delete-title-{}", label.replace(' ', "-"));
    let labelled_by = title_id.clone();
    view! {
        <button type="button" class="button button--danger-ghost" on:click=open>
            {label.clone()}
        </button>
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by>
            <h2 class="dialog__title" id=title_id>{label}</h2>
            <p>{target.question()}</p>
            {move || error.get().map(|message| view! { <p class="dialog__error" role="alert">{message}</p> })}
            <div class="dialog__actions">
                <button type="button" class="button button--ghost" on:click=move |_| close() autofocus>
                    "Cancel"
                </button>
                <button type="button" class="button button--danger" on:click=confirm disabled=move || busy.get()>
                    {move || if busy.get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </dialog>
    }
}
