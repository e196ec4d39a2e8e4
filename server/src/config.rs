//! The server's configuration: one struct, every field from a flag or an environment
//! variable, checked at start. A bad value stops the server with a one-line explanation.

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use catalog::{CatalogOptions, DemoData, DemoSeed, PreviewSettings, StorageSetting};
use clap::{Parser, ValueEnum};

/// Database Manager: browse, preview and import CSV tables kept in S3.
#[derive(Debug, Clone, Parser)]
#[command(name = "server", version, about)]
pub struct Config {
    /// Address and port to serve the app on.
    #[arg(long, env = "DBM_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Where the data lives: `embedded` (an S3 server inside this process, data in
    /// DBM_DATA_DIR) or `s3://bucket/prefix` (any S3-compatible store; endpoint, region
    /// and credentials come from the standard AWS environment: AWS_ENDPOINT_URL,
    /// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...).
    #[arg(long, env = "DBM_STORAGE", default_value = "embedded")]
    pub storage: StorageSetting,

    /// Folder for the embedded S3 server's objects (created if missing; kept across restarts).
    #[arg(long, env = "DBM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Whether to write the demo databases (`school`, `sales`) when they are missing:
    /// `auto` seeds embedded storage only, `on` any storage, `off` never.
    #[arg(long, env = "DBM_DEMO_DATA", value_enum, default_value_t = DemoDataArg::Auto)]
    pub demo_data: DemoDataArg,

    /// Rows in the demo `sales.orders` table.
    #[arg(long, env = "DBM_DEMO_SALES_ROWS", default_value_t = 1_000_000)]
    pub demo_sales_rows: usize,

    /// Memory for cached table previews, in MiB (least recently used previews go first).
    #[arg(long, env = "DBM_CACHE_MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub cache_mb: u64,

    /// Seconds a database's listing is trusted before S3 is asked again: the longest a
    /// change made by another tool or replica can go unseen. Changes made through this
    /// server are seen at once.
    #[arg(long, env = "DBM_REVALIDATE_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub revalidate_secs: u64,

    /// The most one import request may upload, in MiB; larger uploads are refused with
    /// 413 before they are read.
    #[arg(long, env = "DBM_MAX_UPLOAD_MB", default_value_t = 10_240, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_upload_mb: u64,

    /// Folder with the built site (wasm, JS, CSS, assets); cargo-leptos sets this.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Log filter, in tracing's `EnvFilter` syntax (e.g. `info`, `debug`, `catalog=debug`).
    #[arg(long, env = "DBM_LOG", default_value = "info")]
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoDataArg {
    Auto,
    On,
    Off,
}

impl Config {
    pub fn catalog_options(&self) -> CatalogOptions {
        CatalogOptions {
            storage: self.storage.clone(),
            data_dir: self.data_dir.clone(),
            demo_data: match self.demo_data {
                DemoDataArg::Auto => DemoData::Auto,
                DemoDataArg::On => DemoData::On,
                DemoDataArg::Off => DemoData::Off,
            },
            demo_seed: DemoSeed {
                sales_rows: self.demo_sales_rows,
            },
            previews: PreviewSettings {
                cache_bytes: self.cache_mb * 1024 * 1024,
                revalidate_after: Duration::from_secs(self.revalidate_secs),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_the_embedded_storage_on_port_3000() {
        let config = Config::try_parse_from(["server"]).expect("defaults parse");
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.storage, StorageSetting::Embedded);
        assert_eq!(config.data_dir, PathBuf::from("./data"));
    }

    #[test]
    fn a_bad_storage_value_is_refused_with_the_reason() {
        let error = Config::try_parse_from(["server", "--storage", "ftp://x"])
            .expect_err("must be refused")
            .to_string();
        assert!(error.contains("invalid DBM_STORAGE value"), "{error}");
    }
}
