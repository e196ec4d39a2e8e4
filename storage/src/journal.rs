//! The journal of multipart uploads: every multipart upload a [`crate::ObjectWriter`]
//! starts is recorded as a small object under `{prefix}system/uploads/`, touched while
//! data flows and removed when the upload completes or is aborted. An entry left behind
//! means its process died mid-upload (SIGKILL, a crash, a lost machine): nothing else would
//! ever remove that upload's parts, which S3 keeps (and bills) until someone aborts them.
//!
//! [`crate::Store::sweep_abandoned_uploads`] aborts those: every journaled upload not
//! touched for a bound, and, where the store implements ListMultipartUploads, every upload
//! under the prefix older than the bound that no fresh entry names (started by a process
//! killed before it could write its entry, or by an older release). The server sweeps at
//! start-up and then periodically; an S3 lifecycle rule (README, "Operating it") is the
//! second net.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The journal's folder under the store's prefix (beside the accounts in `system/`).
pub const JOURNAL_FOLDER: &str = "system/uploads/";

/// How often a running upload refreshes its entry while data flows.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// An upload whose entry has not been touched for this long is abandoned by default. Well
/// above [`TOUCH_EVERY`] plus the longest pause an import tolerates from its client.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// One journaled upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The object being written.
    pub key: String,
    pub upload_id: String,
    /// Seconds since 1970.
    pub started_at: u64,
    /// Seconds since 1970 of the last refresh.
    pub touched_at: u64,
}

impl JournalEntry {
    pub(crate) fn new(key: &str, upload_id: &str) -> Self {
        let now = unix_now();
        Self {
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            started_at: now,
            touched_at: now,
        }
    }

    /// Not touched for `stale_after` at `now` (seconds since 1970).
    pub fn is_stale(&self, stale_after: Duration, now: u64) -> bool {
        now.saturating_sub(self.touched_at) >= stale_after.as_secs()
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The key of the entry for `upload_id`: upload ids are opaque (AWS's are long and may
/// hold any URL-safe character), so the key names their SHA-256.
pub(crate) fn entry_key(prefix: &str, upload_id: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(upload_id.as_bytes());
    format!("{prefix}{JOURNAL_FOLDER}{}.json", hex::encode(digest))
}

/// What a sweep found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Journaled uploads aborted (their entries removed).
    pub aborted: usize,
    /// Uploads listed by the store, in no fresh entry, aborted.
    pub aborted_unjournaled: usize,
    /// Uploads still running (fresh entries), left alone.
    pub running: usize,
    /// Whether the store listed its incomplete uploads (false: it does not implement
    /// ListMultipartUploads, so only the journal was used).
    pub store_listed: bool,
}

/// Seconds since 1970 now.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_in_the_system_folder_under_a_hash_of_the_upload_id() {
        let key = entry_key("team/", "abc/../def");
        assert!(key.starts_with("team/system/uploads/"), "{key}");
        assert!(key.ends_with(".json"));
        assert_eq!(key.len(), "team/system/uploads/".len() + 64 + 5);
        assert_ne!(key, entry_key("team/", "abc/../deg"));
    }

    #[test]
    fn an_entry_is_stale_once_untouched_for_the_bound() {
        let mut entry = JournalEntry::new("k", "u");
        entry.touched_at = 1_000;
        let bound = Duration::from_secs(300);
        assert!(!entry.is_stale(bound, 1_299));
        assert!(entry.is_stale(bound, 1_300));
        assert!(entry.is_stale(Duration::ZERO, 1_000));
        let round_trip: JournalEntry = serde_json::from_slice(&entry.to_json()).unwrap();
        assert_eq!(round_trip, entry);
    }
}
