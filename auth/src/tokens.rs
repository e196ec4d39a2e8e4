//! Personal API tokens: `dbm_{user}_{id}_{secret}`, where `id` is 16 hex digits (public,
//! names the stored record) and `secret` 64 hex digits: 128 random bits, then a 128-bit MAC
//! of the user, the id and those random bits under a key derived from the session secret.
//! The server refuses a token whose MAC is wrong (forged, guessed, or made under another
//! secret) before it asks S3 anything, so unauthenticated traffic cannot become S3 traffic.
//! The secret is stored only as its SHA-256; a slow hash is not needed for a secret that
//! long, and a fast one keeps every API call cheap. The `dbm_` prefix lets secret scanners
//! recognise a leaked token.

use std::fmt;

use hmac::Mac as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use shared::UserName;
use subtle::ConstantTimeEq as _;

const PREFIX: &str = "dbm_";
const ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;
/// Hex digits of the secret that are random; the rest is their MAC.
const RANDOM_HEX: usize = 32;

/// The key token MACs are made with (derived from the session secret).
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl TokenKey {
    pub fn new(key: Vec<u8>) -> Self {
        Self(key)
    }

    /// The MAC part of a secret for `user`, `id` and the secret's random part.
    fn mac_hex(&self, user: &UserName, id: &TokenId, random: &str) -> String {
        let mut mac = crate::session::mac_with(&self.0);
        mac.update(format!("{user}\n{id}\n{random}").as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..(SECRET_HEX - RANDOM_HEX) / 2])
    }
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

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
    /// A new token for `user` with a fresh id and secret, its MAC made with `key`.
    pub fn generate(user: &UserName, key: &TokenKey) -> Self {
        let id = TokenId::random();
        let random = random_hex(RANDOM_HEX / 2);
        let secret = format!("{random}{}", key.mac_hex(user, &id, &random));
        Self {
            user: user.clone(),
            id,
            secret,
        }
    }

    /// Whether the secret's MAC is the one `key` makes (checked in constant time): a
    /// token that fails this was not made by a server with this secret.
    pub fn signed_with(&self, key: &TokenKey) -> bool {
        let (random, mac) = self.secret.split_at(RANDOM_HEX);
        key.mac_hex(&self.user, &self.id, random)
            .as_bytes()
            .ct_eq(mac.as_bytes())
            .into()
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

    fn key() -> TokenKey {
        TokenKey::new(b"test key".to_vec())
    }

    #[test]
    fn a_generated_token_carries_a_mac_of_this_key_only() {
        let user = UserName::parse("alice").unwrap();
        let token = TokenText::generate(&user, &key());
        assert!(token.signed_with(&key()));
        assert!(!token.signed_with(&TokenKey::new(b"other key".to_vec())));
        let mut forged = token.clone();
        forged
            .secret
            .replace_range(0..1, if &token.secret[..1] == "0" { "1" } else { "0" });
        assert!(!forged.signed_with(&key()), "random part changed");
        let mut other_user = token.clone();
        other_user.user = UserName::parse("bob").unwrap();
        assert!(!other_user.signed_with(&key()), "MAC binds the user");
    }

    #[test]
    fn a_generated_token_reads_back_even_with_underscores_in_the_name() {
        let user = UserName::parse("data_team_1").unwrap();
        let token = TokenText::generate(&user, &key());
        let text = token.to_string();
        assert!(text.starts_with("dbm_data_team_1_"), "{text}");
        assert_eq!(text.len(), 4 + 11 + 1 + 16 + 1 + 64);
        assert_eq!(TokenText::parse(&text), Some(token.clone()));
        assert!(token.matches(&token.secret_sha256()));
        assert!(!token.matches(&TokenText::generate(&user, &key()).secret_sha256()));
    }

    #[test]
    fn anything_else_is_not_a_token() {
        let good = TokenText::generate(&UserName::parse("alice").unwrap(), &key()).to_string();
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
