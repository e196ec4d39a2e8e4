//! Password hashing with Argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, one
//! lane, which is OWASP's recommended minimum), in PHC strings that carry their own
//! parameters and salt. Hashing is slow on purpose, so it runs on the blocking pool and at
//! most a few at a time: a burst of sign-ins cannot take every core or much memory.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use rand::RngCore as _;
use tokio::sync::Semaphore;

use crate::error::{AuthError, Result};

/// Hashes and verifies passwords, a bounded number at a time.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: unknown users are verified against it, so a
    /// sign-in takes as long whether or not the account exists.
    decoy: Arc<str>,
}

impl Passwords {
    pub fn new(concurrent_hashes: usize) -> Result<Self> {
        let mut random = [0_u8; 32];
        rand::rng().fill_bytes(&mut random);
        let decoy = hash_now(&hex::encode(random))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrent_hashes.max(1))),
            decoy: decoy.into(),
        })
    }

    /// The PHC string of `password` with a fresh random salt.
    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `stored`; with no stored hash (no such account) the
    /// decoy is checked instead and the answer is always false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool> {
        let password = password.to_owned();
        let (hash, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.decoy.to_string(), false),
        };
        let matches = self
            .run(move || {
                Argon2::default()
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(real && matches)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| AuthError::Internal(format!("password hashing: {error}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| AuthError::Internal(format!("password hashing: {error}")))
    }
}

fn hash_now(password: &str) -> Result<String> {
    let mut salt = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AuthError::Internal(format!("password hashing: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_and_verifies_only_its_password() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("correct horse battery").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            passwords
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("Correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        let again = passwords.hash("correct horse battery").await.unwrap();
        assert_ne!(hash, again, "every hash has its own salt");
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let passwords = Passwords::new(1).unwrap();
        assert!(!passwords.verify("anything at all", None).await.unwrap());
    }
}
