//! Test support (feature `testing`): a [`Catalog`] over a fresh, real S3 server per test
//! (see `storage::testing`). Used by this crate's integration tests and by the server's.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::ops::Deref;

use storage::testing::{Server, TestS3};

use crate::{Catalog, PreviewSettings};

pub use storage::testing::{MotoProcess, free_port};

/// A catalog over a real S3 server. Dereferences to the server's [`TestS3`] (keys, meter,
/// writes behind the catalog's back).
pub struct TestStore {
    pub catalog: Catalog,
    s3: TestS3,
}

impl Deref for TestStore {
    type Target = TestS3;

    fn deref(&self) -> &TestS3 {
        &self.s3
    }
}

impl TestStore {
    /// A catalog on a fresh `server`, under `prefix`, caching previews as `previews` says.
    pub async fn start(server: Server, prefix: &str, previews: PreviewSettings) -> Self {
        let s3 = server.start(prefix).await;
        let description = format!("{server:?} test store");
        Self {
            catalog: Catalog::from_store(s3.store().clone(), description, previews),
            s3,
        }
    }
}

/// A catalog on a fresh `server`, no prefix, default cache settings: the usual fixture of
/// `storage::on_both_servers!`.
pub async fn fresh(server: Server) -> TestStore {
    TestStore::start(server, "", PreviewSettings::default()).await
}

pub async fn embedded() -> TestStore {
    embedded_with_prefix("").await
}

pub async fn embedded_with_prefix(prefix: &str) -> TestStore {
    embedded_with(prefix, PreviewSettings::default()).await
}

/// An embedded store whose catalog caches previews as `previews` says.
pub async fn embedded_with(prefix: &str, previews: PreviewSettings) -> TestStore {
    TestStore::start(Server::Embedded, prefix, previews).await
}
