//! Who a request acts for: accounts, sign-in and sign-up, session cookies, personal API
//! tokens, and sign-in rate limits. Server only (never in the wasm build).
//!
//! Everything is kept in the same bucket as the data, in the bucket's
//! `system/` folder ([`records`]), so no other service is needed and every replica sees the
//! same accounts. Sessions are signed cookies ([`session`]) that any replica with the same
//! secret can check without a request; tokens ([`tokens`]) are checked against their stored
//! hash, cached for a short, bounded time and dropped from the cache when revoked here.
//!
//! - [`password`]: Argon2id hashing on the blocking pool, a few at a time.
//! - [`rate_limit`]: failed sign-ins per client and per account.
//! - [`error`]: why a call failed ([`AuthError`]).

pub mod error;
pub mod password;
pub mod rate_limit;
pub mod records;
pub mod session;
pub mod tokens;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::try_join_all;
use shared::accounts::{check_new_password, check_token_name};
use shared::{NewToken, TokenInfo, UserName};
use storage::Store;

pub use error::{AuthError, Result};
use password::Passwords;
use rate_limit::{Allowance, FailureLimiter};
use records::{AccountRecord, TokenRecord};
pub use session::{SessionSecret, Sessions, unix_now};
use tokens::{TokenId, TokenText};

/// How accounts behave; [`AuthSettings::default`] is what the server uses unless told.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Whether anyone may create an account (`DBM_SIGNUP=open`).
    pub signup_open: bool,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Served over https: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Failed sign-ins allowed per client address.
    pub per_client: Allowance,
    /// Failed sign-ins allowed per account.
    pub per_account: Allowance,
    /// How long a checked token is trusted before its record is read again (a token
    /// revoked through another replica stops working here after at most this long).
    pub token_recheck_after: Duration,
    /// Password hashes computed at the same time, at most.
    pub concurrent_hashes: usize,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            signup_open: true,
            session_lifetime: Duration::from_secs(14 * 24 * 3600),
            secure_cookies: false,
            per_client: Allowance {
                failures: 20,
                window: Duration::from_secs(15 * 60),
            },
            per_account: Allowance {
                failures: 5,
                window: Duration::from_secs(15 * 60),
            },
            token_recheck_after: Duration::from_secs(5),
            concurrent_hashes: 2,
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session,
    Token { id: String },
}

/// The user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: UserName,
    pub credential: Credential,
}

impl Identity {
    /// `user`, signed in with a session (as after sign-in or sign-up).
    pub fn session(user: UserName) -> Self {
        Self {
            user,
            credential: Credential::Session,
        }
    }
}

/// The handle to accounts. Cheap to clone; all clones share caches and limits.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    sessions: Sessions,
    passwords: Passwords,
    settings: AuthSettings,
    failures_by_client: FailureLimiter,
    failures_by_account: FailureLimiter,
    /// `{user}/{id}` → the record read at that instant (`None`: no such token).
    checked_tokens: quick_cache::sync::Cache<String, (Option<Arc<TokenRecord>>, Instant)>,
    /// Sign-ups on this replica one at a time, so a name is checked and taken atomically
    /// even where the store's conditional write is not (other replicas rely on the store).
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
        let sessions = Sessions::new(secret, settings.session_lifetime, settings.secure_cookies);
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                sessions,
                passwords: Passwords::new(settings.concurrent_hashes)?,
                failures_by_client: FailureLimiter::new(settings.per_client),
                failures_by_account: FailureLimiter::new(settings.per_account),
                checked_tokens: quick_cache::sync::Cache::new(10_000),
                signups: tokio::sync::Mutex::new(()),
                settings,
            }),
        })
    }

    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    pub fn signup_open(&self) -> bool {
        self.inner.settings.signup_open
    }

    /// The `Set-Cookie` value that signs `user` in from now.
    pub fn session_cookie(&self, user: &UserName) -> String {
        self.inner.sessions.set_cookie(user, unix_now())
    }

    /// Creates an account (sign-up and `server user add`). The password must follow the
    /// rule in [`shared::accounts`]; a taken name is [`AuthError::NameTaken`].
    pub async fn create_account(&self, user: &UserName, password: &str) -> Result<()> {
        check_new_password(password).map_err(AuthError::BadPassword)?;
        let record = AccountRecord {
            user: user.clone(),
            password_hash: self.inner.passwords.hash(password).await?,
            created_at: unix_now(),
        };
        let key = records::account_key(self.inner.store.prefix(), user);
        let _one_at_a_time = self.inner.signups.lock().await;
        let free = records::read::<AccountRecord>(&self.inner.store, &key)
            .await?
            .is_none();
        if free && records::create(&self.inner.store, &key, &record).await? {
            tracing::info!(%user, "account created");
            Ok(())
        } else {
            Err(AuthError::NameTaken {
                user: user.to_string(),
            })
        }
    }

    /// Self-service sign-up (when open). A taken name counts as a failed attempt of the
    /// client, so names cannot be probed faster than sign-ins.
    pub async fn sign_up(&self, username: &str, password: &str, client: &str) -> Result<UserName> {
        if !self.signup_open() {
            return Err(AuthError::SignupClosed);
        }
        let now = Instant::now();
        let client_key = format!("client:{client}");
        self.inner
            .failures_by_client
            .check(&client_key, now)
            .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
        let user = UserName::from_input(username)?;
        let created = self.create_account(&user, password).await;
        if matches!(created, Err(AuthError::NameTaken { .. })) {
            self.inner
                .failures_by_client
                .record_failure(&client_key, now);
        }
        created.map(|()| user)
    }

    /// Checks a username and password. Unknown users and wrong passwords are the same
    /// error and take the same time; too many failures are [`AuthError::RateLimited`].
    pub async fn sign_in(&self, username: &str, password: &str, client: &str) -> Result<UserName> {
        let now = Instant::now();
        let client_key = format!("client:{client}");
        let folded: String = username
            .trim()
            .to_ascii_lowercase()
            .chars()
            .take(64)
            .collect();
        let account_key = format!("account:{folded}");
        let waits = [
            self.inner.failures_by_client.check(&client_key, now),
            self.inner.failures_by_account.check(&account_key, now),
        ];
        if let Some(retry_after) = waits.iter().filter_map(|wait| wait.err()).max() {
            return Err(AuthError::RateLimited { retry_after });
        }
        let record = match UserName::from_input(username) {
            Ok(user) => {
                let key = records::account_key(self.inner.store.prefix(), &user);
                records::read::<AccountRecord>(&self.inner.store, &key).await?
            }
            Err(_) => None,
        };
        let plausible = password.chars().count() <= shared::accounts::MAX_PASSWORD_CHARS;
        let stored = record
            .as_ref()
            .filter(|_| plausible)
            .map(|r| r.password_hash.as_str());
        let password = if plausible { password } else { "" };
        if self.inner.passwords.verify(password, stored).await? {
            self.inner.failures_by_account.clear(&account_key);
            if let Some(record) = record {
                return Ok(record.user);
            }
        }
        self.inner
            .failures_by_client
            .record_failure(&client_key, now);
        self.inner
            .failures_by_account
            .record_failure(&account_key, now);
        tracing::info!(client, account = %folded, "failed sign-in");
        Err(AuthError::InvalidCredentials)
    }

    /// Who the request is: a bearer token (`Authorization: Bearer ...`) or else the
    /// session cookie. `Ok(None)`: anonymous (or a session that expired or was signed with
    /// another secret). A token that is not valid is an error, not anonymity: the caller
    /// meant to authenticate and should hear why it did not work.
    pub async fn identify(&self, headers: &http::HeaderMap) -> Result<Option<Identity>> {
        if let Some(authorization) = headers.get(http::header::AUTHORIZATION) {
            let token = authorization
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .and_then(TokenText::parse)
                .ok_or(AuthError::InvalidToken)?;
            self.check_token(&token).await?;
            return Ok(Some(Identity {
                user: token.user,
                credential: Credential::Token {
                    id: token.id.to_string(),
                },
            }));
        }
        let cookies = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok());
        Ok(self
            .inner
            .sessions
            .user_from_cookies(cookies, unix_now())
            .map(|user| Identity {
                user,
                credential: Credential::Session,
            }))
    }

    async fn check_token(&self, token: &TokenText) -> Result<()> {
        let cache_key = token_cache_key(&token.user, &token.id);
        let fresh = self
            .inner
            .checked_tokens
            .get(&cache_key)
            .filter(|(_, read_at)| read_at.elapsed() < self.inner.settings.token_recheck_after);
        let record = match fresh {
            Some((record, _)) => record,
            None => {
                let key = records::token_key(self.inner.store.prefix(), &token.user, &token.id);
                let record = records::read::<TokenRecord>(&self.inner.store, &key)
                    .await?
                    .map(Arc::new);
                self.inner
                    .checked_tokens
                    .insert(cache_key, (record.clone(), Instant::now()));
                record
            }
        };
        match record {
            Some(record) if token.matches(&record.secret_sha256) => Ok(()),
            _ => Err(AuthError::InvalidToken),
        }
    }

    /// Creates a named token for whoever `identity` is; the answer is the only place its
    /// text appears. Only a signed-in session may: a token cannot make more tokens (so a
    /// leaked token cannot outlive its own revocation).
    pub async fn create_token(&self, identity: &Identity, name: &str) -> Result<NewToken> {
        if identity.credential != Credential::Session {
            return Err(AuthError::TokenCannotCreateTokens);
        }
        let user = &identity.user;
        let name = check_token_name(name).map_err(AuthError::BadTokenName)?;
        let token = TokenText::generate(user);
        let record = TokenRecord {
            id: token.id.clone(),
            name,
            secret_sha256: token.secret_sha256(),
            created_at: unix_now(),
        };
        let key = records::token_key(self.inner.store.prefix(), user, &token.id);
        if !records::create(&self.inner.store, &key, &record).await? {
            return Err(AuthError::Internal(format!(
                "token id {} collided",
                token.id
            )));
        }
        self.inner
            .checked_tokens
            .remove(&token_cache_key(user, &token.id));
        tracing::info!(%user, id = %token.id, "API token created");
        Ok(NewToken {
            info: info(&record),
            token: token.to_string(),
        })
    }

    /// The user's tokens, newest first (never their secrets).
    pub async fn list_tokens(&self, user: &UserName) -> Result<Vec<TokenInfo>> {
        let store = &self.inner.store;
        let listed = store
            .list(&records::tokens_prefix(store.prefix(), user))
            .await?;
        let reads = listed
            .iter()
            .map(|object| records::read::<TokenRecord>(store, &object.key));
        let mut tokens: Vec<TokenInfo> = try_join_all(reads)
            .await?
            .iter()
            .flatten()
            .map(info)
            .collect();
        tokens.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(tokens)
    }

    /// Revokes one of the user's tokens: it stops working on this server at once.
    pub async fn revoke_token(&self, user: &UserName, id: &str) -> Result<TokenInfo> {
        let not_found = || AuthError::TokenNotFound { id: id.to_owned() };
        let id: TokenId = id.trim().parse().map_err(|_| not_found())?;
        let store = &self.inner.store;
        let key = records::token_key(store.prefix(), user, &id);
        let record = records::read::<TokenRecord>(store, &key)
            .await?
            .ok_or_else(not_found)?;
        store.delete_keys(std::slice::from_ref(&key)).await?;
        self.inner
            .checked_tokens
            .remove(&token_cache_key(user, &id));
        tracing::info!(%user, %id, "API token revoked");
        Ok(info(&record))
    }
}

/// The key of a checked token in `checked_tokens`: the check, creation and revocation of a
/// token must agree on it, or a revoked token would stay trusted.
fn token_cache_key(user: &UserName, id: &TokenId) -> String {
    format!("{user}/{id}")
}

fn info(record: &TokenRecord) -> TokenInfo {
    TokenInfo {
        id: record.id.to_string(),
        name: record.name.clone(),
        created_at: record.created_at,
    }
}
