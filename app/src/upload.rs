//! Sending one file to `POST /api/import_tables` from the browser. XMLHttpRequest rather
//! than fetch: only it reports upload progress, which a 500 MB file needs.

use std::cell::RefCell;
use std::collections::HashMap;

use shared::routes::{self, import_fields};
use shared::{ApiError, ErrorCode, ImportReport};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

// The browser's file handles and the upload in flight are not `Send`, so they live here
// rather than in signals (which the server also creates and may drop on another thread).
// Only event handlers, which run in the browser, ever touch them.
thread_local! {
    static FILES: RefCell<(u64, HashMap<u64, File>)> = RefCell::new((0, HashMap::new()));
    static IN_FLIGHT: RefCell<Option<Upload>> = const { RefCell::new(None) };
}

/// Keeps a chosen file until it is uploaded or removed; returns its key.
pub fn keep_file(file: File) -> u64 {
    FILES.with_borrow_mut(|(next, files)| {
        *next += 1;
        files.insert(*next, file);
        *next
    })
}

pub fn forget_file(key: u64) {
    FILES.with_borrow_mut(|(_, files)| {
        files.remove(&key);
    });
}

fn with_file<R>(key: u64, use_file: impl FnOnce(&File) -> R) -> Option<R> {
    FILES.with_borrow(|(_, files)| files.get(&key).map(use_file))
}

/// Stops the upload in flight, if any (the server then aborts and keeps nothing).
pub fn cancel_in_flight() {
    IN_FLIGHT.with_borrow(|upload| {
        if let Some(upload) = upload {
            let _ = upload.request.abort();
        }
    });
}

/// What to send with the file.
pub struct UploadRequest<'a> {
    pub database: &'a str,
    pub table: &'a str,
    pub replace: bool,
    /// A key from [`keep_file`].
    pub file: u64,
}

/// An upload in flight.
struct Upload {
    request: XmlHttpRequest,
    // The callbacks must live as long as the request may call them.
    _callbacks: Vec<Closure<dyn FnMut(ProgressEvent)>>,
}

/// Starts uploading a kept file. `on_progress(sent, total)` runs as bytes go out;
/// `on_done` once, with the server's report (which carries per-file errors too) or an
/// error to show. The file is forgotten once the upload ends.
pub fn start(
    upload: &UploadRequest<'_>,
    on_progress: impl FnMut(u64, u64) + 'static,
    on_done: impl FnOnce(Result<ImportReport, ApiError>) + 'static,
) -> Result<(), ApiError> {
    let key = upload.file;
    let started = with_file(key, |file| {
        send(upload, file, on_progress, move |answer| {
            let finished = IN_FLIGHT.with_borrow_mut(Option::take);
            forget_file(key);
            on_done(answer);
            // This callback belongs to `finished`: let it return before its closures are freed.
            leptos::task::spawn_local(async move { drop(finished) });
        })
    })
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::Internal,
            "The file is no longer available; add it again.",
        )
    })??;
    IN_FLIGHT.with_borrow_mut(|in_flight| *in_flight = Some(started));
    Ok(())
}

fn send(
    upload: &UploadRequest<'_>,
    file: &File,
    mut on_progress: impl FnMut(u64, u64) + 'static,
    on_done: impl FnOnce(Result<ImportReport, ApiError>) + 'static,
) -> Result<Upload, ApiError> {
    let form = FormData::new().map_err(browser_error)?;
    form.append_with_str(import_fields::DATABASE, upload.database)
        .map_err(browser_error)?;
    if upload.replace {
        form.append_with_str(import_fields::REPLACE, "true")
            .map_err(browser_error)?;
    }
    form.append_with_str(import_fields::TABLE, upload.table)
        .map_err(browser_error)?;
    form.append_with_blob_and_filename(import_fields::FILE, file, &file.name())
        .map_err(browser_error)?;

    let request = XmlHttpRequest::new().map_err(browser_error)?;
    request
        .open("POST", routes::IMPORT_TABLES)
        .map_err(browser_error)?;

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        on_progress(event.loaded() as u64, event.total() as u64);
    });
    request
        .upload()
        .map_err(browser_error)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let on_done = RefCell::new(Some(on_done));
    let finished_request = request.clone();
    let done = Closure::<dyn FnMut(ProgressEvent)>::new(move |_event: ProgressEvent| {
        if let Some(on_done) = on_done.borrow_mut().take() {
            on_done(read_answer(&finished_request));
        }
    });
    request.set_onloadend(Some(done.as_ref().unchecked_ref()));
    request
        .send_with_opt_form_data(Some(&form))
        .map_err(browser_error)?;

    Ok(Upload {
        request,
        _callbacks: vec![progress, done],
    })
}

fn read_answer(request: &XmlHttpRequest) -> Result<ImportReport, ApiError> {
    let status = request.status().unwrap_or(0);
    if status == 0 {
        return Err(ApiError::new(
            ErrorCode::Internal,
            "The upload was stopped before the server answered (cancelled, or the connection dropped). Nothing was saved.",
        ));
    }
    let text = request.response_text().ok().flatten().unwrap_or_default();
    if let Ok(report) = serde_json::from_str::<ImportReport>(&text) {
        return Ok(report);
    }
    Err(serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
        ApiError::new(
            ErrorCode::Internal,
            format!("The server answered {status} with something this page could not read."),
        )
    }))
}

fn browser_error(error: wasm_bindgen::JsValue) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("The browser could not send the file: {error:?}"),
    )
}
