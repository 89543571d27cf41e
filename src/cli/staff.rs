//! `loket staff`: the staff desk's accounts (`data/staff.yaml`). Run by
//! whoever runs the server; staff never need a shell for the desk.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use time::OffsetDateTime;

use crate::desk::accounts::{self, Role};
use crate::desk::profile::{self, Settings};
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
    Add(AddArgs),
    /// Set a new password; the person's desk sessions end.
    Passwd(PasswordArgs),
    /// Remove an account; the person's desk sessions end.
    Remove(NameArgs),
    /// Change an account's roles, forms or profile (full name, NIP, position).
    Set(SetArgs),
    /// List the accounts with their roles and profiles.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Debug, clap::Args)]
struct SetArgs {
    name: String,
    #[command(flatten)]
    settings: SettingsArgs,
    /// The account works every form (clears its --form list).
    #[arg(long, conflicts_with = "forms")]
    all_forms: bool,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
struct SettingsArgs {
    /// A role: petugas, pengelola-pengaduan, pimpinan or admin (repeat for
    /// several). `add` without one: petugas, and admin too for the first
    /// account.
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<Role>,
    /// A form (its id) the account works, for petugas and
    /// pengelola-pengaduan (repeat for several; none: every form).
    #[arg(long = "form", value_name = "ID")]
    forms: Vec<String>,
    /// The full name documents and the case history show.
    #[arg(long)]
    full_name: Option<String>,
    /// The NIP: 18 digits (spaces allowed); "" for none.
    #[arg(long)]
    nip: Option<String>,
    /// The position (jabatan), e.g. "Analis Pemberdayaan Usaha Mikro".
    #[arg(long)]
    position: Option<String>,
}

impl SettingsArgs {
    /// The settings, checked against the site's forms.
    fn checked(self, folders: &Folders, all_forms: bool) -> anyhow::Result<Settings> {
        let forms = match (self.forms.is_empty(), all_forms) {
            (_, true) => Some(Vec::new()),
            (true, false) => None,
            (false, false) => Some(self.forms),
        };
        let site = match forms.as_ref().is_some_and(|f| !f.is_empty()) {
            true => folders.forms(),
            false => crate::forms::Forms::builtin().clone(),
        };
        let known: Vec<String> = site.iter().map(|f| f.id.to_string()).collect();
        let settings = Settings {
            roles: Some(self.roles).filter(|r| !r.is_empty()),
            forms,
            full_name: self.full_name,
            nip: self.nip,
            position: self.position,
        };
        Ok(settings.checked(&known)?)
    }
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
        StaffCommand::Add(AddArgs {
            password: a,
            settings,
        }) => {
            let data = a.folders.data();
            user::refuse_root_writing(&data, "staff add")?;
            accounts::check_name(&a.name)?;
            let settings = settings.checked(&a.folders, false)?;
            let password = password(a.password_stdin)?;
            let added = accounts::add(&data, &a.name, &password, &settings, now)?;
            for (action, detail) in added.audit(true) {
                audit_done(&data, action, None, &detail);
            }
            say!(
                "Account {:?} added ({}); it signs in at the staff desk.",
                added.name,
                added.roles_text()
            )?;
        }
        StaffCommand::Set(a) => {
            let data = a.folders.data();
            user::refuse_root_writing(&data, "staff set")?;
            let settings = a.settings.checked(&a.folders, a.all_forms)?;
            if settings == Settings::default() {
                anyhow::bail!(
                    "nothing to change: give --role, --form, --all-forms, --full-name, --nip or --position"
                );
            }
            let changed = profile::update(&data, &a.name, &settings)?;
            let lines = changed.audit(false);
            for (action, detail) in &lines {
                audit_done(&data, *action, None, detail);
            }
            match lines.is_empty() {
                true => say!("Account {:?} already had these settings.", changed.name)?,
                false => say!(
                    "Account {:?} changed: {}.",
                    changed.name,
                    changed.roles_text()
                )?,
            }
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
                let roles: Vec<&str> = account.roles.iter().map(|r| r.id()).collect();
                let or_dash = |t: &str| match t {
                    "" => "-".to_string(),
                    t => t.to_string(),
                };
                say!(
                    "{}\troles {}\tforms {}\tfull name {}\tNIP {}\tposition {}\tadded {}\tpassword set {}",
                    account.name,
                    or_dash(&roles.join(",")),
                    match account.forms.is_empty() {
                        true => "all".to_string(),
                        false => account.forms.join(","),
                    },
                    or_dash(&account.full_name),
                    or_dash(&account.nip),
                    or_dash(&account.position),
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
