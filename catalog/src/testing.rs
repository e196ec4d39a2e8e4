//! Test support (feature `testing`): a fresh, real S3 server per test, reached over HTTP on
//! loopback. Used by this crate's integration tests and by the server's.
//!
//! - [`embedded`]: the app's own s3s-fs server on a temporary folder.
//! - [`moto`]: moto's standalone server (`moto_server`, installed by `make test`), a second,
//!   independent S3 implementation, so the suite proves the code speaks S3.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::{Catalog, EmbeddedS3, Layout, PreviewSettings, S3Meter, StaticEndpoint, Store};

/// A catalog over a real S3 server, and whatever keeps that server alive.
pub struct TestStore {
    pub catalog: Catalog,
    pub endpoint: StaticEndpoint,
    _server: ServerGuard,
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

impl TestStore {
    pub fn store(&self) -> &Store {
        self.catalog.store()
    }

    /// The embedded server's meter (requests and body bytes it served).
    pub fn meter(&self) -> Option<Arc<S3Meter>> {
        match &self._server {
            ServerGuard::Embedded { server, .. } => Some(server.meter()),
            ServerGuard::Moto { .. } => None,
        }
    }

    /// Multipart uploads started and neither completed nor aborted. moto lists them; the
    /// embedded server (which cannot list them) keeps one file per upload in its folder.
    pub async fn incomplete_uploads(&self) -> usize {
        match &self._server {
            ServerGuard::Embedded { server, .. } => std::fs::read_dir(server.data_dir())
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".upload"))
                        .count()
                })
                .unwrap_or(0),
            ServerGuard::Moto { .. } => self
                .store()
                .client()
                .list_multipart_uploads()
                .bucket(self.store().bucket())
                .send()
                .await
                .map(|output| output.uploads().len())
                .unwrap(),
        }
    }

    /// Every key in the bucket, sorted: compare before and after to see what changed.
    pub async fn all_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .store()
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|object| object.key)
            .collect();
        keys.sort();
        keys
    }

    /// A second client, as another tool (e.g. `aws s3 cp`) would be.
    pub fn other_client(&self) -> aws_sdk_s3::Client {
        crate::s3_client::client_for_endpoint(&self.endpoint)
    }

    /// Writes an object behind the catalog's back.
    pub async fn put_raw(&self, key: &str, body: &[u8]) {
        self.store()
            .put(key, body.to_vec(), "text/csv")
            .await
            .unwrap_or_else(|error| panic!("writing {key}: {error}"));
    }
}

pub async fn embedded() -> TestStore {
    embedded_with_prefix("").await
}

pub async fn embedded_with_prefix(prefix: &str) -> TestStore {
    embedded_with(prefix, PreviewSettings::default()).await
}

/// An embedded store whose catalog caches previews as `previews` says.
pub async fn embedded_with(prefix: &str, previews: PreviewSettings) -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedS3::start(dir.path()).await.unwrap();
    let endpoint = server.endpoint().clone();
    let client = crate::s3_client::client_for_endpoint(&endpoint);
    let store =
        Store::new(client, crate::EMBEDDED_BUCKET, Layout::new(prefix)).with_unsigned_payloads();
    store.ensure_bucket().await.unwrap();
    TestStore {
        catalog: Catalog::from_store(store, "embedded test store", previews),
        endpoint,
        _server: ServerGuard::Embedded { server, _dir: dir },
    }
}

pub async fn moto() -> TestStore {
    moto_with_prefix("").await
}

pub async fn moto_with_prefix(prefix: &str) -> TestStore {
    let process = MotoProcess::start().await;
    let endpoint = process.endpoint();
    let client = crate::s3_client::client_for_endpoint(&endpoint);
    let store = Store::new(client, "dbm-test", Layout::new(prefix));
    store.ensure_bucket().await.unwrap();
    TestStore {
        catalog: Catalog::from_store(store, "moto test store", PreviewSettings::default()),
        endpoint,
        _server: ServerGuard::Moto { _process: process },
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
