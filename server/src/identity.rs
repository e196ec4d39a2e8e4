//! Finding out who a request is for, once, before any handler runs: a bearer token or the
//! session cookie ([`auth::Auth::identify`]); the result goes into the request's extensions,
//! where server functions, pages and the import handler read it. Also records the client's
//! address (for sign-in limits), and sends people to the sign-in page:
//! - an anonymous request for a page goes to `/sign-in?next=PAGE` (303);
//! - a signed-in request for the sign-in or sign-up page goes to `/`.
//!
//! API calls are not redirected: they answer 401 themselves, so scripts see the error.

use std::net::SocketAddr;

use app::server::ClientAddress;
use auth::{Auth, AuthError};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use shared::routes;

use crate::failure::Failure;

/// What [`identify`] needs.
#[derive(Debug, Clone)]
pub struct Gate {
    pub auth: Auth,
    /// `DBM_CLIENT_IP_HEADER`: where a proxy puts the client's address.
    pub client_ip_header: Option<HeaderName>,
}

/// Pages anyone may open.
const PUBLIC_PAGES: [&str; 2] = [routes::SIGN_IN_PAGE, routes::SIGN_UP_PAGE];

pub async fn identify(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let client = client_address(&request, gate.client_ip_header.as_ref());
    let identified = gate.auth.identify(request.headers(), &client).await;
    request.extensions_mut().insert(ClientAddress(client));
    let identity = match identified {
        Ok(identity) => identity,
        Err(error) => {
            let mut response = Failure::from_auth(&error).into_response();
            if let AuthError::RateLimited { retry_after } = error {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after.as_secs().into());
            }
            return response;
        }
    };
    let path = request.uri().path();
    let is_page = is_page_request(request.method(), path, request.headers());
    match identity {
        Some(identity) => {
            if is_page && PUBLIC_PAGES.contains(&path) {
                return Redirect::to("/").into_response();
            }
            request.extensions_mut().insert(identity);
        }
        None if is_page && !PUBLIC_PAGES.contains(&path) => {
            return Redirect::to(&sign_in_location(request.uri())).into_response();
        }
        None => {}
    }
    next.run(request).await
}

/// `/sign-in?next=...`, coming back to the page asked for.
fn sign_in_location(uri: &axum::http::Uri) -> String {
    let wanted = uri.path_and_query().map_or("/", |path| path.as_str());
    if wanted == "/" {
        return routes::SIGN_IN_PAGE.to_owned();
    }
    let query = serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default();
    format!("{}?{query}", routes::SIGN_IN_PAGE)
}

/// A browser asking for a page (not the API, a site file or a health check).
fn is_page_request(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|accept| accept.contains("text/html") || accept.contains("*/*"));
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    matches!(*method, Method::GET | Method::HEAD)
        && wants_html
        && !path.starts_with(routes::API_PREFIX)
        && !path.starts_with("/pkg/")
        && path != routes::HEALTHZ
        && path != routes::READYZ
        && !last_segment.contains('.')
}

/// The connecting address, or the configured proxy header's (the last `X-Forwarded-For`
/// entry: the one the nearest proxy added, which the client cannot forge).
fn client_address(request: &Request, header: Option<&HeaderName>) -> String {
    if let Some(header) = header
        && let Some(value) = request
            .headers()
            .get(header)
            .and_then(|value| value.to_str().ok())
        && let Some(last) = value.rsplit(',').next().map(str::trim)
        && !last.is_empty()
    {
        return last.to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn pages_are_told_apart_from_the_api_and_site_files() {
        let html = HeaderMap::new();
        assert!(is_page_request(&Method::GET, "/", &html));
        assert!(is_page_request(&Method::GET, "/db/sales", &html));
        for path in [
            "/api/databases",
            "/pkg/app.wasm",
            "/favicon.svg",
            "/healthz",
        ] {
            assert!(!is_page_request(&Method::GET, path, &html), "{path}");
        }
        assert!(!is_page_request(&Method::POST, "/", &html));
        let mut json = HeaderMap::new();
        json.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!is_page_request(&Method::GET, "/", &json));
    }

    #[test]
    fn the_sign_in_page_knows_where_to_go_back_to() {
        let uri: axum::http::Uri = "/db/sales?x=1".parse().unwrap();
        assert_eq!(
            sign_in_location(&uri),
            "/sign-in?next=%2Fdb%2Fsales%3Fx%3D1"
        );
        assert_eq!(sign_in_location(&"/".parse().unwrap()), "/sign-in");
    }
}
