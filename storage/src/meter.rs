//! What a [`Store`](crate::Store) asked S3 for, counted on the client side: requests by
//! kind and the bytes of the response bodies S3 announced. Works with any S3 server (the
//! embedded one, moto, AWS), so tests assert "at most 2 GETs and 1 MiB" on both test
//! servers, and benchmarks print requests and bytes beside their timings.
//!
//! Counted in an SDK interceptor after each attempt is transmitted: retries count as the
//! requests they are. Body bytes are the responses' `Content-Length` (a reader that stops
//! early may receive less, never more); HEAD answers carry none.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// Counters shared by a store and its clones.
#[derive(Debug, Default)]
pub struct RequestMeter {
    gets: AtomicU64,
    lists: AtomicU64,
    heads: AtomicU64,
    other: AtomicU64,
    body_bytes: AtomicU64,
}

/// A reading of a [`RequestMeter`]; subtract two with [`Requests::since`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requests {
    /// GetObject requests (whole or ranged).
    pub gets: u64,
    /// ListObjectsV2 requests.
    pub lists: u64,
    /// HeadObject and HeadBucket requests.
    pub heads: u64,
    /// Everything else (puts, deletes, multipart steps).
    pub other: u64,
    /// Bytes of response bodies, as announced by `Content-Length`.
    pub body_bytes: u64,
}

impl Requests {
    pub fn since(self, earlier: Requests) -> Requests {
        Requests {
            gets: self.gets - earlier.gets,
            lists: self.lists - earlier.lists,
            heads: self.heads - earlier.heads,
            other: self.other - earlier.other,
            body_bytes: self.body_bytes - earlier.body_bytes,
        }
    }

    pub fn total(&self) -> u64 {
        self.gets + self.lists + self.heads + self.other
    }
}

impl RequestMeter {
    pub fn reading(&self) -> Requests {
        Requests {
            gets: self.gets.load(Ordering::Relaxed),
            lists: self.lists.load(Ordering::Relaxed),
            heads: self.heads.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
            body_bytes: self.body_bytes.load(Ordering::Relaxed),
        }
    }

    fn count(&self, operation: &str, body_bytes: u64) {
        let counter = match operation {
            "GetObject" => &self.gets,
            "ListObjectsV2" => &self.lists,
            // A HEAD answer's Content-Length is the object's, with no body sent.
            "HeadObject" | "HeadBucket" => {
                self.heads.fetch_add(1, Ordering::Relaxed);
                return;
            }
            _ => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.body_bytes.fetch_add(body_bytes, Ordering::Relaxed);
    }
}

/// The interceptor that feeds a [`RequestMeter`].
#[derive(Debug, Clone)]
pub(crate) struct MeterInterceptor(pub Arc<RequestMeter>);

impl Intercept for MeterInterceptor {
    fn name(&self) -> &'static str {
        "RequestMeter"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("", Metadata::name);
        let body_bytes = context
            .response()
            .headers()
            .get("content-length")
            .and_then(|length| length.parse::<u64>().ok())
            .unwrap_or(0);
        self.0.count(operation, body_bytes);
        Ok(())
    }
}
