//! The server's configuration: one struct, every field from a flag or an environment
//! variable, checked at start. A bad value stops the server with a one-line explanation.

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use auth::AuthSettings;
use catalog::csv::profile::ColumnProfiling;
use catalog::{CatalogOptions, DemoData, DemoSeed, PreviewSettings};
use clap::{Parser, Subcommand, ValueEnum};
use storage::StorageSetting;

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

    /// Whether imports and background scans profile every column of a table (empty cells,
    /// distinct values, ranges, top values, histograms): `on`, or `off` to save the CPU
    /// they cost.
    #[arg(long, env = "DBM_COLUMN_PROFILES", value_enum, default_value_t = Switch::On)]
    pub column_profiles: Switch,

    /// The most one import request may upload, in MiB; larger uploads are refused with
    /// 413 before they are read.
    #[arg(long, env = "DBM_MAX_UPLOAD_MB", default_value_t = 10_240, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_upload_mb: u64,

    /// On SIGTERM, how long requests in flight may go on, in seconds; then imports still
    /// running are stopped (their uploads aborted, nothing kept) and downloads cut off.
    #[arg(long, env = "DBM_SHUTDOWN_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3_600))]
    pub shutdown_secs: u64,

    /// The most a client may take to send a request's headers, in seconds; a half-sent
    /// request is disconnected then.
    #[arg(long, env = "DBM_HEADER_READ_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_read_secs: u64,

    /// The most a page render or an API call (other than imports and downloads) may take,
    /// in seconds; a render still running then is stopped with an error. Storage calls
    /// have a shorter deadline of their own: this one catches a render that never ends.
    #[arg(long, env = "DBM_PAGE_DEADLINE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub page_deadline_secs: u64,

    /// Connections served at once; more wait until one closes. Keep it under the process's
    /// file descriptor limit (`ulimit -n`), with room for S3 connections.
    #[arg(long, env = "DBM_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// A multipart upload whose process stopped refreshing it (killed, crashed) for this
    /// many seconds is aborted by the next sweep (at start-up, then every half of this).
    /// Running uploads refresh every 60 s while data flows. With embedded storage every
    /// recorded upload is aborted at start-up: nothing else can be writing to it.
    #[arg(long, env = "DBM_UPLOAD_STALE_SECS", default_value_t = storage::journal::DEFAULT_STALE_AFTER.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub upload_stale_secs: u64,

    /// An import whose client sends nothing for this many seconds is stopped (its upload
    /// aborted, nothing kept).
    #[arg(long, env = "DBM_BODY_IDLE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub body_idle_secs: u64,

    /// Folder with the built site (wasm, JS, CSS, assets); cargo-leptos sets this.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Log filter, in tracing's `EnvFilter` syntax (e.g. `info`, `debug`, `catalog=debug`).
    #[arg(long, env = "DBM_LOG", default_value = "info")]
    pub log: String,

    /// Whether anyone may create an account on the sign-up page (`open`), or only the
    /// administrator with `server user add NAME` (`closed`).
    #[arg(long, env = "DBM_SIGNUP", value_enum, default_value_t = Signup::Open)]
    pub signup: Signup,

    /// The key session cookies are signed with: at least 32 random characters (e.g.
    /// `openssl rand -hex 32`), the same on every replica. Changing it signs everyone out.
    /// Required for `s3://` storage; with embedded storage one is generated and kept in
    /// DBM_DATA_DIR/session-secret when this is not set.
    #[arg(long, env = "DBM_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<Secret>,

    /// How long a sign-in lasts, in days.
    #[arg(long, env = "DBM_SESSION_DAYS", default_value_t = 14, value_parser = clap::value_parser!(u64).range(1..=365))]
    pub session_days: u64,

    /// The address people open, e.g. `https://data.example.com`, when the app sits behind
    /// a proxy. With `https://`, cookies are `Secure` and browsers are told to use https
    /// only; state-changing requests must come from this origin. Unset: from the `Host`
    /// the request was sent to.
    #[arg(long, env = "DBM_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<PublicUrl>,

    /// A header your proxy sets to the client's address (e.g. `X-Real-IP`, or
    /// `X-Forwarded-For`, whose last entry is used), for sign-in rate limits per client.
    /// Unset: the address that connected, which behind a proxy is the proxy.
    #[arg(long, env = "DBM_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<http::HeaderName>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do instead of serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Manage accounts (e.g. where DBM_SIGNUP=closed).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (one line).
    Add {
        /// The username: 1 to 64 letters, digits, '_' or '-', starting with a letter or a
        /// digit; capitals are folded to lowercase.
        name: String,
    },
    /// Set a new password for an account (read from standard input, one line) and sign it
    /// out everywhere (its API tokens keep working).
    ResetPassword {
        /// The account's username.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signup {
    Open,
    Closed,
}

/// A setting that must not appear in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// `DBM_PUBLIC_URL`, reduced to what the app needs: its origin and whether it is https.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub origin: String,
    pub https: bool,
}

fn parse_public_url(value: &str) -> Result<PublicUrl, String> {
    let value = value.trim().trim_end_matches('/');
    let (scheme, rest) = value
        .split_once("://")
        .ok_or_else(|| format!("{value:?} is not a URL; write it like https://data.example.com"))?;
    let https = match scheme {
        "https" => true,
        "http" => false,
        _ => return Err(format!("{value:?} must start with https:// or http://")),
    };
    if rest.is_empty() || rest.contains('/') {
        return Err(format!(
            "{value:?} must be just the scheme and host (and port), e.g. https://data.example.com"
        ));
    }
    Ok(PublicUrl {
        origin: format!("{scheme}://{}", rest.to_ascii_lowercase()),
        https,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoDataArg {
    Auto,
    On,
    Off,
}

impl Config {
    pub fn auth_settings(&self) -> AuthSettings {
        AuthSettings {
            signup_open: self.signup == Signup::Open,
            session_lifetime: Duration::from_secs(self.session_days * 24 * 3600),
            secure_cookies: self.public_url.as_ref().is_some_and(|url| url.https),
            // A token revoked or a session ended through another replica stops working
            // here as soon as a change made by another replica is seen anywhere else.
            recheck_after: Duration::from_secs(self.revalidate_secs),
            ..AuthSettings::default()
        }
    }

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
                column_profiling: match self.column_profiles {
                    Switch::On => ColumnProfiling::On,
                    Switch::Off => ColumnProfiling::Off,
                },
                background_scans: true,
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
    fn the_public_url_gives_the_origin_and_the_scheme() {
        let config =
            Config::try_parse_from(["server", "--public-url", "https://Data.Example.com/"])
                .unwrap();
        assert_eq!(
            config.public_url,
            Some(PublicUrl {
                origin: "https://data.example.com".to_owned(),
                https: true
            })
        );
        for bad in ["data.example.com", "ftp://x", "https://x/app"] {
            assert!(
                Config::try_parse_from(["server", "--public-url", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_session_secret_never_shows_in_debug_output() {
        let config =
            Config::try_parse_from(["server", "--session-secret", "hunter2-hunter2"]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn user_add_is_a_subcommand() {
        let config = Config::try_parse_from(["server", "user", "add", "alice"]).unwrap();
        assert!(matches!(
            config.command,
            Some(Command::User(UserCommand::Add { ref name })) if name == "alice"
        ));
    }

    #[test]
    fn a_bad_storage_value_is_refused_with_the_reason() {
        let error = Config::try_parse_from(["server", "--storage", "ftp://x"])
            .expect_err("must be refused")
            .to_string();
        assert!(error.contains("invalid DBM_STORAGE value"), "{error}");
    }
}
