//! The `server` binary as an operator runs it: settings from the environment, an external
//! S3 store (moto), a clear one-line error when storage is unreachable, and a graceful stop
//! on SIGTERM.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{session_cookie, test_client};
use catalog::{Layout, Scope};
use futures::StreamExt as _;
use serde_json::{Value, json};
use shared::{DatabaseName, TableName, UserName};
use storage::Store;
use storage::testing::{MotoProcess, free_port};

const SERVER: &str = env!("CARGO_BIN_EXE_server");

/// The binary with a clean environment: only what the test sets, plus PATH and HOME.
fn server_command(envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(SERVER);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DBM_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Kills the child if the test fails before stopping it.
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn stop_with(mut self, signal: &str) -> Output {
        let child = self.0.take().unwrap();
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        child.wait_with_output().unwrap()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

const SECRET: &str = "binary-test-secret-0123456789abcdef";

/// `server user add NAME` with `stdin` as its input.
fn add_user(settings: &[(&str, &str)], name: &str, stdin: &str) -> Output {
    user_command(settings, &["user", "add", name], stdin)
}

/// `server user reset-password NAME` with `stdin` as its input.
fn reset_password(settings: &[(&str, &str)], name: &str, stdin: &str) -> Output {
    user_command(settings, &["user", "reset-password", name], stdin)
}

fn user_command(settings: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = server_command(settings)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Signs in through the API; the session cookie (`name=value`).
async fn sign_in(base: &str, user: &str) -> String {
    let response = test_client()
        .post(format!("{base}/api/sign_in"))
        .form(&[("username", user), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    session_cookie(&response)
}

/// A bucket (created now) on moto, as the app's store sees it.
async fn moto_bucket(moto: &MotoProcess, bucket: &str, prefix: &str) -> Store {
    moto.bucket(bucket, prefix).await
}

/// Runs the server on `storage` of `moto`, without a session secret, until it exits.
fn start_on_moto(moto: &MotoProcess, storage: &str) -> Output {
    let addr = format!("127.0.0.1:{}", free_port());
    server_command(&[
        ("DBM_STORAGE", storage),
        ("DBM_ADDR", &addr),
        ("AWS_ENDPOINT_URL", &moto.url),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ])
    .output()
    .unwrap()
}

/// The last line the process wrote to stderr: where a start-up error goes.
fn last_stderr_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.lines().last().unwrap_or_default().to_owned()
}

async fn wait_until_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{base}/readyz")).await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server at {base} did not become ready within 60 s");
}

#[tokio::test]
async fn an_external_s3_store_serves_the_same_list_as_embedded() {
    let moto = MotoProcess::start().await;
    let store = moto_bucket(&moto, "team-data", "prod").await;
    let school = DatabaseName::parse("school").unwrap();
    let students = TableName::parse("students").unwrap();
    let key = Layout::of(&store).table_key(&Scope::Default, &school, &students);
    store
        .put(&key, b"id\n1\n".to_vec(), "text/csv")
        .await
        .unwrap();
    let own = Scope::User(UserName::parse("local").unwrap());
    let mine = DatabaseName::parse("mine").unwrap();
    let notes = TableName::parse("notes").unwrap();
    let key = Layout::of(&store).table_key(&own, &mine, &notes);
    store
        .put(&key, b"id\n1\n".to_vec(), "text/csv")
        .await
        .unwrap();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let addr = format!("127.0.0.1:{port}");
    let settings = [
        ("DBM_STORAGE", "s3://team-data/prod"),
        ("DBM_ADDR", addr.as_str()),
        ("DBM_SIGNUP", "closed"),
        ("DBM_SESSION_SECRET", SECRET),
        ("DBM_REVALIDATE_SECS", "1"),
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    // The administrator creates the account from the command line, password on stdin.
    let added = add_user(&settings, "local", "correct horse battery\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout).trim(),
        "created the account local"
    );
    let again = add_user(&settings, "LOCAL", "correct horse battery\n");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already taken"));

    let child = server_command(&settings).spawn().unwrap();
    let guard = ChildGuard(Some(child));
    wait_until_ready(&base).await;

    let cookie = sign_in(&base, "local").await;
    let body: Value = test_client()
        .get(format!("{base}/api/databases"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!([
            {"name": "mine", "table_count": 1, "tables": ["notes"], "formats": ["csv"], "is_default": false},
            {"name": "school", "table_count": 1, "tables": ["students"], "formats": ["csv"], "is_default": true},
        ])
    );

    // The administrator resets the password: the account is signed out everywhere (on the
    // running server within DBM_REVALIDATE_SECS) and the new password works.
    let reset = reset_password(&settings, "local", "a fresh password here\n");
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&reset.stdout).trim(),
        "set a new password for local and signed it out everywhere"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let old_cookie = test_client()
        .get(format!("{base}/api/databases"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(old_cookie.status(), 401);
    let signed_in = test_client()
        .post(format!("{base}/api/sign_in"))
        .form(&[("username", "local"), ("password", "a fresh password here")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let nobody = reset_password(&settings, "nobody", "a fresh password here\n");
    assert_eq!(nobody.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no account named"));
    let output = guard.stop_with("-TERM");
    assert!(output.status.success());
}

#[tokio::test]
async fn an_unreachable_endpoint_stops_the_server_with_a_one_line_error() {
    let closed_port = free_port();
    let endpoint = format!("http://127.0.0.1:{closed_port}");
    let addr = format!("127.0.0.1:{}", free_port());
    let output = server_command(&[
        ("DBM_STORAGE", "s3://some-bucket/prefix"),
        ("DBM_ADDR", &addr),
        ("AWS_ENDPOINT_URL", &endpoint),
        ("AWS_ACCESS_KEY_ID", "x"),
        ("AWS_SECRET_ACCESS_KEY", "y"),
    ])
    .output()
    .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last_line = last_stderr_line(&output);
    assert!(
        last_line.starts_with("error: cannot open the storage (s3://some-bucket/prefix)"),
        "{stderr}"
    );
    assert!(last_line.contains("Connection refused"), "{last_line}");
    assert!(last_line.contains("Check AWS_ENDPOINT_URL"), "{last_line}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn external_storage_without_a_session_secret_says_how_to_make_one() {
    let moto = MotoProcess::start().await;
    moto_bucket(&moto, "shared-bucket", "").await;
    let output = start_on_moto(&moto, "s3://shared-bucket");
    assert_eq!(output.status.code(), Some(1));
    let last_line = last_stderr_line(&output);
    assert!(
        last_line.contains("DBM_SESSION_SECRET is not set"),
        "{last_line}"
    );
    assert!(last_line.contains("openssl rand -hex 32"), "{last_line}");
}

#[tokio::test]
async fn a_missing_bucket_says_to_create_it() {
    let moto = MotoProcess::start().await;
    let output = start_on_moto(&moto, "s3://no-such-bucket");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Create the bucket"), "{stderr}");
}

#[test]
fn a_bad_setting_is_refused_before_anything_starts() {
    let output = server_command(&[("DBM_STORAGE", "ftp://files")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid DBM_STORAGE value"), "{stderr}");
}

#[tokio::test]
async fn sigterm_drains_and_stops_the_server_and_restart_keeps_the_data() {
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path().to_str().unwrap().to_owned();
    let start = |port: u16| {
        let addr = format!("127.0.0.1:{port}");
        server_command(&[
            ("DBM_DATA_DIR", &data),
            ("DBM_ADDR", &addr),
            ("DBM_DEMO_SALES_ROWS", "1000"),
        ])
        .spawn()
        .unwrap()
    };

    let port = free_port();
    let guard = ChildGuard(Some(start(port)));
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;
    let signed_up = test_client()
        .post(format!("{base}/api/sign_up"))
        .form(&[("username", "dana"), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 200);
    let cookie = session_cookie(&signed_up);
    let list = |base: String, cookie: String| async move {
        let response = test_client()
            .get(format!("{base}/api/databases"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "the session outlives a restart");
        response.json::<Value>().await.unwrap()
    };
    let first = list(base.clone(), cookie.clone()).await;
    let output = guard.stop_with("-TERM");
    assert!(output.status.success(), "exit status {:?}", output.status);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");

    let port = free_port();
    let guard = ChildGuard(Some(start(port)));
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;
    // The generated session secret was kept in the data folder: still signed in.
    let second = list(base.clone(), cookie).await;
    assert_eq!(first, second);
    let output = guard.stop_with("-TERM");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("seeded a demo database"),
        "a restart must not seed again: {stderr}"
    );
}

/// Starts a slow import (1 MiB every 50 ms) through `base` as a new user; returns once its
/// multipart upload exists, as `uploads_exist` tells.
async fn start_slow_import(base: &str, uploads_exist: &impl AsyncFn() -> bool) {
    let signed_up = test_client()
        .post(format!("{base}/api/sign_up"))
        .form(&[("username", "kim"), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 200);
    let cookie = session_cookie(&signed_up);
    let chunks = futures::stream::iter(0..400).then(|index: u32| async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut chunk = if index == 0 {
            "id,text\n".to_owned()
        } else {
            String::new()
        };
        while chunk.len() < 1024 * 1024 {
            chunk.push_str("1,killed mid-upload\n");
        }
        Ok::<bytes::Bytes, std::io::Error>(bytes::Bytes::from(chunk))
    });
    let file = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(chunks))
        .file_name("big.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("database", "doomed")
        .part("file", file);
    let request = test_client()
        .post(format!("{base}/api/import_tables"))
        .header("cookie", cookie)
        .header("origin", base)
        .multipart(form)
        .send();
    tokio::spawn(request);
    let waited = Instant::now();
    while !uploads_exist().await {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the upload never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts the server (`start` on a port), kills it (SIGKILL) in the middle of an import,
/// starts it again and waits until its sweep leaves no upload; the running server.
async fn kill_mid_import_and_start_again(
    start: impl Fn(u16) -> ChildGuard,
    uploads_exist: impl AsyncFn() -> bool,
) -> ChildGuard {
    let port = free_port();
    let guard = start(port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;
    start_slow_import(&base, &uploads_exist).await;
    guard.stop_with("-KILL");
    assert!(uploads_exist().await, "a killed process aborts nothing");

    let port = free_port();
    let guard = start(port);
    wait_until_ready(&format!("http://127.0.0.1:{port}")).await;
    wait_until_swept(uploads_exist).await;
    guard
}

/// Waits (at most 30 s) until `uploads_exist` says none are left.
async fn wait_until_swept(uploads_exist: impl AsyncFn() -> bool) {
    let waited = Instant::now();
    while uploads_exist().await {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the killed server's upload is still there 30 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_killed_servers_upload_is_gone_after_the_next_start_on_embedded_storage() {
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path().to_str().unwrap().to_owned();
    let start = |port: u16| {
        let addr = format!("127.0.0.1:{port}");
        let settings = [
            ("DBM_DATA_DIR", data.as_str()),
            ("DBM_ADDR", addr.as_str()),
            ("DBM_DEMO_DATA", "off"),
        ];
        ChildGuard(Some(server_command(&settings).spawn().unwrap()))
    };
    let uploads_exist =
        async || !storage::testing::embedded_incomplete_uploads(data_dir.path()).is_empty();
    let guard = kill_mid_import_and_start_again(start, uploads_exist).await;
    // The sweep aborts the upload, then deletes its journal entry: wait for both.
    let journal = data_dir.path().join("dbm/system/uploads");
    let entries = || std::fs::read_dir(&journal).map_or(0, |entries| entries.count());
    let waited = Instant::now();
    while entries() > 0 && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        entries(),
        0,
        "journal entries left in {}",
        journal.display()
    );
    guard.stop_with("-TERM");
}

#[tokio::test]
async fn a_killed_servers_upload_is_gone_after_the_next_start_on_moto() {
    let moto = MotoProcess::start().await;
    let store = moto_bucket(&moto, "team-data", "prod").await;
    let start = |port: u16| {
        let addr = format!("127.0.0.1:{port}");
        let settings = [
            ("DBM_STORAGE", "s3://team-data/prod"),
            ("DBM_ADDR", addr.as_str()),
            ("DBM_SESSION_SECRET", SECRET),
            // Short, so the test need not wait five minutes for the entry to go stale.
            ("DBM_UPLOAD_STALE_SECS", "2"),
            ("AWS_ENDPOINT_URL", moto.url.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ];
        ChildGuard(Some(server_command(&settings).spawn().unwrap()))
    };
    let uploads_exist = async || !store.incomplete_uploads().await.unwrap().is_empty();
    let guard = kill_mid_import_and_start_again(start, uploads_exist).await;
    assert_eq!(store.upload_journal().await.unwrap(), Vec::new());
    guard.stop_with("-TERM");
}
