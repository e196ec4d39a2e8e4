//! Personal API tokens: `dbm_{user}_{id}_{secret}`, where `id` is 16 hex digits (public,
//! names the stored record) and `secret` 64 hex digits (256 random bits, stored only as its
//! SHA-256). A slow hash is not needed for a secret that long; a fast one keeps every API
//! call cheap. The `dbm_` prefix lets secret scanners recognise a leaked token.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use shared::UserName;
use subtle::ConstantTimeEq as _;

const PREFIX: &str = "dbm_";
const ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;

/// A token's public identifier: exactly 16 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenId(String);

impl TokenId {
    pub fn random() -> Self {
        Self(random_hex(ID_HEX / 2))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for TokenId {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if is_lower_hex(raw, ID_HEX) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!("{raw:?} is not a token id (16 hex digits)"))
        }
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for TokenId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TokenId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The parts of a token's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenText {
    pub user: UserName,
    pub id: TokenId,
    pub secret: String,
}

impl TokenText {
    /// A new token for `user` with a fresh id and secret.
    pub fn generate(user: &UserName) -> Self {
        Self {
            user: user.clone(),
            id: TokenId::random(),
            secret: random_hex(SECRET_HEX / 2),
        }
    }

    /// Reads `dbm_{user}_{id}_{secret}`; `None` for anything else. Usernames may contain
    /// `_`, so the id and secret are taken from the right.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let mut parts = rest.rsplitn(3, '_');
        let secret = parts.next()?;
        let id = parts.next()?.parse().ok()?;
        let user = UserName::parse(parts.next()?).ok()?;
        if !is_lower_hex(secret, SECRET_HEX) || !user.is_canonical() {
            return None;
        }
        Some(Self {
            user,
            id,
            secret: secret.to_owned(),
        })
    }

    /// Hex SHA-256 of the secret: what is stored.
    pub fn secret_sha256(&self) -> String {
        hex::encode(Sha256::digest(self.secret.as_bytes()))
    }

    /// Whether the secret hashes to `stored` (compared in constant time).
    pub fn matches(&self, stored_sha256: &str) -> bool {
        self.secret_sha256()
            .as_bytes()
            .ct_eq(stored_sha256.as_bytes())
            .into()
    }
}

impl fmt::Display for TokenText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}_{}_{}", self.user, self.id, self.secret)
    }
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore as _;
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

fn is_lower_hex(text: &str, length: usize) -> bool {
    text.len() == length
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_reads_back_even_with_underscores_in_the_name() {
        let user = UserName::parse("data_team_1").unwrap();
        let token = TokenText::generate(&user);
        let text = token.to_string();
        assert!(text.starts_with("dbm_data_team_1_"), "{text}");
        assert_eq!(text.len(), 4 + 11 + 1 + 16 + 1 + 64);
        assert_eq!(TokenText::parse(&text), Some(token.clone()));
        assert!(token.matches(&token.secret_sha256()));
        assert!(!token.matches(&TokenText::generate(&user).secret_sha256()));
    }

    #[test]
    fn anything_else_is_not_a_token() {
        let good = TokenText::generate(&UserName::parse("alice").unwrap()).to_string();
        let upper_user = good.replacen("alice", "Alice", 1);
        let short = &good[..good.len() - 1];
        let upper_secret = format!("{}A", short);
        for bad in [
            "",
            "dbm_",
            "Bearer x",
            short,
            upper_secret.as_str(),
            upper_user.as_str(),
            "dbm_../bob_0123456789abcdef_0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert_eq!(TokenText::parse(bad), None, "{bad:?}");
        }
    }
}
