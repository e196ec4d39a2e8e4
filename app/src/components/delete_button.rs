//! Deleting a database or a table: a button, then the confirmation dialog
//! ([`ConfirmButton`]) that names exactly what will be deleted.

use leptos::prelude::*;

use crate::api::{delete_database, delete_table};
use crate::components::confirm_button::{ConfirmButton, Confirmation};
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
pub fn DeleteButton(target: DeleteTarget) -> AnyView {
    let after_write = AfterWrite::from_context();
    let label = target.button_label();
    let confirmation = Confirmation {
        button: label.clone(),
        title: label,
        question: target.question(),
        confirm: "Delete",
        busy: "Deleting…",
    };
    let on_confirm = move || {
        let target = target.clone();
        async move {
            send_delete(target.clone()).await?;
            after_write.database_changed(target.database());
            Ok(())
        }
    };
    view! { <ConfirmButton confirmation on_confirm /> }.into_any()
}

/// Asks the server to delete `target`; the server's message if it refuses. Its code (the
/// calls and their answers' decoders) is loaded the first time a person confirms a
/// delete: a separate wasm file.
#[leptos::lazy]
async fn send_delete(target: DeleteTarget) -> Result<(), String> {
    let result = match target {
        DeleteTarget::Database { name, .. } => delete_database(name).await.map(|_| ()),
        DeleteTarget::Table { database, table } => delete_table(database, table).await.map(|_| ()),
    };
    result.map_err(|failure| failure.message().to_owned())
}
