//! ListObjectsV2 for the embedded server, walking the folder in key order.
//!
//! s3s-fs answers every listing page by walking the whole bucket folder, statting every
//! file and sorting the lot, so one page of a prefix cost as much as listing everything
//! (1.5 s for a bucket of 11,000 objects). This walk starts at the folder the prefix names,
//! visits entries in S3 key order (a folder sorts as its name followed by `/`), skips whole
//! folders that lie before the resume point, and stops once the page is full: a page costs
//! what it returns, whatever else the bucket holds.
//!
//! It answers what s3s-fs would (the same objects, sizes and modification times, no ETag,
//! the last key returned as the continuation token); only the `/` delimiter (or none) is
//! supported here, other delimiters are left to s3s-fs.

use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// One object found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundObject {
    pub key: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// What one page holds, in key order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub objects: Vec<FoundObject>,
    /// Common prefixes (with a delimiter only), each ending in `/`.
    pub prefixes: Vec<String>,
    /// More entries follow; resume after the last one returned.
    pub truncated: bool,
    /// The last key or prefix returned (the continuation token when truncated).
    pub last: Option<String>,
}

/// A listing request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub prefix: &'a str,
    /// Group keys at the next `/` after the prefix.
    pub delimited: bool,
    /// Only keys (and prefixes) after this one.
    pub after: Option<&'a str>,
    pub max_keys: usize,
}

/// Lists `bucket_dir` as an S3 bucket. A missing folder lists as empty.
pub fn list_page(bucket_dir: &Path, request: Request<'_>) -> io::Result<Page> {
    let mut walk = Walk {
        request,
        page: Page::default(),
    };
    if request.max_keys == 0 {
        return Ok(walk.page);
    }
    // The folder the prefix names up to its last `/`; the rest filters that folder's entries.
    let (folder_key, _) = request
        .prefix
        .rsplit_once('/')
        .map_or(("", request.prefix), |(folder, rest)| (folder, rest));
    let folder_key = if request.prefix.contains('/') {
        format!("{folder_key}/")
    } else {
        String::new()
    };
    let start = bucket_dir.join(&folder_key);
    match walk.folder(&start, &folder_key) {
        Ok(()) | Err(Stop::Full) => {}
        Err(Stop::Io(error)) if error.kind() == io::ErrorKind::NotFound => {}
        Err(Stop::Io(error)) => return Err(error),
    }
    Ok(walk.page)
}

enum Stop {
    /// The page is full and one more entry was seen.
    Full,
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        Stop::Io(error)
    }
}

struct Walk<'a> {
    request: Request<'a>,
    page: Page,
}

impl Walk<'_> {
    /// Visits the folder whose keys start with `folder_key` (which ends in `/`, or is empty).
    fn folder(&mut self, dir: &Path, folder_key: &str) -> Result<(), Stop> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue; // not a key s3s-fs can name either
            };
            let is_dir = entry.file_type()?.is_dir();
            let sort_key = if is_dir { format!("{name}/") } else { name };
            entries.push((sort_key, is_dir, entry.path()));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (name, is_dir, path) in entries {
            let key = format!("{folder_key}{name}");
            if is_dir {
                self.subfolder(&path, &key)?;
            } else {
                self.file(&path, key)?;
            }
        }
        Ok(())
    }

    /// A folder: a common prefix when the listing groups there, else walked into. Folders
    /// wholly outside the prefix or before the resume point are skipped unread.
    fn subfolder(&mut self, dir: &Path, key: &str) -> Result<(), Stop> {
        let prefix = self.request.prefix;
        if !(key.starts_with(prefix) || prefix.starts_with(key)) {
            return Ok(());
        }
        if let Some(after) = self.request.after
            && key <= after
            && !after.starts_with(key)
        {
            return Ok(());
        }
        if self.request.delimited && key.len() > prefix.len() {
            // Everything below groups into `key`; S3 shows it only if some object is there.
            if self.request.after.is_some_and(|after| key <= after) || !has_file(dir)? {
                return Ok(());
            }
            return self.push(Entry::Prefix(key.to_owned()));
        }
        self.folder(dir, key)
    }

    fn file(&mut self, path: &Path, key: String) -> Result<(), Stop> {
        if !key.starts_with(self.request.prefix)
            || self
                .request
                .after
                .is_some_and(|after| key.as_str() <= after)
        {
            return Ok(());
        }
        let metadata = fs::metadata(path)?;
        self.push(Entry::Object(FoundObject {
            key,
            size: metadata.len(),
            modified: metadata.modified()?,
        }))
    }

    fn push(&mut self, entry: Entry) -> Result<(), Stop> {
        let page = &mut self.page;
        if page.objects.len() + page.prefixes.len() == self.request.max_keys {
            page.truncated = true;
            return Err(Stop::Full);
        }
        match entry {
            Entry::Object(object) => {
                page.last = Some(object.key.clone());
                page.objects.push(object);
            }
            Entry::Prefix(prefix) => {
                page.last = Some(prefix.clone());
                page.prefixes.push(prefix);
            }
        }
        Ok(())
    }
}

enum Entry {
    Object(FoundObject),
    Prefix(String),
}

/// Whether any file lies somewhere under `dir`.
fn has_file(dir: &Path) -> io::Result<bool> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() || has_file(&entry.path())? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(keys: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for key in keys {
            let path = dir.path().join(key);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, key.as_bytes()).unwrap();
        }
        dir
    }

    fn keys(dir: &Path, prefix: &str, delimited: bool, max_keys: usize) -> Vec<String> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = list_page(
                dir,
                Request {
                    prefix,
                    delimited,
                    after: after.as_deref(),
                    max_keys,
                },
            )
            .unwrap();
            all.extend(page.objects.iter().map(|object| object.key.clone()));
            all.extend(page.prefixes.iter().cloned());
            if !page.truncated {
                return all;
            }
            after = page.last;
        }
    }

    const KEYS: &[&str] = &[
        "a-b",
        "a/x.csv",
        "a/y/z.csv",
        "ab/1.csv",
        "b.csv",
        "meta/default/d1/database.json",
        "meta/default/d1/stats/t.json",
        "meta/default/d2/database.json",
    ];

    #[test]
    fn keys_come_in_s3_order_across_folders_and_pages() {
        let dir = bucket(KEYS);
        let mut expected: Vec<String> = KEYS.iter().map(|key| (*key).to_owned()).collect();
        expected.sort();
        // `a-b` sorts before `a/…` ('-' < '/'), though the folder `a` sorts before the file.
        assert_eq!(expected[0], "a-b");
        for max_keys in [1, 2, 3, 1000] {
            assert_eq!(
                keys(dir.path(), "", false, max_keys),
                expected,
                "{max_keys}"
            );
        }
    }

    #[test]
    fn a_prefix_narrows_to_its_folder_and_may_end_inside_a_name() {
        let dir = bucket(KEYS);
        assert_eq!(
            keys(dir.path(), "a/", false, 1),
            vec!["a/x.csv", "a/y/z.csv"]
        );
        assert_eq!(
            keys(dir.path(), "a", false, 2),
            vec!["a-b", "a/x.csv", "a/y/z.csv", "ab/1.csv"]
        );
        assert_eq!(
            keys(dir.path(), "meta/default/d1", false, 1000),
            vec![
                "meta/default/d1/database.json",
                "meta/default/d1/stats/t.json"
            ]
        );
        assert!(keys(dir.path(), "nothing/", false, 10).is_empty());
    }

    #[test]
    fn a_delimiter_groups_folders_into_prefixes_and_pages_through_them() {
        let dir = bucket(KEYS);
        assert_eq!(
            keys(dir.path(), "meta/default/", true, 1),
            vec!["meta/default/d1/", "meta/default/d2/"]
        );
        assert_eq!(keys(dir.path(), "a/", true, 1000), vec!["a/x.csv", "a/y/"]);
        assert_eq!(
            keys(dir.path(), "", true, 1000),
            vec!["a-b", "b.csv", "a/", "ab/", "meta/"]
        );
    }

    #[test]
    fn empty_folders_are_not_prefixes() {
        let dir = bucket(&["p/one/t.csv"]);
        fs::create_dir_all(dir.path().join("p/empty/inner")).unwrap();
        assert_eq!(keys(dir.path(), "p/", true, 1000), vec!["p/one/"]);
        assert_eq!(keys(dir.path(), "p/", false, 1000), vec!["p/one/t.csv"]);
    }

    #[test]
    fn sizes_come_from_the_files_and_zero_keys_is_an_empty_page() {
        let dir = bucket(&["k/abc"]);
        let page = list_page(
            dir.path(),
            Request {
                prefix: "k/",
                delimited: false,
                after: None,
                max_keys: 5,
            },
        )
        .unwrap();
        assert_eq!(page.objects[0].size, 5);
        assert!(!page.truncated);
        let empty = list_page(
            dir.path(),
            Request {
                prefix: "",
                delimited: false,
                after: None,
                max_keys: 0,
            },
        )
        .unwrap();
        assert_eq!(empty, Page::default());
    }
}
