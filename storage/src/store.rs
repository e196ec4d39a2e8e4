//! The S3 primitives everything else is built from: one bucket, one client, one key
//! prefix. Every request the app makes goes through here (the client is private to this
//! crate), so every error names the operation and the key.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use crate::client::{self, StaticEndpoint};
use crate::error::{Result, StorageError, StorageFailure};
use crate::meter::{RequestMeter, Requests};
use crate::object::{Download, ListedObject, ObjectBody};
use crate::upload::ObjectWriter;

/// One bucket reached through one client, under one key prefix.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) client: aws_sdk_s3::Client,
    pub(crate) bucket: String,
    /// Empty, or ends with `/`; every key the layers above build starts with it.
    pub(crate) prefix: String,
    /// Send table data without SigV4 payload hashes (the embedded server only: it is in
    /// this process, on loopback, so there is nothing between to guard against).
    pub(crate) unsigned_payloads: bool,
    /// What this store (and its clones) asked S3 for.
    meter: Arc<RequestMeter>,
    /// Aborts of unfinished multipart uploads still running (shared by clones).
    pub(crate) aborts: tokio_util::task::TaskTracker,
    /// Upload id → when a sweep first saw it listed with no journal entry (seconds since
    /// 1970); only uploads of the latest listing are kept.
    pub(crate) unjournaled_first_seen: Arc<std::sync::Mutex<HashMap<String, u64>>>,
}

impl Store {
    /// A store on an explicit endpoint with fixed credentials (a test server, the
    /// embedded one through [`crate::EmbeddedS3::store`]). Does not check reachability.
    pub fn for_endpoint(endpoint: &StaticEndpoint, bucket: &str, prefix: &str) -> Self {
        let meter = Arc::default();
        Self::new(
            client::client_for_endpoint(endpoint, &meter),
            bucket,
            prefix,
            meter,
        )
    }

    /// A store configured by the standard AWS environment and config chain, and the
    /// endpoint it talks to, in words. Does not check reachability.
    pub async fn from_environment(bucket: &str, prefix: &str) -> (Self, String) {
        let meter = Arc::default();
        let (client, endpoint) = client::client_from_environment(&meter).await;
        (Self::new(client, bucket, prefix, meter), endpoint)
    }

    fn new(
        client: aws_sdk_s3::Client,
        bucket: &str,
        prefix: &str,
        meter: Arc<RequestMeter>,
    ) -> Self {
        Self {
            client,
            bucket: bucket.to_owned(),
            prefix: normalise_prefix(prefix),
            unsigned_payloads: false,
            meter,
            aborts: tokio_util::task::TaskTracker::new(),
            unjournaled_first_seen: Arc::default(),
        }
    }

    /// What this store and its clones asked S3 for so far (client-side counts).
    pub fn requests(&self) -> Requests {
        self.meter.reading()
    }

    /// Uploads skip payload hashing (see the field); for the embedded server.
    pub(crate) fn with_unsigned_payloads(mut self) -> Self {
        self.unsigned_payloads = true;
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key prefix every key of the app starts with: empty, or ending with `/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Succeeds when the bucket exists and our credentials may use it.
    pub async fn check_bucket(&self) -> Result<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|error| {
                let error = StorageError::from_sdk("HeadBucket", &self.bucket, &error);
                // HEAD answers carry no error code: a 404 here means the bucket is missing.
                match error {
                    StorageError::Request {
                        operation,
                        target,
                        failure: StorageFailure::NoSuchKey,
                        detail,
                    } => StorageError::Request {
                        operation,
                        target,
                        failure: StorageFailure::NoSuchBucket,
                        detail,
                    },
                    other => other,
                }
            })?;
        Ok(())
    }

    /// Creates the bucket if it is missing (embedded server and tests only).
    pub(crate) async fn ensure_bucket(&self) -> Result<()> {
        match self.check_bucket().await {
            Err(error) if error.failure() == Some(StorageFailure::NoSuchBucket) => {
                self.client
                    .create_bucket()
                    .bucket(&self.bucket)
                    .send()
                    .await
                    .map_err(|error| {
                        StorageError::from_sdk("CreateBucket", &self.bucket, &error)
                    })?;
                Ok(())
            }
            other => other,
        }
    }

    /// Every object under `prefix`, following continuation tokens.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ListedObject>> {
        let mut objects = Vec::new();
        self.each_listing_page(prefix, None, |page| {
            objects.extend(
                page.contents()
                    .iter()
                    .filter_map(ListedObject::from_listing),
            );
        })
        .await?;
        Ok(objects)
    }

    /// The folders directly under `prefix` (S3 common prefixes with the delimiter `/`), each
    /// as its whole key prefix ending in `/`. One request per 1,000 folders, however many
    /// objects they hold.
    pub async fn list_folders(&self, prefix: &str) -> Result<Vec<String>> {
        let mut folders = Vec::new();
        self.each_listing_page(prefix, Some("/"), |page| {
            folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|folder| folder.prefix().map(str::to_owned)),
            );
        })
        .await?;
        Ok(folders)
    }

    /// Hands every page of a listing of `prefix` to `each`, following continuation tokens.
    async fn each_listing_page(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        mut each: impl FnMut(&ListObjectsV2Output),
    ) -> Result<()> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_delimiter(delimiter.map(str::to_owned))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            each(&page.map_err(|error| StorageError::from_sdk("ListObjectsV2", prefix, &error))?);
        }
        Ok(())
    }

    /// The listing entry of exactly one key, if it exists: the version other listings
    /// will report for it.
    pub async fn listed(&self, key: &str) -> Result<Option<ListedObject>> {
        Ok(self
            .first_listed_under(key)
            .await?
            .filter(|object| object.key == key))
    }

    /// The listing entry of `key`, which must exist (it was just written): its absence is a
    /// [`StorageFailure::NoSuchKey`] error.
    pub async fn require_listed(&self, key: &str) -> Result<ListedObject> {
        self.listed(key).await?.ok_or_else(|| {
            StorageError::request(
                "ListObjectsV2",
                key,
                StorageFailure::NoSuchKey,
                "the object just written is not listed",
            )
        })
    }

    /// A small object's whole content (statistics, markers, account records).
    pub async fn get_small(&self, key: &str) -> Result<Vec<u8>> {
        Ok(self.read(key, None, None).await?.collect().await?.to_vec())
    }

    /// Streams `range` of an object (`None`: all of it). With `if_match` (an ETag as
    /// listed), only that version of the object is read, so reads that span several
    /// requests never mix two versions: a changed object is a
    /// [`StorageFailure::PreconditionFailed`] (checked here too, for stores that ignore
    /// the header).
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
        if_match: Option<&str>,
    ) -> Result<ObjectBody> {
        let range =
            range.map(|range| format!("bytes={}-{}", range.start, range.end.saturating_sub(1)));
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .set_if_match(if_match.map(str::to_owned))
            .send()
            .await
            .map_err(|error| StorageError::from_sdk("GetObject", key, &error))?;
        // Some stores (s3s-fs among them) ignore If-Match: check the answer's ETag too.
        if let (Some(expected), Some(served)) = (if_match, output.e_tag())
            && expected != served
        {
            return Err(StorageError::request(
                "GetObject",
                key,
                StorageFailure::PreconditionFailed,
                format!("the object changed: ETag {served}, expected {expected}"),
            ));
        }
        Ok(ObjectBody::new(key, output.body))
    }

    /// Streams an object for a download, passing the client's `Range` header through (so a
    /// download resumes where it broke off) and reporting what the answer's headers need.
    /// A range the object cannot satisfy is [`StorageFailure::RangeNotSatisfiable`].
    pub async fn download(&self, key: &str, range: Option<&str>) -> Result<Download> {
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range.map(str::to_owned))
            .send()
            .await
            .map_err(|error| StorageError::from_sdk("GetObject", key, &error))?;
        Ok(Download {
            content_length: output
                .content_length()
                .and_then(|length| u64::try_from(length).ok()),
            content_range: output.content_range().map(str::to_owned),
            etag: output.e_tag().map(str::to_owned),
            last_modified: output
                .last_modified()
                .and_then(|time| time.fmt(aws_smithy_types::date_time::Format::HttpDate).ok()),
            body: ObjectBody::new(key, output.body),
        })
    }

    /// Whether any object exists under `prefix` (one request, at most one key listed).
    pub async fn list_any(&self, prefix: &str) -> Result<bool> {
        Ok(self.first_listed_under(prefix).await?.is_some())
    }

    /// The first key under `prefix`, in one request that lists at most one key.
    async fn first_listed_under(&self, prefix: &str) -> Result<Option<ListedObject>> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .max_keys(1)
            .send()
            .await
            .map_err(|error| StorageError::from_sdk("ListObjectsV2", prefix, &error))?;
        Ok(page.contents().first().and_then(ListedObject::from_listing))
    }

    /// Whether an object exists.
    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => {
                let error = StorageError::from_sdk("HeadObject", key, &error);
                if error.failure() == Some(StorageFailure::NoSuchKey) {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Writes a small object in one request.
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<()> {
        // Bodies beyond a few hundred KiB (a large table's row index) get the deadlines of
        // requests that carry data: sending them may take longer than a small request may.
        let carries_data = body.len() > SMALL_BODY_BYTES;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .customize();
        let request = if carries_data {
            request.config_override(client::bulk_timeouts())
        } else {
            request
        };
        request
            .send()
            .await
            .map_err(|error| StorageError::from_sdk("PutObject", key, &error))?;
        Ok(())
    }

    /// Copies an object within the bucket (server-side: no bytes pass through here).
    pub async fn copy(&self, from: &str, to: &str) -> Result<()> {
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{}", self.bucket, encode_key(from)))
            .key(to)
            .send()
            .await
            .map_err(|error| StorageError::from_sdk("CopyObject", from, &error))?;
        Ok(())
    }

    /// Writes a small object only if no object has that key yet (`If-None-Match: *`, so
    /// two writers racing for one key cannot both win). `Ok(false)`: the key was taken.
    pub async fn put_if_absent(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<bool> {
        let written = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .if_none_match("*")
            .body(ByteStream::from(body))
            .send()
            .await;
        match written {
            Ok(_) => Ok(true),
            Err(error) => {
                let error = StorageError::from_sdk("PutObject", key, &error);
                if error.failure() == Some(StorageFailure::PreconditionFailed) {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Deletes `keys` in batches of 1,000 (the most one DeleteObjects takes). Keys that are
    /// already gone count as deleted.
    pub async fn delete_keys(&self, keys: &[String]) -> Result<()> {
        for batch in keys.chunks(1_000) {
            let objects: Vec<ObjectIdentifier> = batch
                .iter()
                .filter_map(|key| ObjectIdentifier::builder().key(key).build().ok())
                .collect();
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|error| {
                    StorageError::request(
                        "DeleteObjects",
                        batch.first().cloned().unwrap_or_default(),
                        StorageFailure::Other,
                        error.to_string(),
                    )
                })?;
            let output = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                // A batch of 1,000 keys may take S3 seconds: the bulk deadlines.
                .customize()
                .config_override(client::bulk_timeouts())
                .send()
                .await
                .map_err(|error| StorageError::from_sdk("DeleteObjects", &batch[0], &error))?;
            if let Some(failed) = output.errors().first() {
                return Err(StorageError::request(
                    "DeleteObjects",
                    failed.key().unwrap_or_default(),
                    StorageFailure::Other,
                    format!(
                        "{} of {} objects not deleted: {}",
                        output.errors().len(),
                        batch.len(),
                        failed.message().unwrap_or("no message")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A streamed writer for a large object (multipart upload, aborted unless finished).
    pub fn writer(&self, key: &str, content_type: &str) -> ObjectWriter {
        ObjectWriter::new(self.clone(), key, content_type)
    }

    /// Waits until every abort of an unfinished multipart upload this store (or a clone)
    /// started has ended, at most `deadline`; whether they all did. A shutdown calls it
    /// last, so a stopped import leaves no upload behind.
    pub async fn wait_for_aborts(&self, deadline: std::time::Duration) -> bool {
        self.aborts.close();
        let done = tokio::time::timeout(deadline, self.aborts.wait())
            .await
            .is_ok();
        self.aborts.reopen();
        done
    }
}

/// The largest body [`Store::put`] sends with the deadlines of a small request.
const SMALL_BODY_BYTES: usize = 256 * 1024;

/// A key as CopyObject's source wants it: URL-encoded, slashes kept.
fn encode_key(key: &str) -> String {
    let mut encoded = String::with_capacity(key.len());
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(char::from(byte));
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// Empty, or the prefix without leading slashes and with one trailing slash.
fn normalise_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_prefix;

    #[test]
    fn copy_sources_are_url_encoded_with_their_slashes_kept() {
        assert_eq!(super::encode_key("a/b c/ü.csv"), "a/b%20c/%C3%BC.csv");
    }

    #[test]
    fn prefixes_are_empty_or_end_with_one_slash() {
        assert_eq!(normalise_prefix(""), "");
        assert_eq!(normalise_prefix("///"), "");
        assert_eq!(normalise_prefix("team"), "team/");
        assert_eq!(normalise_prefix("/team/data/"), "team/data/");
    }
}
