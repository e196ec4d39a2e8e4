//! `server`: start Database Manager, or `server user add NAME` to create an account. Every
//! setting is a flag or an environment variable; `server --help` lists them.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use server::config::{Command, Config};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    server::telemetry::init(&config.log);
    let outcome = match &config.command {
        Some(Command::User(command)) => {
            server::user_command::run(&config, command)
                .await
                .map(|done| {
                    let _ = writeln!(std::io::stdout(), "{done}");
                })
        }
        None => server::run(config).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
