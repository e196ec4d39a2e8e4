//! The exact row count of a table another tool wrote: one parallel scan of the whole object
//! in the background ([`crate::scan`]), in bounded memory, stored as statistics for the
//! version read. The request that asked gets an estimate at once; later requests get the
//! exact count.

use storage::{ObjectVersion, Store};

use crate::error::Result;
use crate::scan::{ScanSettings, scan_table};
use crate::stats::{StatsSource, TableStats};

/// Counts `key` and stores its statistics at `stats_key`. Returns `None` when the object
/// changed while it was read (nothing is stored then; the next preview starts again).
pub async fn count_and_store(
    store: &Store,
    key: &str,
    stats_key: &str,
    version: &ObjectVersion,
) -> Result<Option<TableStats>> {
    let profile = scan_table(store, key, version.size, version, ScanSettings::default()).await?;

    // The count is only worth keeping if the object is still the version that was read.
    let still_same = store
        .listed(key)
        .await?
        .is_some_and(|listed| &listed.version == version);
    if !still_same {
        return Ok(None);
    }
    let stats = TableStats::from_profile(&profile, version.clone(), StatsSource::Scan);
    store
        .put(stats_key, stats.to_json(), "application/json")
        .await?;
    Ok(Some(stats))
}
