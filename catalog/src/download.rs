//! Downloads: a table's object streamed as it is stored, with the client's `Range` passed
//! through so a broken download resumes ([`Catalog::download`], `GET /api/download`).
//! Nothing is buffered: the body goes from S3 to the client chunk by chunk.

use shared::{DatabaseName, TableFormat, TableName, UserName};
use storage::Download;

use crate::Catalog;
use crate::deadline::{REQUEST_DEADLINE, within};
use crate::error::Result;

/// A table opened for download: its bytes, its file name in the bucket (`orders.csv.gz`) and
/// its format (for the media type).
pub struct TableDownload {
    pub download: Download,
    pub file_name: String,
    pub format: TableFormat,
}

impl Catalog {
    /// Opens `table` of `database` (the default one of that name, else the user's own) for
    /// download; `range` is the client's `Range` header, if any.
    /// Gives up with a storage error (503) when S3 has not answered within
    /// [`REQUEST_DEADLINE`].
    pub async fn download(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
        range: Option<&str>,
    ) -> Result<TableDownload> {
        let work = self.open_download(user, database, table, range);
        within(REQUEST_DEADLINE, "a download", table.as_str(), work).await
    }

    /// The work of the call above, without its deadline.
    async fn open_download(
        &self,
        user: &UserName,
        database: &DatabaseName,
        table: &TableName,
        range: Option<&str>,
    ) -> Result<TableDownload> {
        let (_, _, table) = self.find_table(user, database, table).await?;
        let key = &table.object.key;
        Ok(TableDownload {
            download: self.store().download(key, range).await?,
            file_name: key.rsplit('/').next().unwrap_or(key).to_owned(),
            format: table.format,
        })
    }
}
