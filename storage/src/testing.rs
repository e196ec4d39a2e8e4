//! Test support (feature `testing`): a fresh, real S3 server per test, reached over HTTP on
//! loopback. Used by the integration tests of every crate above this one.
//!
//! - [`embedded`]: the app's own s3s-fs server on a temporary folder.
//! - [`moto`]: moto's standalone server (`moto_server`, installed by `make test`), a second,
//!   independent S3 implementation, so the suites prove the code speaks S3.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{EmbeddedS3, S3Meter, StaticEndpoint, Store};

/// A store on a real S3 server, and whatever keeps that server alive.
pub struct TestS3 {
    store: Store,
    pub endpoint: StaticEndpoint,
    server: ServerGuard,
}

/// Keeps the test's S3 server (and its folder) alive as long as the store.
enum ServerGuard {
    Embedded {
        server: EmbeddedS3,
        _dir: tempfile::TempDir,
    },
    Moto {
        _process: MotoProcess,
    },
}

/// Which S3 server a suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Embedded,
    Moto,
}

impl Server {
    /// A fresh server of this kind, with a store under `prefix`.
    pub async fn start(self, prefix: &str) -> TestS3 {
        match self {
            Server::Embedded => embedded(prefix).await,
            Server::Moto => moto(prefix).await,
        }
    }
}

impl TestS3 {
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The embedded server's meter (requests and body bytes it served).
    pub fn meter(&self) -> Option<Arc<S3Meter>> {
        match &self.server {
            ServerGuard::Embedded { server, .. } => Some(server.meter()),
            ServerGuard::Moto { .. } => None,
        }
    }

    /// Multipart uploads started and neither completed nor aborted: moto's listing, and on
    /// the embedded server its upload files (as a check independent of its listing).
    pub async fn incomplete_uploads(&self) -> usize {
        match &self.server {
            ServerGuard::Embedded { server, .. } => {
                embedded_incomplete_uploads(server.data_dir()).len()
            }
            ServerGuard::Moto { .. } => {
                self.other_store().incomplete_uploads().await.unwrap().len()
            }
        }
    }

    /// Writes many objects at once straight into the embedded server's folder (a fixture
    /// shortcut for tests that need thousands of objects; they are then read over HTTP like
    /// any other). `None` on other servers.
    pub fn write_files_behind_the_server(&self, keys: &[String], body: &[u8]) -> Option<()> {
        let ServerGuard::Embedded { server, .. } = &self.server else {
            return None;
        };
        let bucket_dir = server.data_dir().join(crate::EMBEDDED_BUCKET);
        for key in keys {
            let path = bucket_dir.join(key);
            std::fs::create_dir_all(path.parent()?).unwrap();
            std::fs::write(&path, body).unwrap();
        }
        Some(())
    }

    /// Every key in the bucket, sorted: compare before and after to see what changed.
    pub async fn all_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .other_store()
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|object| object.key)
            .collect();
        keys.sort();
        keys
    }

    /// The same bucket through a second client and without the prefix, as another tool
    /// (e.g. `aws s3 cp`) would reach it.
    pub fn other_store(&self) -> Store {
        Store::for_endpoint(&self.endpoint, self.store.bucket(), "")
    }

    /// The same bucket and prefix through `proxy` (which stands in front of this server).
    pub fn store_through(&self, proxy: &crate::fault_proxy::FaultProxy) -> Store {
        let endpoint = StaticEndpoint {
            url: proxy.url.clone(),
            ..self.endpoint.clone()
        };
        Store::for_endpoint(&endpoint, self.store.bucket(), self.store.prefix())
    }

    /// A fault proxy in front of this server.
    pub async fn fault_proxy(&self) -> crate::fault_proxy::FaultProxy {
        let target = self
            .endpoint
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        crate::fault_proxy::FaultProxy::start(&target).await
    }

    /// Writes an object behind the app's back.
    pub async fn put_raw(&self, key: &str, body: &[u8]) {
        self.other_store()
            .put(key, body.to_vec(), "text/csv")
            .await
            .unwrap_or_else(|error| panic!("writing {key}: {error}"));
    }
}

/// Multipart uploads the embedded server holds unfinished in `data_dir`: the `.upload…`
/// files s3s-fs keeps per upload and per part, read from the folder itself.
pub fn embedded_incomplete_uploads(data_dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(data_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(".upload"))
                .collect()
        })
        .unwrap_or_default()
}

/// The embedded server on a temporary folder, with a store under `prefix`.
pub async fn embedded(prefix: &str) -> TestS3 {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedS3::start(dir.path()).await.unwrap();
    let store = server.store(prefix).await.unwrap();
    TestS3 {
        store,
        endpoint: server.endpoint().clone(),
        server: ServerGuard::Embedded { server, _dir: dir },
    }
}

/// A moto server, with a store under `prefix`.
pub async fn moto(prefix: &str) -> TestS3 {
    let process = MotoProcess::start().await;
    TestS3 {
        store: process.bucket("dbm-test", prefix).await,
        endpoint: process.endpoint(),
        server: ServerGuard::Moto { _process: process },
    }
}

/// A `moto_server` child process on a free loopback port, killed when dropped.
pub struct MotoProcess {
    child: Child,
    pub url: String,
}

impl MotoProcess {
    /// Starts `moto_server` (or `$MOTO_SERVER`) on a free port and waits until it listens.
    pub async fn start() -> Self {
        let program = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {program:?} ({error}); install it with \
                     `pip install 'moto[server]'` (make test does) or set MOTO_SERVER"
                )
            });
        let process = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        process.wait_until_listening(port).await;
        process
    }

    /// A store on a bucket of this server, created now, under `prefix`.
    pub async fn bucket(&self, bucket: &str, prefix: &str) -> Store {
        let store = Store::for_endpoint(&self.endpoint(), bucket, prefix);
        store.ensure_bucket().await.unwrap();
        store
    }

    /// moto accepts any credentials; these are the conventional ones.
    pub fn endpoint(&self) -> StaticEndpoint {
        StaticEndpoint {
            url: self.url.clone(),
            access_key: "testing".into(),
            secret_key: "testing".into(),
        }
    }

    async fn wait_until_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not listen on port {port} within 30 s");
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap()
}

/// Runs a suite on both S3 servers: for each named test function `async fn(T)`, a
/// `#[tokio::test]` in module `embedded` and one in module `moto`, each handing the test
/// `$fixture(Server::Embedded).await` or `$fixture(Server::Moto).await` (`$fixture` is any
/// `async fn(Server) -> T`, named by a path that resolves in the invoking module).
///
/// ```ignore
/// async fn fixture(server: Server) -> TestS3 { server.start("").await }
/// async fn lists_nothing_when_empty(s3: TestS3) { /* ... */ }
/// storage::on_both_servers!(fixture => lists_nothing_when_empty);
/// ```
#[macro_export]
macro_rules! on_both_servers {
    ($fixture:path => $($test:ident),* $(,)?) => {
        $crate::on_both_servers!(@on embedded Embedded, $fixture => $($test),*);
        $crate::on_both_servers!(@on moto Moto, $fixture => $($test),*);
    };
    (@on $module:ident $server:ident, $fixture:path => $($test:ident),*) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test]
            async fn $test() {
                super::$test($fixture($crate::testing::Server::$server).await).await;
            })*
        }
    };
}

/// A fresh folder for a benchmark's data, removed when dropped: under `DBM_BENCH_DIR` when
/// set (benchmarks write gigabytes), else in the system's temporary folder.
pub fn bench_dir() -> tempfile::TempDir {
    match std::env::var("DBM_BENCH_DIR") {
        Ok(dir) => tempfile::tempdir_in(&dir)
            .unwrap_or_else(|error| panic!("cannot make a folder in DBM_BENCH_DIR={dir}: {error}")),
        Err(_) => {
            tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"))
        }
    }
}

/// Runs a Python script that times a peer tool (polars, boto3) for a benchmark; returns what
/// it printed, or a line that says how to get the peer when its `module` is missing.
pub fn run_python_peer(script: &str, module: &str) -> Result<String, String> {
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .output()
        .map_err(|error| format!("python3 not found ({error})"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(if stderr.contains(&format!("No module named '{module}'")) {
            format!("{module} is not installed: `pip install {module}`, then run again")
        } else {
            format!("{module} failed: {}", stderr.trim())
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Uploads a file as it is, through [`Store::writer`] (multipart, nothing checked): how the
/// benchmarks put data in place as another tool would, and time a plain upload.
pub async fn upload_file(store: &Store, key: &str, path: &std::path::Path) {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path)
        .await
        .unwrap_or_else(|error| panic!("opening {}: {error}", path.display()));
    let mut writer = store.writer(key, "text/csv");
    let mut buffer = vec![0; 1024 * 1024];
    loop {
        let read = file
            .read(&mut buffer)
            .await
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        if read == 0 {
            break;
        }
        writer
            .write(&buffer[..read])
            .await
            .unwrap_or_else(|error| panic!("uploading {key}: {error}"));
    }
    writer
        .finish()
        .await
        .unwrap_or_else(|error| panic!("completing {key}: {error}"));
}
