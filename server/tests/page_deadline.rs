//! The deadline on page renders (`DBM_PAGE_DEADLINE_SECS`), shown with a render that cannot
//! end: resource loading suspended for the whole process, as leptos does while it walks an
//! app's routes (the cause of a render that hung for good before the server walked them
//! once per process). A test binary of its own: the suspension would stall the renders of
//! every other test running in the same process.

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::time::Instant;

use helpers::TestApp;
use leptos::server::SuppressResourceLoad;

#[tokio::test]
async fn a_render_that_cannot_finish_answers_an_error_page_at_the_deadline() {
    let app = TestApp::spawn_with(&["--page-deadline-secs", "1"]).await;
    assert_eq!(app.get("/").await.status(), 200, "renders before the stall");

    let suspended = SuppressResourceLoad::new();
    let asked = Instant::now();
    let response = app.get("/").await;
    let waited = asked.elapsed();
    assert_eq!(response.status(), 500);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("This page took too long"), "{html}");
    assert!(html.contains("after 1 s"), "{html}");
    // Not a timing check: the render could never have finished, so an answer at all
    // means the deadline ended it (the test client would give up after a minute).
    assert!(waited < helpers::CLIENT_DEADLINE, "{waited:?}");
    drop(suspended);

    assert_eq!(app.get("/").await.status(), 200, "renders again afterwards");
    app.server.stop().await.unwrap();
}
