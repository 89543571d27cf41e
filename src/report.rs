//! `loket report`: the monthly *laporan hasil* (report of results), the
//! product of the service, as a printable HTML file and a CSV file.
//!
//! [`MonthReport::compute`] turns the stored records into numbers and rows;
//! [`render_html`] and [`render_csv`] only lay those out. The HTML is built
//! here with `write!` (not Tera) so the report stays one self-contained file
//! that does not depend on the site's templates: every record value goes
//! through [`esc`].
//!
//! Rules (the report's "Cara menghitung" section says the same to readers):
//! - A case belongs to the month of its received date in WIB.
//! - Working days are counted after the day of receipt up to and including the
//!   day of the step ([`Calendar::working_days_between`]).
//! - A complaint about the service (`pengaduan-layanan`) is on time when its
//!   first response (`first_response_at`) came by its `response_due`; a
//!   request (`permohonan`) when it was completed (`completed_at`, status
//!   selesai or ditolak) by its `completion_due`, counted in working days
//!   from receipt. The deadlines are the record's own, set when it arrived
//!   from the terms of the service pages ([`crate::terms`]); the terms the
//!   site sets today only label the report. A case without that step is late
//!   once its deadline is before the report date, and otherwise "belum jatuh
//!   tempo" and left out of the share.
//! - The average time to completion is over every completed case of the month
//!   (both kinds).

use std::fmt::{self, Write as _};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use time::{Date, Month};

use crate::config::SiteConfig;
use crate::csv;
use crate::dates;
use crate::diagnostic::Diagnostic;
use crate::records::{self, Status, StoredRecord};
use crate::render::escape_html;
use crate::submission::FormKind;
use crate::submission::store::SUBMISSIONS_DIR;
use crate::terms::Terms;
use crate::workdays::Calendar;

/// What to report on and where to write it.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Site folder: `site.yaml` (the letterhead) and `hari-libur/`.
    pub root: PathBuf,
    /// Data folder holding `submissions/`.
    pub data: PathBuf,
    pub year: i32,
    pub month: Month,
    /// Folder the two files are written to (created 0700 if missing).
    pub out: PathBuf,
    /// The report date: printed as "Dibuat …" and used to judge deadlines.
    pub today: Date,
}

/// What [`write_report`] wrote.
#[derive(Debug)]
pub struct ReportOutput {
    pub html: PathBuf,
    pub csv: PathBuf,
    /// Cases in the month.
    pub cases: usize,
    /// Records that could not be read (all months), as `path:line: message`.
    pub skipped: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Config(Diagnostic),
    #[error("the holiday list in hari-libur/ has errors")]
    Calendar(Vec<Diagnostic>),
    #[error("the site has errors")]
    Site(Vec<Diagnostic>),
    #[error(
        "no submissions folder in {} (use --data to point at the data folder)",
        .0.display()
    )]
    NoData(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Parses `--month`: "2026-11".
pub fn parse_month(text: &str) -> Result<(i32, Month), String> {
    let bad = || format!("expected a month as YYYY-MM, e.g. 2026-11; got {text:?}");
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month = m
        .parse::<u8>()
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| format!("month {m} does not exist (01 to 12); got {text:?}"))?;
    Ok((year, month))
}

/// Loads the site's letterhead, calendar and records, computes the month and
/// writes `laporan-YYYY-MM.html` and `laporan-YYYY-MM.csv` into `opts.out`.
pub fn write_report(opts: &ReportOptions) -> Result<ReportOutput, ReportError> {
    let site = SiteConfig::load(&opts.root).map_err(ReportError::Config)?;
    let calendar = Calendar::load(&opts.root).map_err(ReportError::Calendar)?;
    let loaded = crate::content::Site::load(&opts.root);
    let terms = match loaded.site {
        Some(s) => Terms::from_site(&s).0,
        None => return Err(ReportError::Site(loaded.diagnostics)),
    };
    if !opts.data.join(SUBMISSIONS_DIR).is_dir() {
        return Err(ReportError::NoData(opts.data.clone()));
    }
    let (all, skipped) = records::load_all(&opts.data);
    let mut report = MonthReport::compute(&all, &calendar, opts.year, opts.month, opts.today);
    report.response_days = terms.get(FormKind::PengaduanLayanan).map(|t| t.days);
    report.completion_days = terms.get(FormKind::Permohonan).map(|t| t.days);
    report.unreadable = skipped
        .iter()
        .filter(|d| in_month_folder(&opts.data, &d.path, opts.year, opts.month))
        .count();

    create_private_dir(&opts.out)?;
    let stem = format!("laporan-{:04}-{:02}", opts.year, u8::from(opts.month));
    let html = opts.out.join(format!("{stem}.html"));
    let csv = opts.out.join(format!("{stem}.csv"));
    write_private(&html, &render_html(&report, &site))?;
    write_private(&csv, &render_csv(&report))?;
    Ok(ReportOutput {
        html,
        csv,
        cases: report.rows.len(),
        skipped,
    })
}

fn create_private_dir(dir: &Path) -> Result<(), ReportError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| ReportError::Write {
            path: dir.to_path_buf(),
            source,
        })
}

/// Temp file (0600) in the same folder, fsync, rename over the target.
fn write_private(path: &Path, text: &str) -> Result<(), ReportError> {
    records::write_record(path, text).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Whether an unreadable file lies in the month's folder
/// (`submissions/YYYY/MM/…`), so the report can say it is incomplete.
fn in_month_folder(data: &Path, path: &Path, year: i32, month: Month) -> bool {
    let Ok(rel) = path.strip_prefix(data.join(SUBMISSIONS_DIR)) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    parts.next().is_some_and(|y| y == format!("{year:04}"))
        && parts
            .next()
            .is_some_and(|m| m == format!("{:02}", u8::from(month)))
}

// ---------------------------------------------------------------------------
// The numbers
// ---------------------------------------------------------------------------

/// What a case is, for counting: its kind and, for a request, its jenis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Konsultasi,
    PengaduanMasalah,
    /// A request whose `jenis` was edited to something else or removed.
    PermohonanLain,
    PengaduanLayanan,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Konsultasi,
        CaseKind::PengaduanMasalah,
        CaseKind::PermohonanLain,
        CaseKind::PengaduanLayanan,
    ];

    pub fn of(record: &StoredRecord) -> CaseKind {
        match record.kind {
            FormKind::PengaduanLayanan => CaseKind::PengaduanLayanan,
            FormKind::Permohonan => match record.fields.get("jenis").map(|j| j.trim()) {
                Some("konsultasi") => CaseKind::Konsultasi,
                Some("pengaduan") => CaseKind::PengaduanMasalah,
                _ => CaseKind::PermohonanLain,
            },
        }
    }

    /// As in `loket inbox`: "permohonan/konsultasi".
    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Konsultasi => "permohonan/konsultasi",
            CaseKind::PengaduanMasalah => "permohonan/pengaduan",
            CaseKind::PermohonanLain => "permohonan",
            CaseKind::PengaduanLayanan => "pengaduan-layanan",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Konsultasi => "Konsultasi masalah usaha",
            CaseKind::PengaduanMasalah => "Pengaduan masalah usaha",
            CaseKind::PermohonanLain => "Permohonan tanpa jenis yang dikenal",
            CaseKind::PengaduanLayanan => "Keluhan, saran, dan masukan tentang pelayanan",
        }
    }
}

/// How a case measures against its standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    Within,
    Late,
    /// Not done yet, and the deadline has not passed.
    NotYetDue,
}

impl Timeliness {
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Within => "ya",
            Timeliness::Late => "tidak",
            Timeliness::NotYetDue => "belum jatuh tempo",
        }
    }
}

/// Judges one step: done on `done`, within the working days from
/// `received` to `due`; or not done and late once `due` is before `today`.
pub fn judge(
    calendar: &Calendar,
    received: Date,
    done: Option<Date>,
    due: Date,
    today: Date,
) -> Timeliness {
    let limit = calendar.working_days_between(received, due);
    match done {
        Some(d) if calendar.working_days_between(received, d) <= limit => Timeliness::Within,
        Some(_) => Timeliness::Late,
        None if today > due => Timeliness::Late,
        None => Timeliness::NotYetDue,
    }
}

/// "x dari y": cases on time out of cases that could be judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub within: usize,
    /// On time plus late: the denominator.
    pub judged: usize,
    pub not_yet_due: usize,
}

impl Share {
    fn add(&mut self, t: Timeliness) {
        match t {
            Timeliness::Within => {
                self.within += 1;
                self.judged += 1;
            }
            Timeliness::Late => self.judged += 1,
            Timeliness::NotYetDue => self.not_yet_due += 1,
        }
    }

    /// "2 dari 4 (50%)", or "tidak ada …" when nothing could be judged.
    pub fn describe(&self, none: &str) -> String {
        if self.judged == 0 {
            return format!("tidak ada {none}");
        }
        format!(
            "{} dari {} ({})",
            self.within,
            self.judged,
            percent(self.within, self.judged)
        )
    }
}

/// One case in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub ticket: String,
    pub received: Date,
    pub kind: CaseKind,
    pub status: Status,
    /// Date (WIB) of the first response.
    pub responded: Option<Date>,
    /// Date (WIB) of completion; only for cases that are selesai or ditolak.
    pub completed: Option<Date>,
    pub days_to_completion: Option<u32>,
    /// Against the standard of its kind (response for a complaint about the
    /// service, completion for a request).
    pub timeliness: Timeliness,
    pub result: String,
    pub name: String,
    /// "3517 **** **** 0001" ("(tidak sah)" when the record's NIK is not 16
    /// digits); `None` for kinds without a NIK.
    pub nik: Option<String>,
    /// Set when the case's deadline is provisional.
    pub due_note: Option<String>,
}

/// Submissions in one week of the month (Minggu 1 = days 1–7, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub number: u8,
    pub first_day: u8,
    pub last_day: u8,
    pub count: usize,
}

/// Everything the report shows, computed once.
#[derive(Debug, Clone)]
pub struct MonthReport {
    pub year: i32,
    pub month: Month,
    pub today: Date,
    pub rows: Vec<CaseRow>,
    /// Every kind with its count; `PermohonanLain` only when there are some.
    pub by_kind: Vec<(CaseKind, usize)>,
    /// All six statuses, zeros included.
    pub by_status: Vec<(Status, usize)>,
    /// Complaints about the service responded to by their deadline.
    pub response: Share,
    /// Requests completed by their deadline.
    pub completion: Share,
    /// The terms the site sets today, for the labels (`None`: not set).
    pub response_days: Option<u32>,
    pub completion_days: Option<u32>,
    /// Working days to completion summed over completed cases, and how many.
    pub completion_days_total: u32,
    pub completed: usize,
    pub weeks: Vec<Week>,
    /// Unreadable record files in this month's folder (not counted).
    pub unreadable: usize,
    /// Years the counted days fall in that have no holiday list.
    pub missing_holiday_years: Vec<i32>,
}

impl MonthReport {
    /// The report for `year`/`month` from every loaded record.
    pub fn compute(
        records: &[StoredRecord],
        calendar: &Calendar,
        year: i32,
        month: Month,
        today: Date,
    ) -> MonthReport {
        let rows: Vec<CaseRow> = records
            .iter()
            .filter(|r| {
                let d = r.received_date();
                d.year() == year && d.month() == month
            })
            .map(|r| case_row(r, calendar, today))
            .collect();
        let mut response = Share::default();
        let mut completion = Share::default();
        for row in &rows {
            match row.kind {
                CaseKind::PengaduanLayanan => response.add(row.timeliness),
                _ => completion.add(row.timeliness),
            }
        }
        let done: Vec<u32> = rows.iter().filter_map(|r| r.days_to_completion).collect();
        MonthReport {
            year,
            month,
            today,
            by_kind: count_kinds(&rows),
            by_status: count_statuses(&rows),
            response,
            completion,
            response_days: None,
            completion_days: None,
            completion_days_total: done.iter().sum(),
            completed: done.len(),
            weeks: weeks(year, month, rows.iter().map(|r| r.received.day())),
            unreadable: 0,
            missing_holiday_years: missing_years(&rows, calendar),
            rows,
        }
    }

    /// "3,8", or "—" when no case was completed.
    pub fn average_text(&self) -> String {
        if self.completed == 0 {
            "—".to_string()
        } else {
            decimal_one(self.completion_days_total, self.completed)
        }
    }

    /// "November 2026".
    pub fn period(&self) -> String {
        format!("{} {}", dates::month_name(self.month), self.year)
    }
}

fn case_row(r: &StoredRecord, calendar: &Calendar, today: Date) -> CaseRow {
    let received = r.received_date();
    let in_wib = |t: time::OffsetDateTime| t.to_offset(dates::WIB).date();
    let responded = r.first_response_at.map(in_wib);
    let completed = r.completed_at.filter(|_| r.status.is_closed()).map(in_wib);
    let kind = CaseKind::of(r);
    let timeliness = match r.kind {
        FormKind::PengaduanLayanan => judge(calendar, received, responded, r.response_due, today),
        FormKind::Permohonan => {
            let due = r.completion_due.unwrap_or(r.response_due);
            judge(calendar, received, completed, due, today)
        }
    };
    CaseRow {
        ticket: r.ticket.clone(),
        received,
        kind,
        status: r.status,
        responded,
        completed,
        days_to_completion: completed.map(|d| calendar.working_days_between(received, d)),
        timeliness,
        result: r.result.clone().unwrap_or_default(),
        name: r.name().to_string(),
        nik: match r.kind {
            FormKind::PengaduanLayanan => None,
            FormKind::Permohonan => Some(
                r.fields
                    .get("nik")
                    .and_then(|n| mask_nik(n))
                    .unwrap_or_else(|| "(tidak sah)".to_string()),
            ),
        },
        due_note: r.due_note.clone(),
    }
}

fn count_kinds(rows: &[CaseRow]) -> Vec<(CaseKind, usize)> {
    CaseKind::ALL
        .into_iter()
        .map(|k| (k, rows.iter().filter(|r| r.kind == k).count()))
        .filter(|&(k, n)| k != CaseKind::PermohonanLain || n > 0)
        .collect()
}

fn count_statuses(rows: &[CaseRow]) -> Vec<(Status, usize)> {
    Status::ALL
        .into_iter()
        .map(|s| (s, rows.iter().filter(|r| r.status == s).count()))
        .collect()
}

/// The week of the month a day falls in: 1–7 is week 1, 29–31 week 5.
pub fn week_of(day: u8) -> u8 {
    (day.max(1) - 1) / 7 + 1
}

/// The weeks of the month (4 for a 28-day February, else 5) with how many
/// of `days` fall in each.
pub fn weeks(year: i32, month: Month, days: impl Iterator<Item = u8>) -> Vec<Week> {
    let length = month.length(year);
    let mut weeks: Vec<Week> = (1..=week_of(length))
        .map(|n| Week {
            number: n,
            first_day: (n - 1) * 7 + 1,
            last_day: (n * 7).min(length),
            count: 0,
        })
        .collect();
    for day in days {
        if let Some(w) = weeks.get_mut(usize::from(week_of(day)) - 1) {
            w.count += 1;
        }
    }
    weeks
}

fn missing_years(rows: &[CaseRow], calendar: &Calendar) -> Vec<i32> {
    let mut years: Vec<i32> = rows
        .iter()
        .flat_map(|r| [Some(r.received), r.responded, r.completed])
        .flatten()
        .map(|d| d.year())
        .filter(|y| !calendar.has_year(*y))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// "3517 **** **** 0001" from a NIK as typed (spaces and dots allowed);
/// `None` unless it is 16 digits.
pub fn mask_nik(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    let valid = digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| format!("{} **** **** {}", &digits[..4], &digits[12..]))
}

/// `total / count` to one decimal, rounded half up, with a decimal comma.
pub fn decimal_one(total: u32, count: usize) -> String {
    let (total, count) = (u64::from(total), count.max(1) as u64);
    let tenths = (total * 20 + count) / (2 * count);
    format!("{},{}", tenths / 10, tenths % 10)
}

/// "50%", "57,1%" (one decimal when it is not whole).
pub fn percent(part: usize, whole: usize) -> String {
    let (part, whole) = (part as u64, whole.max(1) as u64);
    let tenths = (part * 2000 + whole) / (2 * whole);
    if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{},{}%", tenths / 10, tenths % 10)
    }
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

/// Escaped, keeping the line breaks staff typed.
fn esc_lines(text: &str) -> String {
    escape_html(text.trim())
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

fn long_or_dash(date: Option<Date>) -> String {
    date.map(dates::format_long)
        .unwrap_or_else(|| "—".to_string())
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Baru => "Baru",
        Status::Diperiksa => "Diperiksa",
        Status::KonsultasiDiberikan => "Konsultasi diberikan",
        Status::PertemuanDijadwalkan => "Pertemuan dijadwalkan",
        Status::Selesai => "Selesai",
        Status::Ditolak => "Ditolak",
    }
}

const STYLE: &str = "
@page { size: A4; margin: 18mm 15mm 20mm 15mm; }
@page daftar { size: A4 landscape; margin: 15mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #000; }
body { font-family: \"Liberation Sans\", Arial, Helvetica, sans-serif; font-size: 10.5pt;
  line-height: 1.4; margin: 0 auto; max-width: 190mm; padding: 10mm 4mm; }
.kop { text-align: center; border-bottom: 3px double #000; padding-bottom: 3mm; margin-bottom: 6mm; }
.kop p { margin: 0; }
.kop .induk { font-size: 13pt; font-weight: bold; text-transform: uppercase; }
.kop .dinas { font-size: 15pt; font-weight: bold; text-transform: uppercase; }
.kop .alamat { font-size: 9pt; }
h1 { font-size: 14pt; text-align: center; margin: 0; }
.periode { font-size: 12pt; font-weight: bold; text-align: center; margin: 0; }
.dibuat { text-align: center; margin: 1mm 0 6mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 1mm; }
th, td { border: 1px solid #444; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
thead th { background: #e6e6e6; }
thead { display: table-header-group; }
tr, figure, .ringkas, .kosong, .peringatan { break-inside: avoid; page-break-inside: avoid; }
.angka { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ringkas { width: auto; min-width: 60%; }
.kasus { font-size: 8pt; }
.daftar { page: daftar; break-before: page; page-break-before: always; }
.kasus td:first-child, .kasus .nik { white-space: nowrap; }
.kasus .tanggal { min-width: 21mm; }
.kasus td:nth-child(9) { min-width: 45mm; }
.kasus td:nth-child(10) { min-width: 25mm; }
.kosong { border: 1px solid #000; padding: 3mm; font-weight: bold; text-align: center; }
.peringatan { border: 2px solid #000; padding: 2mm 3mm; }
figure { margin: 0 0 4mm; }
figure svg { display: block; width: 100%; max-width: 140mm; height: auto; margin: 0 auto; }
.catatan { font-size: 9pt; }
.catatan li { margin-bottom: 1mm; }
@media print {
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
}
";

/// The whole report as one self-contained HTML document.
pub fn render_html(report: &MonthReport, site: &SiteConfig) -> String {
    let mut out = String::with_capacity(16 * 1024 + report.rows.len() * 600);
    write_document(&mut out, report, site).expect("writing to a String cannot fail");
    out
}

fn write_document(out: &mut String, r: &MonthReport, site: &SiteConfig) -> fmt::Result {
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"id\">\n<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>Laporan Hasil Pelayanan {} · {}</title>",
        escape_html(&r.period()),
        escape_html(&site.office.name)
    )?;
    writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>")?;
    write_letterhead(out, site)?;
    writeln!(out, "<main>")?;
    writeln!(out, "<h1>Laporan Hasil Pelayanan</h1>")?;
    writeln!(out, "<p class=\"periode\">{}</p>", escape_html(&r.period()))?;
    writeln!(
        out,
        "<p class=\"dibuat\">Dibuat {}</p>",
        dates::format_long(r.today)
    )?;
    write_notices(out, r)?;
    write_summary(out, r)?;
    if !r.rows.is_empty() {
        write_weeks(out, r)?;
    }
    write_method(out, r)?;
    if !r.rows.is_empty() {
        write_cases(out, r)?;
    }
    writeln!(out, "</main>\n</body>\n</html>")
}

fn write_letterhead(out: &mut String, site: &SiteConfig) -> fmt::Result {
    let o = &site.office;
    writeln!(out, "<header class=\"kop\">")?;
    if !o.parent.trim().is_empty() {
        writeln!(out, "<p class=\"induk\">{}</p>", escape_html(&o.parent))?;
    }
    writeln!(out, "<p class=\"dinas\">{}</p>", escape_html(&o.name))?;
    writeln!(out, "<p class=\"alamat\">{}</p>", escape_html(&o.address))?;
    let mut contact = format!("Telp. {}", escape_html(&o.phone));
    if !o.website.trim().is_empty() {
        write!(contact, " · {}", escape_html(&o.website))?;
    }
    writeln!(out, "<p class=\"alamat\">{contact}</p>\n</header>")
}

fn write_notices(out: &mut String, r: &MonthReport) -> fmt::Result {
    if r.rows.is_empty() {
        writeln!(
            out,
            "<p class=\"kosong\">Tidak ada kiriman pada bulan ini.</p>"
        )?;
    }
    if r.unreadable > 0 {
        writeln!(
            out,
            "<p class=\"peringatan\"><strong>Perhatian:</strong> {} berkas kiriman bulan ini \
             tidak dapat dibaca dan tidak dihitung. Perbaiki berkasnya, lalu buat ulang laporan ini.</p>",
            r.unreadable
        )?;
    }
    let mut notes: Vec<&str> = r
        .rows
        .iter()
        .filter_map(|row| row.due_note.as_deref())
        .collect();
    notes.sort_unstable();
    notes.dedup();
    for note in notes {
        writeln!(
            out,
            "<p class=\"peringatan\"><strong>Perhatian:</strong> batas waktu kiriman bertanda * adalah {}.</p>",
            escape_html(note)
        )?;
    }
    for year in &r.missing_holiday_years {
        writeln!(
            out,
            "<p class=\"peringatan\"><strong>Perhatian:</strong> tidak ada daftar hari libur \
             tahun {year}; hari kerja pada tahun itu dihitung tanpa libur nasional dan cuti bersama.</p>"
        )?;
    }
    Ok(())
}

fn write_count_row(out: &mut String, label: &str, count: usize) -> fmt::Result {
    writeln!(
        out,
        "<tr><th scope=\"row\">{}</th><td class=\"angka\">{count}</td></tr>",
        escape_html(label)
    )
}

fn write_summary(out: &mut String, r: &MonthReport) -> fmt::Result {
    writeln!(out, "<section>\n<h2>Ringkasan</h2>")?;
    writeln!(
        out,
        "<table class=\"ringkas\">\n<caption>Kiriman menurut jenis</caption>"
    )?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Jenis</th><th scope=\"col\" class=\"angka\">Jumlah</th></tr></thead>\n<tbody>"
    )?;
    for (kind, n) in &r.by_kind {
        write_count_row(out, kind.label(), *n)?;
    }
    writeln!(out, "</tbody>\n<tfoot>")?;
    write_count_row(out, "Jumlah", r.rows.len())?;
    writeln!(out, "</tfoot>\n</table>")?;

    writeln!(
        out,
        "<table class=\"ringkas\">\n<caption>Kiriman menurut status</caption>"
    )?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Status</th><th scope=\"col\" class=\"angka\">Jumlah</th></tr></thead>\n<tbody>"
    )?;
    for (status, n) in &r.by_status {
        write_count_row(out, status_label(*status), *n)?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    write_timeliness(out, r)?;
    writeln!(out, "</section>")
}

/// "dalam 3 hari kerja", or "sesuai batas waktunya" when the site sets no
/// term.
fn term_text(days: Option<u32>) -> String {
    match days {
        Some(n) => format!("dalam {n} hari kerja"),
        None => "sesuai batas waktunya".to_string(),
    }
}

fn pending_note(share: &Share) -> String {
    match share.not_yet_due {
        0 => String::new(),
        n => format!("; {n} belum jatuh tempo (tidak dihitung)"),
    }
}

fn write_timeliness(out: &mut String, r: &MonthReport) -> fmt::Result {
    writeln!(
        out,
        "<table class=\"ringkas\">\n<caption>Ketepatan waktu</caption>\n<tbody>"
    )?;
    writeln!(
        out,
        "<tr><th scope=\"row\">Pengaduan tentang layanan ditanggapi {}</th><td>{}{}</td></tr>",
        term_text(r.response_days),
        r.response
            .describe("pengaduan yang sudah ditanggapi atau melewati batas waktu"),
        pending_note(&r.response)
    )?;
    writeln!(
        out,
        "<tr><th scope=\"row\">Permohonan diselesaikan {}</th><td>{}{}</td></tr>",
        term_text(r.completion_days),
        r.completion
            .describe("permohonan yang sudah selesai atau melewati batas waktu"),
        pending_note(&r.completion)
    )?;
    let average = match r.completed {
        0 => "—".to_string(),
        n => format!(
            "{} hari kerja ({n} kiriman selesai/ditolak)",
            r.average_text()
        ),
    };
    writeln!(
        out,
        "<tr><th scope=\"row\">Rata-rata waktu penyelesaian</th><td>{average}</td></tr>"
    )?;
    writeln!(out, "</tbody>\n</table>")
}

fn week_days(w: &Week) -> String {
    format!("{}–{}", w.first_day, w.last_day)
}

fn write_weeks(out: &mut String, r: &MonthReport) -> fmt::Result {
    writeln!(out, "<section>\n<h2>Kiriman per minggu</h2>\n<figure>")?;
    write_chart(out, r)?;
    writeln!(out, "</figure>")?;
    writeln!(
        out,
        "<table class=\"ringkas\">\n<caption>Angka grafik: jumlah kiriman per minggu</caption>"
    )?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Minggu</th><th scope=\"col\">Tanggal</th><th scope=\"col\" class=\"angka\">Jumlah</th></tr></thead>\n<tbody>"
    )?;
    for w in &r.weeks {
        writeln!(
            out,
            "<tr><th scope=\"row\">Minggu {}</th><td>{} {}</td><td class=\"angka\">{}</td></tr>",
            w.number,
            week_days(w),
            escape_html(&r.period()),
            w.count
        )?;
    }
    writeln!(out, "</tbody>\n</table>\n</section>")
}

/// A bar chart drawn with plain SVG shapes; its title and description carry
/// the numbers for screen readers, and the table after it repeats them.
fn write_chart(out: &mut String, r: &MonthReport) -> fmt::Result {
    const WIDTH: usize = 600;
    const HEIGHT: usize = 250;
    const SIDE: usize = 20;
    const TOP: usize = 30;
    const PLOT: usize = 160;
    let slot = (WIDTH - 2 * SIDE) / r.weeks.len().max(1);
    let bar = slot * 3 / 5;
    let max = r.weeks.iter().map(|w| w.count).max().unwrap_or(0).max(1);
    let base = TOP + PLOT;
    let desc: Vec<String> = r
        .weeks
        .iter()
        .map(|w| {
            format!(
                "Minggu {} (tanggal {}): {}",
                w.number,
                week_days(w),
                w.count
            )
        })
        .collect();
    writeln!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"grafik-judul grafik-ket\">"
    )?;
    writeln!(
        out,
        "<title id=\"grafik-judul\">Jumlah kiriman per minggu, {}</title>",
        escape_html(&r.period())
    )?;
    writeln!(
        out,
        "<desc id=\"grafik-ket\">{}.</desc>",
        escape_html(&desc.join("; "))
    )?;
    for (i, w) in r.weeks.iter().enumerate() {
        let height = w.count * PLOT / max;
        let x = SIDE + i * slot + (slot - bar) / 2;
        let middle = x + bar / 2;
        if height > 0 {
            writeln!(
                out,
                "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{height}\" fill=\"#1f4e79\"/>",
                base - height
            )?;
        }
        writeln!(
            out,
            "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>",
            base - height - 6,
            w.count
        )?;
        writeln!(
            out,
            "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">Minggu {}</text>",
            base + 22,
            w.number
        )?;
        writeln!(
            out,
            "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
            base + 40,
            week_days(w)
        )?;
    }
    writeln!(
        out,
        "<line x1=\"{SIDE}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#000\" stroke-width=\"1\"/>\n</svg>",
        WIDTH - SIDE
    )
}

const CASE_HEADERS: [&str; 12] = [
    "Tiket",
    "Diterima",
    "Jenis",
    "Status",
    "Ditanggapi",
    "Selesai",
    "Hari kerja sampai selesai",
    "Sesuai standar waktu",
    "Hasil",
    "Nama",
    "NIK",
    "Catatan batas waktu",
];

fn write_cases(out: &mut String, r: &MonthReport) -> fmt::Result {
    writeln!(out, "<section class=\"daftar\">\n<h2>Daftar kiriman</h2>")?;
    writeln!(
        out,
        "<table class=\"kasus\">\n<caption>{} kiriman yang diterima pada {}, urut menurut waktu diterima</caption>\n<thead><tr>",
        r.rows.len(),
        escape_html(&r.period())
    )?;
    for h in &CASE_HEADERS[..CASE_HEADERS.len() - 1] {
        writeln!(out, "<th scope=\"col\">{h}</th>")?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for row in &r.rows {
        write_case(out, row)?;
    }
    writeln!(out, "</tbody>\n</table>\n</section>")
}

fn write_case(out: &mut String, row: &CaseRow) -> fmt::Result {
    let days = row
        .days_to_completion
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".to_string());
    let provisional = if row.due_note.is_some() { " *" } else { "" };
    writeln!(
        out,
        "<tr><td>{}</td><td class=\"tanggal\">{}</td><td>{}</td><td>{}</td><td class=\"tanggal\">{}</td><td class=\"tanggal\">{}</td><td class=\"angka\">{days}</td><td>{}{provisional}</td><td>{}</td><td>{}</td><td class=\"nik\">{}</td></tr>",
        escape_html(&row.ticket),
        dates::format_long(row.received),
        row.kind.code(),
        row.status,
        long_or_dash(row.responded),
        long_or_dash(row.completed),
        row.timeliness.label(),
        esc_lines(&row.result),
        escape_html(&row.name),
        escape_html(row.nik.as_deref().unwrap_or("-")),
    )
}

fn write_method(out: &mut String, r: &MonthReport) -> fmt::Result {
    writeln!(
        out,
        "<section class=\"catatan\">\n<h2>Cara menghitung</h2>\n<ul>"
    )?;
    let items = [
        "Kiriman dihitung pada bulan tanggal diterimanya (WIB).".to_string(),
        "Hari kerja: Senin sampai Jumat, di luar libur nasional dan cuti bersama. Hari diterimanya kiriman tidak dihitung; hari tanggapan atau penyelesaian dihitung.".to_string(),
        format!(
            "Pengaduan tentang layanan tepat waktu bila tanggapan pertama diberikan paling lambat pada batas tanggapannya ({}); permohonan tepat waktu bila selesai atau ditolak paling lambat pada batas penyelesaiannya ({}). Batas waktu setiap kiriman ditetapkan saat kiriman diterima.",
            term_text(r.response_days).replace("dalam ", ""),
            term_text(r.completion_days).replace("dalam ", "")
        ),
        format!(
            "Kiriman yang belum ditanggapi atau belum selesai dihitung tidak tepat waktu bila batas waktunya sudah lewat pada {}; bila belum lewat, kiriman itu belum jatuh tempo dan tidak dihitung.",
            dates::format_long(r.today)
        ),
        "Rata-rata waktu penyelesaian dihitung dari semua kiriman bulan ini yang berstatus selesai atau ditolak.".to_string(),
        "NIK ditampilkan tersamar (4 angka pertama dan 4 angka terakhir). Laporan ini tidak memuat nomor telepon, email, atau alamat pemohon.".to_string(),
    ];
    for item in items {
        writeln!(out, "<li>{}</li>", escape_html(&item))?;
    }
    writeln!(out, "</ul>\n</section>")
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// The case list as CSV (ISO dates; a header line even when empty).
pub fn render_csv(report: &MonthReport) -> String {
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::line(&CASE_HEADERS));
    let iso = |d: Option<Date>| d.map(dates::format_iso).unwrap_or_default();
    for row in &report.rows {
        let cells = [
            row.ticket.clone(),
            dates::format_iso(row.received),
            row.kind.code().to_string(),
            row.status.to_string(),
            iso(row.responded),
            iso(row.completed),
            row.days_to_completion
                .map(|d| d.to_string())
                .unwrap_or_default(),
            row.timeliness.label().to_string(),
            row.result.trim().to_string(),
            row.name.clone(),
            row.nik.clone().unwrap_or_default(),
            row.due_note.clone().unwrap_or_default(),
        ];
        out.push_str(&csv::line(&cells));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A fixture calendar: 2026 listed, with the cuti bersama of 24 December.
    fn fixture() -> Calendar {
        Calendar::from_holidays([2026], &[date!(2026 - 12 - 24)])
    }

    #[test]
    fn judges_by_working_days_up_to_the_records_deadline() {
        let cal = fixture();
        let today = date!(2026 - 12 - 10);
        // Friday 27 Nov → Wednesday 2 Dec is 3 working days across a weekend.
        let fri = date!(2026 - 11 - 27);
        let due = date!(2026 - 12 - 02);
        let j = |done| judge(&cal, fri, done, due, today);
        assert_eq!(j(Some(date!(2026 - 12 - 02))), Timeliness::Within);
        assert_eq!(j(Some(date!(2026 - 12 - 03))), Timeliness::Late);
        // Not done: late once the due date is before the report date.
        assert_eq!(j(None), Timeliness::Late);
        assert_eq!(
            judge(&cal, fri, None, due, date!(2026 - 12 - 02)),
            Timeliness::NotYetDue
        );
        // Tue 22 Dec, due Tue 29 Dec (23, 28, 29: 24 is cuti bersama, 25 Natal).
        let tue = date!(2026 - 12 - 22);
        let due = cal.add_working_days(tue, 3);
        assert_eq!(due, date!(2026 - 12 - 29));
        assert_eq!(cal.working_days_between(tue, date!(2026 - 12 - 28)), 2);
        assert_eq!(
            judge(&cal, tue, Some(date!(2026 - 12 - 29)), due, today),
            Timeliness::Within
        );
        assert_eq!(
            judge(&cal, tue, Some(date!(2026 - 12 - 30)), due, today),
            Timeliness::Late
        );
    }

    #[test]
    fn shares_and_numbers_in_indonesian() {
        let mut s = Share::default();
        assert_eq!(s.describe("pengaduan"), "tidak ada pengaduan");
        for t in [
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::NotYetDue,
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::Within,
            Timeliness::Late,
            Timeliness::Within,
        ] {
            s.add(t);
        }
        assert_eq!((s.within, s.judged, s.not_yet_due), (4, 7, 1));
        assert_eq!(s.describe("x"), "4 dari 7 (57,1%)");
        assert_eq!(percent(2, 4), "50%");
        assert_eq!(percent(1, 1), "100%");
        assert_eq!(percent(2, 3), "66,7%");
        assert_eq!(percent(1, 3), "33,3%");
        assert_eq!(decimal_one(5, 2), "2,5");
        assert_eq!(decimal_one(23, 6), "3,8");
        assert_eq!(decimal_one(4, 1), "4,0");
        assert_eq!(decimal_one(1, 20), "0,1"); // 0.05 rounds up
    }

    #[test]
    fn masks_the_nik() {
        assert_eq!(
            mask_nik("3517 0152 0590 0001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(
            mask_nik("3517.0152.0590.0001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(
            mask_nik("3517015205900001").as_deref(),
            Some("3517 **** **** 0001")
        );
        assert_eq!(mask_nik("3517 0152 0590 001"), None);
        assert_eq!(mask_nik("3517-0152-0590-0001"), None);
        assert_eq!(mask_nik("３５１７０１５２０５９０００01"), None);
    }

    #[test]
    fn splits_the_month_into_weeks() {
        assert_eq!(
            [1, 7, 8, 14, 15, 21, 22, 28, 29, 31].map(week_of),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        let nov = weeks(2026, Month::November, [1, 2, 7, 8, 30].into_iter());
        assert_eq!(nov.len(), 5);
        assert_eq!(
            nov.iter().map(|w| w.count).collect::<Vec<_>>(),
            [3, 1, 0, 0, 1]
        );
        assert_eq!((nov[4].first_day, nov[4].last_day), (29, 30));
        // A 28-day February has four weeks; a leap one a fifth with one day.
        assert_eq!(weeks(2026, Month::February, std::iter::empty()).len(), 4);
        let feb = weeks(2028, Month::February, [29].into_iter());
        assert_eq!(
            feb[4],
            Week {
                number: 5,
                first_day: 29,
                last_day: 29,
                count: 1
            }
        );
    }

    #[test]
    fn parses_the_month_flag() {
        assert_eq!(parse_month("2026-11"), Ok((2026, Month::November)));
        assert_eq!(parse_month("2027-01"), Ok((2027, Month::January)));
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "November", "",
        ] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
        assert!(parse_month("2026-13").unwrap_err().contains("01 to 12"));
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape_html("<b>\"Siti\" & 'Ani'</b>"),
            "&lt;b&gt;&quot;Siti&quot; &amp; &#39;Ani&#39;&lt;/b&gt;"
        );
        assert_eq!(esc_lines("a <x>\nb"), "a &lt;x&gt;<br>b");
    }

    fn record(text: &str) -> StoredRecord {
        StoredRecord::parse(Path::new("r.yaml"), text).unwrap()
    }

    #[test]
    fn computes_a_month_from_records() {
        let base = |ticket: &str, kind: &str, at: &str, extra: &str| {
            format!("ticket: {ticket}\nkind: {kind}\nreceived_at: {at}\n{extra}")
        };
        let records = vec![
            // 1 Nov 03:30 WIB although 31 Oct in UTC.
            record(&base(
                "KP-20261101-CDFH",
                "permohonan",
                "2026-10-31T20:30:00Z",
                "status: selesai\nresponse_due: 2026-11-06\ncompletion_due: 2026-11-06\nfirst_response_at: 2026-11-02T09:00:00+07:00\ncompleted_at: 2026-11-04T10:00:00+07:00\nresult: Selesai\nfields:\n  jenis: konsultasi\n  nik: 3517 0152 0590 0001\n",
            )),
            // Completed but reopened by hand: no completion counted.
            record(&base(
                "KP-20261130-JKMN",
                "permohonan",
                "2026-11-30T08:00:00+07:00",
                "status: diperiksa\nresponse_due: 2026-12-07\ncompletion_due: 2026-12-07\ncompleted_at: 2026-12-01T10:00:00+07:00\nfields:\n  jenis: pengaduan\n  nik: '123'\n",
            )),
            record(&base(
                "PL-20261105-PRTV",
                "pengaduan-layanan",
                "2026-11-05T08:00:00+07:00",
                "status: baru\nresponse_due: 2026-11-10\n",
            )),
            // December in WIB.
            record(&base(
                "PL-20261201-MNRT",
                "pengaduan-layanan",
                "2026-11-30T18:30:00+00:00",
                "status: baru\nresponse_due: 2026-12-04\n",
            )),
        ];
        let cal = fixture();
        let r = MonthReport::compute(&records, &cal, 2026, Month::November, date!(2026 - 12 - 03));
        assert_eq!(r.rows.len(), 3);
        assert_eq!(r.rows[0].received, date!(2026 - 11 - 01));
        assert_eq!(r.rows[0].days_to_completion, Some(3));
        assert_eq!(r.rows[0].nik.as_deref(), Some("3517 **** **** 0001"));
        assert_eq!(r.rows[1].completed, None);
        assert_eq!(r.rows[1].nik.as_deref(), Some("(tidak sah)"));
        assert_eq!(r.rows[1].timeliness, Timeliness::NotYetDue);
        assert_eq!(r.rows[2].nik, None);
        assert_eq!(r.rows[2].timeliness, Timeliness::Late);
        assert_eq!(
            r.by_kind,
            [
                (CaseKind::Konsultasi, 1),
                (CaseKind::PengaduanMasalah, 1),
                (CaseKind::PengaduanLayanan, 1)
            ]
        );
        assert_eq!(r.by_status.len(), 6);
        assert_eq!(r.response.describe("-"), "0 dari 1 (0%)");
        assert_eq!(
            (
                r.completion.within,
                r.completion.judged,
                r.completion.not_yet_due
            ),
            (1, 1, 1)
        );
        assert_eq!(r.average_text(), "3,0");
        assert_eq!(
            r.weeks.iter().map(|w| w.count).collect::<Vec<_>>(),
            [2, 0, 0, 0, 1]
        );
        assert!(r.missing_holiday_years.is_empty());
        let csv = render_csv(&r);
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.contains("KP-20261101-CDFH;2026-11-01;permohonan/konsultasi;selesai;2026-11-02;2026-11-04;3;ya;Selesai;;3517 **** **** 0001;\r\n"), "{csv}");
    }

    #[test]
    fn empty_month_has_no_average() {
        let r = MonthReport::compute(&[], &fixture(), 2026, Month::October, date!(2026 - 12 - 10));
        assert_eq!(r.average_text(), "—");
        assert_eq!(r.completion.describe("permohonan"), "tidak ada permohonan");
        assert_eq!(render_csv(&r).lines().count(), 1);
    }

    #[test]
    fn finds_unreadable_files_of_the_month() {
        let data = Path::new("/d");
        let p = |s: &str| PathBuf::from(s);
        assert!(in_month_folder(
            data,
            &p("/d/submissions/2026/11/20/KP.yaml"),
            2026,
            Month::November
        ));
        assert!(!in_month_folder(
            data,
            &p("/d/submissions/2026/12/01/KP.yaml"),
            2026,
            Month::November
        ));
        assert!(!in_month_folder(
            data,
            &p("/elsewhere/x.yaml"),
            2026,
            Month::November
        ));
    }
}
