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
    /// To whom, by which letter and when a step with `referral:` refers
    /// the case.
    pub referral: Option<Referral>,
}

impl StatusChange {
    /// The public note as it will be stored: trimmed, `None` when blank.
    pub fn public_note(&self) -> Option<&str> {
        self.public_note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }

    fn note(&self) -> Option<&str> {
        self.note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }

    /// The late reason as it will be stored: trimmed, `None` when blank.
    pub fn late_reason(&self) -> Option<&str> {
        self.late_reason
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
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
            Need::Referral => false,
        })
    }
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
    let note = change.note();
    let edit_error = |message: String| RecordError::Edit {
        path: record.path.clone(),
        message,
    };
    let at = format_timestamp(change.at);
    let entry = HistoryEntry {
        at: change.at,
        status: to.id.clone(),
        by: change.by.clone(),
        channel: None,
        moved_from: moved.then(|| record.kind.clone()),
        berkas: change
            .files_complete
            .map(|c| files_complete_text(c).to_string()),
        meeting: change.meeting.clone(),
        note: note.map(str::to_string),
        public_note: change.public_note().map(str::to_string),
        added: None,
        message: false,
        late_reason: change.late_reason().map(str::to_string),
        confidential: None,
        referral: change.referral.clone().filter(|_| to.referral.is_some()),
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
    let edit_error = |message: String| RecordError::Edit {
        path: record.path.clone(),
        message,
    };
    let entry = HistoryEntry {
        at: change.at,
        status: from.id.clone(),
        by: change.by.clone(),
        channel: None,
        moved_from: None,
        berkas: None,
        meeting: None,
        note: change.note().map(str::to_string),
        public_note: change.public_note().map(str::to_string),
        message: true,
        late_reason: change.late_reason().map(str::to_string),
        confidential: None,
        referral: None,
        added: None,
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
mod tests {
    use super::*;
    use crate::cases::record::{Record, parse_local_time};
    use std::path::Path;

    const RECORD: &str = "# KP-20261127-CDFH · Permohonan\n\
ticket: KP-20261127-CDFH\n\
kind: permohonan\n\
received_at: 2026-11-27T10:15:03+07:00\n\
status: baru\n\
# staff: called the applicant, no answer\n\
response_due: 2026-12-04\n\
completion_due: 2026-12-04\n\
fields:\n  jenis: konsultasi\n  nama: Siti\n\
attachments: []\n\
history: []\n\
catatan_petugas: ditambahkan dengan tangan\n";

    fn now() -> OffsetDateTime {
        parse_local_time("2026-12-01 08:00").unwrap()
    }

    fn form() -> Arc<FormSpec> {
        crate::forms::Forms::builtin()
            .get("permohonan")
            .unwrap()
            .clone()
    }

    fn change(to: &str) -> StatusChange {
        StatusChange {
            to: Some(to.into()),
            form: None,
            at: parse_local_time("2026-11-30 09:00").unwrap(),
            by: "Budi".into(),
            note: None,
            meeting: None,
            files_complete: None,
            public_note: None,
            late_reason: None,
            referral: None,
        }
    }

    #[test]
    fn status_change_keeps_hand_edits_and_comments() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let mut c = change("diperiksa");
        c.files_complete = Some(true);
        c.note = Some("Berkas: lengkap\nsemua ada".into());
        let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
        assert!(new.contains("# staff: called the applicant, no answer\n"));
        // As staff may type a step.
        let mut typed = c.clone();
        typed.to = Some(" Diperiksa ".into());
        assert_eq!(apply(&record, &form(), RECORD, &typed, now()).unwrap(), new);
        assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
        assert!(new.contains("status: diperiksa\n"));
        assert!(new.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
        let parsed = Record::parse(path, &new).unwrap();
        assert_eq!(parsed.history.len(), 1);
        assert_eq!(
            parsed.history[0].note.as_deref(),
            Some("Berkas: lengkap\nsemua ada")
        );

        let mut c = change("selesai");
        c.note = Some("Konsultasi: pembukuan sederhana".into());
        let done = apply(&parsed, &form(), &new, &c, now()).unwrap();
        let parsed = Record::parse(path, &done).unwrap();
        assert_eq!(parsed.status, "selesai");
        assert_eq!(parsed.history.len(), 2);
        assert_eq!(
            parsed.result.as_deref(),
            Some("Konsultasi: pembukuan sederhana")
        );
        assert!(parsed.completed_at.is_some());
        // The first response is not moved by later steps.
        assert!(done.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
        assert!(done.contains("catatan_petugas: ditambahkan dengan tangan\n"));
    }

    #[test]
    fn a_public_note_goes_into_the_step() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let mut c = change("diperiksa");
        c.files_complete = Some(false);
        c.note = Some("KTP buram; telepon tidak diangkat".into());
        c.public_note = Some("  Mohon kirim ulang foto KTP yang jelas.  ".into());
        let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
        let parsed = Record::parse(path, &new).unwrap();
        let step = &parsed.history[0];
        assert_eq!(
            step.public_note.as_deref(),
            Some("Mohon kirim ulang foto KTP yang jelas.")
        );
        assert_eq!(
            step.note.as_deref(),
            Some("KTP buram; telepon tidak diangkat")
        );
        // A blank one is no note; old records without the key still read.
        c.public_note = Some("   ".into());
        let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
        assert!(!new.contains("public_note"), "{new}");
        assert_eq!(Record::parse(path, RECORD).unwrap().access_code_hash, None);
    }

    #[test]
    fn a_message_keeps_the_step_and_names_who_sent_it() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let mut c = change("diperiksa");
        c.to = None;
        assert!(matches!(
            apply(&record, &form(), RECORD, &c, now()),
            Err(RecordError::Missing(_))
        ));
        c.public_note = Some(" Mohon ditunggu. ".into());
        let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
        let parsed = Record::parse(path, &new).unwrap();
        assert_eq!(parsed.status, "baru");
        assert_eq!(parsed.first_response_at, None, "a message is not a step");
        let entry = &parsed.history[0];
        assert!(entry.message);
        assert_eq!((entry.status.as_str(), entry.by.as_str()), ("baru", "Budi"));
        assert_eq!(entry.public_note.as_deref(), Some("Mohon ditunggu."));
        assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
        // Not on a closed case.
        let closed = RECORD.replace("status: baru", "status: ditolak")
            + "completed_at: 2026-11-30T09:00:00+07:00\n";
        let record = Record::parse(path, &closed).unwrap();
        let err = apply(&record, &form(), &closed, &c, now()).unwrap_err();
        assert!(err.to_string().contains("sudah ditutup"), "{err}");
    }

    #[test]
    fn closing_past_the_deadline_needs_a_reason_for_the_citizen() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let late = parse_local_time("2026-12-07 09:00").unwrap();
        let mut c = change("ditolak");
        c.note = Some("Bukan wewenang kami.".into());
        c.at = late;
        let err = apply(&record, &form(), RECORD, &c, late).unwrap_err();
        assert!(matches!(err, RecordError::LateReason { .. }), "{err}");
        assert!(err.to_string().contains("4 Desember 2026"), "{err}");
        c.late_reason = Some("Petugas sedang dinas luar.".into());
        let new = apply(&record, &form(), RECORD, &c, late).unwrap();
        let parsed = Record::parse(path, &new).unwrap();
        assert_eq!(
            parsed.history[0].late_reason.as_deref(),
            Some("Petugas sedang dinas luar.")
        );
        // In time, none is asked for.
        c.late_reason = None;
        assert!(apply(&record, &form(), RECORD, &change_at(c, now()), now()).is_ok());
    }

    fn change_at(mut c: StatusChange, at: OffsetDateTime) -> StatusChange {
        c.at = at;
        c
    }

    #[test]
    fn refuses_invalid_transitions() {
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let mut c = change("selesai");
        c.note = Some("x".into());
        let err = apply(&record, &form(), RECORD, &c, now()).unwrap_err();
        assert!(
            err.to_string().contains("tidak dapat menjadi selesai"),
            "{err}"
        );
        assert!(matches!(
            apply(&record, &form(), RECORD, &change("diperiksa"), now()),
            Err(RecordError::Needs { .. })
        ));
    }

    /// A step that asks the citizen needs the public message saying what
    /// for; the internal note does not do.
    #[test]
    fn asking_the_citizen_needs_the_public_message() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let mut c = change("diperiksa");
        c.files_complete = Some(false);
        let checked = apply(&record, &form(), RECORD, &c, now()).unwrap();
        let record = Record::parse(path, &checked).unwrap();
        let mut ask = change("menunggu-kelengkapan");
        ask.note = Some("KTP buram".into());
        ask.public_note = Some("  ".into());
        let err = apply(&record, &form(), &checked, &ask, now()).unwrap_err();
        assert!(
            matches!(
                err,
                RecordError::Needs {
                    need: Need::Request,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("--public-note"), "{err}");
        ask.public_note = Some("Kirim foto KTP yang jelas.".into());
        let asked = apply(&record, &form(), &checked, &ask, now()).unwrap();
        let parsed = Record::parse(path, &asked).unwrap();
        assert_eq!(parsed.status, "menunggu-kelengkapan");
        assert_eq!(
            parsed.history[1].public_note.as_deref(),
            Some("Kirim foto KTP yang jelas.")
        );
    }

    #[test]
    fn files_complete_parses_as_staff_type_it() {
        assert_eq!(parse_files_complete("lengkap"), Ok(true));
        assert_eq!(parse_files_complete("tidak-lengkap"), Ok(false));
        assert_eq!(parse_files_complete(" Tidak Lengkap "), Ok(false));
        assert!(parse_files_complete("kurang").is_err());
        assert_eq!(files_complete_text(false), "tidak lengkap");
    }

    #[test]
    fn meetings_parse() {
        let m = Meeting::parse("2026-12-02 10:00, Kantor Dinkopum").unwrap();
        assert_eq!(m.at, "2026-12-02 10:00");
        assert_eq!(m.place, "Kantor Dinkopum");
        assert!(Meeting::parse("besok, kantor").is_err());
        assert!(Meeting::parse("2026-12-02 25:00, kantor").is_err());
        assert!(Meeting::parse("2026-12-02 10:00,").is_err());
    }

    #[test]
    fn a_status_the_form_does_not_know_is_refused_with_its_name() {
        let bad = RECORD.replace("status: baru", "status: entah");
        let record = Record::parse(Path::new("r.yaml"), &bad).unwrap();
        let err = apply(&record, &form(), &bad, &change("diperiksa"), now()).unwrap_err();
        assert!(err.to_string().contains("entah"), "{err}");
    }
}
