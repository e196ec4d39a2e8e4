//! The JSON shapes of the API (DESIGN.md §4). Field names here are the contract: scripts
//! depend on them, so rename nothing without a version bump.

use serde::{Deserialize, Serialize};

/// One entry of `GET /api/databases`: what the home page shows for a database, built from
/// S3 listings alone (no table is read for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSummary {
    pub name: String,
    pub table_count: usize,
    /// Table names, sorted.
    pub tables: Vec<String>,
    /// True for the shared, read-only databases every user can read.
    pub is_default: bool,
}
