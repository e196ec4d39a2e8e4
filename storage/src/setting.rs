//! The `DBM_STORAGE` setting: `embedded` or `s3://bucket/prefix`.

use std::fmt;
use std::str::FromStr;

use crate::error::StorageError;

/// Where the app keeps its objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageSetting {
    /// The in-process S3 server, data under `DBM_DATA_DIR`.
    Embedded,
    /// Any S3-compatible store, reached through the standard AWS environment and config chain.
    External { bucket: String, prefix: String },
}

impl FromStr for StorageSetting {
    type Err = StorageError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| StorageError::InvalidSetting {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        if value == "embedded" {
            return Ok(StorageSetting::Embedded);
        }
        let rest = value
            .strip_prefix("s3://")
            .ok_or_else(|| invalid("use `embedded` or `s3://bucket/optional/prefix`"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_valid_bucket_name(bucket) {
            return Err(invalid(
                "the bucket name must be 3 to 63 characters of lowercase letters, digits, '.' and '-'",
            ));
        }
        if prefix.contains("//") || prefix.split('/').any(|part| part == ".." || part == ".") {
            return Err(invalid(
                "the prefix may not contain empty, '.' or '..' segments",
            ));
        }
        Ok(StorageSetting::External {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }
}

impl fmt::Display for StorageSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageSetting::Embedded => f.write_str("embedded"),
            StorageSetting::External { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// The S3 bucket naming rules that matter for a path-style URL.
fn is_valid_bucket_name(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_and_s3_urls_parse() {
        assert_eq!(
            "embedded".parse::<StorageSetting>().ok(),
            Some(StorageSetting::Embedded)
        );
        assert_eq!(
            "s3://my-bucket/team/data/".parse::<StorageSetting>().ok(),
            Some(StorageSetting::External {
                bucket: "my-bucket".into(),
                prefix: "team/data".into()
            })
        );
        assert_eq!(
            "s3://my-bucket".parse::<StorageSetting>().ok(),
            Some(StorageSetting::External {
                bucket: "my-bucket".into(),
                prefix: String::new()
            })
        );
    }

    #[test]
    fn bad_settings_say_what_is_allowed() {
        for bad in [
            "",
            "s3",
            "file:///tmp",
            "s3://",
            "s3://Bad_Bucket/x",
            "s3://ok-bucket/a/../b",
        ] {
            let error = bad.parse::<StorageSetting>().err();
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains("invalid DBM_STORAGE value"),
                "{bad}: {message}"
            );
        }
    }
}
