//! The wasm entry point: hydrates the server-rendered [`app::App`] in the browser.

// The whole app's view type is built here; its nesting exceeds rustc's default query depth
// in release builds (see app/src/lib.rs).
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the code of a lazily loaded route on the page before hydrating it.
    leptos::mount::hydrate_lazy(app::App);
}
