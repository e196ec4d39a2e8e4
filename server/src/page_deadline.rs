//! A deadline on every page render and server function call (`DBM_PAGE_DEADLINE_SECS`),
//! from the request to the last byte of the answer.
//!
//! Their storage work has its own, shorter deadline (`catalog::REQUEST_DEADLINE`), so this
//! one only fires when a render itself never ends: a future nothing will wake, for
//! instance. Without it such a request would hold its connection, and a test its run,
//! forever. The user gets an answer that says what happened instead of a spinner:
//! - before the answer has started: a 500, an HTML page for a page, the API's JSON error
//!   for a call under `/api/`;
//! - while a streamed page is being sent: the connection is closed, so the browser shows
//!   a failed load rather than waiting.
//!
//! Imports and downloads are long by design and have their own deadlines: this layer is
//! not on their routes.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use shared::ErrorCode;
use tokio::time::Instant;

use crate::failure::Failure;

/// How long one page render or server function call may take in all.
#[derive(Debug, Clone, Copy)]
pub struct PageDeadline(pub Duration);

pub async fn page_deadline(
    State(PageDeadline(deadline)): State<PageDeadline>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let ends = Instant::now() + deadline;
    let Ok(response) = tokio::time::timeout_at(ends, next.run(request)).await else {
        tracing::error!(
            %path,
            deadline_secs = deadline.as_secs(),
            "a render passed its deadline before answering; stopped it"
        );
        return too_slow(&path, deadline);
    };
    let (parts, body) = response.into_parts();
    // State: the frames still to send and the path (for the log); `None` once ended.
    let frames = Some((body.into_data_stream(), path));
    let bounded = futures::stream::unfold(frames, move |state| async move {
        let (mut frames, path) = state?;
        match tokio::time::timeout_at(ends, frames.next()).await {
            Ok(Some(Ok(bytes))) => Some((Ok(bytes), Some((frames, path)))),
            Ok(Some(Err(error))) => Some((Err(std::io::Error::other(error)), None)),
            Ok(None) => None,
            Err(_) => {
                tracing::error!(
                    %path,
                    deadline_secs = deadline.as_secs(),
                    "a streamed render passed its deadline; closed the connection"
                );
                let error = std::io::Error::other("the render passed its deadline");
                Some((Err(error), None))
            }
        }
    });
    // Fused: a body is polled again after its end (the compression layer does), and
    // `unfold` must not be.
    Response::from_parts(parts, Body::from_stream(bounded.fuse()))
}

/// What a request that passed the deadline before answering gets: an HTML page for a
/// page, the API's JSON error for a call.
fn too_slow(path: &str, deadline: Duration) -> Response {
    let seconds = deadline.as_secs();
    if path.starts_with("/api/") {
        return Failure::new(
            ErrorCode::Internal,
            format!(
                "The server did not finish answering within {seconds} s and stopped trying. \
                 Try again; if it keeps happening, the server log says what it waited for."
            ),
        )
        .into_response();
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Page timed out · Database Manager</title></head><body><main>\
         <h1>This page took too long</h1>\
         <p>The server stopped rendering it after {seconds} s. Reload to try again; if it \
         keeps happening, the server log says what it waited for.</p>\
         <p><a href=\"/\">Back to the databases</a></p></main></body></html>"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Bytes;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn never_answers() -> Response {
        std::future::pending().await
    }

    async fn stalls_after_the_head() -> Response {
        let head = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("<html>"))]);
        Body::from_stream(head.chain(futures::stream::pending())).into_response()
    }

    async fn answers() -> &'static str {
        "done"
    }

    /// `handler` at a page path and an API path, behind a 1 s deadline; the answer to
    /// `path`.
    async fn ask<H, T>(handler: H, path: &str) -> Response
    where
        H: axum::handler::Handler<T, ()>,
        T: 'static,
    {
        let answer = Router::new()
            .route("/db/page", get(handler.clone()))
            .route("/api/call", get(handler))
            .layer(from_fn_with_state(
                PageDeadline(Duration::from_secs(1)),
                page_deadline,
            ))
            .oneshot(Request::get(path).body(Body::empty()).unwrap());
        within_the_test_deadline(answer).await.unwrap()
    }

    async fn body_text(response: Response) -> Result<String, axum::Error> {
        let bytes =
            within_the_test_deadline(axum::body::to_bytes(response.into_body(), usize::MAX))
                .await?;
        Ok(String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Without the layer these would never end: the test fails instead.
    async fn within_the_test_deadline<T>(work: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(30), work)
            .await
            .expect("the page deadline ends this long before the test's")
    }

    #[tokio::test]
    async fn a_page_that_never_answers_gets_an_error_page() {
        let response = ask(never_answers, "/db/page").await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let html = body_text(response).await.unwrap();
        assert!(html.contains("This page took too long"), "{html}");
        assert!(html.contains(r#"<a href="/">"#), "{html}");
    }

    #[tokio::test]
    async fn an_api_call_that_never_answers_gets_the_json_error() {
        let response = ask(never_answers, "/api/call").await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: serde_json::Value =
            serde_json::from_str(&body_text(response).await.unwrap()).unwrap();
        assert_eq!(body["code"], "internal");
        assert!(
            body["message"].as_str().unwrap().contains("within 1 s"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn a_stream_that_stalls_after_its_head_is_cut_off() {
        let response = ask(stalls_after_the_head, "/db/page").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(body_text(response).await.is_err());
    }

    #[tokio::test]
    async fn an_answer_in_time_passes_unchanged_and_stays_ended() {
        let response = ask(answers, "/db/page").await;
        assert_eq!(response.status(), StatusCode::OK);
        let mut frames = response.into_body().into_data_stream();
        assert_eq!(frames.next().await.unwrap().unwrap(), "done");
        assert!(frames.next().await.is_none());
        // Polled again after its end, as the compression layer does: still the end.
        assert!(frames.next().await.is_none());
    }
}
