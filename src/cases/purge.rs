//! `loket purge`: personal data kept no longer than the office's retention
//! says (`site.yaml` `privacy.retention`, UU 27/2022). Counted from the day
//! a case was closed (its `completed_at`); open cases are never touched.
//!
//! - After `attachments_days`, a case's attachments (the KTP copy and other
//!   documents) are deleted and the record notes `attachments_purged`.
//! - After `records_years`, the record's personal fields are emptied (what
//!   was typed, the normalized NIK and phones, the original file names) and
//!   it notes `redacted`; ticket, kind, request type, dates, status, history
//!   and result stay, so reports still count the case.
//!
//! The record index ([`super::index`]) is refreshed after a redaction, so
//! the names go from it too.
//!
//! Files go before the record says so: a purge cut short deletes nothing
//! twice and leaves nothing behind that the record claims is gone. Each
//! record is edited under its day folder's lock, like a status change.
//! What is printed names tickets and counts, never personal data.

use std::fs;
use std::path::Path;

use time::Date;

use super::update::update;
use super::yaml_edit::{remove_key, set_key, set_value};
use super::{Record, RecordError, load_all};
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::site::config::Retention;

/// One thing purge did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purged {
    Attachments { ticket: String, files: usize },
    Redacted { ticket: String },
}

impl Purged {
    /// The line `loket purge` prints; `dry_run` says it would.
    pub fn describe(&self, dry_run: bool) -> String {
        let done = if dry_run { "akan dihapus" } else { "dihapus" };
        match self {
            Purged::Attachments { ticket, files } => {
                format!("{ticket}: lampiran {done} ({files} berkas)")
            }
            Purged::Redacted { ticket } => format!("{ticket}: data pribadi {done}"),
        }
    }
}

/// What a purge found and did.
#[derive(Debug, Default)]
pub struct Purge {
    pub done: Vec<Purged>,
    /// Records that could not be read or changed.
    pub problems: Vec<Diagnostic>,
}

/// The day a period of `years` after `date` ends (29 February becomes 28).
fn add_years(date: Date, years: u32) -> Date {
    let year = date.year() + years as i32;
    date.replace_year(year)
        .or_else(|_| date.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(date)
}

/// Purges what `retention` says is due on `today`.
pub fn purge(data: &Path, retention: Retention, today: Date, dry_run: bool) -> Purge {
    let (records, problems) = load_all(data);
    let mut out = Purge {
        problems,
        ..Purge::default()
    };
    for record in records {
        if !record.status.is_closed() {
            continue;
        }
        let Some(closed) = record.completed_at.map(|t| t.to_offset(dates::WIB).date()) else {
            continue;
        };
        let files_due =
            closed.saturating_add(time::Duration::days(i64::from(retention.attachments_days)));
        if record.attachments_purged.is_none() && today >= files_due {
            let files = record.attachments.len();
            let result = if dry_run {
                Ok(())
            } else {
                purge_attachments(data, &record, today)
            };
            match result {
                Ok(()) => out.done.push(Purged::Attachments {
                    ticket: record.ticket.clone(),
                    files,
                }),
                Err(e) => out.problems.push(problem(&record, e)),
            }
        }
        if record.redacted.is_none() && today >= add_years(closed, retention.records_years) {
            let result = if dry_run {
                Ok(())
            } else {
                redact(data, &record, today)
            };
            match result {
                Ok(()) => out.done.push(Purged::Redacted {
                    ticket: record.ticket.clone(),
                }),
                Err(e) => out.problems.push(problem(&record, e)),
            }
        }
    }
    let redacted = out
        .done
        .iter()
        .any(|d| matches!(d, Purged::Redacted { .. }));
    if redacted && !dry_run {
        // The record index holds names too: refreshed now (it reads the
        // changed records again), not at the next `loket inbox`.
        super::index::summaries(data);
    }
    out
}

fn problem(record: &Record, e: RecordError) -> Diagnostic {
    Diagnostic::error(&record.path, None, e.to_string())
}

/// Deletes the attachment files (those the record lists), then their
/// folder if nothing else is in it, then notes it in the record.
fn purge_attachments(data: &Path, record: &Record, today: Date) -> Result<(), RecordError> {
    let folder = record.attachment_dir();
    for a in &record.attachments {
        match fs::remove_file(folder.join(&a.stored_name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(RecordError::Io {
                    path: folder.join(&a.stored_name),
                    source,
                });
            }
        }
    }
    // Anything else in the folder is not loket's to delete: `verify` names it.
    let _ = fs::remove_dir(&folder);
    update(data, &record.ticket, None, |current, text| {
        set_key(text, "attachments_purged", &dates::format_iso(today)).map_err(|message| {
            RecordError::Edit {
                path: current.path.clone(),
                message,
            }
        })
    })?;
    Ok(())
}

/// Empties the personal fields of a record.
fn redact(data: &Path, record: &Record, today: Date) -> Result<(), RecordError> {
    update(data, &record.ticket, None, |current, text| {
        let edit_error = |message: String| RecordError::Edit {
            path: current.path.clone(),
            message,
        };
        // Every field emptied but the kind of request, which reports count by.
        let fields: Vec<(String, String)> = current
            .fields
            .iter()
            .map(|(name, value)| {
                let value = if name == "jenis" { value } else { "" };
                (name.to_string(), value.to_string())
            })
            .collect();
        let mut attachments = current.attachments.clone();
        for a in &mut attachments {
            a.original_name = String::new();
        }
        let fields = crate::cases::record::Fields(fields);
        let mut new = set_value(text, "fields", &fields).map_err(edit_error)?;
        new = remove_key(&new, "normalized").map_err(edit_error)?;
        new = set_value(&new, "attachments", &attachments).map_err(edit_error)?;
        set_key(&new, "redacted", &dates::format_iso(today)).map_err(edit_error)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn years_after_a_leap_day() {
        assert_eq!(add_years(date!(2028 - 02 - 29), 1), date!(2029 - 02 - 28));
        assert_eq!(add_years(date!(2026 - 11 - 30), 2), date!(2028 - 11 - 30));
    }
}
