//! `loket staff`: the staff desk's accounts (`data/staff.yaml`). Run by
//! whoever runs the server; staff never need a shell for the desk.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use time::OffsetDateTime;

use crate::desk::accounts;
use crate::work::audit::Action;

use super::{Folders, audit_done, user};

#[derive(Debug, clap::Args)]
pub struct StaffArgs {
    #[command(subcommand)]
    command: StaffCommand,
}

#[derive(Debug, clap::Subcommand)]
enum StaffCommand {
    /// Add an account for the staff desk (asks for the password twice).
    Add(PasswordArgs),
    /// Set a new password; the person's desk sessions end.
    Passwd(PasswordArgs),
    /// Remove an account; the person's desk sessions end.
    Remove(NameArgs),
    /// List the accounts.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
struct PasswordArgs {
    /// The name the person signs in with and that goes into a case's history
    /// ("Budi Santoso"; letters, digits, spaces, '.', '-', '_').
    name: String,
    /// Read the password from the first line of standard input instead of
    /// asking for it (for scripts: `printf '%s\n' "$PW" | loket staff add NAME --password-stdin`).
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
struct NameArgs {
    name: String,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    #[command(flatten)]
    folders: Folders,
}

pub fn run(args: StaffArgs) -> anyhow::Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    match args.command {
        StaffCommand::Add(a) => {
            let data = a.folders.data();
            user::refuse_root_writing(&data, "staff add")?;
            accounts::check_name(&a.name)?;
            let password = password(a.password_stdin)?;
            let name = accounts::add(&data, &a.name, &password, now)?;
            audit_done(
                &data,
                Action::AccountAdded,
                None,
                &format!("account {name}"),
            );
            say!("Account {name:?} added; it signs in at the staff desk.")?;
        }
        StaffCommand::Passwd(a) => {
            let data = a.folders.data();
            user::refuse_root_writing(&data, "staff passwd")?;
            let known = accounts::load(&data)?;
            if accounts::find(&known, &a.name).is_none() {
                return Err(accounts::AccountError::NoSuchAccount(a.name).into());
            }
            let password = password(a.password_stdin)?;
            let name = accounts::set_password(&data, &a.name, &password, now)?;
            audit_done(
                &data,
                Action::PasswordChanged,
                None,
                &format!("account {name}"),
            );
            say!("New password set for {name:?}; their open desk sessions have ended.")?;
        }
        StaffCommand::Remove(a) => {
            let data = a.folders.data();
            user::refuse_root_writing(&data, "staff remove")?;
            let name = accounts::remove(&data, &a.name)?;
            audit_done(
                &data,
                Action::AccountRemoved,
                None,
                &format!("account {name}"),
            );
            say!("Account {name:?} removed; their open desk sessions have ended.")?;
        }
        StaffCommand::List(a) => {
            let all = accounts::load(&a.folders.data())?;
            if all.is_empty() {
                say!("No staff accounts yet: add one with `loket staff add NAME`.")?;
            }
            for account in all {
                say!(
                    "{}\tadded {}\tpassword set {}",
                    account.name,
                    account.added,
                    account.changed
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The new password: one line of stdin, or asked twice on the terminal
/// without echo.
fn password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let password = if from_stdin {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        if !stdin.is_terminal() {
            anyhow::bail!("no terminal to ask for the password: use --password-stdin");
        }
        let first = ask("New password (at least 12 characters): ")?;
        accounts::check_password(&first)?;
        let again = ask("The same password again: ")?;
        if first != again {
            anyhow::bail!("the two passwords differ; nothing was changed");
        }
        first
    };
    accounts::check_password(&password)?;
    Ok(password)
}

/// Reads a line from the terminal with echo off.
fn ask(prompt: &str) -> anyhow::Result<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let mut err = std::io::stderr().lock();
    write!(err, "{prompt}")?;
    err.flush()?;
    let before = tcgetattr(&stdin).context("cannot read the terminal's settings")?;
    let mut quiet = before.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(&stdin, OptionalActions::Now, &quiet).context("cannot turn echo off")?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, OptionalActions::Now, &before);
    writeln!(err)?;
    read.context("cannot read the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
