//! The Leptos application: routes, pages, components and the server functions.
//!
//! - [`app`]: the HTML shell and the router.
//! - [`api`]: the server functions, which are also the public HTTP API (DESIGN.md §4).
//! - [`error`]: the error every server function returns, carrying the API error contract.
//! - `pages/` and `components/`: what the browser shows.
//! - `server/` (feature `ssr` only): the glue between server functions and the catalog.
//!
//! Feature `ssr` builds the server side (it brings in `catalog`); feature `hydrate` the
//! browser side. Nothing server-only reaches the wasm build.

pub mod api;
pub mod app;
mod components;
pub mod error;
mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{App, shell};
