//! Personal API tokens as the account sees them: creating one (only from a signed-in
//! session), listing, revoking, and checking a presented token against its record (cached
//! for the revalidation interval; revoking here drops it from the cache at once).

use std::sync::Arc;
use std::time::Instant;

use futures::future::try_join_all;
use shared::accounts::check_token_name;
use shared::{NewToken, TokenInfo, UserName};

use crate::error::{AuthError, Result};
use crate::records::{self, TokenRecord};
use crate::tokens::{TokenId, TokenText};
use crate::{Auth, Credential, Identity, unix_now};

impl Auth {
    /// Whether a token (its MAC already checked) matches a stored record.
    pub(crate) async fn check_token(&self, token: &TokenText) -> Result<()> {
        let cache_key = token_cache_key(&token.user, &token.id);
        let fresh = self
            .inner
            .checked_tokens
            .get(&cache_key)
            .filter(|(_, read_at)| read_at.elapsed() < self.inner.settings.recheck_after);
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
        if !matches!(identity.credential, Credential::Session { .. }) {
            return Err(AuthError::TokenCannotCreateTokens);
        }
        let user = &identity.user;
        let name = check_token_name(name).map_err(AuthError::BadTokenName)?;
        let token = TokenText::generate(user, &self.inner.token_key);
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
