//! The staff's commands on the command line: `inbox`, `show`, `status` and
//! `report`. Their messages are in Indonesian: staff read them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::Context;
use time::{Date, OffsetDateTime};

use crate::cases::inbox;
use crate::cases::report::{self, ReportError, ReportOptions};
use crate::cases::{self, Berkas, Meeting, Status};
use crate::core::calendar::Calendar;
use crate::forms::FormKind;
use crate::notify;
use crate::office::templates::{TEMPLATES_DIR, Templates};
use crate::site::config::SiteConfig;
use crate::site::content::Site;
use crate::site::terms::{Deadlines, Terms};

use super::{Folders, audit_done, audit_reading, date_arg, on_or_today, print_all, user};
use crate::desk::audit::Action;

#[derive(Debug, clap::Args)]
pub struct InboxArgs {
    #[command(flatten)]
    folders: Folders,
    /// Only this status (baru, diperiksa, konsultasi-diberikan, pertemuan-dijadwalkan, selesai, ditolak).
    #[arg(long, value_parser = Status::from_str)]
    status: Option<Status>,
    /// Only this kind (permohonan, pengaduan-layanan).
    #[arg(long, value_parser = kind_arg)]
    kind: Option<FormKind>,
    /// Only submissions past a deadline.
    #[arg(long)]
    overdue: bool,
    /// Only submissions received on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg)]
    since: Option<Date>,
    /// Judge deadlines as of this date (YYYY-MM-DD) [default: today].
    #[arg(long, value_parser = date_arg)]
    on: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    ticket: String,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    ticket: String,
    /// diperiksa, konsultasi-diberikan, pertemuan-dijadwalkan, selesai or ditolak
    /// (may be left out with --kind).
    #[arg(value_parser = Status::from_str)]
    status: Option<Status>,
    /// The site folder gives the deadlines of a --kind move.
    #[command(flatten)]
    folders: Folders,
    /// Move the case to this kind (permohonan, pengaduan-layanan), with that
    /// kind's deadlines from the day it was received.
    #[arg(long, value_parser = kind_arg)]
    kind: Option<FormKind>,
    /// What was done or decided (required for selesai: the result; for
    /// ditolak: the reason, which the citizen is told). Otherwise internal.
    #[arg(long)]
    note: Option<String>,
    /// A message for the citizen: shown when they look the case up
    /// (/cek-status/) and mailed to them if they gave an email.
    #[arg(long)]
    public_note: Option<String>,
    /// Who did it [default: the person running the command: SUDO_USER,
    /// else the login name].
    #[arg(long)]
    by: Option<String>,
    /// For pertemuan-dijadwalkan: "YYYY-MM-DD HH:MM, place".
    #[arg(long, value_parser = Meeting::parse)]
    meeting: Option<Meeting>,
    /// For diperiksa: whether the documents are complete (lengkap or tidak-lengkap).
    #[arg(long, value_parser = Berkas::parse)]
    berkas: Option<Berkas>,
    /// When it happened, "YYYY-MM-DD HH:MM" in WIB [default: now].
    #[arg(long, value_parser = cases::parse_local_time)]
    at: Option<OffsetDateTime>,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The month to report on, as YYYY-MM (e.g. 2026-11).
    #[arg(long, value_name = "YYYY-MM", value_parser = report::parse_month)]
    month: (i32, time::Month),
    /// The site folder gives the letterhead and the holiday lists.
    #[command(flatten)]
    folders: Folders,
    /// Folder to write laporan-YYYY-MM.html and .csv into (created 0700).
    #[arg(long = "out", id = "report_out", default_value = "laporan")]
    out: PathBuf,
    /// Report date (YYYY-MM-DD): printed on the report, and deadlines are judged as of it [default: today].
    #[arg(long, value_parser = date_arg)]
    on: Option<Date>,
}

fn kind_arg(text: &str) -> Result<FormKind, String> {
    FormKind::parse(text).ok_or_else(|| {
        format!("jenis {text:?} tidak dikenal; pilih permohonan atau pengaduan-layanan")
    })
}

pub fn inbox(args: InboxArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    let filter = inbox::Filter {
        status: args.status,
        kind: args.kind,
        overdue: args.overdue,
        since: args.since,
        ..inbox::Filter::default()
    };
    let today = on_or_today(args.on);
    // Listing refreshes the index.
    user::refuse_root_writing(&data, "inbox")?;
    if !data.join(cases::layout::SUBMISSIONS_DIR).is_dir() {
        anyhow::bail!(
            "no submissions folder in {} (use --data to point at the data folder)",
            data.display()
        );
    }
    let (records, problems) = cases::index::summaries(&data);
    print_all(&problems);
    let rows = inbox::select(&records, &filter, today);
    audit_reading(
        &data,
        Action::Inbox,
        None,
        &format!("{} case(s)", rows.len()),
    )?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => inbox::write_table(&mut out, &rows, today)?,
        Format::Csv => inbox::write_csv(&mut out, &rows, today)?,
    }
    skipped(problems.len());
    if let Some(stuck) = notify::stuck(&data, OffsetDateTime::now_utc()) {
        eprintln!("PERHATIAN: {}", stuck.describe());
    }
    Ok(ExitCode::SUCCESS)
}

/// Says how many records were left out because they do not read.
fn skipped(count: usize) {
    if count > 0 {
        eprintln!("{count} record(s) could not be read and were skipped");
    }
}

pub fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    let (record, text) = cases::find(&data, &args.ticket)?;
    audit_reading(&data, Action::Show, Some(&record.ticket), "")?;
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
        let state = if !cases::layout::is_plain_name(&a.stored_name) {
            " (NAMA BERKAS TIDAK SAH)"
        } else if cases::layout::open_attachment(&record.attachment_dir(), &a.stored_name).is_ok() {
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
    let (whatsapp, mailto) = (
        notify::contact::whatsapp_link(&record),
        notify::contact::mailto_link(&record),
    );
    if whatsapp.is_some() || mailto.is_some() {
        writeln!(
            out,
            "# Balas warga (berisi tiket dan pesan publik terakhir):"
        )?;
    }
    if let Some(link) = whatsapp {
        writeln!(out, "#   WhatsApp: {link}")?;
    }
    if let Some(link) = mailto {
        writeln!(out, "#   Email: {link}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The deadlines a case of `kind` received on `received` gets under the
/// site's terms and holiday lists.
fn deadlines_for(
    root: &Path,
    kind: FormKind,
    received: time::OffsetDateTime,
) -> anyhow::Result<Deadlines> {
    let loaded = Site::load(root);
    let Some(site) = loaded.site else {
        print_all(&loaded.diagnostics);
        anyhow::bail!(
            "situs di {} bermasalah; batas waktu tidak dapat dihitung",
            root.display()
        );
    };
    let calendar = Calendar::load(root).map_err(|diags| {
        print_all(&diags);
        anyhow::anyhow!("daftar hari libur bermasalah")
    })?;
    Terms::from_site(&site)
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

pub fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    user::refuse_root_writing(&data, "status")?;
    let now = OffsetDateTime::now_utc();
    let by = args.by.unwrap_or_else(user::person);
    // The deadlines of a move depend on the day the case came in: read it
    // first (the update reads it again under its lock).
    let kind_move = match args.kind {
        Some(to) => {
            let (record, _) = cases::find(&data, &args.ticket)?;
            Some(cases::KindMove {
                to,
                deadlines: deadlines_for(&args.folders.root, to, record.received_at)?,
            })
        }
        None => None,
    };
    let change = cases::StatusChange {
        to: args.status,
        kind: kind_move,
        at: args.at.unwrap_or(now),
        by,
        note: args.note,
        public_note: args.public_note,
        meeting: args.meeting,
        berkas: args.berkas.map(|b| b.as_str().to_string()),
    };
    let (before, written) = cases::update(&data, &args.ticket, None, |record, text| {
        cases::apply(record, text, &change, now)
    })?;
    let after_kind = change.kind.as_ref().map_or(before.kind, |m| m.to);
    let after_status = args.status.unwrap_or(before.status);
    let detail = match after_kind != before.kind {
        true => format!("{} {after_status}", after_kind.as_str()),
        false => after_status.to_string(),
    };
    audit_done(&data, Action::Status, Some(&before.ticket), &detail);
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
    tell_citizen(&data, &args.folders.root, &before.path, &written)?;
    Ok(ExitCode::SUCCESS)
}

/// Queues the citizen's mail about the step just written, when it is news
/// to them, they gave an email and mail is on (the server sends it).
fn tell_citizen(data: &Path, root: &Path, path: &Path, written: &str) -> anyhow::Result<()> {
    if !notify::Outbox::at(data).exists() {
        return Ok(());
    }
    let config = match SiteConfig::load(root) {
        Ok(config) => config,
        Err(d) => {
            eprintln!(
                "peringatan: surel untuk warga tidak disiapkan: situs di {} tidak terbaca ({d}); gunakan --root",
                root.display()
            );
            return Ok(());
        }
    };
    // The site's mail templates (`templates/mail/`) if it has any; when
    // they do not parse the mail still goes, in loket's own words.
    let loaded = match root.join(TEMPLATES_DIR).is_dir() {
        true => Templates::load(root),
        false => Templates::builtin(),
    };
    let templates = match loaded {
        Ok(t) => t,
        Err(d) => {
            let problems: Vec<String> = d.iter().map(ToString::to_string).collect();
            eprintln!(
                "peringatan: templat situs tidak terbaca ({}); surel memakai templat bawaan loket",
                problems.join("; ")
            );
            Templates::builtin()
                .map_err(|d| anyhow::anyhow!("loket's own templates do not parse: {d:?}"))?
        }
    };
    let composer = notify::Composer::new(&config, std::sync::Arc::new(templates), None);
    match notify::queue_written_step(data, &composer, path, written) {
        Ok(true) => say!("Surel untuk warga disiapkan; server mengirimkannya.")?,
        Ok(false) => {}
        Err(e) => eprintln!("peringatan: surel untuk warga tidak disiapkan: {e}"),
    }
    Ok(())
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let (year, month) = args.month;
    let data = args.folders.data();
    // The report refreshes the index.
    user::refuse_root_writing(&data, "report")?;
    // Without a submissions folder the report says so and reads nothing.
    if data.join(cases::layout::SUBMISSIONS_DIR).is_dir() {
        audit_reading(
            &data,
            Action::Report,
            None,
            &format!("{year:04}-{:02}", u8::from(month)),
        )?;
    }
    let opts = ReportOptions {
        data,
        root: args.folders.root,
        year,
        month,
        out: args.out,
        today: on_or_today(args.on),
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
        Err(e) => return Err(e).context("no report written"),
    };
    print_all(&written.skipped);
    say!(
        "Laporan {} {year}: {} kiriman",
        crate::core::dates::month_name(month),
        written.cases
    )?;
    say!("{}", written.html.display())?;
    say!("{}", written.csv.display())?;
    skipped(written.skipped.len());
    Ok(ExitCode::SUCCESS)
}
