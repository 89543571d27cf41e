//! The command line. The only place that prints for people and picks exit codes.
//!
//! Output to a reader that went away (`loket inbox | head`) ends the command
//! quietly with exit status 0: everything goes to stdout through `say!` or
//! an `io::Write`, whose `EPIPE` comes back as an error that [`main`]
//! recognises. SIGPIPE stays ignored (Rust's default): restoring its default
//! action would let any closed pipe kill `loket serve` silently mid-commit,
//! and would make `set -o pipefail` scripts fail on `loket inbox | head`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::cases::inbox;
use crate::cases::report::{self, ReportError, ReportOptions};
use crate::cases::{self, Status};
use crate::core::diagnostic::Diagnostic;
use crate::forms::FormKind;
use crate::server::{self, Limits, ServeError, ServeOptions, TrustedProxy};
use crate::site::build::{self, BuildError, BuildOptions};

/// `println!` that returns the error instead of panicking when stdout is a
/// closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(io::stdout().lock(), $($arg)*)
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "loket",
    version,
    about = "Publishes a public service's standard as a static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site from content/ and templates/ into the output folder.
    Build {
        /// Site folder holding site.yaml, content/, templates/ and static/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder [default: ROOT/public]; replaced whole on success.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the site for problems without writing anything.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build the site, then serve it and accept form submissions.
    Serve(ServeArgs),
    /// List submissions: open ones first, oldest first, with deadlines.
    Inbox {
        /// Folder where submissions are stored.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Only this status (baru, diperiksa, konsultasi-diberikan, pertemuan-dijadwalkan, selesai, ditolak).
        #[arg(long)]
        status: Option<String>,
        /// Only this kind (permohonan, pengaduan-layanan).
        #[arg(long)]
        kind: Option<String>,
        /// Only submissions past a deadline.
        #[arg(long)]
        overdue: bool,
        /// Only submissions received on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Judge deadlines as of this date (YYYY-MM-DD) [default: today].
        #[arg(long)]
        on: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print one submission in full, with the paths of its attachments.
    Show {
        ticket: String,
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Move a submission to its next stage of the procedure, or to the other
    /// kind when it was filed in the wrong form (--kind).
    Status {
        ticket: String,
        /// diperiksa, konsultasi-diberikan, pertemuan-dijadwalkan, selesai or ditolak
        /// (may be left out with --kind).
        status: Option<String>,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Move the case to this kind (permohonan, pengaduan-layanan), with that
        /// kind's deadlines from the day it was received.
        #[arg(long)]
        kind: Option<String>,
        /// Site folder whose service pages and holiday lists give the deadlines (with --kind).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// What was done or decided (required for selesai: the result; for ditolak: the reason).
        #[arg(long)]
        note: Option<String>,
        /// Who did it [default: $USER].
        #[arg(long)]
        by: Option<String>,
        /// For pertemuan-dijadwalkan: "YYYY-MM-DD HH:MM, place".
        #[arg(long)]
        meeting: Option<String>,
        /// For diperiksa: whether the documents are complete.
        #[arg(long, value_enum)]
        berkas: Option<Berkas>,
        /// When it happened, "YYYY-MM-DD HH:MM" in WIB [default: now].
        #[arg(long)]
        at: Option<String>,
    },
    /// Check that every record reads and every attachment is whole; nothing is changed.
    Verify {
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Write one consistent archive (tar, 0600) of the data folder, also while the server runs.
    Backup {
        /// The archive to write (replaced whole).
        #[arg(long)]
        to: PathBuf,
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Unpack a backup into a new (or empty) data folder, then verify it.
    Restore {
        /// The archive `loket backup` wrote.
        from: PathBuf,
        /// The data folder to make.
        #[arg(long)]
        data: PathBuf,
    },
    /// Delete attachments and personal data kept past the retention in site.yaml.
    Purge {
        /// Only say what would be deleted.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Site folder whose site.yaml gives privacy.retention.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Count the periods up to this date (YYYY-MM-DD) [default: today].
        #[arg(long)]
        on: Option<String>,
    },
    /// Write the monthly report (laporan hasil) as HTML and CSV.
    Report {
        /// The month to report on, as YYYY-MM (e.g. 2026-11).
        #[arg(long, value_name = "YYYY-MM", value_parser = report::parse_month)]
        month: (i32, time::Month),
        /// Site folder holding site.yaml (the letterhead) and hari-libur/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Folder where submissions are stored.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Folder to write laporan-YYYY-MM.html and .csv into (created 0700).
        #[arg(long, default_value = "laporan")]
        out: PathBuf,
        /// Report date (YYYY-MM-DD): printed on the report, and deadlines are judged as of it [default: today].
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Berkas {
    Lengkap,
    TidakLengkap,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Site folder holding site.yaml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: ROOT/public].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder where submissions are stored (created 0700) [default: ROOT/data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Largest accepted upload, per file, in megabytes.
    #[arg(long, default_value_t = crate::site::build::DEFAULT_MAX_UPLOAD_MB, value_parser = clap::value_parser!(u64).range(1..=100))]
    max_upload_mb: u64,
    /// Submissions allowed per client address per window (0: no limit).
    #[arg(long, default_value_t = 10)]
    rate_limit: u32,
    /// Length of the rate-limit window, in seconds.
    #[arg(long, default_value_t = 600)]
    rate_window_secs: u64,
    /// Connections served at once; more wait in the listen queue, and idle
    /// ones are closed to make room for them.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_connections: u32,
    /// Seconds a connection has to send a complete request head (and its
    /// first request at all).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout_secs: u64,
    /// Seconds a response may wait with the client reading none of it before
    /// the connection is closed.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    write_timeout_secs: u64,
    /// Seconds a form being sent may go without a byte of it arriving (408).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_idle_timeout_secs: u64,
    /// Seconds a whole form may take to arrive, however steadily (408).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    body_total_timeout_secs: u64,
    /// Behind a reverse proxy (nginx): when a request comes from one of these
    /// proxies, count the rate limit per the client address in
    /// X-Forwarded-For, read from its right end past trusted proxies. An
    /// address (127.0.0.1), a CIDR range (10.0.0.0/8) or `loopback` (the
    /// default without a value); repeat the flag for several.
    #[arg(
        long,
        value_name = "ADDR|CIDR",
        num_args = 0..=1,
        default_missing_value = "loopback",
        action = clap::ArgAction::Append
    )]
    trust_proxy: Vec<TrustedProxy>,
    /// Free space on the data folder's disk below which /healthz answers 503, in megabytes.
    #[arg(long, default_value_t = 500)]
    min_free_mb: u64,
    /// Rebuild when content, templates, assets, site.yaml or holidays change,
    /// and reload open browser tabs (a preview for staff, not for production).
    #[arg(long)]
    watch: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { root, out } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            run_build(&BuildOptions::new(root, out))
        }
        Command::Check { root } => run_check(&root),
        Command::Serve(args) => run_serve(args),
        Command::Inbox {
            data,
            status,
            kind,
            overdue,
            since,
            on,
            format,
        } => run_inbox(&data, status, kind, overdue, since, on, format),
        Command::Show { ticket, data } => run_show(&data, &ticket),
        Command::Status {
            ticket,
            status,
            data,
            kind,
            root,
            note,
            by,
            meeting,
            berkas,
            at,
        } => run_status(
            &data,
            &ticket,
            status.as_deref(),
            kind.as_deref(),
            &root,
            note,
            by,
            meeting,
            berkas,
            at,
        ),
        Command::Verify { data } => run_verify(&data),
        Command::Backup { to, data } => run_backup(&data, &to),
        Command::Restore { from, data } => run_restore(&from, &data),
        Command::Purge {
            dry_run,
            data,
            root,
            on,
        } => run_purge(&data, &root, on, dry_run),
        Command::Report {
            month: (year, month),
            root,
            data,
            out,
            on,
        } => run_report(root, data, year, month, out, on),
    };
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

/// Whether `err` comes from writing to a pipe nobody reads any more.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn print_all(diags: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for d in diags {
        // A closed stderr (`2>&1 | head`) is no reason to stop.
        let _ = writeln!(err, "{d}");
    }
}

fn run_build(opts: &BuildOptions) -> anyhow::Result<ExitCode> {
    match build::build(opts) {
        Ok(report) => {
            print_all(&report.warnings);
            say!(
                "Built {} pages and {} assets into {} in {} ms",
                report.pages,
                report.assets,
                opts.out.display(),
                report.elapsed.as_millis()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Invalid(diags)) => {
            print_all(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: build failed with {errors} error(s); {} was left as it was",
                opts.out.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(err @ BuildError::Output { .. }) => Err(anyhow::anyhow!(err).context(format!(
            "build failed; {} was left as it was",
            opts.out.display()
        ))),
    }
}

fn run_check(root: &Path) -> anyhow::Result<ExitCode> {
    let diags = build::check(root);
    print_all(&diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().filter(|d| d.is_warning()).count();
    if errors > 0 {
        eprintln!("{errors} kesalahan, {warnings} peringatan");
        Ok(ExitCode::FAILURE)
    } else {
        say!("Tidak ada kesalahan ({warnings} peringatan)")?;
        Ok(ExitCode::SUCCESS)
    }
}

fn run_serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| args.root.join("public"));
    let data = args.data.unwrap_or_else(|| args.root.join("data"));
    let mut build = BuildOptions::new(&args.root, out);
    build.max_upload_mb = args.max_upload_mb;
    let limits = Limits {
        max_file_bytes: args.max_upload_mb * 1024 * 1024,
        rate_limit: args.rate_limit,
        rate_window: Duration::from_secs(args.rate_window_secs),
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_secs(args.header_timeout_secs),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs),
        write_timeout: Duration::from_secs(args.write_timeout_secs),
        body_idle_timeout: Duration::from_secs(args.body_idle_timeout_secs),
        body_total_timeout: Duration::from_secs(args.body_total_timeout_secs),
        trust_proxy: args.trust_proxy,
        min_free_bytes: args.min_free_mb * 1024 * 1024,
        ..Limits::default()
    };
    let opts = ServeOptions {
        build,
        addr: args.addr,
        data: data.clone(),
        limits,
        watch: args.watch,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(server::serve(opts, |addr| {
        // Nobody reading stdout is no reason not to serve.
        let _ = say!(
            "Listening on http://{addr}/ (submissions go to {})",
            data.display()
        );
        let _ = io::stdout().flush();
    }));
    match served {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Build(BuildError::Invalid(diags))) => {
            print_all(&diags);
            eprintln!("error: the site has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(ServeError::Calendar(diags)) => {
            print_all(&diags);
            eprintln!("error: the holiday list has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_date(flag: &str, text: &str) -> anyhow::Result<time::Date> {
    crate::core::dates::parse_iso(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

fn run_inbox(
    data: &Path,
    status: Option<String>,
    kind: Option<String>,
    overdue: bool,
    since: Option<String>,
    on: Option<String>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let status = status
        .map(|s| {
            Status::parse(&s).ok_or_else(|| {
                anyhow::anyhow!(
                    "--status: status {s:?} tidak dikenal; pilih salah satu: {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
        })
        .transpose()?;
    let kind = kind.map(|k| parse_kind("kind", &k)).transpose()?;
    let filter = inbox::Filter {
        status,
        kind,
        overdue,
        since: since.map(|d| parse_date("since", &d)).transpose()?,
    };
    let today = match on {
        Some(d) => parse_date("on", &d)?,
        None => crate::core::dates::today(),
    };
    if !data.join(crate::cases::store::SUBMISSIONS_DIR).is_dir() {
        anyhow::bail!(
            "no submissions folder in {} (use --data to point at the data folder)",
            data.display()
        );
    }
    let (records, problems) = cases::index::summaries(data);
    print_all(&problems);
    let rows = inbox::select(&records, &filter, today);
    let mut out = std::io::stdout().lock();
    match format {
        Format::Table => inbox::write_table(&mut out, &rows, today)?,
        Format::Csv => inbox::write_csv(&mut out, &rows, today)?,
    }
    if !problems.is_empty() {
        eprintln!(
            "{} record(s) could not be read and were skipped",
            problems.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_show(data: &Path, ticket: &str) -> anyhow::Result<ExitCode> {
    let (record, text) = cases::find(data, ticket)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    writeln!(out, "# Lampiran:")?;
    if record.attachments.is_empty() {
        writeln!(out, "#   (tidak ada)")?;
    }
    let dir = record.attachment_dir();
    let dir = dir.canonicalize().unwrap_or(dir);
    for a in &record.attachments {
        let path = dir.join(&a.stored_name);
        let state = if path.is_file() {
            ""
        } else {
            " (BERKAS TIDAK ADA)"
        };
        writeln!(
            out,
            "#   {}: {} ({}, {} byte){state}",
            a.field,
            path.display(),
            a.mime,
            a.size
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_kind(flag: &str, k: &str) -> anyhow::Result<FormKind> {
    FormKind::parse(k).ok_or_else(|| {
        anyhow::anyhow!(
            "--{flag}: jenis {k:?} tidak dikenal; pilih permohonan atau pengaduan-layanan"
        )
    })
}

/// The deadlines a case of `kind` received on `received` gets under the
/// site's terms and holiday lists.
fn deadlines_for(
    root: &Path,
    kind: FormKind,
    received: time::Date,
) -> anyhow::Result<crate::site::terms::Deadlines> {
    let loaded = crate::site::content::Site::load(root);
    let Some(site) = loaded.site else {
        print_all(&loaded.diagnostics);
        anyhow::bail!(
            "situs di {} bermasalah; batas waktu tidak dapat dihitung",
            root.display()
        );
    };
    let calendar = crate::core::calendar::Calendar::load(root).map_err(|diags| {
        print_all(&diags);
        anyhow::anyhow!("daftar hari libur bermasalah")
    })?;
    crate::site::terms::Terms::from_site(&site)
        .0
        .deadlines(kind, received, &calendar)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "situs di {} tidak menetapkan batas waktu untuk {}",
                root.display(),
                kind.as_str()
            )
        })
}

#[allow(clippy::too_many_arguments)]
fn run_status(
    data: &Path,
    ticket: &str,
    status: Option<&str>,
    kind: Option<&str>,
    root: &Path,
    note: Option<String>,
    by: Option<String>,
    meeting: Option<String>,
    berkas: Option<Berkas>,
    at: Option<String>,
) -> anyhow::Result<ExitCode> {
    let to = status
        .map(|status| {
            Status::parse(status).ok_or_else(|| {
                anyhow::anyhow!(
                    "status {status:?} tidak dikenal; pilih salah satu: {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
        })
        .transpose()?;
    let kind = kind.map(|k| parse_kind("kind", k)).transpose()?;
    let now = time::OffsetDateTime::now_utc();
    let at = match at {
        Some(t) => cases::parse_local_time(&t).map_err(|e| anyhow::anyhow!("--at: {e}"))?,
        None => now,
    };
    let meeting = meeting
        .map(|m| cases::Meeting::parse(&m).map_err(|e| anyhow::anyhow!("--meeting: {e}")))
        .transpose()?;
    let by = by
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "petugas".to_string());
    // The deadlines of a move depend on the day the case came in: read it
    // first (the update reads it again under its lock).
    let kind_move = match kind {
        Some(to) => {
            let (record, _) = cases::find(data, ticket)?;
            Some(cases::KindMove {
                to,
                deadlines: deadlines_for(root, to, record.received_date())?,
            })
        }
        None => None,
    };
    let change = cases::StatusChange {
        to,
        kind: kind_move,
        at,
        by,
        note,
        meeting,
        berkas: berkas.map(|b| match b {
            Berkas::Lengkap => "lengkap".to_string(),
            Berkas::TidakLengkap => "tidak lengkap".to_string(),
        }),
    };
    let (before, _) = cases::update(data, ticket, None, |record, text| {
        cases::apply(record, text, &change, now)
    })?;
    let after_kind = change.kind.as_ref().map_or(before.kind, |m| m.to);
    let after_status = to.unwrap_or(before.status);
    if after_kind != before.kind {
        say!(
            "{}: {} {} -> {} {}",
            before.ticket,
            before.kind.as_str(),
            before.status,
            after_kind.as_str(),
            after_status
        )?;
    } else {
        say!("{}: {} -> {}", before.ticket, before.status, after_status)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_verify(data: &Path) -> anyhow::Result<ExitCode> {
    let verified = cases::verify::verify(data);
    for p in &verified.problems {
        println!("{p}");
    }
    eprintln!(
        "{} kiriman utuh, {} masalah",
        verified.records,
        verified.problems.len()
    );
    Ok(if verified.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_backup(data: &Path, to: &Path) -> anyhow::Result<ExitCode> {
    let done = cases::backup::backup(data, to)?;
    println!(
        "{}: {} kiriman, {} berkas, {} bita",
        to.display(),
        done.records,
        done.files,
        done.bytes
    );
    Ok(ExitCode::SUCCESS)
}

fn run_restore(from: &Path, data: &Path) -> anyhow::Result<ExitCode> {
    let files = cases::backup::restore(from, data)?;
    println!("{files} berkas dipulihkan ke {}", data.display());
    run_verify(data)
}

fn run_purge(
    data: &Path,
    root: &Path,
    on: Option<String>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let config = crate::site::config::SiteConfig::load(root).map_err(|d| anyhow::anyhow!("{d}"))?;
    let today = match on {
        Some(d) => parse_date("on", &d)?,
        None => crate::core::dates::today(),
    };
    let purged = cases::purge::purge(data, config.privacy.retention, today, dry_run);
    for done in &purged.done {
        println!("{}", done.describe(dry_run));
    }
    print_all(&purged.problems);
    if purged.done.is_empty() {
        println!("Tidak ada yang perlu dihapus.");
    }
    Ok(if purged.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_report(
    root: PathBuf,
    data: PathBuf,
    year: i32,
    month: time::Month,
    out: PathBuf,
    on: Option<String>,
) -> anyhow::Result<ExitCode> {
    let today = match on {
        Some(d) => parse_date("on", &d)?,
        None => crate::core::dates::today(),
    };
    let opts = ReportOptions {
        root,
        data,
        year,
        month,
        out,
        today,
    };
    let written = match report::write_report(&opts) {
        Ok(w) => w,
        Err(ReportError::Calendar(diags)) => {
            print_all(&diags);
            eprintln!("error: the holiday list has errors; no report written");
            return Ok(ExitCode::FAILURE);
        }
        Err(ReportError::Site(diags)) => {
            print_all(&diags);
            eprintln!("error: the site has errors; no report written");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    print_all(&written.skipped);
    say!(
        "Laporan {} {year}: {} kiriman",
        crate::core::dates::month_name(month),
        written.cases
    )?;
    say!("{}", written.html.display())?;
    say!("{}", written.csv.display())?;
    if !written.skipped.is_empty() {
        eprintln!(
            "{} record(s) could not be read and were skipped",
            written.skipped.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(args: &[&str]) -> Result<Vec<TrustedProxy>, clap::Error> {
        let cli = Cli::try_parse_from(["loket", "serve"].iter().chain(args))?;
        match cli.command {
            Command::Serve(serve) => Ok(serve.trust_proxy),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn trust_proxy_takes_addresses_ranges_and_a_bare_flag_means_loopback() {
        let net = |text: &str| text.parse::<TrustedProxy>().unwrap();
        assert_eq!(trusted(&[]).unwrap(), vec![]);
        assert_eq!(
            trusted(&["--trust-proxy"]).unwrap(),
            vec![TrustedProxy::Loopback]
        );
        assert_eq!(
            trusted(&["--trust-proxy", "--rate-limit", "1"]).unwrap(),
            vec![TrustedProxy::Loopback],
            "a bare flag before another"
        );
        assert_eq!(
            trusted(&["--rate-limit", "1", "--trust-proxy"]).unwrap(),
            vec![TrustedProxy::Loopback],
            "a bare flag last"
        );
        assert_eq!(
            trusted(&[
                "--trust-proxy",
                "127.0.0.1",
                "--trust-proxy=10.0.0.0/8",
                "--trust-proxy",
                "fd00::/8"
            ])
            .unwrap(),
            vec![net("127.0.0.1"), net("10.0.0.0/8"), net("fd00::/8")]
        );
        assert_eq!(
            trusted(&["--trust-proxy", "loopback"]).unwrap(),
            vec![TrustedProxy::Loopback]
        );
        let err = trusted(&["--trust-proxy", "10.0.0.1/8"]).unwrap_err();
        assert!(err.to_string().contains("(10.0.0.0/8)"), "{err}");
        let err = trusted(&["--trust-proxy", "nginx"]).unwrap_err();
        assert!(err.to_string().contains("not an IP address"), "{err}");
    }
}
