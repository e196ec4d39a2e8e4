//! Streamed object writes: data is buffered into parts of [`PART_SIZE`] and sent as an S3
//! multipart upload, so memory stays bounded whatever the object's size. An object smaller
//! than one part is sent with a single PutObject.
//!
//! A writer that is dropped before [`ObjectWriter::finish`] (an error, a client that went
//! away mid-upload) aborts its multipart upload, so no incomplete upload is left behind.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use crate::error::{CatalogError, Result};

/// Size of each uploaded part (S3's minimum is 5 MiB for all parts but the last).
pub const PART_SIZE: usize = 8 * 1024 * 1024;

struct MultipartState {
    upload_id: String,
    parts: Vec<CompletedPart>,
}

pub struct ObjectWriter {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    content_type: String,
    buffer: Vec<u8>,
    multipart: Option<MultipartState>,
    bytes_written: u64,
}

impl ObjectWriter {
    pub(crate) fn new(
        client: aws_sdk_s3::Client,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Self {
        Self {
            client,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            content_type: content_type.to_owned(),
            buffer: Vec::with_capacity(PART_SIZE),
            multipart: None,
            bytes_written: 0,
        }
    }

    /// Bytes accepted so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Appends data, sending a part whenever a full one is buffered.
    pub async fn write(&mut self, mut data: &[u8]) -> Result<()> {
        self.bytes_written += data.len() as u64;
        while !data.is_empty() {
            let room = PART_SIZE - self.buffer.len();
            let (now, later) = data.split_at(room.min(data.len()));
            self.buffer.extend_from_slice(now);
            data = later;
            if self.buffer.len() == PART_SIZE {
                self.send_part().await?;
            }
        }
        Ok(())
    }

    /// Completes the object and returns its ETag.
    pub async fn finish(mut self) -> Result<String> {
        let etag = if self.multipart.is_none() {
            let body = std::mem::take(&mut self.buffer);
            let output = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_type(&self.content_type)
                .body(ByteStream::from(body))
                .send()
                .await
                .map_err(|error| CatalogError::from_sdk("PutObject", &self.key, &error))?;
            output.e_tag().unwrap_or_default().to_owned()
        } else {
            if !self.buffer.is_empty() {
                self.send_part().await?;
            }
            let state = self
                .multipart
                .take()
                .ok_or_else(|| CatalogError::Embedded("multipart state vanished".to_owned()))?;
            let completed = CompletedMultipartUpload::builder()
                .set_parts(Some(state.parts.clone()))
                .build();
            let result = self
                .client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .upload_id(&state.upload_id)
                .multipart_upload(completed)
                .send()
                .await;
            match result {
                Ok(output) => output.e_tag().unwrap_or_default().to_owned(),
                Err(error) => {
                    // Put the state back so Drop aborts the upload.
                    self.multipart = Some(state);
                    return Err(CatalogError::from_sdk(
                        "CompleteMultipartUpload",
                        &self.key,
                        &error,
                    ));
                }
            }
        };
        Ok(etag)
    }

    async fn send_part(&mut self) -> Result<()> {
        if self.multipart.is_none() {
            let created = self
                .client
                .create_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_type(&self.content_type)
                .send()
                .await
                .map_err(|error| {
                    CatalogError::from_sdk("CreateMultipartUpload", &self.key, &error)
                })?;
            let upload_id = created.upload_id().unwrap_or_default().to_owned();
            self.multipart = Some(MultipartState {
                upload_id,
                parts: Vec::new(),
            });
        }
        let body = std::mem::replace(&mut self.buffer, Vec::with_capacity(PART_SIZE));
        let Some(state) = self.multipart.as_mut() else {
            return Ok(());
        };
        let part_number = i32::try_from(state.parts.len() + 1).unwrap_or(i32::MAX);
        let uploaded = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&state.upload_id)
            .part_number(part_number)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|error| CatalogError::from_sdk("UploadPart", &self.key, &error))?;
        state.parts.push(
            CompletedPart::builder()
                .part_number(part_number)
                .set_e_tag(uploaded.e_tag().map(str::to_owned))
                .build(),
        );
        Ok(())
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        let Some(state) = self.multipart.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(key = %self.key, upload_id = %state.upload_id, "no runtime to abort an unfinished multipart upload");
            return;
        };
        let client = self.client.clone();
        let bucket = self.bucket.clone();
        let key = self.key.clone();
        runtime.spawn(async move {
            let result = client
                .abort_multipart_upload()
                .bucket(&bucket)
                .key(&key)
                .upload_id(&state.upload_id)
                .send()
                .await;
            match result {
                Ok(_) => tracing::info!(%key, "aborted an unfinished multipart upload"),
                Err(error) => tracing::warn!(%key, error = %CatalogError::from_sdk("AbortMultipartUpload", &key, &error), "could not abort a multipart upload"),
            }
        });
    }
}
