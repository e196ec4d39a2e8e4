//! `server user add NAME`: creates an account from the command line (how accounts are made
//! where DBM_SIGNUP=closed); `server user reset-password NAME`: sets a new password and
//! signs the account out everywhere. The password is read from standard input, one line,
//! so it never appears in the process list or the shell history:
//! `printf '%s\n' "$PASSWORD" | server user add alice`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use auth::AuthError;
use catalog::{Catalog, DemoData};
use shared::UserName;

use crate::config::{Config, UserCommand};
use crate::{StartupError, open_accounts, storage_startup_error};

/// Runs a `server user ...` command; the error is one line that says what to fix.
pub async fn run(config: &Config, command: &UserCommand) -> Result<String, StartupError> {
    let (name, action) = match command {
        UserCommand::Add { name } => (name, Action::Add),
        UserCommand::ResetPassword { name } => (name, Action::ResetPassword),
    };
    let failed = |reason: String| StartupError::Accounts(reason);
    let user = UserName::from_input(name).map_err(|error| failed(error.to_string()))?;
    let password = read_password(&user).map_err(|error| {
        failed(format!(
            "cannot read the password from standard input: {error}"
        ))
    })?;
    let mut options = config.catalog_options();
    options.demo_data = DemoData::Off;
    let catalog = Catalog::open(options)
        .await
        .map_err(|error| storage_startup_error(&config.storage, &error))?;
    let auth = open_accounts(config, &catalog)?;
    let done = match action {
        Action::Add => auth.create_account(&user, &password).await,
        Action::ResetPassword => auth.reset_password(&user, &password).await,
    };
    if let Err(error) = catalog.shutdown().await {
        tracing::error!(%error, "the storage did not stop cleanly");
    }
    match (action, done) {
        (Action::Add, Ok(())) => Ok(format!("created the account {user}")),
        (Action::ResetPassword, Ok(())) => Ok(format!(
            "set a new password for {user} and signed it out everywhere"
        )),
        (_, Err(AuthError::NameTaken { .. })) => Err(failed(format!(
            "the username {user} is already taken; choose another"
        ))),
        (_, Err(error)) => Err(failed(error.to_string())),
    }
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Add,
    ResetPassword,
}

fn read_password(user: &UserName) -> std::io::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let mut stderr = std::io::stderr();
        write!(
            stderr,
            "Password for {user} (shown as you type; or pipe it in): "
        )?;
        stderr.flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
