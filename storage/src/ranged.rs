//! An `AsyncRead` over ranged GETs of one object: it asks S3 for the next range only when
//! the parser has used up the previous one, each range three times the bytes read so far
//! (so a few requests cover a large read), and it stops at a cap or when told to. Heads of
//! tables are read through it, so what a read costs follows what its reader consumes.
//!
//! With a [`ReadBudget`], every range is paid for from a budget of bytes shared by all the
//! readers that use it, before it is asked for, and held until the reader is dropped: the
//! bytes that readers sharing a budget hold at once never exceed it. A reader that cannot
//! get its next range's bytes within the budget's wait stops there and says so
//! ([`RangeProgress::out_of_budget`]).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Result;
use crate::object::ObjectBody;
use crate::store::Store;

/// What the reader and its user share: whether more ranges may be fetched, and counters.
#[derive(Debug, Default)]
pub struct RangeProgress {
    stop_fetching: AtomicBool,
    hit_cap: AtomicBool,
    out_of_budget: AtomicBool,
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
        self.stop_fetching.load(Ordering::Relaxed) || self.hit_cap() || self.out_of_budget()
    }

    /// The reader stopped because its budget had no room for the next range in time.
    pub fn out_of_budget(&self) -> bool {
        self.out_of_budget.load(Ordering::Relaxed)
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

/// Bytes shared by every reader that holds a clone: each range is paid for before it is
/// fetched, in KiB, and given back when its reader is dropped.
#[derive(Debug, Clone)]
pub struct ReadBudget {
    kib: Arc<Semaphore>,
    /// The budget's size in KiB: no one share may ask for more.
    total_kib: u32,
    /// The longest a reader waits for room before it gives up.
    wait: Duration,
}

/// Room for `bytes` from a [`ReadBudget`], given back when dropped.
#[derive(Debug)]
pub struct BudgetShare(OwnedSemaphorePermit);

impl ReadBudget {
    /// A budget of `bytes`, for readers that wait at most `wait` for room.
    pub fn new(bytes: u64, wait: Duration) -> Self {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .min(u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX));
        Self {
            kib: Arc::new(Semaphore::new(kib as usize)),
            total_kib: kib,
            wait,
        }
    }

    /// Bytes not held by any reader now.
    pub fn available_bytes(&self) -> u64 {
        self.kib.available_permits() as u64 * 1024
    }

    /// Room for `bytes` (at most the whole budget), waiting at most the budget's wait;
    /// `None` when there was none in time.
    pub async fn take(&self, bytes: u64) -> Option<BudgetShare> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .min(self.total_kib);
        let acquire = Arc::clone(&self.kib).acquire_many_owned(kib);
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Some(BudgetShare(permit)),
            _ => None,
        }
    }
}

impl BudgetShare {
    /// Adds `other` to this share (both given back together).
    fn absorb(&mut self, other: BudgetShare) {
        self.0.merge(other.0);
    }
}

type Fetch = Pin<Box<dyn Future<Output = Result<ObjectBody>> + Send>>;
type Body = Pin<Box<dyn AsyncRead + Send>>;
type Payment = Pin<Box<dyn Future<Output = Option<BudgetShare>> + Send>>;

enum Phase {
    Idle,
    /// Waiting for room in the budget for the range `[start, end)`.
    Paying {
        payment: Payment,
        start: u64,
        end: u64,
    },
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
    /// The budget ranges are paid from, and what this reader holds of it.
    budget: Option<(ReadBudget, BudgetShare)>,
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
            budget: None,
        }
    }

    /// Pays for every range from `budget`; `held` is what the caller already took for the
    /// bytes before `start`, kept until this reader is dropped.
    pub fn with_budget(mut self, budget: ReadBudget, held: BudgetShare) -> Self {
        self.budget = Some((budget, held));
        self
    }

    pub fn progress(&self) -> Arc<RangeProgress> {
        Arc::clone(&self.progress)
    }

    /// The next phase: pay for the next range (with a budget), fetch it, or `None` at the
    /// end (of the object, the cap, or when told to stop).
    fn next_range(&mut self) -> Option<Phase> {
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
        Some(match &self.budget {
            Some((budget, _)) => {
                let budget = budget.clone();
                Phase::Paying {
                    payment: Box::pin(async move { budget.take(end - start).await }),
                    start,
                    end,
                }
            }
            None => Phase::Fetching(self.fetch(start, end)),
        })
    }

    fn fetch(&self, start: u64, end: u64) -> Fetch {
        self.progress
            .fetched
            .fetch_add(end - start, Ordering::Relaxed);
        Box::pin(fetch_range(
            self.store.clone(),
            self.key.clone(),
            self.etag.clone(),
            start,
            end,
        ))
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
                Phase::Paying {
                    payment,
                    start,
                    end,
                } => {
                    let (start, end) = (*start, *end);
                    let Some(share) = ready!(payment.as_mut().poll(cx)) else {
                        self.progress.out_of_budget.store(true, Ordering::Relaxed);
                        self.phase = Phase::Idle;
                        return Poll::Ready(Ok(()));
                    };
                    if let Some((_, held)) = self.budget.as_mut() {
                        held.absorb(share);
                    }
                    self.phase = Phase::Fetching(self.fetch(start, end));
                }
                Phase::Fetching(fetch) => {
                    let body = ready!(fetch.as_mut().poll(cx)).map_err(io::Error::other)?;
                    self.phase = Phase::Reading(Box::pin(body.into_async_read()));
                }
                Phase::Idle => {
                    if self.progress.out_of_budget() {
                        return Poll::Ready(Ok(()));
                    }
                    match self.next_range() {
                        Some(phase) => self.phase = phase,
                        None => return Poll::Ready(Ok(())),
                    }
                }
            }
        }
    }
}
