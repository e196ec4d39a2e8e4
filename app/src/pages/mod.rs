//! One module per route, and the lazily loaded form of every route but the home page.
//!
//! The home page is what almost every visit opens first, so its code is in the main wasm
//! file. Every other page is a [`LazyRoute`](leptos_router::LazyRoute): built with
//! `cargo leptos build --split` (every build of the bundle is), its code is a separate wasm
//! file the browser fetches the first time that page is shown, which keeps the
//! first download small (README, "Front-end budget"; docs/ARCHITECTURE.md, "The browser
//! bundle").

pub mod database;
pub mod home;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod table;
pub mod table_profile;

/// Declares `$route`, a lazily loaded route that shows the component `$page`. The route has
/// no data of its own to start early: each page creates its resources as it renders.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident shows $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::IntoAny;
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/db/:name`: one database's tables and previews.
    DatabaseRoute shows database::DatabasePage
);
lazy_page!(
    /// `/db/:name/:table`: one table's rows, page by page, and its column profiles.
    TableRoute shows table::TablePage
);
lazy_page!(
    /// `/settings`: password and API tokens.
    SettingsRoute shows settings::SettingsPage
);
lazy_page!(
    /// `/sign-in`.
    SignInRoute shows sign_in::SignInPage
);
lazy_page!(
    /// `/sign-up`.
    SignUpRoute shows sign_up::SignUpPage
);
