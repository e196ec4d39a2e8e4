//! Logging: `tracing` to stderr, filtered by DBM_LOG.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. A bad filter falls back to `info` and says so.
pub fn init(filter: &str) {
    let (filter, bad_filter) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    if let Some(error) = bad_filter {
        tracing::warn!(%error, "DBM_LOG is not a valid filter; logging at info");
    }
}
