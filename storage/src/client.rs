//! Building the aws-sdk-s3 client. Embedded and external storage use the same client type
//! and the same code afterwards; only where the endpoint and credentials come from differs.
//!
//! One TLS stack (rustls with ring) serves `https://` endpoints; plain `http://` endpoints
//! (the embedded server, a local MinIO or moto) go through the same connector.

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_s3::config::{
    Region, RequestChecksumCalculation, ResponseChecksumValidation, SharedHttpClient,
};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

use crate::meter::{MeterInterceptor, RequestMeter};

/// How long to wait for a TCP/TLS connection before calling the store unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one attempt of a request that moves little data (a listing, a HEAD, a GET's
/// answer, a small PUT, a delete) may take until its response headers.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// All attempts of such a request together: a stalled store fails it within this.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(7);
/// Attempts per request, the first included; retries back off exponentially.
const MAX_ATTEMPTS: u32 = 2;
/// Requests that carry a part (up to 8 MiB), complete a large upload or delete a batch of
/// 1,000 keys get more time: one attempt, and all of them.
const BULK_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
const BULK_OPERATION_TIMEOUT: Duration = Duration::from_secs(180);
/// The region used when the environment names none (S3-compatible stores ignore it).
const FALLBACK_REGION: &str = "us-east-1";

/// An explicit endpoint with fixed credentials: the embedded server, or a test store.
#[derive(Clone)]
pub struct StaticEndpoint {
    pub url: String,
    pub access_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for StaticEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never goes to a log.
        f.debug_struct("StaticEndpoint")
            .field("url", &self.url)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// The deadlines of a request that carries a part or completes an upload (a per-request
/// override of [`timeouts`]).
pub(crate) fn bulk_timeouts() -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::default().timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(BULK_ATTEMPT_TIMEOUT)
            .operation_timeout(BULK_OPERATION_TIMEOUT)
            .build(),
    )
}

/// A client for one explicit endpoint (path-style addressing, fixed credentials).
pub(crate) fn client_for_endpoint(
    endpoint: &StaticEndpoint,
    meter: &Arc<RequestMeter>,
) -> aws_sdk_s3::Client {
    let credentials = Credentials::new(
        &endpoint.access_key,
        &endpoint.secret_key,
        None,
        None,
        "database-manager-static",
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http_client())
        .endpoint_url(&endpoint.url)
        .region(Region::new(FALLBACK_REGION))
        .credentials_provider(credentials)
        .force_path_style(true)
        // Checksums where an operation requires them; every part already carries an MD5 ETag.
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .interceptor(MeterInterceptor(Arc::clone(meter)))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A client from the standard AWS environment and config chain (`AWS_ENDPOINT_URL`,
/// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, profiles, ...). With a custom endpoint the client
/// uses path-style URLs, which every S3-compatible store understands; against AWS itself
/// it uses virtual-hosted URLs. Returns the client and the endpoint it talks to.
///
/// The region comes from the environment or the profile, else `us-east-1`; it is never
/// looked up from the EC2 instance metadata service, which would be a network call at
/// start-up that most deployments cannot answer.
pub(crate) async fn client_from_environment(
    meter: &Arc<RequestMeter>,
) -> (aws_sdk_s3::Client, String) {
    let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(ProfileFileRegionProvider::new())
        .or_else(Region::new(FALLBACK_REGION));
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .http_client(http_client())
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .load()
        .await;
    let custom_endpoint = shared.endpoint_url().map(str::to_owned);
    let mut builder = aws_sdk_s3::config::Builder::from(&shared)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .interceptor(MeterInterceptor(Arc::clone(meter)));
    if custom_endpoint.is_some() {
        builder = builder.force_path_style(true);
    }
    let endpoint = custom_endpoint.unwrap_or_else(|| "AWS S3".to_owned());
    (aws_sdk_s3::Client::from_conf(builder.build()), endpoint)
}
