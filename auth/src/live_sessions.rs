//! Which sessions are live. A well-signed cookie is not enough: each sign-in writes a record,
//! `system/accounts/{user}/sessions/{expires}-{id}.json`, and a session is live while its
//! record exists. Signing out removes the record; "sign out everywhere", a password change
//! and `server user reset-password` remove all of the user's. Every replica checks the
//! record (one HEAD) and trusts the answer for the revalidation interval, so a session
//! signed out on one replica stops working on all of them within that interval.
//!
//! The expiry in the key lets a sign-in remove the user's expired records from a listing
//! alone, so they never pile up.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use shared::UserName;
use storage::Store;

use crate::error::Result;
use crate::records;
use crate::session::{SessionClaim, is_session_id, new_session_id, unix_now};

/// A session's record (its key says the rest).
#[derive(Debug, Serialize, Deserialize)]
struct SessionRecord {
    /// Seconds since 1970.
    created_at: u64,
}

pub(crate) struct LiveSessions {
    store: Store,
    /// Record key → whether it existed when read, and when.
    checked: quick_cache::sync::Cache<String, (bool, Instant)>,
    recheck_after: Duration,
}

impl LiveSessions {
    pub fn new(store: Store, recheck_after: Duration) -> Self {
        Self {
            store,
            checked: quick_cache::sync::Cache::new(10_000),
            recheck_after,
        }
    }

    /// Records a new session of `user` that expires at `expires`; its id.
    pub async fn start(&self, user: &UserName, expires: u64) -> Result<String> {
        self.forget_expired(user).await;
        let id = new_session_id();
        let key = self.key(user, expires, &id);
        let record = SessionRecord {
            created_at: unix_now(),
        };
        let body = serde_json::to_vec(&record).unwrap_or_default();
        self.store.put(&key, body, "application/json").await?;
        self.checked.insert(key, (true, Instant::now()));
        Ok(id)
    }

    /// Whether the session a cookie claims is still live.
    pub async fn is_live(&self, claim: &SessionClaim) -> Result<bool> {
        let key = self.key(&claim.user, claim.expires, &claim.id);
        if let Some((live, read_at)) = self.checked.get(&key)
            && read_at.elapsed() < self.recheck_after
        {
            return Ok(live);
        }
        let live = self.store.exists(&key).await?;
        self.checked.insert(key, (live, Instant::now()));
        Ok(live)
    }

    /// Ends one session: its cookie stops working here at once, elsewhere within the
    /// revalidation interval.
    pub async fn end(&self, user: &UserName, id: &str, expires: u64) -> Result<()> {
        let key = self.key(user, expires, id);
        self.store.delete_keys(std::slice::from_ref(&key)).await?;
        self.checked.insert(key, (false, Instant::now()));
        Ok(())
    }

    /// Ends every session of `user`; how many there were.
    pub async fn end_all(&self, user: &UserName) -> Result<usize> {
        let keys: Vec<String> = self
            .store
            .list(&self.prefix(user))
            .await?
            .into_iter()
            .map(|object| object.key)
            .collect();
        self.store.delete_keys(&keys).await?;
        let now = Instant::now();
        for key in &keys {
            self.checked.insert(key.clone(), (false, now));
        }
        Ok(keys.len())
    }

    /// Removes the records of `user`'s sessions that have expired (best effort: a failure
    /// is logged, and the next sign-in tries again).
    async fn forget_expired(&self, user: &UserName) {
        let now = unix_now();
        let listed = match self.store.list(&self.prefix(user)).await {
            Ok(listed) => listed,
            Err(error) => {
                tracing::warn!(%error, %user, "cannot list sessions to remove expired ones");
                return;
            }
        };
        let expired: Vec<String> = listed
            .into_iter()
            .filter(|object| expiry_in_key(&object.key).is_some_and(|expires| expires <= now))
            .map(|object| object.key)
            .collect();
        if let Err(error) = self.store.delete_keys(&expired).await {
            tracing::warn!(%error, %user, "cannot remove expired sessions");
        }
    }

    fn prefix(&self, user: &UserName) -> String {
        records::sessions_prefix(self.store.prefix(), user)
    }

    fn key(&self, user: &UserName, expires: u64, id: &str) -> String {
        debug_assert!(is_session_id(id));
        format!("{}{expires}-{id}.json", self.prefix(user))
    }
}

impl std::fmt::Debug for LiveSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSessions")
            .field("recheck_after", &self.recheck_after)
            .finish_non_exhaustive()
    }
}

/// The expiry a session record's key carries.
fn expiry_in_key(key: &str) -> Option<u64> {
    let name = key.rsplit('/').next()?;
    name.split_once('-')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_is_read_from_the_key() {
        assert_eq!(
            expiry_in_key("p/system/accounts/al-ice/sessions/1800000000-0123456789abcdef.json"),
            Some(1_800_000_000)
        );
        assert_eq!(
            expiry_in_key("p/system/accounts/a/sessions/junk.json"),
            None
        );
    }
}
