//! An `AsyncRead` over ranged GETs of one object: it asks S3 for the next range only when
//! the parser has used up the previous one, each range three times the bytes read so far
//! (so a few requests cover a large read), and it stops at a cap or when told to. Heads of
//! tables are read through it, so what a read costs follows what its reader consumes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};

use crate::error::Result;
use crate::object::ObjectBody;
use crate::store::Store;

/// What the reader and its user share: whether more ranges may be fetched, and counters.
#[derive(Debug, Default)]
pub struct RangeProgress {
    stop_fetching: AtomicBool,
    hit_cap: AtomicBool,
    /// Bytes handed to the reader's user.
    delivered: AtomicU64,
    /// Bytes asked for from S3 (the sum of the ranges).
    fetched: AtomicU64,
}

impl RangeProgress {
    /// Read what was already fetched, but ask for no new range.
    pub fn stop_fetching(&self) {
        self.stop_fetching.store(true, Ordering::Relaxed);
    }

    pub fn fetching_stopped(&self) -> bool {
        self.stop_fetching.load(Ordering::Relaxed) || self.hit_cap()
    }

    pub fn hit_cap(&self) -> bool {
        self.hit_cap.load(Ordering::Relaxed)
    }

    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    pub fn fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }
}

type Fetch = Pin<Box<dyn Future<Output = Result<ObjectBody>> + Send>>;
type Body = Pin<Box<dyn AsyncRead + Send>>;

enum Phase {
    Idle,
    Fetching(Fetch),
    Reading(Body),
}

/// Reads one object from a start offset up to a cap, one growing range at a time.
pub struct RangedReader {
    store: Store,
    key: String,
    etag: Option<String>,
    size: u64,
    cap: u64,
    next_start: u64,
    progress: Arc<RangeProgress>,
    phase: Phase,
}

impl RangedReader {
    /// Reads `key` from `start` (bytes before it were fetched by the caller) up to `cap`.
    /// With an `etag`, every range must come from that version of the object.
    pub fn new(
        store: Store,
        key: &str,
        etag: Option<String>,
        size: u64,
        start: u64,
        cap: u64,
    ) -> Self {
        Self {
            store,
            key: key.to_owned(),
            etag,
            size,
            cap,
            next_start: start,
            progress: Arc::new(RangeProgress::default()),
            phase: Phase::Idle,
        }
    }

    pub fn progress(&self) -> Arc<RangeProgress> {
        Arc::clone(&self.progress)
    }

    fn start_fetch(&mut self) -> Option<Fetch> {
        if self.next_start >= self.size || self.progress.stop_fetching.load(Ordering::Relaxed) {
            return None;
        }
        if self.next_start >= self.cap {
            self.progress.hit_cap.store(true, Ordering::Relaxed);
            return None;
        }
        let start = self.next_start;
        let end = (start + start.max(1) * 3).min(self.size).min(self.cap);
        self.next_start = end;
        self.progress
            .fetched
            .fetch_add(end - start, Ordering::Relaxed);
        Some(Box::pin(fetch_range(
            self.store.clone(),
            self.key.clone(),
            self.etag.clone(),
            start,
            end,
        )))
    }
}

/// One ranged GET of `[start, end)`, its body streamed.
async fn fetch_range(
    store: Store,
    key: String,
    etag: Option<String>,
    start: u64,
    end: u64,
) -> Result<ObjectBody> {
    store.read(&key, Some(start..end), etag.as_deref()).await
}

impl AsyncRead for RangedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match &mut self.phase {
                Phase::Reading(body) => {
                    let before = buf.filled().len();
                    ready!(body.as_mut().poll_read(cx, buf))?;
                    let read = buf.filled().len() - before;
                    if read > 0 {
                        self.progress
                            .delivered
                            .fetch_add(read as u64, Ordering::Relaxed);
                        return Poll::Ready(Ok(()));
                    }
                    self.phase = Phase::Idle;
                }
                Phase::Fetching(fetch) => {
                    let body = ready!(fetch.as_mut().poll(cx)).map_err(io::Error::other)?;
                    self.phase = Phase::Reading(Box::pin(body.into_async_read()));
                }
                Phase::Idle => match self.start_fetch() {
                    Some(fetch) => self.phase = Phase::Fetching(fetch),
                    None => return Poll::Ready(Ok(())),
                },
            }
        }
    }
}
