//! The Leptos application: routes, pages, components and the server functions.
//!
//! - [`app`]: the HTML shell and the router.
//! - [`api`]: the server functions, which are also the public HTTP API (README, "API").
//! - [`error`]: the error every server function returns, carrying the API error contract.
//! - [`previews`]: the browser's per-database preview cache (signals, through context).
//! - [`session`]: the signed-in user as pages see it; leaving on sign-in and sign-out.
//! - [`format`]: numbers and sizes as people read them.
//! - `upload`: sending one file with upload progress (XMLHttpRequest).
//! - `pages/` and `components/`: what the browser shows.
//! - `server/` (feature `ssr` only): the glue between server functions, the catalog and
//!   the accounts.
//!
//! Feature `ssr` builds the server side (it brings in `catalog`); feature `hydrate` the
//! browser side. Nothing server-only reaches the wasm build.

// Leptos views are deeply nested types; release builds of the import panel exceed rustc's
// default query depth ("queries overflow the depth limit").
#![recursion_limit = "256"]

pub mod api;
pub mod app;
mod components;
pub mod error;
pub mod format;
mod pages;
pub mod previews;
pub mod row_pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;
mod upload;

pub use app::{App, shell};
