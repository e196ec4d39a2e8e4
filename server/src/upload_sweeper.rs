//! The background task that aborts multipart uploads a dead process left behind
//! ([`storage::Store::sweep_abandoned_uploads`]): once at start-up, then every half of
//! `DBM_UPLOAD_STALE_SECS`, each sweep under a deadline, until the server stops.

use std::time::Duration;

use storage::Store;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The longest one sweep may take before it is given up (and tried at the next turn).
const SWEEP_DEADLINE: Duration = Duration::from_secs(120);

/// When sweeps run and what they abort.
#[derive(Debug, Clone, Copy)]
pub struct SweepSchedule {
    /// Uploads untouched for this long are abandoned.
    pub stale_after: Duration,
    /// The bound of the start-up sweep: zero where no other process can be writing to
    /// the store (the embedded one), `stale_after` otherwise.
    pub at_start_stale_after: Duration,
}

pub fn spawn(store: Store, schedule: SweepSchedule, stop: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut stale_after = schedule.at_start_stale_after;
        let every = (schedule.stale_after / 2).max(Duration::from_secs(1));
        loop {
            tokio::select! {
                () = sweep_once(&store, stale_after) => {}
                () = stop.cancelled() => return,
            }
            stale_after = schedule.stale_after;
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = stop.cancelled() => return,
            }
        }
    })
}

async fn sweep_once(store: &Store, stale_after: Duration) {
    match tokio::time::timeout(SWEEP_DEADLINE, store.sweep_abandoned_uploads(stale_after)).await {
        Ok(Ok(report)) if report.aborted + report.aborted_unjournaled > 0 => tracing::info!(
            aborted = report.aborted,
            aborted_unjournaled = report.aborted_unjournaled,
            running = report.running,
            "aborted multipart uploads a stopped process left behind"
        ),
        Ok(Ok(_)) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not sweep abandoned uploads; trying again later")
        }
        Err(_) => tracing::warn!(
            deadline_secs = SWEEP_DEADLINE.as_secs(),
            "sweeping abandoned uploads took too long; trying again later"
        ),
    }
}
