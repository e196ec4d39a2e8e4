//! How long a request may wait for S3 in all, whatever it asks for: the store bounds each
//! S3 request (`storage::OPERATION_TIMEOUT`, and the bodies' idle deadline), and these
//! bound the several requests one answer needs, so a stalled store makes a preview, a page
//! or the list answer 503 within [`REQUEST_DEADLINE`] and `/readyz` within
//! [`READY_DEADLINE`] (docs/ARCHITECTURE.md, "Errors"). Imports and downloads stream for as
//! long as their data flows and are bounded by the store's per-request deadlines instead.

use std::future::Future;
use std::time::Duration;

use storage::StorageError;

use crate::error::Result;

/// The most a read request (list, previews, a page of rows) waits for S3.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(9);
/// The most a readiness check waits.
pub const READY_DEADLINE: Duration = Duration::from_millis(2_500);

/// `work`, or a storage error saying `what` got no answer within `deadline`.
pub(crate) async fn within<T>(
    deadline: Duration,
    what: &'static str,
    target: &str,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(deadline, work).await {
        Ok(result) => result,
        Err(_) => Err(StorageError::deadline_passed(what, target, deadline).into()),
    }
}
