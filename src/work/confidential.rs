//! Staff mark a case confidential (issue 28): a complaint that names an
//! officer, say, which the citizen did not ask to keep confidential. The
//! record gets `confidential: { by, reason, at }` and a history entry with
//! the reason (not a step: the status stays, the citizen is not told),
//! under the day folder's lock with the version the page showed; one audit
//! line says who marked it (never the reason, which may quote the case).
//! Who may mark a case is the desk's to check (`may_mark_confidential`).

use std::io;

use time::OffsetDateTime;

use super::Work;
use super::audit::{self, Action, Actor};
use crate::cases::record::{Confidential, HistoryEntry, format_timestamp};
use crate::cases::yaml_edit::{append_history, set_value};
use crate::cases::{self, Record, RecordError, Version};

/// The audit line's detail.
pub const AUDIT_DETAIL: &str = "ditandai rahasia";

#[derive(Debug, thiserror::Error)]
pub enum MarkError {
    /// No reason given: it is required.
    #[error("tulis alasan kasus ini dirahasiakan")]
    NoReason,
    /// The case is confidential already (the citizen asked, an anonymous
    /// form, or marked before).
    #[error("kasus {0} sudah dirahasiakan")]
    Already(String),
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// A case marked: the record as it was, and how the audit line went (the
/// mark stands either way; the front end says what failed).
#[derive(Debug)]
pub struct Marked {
    pub before: Record,
    pub audit: io::Result<()>,
}

/// Marks the case `ticket` (if its record is still `seen`, when given)
/// confidential for `reason`, as `actor`, at `now`.
pub fn mark_confidential(
    w: &Work,
    ticket: &str,
    seen: Option<&Version>,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Marked, MarkError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(MarkError::NoReason);
    }
    let mut already = None;
    let updated = cases::update(&w.data, ticket, seen, |record, text| {
        if record.confidential.is_some() {
            already = Some(record.ticket.clone());
            return Ok(text.to_string());
        }
        let edit_error = |message| record.edit_error(message);
        let mark = Confidential {
            by: actor.name.clone(),
            reason: reason.to_string(),
            at: now,
        };
        let entry = HistoryEntry {
            confidential: Some(reason.to_string()),
            ..HistoryEntry::new(now, &record.status, &actor.name)
        };
        let new = set_value(text, "confidential", &mark).map_err(edit_error)?;
        let new = append_history(&new, &entry).map_err(edit_error)?;
        // What was written must read back as meant.
        let check = Record::parse(&record.path, &new).map_err(RecordError::Invalid)?;
        if check.confidential.is_none() || check.history.len() != record.history.len() + 1 {
            return Err(edit_error(format!(
                "the mark at {} did not read back",
                format_timestamp(now)
            )));
        }
        Ok(new)
    });
    let before = updated?.before;
    if let Some(ticket) = already {
        return Err(MarkError::Already(ticket));
    }
    let audit = audit::record(
        &w.data,
        actor,
        Action::Confidential,
        Some(&before.ticket),
        AUDIT_DETAIL,
    );
    Ok(Marked { before, audit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Forms;

    const RECORD: &str = "ticket: PL-20261127-CDFH\nkind: pengaduan-layanan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: baru\nresponse_due: 2026-12-02\nfields:\n  nama: Siti\n  # written by hand\n  isi: Pungutan Rp50.000 oleh petugas\nhistory: []\n";

    fn work(dir: &std::path::Path) -> Work {
        Work {
            data: dir.to_path_buf(),
            forms: Forms::default(),
            composer: None,
            paused: None,
        }
    }

    fn stored(dir: &std::path::Path) -> std::path::PathBuf {
        let folder = dir.join("submissions/2026/11/27");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("PL-20261127-CDFH.yaml");
        std::fs::write(&path, RECORD).unwrap();
        path
    }

    #[test]
    fn a_mark_keeps_the_text_adds_the_reason_and_is_audited_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = stored(dir.path());
        let now = cases::parse_local_time("2026-11-30 09:00").unwrap();
        let w = work(dir.path());
        let actor = Actor::desk("rina");
        let ticket = "PL-20261127-CDFH";
        assert!(matches!(
            mark_confidential(&w, ticket, None, "  ", &actor, now),
            Err(MarkError::NoReason)
        ));
        let marked = mark_confidential(&w, ticket, None, "Menyebut petugas", &actor, now).unwrap();
        marked.audit.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("  # written by hand\n"), "{text}");
        let record = Record::parse(&path, &text).unwrap();
        let mark = record.confidential.unwrap();
        assert_eq!(
            (mark.by.as_str(), mark.reason.as_str()),
            ("rina", "Menyebut petugas")
        );
        assert_eq!(record.status, "baru");
        let entry = &record.history[0];
        assert_eq!(entry.confidential.as_deref(), Some("Menyebut petugas"));
        assert!(!entry.is_step());
        assert!(matches!(
            mark_confidential(&w, ticket, None, "lagi", &actor, now),
            Err(MarkError::Already(_))
        ));
        // The line is dated when it was written, not at `now`.
        let month = audit::file_for(dir.path(), OffsetDateTime::now_utc());
        let log = std::fs::read_to_string(month).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 1, "{log}");
        assert!(lines[0].ends_with("\trina\tconfidential\tPL-20261127-CDFH\tditandai rahasia"));
        assert!(!log.contains("petugas"), "the reason stays out of the log");
    }
}
