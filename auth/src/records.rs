//! Where accounts and tokens live in the bucket, and the JSON records kept there.
//!
//! ```text
//! {prefix}system/accounts/{user}/account.json       the account (Argon2id hash)
//! {prefix}system/accounts/{user}/tokens/{id}.json   one API token (SHA-256 of its secret)
//! {prefix}system/accounts/{user}/sessions/{expires}-{id}.json   one live session
//! ```
//! `{prefix}` is the store's key prefix. The `system/` folder sits beside the catalog's
//! `default/` and `users/` folders, so no database listing reads it (docs/ARCHITECTURE.md,
//! "The S3 layout"). `user` is a checked, lowercase [`UserName`] and `id` a checked
//! [`TokenId`], so nothing typed by a person reaches a key unchecked.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::UserName;
use storage::{StorageFailure, Store};

use crate::error::{AuthError, Result};
use crate::tokens::TokenId;

/// An account as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    pub user: UserName,
    /// Argon2id, PHC string format.
    pub password_hash: String,
    /// Seconds since 1970.
    pub created_at: u64,
    /// Random, written by the sign-up that made the account: read back after the write, it
    /// tells which of two simultaneous sign-ups of one name won on a store whose
    /// conditional writes are not atomic. Empty in records written before it existed.
    #[serde(default)]
    pub nonce: String,
}

/// An API token as stored: never the secret, only its SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: TokenId,
    pub name: String,
    /// Hex SHA-256 of the token's secret part.
    pub secret_sha256: String,
    pub created_at: u64,
}

/// The folder of the app's own records, beside the catalog's `default/` and `users/`.
const SYSTEM_FOLDER: &str = "system/";

pub fn account_key(prefix: &str, user: &UserName) -> String {
    format!("{}account.json", user_folder(prefix, user))
}

pub fn tokens_prefix(prefix: &str, user: &UserName) -> String {
    format!("{}tokens/", user_folder(prefix, user))
}

pub fn sessions_prefix(prefix: &str, user: &UserName) -> String {
    format!("{}sessions/", user_folder(prefix, user))
}

pub fn token_key(prefix: &str, user: &UserName, id: &TokenId) -> String {
    format!("{}{id}.json", tokens_prefix(prefix, user))
}

fn user_folder(prefix: &str, user: &UserName) -> String {
    format!("{prefix}{SYSTEM_FOLDER}accounts/{user}/")
}

/// Reads a JSON record; `Ok(None)` when there is no such object.
pub async fn read<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>> {
    match store.get_small(key).await {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|error| AuthError::CorruptRecord {
                    key: key.to_owned(),
                    detail: error.to_string(),
                })
        }
        Err(error) if error.failure() == Some(StorageFailure::NoSuchKey) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Writes (or overwrites) a JSON record.
pub async fn write<T: Serialize>(store: &Store, key: &str, record: &T) -> Result<()> {
    let body = serde_json::to_vec_pretty(record).map_err(|error| AuthError::CorruptRecord {
        key: key.to_owned(),
        detail: error.to_string(),
    })?;
    Ok(store.put(key, body, "application/json").await?)
}

/// Writes a JSON record only if `key` is free; `Ok(false)` when it is taken.
pub async fn create<T: Serialize>(store: &Store, key: &str, record: &T) -> Result<bool> {
    let body = serde_json::to_vec_pretty(record).map_err(|error| AuthError::CorruptRecord {
        key: key.to_owned(),
        detail: error.to_string(),
    })?;
    Ok(store.put_if_absent(key, body, "application/json").await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sit_in_the_system_folder_under_the_user() {
        let layout = "team/";
        let alice = UserName::parse("alice").unwrap();
        let id: TokenId = "0123456789abcdef".parse().unwrap();
        assert_eq!(
            account_key(layout, &alice),
            "team/system/accounts/alice/account.json"
        );
        assert_eq!(
            token_key(layout, &alice, &id),
            "team/system/accounts/alice/tokens/0123456789abcdef.json"
        );
    }
}
