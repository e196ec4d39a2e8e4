//! Who a request acts for: accounts, sign-in and sign-up, sessions, personal API tokens,
//! and the limits that keep guessing slow. Server only (never in the wasm build).
//!
//! Everything is kept in the same bucket as the data, in the bucket's `system/` folder
//! ([`records`]), so no other service is needed and every replica sees the same accounts.
//! Nothing a client sends reaches S3 unless it is signed by this server's secret first:
//! session cookies ([`session`]) and API tokens ([`tokens`]) carry MACs checked locally.
//!
//! - [`accounts`](crate::accounts): creating accounts (safe against two replicas signing
//!   up one name at once), signing in (with [`device`] cookies), changing and resetting
//!   passwords.
//! - [`live_sessions`](crate::live_sessions): which signed sessions are still live (a record
//!   per session, so signing out is real and reaches every replica).
//! - [`api_tokens`](crate::api_tokens): creating, listing, checking and revoking tokens.
//! - [`password`]: Argon2id hashing on the blocking pool, a few at a time.
//! - [`rate_limit`]: failures per client address, account, device, in a window.
//! - [`error`]: why a call failed ([`AuthError`]).

mod accounts;
mod api_tokens;
pub mod device;
pub mod error;
mod live_sessions;
pub mod password;
pub mod rate_limit;
pub mod records;
pub mod session;
pub mod tokens;

use std::sync::Arc;
use std::time::{Duration, Instant};

use shared::UserName;
use storage::Store;

pub use accounts::Origin;
use device::Devices;
pub use error::{AuthError, Result};
use live_sessions::LiveSessions;
use password::Passwords;
use rate_limit::{Allowance, FailureLimiter};
use records::TokenRecord;
pub use session::{SessionClaim, SessionSecret, Sessions, unix_now};
use tokens::{TokenKey, TokenText};

/// How accounts behave; [`AuthSettings::default`] is what the server uses unless told.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Whether anyone may create an account (`DBM_SIGNUP=open`).
    pub signup_open: bool,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Served over https: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Failed sign-ins allowed per client address (from browsers not known for the account).
    pub per_client: Allowance,
    /// Failed sign-ins allowed per account from browsers not known for it.
    pub per_account: Allowance,
    /// Failed sign-ins allowed per known device (a browser that signed in before).
    pub per_device: Allowance,
    /// Bearer tokens that fail allowed per client address.
    pub token_failures_per_client: Allowance,
    /// How long a checked token or session is trusted before its record is read again (a
    /// token revoked or a session ended through another replica stops working here after
    /// at most this long).
    pub recheck_after: Duration,
    /// Password hashes computed at the same time, at most.
    pub concurrent_hashes: usize,
    /// How long a sign-up waits after writing its account before it reads it back to see
    /// whether a simultaneous sign-up of the same name overwrote it.
    pub signup_settle: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        let fifteen_minutes = Duration::from_secs(15 * 60);
        Self {
            signup_open: true,
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            secure_cookies: false,
            per_client: Allowance {
                failures: 20,
                window: fifteen_minutes,
            },
            per_account: Allowance {
                failures: 5,
                window: fifteen_minutes,
            },
            per_device: Allowance {
                failures: 5,
                window: fifteen_minutes,
            },
            token_failures_per_client: Allowance {
                failures: 20,
                window: fifteen_minutes,
            },
            recheck_after: Duration::from_secs(5),
            concurrent_hashes: 2,
            signup_settle: Duration::from_millis(500),
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A session cookie: the session's id and expiry (what signing out removes).
    Session {
        id: String,
        expires: u64,
    },
    Token {
        id: String,
    },
}

/// The user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: UserName,
    pub credential: Credential,
}

/// A session just started: who it is for, and the cookies that carry it.
#[derive(Debug, Clone)]
pub struct SessionStart {
    pub identity: Identity,
    /// `Set-Cookie` for the session.
    pub session_cookie: String,
    /// `Set-Cookie` that makes the browser a known device of the user.
    pub device_cookie: String,
}

/// The handle to accounts. Cheap to clone; all clones share caches and limits.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    store: Store,
    sessions: Sessions,
    live: LiveSessions,
    devices: Devices,
    token_key: TokenKey,
    passwords: Passwords,
    settings: AuthSettings,
    failures_by_client: FailureLimiter,
    failures_by_account: FailureLimiter,
    failures_by_device: FailureLimiter,
    token_failures_by_client: FailureLimiter,
    /// `{user}/{id}` → the record read at that instant (`None`: no such token).
    checked_tokens: quick_cache::sync::Cache<String, (Option<Arc<TokenRecord>>, Instant)>,
    /// Sign-ups on this replica one at a time (other replicas: see `create_account`).
    signups: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl Auth {
    pub fn new(store: Store, secret: SessionSecret, settings: AuthSettings) -> Result<Self> {
        let secure = settings.secure_cookies;
        Ok(Self {
            inner: Arc::new(Inner {
                live: LiveSessions::new(store.clone(), settings.recheck_after),
                devices: Devices::new(secret.derive("device cookies"), secure),
                token_key: TokenKey::new(secret.derive("api token macs")),
                sessions: Sessions::new(secret, settings.session_lifetime, secure),
                store,
                passwords: Passwords::new(settings.concurrent_hashes)?,
                failures_by_client: FailureLimiter::new(settings.per_client),
                failures_by_account: FailureLimiter::new(settings.per_account),
                failures_by_device: FailureLimiter::new(settings.per_device),
                token_failures_by_client: FailureLimiter::new(settings.token_failures_per_client),
                checked_tokens: quick_cache::sync::Cache::new(10_000),
                signups: tokio::sync::Mutex::new(()),
                settings,
            }),
        })
    }

    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    pub fn devices(&self) -> &Devices {
        &self.inner.devices
    }

    pub fn signup_open(&self) -> bool {
        self.inner.settings.signup_open
    }

    /// Signs `user` in: records a new session and words its cookies.
    pub async fn start_session(&self, user: &UserName) -> Result<SessionStart> {
        let now = unix_now();
        let sessions = &self.inner.sessions;
        let expires = now.saturating_add(sessions.lifetime().as_secs());
        let id = self.inner.live.start(user, expires).await?;
        let value = sessions.sign(user, &id, expires);
        Ok(SessionStart {
            identity: Identity {
                user: user.clone(),
                credential: Credential::Session { id, expires },
            },
            session_cookie: sessions.set_cookie(&value, expires, now),
            device_cookie: self.inner.devices.set_cookie(user),
        })
    }

    /// Ends the session `identity` signed in with (a token's identity has none to end).
    pub async fn sign_out(&self, identity: &Identity) -> Result<()> {
        if let Credential::Session { id, expires } = &identity.credential {
            self.inner.live.end(&identity.user, id, *expires).await?;
            tracing::info!(user = %identity.user, "signed out");
        }
        Ok(())
    }

    /// Ends every session of `user`, on every replica within the revalidation interval;
    /// how many there were. API tokens are not affected (revoke them one by one).
    pub async fn sign_out_everywhere(&self, user: &UserName) -> Result<usize> {
        let ended = self.inner.live.end_all(user).await?;
        tracing::info!(%user, sessions = ended, "signed out everywhere");
        Ok(ended)
    }

    /// Who the request is: a bearer token (`Authorization: Bearer ...`) or else the
    /// session cookie. `Ok(None)`: anonymous (no cookie, or one that expired, was signed
    /// with another secret, or was signed out). A token that is not valid is an error, not
    /// anonymity: the caller meant to authenticate and should hear why it did not work.
    /// Neither a forged token nor a forged cookie costs an S3 request; `client`'s failed
    /// tokens are limited ([`AuthError::RateLimited`]).
    pub async fn identify(
        &self,
        headers: &http::HeaderMap,
        client: &str,
    ) -> Result<Option<Identity>> {
        if let Some(authorization) = headers.get(http::header::AUTHORIZATION) {
            return self.identify_token(authorization, client).await.map(Some);
        }
        let cookies = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok());
        let Some(claim) = self.inner.sessions.claim_from_cookies(cookies, unix_now()) else {
            return Ok(None);
        };
        if !self.inner.live.is_live(&claim).await? {
            return Ok(None);
        }
        Ok(Some(Identity {
            user: claim.user,
            credential: Credential::Session {
                id: claim.id,
                expires: claim.expires,
            },
        }))
    }

    async fn identify_token(
        &self,
        authorization: &http::HeaderValue,
        client: &str,
    ) -> Result<Identity> {
        let now = Instant::now();
        let client_key = format!("client:{client}");
        let limiter = &self.inner.token_failures_by_client;
        limiter
            .check(&client_key, now)
            .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
        let token = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .and_then(TokenText::parse)
            .filter(|token| token.signed_with(&self.inner.token_key));
        let checked = match token {
            Some(token) => self.check_token(&token).await.map(|()| token),
            None => Err(AuthError::InvalidToken),
        };
        match checked {
            Ok(token) => Ok(Identity {
                user: token.user,
                credential: Credential::Token {
                    id: token.id.to_string(),
                },
            }),
            Err(error) => {
                if matches!(error, AuthError::InvalidToken) {
                    limiter.record_failure(&client_key, now);
                }
                Err(error)
            }
        }
    }
}
