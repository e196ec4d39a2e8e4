//! What the server benchmarks share: the release server binary started on a free port
//! over its embedded S3 (stopped when dropped), a signed-in client, and memory readings.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SERVER: &str = env!("CARGO_BIN_EXE_server");

/// The server process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts the server on `data_dir` with `settings` (on top of no demo data, quiet
    /// logs) and waits until it is ready.
    pub async fn start(data_dir: &Path, settings: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(SERVER);
        command
            .env("DBM_ADDR", format!("127.0.0.1:{port}"))
            .env("DBM_DATA_DIR", data_dir)
            .env("DBM_DEMO_DATA", "off")
            .env("DBM_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in settings {
            command.env(name, value);
        }
        let server = Self {
            child: command.spawn().unwrap(),
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if client
                .get(format!("{}/readyz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not become ready within 60 s");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server as an orchestrator does (SIGTERM) and waits for it to exit, at
    /// most its shutdown deadline and a margin; then it is killed.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..450 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("the server did not stop within 45 s of SIGTERM; killing it");
    }

    /// Signs the benchmark user up (or in, when a run before made it); a client that sends
    /// its session as a browser would (the cookie, and the page's Origin, which
    /// state-changing calls require with a cookie).
    pub async fn signed_in_client(&self) -> reqwest::Client {
        let account = [("username", "bench"), ("password", "benchmark password")];
        let anonymous = reqwest::Client::new();
        let mut response = anonymous
            .post(format!("{}{}", self.base, shared::routes::SIGN_UP))
            .form(&account)
            .send()
            .await
            .unwrap();
        if response.status() == 409 {
            response = anonymous
                .post(format!("{}{}", self.base, shared::routes::SIGN_IN))
                .form(&account)
                .send()
                .await
                .unwrap();
        }
        assert_eq!(response.status(), 200, "signing the benchmark user in");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", cookie.parse().unwrap());
        headers.insert("origin", self.base.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `/proc/PID/status` field, in KiB.
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// The median of some durations.
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}
