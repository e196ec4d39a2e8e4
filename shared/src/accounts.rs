//! Accounts as the API and the pages see them: the password and token-name rules (checked
//! in the browser as the user types and again on the server) and the JSON shapes of the
//! account calls (`/api/sign_in`, `/api/sign_up`, `/api/me`, `/api/tokens`, ...).

use serde::{Deserialize, Serialize};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted, in characters (bounds the hashing work per request).
pub const MAX_PASSWORD_CHARS: usize = 512;
/// The longest token name, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 64;

/// Checks a new password: 10 to 512 characters, anything else is allowed (spaces, any
/// script, a passphrase). The message says what to change.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(format!(
            "The password is {length} characters long; use at least {MIN_PASSWORD_CHARS} (a few words make a good one)."
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(format!(
            "The password is {length} characters long; the limit is {MAX_PASSWORD_CHARS}."
        ));
    }
    Ok(())
}

/// Checks a token name (what the token is for, e.g. "nightly import"): 1 to 64 characters
/// after trimming, no control characters. Returns the trimmed name.
pub fn check_token_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let length = trimmed.chars().count();
    if length == 0 {
        return Err(
            "Give the token a name that says what it is for, e.g. \"nightly import\".".to_owned(),
        );
    }
    if length > MAX_TOKEN_NAME_CHARS {
        return Err(format!(
            "The token name is {length} characters long; the limit is {MAX_TOKEN_NAME_CHARS}."
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("The token name contains a control character; use plain text.".to_owned());
    }
    Ok(trimmed.to_owned())
}

/// Who a request acts for: the answer of sign-in, sign-up and `GET /api/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub user: String,
}

/// The answer to "sign out everywhere": whose sessions ended, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOutEverywhere {
    pub user: String,
    pub sessions_ended: usize,
}

/// A personal API token as listed: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public identifier (16 hex digits); also part of the token text.
    pub id: String,
    pub name: String,
    /// When it was created, in seconds since 1970-01-01 UTC.
    pub created_at: u64,
}

/// A token just created: the only answer that carries the token text. It is not stored and
/// cannot be shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// `dbm_{user}_{id}_{secret}`: send it as `Authorization: Bearer <token>`.
    pub token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_ten_characters_and_at_most_512() {
        assert!(
            check_new_password("short")
                .unwrap_err()
                .contains("at least 10")
        );
        assert!(check_new_password("correct horse").is_ok());
        assert!(check_new_password("ä".repeat(10).as_str()).is_ok());
        assert!(
            check_new_password(&"x".repeat(513))
                .unwrap_err()
                .contains("limit is 512")
        );
    }

    #[test]
    fn token_names_are_trimmed_and_bounded() {
        assert_eq!(
            check_token_name("  nightly import ").unwrap(),
            "nightly import"
        );
        assert!(check_token_name("   ").is_err());
        assert!(check_token_name(&"n".repeat(65)).is_err());
        assert!(check_token_name("a\u{7}b").is_err());
    }

    #[test]
    fn a_new_token_serializes_flat() {
        let token = NewToken {
            info: TokenInfo {
                id: "0123456789abcdef".to_owned(),
                name: "ci".to_owned(),
                created_at: 1,
            },
            token: "dbm_alice_0123456789abcdef_00".to_owned(),
        };
        let json = serde_json::to_string(&token).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"id":"0123456789abcdef","name":"ci","created_at":1,"token":"dbm_alice_0123456789abcdef_00"}"#
        );
    }
}
