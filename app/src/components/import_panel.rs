//! Importing CSV files from the browser: pick or drop several files, choose an existing
//! database of yours or type a new name, edit each table name, then watch each file upload
//! (bytes sent), cancel if needed, and read each file's result: rows and columns, warnings,
//! or the error with what to do.

use leptos::prelude::*;
use shared::names::{NameKind, sanitize_table_name, validate_name};
use shared::{ApiError, DatabasePage, ImportedFile};
use web_sys::FileList;

use crate::error::AppError;
use crate::format::{bytes, capitalise, count_label, thousands};
use crate::previews::AfterWrite;
use crate::upload::{self, UploadRequest};

#[derive(Debug, Clone, PartialEq)]
enum FileState {
    Waiting,
    Uploading { sent: u64, total: u64 },
    Imported(ImportedFile),
    Failed(String),
}

#[derive(Debug, Clone, Copy)]
struct QueuedFile {
    /// The key of the browser's file handle (see `upload::keep_file`).
    id: u64,
    name: StoredValue<String>,
    size: u64,
    table: RwSignal<String>,
    state: RwSignal<FileState>,
}

/// The panel's state, shared by its handlers.
#[derive(Clone, Copy)]
struct Importer {
    database: RwSignal<String>,
    replace: RwSignal<bool>,
    queue: RwSignal<Vec<QueuedFile>>,
    running: RwSignal<bool>,
    /// Set by "Cancel": the queue stops after the file in flight.
    cancelled: RwSignal<bool>,
    after_write: AfterWrite,
}

impl Importer {
    fn new(database: String) -> Self {
        Self {
            database: RwSignal::new(database),
            replace: RwSignal::new(false),
            queue: RwSignal::new(Vec::new()),
            running: RwSignal::new(false),
            cancelled: RwSignal::new(false),
            after_write: AfterWrite::from_context(),
        }
    }

    fn add(&self, list: &FileList) {
        for index in 0..list.length() {
            let Some(file) = list.get(index) else {
                continue;
            };
            let name = file.name();
            let size = file.size() as u64;
            let id = upload::keep_file(file);
            let table = sanitize_table_name(&name)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let queued = QueuedFile {
                id,
                name: StoredValue::new(name),
                size,
                table: RwSignal::new(table),
                state: RwSignal::new(FileState::Waiting),
            };
            self.queue.update(|queue| queue.push(queued));
        }
    }

    fn remove(&self, id: u64) {
        self.queue
            .update(|queue| queue.retain(|queued| queued.id != id));
        upload::forget_file(id);
    }

    /// The first problem that keeps the import from starting, worded for the person.
    fn problem(&self) -> Option<String> {
        if let Err(error) = validate_name(NameKind::Database, self.database.get().trim()) {
            return Some(capitalise(&error.to_string()));
        }
        let queue = self.queue.get();
        if !queue.iter().any(|q| q.state.get() == FileState::Waiting) {
            return Some("Add one or more CSV files.".to_owned());
        }
        queue
            .iter()
            .filter(|q| q.state.get() == FileState::Waiting)
            .find_map(|q| validate_name(NameKind::Table, q.table.get().trim()).err())
            .map(|error| capitalise(&error.to_string()))
    }

    /// Uploads the waiting files one after the other.
    fn upload_next(self) {
        let next = self
            .queue
            .get_untracked()
            .into_iter()
            .find(|queued| queued.state.get_untracked() == FileState::Waiting);
        let Some(queued) = next.filter(|_| !self.cancelled.get_untracked()) else {
            self.running.set(false);
            self.cancelled.set(false);
            return;
        };
        self.running.set(true);
        let database = self.database.get_untracked().trim().to_owned();
        let table = queued.table.get_untracked().trim().to_owned();
        let changed_database = database.clone();
        let started = upload::start(
            &UploadRequest {
                database: &database,
                table: &table,
                replace: self.replace.get_untracked(),
                file: queued.id,
            },
            move |sent, total| queued.state.set(FileState::Uploading { sent, total }),
            move |answer| {
                queued.state.set(outcome(answer));
                self.after_write.database_changed(&changed_database);
                self.upload_next();
            },
        );
        match started {
            Ok(()) => queued.state.set(FileState::Uploading {
                sent: 0,
                total: queued.size,
            }),
            Err(error) => {
                queued.state.set(FileState::Failed(error.message));
                self.upload_next();
            }
        }
    }

    fn cancel(&self) {
        // The file in flight is stopped; files not started yet stay waiting.
        self.cancelled.set(true);
        upload::cancel_in_flight();
    }
}

fn outcome(answer: Result<shared::ImportReport, ApiError>) -> FileState {
    match answer {
        Ok(report) => match report.files.into_iter().next() {
            Some(file) => match &file.error {
                Some(error) => FileState::Failed(error.message.clone()),
                None => FileState::Imported(file),
            },
            None => FileState::Failed("The server sent no result for this file.".to_owned()),
        },
        Err(error) => FileState::Failed(error.message),
    }
}

// The code that queues files and sends them (with the import report's decoder) is loaded the
// first time a person adds files: a separate wasm file, so the home page's first download
// does not carry it (README, "Front-end budget").

/// Queues the files picked or dropped.
#[leptos::lazy]
fn add_files(importer: Importer, list: FileList) {
    importer.add(&list);
}

/// Uploads the waiting files, one after the other.
#[leptos::lazy]
fn start_uploads(importer: Importer) {
    importer.upload_next();
}

#[component]
pub fn ImportPanel(
    /// The database list: the user's own databases are offered as choices.
    databases: Resource<Result<DatabasePage, AppError>>,
) -> impl IntoView {
    let importer = Importer::new(String::new());
    let dragging = RwSignal::new(false);
    let problem = Memo::new(move |_| importer.problem());

    let on_pick = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        if let Some(list) = input.files() {
            leptos::task::spawn_local(async move {
                add_files(importer, list).await;
                // Cleared once the files are queued, so picking the same file again works.
                input.set_value("");
            });
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if let Some(list) = event.data_transfer().and_then(|transfer| transfer.files()) {
            leptos::task::spawn_local(add_files(importer, list));
        }
    };

    view! {
        <section class="import-panel" aria-labelledby="import-title">
            <h2 class="import-panel__title" id="import-title">"Import CSV files"</h2>
            <div class="import-panel__fields">
                <label class="field">
                    <span class="field__label">"Database"</span>
                    <input
                        class="field__input"
                        name="database"
                        list="own-databases"
                        placeholder="a new name, or one of yours"
                        autocomplete="off"
                        prop:value=move || importer.database.get()
                        on:input=move |event| importer.database.set(event_target_value(&event))
                    />
                    <datalist id="own-databases">
                        <Transition>
                            {move || Suspend::new(async move {
                                databases
                                    .await
                                    .map(|page| page.own)
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|name| view! { <option value=name.to_string()></option> })
                                    .collect_view()
                            })}
                        </Transition>
                    </datalist>
                </label>
                <label class="field field--inline">
                    <input
                        type="checkbox"
                        prop:checked=move || importer.replace.get()
                        on:change=move |event| importer.replace.set(event_target_checked(&event))
                    />
                    <span>"Replace tables that already exist"</span>
                </label>
            </div>
            <div
                class="drop-zone"
                class:drop-zone--active=move || dragging.get()
                on:dragover=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>"Drop CSV files here, or"</p>
                <label class="button button--secondary">
                    "Choose files"
                    <input
                        class="visually-hidden"
                        type="file"
                        multiple
                        accept=".csv,.tsv,.txt,.gz,.zst,text/csv,text/plain,application/gzip,application/zstd"
                        data-testid="file-input"
                        on:change=on_pick
                    />
                </label>
                <p class="drop-zone__hint">"CSV or TSV, plain or gzip- or zstd-compressed (stored as plain CSV)."</p>
            </div>
            <ul class="import-list" aria-label="Files to import">
                <For each=move || importer.queue.get() key=|queued| queued.id let:queued>
                    {Suspend::new(import_row(queued, importer))}
                </For>
            </ul>
            <div class="import-panel__actions">
                <p class="import-panel__problem" role="status">
                    {move || if importer.running.get() { None } else { problem.get() }}
                </p>
                <Show
                    when=move || importer.running.get()
                    fallback=move || view! {
                        <button
                            type="button"
                            class="button button--primary"
                            disabled=move || problem.get().is_some()
                            on:click=move |_| leptos::task::spawn_local(start_uploads(importer))
                        >
                            "Import"
                        </button>
                    }
                >
                    <button type="button" class="button button--ghost" on:click=move |_| importer.cancel()>
                        "Cancel upload"
                    </button>
                </Show>
            </div>
        </section>
    }
}

/// A queued file's row; its code comes with the code that queues files (rows exist only
/// after files are added).
#[leptos::lazy]
fn import_row(queued: QueuedFile, importer: Importer) -> AnyView {
    view! { <ImportRow queued importer /> }.into_any()
}

#[component]
fn ImportRow(queued: QueuedFile, importer: Importer) -> impl IntoView {
    let name = queued.name.get_value();
    let table_label = format!("Table name for {name}");
    let waiting = move || queued.state.get() == FileState::Waiting;
    view! {
        <li class="import-row" data-file=name.clone()>
            <div class="import-row__head">
                <span class="import-row__file">{name.clone()}</span>
                <span class="import-row__size">{bytes(queued.size)}</span>
                <input
                    class="field__input import-row__table"
                    aria-label=table_label
                    prop:value=move || queued.table.get()
                    on:input=move |event| queued.table.set(event_target_value(&event))
                    disabled=move || !waiting()
                />
                <Show when=waiting>
                    <button type="button" class="button button--ghost" on:click=move |_| importer.remove(queued.id)>
                        "Remove"
                    </button>
                </Show>
            </div>
            {move || match queued.state.get() {
                FileState::Waiting => view! { <p class="import-row__status">"Waiting"</p> }.into_any(),
                FileState::Uploading { sent, total } => {
                    let percent = if total == 0 { 0.0 } else { sent as f64 * 100.0 / total as f64 };
                    view! {
                        <div class="import-row__status">
                            <progress max="100" value=format!("{percent:.1}") aria-label="Upload progress"></progress>
                            <span>{format!("{} of {}", bytes(sent), bytes(total))}</span>
                        </div>
                    }
                    .into_any()
                }
                FileState::Imported(file) => view! {
                    <div class="import-row__status import-row__status--ok" data-testid="import-result">
                        <p>{format!(
                            "{} table “{}”: {} rows, {}.",
                            if file.replaced { "Replaced" } else { "Imported as" },
                            file.table.as_ref().map(ToString::to_string).unwrap_or_default(),
                            thousands(file.rows.unwrap_or(0)),
                            count_label(file.columns.len(), "column", "columns"),
                        )}</p>
                        <ul>{file.warnings.iter().map(|w| view! { <li data-warning=w.kind.code()>{w.message.clone()}</li> }).collect_view()}</ul>
                    </div>
                }
                .into_any(),
                FileState::Failed(message) => view! {
                    <p class="import-row__status import-row__status--error" role="alert" data-testid="import-error">{message}</p>
                }
                .into_any(),
            }}
        </li>
    }
}
