//! `server`: start Database Manager. Every setting is a flag or an environment variable;
//! `server --help` lists them.

use std::process::ExitCode;

use clap::Parser;
use server::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    server::telemetry::init(&config.log);
    match server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
