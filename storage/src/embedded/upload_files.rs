//! The files s3s-fs keeps at its root for each multipart upload, read from the folder:
//! - `.upload-{id}.json`: the upload's owner, written first when an upload is created;
//! - `.bucket-{b64}.object-{b64}.upload-{id}.metadata.json`: its bucket and key, written
//!   second (what [`uploads_under`] lists);
//! - `.upload_id-{id}.part-{n}`: its parts.
//!
//! A process killed between the first two files leaves an upload no request can name:
//! ListMultipartUploads does not see it and nobody holds its id. [`remove_cut_short_uploads`]
//! clears those when the embedded server starts, before it serves anything.

use std::collections::HashSet;
use std::path::Path;
use std::time::SystemTime;

/// One upload under way, as s3s-fs's files tell it.
pub struct UploadFile {
    pub bucket: String,
    pub key: String,
    pub upload_id: String,
    pub initiated: SystemTime,
}

/// Every upload under way in s3s-fs's `root`.
pub fn uploads_under(root: &Path) -> std::io::Result<Vec<UploadFile>> {
    let mut uploads = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(upload) = name.to_str().and_then(parse_upload_file_name) else {
            continue;
        };
        let (bucket, key, upload_id) = upload;
        let initiated = entry.metadata()?.modified()?;
        uploads.push(UploadFile {
            bucket,
            key,
            upload_id,
            initiated,
        });
    }
    Ok(uploads)
}

/// Removes the files of every upload whose creation was cut short (an owner file and
/// parts, no metadata file); returns how many uploads that was. Only for a folder no
/// server is serving yet: a creation under way looks the same for a moment.
pub fn remove_cut_short_uploads(root: &Path) -> std::io::Result<usize> {
    let mut named = HashSet::new();
    let mut owned = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((_, _, upload_id)) = parse_upload_file_name(name) {
            named.insert(upload_id);
        } else if let Some(upload_id) = owner_file_upload_id(name) {
            owned.push(upload_id.to_owned());
        }
    }
    let cut_short: Vec<String> = owned
        .into_iter()
        .filter(|upload_id| !named.contains(upload_id))
        .collect();
    if cut_short.is_empty() {
        return Ok(0);
    }
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let belongs = cut_short.iter().any(|upload_id| {
            owner_file_upload_id(name) == Some(upload_id.as_str())
                || name.starts_with(&format!(".upload_id-{upload_id}.part-"))
        });
        if belongs {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(cut_short.len())
}

/// The id in `.upload-{id}.json`.
fn owner_file_upload_id(name: &str) -> Option<&str> {
    let upload_id = name.strip_prefix(".upload-")?.strip_suffix(".json")?;
    is_upload_id(upload_id).then_some(upload_id)
}

/// Bucket, key and upload id from `.bucket-{b64}.object-{b64}.upload-{uuid}.metadata.json`.
fn parse_upload_file_name(name: &str) -> Option<(String, String, String)> {
    use base64::Engine as _;
    let decode = |text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
    };
    let rest = name
        .strip_prefix(".bucket-")?
        .strip_suffix(".metadata.json")?;
    let (bucket, rest) = rest.split_once(".object-")?;
    let (key, upload_id) = rest.split_once(".upload-")?;
    is_upload_id(upload_id).then_some(())?;
    Some((decode(bucket)?, decode(key)?, upload_id.to_owned()))
}

/// An upload id as s3s-fs makes them (a UUID: hex digits and dashes), so it is safe in a
/// file name.
pub fn is_upload_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f0e0d0c-0b0a-0908-0706-050403020100";
    const OTHER_ID: &str = "00000000-1111-2222-3333-444444444444";

    #[test]
    fn upload_metadata_file_names_give_bucket_key_and_id() {
        let name = format!(".bucket-ZGJt.object-dGVhbS9hLmNzdg.upload-{ID}.metadata.json");
        assert_eq!(
            parse_upload_file_name(&name),
            Some(("dbm".to_owned(), "team/a.csv".to_owned(), ID.to_owned()))
        );
        assert_eq!(
            parse_upload_file_name(".bucket-ZGJt.object-dGVhbS9hLmNzdg.metadata.json"),
            None
        );
        assert_eq!(parse_upload_file_name(&format!(".upload-{ID}.json")), None);
    }

    #[test]
    fn an_upload_without_its_metadata_file_is_removed_and_a_whole_one_is_kept() {
        let root = tempfile::tempdir().unwrap();
        let write = |name: String| std::fs::write(root.path().join(name), b"x").unwrap();
        // Cut short: the owner file and (as if) a part, no metadata.
        write(format!(".upload-{ID}.json"));
        write(format!(".upload_id-{ID}.part-1"));
        // Whole: owner, metadata and a part.
        write(format!(".upload-{OTHER_ID}.json"));
        write(format!(
            ".bucket-ZGJt.object-dGVhbS9hLmNzdg.upload-{OTHER_ID}.metadata.json"
        ));
        write(format!(".upload_id-{OTHER_ID}.part-1"));
        std::fs::create_dir(root.path().join("dbm")).unwrap();

        assert_eq!(remove_cut_short_uploads(root.path()).unwrap(), 1);

        let mut left: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                format!(".bucket-ZGJt.object-dGVhbS9hLmNzdg.upload-{OTHER_ID}.metadata.json"),
                format!(".upload-{OTHER_ID}.json"),
                format!(".upload_id-{OTHER_ID}.part-1"),
                "dbm".to_owned(),
            ]
        );
        assert_eq!(remove_cut_short_uploads(root.path()).unwrap(), 0);
    }
}
