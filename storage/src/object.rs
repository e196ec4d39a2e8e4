//! What a listing says about an object, and the body of one being read.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use futures::TryStreamExt;
use tokio::io::AsyncRead;

use crate::error::{Result, StorageError};

/// A listed object: its key and the version the listing reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub version: ObjectVersion,
}

/// What identifies one content of an object, as listings report it. Any write changes it:
/// the ETag where the store lists one, and size and modification time everywhere. Data
/// derived from an object (statistics) records the version it was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectVersion {
    pub etag: Option<String>,
    pub size: u64,
    pub last_modified_ms: i64,
}

impl ListedObject {
    /// A listing entry as the store reports it; `None` for an entry without a key.
    pub(crate) fn from_listing(object: &aws_sdk_s3::types::Object) -> Option<Self> {
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
}

/// An object being downloaded: its body and the headers a download answer carries.
#[derive(Debug)]
pub struct Download {
    pub body: ObjectBody,
    /// Bytes in this answer (the range's, for a ranged request).
    pub content_length: Option<u64>,
    /// `bytes START-END/SIZE`, for a ranged request.
    pub content_range: Option<String>,
    pub etag: Option<String>,
    /// As an HTTP date.
    pub last_modified: Option<String>,
}

/// The body of a GET, streamed: read it chunk by chunk, whole, or as an `AsyncRead`.
/// Dropping it closes the stream early, so a reader pays only for what it reads.
pub struct ObjectBody {
    key: String,
    stream: ByteStream,
}

impl std::fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBody")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ObjectBody {
    pub(crate) fn new(key: &str, stream: ByteStream) -> Self {
        Self {
            key: key.to_owned(),
            stream,
        }
    }

    /// The next chunk as it arrives; `None` at the end of the body. Fails when no byte
    /// arrives for [`BODY_IDLE_TIMEOUT`].
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        next_from(&mut self.stream, &self.key).await
    }

    /// The whole body (for small objects and bounded ranges only).
    pub async fn collect(mut self) -> Result<Bytes> {
        let Some(first) = self.next_chunk().await? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.next_chunk().await? else {
            return Ok(first);
        };
        let mut whole = bytes::BytesMut::with_capacity(first.len() + second.len());
        whole.extend_from_slice(&first);
        whole.extend_from_slice(&second);
        while let Some(chunk) = self.next_chunk().await? {
            whole.extend_from_slice(&chunk);
        }
        Ok(whole.freeze())
    }

    /// The body as a stream of chunks, as they arrive (for answering with it).
    pub fn into_stream(self) -> impl futures::Stream<Item = Result<Bytes>> + Send + 'static {
        let key = self.key;
        futures::stream::try_unfold(self.stream, move |mut stream| {
            let key = key.clone();
            async move {
                Ok(next_from(&mut stream, &key)
                    .await?
                    .map(|chunk| (chunk, stream)))
            }
        })
    }

    /// The body as an `AsyncRead` (for parsers such as csv-async). Its I/O errors carry
    /// the key; a stall of [`BODY_IDLE_TIMEOUT`] is one.
    pub fn into_async_read(self) -> impl AsyncRead + Send + 'static {
        tokio_util::io::StreamReader::new(Box::pin(
            self.into_stream().map_err(std::io::Error::other),
        ))
    }
}

/// The longest a body may go without a byte before its read fails: a store that stalls in
/// the middle of a body never holds a reader longer than this. (The SDK's stalled-stream
/// protection, on by default, usually ends such a body first, after a 5 s grace period;
/// this is the net that does not depend on it.)
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

async fn next_from(stream: &mut ByteStream, key: &str) -> Result<Option<Bytes>> {
    match tokio::time::timeout(BODY_IDLE_TIMEOUT, stream.try_next()).await {
        Ok(Ok(chunk)) => Ok(chunk),
        Ok(Err(error)) => Err(StorageError::read_failed(key, &error)),
        Err(_) => Err(StorageError::read_failed(
            key,
            &format!("no byte arrived for {} s", BODY_IDLE_TIMEOUT.as_secs()),
        )),
    }
}
