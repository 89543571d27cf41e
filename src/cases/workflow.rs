//! The procedure of a form (its `steps:`, the office's Sistem, Mekanisme
//! dan Prosedur) as a state machine, and what a step writes into a record:
//! the status, the first response and completion times, the result, and a
//! history entry. Used by `loket status` and the staff desk alike, through
//! [`crate::work::steps`]; messages are for staff, in Bahasa Indonesia.

use std::sync::Arc;

use time::OffsetDateTime;

use super::RecordError;
use super::record::{HistoryEntry, Meeting, Record, Referral, format_timestamp};
use super::yaml_edit::{append_history, remove_key, set_key, set_value};
use crate::core::dates;
use crate::forms::spec::{FormSpec, Need, StepSpec};
use crate::office::terms::Deadlines;

/// `lengkap`, `tidak-lengkap` or `tidak lengkap` (staff type it): whether
/// the documents are complete, for a step that `needs: [files_complete]`.
pub fn parse_files_complete(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().replace(['-', '_'], " ").as_str() {
        "lengkap" => Ok(true),
        "tidak lengkap" => Ok(false),
        _ => Err(format!(
            "berkas {text:?} tidak dikenal; pilih lengkap atau tidak-lengkap"
        )),
    }
}

/// How the history stores a files_complete answer (`berkas:`).
pub fn files_complete_text(complete: bool) -> &'static str {
    if complete { "lengkap" } else { "tidak lengkap" }
}

/// A case filed in the wrong form, moved to the right one, with the
/// deadlines of that form counted from the day it was received.
#[derive(Debug, Clone)]
pub struct FormMove {
    pub to: Arc<FormSpec>,
    pub deadlines: Deadlines,
}

/// A step asked for by staff: a new status, a move to another form, or
/// both.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The step id (or an alias of it) of the case's form.
    pub to: Option<String>,
    pub form: Option<FormMove>,
    pub at: OffsetDateTime,
    pub by: String,
    pub note: Option<String>,
    pub meeting: Option<Meeting>,
    /// The answer of a step that needs to know whether the documents are
    /// complete.
    pub files_complete: Option<bool>,
    /// A message for the citizen (`/cek-status/` and the step's mail).
    /// Alone (no step, no move): a message that does not change the step.
    pub public_note: Option<String>,
    /// Why the case is late, for the citizen: required by a step that
    /// closes a case past its deadline.
    pub late_reason: Option<String>,
    /// The outcome category of a final step with `outcomes:` (its id or
    /// its label, as staff type it).
    pub outcome: Option<String>,
    /// To whom, by which letter and when a step with `referral:` refers
    /// the case.
    pub referral: Option<Referral>,
}

impl StatusChange {
    /// The public note as it will be stored: trimmed, `None` when blank.
    pub fn public_note(&self) -> Option<&str> {
        trimmed(&self.public_note)
    }

    fn note(&self) -> Option<&str> {
        trimmed(&self.note)
    }

    /// The late reason as it will be stored: trimmed, `None` when blank.
    pub fn late_reason(&self) -> Option<&str> {
        trimmed(&self.late_reason)
    }

    /// Whether this is a message alone: no step, no move.
    pub fn is_message(&self) -> bool {
        self.to.is_none() && self.form.is_none()
    }

    /// What `step` asks for and this change does not give.
    pub fn lacks(&self, step: &StepSpec) -> Option<Need> {
        if step.asks_citizen && self.public_note().is_none() {
            return Some(Need::Request);
        }
        let no_outcome = self.outcome.as_deref().is_none_or(|o| o.trim().is_empty());
        if !step.outcomes.is_empty() && no_outcome {
            return Some(Need::Outcome);
        }
        if let Some(referral) = &step.referral {
            let to = self.referral.as_ref().map(|r| r.to.as_str());
            if !referral.to.iter().any(|t| Some(t.as_str()) == to) {
                return Some(Need::Referral);
            }
        }
        step.needs.iter().copied().find(|need| match need {
            Need::FilesComplete => self.files_complete.is_none(),
            Need::Meeting => self.meeting.is_none(),
            Need::Note | Need::Result | Need::Reason => self.note().is_none(),
            Need::Request => self.public_note().is_none(),
            Need::Outcome => no_outcome,
            Need::Referral => false,
        })
    }
}

/// `text` trimmed, `None` when blank.
fn trimmed(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The command line's words for what a step still needs (`loket status`).
pub fn need_message(need: Need, step: &str) -> String {
    match need {
        Need::FilesComplete => {
            format!("langkah {step} perlu keterangan berkas: lengkap atau tidak lengkap (--berkas)")
        }
        Need::Meeting => format!(
            "langkah {step} perlu tanggal, jam, dan tempat pertemuan (--meeting \"YYYY-MM-DD HH:MM, tempat\")"
        ),
        Need::Result => format!("langkah {step} perlu ringkasan hasil (--note)"),
        Need::Reason => format!("langkah {step} perlu alasan penolakan (--note)"),
        Need::Note => format!("langkah {step} perlu catatan (--note)"),
        Need::Request => format!(
            "langkah {step} perlu pesan untuk pemohon: apa yang perlu dilengkapi (--public-note)"
        ),
        Need::Outcome => format!("langkah {step} perlu kategori hasil (--outcome)"),
        Need::Referral => format!(
            "langkah {step} perlu tujuan rujukan (salah satu dari `referral.to` langkah itu), nomor surat bila ada, dan tanggalnya (--referral \"TUJUAN; NOMOR SURAT; YYYY-MM-DD\")"
        ),
    }
}

/// The step a record is in, by its form: `None` for a status the form has
/// no step (or alias) for.
pub fn current<'a>(record: &Record, form: &'a FormSpec) -> Option<&'a StepSpec> {
    form.step(&record.status)
}

/// How far in the future a step may be dated: clocks of two machines differ.
const CLOCK_SLACK: time::Duration = time::Duration::minutes(5);

/// Checks a change against the procedure of the record's form (`form`) and
/// returns the record's new text. `now` bounds the step's time from above
/// (a step cannot be in the future).
pub fn apply(
    record: &Record,
    form: &FormSpec,
    text: &str,
    change: &StatusChange,
    now: OffsetDateTime,
) -> Result<String, RecordError> {
    let missing = |m: String| Err(RecordError::Missing(m));
    if change.is_message() && change.public_note().is_none() {
        return missing(
            "sebutkan langkah baru, formulir yang baru (--kind), atau pesan untuk pemohon (--public-note)".into(),
        );
    }
    if change.at < record.received_at {
        return missing(format!(
            "waktu langkah ({}) lebih awal dari waktu kasus diterima ({}); periksa --at",
            format_timestamp(change.at),
            format_timestamp(record.received_at)
        ));
    }
    if change.at > now + CLOCK_SLACK {
        return missing(format!(
            "waktu langkah ({}) belum terjadi; periksa --at",
            format_timestamp(change.at)
        ));
    }
    let Some(from) = current(record, form) else {
        return missing(format!(
            "{} berstatus {}, langkah yang tidak ada di {}; perbaiki catatan kasusnya dahulu",
            record.ticket,
            record.status,
            form.path.display()
        ));
    };
    if change.is_message() {
        return message(record, from, text, change);
    }
    // A move: the case keeps its place in the procedure of the new form.
    let (form, from) = match &change.form {
        Some(m) if *m.to.id == *form.id => {
            return missing(format!(
                "{} sudah berada di formulir {}",
                record.ticket, form.id
            ));
        }
        Some(m) => {
            if !form.early_steps().any(|s| s.id == from.id) {
                let early: Vec<&str> = form.early_steps().map(|s| s.id.as_str()).collect();
                return missing(format!(
                    "{} berstatus {}; kasus hanya dapat dipindah ke formulir lain selama berstatus {}",
                    record.ticket,
                    from.id,
                    early.join(" atau ")
                ));
            }
            let Some(there) = m.to.matching_step(form, &from.id) else {
                return missing(format!(
                    "formulir {} tidak punya langkah yang sepadan dengan {}",
                    m.to.id, from.id
                ));
            };
            (&*m.to, there)
        }
        None => (form, from),
    };
    let moved = change.form.is_some();
    let to = match change.to.as_deref() {
        None => from,
        Some(typed) => {
            // As staff may type it: "Konsultasi diberikan", "pertemuan_dijadwalkan".
            let wanted = &typed.trim().to_lowercase().replace([' ', '_'], "-");
            let next = form.step(wanted).filter(|s| from.next.contains(&s.id));
            let Some(next) = next else {
                let allowed = if from.next.is_empty() {
                    "tidak ada: kasus sudah ditutup".to_string()
                } else {
                    from.next.join(", ")
                };
                return Err(RecordError::Transition {
                    ticket: record.ticket.clone(),
                    from: from.id.clone(),
                    to: typed.to_string(),
                    allowed,
                });
            };
            next
        }
    };
    if change.to.is_some()
        && let Some(need) = change.lacks(to)
    {
        return Err(RecordError::Needs {
            need,
            step: to.id.clone(),
        });
    }
    // Closing a case past its deadline owes the citizen a reason (judged
    // on the deadlines as they stand: a paused clock moves them after).
    if change.to.is_some()
        && to.is_final
        && record.is_overdue(Some(form), change.at.to_offset(dates::WIB).date(), false)
        && change.late_reason().is_none()
    {
        return Err(RecordError::LateReason {
            ticket: record.ticket.clone(),
            due: record.promised_due(),
        });
    }
    let outcome = match change.outcome.as_deref().map(str::trim) {
        Some(typed) if change.to.is_some() && !typed.is_empty() => {
            Some(outcome_of(to, typed)?.id.clone())
        }
        _ => None,
    };
    let note = change.note();
    let edit_error = |message| record.edit_error(message);
    let at = format_timestamp(change.at);
    let entry = HistoryEntry {
        moved_from: moved.then(|| record.kind.clone()),
        berkas: change
            .files_complete
            .map(|c| files_complete_text(c).to_string()),
        meeting: change.meeting.clone(),
        note: note.map(str::to_string),
        public_note: change.public_note().map(str::to_string),
        late_reason: change.late_reason().map(str::to_string),
        referral: change.referral.clone().filter(|_| to.referral.is_some()),
        ..HistoryEntry::new(change.at, &to.id, &change.by)
    };
    let mut new = set_key(text, "status", &to.id).map_err(edit_error)?;
    if let Some(m) = &change.form {
        new = set_key(&new, "kind", &m.to.id).map_err(edit_error)?;
        new = set_value(&new, "form_version", &m.to.version).map_err(edit_error)?;
        new = set_key(
            &new,
            "response_due",
            &dates::format_iso(m.deadlines.response.date),
        )
        .map_err(edit_error)?;
        new = match m.deadlines.completion {
            Some(due) => set_key(&new, "completion_due", &dates::format_iso(due.date)),
            None => remove_key(&new, "completion_due"),
        }
        .map_err(edit_error)?;
        new = match m.deadlines.note() {
            Some(note) => set_key(&new, "due_note", &note),
            None => remove_key(&new, "due_note"),
        }
        .map_err(edit_error)?;
    }
    let stepped = change.to.is_some();
    // A move alone is not a response to the citizen.
    if stepped && record.first_response_at.is_none() {
        new = set_key(&new, "first_response_at", &at).map_err(edit_error)?;
    }
    if stepped && (to.needs(Need::Result) || to.needs(Need::Reason)) {
        new = set_key(&new, "result", note.unwrap_or_default()).map_err(edit_error)?;
    }
    if stepped && to.is_final {
        new = set_key(&new, "completed_at", &at).map_err(edit_error)?;
    }
    if let Some(outcome) = &outcome {
        new = set_key(&new, "outcome", outcome).map_err(edit_error)?;
    }
    new = append_history(&new, &entry).map_err(edit_error)?;
    // The edit must read back as the record we meant to write.
    let check = Record::parse(&record.path, &new).map_err(|d| edit_error(d.message))?;
    if check.status != to.id
        || *check.kind != *form.id
        || check.history.len() != record.history.len() + 1
    {
        return Err(edit_error(
            "hasil suntingan tidak terbaca kembali seperti yang dimaksud".into(),
        ));
    }
    Ok(new)
}

/// The outcome category of `step` staff named, by its id or its label in
/// any case.
fn outcome_of<'a>(
    step: &'a StepSpec,
    typed: &str,
) -> Result<&'a crate::forms::spec::Outcome, RecordError> {
    let wanted = typed.to_lowercase();
    step.outcomes
        .iter()
        .find(|o| o.id == typed || o.label.to_lowercase() == wanted)
        .ok_or_else(|| {
            RecordError::Missing(match step.outcomes.is_empty() {
                true => format!(
                    "langkah {} tidak punya kategori hasil; hapus --outcome",
                    step.id
                ),
                false => format!(
                    "kategori hasil {typed:?} tidak dikenal untuk langkah {}; pilih salah satu: {}",
                    step.id,
                    step.outcomes
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        })
}

/// A message to the citizen on an open case (`from`: the step it is in):
/// a history entry that keeps the status, with who sent it.
fn message(
    record: &Record,
    from: &StepSpec,
    text: &str,
    change: &StatusChange,
) -> Result<String, RecordError> {
    if from.is_final {
        return Err(RecordError::Missing(format!(
            "{} sudah ditutup ({}); pesan hanya dapat dikirim untuk kasus yang masih berjalan",
            record.ticket, from.id
        )));
    }
    let edit_error = |message| record.edit_error(message);
    let entry = HistoryEntry {
        note: change.note().map(str::to_string),
        public_note: change.public_note().map(str::to_string),
        message: true,
        late_reason: change.late_reason().map(str::to_string),
        ..HistoryEntry::new(change.at, &from.id, &change.by)
    };
    let new = append_history(text, &entry).map_err(edit_error)?;
    let check = Record::parse(&record.path, &new).map_err(|d| edit_error(d.message))?;
    if check.status != record.status || check.history.len() != record.history.len() + 1 {
        return Err(edit_error(
            "hasil suntingan tidak terbaca kembali seperti yang dimaksud".into(),
        ));
    }
    Ok(new)
}

#[cfg(test)]
mod tests;
