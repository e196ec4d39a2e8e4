//! Streamed object writes: data is buffered into parts of [`PART_SIZE`] and sent as an S3
//! multipart upload, so memory stays bounded whatever the object's size (at most
//! [`PARTS_IN_FLIGHT`] parts uploading plus one filling). An object smaller than one part
//! is sent with a single PutObject.
//!
//! Parts upload in the background while the caller goes on reading and checking the next
//! bytes, so the network and the CPU work at the same time.
//!
//! A writer dropped before [`ObjectWriter::finish`] (an error, a client that went away)
//! lets its part uploads end and then aborts the multipart upload, so no incomplete upload
//! is left behind. A process killed mid-upload cannot abort: every multipart upload is
//! therefore recorded in the upload journal ([`crate::journal`]) from its start to its end,
//! so a later sweep finds and aborts it.

use std::collections::VecDeque;
use std::time::Instant;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use tokio::task::JoinHandle;

use crate::client::bulk_timeouts;
use crate::error::{Result, StorageError, StorageFailure};
use crate::journal::{self, JournalEntry};
use crate::mapped::MappedBuffer;
use crate::store::Store;

/// Size of each uploaded part (S3's minimum is 5 MiB for all parts but the last).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts uploading at once. A part's upload mostly waits on the store writing it, so
/// with three an import waited on the store; four keep it busy, and each costs a part's
/// memory (the import benchmark measured three to six).
pub const PARTS_IN_FLIGHT: usize = 4;

struct MultipartState {
    parts: Vec<CompletedPart>,
    in_flight: VecDeque<JoinHandle<Result<CompletedPart>>>,
    /// The upload's journal entry (its upload id too), and when it was last written.
    entry: JournalEntry,
    touched: Instant,
}

/// Where an object is written: the store (its client, bucket, journal, aborts) and the
/// key; cheap to clone into part-upload tasks.
#[derive(Clone)]
struct Target {
    store: Store,
    key: String,
}

pub struct ObjectWriter {
    target: Target,
    content_type: String,
    /// The part being filled (a mapping of its own: see [`crate::mapped`]); made on the
    /// first write.
    buffer: Option<MappedBuffer>,
    multipart: Option<MultipartState>,
    bytes_written: u64,
}

impl ObjectWriter {
    pub(crate) fn new(store: Store, key: &str, content_type: &str) -> Self {
        Self {
            target: Target {
                store,
                key: key.to_owned(),
            },
            content_type: content_type.to_owned(),
            buffer: None,
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
            let buffer = match self.buffer.as_mut() {
                Some(buffer) => buffer,
                None => self.buffer.insert(self.target.new_part()?),
            };
            let taken = buffer.fill_from(data);
            data = &data[taken..];
            if buffer.is_full() {
                self.send_part().await?;
            }
        }
        self.touch_journal().await;
        Ok(())
    }

    /// Refreshes the journal entry when [`journal::TOUCH_EVERY`] has passed, so a sweep
    /// knows the upload is alive. A failed refresh is logged, not fatal: the next write
    /// tries again, long before the entry could go stale.
    async fn touch_journal(&mut self) {
        let Some(state) = self.multipart.as_mut() else {
            return;
        };
        if state.touched.elapsed() < journal::TOUCH_EVERY {
            return;
        }
        state.touched = Instant::now();
        state.entry.touched_at = journal::unix_now();
        if let Err(error) = self.target.store.write_journal_entry(&state.entry).await {
            tracing::warn!(key = %self.target.key, %error, "could not refresh the upload journal");
        }
    }

    /// Completes the object and returns its ETag.
    pub async fn finish(mut self) -> Result<String> {
        if self.multipart.is_none() {
            return self.put_whole().await;
        }
        if self
            .buffer
            .as_ref()
            .is_some_and(|buffer| !buffer.is_empty())
        {
            self.send_part().await?;
        }
        let target = self.target.clone();
        let state = self.started().await?;
        while let Some(part) = state.in_flight.pop_front() {
            state.parts.push(join_part(part, &target.key).await?);
        }
        let completed = CompletedMultipartUpload::builder()
            .set_parts(Some(state.parts.clone()))
            .build();
        let output = target
            .store
            .client
            .complete_multipart_upload()
            .bucket(&target.store.bucket)
            .key(&target.key)
            .upload_id(&state.entry.upload_id)
            .multipart_upload(completed)
            .customize()
            .config_override(bulk_timeouts())
            .send()
            .await
            .map_err(|error| {
                StorageError::from_sdk("CompleteMultipartUpload", &target.key, &error)
            })?;
        // Completed: nothing for Drop to abort, nothing for a sweep to find.
        let upload_id = state.entry.upload_id.clone();
        self.multipart = None;
        target.store.forget_journal_entry(&upload_id).await;
        Ok(output.e_tag().unwrap_or_default().to_owned())
    }

    /// An object smaller than one part: one PutObject.
    async fn put_whole(&mut self) -> Result<String> {
        let body = self.take_filled();
        let target = &self.target;
        let request = target
            .store
            .client
            .put_object()
            .bucket(&target.store.bucket)
            .key(&target.key)
            .content_type(&self.content_type)
            .body(ByteStream::from(body));
        let request = request.customize().config_override(bulk_timeouts());
        let output = if target.store.unsigned_payloads {
            request.disable_payload_signing().send().await
        } else {
            request.send().await
        }
        .map_err(|error| StorageError::from_sdk("PutObject", &target.key, &error))?;
        Ok(output.e_tag().unwrap_or_default().to_owned())
    }

    /// The multipart upload, started on first use.
    async fn started(&mut self) -> Result<&mut MultipartState> {
        let state = match self.multipart.take() {
            Some(state) => state,
            None => {
                let target = &self.target;
                let created = target
                    .store
                    .client
                    .create_multipart_upload()
                    .bucket(&target.store.bucket)
                    .key(&target.key)
                    .content_type(&self.content_type)
                    .send()
                    .await
                    .map_err(|error| {
                        StorageError::from_sdk("CreateMultipartUpload", &target.key, &error)
                    })?;
                let upload_id = created.upload_id().unwrap_or_default().to_owned();
                let entry = JournalEntry::new(&target.key, &upload_id);
                // Journaled before any part is sent; an upload that cannot be journaled
                // is not used (a crash would leave it where nothing finds it).
                if let Err(error) = target.store.write_journal_entry(&entry).await {
                    target.abort(&upload_id).await;
                    return Err(error);
                }
                MultipartState {
                    parts: Vec::new(),
                    in_flight: VecDeque::new(),
                    entry,
                    touched: Instant::now(),
                }
            }
        };
        Ok(self.multipart.insert(state))
    }

    /// The bytes buffered so far, as a request body; the next write starts a new buffer.
    fn take_filled(&mut self) -> bytes::Bytes {
        self.buffer
            .take()
            .map_or_else(bytes::Bytes::new, MappedBuffer::into_bytes)
    }

    /// Sends the buffer as the next part, in the background; waits while too many are.
    async fn send_part(&mut self) -> Result<()> {
        let body = self.take_filled();
        let target = self.target.clone();
        let state = self.started().await?;
        let part_number =
            i32::try_from(state.parts.len() + state.in_flight.len() + 1).unwrap_or(i32::MAX);
        let key = target.key.clone();
        state.in_flight.push_back(tokio::spawn(upload_part(
            target,
            state.entry.upload_id.clone(),
            part_number,
            body,
        )));
        // Bounded: wait for the oldest part before starting more than PARTS_IN_FLIGHT.
        while state.in_flight.len() > PARTS_IN_FLIGHT {
            if let Some(oldest) = state.in_flight.pop_front() {
                state.parts.push(join_part(oldest, &key).await?);
            }
        }
        Ok(())
    }
}

impl Target {
    /// An empty part's buffer.
    fn new_part(&self) -> Result<MappedBuffer> {
        MappedBuffer::with_capacity(PART_SIZE).map_err(|error| {
            StorageError::request(
                "UploadPart",
                &self.key,
                StorageFailure::Other,
                format!("no memory for a part of {} MiB: {error}", PART_SIZE >> 20),
            )
        })
    }

    /// Aborts the upload and, once it is gone, removes its journal entry (kept when the
    /// abort failed, so a sweep tries again).
    async fn abort(&self, upload_id: &str) {
        if self.store.abort_upload(&self.key, upload_id).await {
            self.store.forget_journal_entry(upload_id).await;
        }
    }
}

async fn upload_part(
    target: Target,
    upload_id: String,
    part_number: i32,
    body: bytes::Bytes,
) -> Result<CompletedPart> {
    let request = target
        .store
        .client
        .upload_part()
        .bucket(&target.store.bucket)
        .key(&target.key)
        .upload_id(&upload_id)
        .part_number(part_number)
        .body(ByteStream::from(body));
    let request = request.customize().config_override(bulk_timeouts());
    let uploaded = if target.store.unsigned_payloads {
        request.disable_payload_signing().send().await
    } else {
        request.send().await
    }
    .map_err(|error| StorageError::from_sdk("UploadPart", &target.key, &error))?;
    Ok(CompletedPart::builder()
        .part_number(part_number)
        .set_e_tag(uploaded.e_tag().map(str::to_owned))
        .build())
}

async fn join_part(part: JoinHandle<Result<CompletedPart>>, key: &str) -> Result<CompletedPart> {
    part.await.map_err(|error| {
        StorageError::request(
            "UploadPart",
            key,
            StorageFailure::Other,
            format!("the part upload task failed: {error}"),
        )
    })?
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        let Some(state) = self.multipart.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(key = %self.target.key, upload_id = %state.entry.upload_id, "no runtime to abort an unfinished multipart upload");
            return;
        };
        let target = self.target.clone();
        self.target.store.aborts.spawn_on(
            async move {
                // Parts still uploading must end before the abort: a store finishes writing a
                // part it has received even when its client gives up, so a part cancelled here
                // could still land after the abort and be left behind.
                for part in state.in_flight {
                    let _ = part.await;
                }
                target.abort(&state.entry.upload_id).await;
            },
            &runtime,
        );
    }
}
