//! `loket purge`: personal data kept no longer than the office's retention
//! says (`site.yaml` `privacy.retention`, UU 27/2022). Counted from the day
//! a case was closed (its `completed_at`); open cases are never touched.
//!
//! - After `attachments_days`, a case's attachments (the KTP copy and other
//!   documents) are deleted and the record notes `attachments_purged`.
//! - After `records_years` too, a survey answer's suggestion (free text a
//!   citizen typed) is emptied, counted from the day it was answered
//!   ([`crate::survey::store::Surveys::purge_suggestions`], called by
//!   `work::care::purge`).
//! - After `records_years`, the record is written anew without personal
//!   data (what the citizen typed, the normalized NIK and phones, the
//!   original file names, and what staff typed: notes, public notes, the
//!   meeting place, the result) and notes `redacted`; ticket, kind, request
//!   type, dates, statuses and who moved the case stay, so reports still
//!   count the case.
//!
//! The record index ([`super::index`]) is refreshed after a redaction, so
//! the names, NIKs and phones go from it too. Mail still waiting about a redacted case goes
//! with it (`loket purge` asks the outbox). Reports and backups loket wrote
//! ([`super::copies`]) are deleted once they hold data this or an earlier
//! run removed from a record. Held uploads of forms sent back with errors
//! expire on their own within hours ([`super::store`]).
//!
//! Files go before the record says so: a purge cut short deletes nothing
//! twice and leaves nothing behind that the record claims is gone. Each
//! record is edited under its day folder's lock, like a status change.
//! What is printed names tickets and counts, never personal data.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use time::Date;

use super::copies::{self, CopyKind, Stage};
use super::layout;
use super::record::Fields;
use super::update::update;
use super::yaml_edit::{set_key, set_value};
use super::{Record, RecordError, load_all};
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::core::fs::if_exists;
use crate::forms::{FormSpec, Forms};
use crate::office::config::Retention;

/// One thing purge did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purged {
    Attachments {
        ticket: String,
        files: usize,
    },
    Redacted {
        ticket: String,
    },
    /// A report or backup loket wrote that holds data purged since.
    Copy {
        kind: CopyKind,
        files: Vec<PathBuf>,
    },
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
            Purged::Copy { kind, files } => {
                let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                format!(
                    "{}: {} lama {done} (memuat data yang sudah dihapus dari kasus)",
                    files.join(", "),
                    kind.label()
                )
            }
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
pub fn add_years(date: Date, years: u32) -> Date {
    let year = date.year() + years as i32;
    date.replace_year(year)
        .or_else(|_| date.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(date)
}

/// Purges what `retention` says is due on `today`.
pub fn purge(
    data: &Path,
    forms: &Forms,
    retention: Retention,
    today: Date,
    dry_run: bool,
) -> Purge {
    let (records, problems) = load_all(data);
    let mut out = Purge {
        problems,
        ..Purge::default()
    };
    // How far each record is purged once this run is done: what tells a
    // stale report or backup.
    let mut stages: BTreeMap<String, Stage> = records
        .iter()
        .map(|r| (r.ticket.clone(), Stage::of(r)))
        .collect();
    for record in records {
        // Without its form, what is personal is unknown: nothing is purged,
        // and the operator is told (a form file with a mistake, or --root).
        let Some(form) = forms.of(&record) else {
            out.problems.push(Diagnostic::error(
                &record.path,
                None,
                format!(
                    "formulir `{}` tidak terbaca (forms/{}.yaml); kasus ini tidak dihapus sampai berkas formulirnya benar",
                    record.kind, record.kind
                ),
            ));
            continue;
        };
        if !record.is_closed(Some(form)) {
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
                Ok(()) => {
                    stages.insert(record.ticket.clone(), Stage::AttachmentsPurged);
                    out.done.push(Purged::Attachments {
                        ticket: record.ticket.clone(),
                        files,
                    })
                }
                Err(e) => out.problems.push(problem(&record, e)),
            }
        }
        if record.redacted.is_none() && today >= add_years(closed, retention.records_years) {
            let result = if dry_run {
                Ok(())
            } else {
                redact(data, forms, &record, today)
            };
            match result {
                Ok(()) => {
                    stages.insert(record.ticket.clone(), Stage::Redacted);
                    out.done.push(Purged::Redacted {
                        ticket: record.ticket.clone(),
                    })
                }
                Err(e) => out.problems.push(problem(&record, e)),
            }
        }
    }
    let redacted = out
        .done
        .iter()
        .any(|d| matches!(d, Purged::Redacted { .. }));
    if redacted && !dry_run {
        // The record index holds names, NIKs and phones too: refreshed now
        // (it reads the changed records again and zeroes their old rows),
        // not at the next `loket inbox`.
        super::index::summaries(data, forms);
    }
    // A record that cannot be read is not known to be gone: while any
    // cannot, a copy goes only for a record known to have been purged.
    let all_read = out.problems.is_empty();
    let (stale, unreadable) = copies::stale(data, &stages, all_read);
    for (path, message) in unreadable {
        out.problems.push(Diagnostic::error(&path, None, message));
    }
    for copy in stale {
        let result = if dry_run {
            Ok(())
        } else {
            copies::delete(&copy)
        };
        match result {
            Ok(()) => out.done.push(Purged::Copy {
                kind: copy.copy.kind,
                files: copy.copy.files.clone(),
            }),
            Err(e) => out.problems.push(Diagnostic::error(
                copy.copy.files.first().map_or(data, |f| f.as_path()),
                None,
                e.to_string(),
            )),
        }
    }
    out
}

fn problem(record: &Record, e: RecordError) -> Diagnostic {
    Diagnostic::error(&record.path, None, e.to_string())
}

/// Deletes the attachment files (those the record lists), then their
/// folder if nothing else is in it, then notes it in the record and forgets
/// the files' sha256 (a fingerprint of the KTP copy). A stored name that is
/// not a plain file name, or a folder that is a symbolic link, stops the
/// purge of this record before anything is deleted: loket deletes nothing
/// outside the case's folder (`loket verify` names both).
fn purge_attachments(data: &Path, record: &Record, today: Date) -> Result<(), RecordError> {
    let folder = record.attachment_dir();
    let refuse = |path: &Path, message: &str| RecordError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(message.to_string()),
    };
    if let Some(bad) = record
        .attachments
        .iter()
        .find(|a| !layout::is_plain_name(&a.stored_name))
    {
        return Err(refuse(
            &record.path,
            &format!(
                "nama lampiran {:?} bukan nama berkas biasa; tidak ada yang dihapus (perbaiki catatannya)",
                bad.stored_name
            ),
        ));
    }
    if fs::symlink_metadata(&folder).is_ok_and(|m| m.is_symlink()) {
        return Err(refuse(
            &folder,
            "folder lampiran ini tautan simbolis; tidak diikuti, tidak ada yang dihapus",
        ));
    }
    for a in &record.attachments {
        let path = folder.join(&a.stored_name);
        if_exists(fs::remove_file(&path)).map_err(|source| RecordError::Io { path, source })?;
    }
    // Anything else in the folder is not loket's to delete: `verify` names it.
    let _ = fs::remove_dir(&folder);
    update(data, &record.ticket, None, |current, text| {
        let edit_error = |message| current.edit_error(message);
        let mut attachments = current.attachments.clone();
        for a in &mut attachments {
            a.sha256 = String::new();
        }
        let new = set_value(text, "attachments", &attachments).map_err(edit_error)?;
        set_key(&new, "attachments_purged", &dates::format_iso(today)).map_err(edit_error)
    })?;
    Ok(())
}

/// Rewrites a record with no personal data left: the record is written
/// anew from what loket knows of it (so a comment or key added by hand,
/// which may hold a name, goes too), with every field emptied but those its
/// form file does not mark `personal` (the kind of request: reports count
/// by it; a form the site no longer has keeps none), the derived values gone, the
/// attachments' original names and sha256 forgotten, and staff's text
/// (notes, public notes, the meeting place, the result, why a case was
/// kept confidential) emptied. Ticket,
/// kind, dates, statuses, who moved the case and the access code's HMAC
/// stay, so reports still count the case.
fn redact(data: &Path, forms: &Forms, record: &Record, today: Date) -> Result<(), RecordError> {
    update(data, &record.ticket, None, |current, _text| {
        let redacted = redacted(current, forms.of(current).map(|f| &**f), today);
        redacted
            .to_yaml()
            .map_err(|e| current.edit_error(e.message))
    })?;
    Ok(())
}

/// `record` with its personal data emptied ([`redact`]).
fn redacted(record: &Record, form: Option<&FormSpec>, today: Date) -> Record {
    let kept = |name: &str| {
        form.and_then(|f| f.field(name))
            .is_some_and(|f| !f.personal)
    };
    let mut r = record.clone();
    r.fields = Fields(
        r.fields
            .0
            .into_iter()
            .map(|(name, value)| {
                let value = if kept(&name) { value } else { String::new() };
                (name, value)
            })
            .collect(),
    );
    r.normalized = Fields::default();
    for a in &mut r.attachments {
        a.original_name = String::new();
        a.sha256 = String::new();
    }
    for step in &mut r.history {
        step.note = None;
        step.public_note = None;
        if let Some(added) = &mut step.added {
            added.reply = None;
        }
        step.late_reason = None;
        if let Some(meeting) = &mut step.meeting {
            meeting.place = String::new();
        }
        // Why staff kept the case confidential may name the officer.
        if step.confidential.is_some() {
            step.confidential = Some(String::new());
        }
    }
    if let Some(confidential) = &mut r.confidential {
        confidential.reason = String::new();
    }
    r.result = None;
    // The berita acara's text names the parties.
    r.documents.agreement_text = None;
    r.redacted = Some(today);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_redacted_record_keeps_no_text_anyone_typed() {
        let text = "ticket: KP-20260105-CDFH\nkind: permohonan\nreceived_at: 2026-01-05T09:00:00+07:00\nstatus: selesai\nresponse_due: 2026-01-10\ncompletion_due: 2026-01-10\ncompleted_at: 2026-01-09T10:00:00+07:00\nresult: Hasil untuk Siti 0812\ndocuments:\n  invitation_number: 005/1/2026\n  agreement_text: Siti 0812 membayar\nfields:\n  jenis: konsultasi\n  nama: Siti\n  uraian: Siti 0812\nnormalized:\n  telepon: '+62812'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: KTP Siti.jpg\n  size: 10\n  type: image/jpeg\n  sha256: abc\nhistory:\n- at: 2026-01-06T09:00:00+07:00\n  status: pertemuan-dijadwalkan\n  by: Budi\n  meeting: {at: '2026-01-08 10:00', place: rumah Siti}\n  note: Siti 0812\n  public_note: Siti 0812\n- at: 2026-01-07T09:00:00+07:00\n  status: pertemuan-dijadwalkan\n  by: pemohon\n  added:\n    from: pemohon\n    files: [balasan-ktp-1.jpg]\n    reply: Siti 0812\n- at: 2026-01-07T10:00:00+07:00\n  status: pertemuan-dijadwalkan\n  by: rina\n  confidential: Menyebut Siti 0812\nconfidential:\n  by: rina\n  reason: Menyebut Siti 0812\n  at: 2026-01-07T10:00:00+07:00\n";
        let record = Record::parse(Path::new("KP-20260105-CDFH.yaml"), text).unwrap();
        let form = Forms::builtin().get("permohonan").map(|f| &**f);
        let out = redacted(&record, form, date!(2027 - 01 - 10))
            .to_yaml()
            .unwrap();
        // The mark stays a mark, without its reason.
        let again = Record::parse(Path::new("KP-20260105-CDFH.yaml"), &out).unwrap();
        assert_eq!(again.history[2].confidential.as_deref(), Some(""));
        assert!(!again.history[2].is_step());
        assert!(
            !out.contains("Siti") && !out.contains("0812") && !out.contains("abc"),
            "{out}"
        );
        for kept in [
            "jenis: konsultasi",
            "by: Budi",
            "status: selesai",
            "redacted: 2027-01-10",
            "by: rina",
        ] {
            assert!(out.contains(kept), "{kept} in\n{out}");
        }
    }

    #[test]
    fn years_after_a_leap_day() {
        assert_eq!(add_years(date!(2028 - 02 - 29), 1), date!(2029 - 02 - 28));
        assert_eq!(add_years(date!(2026 - 11 - 30), 2), date!(2028 - 11 - 30));
    }

    /// Without its form nothing of a record is purged: what is personal is
    /// the form's to say. The operator is told which record waits.
    #[test]
    fn a_record_whose_form_is_not_loaded_is_left_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("submissions/2026/01/05");
        fs::create_dir_all(&day).unwrap();
        let text = "ticket: KP-20260105-CDFH\nkind: permohonan\nreceived_at: 2026-01-05T09:00:00+07:00\nstatus: selesai\nresponse_due: 2026-01-10\ncompletion_due: 2026-01-10\ncompleted_at: 2026-01-09T10:00:00+07:00\nfields:\n  jenis: konsultasi\n  nama: Siti\n";
        fs::write(day.join("KP-20260105-CDFH.yaml"), text).unwrap();
        let done = purge(
            dir.path(),
            &Forms::default(),
            Retention::default(),
            date!(2030 - 01 - 10),
            false,
        );
        assert!(done.done.is_empty(), "{:?}", done.done);
        assert_eq!(done.problems.len(), 1);
        assert!(
            done.problems[0]
                .message
                .contains("formulir `permohonan` tidak terbaca")
        );
        let after = fs::read_to_string(day.join("KP-20260105-CDFH.yaml")).unwrap();
        assert_eq!(after, text, "nothing written");
    }
}
