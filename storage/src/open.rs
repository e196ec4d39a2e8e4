//! Opening the configured storage: start the embedded server or build a client from the
//! AWS environment, then check that the bucket answers. Fails with an error that says what
//! to fix.

use std::path::Path;

use crate::embedded::EmbeddedS3;
use crate::error::Result;
use crate::setting::StorageSetting;
use crate::store::Store;

/// An opened storage: the store, and the embedded server when there is one (it serves as
/// long as this value, or its [`EmbeddedS3`], lives).
#[derive(Debug)]
pub struct OpenedStorage {
    pub store: Store,
    pub embedded: Option<EmbeddedS3>,
    /// Where the data lives, in words, for logs (never a secret).
    pub description: String,
}

/// Opens `setting`; the embedded server keeps its objects under `data_dir`.
pub async fn open(setting: &StorageSetting, data_dir: &Path) -> Result<OpenedStorage> {
    match setting {
        StorageSetting::Embedded => {
            let server = EmbeddedS3::start(data_dir).await?;
            let store = server.store("").await?;
            let description = format!(
                "embedded S3 at {} (data in {})",
                server.endpoint().url,
                data_dir.display()
            );
            Ok(OpenedStorage {
                store,
                embedded: Some(server),
                description,
            })
        }
        StorageSetting::External { bucket, prefix } => {
            let (store, endpoint) = Store::from_environment(bucket, prefix).await;
            store.check_bucket().await?;
            Ok(OpenedStorage {
                store,
                embedded: None,
                description: format!("s3://{bucket}/{prefix} at {endpoint}"),
            })
        }
    }
}
