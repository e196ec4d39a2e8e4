//! The S3 service the embedded server runs: s3s-fs for every operation, except
//! - ListObjectsV2, answered by the key-ordered walk in [`super::listing`] (s3s-fs walks the
//!   whole bucket for every page);
//! - GetObject's body, read in large blocks ([`super::body`]); s3s-fs still answers
//!   everything else about the GET (status, ETag, range, headers).
//!
//! - AbortMultipartUpload, which s3s-fs allows only with the access key that started the
//!   upload: the embedded server makes new keys at each start, so an upload left by a
//!   killed process could never be aborted. Every caller that gets past the signature
//!   check holds this process's keys, so the upload is handed to the caller first.
//!
//! - ListMultipartUploads, which s3s-fs does not implement, answered from the metadata file
//!   s3s-fs keeps per upload (its name holds the bucket, key and upload id), so a sweep can
//!   find an upload its process never recorded.
//!
//! Other operations s3s-fs does not implement stay unimplemented.

use std::path::PathBuf;

use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CommonPrefix, GetObjectInput,
    GetObjectOutput, ListMultipartUploadsInput, ListMultipartUploadsOutput, ListObjectsV2Input,
    ListObjectsV2Output, MultipartUpload, Object, StreamingBlob, Timestamp,
};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};
use s3s_fs::FileSystem;

use super::listing::{Request, list_page};
use super::upload_files::{is_upload_id, uploads_under};

pub struct EmbeddedService {
    filesystem: FileSystem,
    /// The folder holding one folder per bucket.
    root: PathBuf,
}

impl EmbeddedService {
    pub fn new(filesystem: FileSystem, root: PathBuf) -> Self {
        Self { filesystem, root }
    }

    /// The folder of `bucket`, if its name is a plain S3 bucket name (no path tricks).
    fn bucket_dir(&self, bucket: &str) -> Option<PathBuf> {
        let plain = !bucket.is_empty()
            && bucket
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.')
            && !bucket.starts_with('.');
        plain.then(|| self.root.join(bucket))
    }
}

/// The S3 trait for the service: each named operation forwarded to s3s-fs unchanged,
/// ListObjectsV2 answered here. (One macro emits the whole impl so that `async_trait`
/// sees every method.)
macro_rules! forward_to_s3s_fs {
    ($($operation:ident: $input:ident => $output:ident;)*) => {
        #[async_trait::async_trait]
        impl S3 for EmbeddedService {
            $(
                async fn $operation(
                    &self,
                    request: S3Request<s3s::dto::$input>,
                ) -> S3Result<S3Response<s3s::dto::$output>> {
                    self.filesystem.$operation(request).await
                }
            )*

            async fn list_objects_v2(
                &self,
                request: S3Request<ListObjectsV2Input>,
            ) -> S3Result<S3Response<ListObjectsV2Output>> {
                self.list_in_key_order(request).await
            }

            async fn get_object(
                &self,
                request: S3Request<GetObjectInput>,
            ) -> S3Result<S3Response<GetObjectOutput>> {
                self.get_in_large_blocks(request).await
            }

            async fn list_multipart_uploads(
                &self,
                request: S3Request<ListMultipartUploadsInput>,
            ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
                self.list_uploads(request).await
            }

            async fn abort_multipart_upload(
                &self,
                request: S3Request<AbortMultipartUploadInput>,
            ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
                self.hand_upload_to_caller(&request).await?;
                self.filesystem.abort_multipart_upload(request).await
            }
        }
    };
}

forward_to_s3s_fs! {
    complete_multipart_upload: CompleteMultipartUploadInput => CompleteMultipartUploadOutput;
    copy_object: CopyObjectInput => CopyObjectOutput;
    create_bucket: CreateBucketInput => CreateBucketOutput;
    create_multipart_upload: CreateMultipartUploadInput => CreateMultipartUploadOutput;
    delete_bucket: DeleteBucketInput => DeleteBucketOutput;
    delete_object: DeleteObjectInput => DeleteObjectOutput;
    delete_objects: DeleteObjectsInput => DeleteObjectsOutput;
    get_bucket_location: GetBucketLocationInput => GetBucketLocationOutput;
    head_bucket: HeadBucketInput => HeadBucketOutput;
    head_object: HeadObjectInput => HeadObjectOutput;
    list_buckets: ListBucketsInput => ListBucketsOutput;
    list_objects: ListObjectsInput => ListObjectsOutput;
    list_parts: ListPartsInput => ListPartsOutput;
    put_object: PutObjectInput => PutObjectOutput;
    upload_part: UploadPartInput => UploadPartOutput;
    upload_part_copy: UploadPartCopyInput => UploadPartCopyOutput;
}

impl EmbeddedService {
    /// Records the caller's access key as the owner of the upload about to be aborted
    /// (s3s-fs keeps the starter's key in `.upload-{id}.json` at its root). An unknown or
    /// malformed id is left for s3s-fs to refuse.
    async fn hand_upload_to_caller(
        &self,
        request: &S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<()> {
        let upload_id = &request.input.upload_id;
        if !is_upload_id(upload_id) {
            return Ok(());
        }
        let info = self.root.join(format!(".upload-{upload_id}.json"));
        if !info.is_file() {
            return Ok(());
        }
        let owner = request.credentials.as_ref().map(|c| c.access_key.as_str());
        let content = serde_json::to_vec(&owner)
            .map_err(|error| s3_error!(InternalError, "cannot encode the owner: {error}"))?;
        tokio::fs::write(&info, content)
            .await
            .map_err(|error| s3_error!(InternalError, "cannot hand over the upload: {error}"))
    }

    /// The uploads under way in a bucket, from s3s-fs's per-upload metadata files
    /// (`.bucket-{b64}.object-{b64}.upload-{uuid}.metadata.json` at its root), in key order,
    /// 1,000 at most per page.
    async fn list_uploads(
        &self,
        request: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        const PAGE: usize = 1000;
        let input = request.input;
        let root = self.root.clone();
        let mut uploads = tokio::task::spawn_blocking(move || uploads_under(&root))
            .await
            .map_err(|error| s3_error!(InternalError, "the listing task failed: {error}"))?
            .map_err(|error| s3_error!(InternalError, "cannot list uploads: {error}"))?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let after = (
            input.key_marker.clone().unwrap_or_default(),
            input.upload_id_marker.clone().unwrap_or_default(),
        );
        uploads.retain(|upload| {
            upload.bucket == input.bucket
                && upload.key.starts_with(&prefix)
                && (upload.key.clone(), upload.upload_id.clone()) > after
        });
        uploads.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
        let truncated = uploads.len() > PAGE;
        uploads.truncate(PAGE);
        let last = uploads.last().map(|u| (u.key.clone(), u.upload_id.clone()));
        let listed: Vec<MultipartUpload> = uploads
            .into_iter()
            .map(|upload| MultipartUpload {
                key: Some(upload.key),
                upload_id: Some(upload.upload_id),
                initiated: Some(Timestamp::from(upload.initiated)),
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            is_truncated: Some(truncated),
            next_key_marker: last.clone().filter(|_| truncated).map(|(key, _)| key),
            next_upload_id_marker: last.filter(|_| truncated).map(|(_, id)| id),
            uploads: (!listed.is_empty()).then_some(listed),
            ..Default::default()
        }))
    }

    /// s3s-fs answers the GET (and every error); only its body is replaced by one read in
    /// large blocks. The file is opened first: if the object is replaced in between, the
    /// body is the older version and the ETag the newer one, which a reader checking the
    /// ETag refuses, never the other way round.
    async fn get_in_large_blocks(
        &self,
        request: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let path = self
            .bucket_dir(&request.input.bucket)
            .zip(plain_key(&request.input.key))
            .map(|(bucket, key)| bucket.join(key));
        let opened = match path {
            Some(path) => tokio::task::spawn_blocking(move || std::fs::File::open(path))
                .await
                .ok()
                .and_then(Result::ok),
            None => None,
        };
        let mut response = self.filesystem.get_object(request).await?;
        let Some(file) = opened else {
            return Ok(response);
        };
        let output = &mut response.output;
        let length = output
            .content_length
            .and_then(|length| u64::try_from(length).ok())
            .unwrap_or(0);
        let start = output
            .content_range
            .as_deref()
            .and_then(range_start)
            .unwrap_or(0);
        output.body = Some(StreamingBlob::wrap(super::body::file_range(
            file, start, length,
        )));
        Ok(response)
    }

    async fn list_in_key_order(
        &self,
        request: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = &request.input;
        let delimited = match input.delimiter.as_deref() {
            None => false,
            Some("/") => true,
            Some(_) => return self.filesystem.list_objects_v2(request).await,
        };
        let Some(bucket_dir) = self.bucket_dir(&input.bucket) else {
            return self.filesystem.list_objects_v2(request).await;
        };
        if !bucket_dir.is_dir() {
            return Err(s3_error!(NoSuchBucket));
        }
        let input = request.input;
        let max_keys = input.max_keys.unwrap_or(1000).clamp(0, 1000);
        let after = match (
            input.continuation_token.as_deref(),
            input.start_after.as_deref(),
        ) {
            (Some(token), Some(start)) => Some(token.max(start).to_owned()),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        };
        let prefix = input
            .prefix
            .as_deref()
            .unwrap_or("")
            .trim_start_matches('/')
            .to_owned();
        let page = tokio::task::spawn_blocking(move || {
            list_page(
                &bucket_dir,
                Request {
                    prefix: &prefix,
                    delimited,
                    after: after.as_deref(),
                    max_keys: usize::try_from(max_keys).unwrap_or(0),
                },
            )
        })
        .await
        .map_err(|error| s3_error!(InternalError, "the listing task failed: {error}"))?
        .map_err(|error| s3_error!(InternalError, "cannot list the folder: {error}"))?;

        let key_count = page.objects.len() + page.prefixes.len();
        let contents: Vec<Object> = page
            .objects
            .into_iter()
            .map(|object| Object {
                key: Some(object.key),
                size: Some(i64::try_from(object.size).unwrap_or(i64::MAX)),
                last_modified: Some(Timestamp::from(object.modified)),
                ..Default::default()
            })
            .collect();
        let common_prefixes: Vec<CommonPrefix> = page
            .prefixes
            .into_iter()
            .map(|prefix| CommonPrefix {
                prefix: Some(prefix),
            })
            .collect();
        Ok(S3Response::new(ListObjectsV2Output {
            key_count: Some(i32::try_from(key_count).unwrap_or(i32::MAX)),
            max_keys: Some(max_keys),
            is_truncated: Some(page.truncated),
            contents: (!contents.is_empty()).then_some(contents),
            common_prefixes: (!common_prefixes.is_empty()).then_some(common_prefixes),
            continuation_token: input.continuation_token,
            next_continuation_token: page.last.filter(|_| page.truncated),
            delimiter: input.delimiter,
            encoding_type: input.encoding_type,
            name: Some(input.bucket),
            prefix: input.prefix,
            start_after: input.start_after,
            ..Default::default()
        }))
    }
}

/// A key that names a file under the bucket folder and nothing else.
fn plain_key(key: &str) -> Option<&str> {
    let plain = !key.is_empty()
        && !key.starts_with('/')
        && !key.contains('\\')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    plain.then_some(key)
}

/// The first byte of `bytes START-END/TOTAL`.
fn range_start(content_range: &str) -> Option<u64> {
    content_range
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_keys_name_a_file() {
        assert_eq!(plain_key("team/a.csv"), Some("team/a.csv"));
        for bad in ["", "/etc/passwd", "a/../b", "./a", "a//b", "a\\b"] {
            assert_eq!(plain_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_range_start_comes_from_content_range() {
        assert_eq!(range_start("bytes 100-199/1000"), Some(100));
        assert_eq!(range_start("bytes */1000"), None);
    }
}
