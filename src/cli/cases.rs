//! The staff's commands on the command line: `inbox`, `show`, `status` and
//! `report`. Their messages are in Indonesian: staff read them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use time::{Date, OffsetDateTime};

use crate::cases::inbox;
use crate::cases::report::{self, ReportError, ReportOptions};
use crate::cases::{self, Meeting};
use crate::core::calendar::Calendar;
use crate::forms::Forms;
use crate::notify;
use crate::office::templates::{TEMPLATES_DIR, Templates};
use crate::site::config::SiteConfig;
use crate::site::content::Site;
use crate::site::terms::Terms;
use crate::work::report::WriteError;
use crate::work::{self, StepError, Work};

use super::{Folders, audit_reading, date_arg, on_or_today, print_all, user};
use crate::work::audit::Action;

#[derive(Debug, clap::Args)]
pub struct InboxArgs {
    #[command(flatten)]
    folders: Folders,
    /// Only this step: a step id of a form (`steps:` in forms/ID.yaml), e.g. baru, selesai.
    #[arg(long)]
    status: Option<String>,
    /// Only this form: its id (the name of forms/ID.yaml), e.g. permohonan.
    #[arg(long)]
    kind: Option<String>,
    /// Only cases that came in by this channel: web, langsung, kotak-aduan,
    /// telepon, whatsapp, surel, lapor, media-sosial.
    #[arg(long)]
    channel: Option<cases::Channel>,
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
pub struct CodeArgs {
    ticket: String,
    /// The site folder gives the mail's words.
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    ticket: String,
    /// The step to take: a step id of the case's form, one of the `next:`
    /// of the step it is in (forms/ID.yaml; `loket show` says where it is).
    /// May be left out with --kind, or for a message alone (--public-note).
    status: Option<String>,
    /// The site folder gives the forms, and the deadlines of a --kind move.
    #[command(flatten)]
    folders: Folders,
    /// Move the case to this form (its id, e.g. pengaduan-layanan), with
    /// that form's deadlines from the day it was received.
    #[arg(long)]
    kind: Option<String>,
    /// What was done or decided (required by a step that needs a note, a
    /// result or a reason; a result or reason is told to the citizen).
    /// Otherwise internal.
    #[arg(long)]
    note: Option<String>,
    /// A message for the citizen: shown when they look the case up
    /// (/cek-status/) and mailed to them if they gave an email. Without a
    /// step or --kind: a message alone, the step stays as it is.
    #[arg(long)]
    public_note: Option<String>,
    /// Why the case is late, for the citizen (/cek-status/ and the mail):
    /// required by a step that closes a case past its deadline.
    #[arg(long)]
    late_reason: Option<String>,
    /// The outcome category of a final step that declares some
    /// (`outcomes:` in the form file), by its id or label; counted in the
    /// report.
    #[arg(long)]
    outcome: Option<String>,
    /// Who did it [default: the person running the command: SUDO_USER,
    /// else the login name].
    #[arg(long)]
    by: Option<String>,
    /// For a step that needs a meeting: "YYYY-MM-DD HH:MM, place".
    #[arg(long, value_parser = Meeting::parse)]
    meeting: Option<Meeting>,
    /// For a step that refers the case (`referral:` in its form file): to
    /// whom, the letter's number (may be empty) and date,
    /// "TUJUAN; NOMOR SURAT; YYYY-MM-DD".
    #[arg(long, value_parser = |text: &str| cases::Referral::parse(text).map(Box::new))]
    referral: Option<Box<cases::Referral>>,
    /// For a step that checks the documents: whether they are complete
    /// (lengkap or tidak-lengkap).
    #[arg(long, value_parser = cases::parse_files_complete)]
    berkas: Option<bool>,
    /// When it happened, "YYYY-MM-DD HH:MM" in WIB [default: now].
    #[arg(long, value_parser = cases::parse_local_time)]
    at: Option<OffsetDateTime>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("period").required(true).args(["month", "quarter", "year"])))]
pub struct ReportArgs {
    /// The month to report on, as YYYY-MM (e.g. 2026-11).
    #[arg(long, value_name = "YYYY-MM", value_parser = report::parse_month)]
    month: Option<(i32, time::Month)>,
    /// Or a quarter, as YYYY-Qn (e.g. 2026-Q4): the periodic
    /// complaint-handling report, in the same shape.
    #[arg(long, value_name = "YYYY-Qn", value_parser = report::parse_quarter)]
    quarter: Option<report::Period>,
    /// Or a year, as YYYY (e.g. 2026).
    #[arg(long, value_name = "YYYY", value_parser = report::parse_year)]
    year: Option<report::Period>,
    /// The site folder gives the letterhead and the holiday lists.
    #[command(flatten)]
    folders: Folders,
    /// Folder to write laporan-YYYY-MM.html and .csv (laporan-YYYY-Qn…,
    /// laporan-YYYY…) into (created 0700).
    #[arg(long = "out", id = "report_out", default_value = "laporan")]
    out: PathBuf,
    /// Report date (YYYY-MM-DD): printed on the report, and deadlines are judged as of it [default: today].
    #[arg(long, value_parser = date_arg)]
    on: Option<Date>,
}

/// `loket status --help` lists the steps of every form of the site (the
/// `--root` given, or its variable or setting, else the folder it runs
/// in): what STATUS may be. The forms are read only when help is asked for.
pub fn with_step_help(cmd: clap::Command) -> clap::Command {
    let args: Vec<String> = std::env::args().collect();
    let asking = args
        .iter()
        .any(|a| a == "--help" || a == "-h" || a == "help");
    if !asking || !args.iter().any(|a| a == "status") {
        return cmd;
    }
    let default = cmd
        .find_subcommand("status")
        .and_then(|s| s.get_arguments().find(|a| a.get_id() == "root"))
        .and_then(|a| a.get_default_values().first())
        .map(|v| v.to_string_lossy().into_owned());
    let root = args
        .windows(2)
        .find(|w| w[0] == "--root")
        .map(|w| w[1].clone())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--root=").map(str::to_string))
        })
        .or_else(|| std::env::var("LOKET_ROOT").ok())
        .or(default)
        .unwrap_or_else(|| ".".into());
    let forms = Forms::load(Path::new(&root)).0;
    let mut text = format!(
        "Langkah setiap formulir di {root} (STATUS: langkah berikutnya dari langkah kasus sekarang):\n"
    );
    for form in forms.iter() {
        text.push_str(&format!("\n  {} ({}):\n", form.id, form.title));
        for step in &form.steps {
            let next = match step.next.as_slice() {
                [] => "(akhir)".to_string(),
                next => next.join(", "),
            };
            text.push_str(&format!("    {} -> {next}\n", step.id));
        }
    }
    cmd.mut_subcommand("status", |s| s.after_help(text))
}

pub fn inbox(args: InboxArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    let today = on_or_today(args.on);
    // Listing refreshes the index.
    user::refuse_root_writing(&data, "inbox")?;
    if !data.join(cases::layout::SUBMISSIONS_DIR).is_dir() {
        anyhow::bail!(
            "no submissions folder in {} (use --data to point at the data folder)",
            data.display()
        );
    }
    let forms = args.folders.forms();
    let unknown = |what: &str, id: &str| {
        anyhow::anyhow!(
            "{what} {id:?} tidak dikenal di formulir situs ini (forms/*.yaml; gunakan --root)"
        )
    };
    if let Some(kind) = args.kind.as_deref().filter(|k| forms.get(k).is_none()) {
        return Err(unknown("jenis", kind));
    }
    // A step as the index lists it: an alias (an older name) of the form
    // asked for is its step; without --kind, any form's step id.
    let status = match (
        &args.status,
        args.kind.as_deref().and_then(|k| forms.get(k)),
    ) {
        (None, _) => None,
        (Some(typed), Some(form)) => Some(
            form.step(typed)
                .map(|s| s.id.clone())
                .ok_or_else(|| unknown("status", typed))?,
        ),
        (Some(typed), None) if forms.step_ids().contains(&typed.as_str()) => Some(typed.clone()),
        (Some(typed), None) => return Err(unknown("status", typed)),
    };
    let filter = inbox::Filter {
        status,
        kind: args.kind,
        channel: args.channel,
        due: args.overdue.then_some(cases::index::Due::Late),
        since: args.since,
        pauses: SiteConfig::load(&args.folders.root).is_ok_and(|c| c.office.pause_while_waiting),
        ..inbox::Filter::default()
    };
    let (records, problems) = cases::index::summaries(&data, &forms);
    print_all(&problems);
    let rows = inbox::select(records.iter().map(|r| &**r), &filter, today);
    audit_reading(
        &data,
        Action::Inbox,
        None,
        &format!("{} case(s)", rows.len()),
    )?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => inbox::write_table(&mut out, &rows, (today, filter.pauses))?,
        Format::Csv => inbox::write_csv(&mut out, &rows, (today, filter.pauses))?,
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
    let forms = args.folders.forms();
    let form = forms.of(&record);
    let (whatsapp, mailto) = (
        form.and_then(|f| notify::contact::whatsapp_link(&record, f)),
        form.and_then(|f| notify::contact::mailto_link(&record, f)),
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
        writeln!(out, "#   Surel: {link}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The site's terms and holiday lists, for the deadlines of a move.
fn terms_at(root: &Path, forms: &Forms) -> anyhow::Result<(Terms, Calendar)> {
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
    Ok((Terms::from_site(&site, forms).0, calendar))
}

/// The office's calendar when its `site.yaml` pauses the clock while a
/// case waits for its citizen ([`Work::paused`]). A site whose settings do
/// not read pauses nothing (the step stands; the mail's check says so).
fn paused_clock(root: &Path) -> anyhow::Result<Option<std::sync::Arc<Calendar>>> {
    let pauses = SiteConfig::load(root).is_ok_and(|c| c.office.pause_while_waiting);
    if !pauses {
        return Ok(None);
    }
    let calendar = Calendar::load(root).map_err(|diags| {
        print_all(&diags);
        anyhow::anyhow!("daftar hari libur bermasalah; batas waktu tidak dapat digeser")
    })?;
    Ok(Some(std::sync::Arc::new(calendar)))
}

pub fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    user::refuse_root_writing(&data, "status")?;
    let now = OffsetDateTime::now_utc();
    let by = args.by.unwrap_or_else(user::person);
    let change = cases::StatusChange {
        to: args.status.clone(),
        form: None,
        at: args.at.unwrap_or(now),
        by,
        note: args.note,
        public_note: args.public_note,
        meeting: args.meeting,
        files_complete: args.berkas,
        late_reason: args.late_reason,
        outcome: args.outcome,
        referral: args.referral.map(|r| *r),
    };
    // A site that does not read is said after the step, which stands.
    let (mut w, unready) = work(&args.folders, data);
    w.paused = paused_clock(&args.folders.root)?;
    let actor = super::actor();
    let done = match &args.kind {
        Some(to) => {
            // The record first: a ticket that is not there says so before
            // the site is read.
            cases::find(&w.data, &args.ticket)?;
            let (terms, calendar) = terms_at(&args.folders.root, &w.forms)?;
            work::move_case(
                &w,
                &args.ticket,
                None,
                to,
                (&terms, &calendar),
                &change,
                &actor,
                now,
            )
        }
        None => work::take_step(&w, &args.ticket, None, &change, &actor, now),
    };
    let done = match done {
        Err(StepError::NoTerm(kind)) => anyhow::bail!(
            "situs di {} tidak menetapkan batas waktu untuk {kind}",
            args.folders.root.display(),
        ),
        Err(e @ StepError::NoForm(_)) => anyhow::bail!("{e} (gunakan --root)"),
        done => done?,
    };
    if let Err(e) = done.audit {
        eprintln!("warning: {:#}", super::audit_failed(&w.data, e));
    }
    let (before, after) = (&done.before, &done.after);
    let (after_kind, after_status) = (&after.kind, &after.status);
    if change.is_message() && args.kind.is_none() {
        say!(
            "{}: pesan untuk pemohon dicatat; status tetap {}",
            before.ticket,
            after_status
        )?;
    } else if *after_kind != before.kind {
        say!(
            "{}: {} {} -> {} {}",
            before.ticket,
            before.kind,
            before.status,
            after_kind,
            after_status
        )?;
    } else {
        say!("{}: {} -> {}", before.ticket, before.status, after_status)?;
    }
    if let Some(meeting) = &change.meeting {
        let due = after.promised_due();
        for doubt in meeting_doubts(&args.folders.root, meeting, change.at, due) {
            eprintln!("peringatan: {doubt}");
        }
    }
    if let Some(why) = unready {
        eprintln!("peringatan: surel untuk warga tidak disiapkan: {why}");
    }
    match done.told {
        Ok(true) => say!("Surel untuk warga disiapkan; server mengirimkannya.")?,
        Ok(false) => {}
        Err(e) => eprintln!("peringatan: surel untuk warga tidak disiapkan: {e}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// What the desk would ask about a meeting ([`Meeting::doubts`]): the
/// command line takes the step and warns. The site's holidays and
/// `office.service_hours` when they read, else weekends and the default
/// hours.
fn meeting_doubts(root: &Path, meeting: &Meeting, at: OffsetDateTime, due: Date) -> Vec<String> {
    let calendar = Calendar::load(root).unwrap_or_default();
    let hours = SiteConfig::load(root)
        .ok()
        .and_then(|c| c.office.service_hours)
        .and_then(|h| crate::core::calendar::OfficeHours::parse(&h).ok())
        .unwrap_or(cases::meeting::DEFAULT_MEETING_HOURS);
    meeting.doubts(&calendar, hours, at, due)
}

/// `loket code TICKET`: [`work::code::reissue_code`], the code printed.
pub fn code(args: CodeArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    user::refuse_root_writing(&data, "code")?;
    let (w, unready) = work(&args.folders, data);
    let issued = work::code::reissue_code(&w, &args.ticket, &super::actor())?;
    if let Err(e) = issued.audit {
        eprintln!("warning: {:#}", super::audit_failed(&w.data, e));
    }
    println!(
        "Kode akses baru untuk {}: {} (kode yang lama tidak berlaku lagi)",
        issued.record.ticket,
        cases::access::display(&issued.code)
    );
    match (issued.mailed, unready) {
        (Ok(true), _) => eprintln!("Kode ini juga dikirim ke alamat surel pemohon."),
        (Ok(false), Some(why)) => eprintln!("warning: no mail to the citizen: {why}"),
        (Ok(false), None) => {}
        (Err(e), _) => eprintln!("warning: no mail to the citizen: {e}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The use cases' [`Work`] on `data` with the site's forms (a clock that
/// runs on), and why the citizen's mail is not ready when the site's
/// settings do not read ([`composer`]).
fn work(folders: &Folders, data: PathBuf) -> (Work, Option<String>) {
    let forms = folders.forms();
    let (composer, unready) = match composer(&data, &folders.root, &forms) {
        Ok(composer) => (composer, None),
        Err(why) => (None, Some(why)),
    };
    let w = Work {
        composer,
        data,
        forms,
        paused: None,
    };
    (w, unready)
}

/// The composer of the citizen's mail when mail is on (the outbox exists;
/// the server sends what is queued), from the site's settings; or why the
/// site's settings do not read.
fn composer(data: &Path, root: &Path, forms: &Forms) -> Result<Option<notify::Composer>, String> {
    if !notify::Outbox::at(data).exists() {
        return Ok(None);
    }
    let config = SiteConfig::load(root).map_err(|d| {
        format!(
            "situs di {} tidak terbaca ({d}); gunakan --root",
            root.display()
        )
    })?;
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
                .map_err(|d| format!("loket's own templates do not parse: {d:?}"))?
        }
    };
    Ok(Some(notify::Composer::new(
        &config,
        (std::sync::Arc::new(templates), forms.clone()),
        None,
    )))
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let period = match (args.month, args.quarter, args.year) {
        (Some((year, month)), _, _) => report::Period::month(year, month),
        (None, Some(period), _) | (None, None, Some(period)) => period,
        (None, None, None) => anyhow::bail!("give --month, --quarter or --year"),
    };
    let data = args.folders.data();
    // The report refreshes the index.
    user::refuse_root_writing(&data, "report")?;
    let opts = ReportOptions {
        data,
        root: args.folders.root,
        period,
        out: args.out,
        today: on_or_today(args.on),
    };
    let written = match work::report::write_report(&opts, &super::actor()) {
        Ok(w) => w,
        Err(WriteError::Audit(e)) => {
            return Err(super::audit_failed(&opts.data, e).context("nothing was shown"));
        }
        Err(WriteError::Report(ReportError::Calendar(diags))) => {
            print_all(&diags);
            eprintln!("error: the holiday list has errors; no report written");
            return Ok(ExitCode::FAILURE);
        }
        Err(WriteError::Report(ReportError::Site(diags))) => {
            print_all(&diags);
            eprintln!("error: the site has errors; no report written");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e).context("no report written"),
    };
    print_all(&written.skipped);
    say!("Laporan {}: {} kasus", period.name(), written.cases)?;
    say!("{}", written.html.display())?;
    say!("{}", written.csv.display())?;
    skipped(written.skipped.len());
    Ok(ExitCode::SUCCESS)
}
