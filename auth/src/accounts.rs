//! Accounts: creating them (sign-up and `server user add`), signing in, changing and
//! resetting passwords.
//!
//! **Two sign-ups of one name at once.** The account is written with `If-None-Match: *`,
//! but not every S3 implementation makes that check and the write one atomic step (the
//! embedded s3s-fs store does not): two replicas may both see the name free and both
//! write. So each sign-up writes a random nonce in its record, waits
//! [`AuthSettings::signup_settle`](crate::AuthSettings) and reads the record back: only the
//! sign-up whose nonce is there has the account; the other fails cleanly as "name taken",
//! before any session is made for it.
//!
//! **Guessing, and not locking the owner out.** A sign-in from a browser that is a known
//! device of the account ([`crate::device`]) is limited by that device's own failures. Any
//! other sign-in is limited per client address and per account, so someone guessing an
//! account's password from anywhere is slowed to a few guesses per window, while the owner,
//! from a browser that has signed in before and has not failed, still gets in.

use std::time::Instant;

use shared::UserName;
use shared::accounts::{MAX_PASSWORD_CHARS, check_new_password};

use crate::error::{AuthError, Result};
use crate::records::{self, AccountRecord};
use crate::{Auth, Credential, Identity, unix_now};

/// Where a sign-in comes from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The client's address (for per-client limits).
    pub client: &'a str,
    /// The device cookie the browser sent, if any.
    pub device: Option<&'a str>,
}

impl Auth {
    /// Creates an account (sign-up and `server user add`). The password must follow the
    /// rule in [`shared::accounts`]; a taken name is [`AuthError::NameTaken`], also when
    /// another replica took it at the same moment.
    pub async fn create_account(&self, user: &UserName, password: &str) -> Result<()> {
        check_new_password(password).map_err(AuthError::BadPassword)?;
        let record = AccountRecord {
            user: user.clone(),
            password_hash: self.inner.passwords.hash(password).await?,
            created_at: unix_now(),
            nonce: crate::session::new_session_id(),
        };
        let store = &self.inner.store;
        let key = records::account_key(store.prefix(), user);
        let taken = || AuthError::NameTaken {
            user: user.to_string(),
        };
        let _one_at_a_time = self.inner.signups.lock().await;
        let free = records::read::<AccountRecord>(store, &key).await?.is_none();
        if !free || !records::create(store, &key, &record).await? {
            return Err(taken());
        }
        tokio::time::sleep(self.inner.settings.signup_settle).await;
        let stored = records::read::<AccountRecord>(store, &key).await?;
        if stored.is_none_or(|stored| stored.nonce != record.nonce) {
            tracing::info!(%user, "a simultaneous sign-up took the name first");
            return Err(taken());
        }
        tracing::info!(%user, "account created");
        Ok(())
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
    /// error and take the same time; too many failures are [`AuthError::RateLimited`]
    /// (see the module's note on devices).
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        origin: Origin<'_>,
    ) -> Result<UserName> {
        let folded: String = username
            .trim()
            .to_ascii_lowercase()
            .chars()
            .take(64)
            .collect();
        let limits = Limits::for_attempt(self, &folded, origin);
        limits.check(self)?;
        let record = match UserName::from_input(username) {
            Ok(user) => self.account(&user).await?,
            Err(_) => None,
        };
        if self.password_matches(record.as_ref(), password).await? {
            limits.succeeded(self);
            if let Some(record) = record {
                return Ok(record.user);
            }
        }
        limits.failed(self);
        tracing::info!(client = origin.client, account = %folded, known_device = limits.device.is_some(), "failed sign-in");
        Err(AuthError::InvalidCredentials)
    }

    /// Changes the password of the signed-in `identity` after checking the current one
    /// (a failure counts like a failed sign-in of the account). Every session of the user
    /// ends, this one included: the caller starts a new one for the browser that asked.
    pub async fn change_password(
        &self,
        identity: &Identity,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<()> {
        if !matches!(identity.credential, Credential::Session { .. }) {
            return Err(AuthError::SessionRequired);
        }
        check_new_password(new).map_err(AuthError::BadPassword)?;
        let origin = Origin {
            client,
            device: None,
        };
        let limits = Limits::for_attempt(self, identity.user.as_str(), origin);
        limits.check(self)?;
        let record = self.account(&identity.user).await?;
        if !self.password_matches(record.as_ref(), current).await? {
            limits.failed(self);
            return Err(AuthError::InvalidCredentials);
        }
        let record = record.ok_or(AuthError::InvalidCredentials)?;
        self.replace_password(record, new).await
    }

    /// Sets a new password for `user` (`server user reset-password`) and ends every
    /// session of the user.
    pub async fn reset_password(&self, user: &UserName, new: &str) -> Result<()> {
        check_new_password(new).map_err(AuthError::BadPassword)?;
        let record = self
            .account(user)
            .await?
            .ok_or_else(|| AuthError::NoSuchAccount {
                user: user.to_string(),
            })?;
        self.replace_password(record, new).await
    }

    async fn replace_password(&self, mut record: AccountRecord, new: &str) -> Result<()> {
        record.password_hash = self.inner.passwords.hash(new).await?;
        let key = records::account_key(self.inner.store.prefix(), &record.user);
        records::write(&self.inner.store, &key, &record).await?;
        let ended = self.inner.live.end_all(&record.user).await?;
        tracing::info!(user = %record.user, sessions_ended = ended, "password changed");
        Ok(())
    }

    async fn account(&self, user: &UserName) -> Result<Option<AccountRecord>> {
        let key = records::account_key(self.inner.store.prefix(), user);
        records::read::<AccountRecord>(&self.inner.store, &key).await
    }

    /// Whether `password` is the account's; takes as long when there is no account.
    async fn password_matches(
        &self,
        record: Option<&AccountRecord>,
        password: &str,
    ) -> Result<bool> {
        let plausible = password.chars().count() <= MAX_PASSWORD_CHARS;
        let stored = record
            .filter(|_| plausible)
            .map(|record| record.password_hash.as_str());
        let password = if plausible { password } else { "" };
        self.inner.passwords.verify(password, stored).await
    }
}

/// The failure counts one attempt is held to.
struct Limits {
    now: Instant,
    /// `device:{nonce}` when the browser is a known device of the account.
    device: Option<String>,
    client: String,
    account: String,
}

impl Limits {
    fn for_attempt(auth: &Auth, folded_user: &str, origin: Origin<'_>) -> Self {
        let device = origin
            .device
            .and_then(|value| auth.inner.devices.verify(value))
            .filter(|claim| claim.user.as_str() == folded_user)
            .map(|claim| format!("device:{}", claim.nonce));
        Self {
            now: Instant::now(),
            device,
            client: format!("client:{}", origin.client),
            account: format!("account:{folded_user}"),
        }
    }

    fn check(&self, auth: &Auth) -> Result<()> {
        let inner = &auth.inner;
        let waits = match &self.device {
            Some(device) => vec![inner.failures_by_device.check(device, self.now)],
            None => vec![
                inner.failures_by_client.check(&self.client, self.now),
                inner.failures_by_account.check(&self.account, self.now),
            ],
        };
        match waits.iter().filter_map(|wait| wait.err()).max() {
            Some(retry_after) => Err(AuthError::RateLimited { retry_after }),
            None => Ok(()),
        }
    }

    fn failed(&self, auth: &Auth) {
        let inner = &auth.inner;
        match &self.device {
            Some(device) => inner.failures_by_device.record_failure(device, self.now),
            None => {
                inner
                    .failures_by_client
                    .record_failure(&self.client, self.now);
                inner
                    .failures_by_account
                    .record_failure(&self.account, self.now);
            }
        }
    }

    fn succeeded(&self, auth: &Auth) {
        match &self.device {
            Some(device) => auth.inner.failures_by_device.clear(device),
            None => auth.inner.failures_by_account.clear(&self.account),
        }
    }
}
