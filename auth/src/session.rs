//! Session cookies: the cookie carries the user, an expiry and the session's id, signed
//! with HMAC-SHA256 under `DBM_SESSION_SECRET`, so any replica refuses a forged or expired
//! cookie without asking anyone. Whether a well-signed session is still live (not signed
//! out) is its record's business ([`crate::live_sessions`]).
//!
//! Value: `v2.{user}.{expires}.{id}.{signature}`, where `expires` is seconds since 1970,
//! `id` 16 hex digits and the signature the hex HMAC of everything before it. A cookie whose
//! signature does not match (tampered, or signed under another secret) or whose time has
//! passed is ignored, so changing the secret signs everyone out. (`v1` cookies, which had no
//! id and so could not be signed out, are no longer accepted.) Cookies are `HttpOnly`,
//! `SameSite=Lax`, and `Secure` with the `__Host-` name prefix when the app is served over
//! https.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore as _;
use sha2::Sha256;
use shared::UserName;

/// The shortest secret accepted from the setting, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
const VERSION: &str = "v2";

/// The key sessions are signed with.
#[derive(Clone)]
pub struct SessionSecret(Vec<u8>);

impl std::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSecret(..)")
    }
}

/// Why a secret could not be used; worded for the start-up error line.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "DBM_SESSION_SECRET is {length} bytes long; use at least {MIN_SECRET_BYTES} random \
         characters (e.g. the output of `openssl rand -hex 32`)"
    )]
    TooShort { length: usize },
    #[error("cannot read or create the session secret file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl SessionSecret {
    /// The secret from the `DBM_SESSION_SECRET` setting.
    pub fn from_setting(value: &str) -> Result<Self, SecretError> {
        let value = value.trim();
        if value.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort {
                length: value.len(),
            });
        }
        Ok(Self(value.as_bytes().to_vec()))
    }

    /// The secret kept in `path`, created (random, readable by this user only) the first
    /// time, so restarts keep everyone signed in.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretError> {
        let file_error = |source| SecretError::File {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::from_setting(&text),
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(file_error(error));
            }
            Err(_) => {}
        }
        let secret = Self::random();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(&secret.0).map_err(file_error)?;
                file.sync_all().map_err(file_error)?;
                Ok(secret)
            }
            // Another process created it first: use theirs.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::from_setting(&std::fs::read_to_string(path).map_err(file_error)?)
            }
            Err(error) => Err(file_error(error)),
        }
    }

    /// A new random secret (64 hex characters).
    pub fn random() -> Self {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes).into_bytes())
    }

    fn mac(&self) -> Hmac<Sha256> {
        mac_with(&self.0)
    }

    /// A key for another `purpose` (API token MACs, device cookies), derived from this
    /// secret so that one setting keys everything and no two uses share a key.
    pub fn derive(&self, purpose: &str) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(b"dbm derived key\n");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// HMAC-SHA256 keyed with `key` (HMAC takes a key of any length, so this cannot fail).
pub(crate) fn mac_with(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
}

/// What a well-signed, unexpired session cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaim {
    pub user: UserName,
    /// The session's id: its record's name, what signing out removes.
    pub id: String,
    /// Seconds since 1970.
    pub expires: u64,
}

/// A new random session id (16 hex digits).
pub fn new_session_id() -> String {
    let mut bytes = [0_u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `id` is a session id as [`new_session_id`] makes them.
pub fn is_session_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Signs and checks session cookie values, and words the `Set-Cookie` headers.
#[derive(Debug, Clone)]
pub struct Sessions {
    secret: SessionSecret,
    lifetime: Duration,
    secure: bool,
}

impl Sessions {
    pub fn new(secret: SessionSecret, lifetime: Duration, secure: bool) -> Self {
        Self {
            secret,
            lifetime,
            secure,
        }
    }

    /// The cookie's name: `__Host-dbm_session` over https (the browser then refuses it
    /// from anything but this exact host over https), `dbm_session` otherwise.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-dbm_session"
        } else {
            "dbm_session"
        }
    }

    /// How long a session lasts.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A signed value for session `id` of `user`, expiring at `expires` (seconds since 1970).
    pub fn sign(&self, user: &UserName, id: &str, expires: u64) -> String {
        let payload = format!("{VERSION}.{user}.{expires}.{id}");
        let mut mac = self.secret.mac();
        mac.update(payload.as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// What a cookie value says, if its signature is ours and it has not expired.
    pub fn verify(&self, value: &str, now: u64) -> Option<SessionClaim> {
        let (payload, signature) = value.rsplit_once('.')?;
        let signature = hex::decode(signature).ok()?;
        let mut mac = self.secret.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).ok()?;
        let mut parts = payload.split('.');
        let (Some(VERSION), Some(user), Some(expires), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let expires: u64 = expires.parse().ok()?;
        if expires <= now || !is_session_id(id) {
            return None;
        }
        Some(SessionClaim {
            user: UserName::parse(user).ok()?,
            id: id.to_owned(),
            expires,
        })
    }

    /// The `Set-Cookie` value for a signed session value that expires at `expires`.
    pub fn set_cookie(&self, value: &str, expires: u64, now: u64) -> String {
        self.cookie_header(value, expires.saturating_sub(now))
    }

    /// The `Set-Cookie` value that removes the session.
    pub fn clear_cookie(&self) -> String {
        self.cookie_header("", 0)
    }

    fn cookie_header(&self, value: &str, max_age: u64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cookie_name()
        )
    }

    /// The claim of the session cookie among `Cookie` header values, if it is well signed
    /// and unexpired now.
    pub fn claim_from_cookies<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a str>,
        now: u64,
    ) -> Option<SessionClaim> {
        find_cookie(cookie_headers, self.cookie_name()).and_then(|value| self.verify(value, now))
    }

    /// Whether the request carries our session cookie at all (valid or not).
    pub fn has_cookie<'a>(&self, cookie_headers: impl IntoIterator<Item = &'a str>) -> bool {
        find_cookie(cookie_headers, self.cookie_name()).is_some_and(|value| !value.is_empty())
    }
}

/// The value of the cookie `name` among `Cookie` header values.
pub fn find_cookie<'a>(
    cookie_headers: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> Option<&'a str> {
    cookie_headers
        .into_iter()
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// Seconds since 1970 now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn sessions() -> Sessions {
        let secret = SessionSecret::from_setting(&"s".repeat(32)).unwrap();
        Sessions::new(secret, Duration::from_secs(3600), false)
    }

    fn alice() -> UserName {
        UserName::parse("alice").unwrap()
    }

    const ID: &str = "0123456789abcdef";

    fn claim(expires: u64) -> SessionClaim {
        SessionClaim {
            user: alice(),
            id: ID.to_owned(),
            expires,
        }
    }

    #[test]
    fn a_signed_value_names_its_user_and_session_until_it_expires() {
        let sessions = sessions();
        let value = sessions.sign(&alice(), ID, NOW + 3600);
        assert!(
            value.starts_with("v2.alice.1800003600.0123456789abcdef."),
            "{value}"
        );
        assert_eq!(sessions.verify(&value, NOW + 3599), Some(claim(NOW + 3600)));
        assert_eq!(sessions.verify(&value, NOW + 3600), None, "expired");
    }

    #[test]
    fn tampered_values_are_ignored() {
        let sessions = sessions();
        let value = sessions.sign(&alice(), ID, NOW + 3600);
        let as_bob = value.replace(".alice.", ".bob.");
        let later = value.replace(".1800003600.", ".1900003600.");
        let other_session = value.replace(ID, "fedcba9876543210");
        let mut flipped = value.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        let unsigned_v1 = "v1.alice.1800003600.00";
        for bad in [
            as_bob.as_str(),
            &later,
            &other_session,
            &flipped,
            unsigned_v1,
            "",
            "v2.alice",
            "x.y.z.w",
            "v2.alice.9.zz",
        ] {
            assert_eq!(sessions.verify(bad, NOW), None, "{bad:?}");
        }
    }

    #[test]
    fn another_secret_signs_everyone_out_and_derived_keys_differ() {
        let value = sessions().sign(&alice(), ID, NOW + 60);
        let other = Sessions::new(SessionSecret::random(), Duration::from_secs(3600), false);
        assert_eq!(other.verify(&value, NOW), None);
        let secret = SessionSecret::from_setting(&"s".repeat(32)).unwrap();
        assert_ne!(secret.derive("tokens"), secret.derive("devices"));
        assert_eq!(secret.derive("tokens"), secret.derive("tokens"));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let sessions = sessions();
        let plain = sessions.set_cookie(&sessions.sign(&alice(), ID, NOW + 3600), NOW + 3600, NOW);
        assert!(plain.starts_with("dbm_session=v2.alice."), "{plain}");
        assert!(
            plain.contains("; HttpOnly; SameSite=Lax; Max-Age=3600"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"));
        let secure = Sessions::new(SessionSecret::random(), Duration::from_secs(60), true);
        let cookie = secure.set_cookie(&secure.sign(&alice(), ID, NOW + 60), NOW + 60, NOW);
        assert!(cookie.starts_with("__Host-dbm_session="), "{cookie}");
        assert!(cookie.ends_with("; Secure"), "{cookie}");
        assert!(secure.clear_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn the_session_is_found_among_other_cookies() {
        let sessions = sessions();
        let value = sessions.sign(&alice(), ID, NOW + 3600);
        let header = format!("theme=dark; dbm_session={value}; other=1");
        assert_eq!(
            sessions.claim_from_cookies([header.as_str()], NOW),
            Some(claim(NOW + 3600))
        );
        assert_eq!(sessions.claim_from_cookies(["theme=dark"], NOW), None);
        assert!(!sessions.has_cookie(["dbm_session="]));
    }

    #[test]
    fn short_secrets_are_refused_and_a_generated_one_is_kept() {
        assert!(matches!(
            SessionSecret::from_setting("too short"),
            Err(SecretError::TooShort { length: 9 })
        ));
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("session-secret");
        let first = SessionSecret::load_or_create(&path).unwrap();
        let second = SessionSecret::load_or_create(&path).unwrap();
        assert_eq!(first.0, second.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
