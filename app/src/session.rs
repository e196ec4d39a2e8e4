//! The signed-in user as the pages see it, and leaving the app on sign-in and sign-out.
//!
//! On the server the user comes from the request (the identity middleware put it there);
//! the answer travels to the browser with the page, so hydration asks for nothing. Signing
//! in or out then loads a whole new page: no signal, cache or resource of the previous
//! user survives in the browser.

use leptos::prelude::*;

use crate::previews::PreviewCache;

/// The signed-in user's name, `None` on the sign-in and sign-up pages.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(pub Resource<Option<String>>);

impl SignedIn {
    pub fn provide() {
        provide_context(Self(Resource::new_blocking(|| (), |()| signed_in_user())));
    }

    pub fn from_context() -> Self {
        expect_context::<Self>()
    }
}

#[cfg(feature = "ssr")]
async fn signed_in_user() -> Option<String> {
    crate::server::identity().map(|identity| identity.user.to_string())
}

/// In the browser the answer comes with the page; this runs only if the resource is asked
/// again, so its code is loaded then (a separate wasm file).
#[cfg(not(feature = "ssr"))]
#[leptos::lazy]
async fn signed_in_user() -> Option<String> {
    crate::api::me().await.ok().map(|me| me.user)
}

/// Where to go after signing in: `next` when it is a path on this site, otherwise `/`.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") =>
        {
            path
        }
        _ => "/".to_owned(),
    }
}

/// Loads `path` as a new page (dropping every browser-side cache with the old one).
pub fn load_page(path: &str) {
    let _ = window().location().set_href(path);
}

/// Empties the browser's caches, then loads the sign-in page. Used after signing out.
/// (Emptied quietly: a view refetching a preview now, with the session gone, would only
/// get a 401.)
pub fn leave_signed_out(previews: PreviewCache) {
    previews.clear_before_leaving();
    load_page(shared::routes::SIGN_IN_PAGE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(safe_next(Some("/db/sales".to_owned())), "/db/sales");
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(outside.to_owned())), "/", "{outside}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
