//! Column profiles of whole tables ([`Catalog::table_profile`], `GET /api/table_profile`):
//! stored beside the statistics (`meta/{scope}/{database}/profiles/{table}.json`) by the pass
//! that wrote or scanned the table, with the version of the object they describe. A profile
//! whose version differs from the object's listing is ignored, exactly like statistics;
//! a table without a current one gets a background scan ([`crate::scan`]) and the caller is
//! told it is being computed, and how far the scan is.
//!
//! Cost: the database's listing (cached, shared with previews) and one GET of the profile,
//! then nothing while the cached profile describes the listed version.

use serde::{Deserialize, Serialize};
use shared::{ColumnProfile, DatabaseName, ProfileSource, TableName, TableProfileReport, UserName};
use storage::ObjectVersion;

use crate::Catalog;
use crate::csv::profile::{ColumnProfiling, TableProfile};
use crate::deadline::{REQUEST_DEADLINE, within};
use crate::error::{CatalogError, Result};
use crate::layout::Layout;
use crate::stats::{StatsSource, TableStats};

/// Bumped when the stored shape changes; other formats are ignored (and recomputed).
pub const PROFILE_FORMAT: u32 = 1;

/// A table's column profiles as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredProfile {
    pub format: u32,
    pub version: ObjectVersion,
    pub source: StatsSource,
    pub row_count: u64,
    pub columns: Vec<ColumnProfile>,
    /// Columns of a wide table past the profiled ones.
    #[serde(default)]
    pub unprofiled_columns: u64,
}

impl StoredProfile {
    /// The profiles a pass computed, for the version its statistics describe; `None` when
    /// the pass did not profile columns.
    pub fn from_profile(profile: &TableProfile, stats: &TableStats) -> Option<Self> {
        let columns = &profile.column_profiles.0;
        (!columns.is_empty() || profile.columns.is_empty()).then(|| Self {
            format: PROFILE_FORMAT,
            version: stats.version.clone(),
            source: stats.source,
            row_count: stats.row_count,
            unprofiled_columns: stats.columns.len().saturating_sub(columns.len()) as u64,
            columns: columns
                .iter()
                .zip(&stats.columns)
                .map(|(column, named)| ColumnProfile {
                    // The statistics' names: cut the same way when a header cell is huge.
                    name: named.name.clone(),
                    ..column.clone()
                })
                .collect(),
        })
    }

    /// Parses a stored profile; `None` for another format or a broken object.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|profile| profile.format == PROFILE_FORMAT)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn describes(&self, version: &ObjectVersion) -> bool {
        &self.version == version
    }

    /// Heap bytes, roughly (the cache's weight).
    pub fn approximate_bytes(&self) -> u64 {
        let columns: usize = self
            .columns
            .iter()
            .map(|column| {
                let values: usize = column
                    .top_values
                    .iter()
                    .map(|top| top.value.len() + 48)
                    .sum();
                column.name.len() + values + column.histogram.len() * 56 + 512
            })
            .sum();
        (columns + 256) as u64
    }
}

impl Catalog {
    /// The column profiles of `table` in `database` (the default one of that name, else
    /// the user's own). A table without a current profile answers
    /// [`CatalogError::ProfileComputing`] and has one computed in the background.
    pub async fn table_profile(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
    ) -> Result<TableProfileReport> {
        let work = self.profile_unbounded(user, database, table);
        within(REQUEST_DEADLINE, "profile", table.as_str(), work).await
    }

    async fn profile_unbounded(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
    ) -> Result<TableProfileReport> {
        let (scope, listing, listed_table) = self.find_table(user, database, table).await?;
        if !listed_table.format.is_delimited_text() {
            return Err(CatalogError::NotForFormat {
                table: table.to_string(),
                format: listed_table.format.description(),
                what: "column profiles",
            });
        }
        let object = &listed_table.object;
        let layout = Layout::of(self.store());
        let key = object.key.clone();
        let stored = match self.caches().profile(&key, &object.version) {
            Some(cached) => Some(cached),
            None => {
                let profile_key = layout.profile_key(&scope, database, table);
                let listed = listing.meta.iter().any(|meta| meta.key == profile_key);
                let read = if listed {
                    self.read_sidecar(&profile_key, StoredProfile::parse)
                        .await
                        .filter(|profile| profile.describes(&object.version))
                } else {
                    None
                };
                read.map(|profile| self.caches().store_profile(&key, profile))
            }
        };
        let Some(stored) = stored else {
            if self.column_profiling() == ColumnProfiling::Off {
                return Err(CatalogError::ProfilesTurnedOff);
            }
            self.scan_in_background(&scope, database, &listed_table);
            return Err(CatalogError::ProfileComputing {
                table: table.to_string(),
                percent: self.scan_progress(&key).unwrap_or(0),
            });
        };
        Ok(TableProfileReport {
            database: database.clone(),
            table: table.clone(),
            row_count: stored.row_count,
            columns: stored.columns.clone(),
            unprofiled_columns: stored.unprofiled_columns,
            computed_from: match stored.source {
                StatsSource::Write => ProfileSource::Import,
                StatsSource::Scan => ProfileSource::Scan,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::profile::TableProfiler;

    #[test]
    fn a_profile_round_trips_and_describes_only_its_version() {
        let mut profiler = TableProfiler::new();
        profiler.feed(b"id,name\n1,Ada\n2,\n3,Bob\n");
        let profile = profiler.finish();
        let version = ObjectVersion {
            etag: Some("\"a\"".into()),
            size: 24,
            last_modified_ms: 1,
        };
        let stats = TableStats::from_profile(&profile, version.clone(), StatsSource::Write);
        let stored = StoredProfile::from_profile(&profile, &stats).expect("profiled");
        assert_eq!(stored.columns.len(), 2);
        assert_eq!(stored.columns[1].empty, 1);
        assert_eq!(
            StoredProfile::parse(&stored.to_json()),
            Some(stored.clone())
        );
        assert!(stored.describes(&version));
        assert!(!stored.describes(&ObjectVersion {
            etag: Some("\"b\"".into()),
            ..version
        }));
        assert_eq!(StoredProfile::parse(br#"{"format": 99}"#), None);
    }
}
