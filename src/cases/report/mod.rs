//! `loket report`: the monthly *laporan hasil* (report of results), the
//! product of the service, as a printable HTML file and a CSV file.
//!
//! [`MonthReport::compute`] turns the stored records into numbers and rows
//! ([`compute`]); [`view`] lays those out for the `laporan.html` template,
//! built in to loket and overridden by a file of that name in the site's
//! `templates/` (an office's own letterhead), and as CSV. The HTML is one
//! self-contained file (styles inside, no other file needed), escaped by
//! the template engine.
//!
//! Rules (the report's "Cara menghitung" section says the same to readers):
//! - A case belongs to the month of its received date in WIB.
//! - Working days are counted after the day of receipt up to and including the
//!   day of the step ([`Calendar::working_days_between`]).
//! - A case of a form whose term runs until the first response (`until:
//!   tanggapan`) is on time when its first response (`first_response_at`)
//!   came by its `response_due`; any other when it was completed
//!   (`completed_at`, a final step) by its `completion_due`, counted in the
//!   unit of the form's term from receipt. The deadlines are the record's
//!   own, set when it arrived ([`crate::office::terms`]); the terms the site
//!   sets today only label the report. A case without that step is late
//!   once its deadline is before the report date, and otherwise "belum jatuh
//!   tempo" and left out of the share.
//! - The average time to completion is over every completed case of the month
//!   (every form).
//! - Each case is counted by the channel it came in by
//!   ([`crate::cases::Channel`]; a record without one came in on the web).
//! - A month is *open for reporting* while its report may still change: the
//!   current month, and the previous one until its report is due on the
//!   [`REPORT_DUE_WORKING_DAYS`]th working day of the month after. Staff
//!   recording a case that came by letter may date it back to the first
//!   working day of the earliest open month ([`open_since`]), never earlier:
//!   a report already due is not changed behind its readers' back.

mod compute;
mod figures;
pub mod narrative;
mod period;
mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::{Date, Month};

use crate::cases;
use crate::cases::layout::SUBMISSIONS_DIR;
use crate::core::calendar::Calendar;
use crate::core::diagnostic::Diagnostic;
use crate::core::fs::{create_private_dir, replace_private};
use crate::forms::Forms;
use crate::office::config::SiteConfig;
use crate::office::templates::Templates;
use crate::office::terms::Terms;

pub use compute::{
    CaseRow, Group, MonthReport, Share, Timeliness, Week, decimal_one, judge, mask_nik, percent,
    week_of, weeks,
};
pub use figures::{FormFigures, NO_OUTCOME};
pub use period::{Period, Span, parse_quarter, parse_year};
pub use view::{ReportView, render_csv};

/// What to report on and where to write it.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Site folder: `site.yaml` (the letterhead) and `hari-libur/`.
    pub root: PathBuf,
    /// Data folder holding `submissions/`.
    pub data: PathBuf,
    /// The month, quarter or year.
    pub period: Period,
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
    /// Cases in the period (confidential ones included).
    pub cases: usize,
    /// Records that could not be read (all months), as `path:line: message`.
    pub skipped: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
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

/// The working day of a month by which the previous month's report is due
/// (until then, that month is still open for reporting).
pub const REPORT_DUE_WORKING_DAYS: u32 = 5;

/// The earliest day a case may be received on, on `today`: the first
/// working day of the earliest month open for reporting (see the module's
/// rules).
pub fn open_since(today: Date, calendar: &Calendar) -> Date {
    let first = today.replace_day(1).unwrap_or(today);
    let last_of_previous = first.previous_day().unwrap_or(first);
    let due = calendar.add_working_days(last_of_previous, REPORT_DUE_WORKING_DAYS);
    let mut start = match today <= due {
        true => last_of_previous.replace_day(1).unwrap_or(first),
        false => first,
    };
    while !calendar.is_working_day(start) && start < today {
        start = start.next_day().unwrap_or(start);
    }
    start
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

/// What a report is made with: the site's settings (the letterhead), its
/// calendar, templates, terms and forms, as [`crate::work::report`] loads
/// them.
pub struct Office<'a> {
    pub config: &'a SiteConfig,
    pub calendar: &'a Calendar,
    pub templates: &'a Templates,
    pub terms: &'a Terms,
    pub forms: &'a Forms,
}

/// Reads the records, computes the month and writes
/// `laporan-YYYY-MM.html` and `laporan-YYYY-MM.csv` into `opts.out`.
pub fn write_report(opts: &ReportOptions, office: &Office) -> Result<ReportOutput, ReportError> {
    let Office {
        config,
        calendar,
        templates,
        terms,
        forms,
    } = *office;
    if !opts.data.join(SUBMISSIONS_DIR).is_dir() {
        return Err(ReportError::NoData(opts.data.clone()));
    }
    let (all, skipped) = cases::index::summaries(&opts.data, forms);
    let report = month_report(
        &opts.data,
        (&all, &skipped),
        (calendar, terms, forms),
        opts.period,
        opts.today,
    );
    let narrative = narrative::read(&opts.data, &opts.period)
        .map_err(cannot_write(&narrative::path(&opts.data, &opts.period)))?;

    create_private_dir(&opts.out).map_err(cannot_write(&opts.out))?;
    let stem = opts.period.file_stem();
    let html = opts.out.join(format!("{stem}.html"));
    let csv = opts.out.join(format!("{stem}.csv"));
    let page = templates
        .render_report(
            &config.to_template_value().office,
            &ReportView::new(&report)
                .with_head(config.office.head.as_ref())
                .with_narrative(narrative.as_ref()),
        )
        .map_err(|d| ReportError::Site(vec![d]))?;
    replace_private(&html, page.as_bytes()).map_err(cannot_write(&html))?;
    replace_private(&csv, render_csv(&report).as_bytes()).map_err(cannot_write(&csv))?;
    // Names and masked NIKs: `loket purge` deletes the files once one of
    // these records is redacted.
    let tickets = report
        .listed()
        .map(|row| {
            let personal = !row.name.trim().is_empty()
                || !row.result.trim().is_empty()
                || row
                    .nik
                    .as_ref()
                    .is_some_and(|n| n.chars().any(|c| c.is_ascii_digit()));
            let stage = if personal {
                cases::copies::Stage::Whole
            } else {
                cases::copies::Stage::Redacted
            };
            (row.ticket.clone(), stage)
        })
        .collect();
    cases::copies::note(
        &opts.data,
        cases::copies::CopyKind::Report,
        &[html.clone(), csv.clone()],
        tickets,
    )
    .map_err(cannot_write(&opts.data.join(cases::copies::DIR)))?;
    Ok(ReportOutput {
        html,
        csv,
        cases: report.rows.len(),
        skipped,
    })
}

/// The report of one period from the records of `data` as
/// [`cases::index::summaries`] gives them (the readable ones and the problems), with
/// the terms the site sets today as labels. The `loket report` command and
/// the staff desk both make it this way.
pub fn month_report(
    data: &Path,
    (records, skipped): (&[Arc<cases::index::Summary>], &[Diagnostic]),
    rules: (&Calendar, &Terms, &Forms),
    period: Period,
    today: Date,
) -> MonthReport {
    let mut report = MonthReport::compute(records, rules, period, today);
    // Only a record that names a step asking the citizen (its id, in any
    // quoting) can have waited: the others are read but not parsed.
    let (calendar, _, forms) = rules;
    let asking: Vec<String> = forms
        .iter()
        .flat_map(|f| f.steps.iter().filter(|s| s.asks_citizen))
        .flat_map(|s| std::iter::once(&s.id).chain(&s.aliases))
        .cloned()
        .collect();
    report.add_waiting(|ticket| {
        let Ok((path, text)) = cases::records::find_text(data, ticket) else {
            return 0;
        };
        if !asking.iter().any(|s| text.contains(s.as_str())) {
            return 0;
        }
        match cases::Record::parse(&path, &text) {
            Ok(record) => cases::waiting::working_days_waited(&record, forms, calendar, today),
            Err(_) => 0,
        }
    });
    report.unreadable = skipped
        .iter()
        .filter(|d| {
            period
                .months()
                .into_iter()
                .any(|m| in_month_folder(data, &d.path, period.year, m))
        })
        .count();
    report
}

/// [`ReportError::Write`] of `path`.
fn cannot_write(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_month_stays_open_until_its_report_is_due() {
        use time::macros::date;
        let calendar = Calendar::from_holidays([2026], &[]);
        // December 2026: Tuesday 1st; the fifth working day is Monday 7th.
        assert_eq!(
            open_since(date!(2026 - 12 - 07), &calendar),
            date!(2026 - 11 - 02),
            "November 1st is a Sunday: its first working day"
        );
        assert_eq!(
            open_since(date!(2026 - 12 - 08), &calendar),
            date!(2026 - 12 - 01)
        );
        assert_eq!(
            open_since(date!(2026 - 11 - 30), &calendar),
            date!(2026 - 11 - 02)
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
