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

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Result, StorageError, StorageFailure};
use crate::store::Store;

/// The journal's folder under the store's prefix (beside the accounts in `system/`).
pub const JOURNAL_FOLDER: &str = "system/uploads/";

/// How often a running upload refreshes its entry while data flows.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// An upload whose entry has not been touched for this long is abandoned by default
/// (`DBM_UPLOAD_STALE_SECS`). Well above [`TOUCH_EVERY`] plus the longest pause an import
/// tolerates from its client.
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

/// Pages of 1,000 incomplete uploads one sweep looks at, at most (the rest wait for the
/// next sweep).
const SWEEP_LISTING_PAGES: usize = 10;

/// An incomplete multipart upload as the store lists it.
struct IncompleteUpload {
    key: String,
    upload_id: String,
    /// Seconds since 1970.
    initiated: u64,
}

impl Store {
    /// Writes (or refreshes) the journal entry of an upload.
    pub(crate) async fn write_journal_entry(&self, entry: &JournalEntry) -> Result<()> {
        let key = entry_key(&self.prefix, &entry.upload_id);
        self.put(&key, entry.to_json(), "application/json").await
    }

    /// Removes the journal entry of an upload that ended. A failure is logged: the entry
    /// left names an upload that no longer exists, which a sweep then removes.
    pub(crate) async fn forget_journal_entry(&self, upload_id: &str) {
        let key = entry_key(&self.prefix, upload_id);
        if let Err(error) = self.delete_keys(std::slice::from_ref(&key)).await {
            tracing::warn!(%error, "could not remove an upload's journal entry");
        }
    }

    /// Aborts one multipart upload; whether it is gone (aborted now, or already gone).
    pub(crate) async fn abort_upload(&self, key: &str, upload_id: &str) -> bool {
        let result = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await;
        match result {
            Ok(_) => {
                tracing::info!(%key, "aborted an unfinished multipart upload");
                true
            }
            Err(error) => {
                let error = StorageError::from_sdk("AbortMultipartUpload", key, &error);
                if error.failure() == Some(StorageFailure::NoSuchUpload) {
                    return true;
                }
                tracing::warn!(%key, %error, "could not abort a multipart upload");
                false
            }
        }
    }

    /// Keys of the multipart uploads under the prefix that were started and neither
    /// completed nor aborted (the first 1,000). Not every store implements this listing.
    pub async fn incomplete_uploads(&self) -> Result<Vec<String>> {
        let (uploads, _) = self.list_incomplete_uploads(1).await?;
        Ok(uploads.into_iter().map(|upload| upload.key).collect())
    }

    /// Incomplete multipart uploads under the prefix, at most `pages` pages of 1,000, and
    /// whether there were more.
    async fn list_incomplete_uploads(&self, pages: usize) -> Result<(Vec<IncompleteUpload>, bool)> {
        let mut uploads = Vec::new();
        let (mut key_marker, mut id_marker) = (None::<String>, None::<String>);
        for _ in 0..pages {
            let output = self
                .client
                .list_multipart_uploads()
                .bucket(&self.bucket)
                .prefix(&self.prefix)
                .set_key_marker(key_marker.take())
                .set_upload_id_marker(id_marker.take())
                .send()
                .await
                .map_err(|error| {
                    StorageError::from_sdk("ListMultipartUploads", &self.bucket, &error)
                })?;
            uploads.extend(output.uploads().iter().filter_map(|upload| {
                Some(IncompleteUpload {
                    key: upload.key()?.to_owned(),
                    upload_id: upload.upload_id()?.to_owned(),
                    initiated: upload
                        .initiated()
                        .and_then(|time| u64::try_from(time.secs()).ok())
                        .unwrap_or(0),
                })
            }));
            if !output.is_truncated().unwrap_or(false) {
                return Ok((uploads, false));
            }
            key_marker = output.next_key_marker().map(str::to_owned);
            id_marker = output.next_upload_id_marker().map(str::to_owned);
        }
        Ok((uploads, true))
    }

    /// The entries of the upload journal ([`crate::journal`]); unreadable ones are removed.
    pub async fn upload_journal(&self) -> Result<Vec<JournalEntry>> {
        let listed = self
            .list(&format!("{}{JOURNAL_FOLDER}", self.prefix))
            .await?;
        let mut entries = Vec::with_capacity(listed.len());
        for object in listed {
            let bytes = match self.get_small(&object.key).await {
                Ok(bytes) => bytes,
                Err(error) if error.failure() == Some(StorageFailure::NoSuchKey) => continue,
                Err(error) => return Err(error),
            };
            match serde_json::from_slice::<JournalEntry>(&bytes) {
                Ok(entry) => entries.push(entry),
                Err(error) => {
                    tracing::warn!(key = %object.key, %error, "removing an unreadable upload journal entry");
                    self.delete_keys(std::slice::from_ref(&object.key)).await?;
                }
            }
        }
        Ok(entries)
    }

    /// Aborts the multipart uploads a dead process left: journaled ones not touched for
    /// `stale_after`, and (where the store lists incomplete uploads) any under the prefix
    /// started over `stale_after` ago that no fresh journal entry names. Uploads still
    /// running, here or on another replica, keep fresh entries and are left alone.
    pub async fn sweep_abandoned_uploads(&self, stale_after: Duration) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        let now = unix_now();
        let mut running = HashSet::new();
        for entry in self.upload_journal().await? {
            if !entry.is_stale(stale_after, now) {
                report.running += 1;
                running.insert(entry.upload_id);
                continue;
            }
            if self.abort_upload(&entry.key, &entry.upload_id).await {
                let key = entry_key(&self.prefix, &entry.upload_id);
                self.delete_keys(&[key]).await?;
                report.aborted += 1;
            }
        }
        let listed = match self.list_incomplete_uploads(SWEEP_LISTING_PAGES).await {
            Ok((uploads, _)) => uploads,
            Err(error)
                if matches!(
                    error.failure(),
                    Some(StorageFailure::NotImplemented | StorageFailure::Denied)
                ) =>
            {
                tracing::debug!(%error, "the store does not list incomplete uploads; the journal alone is swept");
                return Ok(report);
            }
            Err(error) => return Err(error),
        };
        report.store_listed = true;
        let strangers: Vec<IncompleteUpload> = listed
            .into_iter()
            .filter(|upload| !running.contains(&upload.upload_id))
            .collect();
        // Some stores make `initiated` up (moto answers 2010 for every upload), so an
        // upload no entry names is also given `stale_after` from when a sweep here first
        // saw it: a replica that started it a moment ago has time to journal it.
        let first_seen: HashMap<String, u64> = {
            let mut seen = self.lock_first_seen();
            let previous = std::mem::take(&mut *seen);
            for upload in &strangers {
                let since = previous.get(&upload.upload_id).copied().unwrap_or(now);
                seen.insert(upload.upload_id.clone(), since);
            }
            seen.clone()
        };
        for upload in strangers {
            let seen_since = first_seen.get(&upload.upload_id).copied().unwrap_or(now);
            let age = now.saturating_sub(upload.initiated.max(seen_since));
            if age >= stale_after.as_secs()
                && self.abort_upload(&upload.key, &upload.upload_id).await
            {
                self.lock_first_seen().remove(&upload.upload_id);
                report.aborted_unjournaled += 1;
            }
        }
        Ok(report)
    }

    fn lock_first_seen(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        // Only timestamps: after a panic elsewhere they are still usable.
        self.unjournaled_first_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
