//! The report of a month, quarter or year, for the desk and `loket report`:
//! one way to read the period's cases and count them, and (for the command
//! line) to write the two files, audited first.

use std::io;
use std::path::Path;

use time::Date;

use super::audit::{self, Action, Actor};
use crate::cases::index;
use crate::cases::layout::SUBMISSIONS_DIR;
use crate::cases::report::{self, MonthReport, Period, ReportError, ReportOptions, ReportOutput};
use crate::core::calendar::Calendar;
use crate::forms::Forms;
use crate::office::templates::Templates;
use crate::office::terms::Terms;

/// The report of `period` as of `today`, from the data folder's index (no
/// cases without a submissions folder).
pub fn month_report(
    data: &Path,
    rules: (&Calendar, &Terms, &Forms),
    period: Period,
    today: Date,
) -> MonthReport {
    let (all, skipped) = if data.join(SUBMISSIONS_DIR).is_dir() {
        index::summaries(data, rules.2)
    } else {
        Default::default()
    };
    report::month_report(data, (&all, &skipped), rules, period, today)
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The audit line was not written: nothing was read.
    #[error("{0}")]
    Audit(io::Error),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// Writes the report files `opts` asks for, audited as `actor` first when
/// there is a submissions folder to read (without one the report says so
/// and reads nothing).
pub fn write_report(opts: &ReportOptions, actor: &Actor) -> Result<ReportOutput, WriteError> {
    if opts.data.join(SUBMISSIONS_DIR).is_dir() {
        let detail = opts.period.code();
        audit::record(&opts.data, actor, Action::Report, None, &detail)
            .map_err(WriteError::Audit)?;
    }
    let calendar = Calendar::load(&opts.root).map_err(ReportError::Calendar)?;
    let loaded = crate::site::content::Site::load(&opts.root);
    let Some(site) = loaded.site else {
        return Err(ReportError::Site(loaded.diagnostics).into());
    };
    let templates = Templates::load(&opts.root).map_err(ReportError::Site)?;
    let forms = Forms::load(&opts.root).0;
    let terms = Terms::from_site(&site, &forms).0;
    let office = report::Office {
        config: &site.config,
        calendar: &calendar,
        templates: &templates,
        terms: &terms,
        forms: &forms,
    };
    Ok(report::write_report(opts, &office)?)
}
