//! Browser-facing hardening, as two middlewares:
//! - [`security_headers`]: a Content-Security-Policy on every response (pages get one that
//!   allows only our own scripts, the wasm, and inline scripts carrying this response's
//!   nonce), `nosniff`, no framing, a same-origin referrer, HSTS over https, and
//!   `Cache-Control: no-store` on everything but the hashed site files, since pages and
//!   API answers belong to one user.
//! - [`same_origin_writes`]: CSRF protection. A state-changing request (anything but
//!   GET/HEAD/OPTIONS) whose `Origin` is another site is refused; one without `Origin` is
//!   accepted only when it does not rely on the session cookie (scripts with a token).
//!   Browsers always send `Origin` on such requests, and the cookie is `SameSite=Lax`.

use app::server::CspNonce;
use auth::Sessions;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore as _;

use crate::failure::Failure;
use shared::ErrorCode;

/// What the header and origin checks need to know about how the app is served.
#[derive(Debug, Clone)]
pub struct BrowserPolicy {
    /// `DBM_PUBLIC_URL`'s origin; `None`: the request's own `Host`.
    pub public_origin: Option<String>,
    /// Served over https (send HSTS).
    pub https: bool,
    pub sessions: Sessions,
}

const NOT_A_PAGE_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of a page: our own files, the wasm, and inline scripts with `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(
    State(policy): State<BrowserPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    let is_site_file = request.uri().path().starts_with("/pkg/");
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let csp = if is_page {
        page_csp(&nonce)
    } else {
        NOT_A_PAGE_CSP.to_owned()
    };
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_site_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

pub async fn same_origin_writes(
    State(policy): State<BrowserPolicy>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|authority| authority.as_str())
        });
    let refusal = match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        Some(Ok(origin)) if origin_allowed(origin, host, policy.public_origin.as_deref()) => None,
        Some(origin) => Some(format!(
            "This request came from another site ({}) and was refused. If you opened the app \
             through a proxy, ask the administrator to set DBM_PUBLIC_URL to its address.",
            origin.unwrap_or("an unreadable Origin")
        )),
        None if relies_on_session_cookie(headers, &policy.sessions) => Some(
            "A request signed in with the session cookie must say where it came from (the \
             Origin header); browsers send it. Scripts should use an API token instead."
                .to_owned(),
        ),
        None => None,
    };
    match refusal {
        None => next.run(request).await,
        Some(message) => {
            tracing::info!(method = %request.method(), path = request.uri().path(), "cross-site request refused");
            Failure::new(ErrorCode::Forbidden, message).into_response()
        }
    }
}

/// Whether `origin` is the app's own: `DBM_PUBLIC_URL`'s origin when set, otherwise any
/// scheme on the host the request was sent to.
fn origin_allowed(origin: &str, host: Option<&str>, public_origin: Option<&str>) -> bool {
    if let Some(public) = public_origin {
        return origin.eq_ignore_ascii_case(public);
    }
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((authority, host), (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(host))
}

fn relies_on_session_cookie(headers: &HeaderMap, sessions: &Sessions) -> bool {
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok());
    !headers.contains_key(header::AUTHORIZATION) && sessions.has_cookie(cookies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_origin_may_write() {
        assert!(origin_allowed(
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(origin_allowed(
            "https://Data.example.com",
            Some("data.example.com"),
            None
        ));
        assert!(!origin_allowed(
            "http://evil.example",
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!origin_allowed("null", Some("127.0.0.1:3000"), None));
        assert!(!origin_allowed("http://127.0.0.1:3000", None, None));
        let public = Some("https://data.example.com");
        assert!(origin_allowed(
            "https://data.example.com",
            Some("10.0.0.5:3000"),
            public
        ));
        assert!(!origin_allowed(
            "http://data.example.com",
            Some("data.example.com"),
            public
        ));
    }

    #[test]
    fn the_page_policy_allows_the_wasm_and_the_nonce_only() {
        let csp = page_csp("abc");
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
