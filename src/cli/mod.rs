//! The command line: one `Args` struct per command, each run by its own
//! function. The only place that prints for people and picks exit codes.
//!
//! Settings an operator keeps (addresses, folders, limits) may also come from
//! `loket.yaml` and `LOKET_<KEY>` variables: [`settings`] puts them into clap
//! as environment variables and defaults, so a flag beats the environment,
//! which beats the file, which beats loket's own default.
//!
//! Output to a reader that went away (`loket inbox | head`) ends the command
//! quietly with exit status 0: everything goes to stdout through `say!` or
//! an `io::Write`, whose `EPIPE` comes back as an error that [`main`]
//! recognises. SIGPIPE stays ignored (Rust's default): restoring its default
//! action would let any closed pipe kill `loket serve` silently mid-commit,
//! and would make `set -o pipefail` scripts fail on `loket inbox | head`.

/// `println!` that returns the error instead of panicking when stdout is a
/// closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        {
            use std::io::Write as _;
            writeln!(std::io::stdout().lock(), $($arg)*)
        }
    };
}

mod cases;
mod logging;
mod ops;
mod serve;
mod settings;
mod site;
mod staff;
mod survei;
mod user;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::core::diagnostic::Diagnostic;
use crate::work::audit::{self, Action};

#[derive(Debug, Parser)]
#[command(
    name = "loket",
    version,
    about = "Publishes a public service's standard as a static site and takes citizens' submissions"
)]
struct Cli {
    /// Operator settings (loket.yaml): its keys are the long options' names
    /// with `_` for `-`; `loket config` shows what is in effect.
    #[arg(long, global = true, env = "LOKET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site from content/ and templates/ into the output folder.
    Build(site::BuildArgs),
    /// Check the site for problems without writing anything.
    Check(site::CheckArgs),
    /// Build the site, then serve it and accept form submissions.
    Serve(Box<serve::ServeArgs>),
    /// Print the settings `loket serve` would run with, and where each comes from.
    Config(settings::ConfigArgs),
    /// List cases: open ones first, by their next deadline, with deadlines.
    Inbox(cases::InboxArgs),
    /// Print one submission in full, with the paths of its attachments.
    Show(cases::ShowArgs),
    /// Move a submission to its next stage of the procedure, or to the other
    /// kind when it was filed in the wrong form (--kind).
    Status(cases::StatusArgs),
    /// Give a case a new access code (the citizen lost theirs; check who is
    /// asking first): printed once, mailed when mail is on; the old code
    /// stops working.
    Code(cases::CodeArgs),
    /// Write the report (laporan hasil) of a month, quarter or year as HTML and CSV.
    Report(cases::ReportArgs),
    /// Print the Survei Kepuasan Masyarakat results (IKM, mutu, the nine
    /// elements) of a period: --from/--to or --period.
    Survei(survei::SurveiArgs),
    /// Manage the staff desk's accounts: add, passwd, remove, list.
    Staff(staff::StaffArgs),
    /// Check that every record reads and every attachment is whole; nothing is changed.
    Verify(ops::VerifyArgs),
    /// Write one consistent archive (tar, 0600) of the data folder, also while the server runs.
    Backup(ops::BackupArgs),
    /// Unpack a backup into a new (or empty) data folder, then verify it.
    Restore(ops::RestoreArgs),
    /// Delete attachments and personal data kept past the retention in site.yaml.
    Purge(ops::PurgeArgs),
}

/// The site and data folders, found the same way by every command: `--root`
/// (default: the current folder) and `--data` (default: ROOT/data).
#[derive(Debug, Clone, clap::Args)]
struct Folders {
    /// Site folder holding site.yaml, content/, templates/, static/ and hari-libur/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Folder where submissions are stored [default: ROOT/data].
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Folders {
    fn data(&self) -> PathBuf {
        self.data.clone().unwrap_or_else(|| self.root.join("data"))
    }

    /// The site's form files (loket's own for a site without `forms/`);
    /// a file with mistakes is left out, and said.
    fn forms(&self) -> crate::forms::Forms {
        let (forms, problems) = crate::forms::Forms::load(&self.root);
        print_all(&problems);
        forms
    }
}

pub fn main() -> ExitCode {
    let result = settings::command(Cli::command()).and_then(|(command, file)| {
        let command = cases::with_step_help(command);
        let matches = command.clone().get_matches();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        run(cli, command, file.as_ref())
    });
    match result {
        Ok(code) => code,
        // Whoever reads our output has all they wanted (`| head`).
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    cli: Cli,
    command: clap::Command,
    file: Option<&settings::SettingsFile>,
) -> anyhow::Result<ExitCode> {
    if let Command::Serve(args) = &cli.command {
        logging::init(args.log_format)?;
    } else {
        logging::init(logging::LogFormat::Text)?;
    }
    match cli.command {
        Command::Build(args) => site::build(args),
        Command::Check(args) => site::check(args),
        Command::Serve(args) => serve::run(*args),
        Command::Config(_) => settings::print(command, file),
        Command::Inbox(args) => cases::inbox(args),
        Command::Show(args) => cases::show(args),
        Command::Status(args) => cases::status(args),
        Command::Code(args) => cases::code(args),
        Command::Report(args) => cases::report(args),
        Command::Survei(args) => survei::survei(args),
        Command::Staff(args) => staff::run(args),
        Command::Verify(args) => ops::verify(&args.folders.data(), &args.folders.forms()),
        Command::Backup(args) => ops::backup(args),
        Command::Restore(args) => ops::restore(args),
        Command::Purge(args) => ops::purge(args),
    }
}

/// Whether `err` comes from writing to a pipe nobody reads any more.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Diagnostics for the person who ran the command, on stderr.
fn print_all(diags: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for d in diags {
        // A closed stderr (`2>&1 | head`) is no reason to stop.
        let _ = writeln!(err, "{d}");
    }
}

/// Writes a command's line to the audit log: the person who ran it
/// ([`user::person`]), `action`, the case and a detail starting with `cli`
/// (never anything a citizen typed).
fn audit_line(
    data: &Path,
    action: Action,
    ticket: Option<&str>,
    detail: &str,
) -> anyhow::Result<()> {
    if !data.is_dir() {
        anyhow::bail!(
            "no data folder at {} (use --data to point at it)",
            data.display()
        );
    }
    audit::record(data, &actor(), action, ticket, detail).map_err(|e| audit_failed(data, e))
}

/// The person who runs the command, as the audit log names them.
fn actor() -> audit::Actor {
    audit::Actor::cli(&user::person())
}

/// Why an audit line was not written, for the person who ran the command.
fn audit_failed(data: &Path, e: io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot write the audit log in {}: {e}",
        data.join(audit::AUDIT_DIR).display()
    )
}

/// [`audit_line`] for a command that read personal data: nothing is shown
/// unless the line is written.
fn audit_reading(
    data: &Path,
    action: Action,
    ticket: Option<&str>,
    detail: &str,
) -> anyhow::Result<()> {
    audit_line(data, action, ticket, detail).map_err(|e| e.context("nothing was shown"))
}

/// [`audit_line`] for a change already made: a failure is said, not fatal.
fn audit_done(data: &Path, action: Action, ticket: Option<&str>, detail: &str) {
    if let Err(e) = audit_line(data, action, ticket, detail) {
        eprintln!("warning: {e:#}");
    }
}

/// `--on`, `--since`: a date as YYYY-MM-DD.
fn date_arg(text: &str) -> Result<time::Date, String> {
    crate::core::dates::parse_iso(text)
}

/// `--on` left out: today in WIB.
fn on_or_today(on: Option<time::Date>) -> time::Date {
    on.unwrap_or_else(crate::core::dates::today)
}
