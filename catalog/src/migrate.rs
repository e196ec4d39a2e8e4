//! Moving the objects of older layouts, once, when the catalog opens.
//!
//! Format 1 kept markers and statistics inside each database (`{database}/.dbm/...`), so
//! every listing of tables paged through them. Format 2 keeps them in the parallel `meta/`
//! tree (docs/ARCHITECTURE.md, "The S3 layout"). On start, unless `meta/layout.json`
//! already says format 2 (one request), every format 1 object is copied to its new key and
//! then deleted, and the format is recorded last. Copies and deletes are idempotent, so a
//! start cut off half-way, or two replicas starting at once, simply do it again.

use storage::Store;

use crate::error::Result;
use crate::layout::{LAYOUT_FORMAT, Layout};

/// Objects copied at once while moving.
const CONCURRENT_COPIES: usize = 16;

/// Moves every format 1 object to the `meta/` tree; returns how many were moved.
pub async fn move_format_1_sidecars(store: &Store) -> Result<usize> {
    use futures::{StreamExt, TryStreamExt};

    let layout = Layout::of(store);
    let format_key = layout.format_key();
    if store.exists(&format_key).await? {
        return Ok(0);
    }
    let mut moves: Vec<(String, String)> = Vec::new();
    for root in layout.data_roots() {
        for object in store.list(&root).await? {
            if let Some(new_key) = layout.moved_sidecar(&object.key) {
                moves.push((object.key, new_key));
            }
        }
    }
    futures::stream::iter(&moves)
        .map(|(old, new)| store.copy(old, new))
        .buffer_unordered(CONCURRENT_COPIES)
        .try_collect::<()>()
        .await?;
    let old_keys: Vec<String> = moves.iter().map(|(old, _)| old.clone()).collect();
    store.delete_keys(&old_keys).await?;
    let format = format!(r#"{{"format":{LAYOUT_FORMAT}}}"#);
    store
        .put(&format_key, format.into_bytes(), "application/json")
        .await?;
    if !moves.is_empty() {
        tracing::info!(
            moved = moves.len(),
            "moved markers and statistics to the meta/ tree (layout format {LAYOUT_FORMAT})"
        );
    }
    Ok(moves.len())
}
