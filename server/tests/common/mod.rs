//! The app started in-process on a free port over a real embedded S3 server.

#![allow(dead_code, clippy::unwrap_used)]

use clap::Parser;
use server::RunningServer;
use server::config::Config;

pub struct TestApp {
    pub base: String,
    pub server: RunningServer,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// With extra command-line settings, e.g. `["--max-upload-mb", "1"]`.
    pub async fn spawn_with(extra: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "server",
            "--addr",
            "127.0.0.1:0",
            "--storage",
            "embedded",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
            "--demo-data",
            "auto",
            "--demo-sales-rows",
            "2000",
        ];
        args.extend_from_slice(extra);
        let config = Config::try_parse_from(args).unwrap();
        let server = server::start(&config).await.unwrap();
        Self {
            base: format!("http://{}", server.address),
            server,
            http: reqwest::Client::new(),
            data_dir,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Files of multipart uploads started and not finished (s3s-fs keeps them in its folder).
    pub fn incomplete_uploads(&self) -> Vec<String> {
        std::fs::read_dir(self.data_dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".upload"))
            .collect()
    }
}
