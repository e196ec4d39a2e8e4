//! The S3 primitives the catalog is built from: one bucket, one client, the layout. Every
//! request the catalog makes goes through here, so errors always name the operation and key.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use crate::error::{CatalogError, Result, StorageFailure};
use crate::layout::Layout;
use crate::stats::ObjectVersion;
use crate::upload::ObjectWriter;

/// A listed object: its key and the version the listing reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub version: ObjectVersion,
}

/// One bucket reached through one client, with the key layout on top.
#[derive(Debug, Clone)]
pub struct Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    layout: Layout,
    /// Send table data without SigV4 payload hashes (the embedded server only: it is in
    /// this process, on loopback, so there is nothing between to guard against).
    unsigned_payloads: bool,
}

impl Store {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>, layout: Layout) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            layout,
            unsigned_payloads: false,
        }
    }

    /// Uploads skip payload hashing (see the field); for the embedded server.
    pub fn with_unsigned_payloads(mut self) -> Self {
        self.unsigned_payloads = true;
        self
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Succeeds when the bucket exists and our credentials may use it.
    pub async fn check_bucket(&self) -> Result<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|error| {
                let error = CatalogError::from_sdk("HeadBucket", &self.bucket, &error);
                // HEAD answers carry no error code: a 404 here means the bucket is missing.
                match error {
                    CatalogError::Storage {
                        operation,
                        target,
                        failure: StorageFailure::NoSuchKey,
                        detail,
                    } => CatalogError::Storage {
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
    pub async fn ensure_bucket(&self) -> Result<()> {
        match self.check_bucket().await {
            Err(error) if error.storage_failure() == Some(StorageFailure::NoSuchBucket) => {
                self.client
                    .create_bucket()
                    .bucket(&self.bucket)
                    .send()
                    .await
                    .map_err(|error| {
                        CatalogError::from_sdk("CreateBucket", &self.bucket, &error)
                    })?;
                Ok(())
            }
            other => other,
        }
    }

    /// Every object under `prefix`, following continuation tokens.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ListedObject>> {
        let mut objects = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|error| CatalogError::from_sdk("ListObjectsV2", prefix, &error))?;
            objects.extend(page.contents().iter().filter_map(listed_object));
        }
        Ok(objects)
    }

    /// The listing entry of exactly one key, if it exists: the version other listings
    /// will report for it.
    pub async fn listed(&self, key: &str) -> Result<Option<ListedObject>> {
        Ok(self
            .first_listed_under(key)
            .await?
            .filter(|object| object.key == key))
    }

    /// A small object's whole content (statistics, markers).
    pub async fn get_small(&self, key: &str) -> Result<Vec<u8>> {
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| CatalogError::from_sdk("GetObject", key, &error))?;
        let body = output
            .body
            .collect()
            .await
            .map_err(|error| CatalogError::Storage {
                operation: "GetObject",
                target: key.to_owned(),
                failure: StorageFailure::Unreachable,
                detail: error.to_string(),
            })?;
        Ok(body.to_vec())
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
            .map_err(|error| CatalogError::from_sdk("ListObjectsV2", prefix, &error))?;
        Ok(page.contents().first().and_then(listed_object))
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
                let error = CatalogError::from_sdk("HeadObject", key, &error);
                if error.storage_failure() == Some(StorageFailure::NoSuchKey) {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Writes a small object in one request.
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|error| CatalogError::from_sdk("PutObject", key, &error))?;
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
                let error = CatalogError::from_sdk("PutObject", key, &error);
                if error.storage_failure() == Some(StorageFailure::PreconditionFailed) {
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
                .map_err(|error| CatalogError::Storage {
                    operation: "DeleteObjects",
                    target: batch.first().cloned().unwrap_or_default(),
                    failure: StorageFailure::Other,
                    detail: error.to_string(),
                })?;
            let output = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|error| CatalogError::from_sdk("DeleteObjects", &batch[0], &error))?;
            if let Some(failed) = output.errors().first() {
                return Err(CatalogError::Storage {
                    operation: "DeleteObjects",
                    target: failed.key().unwrap_or_default().to_owned(),
                    failure: StorageFailure::Other,
                    detail: format!(
                        "{} of {} objects not deleted: {}",
                        output.errors().len(),
                        batch.len(),
                        failed.message().unwrap_or("no message")
                    ),
                });
            }
        }
        Ok(())
    }

    /// A streamed writer for a large object (multipart upload, aborted unless finished).
    pub fn writer(&self, key: &str, content_type: &str) -> ObjectWriter {
        ObjectWriter::new(
            self.client.clone(),
            &self.bucket,
            key,
            content_type,
            self.unsigned_payloads,
        )
    }
}

/// A listing entry as the catalog sees it; `None` for an entry without a key.
fn listed_object(object: &aws_sdk_s3::types::Object) -> Option<ListedObject> {
    let size = object
        .size()
        .and_then(|size| u64::try_from(size).ok())
        .unwrap_or(0);
    Some(ListedObject {
        key: object.key()?.to_owned(),
        size,
        version: ObjectVersion {
            etag: object.e_tag().map(str::to_owned),
            size,
            last_modified_ms: object
                .last_modified()
                .and_then(|time| time.to_millis().ok())
                .unwrap_or(0),
        },
    })
}
