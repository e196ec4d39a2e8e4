//! Device cookies: a browser that signs in successfully gets a long-lived cookie naming the
//! account, signed with a key derived from the session secret. A later sign-in to that
//! account from that browser is a known device: it is limited by its own failures only,
//! not by the failures of the account or of its address, so someone guessing passwords
//! elsewhere (or everyone behind one proxy) cannot lock the owner out of a browser that has
//! not failed. (OWASP's "device cookies" against account lockout.)
//!
//! Value: `d1.{user}.{nonce}.{signature}`: `nonce` 16 hex digits names the device in the
//! failure counts; the signature is the hex HMAC of everything before it.

use hmac::Mac as _;
use rand::RngCore as _;
use shared::UserName;

use crate::session::mac_with;

const VERSION: &str = "d1";
/// How long a device stays known after its last successful sign-in: a year.
const LIFETIME_SECS: u64 = 365 * 24 * 3600;

/// A known device, as its cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceClaim {
    pub user: UserName,
    pub nonce: String,
}

/// Issues and checks device cookies.
#[derive(Clone)]
pub struct Devices {
    key: Vec<u8>,
    secure: bool,
}

impl std::fmt::Debug for Devices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Devices")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl Devices {
    pub fn new(key: Vec<u8>, secure: bool) -> Self {
        Self { key, secure }
    }

    /// `__Host-dbm_device` over https, `dbm_device` otherwise.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-dbm_device"
        } else {
            "dbm_device"
        }
    }

    /// The `Set-Cookie` value that makes this browser a known device of `user`.
    pub fn set_cookie(&self, user: &UserName) -> String {
        let mut nonce = [0_u8; 8];
        rand::rng().fill_bytes(&mut nonce);
        let payload = format!("{VERSION}.{user}.{}", hex::encode(nonce));
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={payload}.{}; Path=/; HttpOnly; SameSite=Strict; Max-Age={LIFETIME_SECS}{secure}",
            self.cookie_name(),
            self.signature(&payload)
        )
    }

    /// What a device cookie value says, if it is ours.
    pub fn verify(&self, value: &str) -> Option<DeviceClaim> {
        let (payload, signature) = value.rsplit_once('.')?;
        let expected = self.signature(payload);
        let same: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes()).into();
        if !same {
            return None;
        }
        let mut parts = payload.split('.');
        let (Some(VERSION), Some(user), Some(nonce), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(DeviceClaim {
            user: UserName::parse(user).ok()?,
            nonce: nonce.to_owned(),
        })
    }

    fn signature(&self, payload: &str) -> String {
        let mut mac = mac_with(&self.key);
        mac.update(payload.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(set_cookie: &str) -> &str {
        let (pair, _) = set_cookie.split_once(';').unwrap();
        pair.split_once('=').unwrap().1
    }

    #[test]
    fn a_device_cookie_names_its_user_and_only_its_key_accepts_it() {
        let devices = Devices::new(b"key".to_vec(), false);
        let alice = UserName::parse("alice").unwrap();
        let cookie = devices.set_cookie(&alice);
        assert!(cookie.starts_with("dbm_device=d1.alice."), "{cookie}");
        assert!(cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");
        let claim = devices.verify(value_of(&cookie)).unwrap();
        assert_eq!(claim.user, alice);
        assert_eq!(claim.nonce.len(), 16);
        let other = Devices::new(b"other".to_vec(), true);
        assert_eq!(other.verify(value_of(&cookie)), None);
        let as_bob = value_of(&cookie).replace(".alice.", ".bob.");
        assert_eq!(devices.verify(&as_bob), None);
        assert!(other.set_cookie(&alice).starts_with("__Host-dbm_device="));
    }
}
