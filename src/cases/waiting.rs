//! Waiting for the citizen: the time a case spent in a step that asks the
//! citizen for something (`asks_citizen: true` in its form), until the
//! citizen answered on `/cek-status/` or staff took another step.
//!
//! The report shows that time apart from the office's own, and an office
//! whose `site.yaml` says `office.pause_while_waiting: true` gets the
//! deadlines moved by the working days waited when the citizen answers
//! ([`answer`]) or staff take a step out of the wait without an answer
//! ([`left`]), once ([`paused_deadlines`]); while it waits so, the case is
//! not late ([`crate::cases::record::is_overdue`]).

use time::{Date, OffsetDateTime};

use super::RecordError;
use super::record::Record;
use super::yaml_edit::set_key;
use crate::core::calendar::Calendar;
use crate::core::dates::{self, WIB};
use crate::forms::Forms;
use crate::forms::spec::StepSpec;

/// One stretch of waiting: from the step that asked, until the answer or
/// the next step (`None`: still waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub from: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
}

impl Wait {
    /// Working days waited: those after the day it began, up to the day it
    /// ended (or `today` while it lasts).
    pub fn working_days(&self, calendar: &Calendar, today: Date) -> u32 {
        let end = self.until.map_or(today, |u| u.to_offset(WIB).date());
        calendar.working_days_between(self.from.to_offset(WIB).date(), end)
    }
}

/// Every wait of `record`, oldest first, each step read in the form it was
/// taken in. A wait begins with a step that asks the citizen and ends with
/// their answer or a step that does not ask; an entry that stays in an
/// asking step while a wait is open (the step taken again, a message)
/// goes on with it.
pub fn waits(record: &Record, forms: &Forms) -> Vec<Wait> {
    let mut waits: Vec<Wait> = Vec::new();
    let mut open = false;
    for (entry, form) in record.history.iter().zip(record.history_forms()) {
        let asks = entry.is_step()
            && forms
                .get(form)
                .and_then(|f| f.step(&entry.status))
                .is_some_and(|s| s.asks_citizen);
        if open && (entry.is_reply() || (entry.is_step() && !asks)) {
            if let Some(last) = waits.last_mut() {
                last.until = Some(entry.at);
            }
            open = false;
        } else if asks && !open {
            waits.push(Wait {
                from: entry.at,
                until: None,
            });
            open = true;
        }
    }
    waits
}

/// The wait going on now, if the case is waiting for its citizen.
pub fn current(record: &Record, forms: &Forms) -> Option<Wait> {
    waits(record, forms).pop().filter(|w| w.until.is_none())
}

/// Working days `record` waited for its citizen in total, by `today`.
pub fn working_days_waited(
    record: &Record,
    forms: &Forms,
    calendar: &Calendar,
    today: Date,
) -> u32 {
    waits(record, forms)
        .iter()
        .map(|w| w.working_days(calendar, today))
        .sum()
}

/// The deadlines once the wait `wait` ends at `at`, when the clock pauses
/// while waiting: each moved by the working days waited (the response
/// deadline only while there was no response yet). `None` when nothing
/// moves.
pub fn paused_deadlines(
    record: &Record,
    wait: Wait,
    at: OffsetDateTime,
    calendar: &Calendar,
) -> Option<(Date, Option<Date>)> {
    let ended = Wait {
        until: Some(at),
        ..wait
    };
    let days = ended.working_days(calendar, at.to_offset(WIB).date());
    if days == 0 {
        return None;
    }
    let response = match record.first_response_at {
        Some(first) if first <= wait.from => record.response_due,
        _ => calendar.add_working_days(record.response_due, days),
    };
    let completion = record
        .completion_due
        .map(|due| calendar.add_working_days(due, days));
    Some((response, completion))
}

/// What the receipt (page and mail) says of waiting for missing documents
/// under `form`: whether the deadline stops (`pauses`); "" for a form that
/// never asks its citizen.
pub fn receipt_words(form: &crate::forms::FormSpec, pauses: bool) -> String {
    if !form.steps.iter().any(|s| s.asks_citizen) {
        return String::new();
    }
    let ask = "Bila berkas Anda belum lengkap, petugas menuliskan kekurangannya di halaman Cek status dan di surel, dan Anda dapat mengirimnya dari halaman Cek status.";
    if pauses {
        format!(
            "{ask} Selama kami menunggu kelengkapan dari Anda, batas waktu berhenti dihitung dan bergeser sebanyak hari kerja menunggu."
        )
    } else {
        format!("{ask} Batas waktu tetap berjalan selama kami menunggu kelengkapan dari Anda.")
    }
}

/// Whether the citizen answered (a reply on `/cek-status/`, a document
/// handed in) since staff last took a step, while the case is in `step`
/// and it still asks: the desk marks it "balasan baru".
pub fn new_reply(record: &Record, step: Option<&StepSpec>) -> bool {
    step.is_some_and(|s| s.asks_citizen)
        && record
            .history
            .iter()
            .rev()
            .take_while(|h| !h.is_step())
            .any(|h| h.is_reply())
}

/// Whether `record` is in a step that asks its citizen for something.
pub fn asks(record: &Record, forms: &Forms) -> bool {
    forms
        .of(record)
        .and_then(|f| f.step(&record.status))
        .is_some_and(|s| s.asks_citizen)
}

/// The edit an answer of the citizen makes to the record's `text` (under
/// its lock), at `now`: refused when the case no longer asks (staff moved
/// on since the page was shown); when it ends a wait and the office
/// pauses the clock (`pauses`), the deadlines move by the working days
/// waited.
pub fn answer(
    record: &Record,
    text: &str,
    forms: &Forms,
    (pauses, calendar): (bool, &Calendar),
    now: OffsetDateTime,
) -> Result<String, RecordError> {
    if !asks(record, forms) {
        return Err(RecordError::Missing(format!(
            "{} tidak sedang menunggu pemohon",
            record.ticket
        )));
    }
    let moved = current(record, forms)
        .filter(|_| pauses)
        .and_then(|wait| paused_deadlines(record, wait, now, calendar));
    set_deadlines(record, text, moved)
}

/// The edit a step of staff makes to the record's new `text` (what
/// [`crate::cases::apply`] made of `record`), at `at`: when the step
/// leaves a wait the citizen did not answer (they phoned, or staff went
/// on), the deadlines move by the working days waited, as an answer moves
/// them ([`answer`]). A wait an answer already ended moved them then: it
/// is not open any more, and nothing moves twice. Only for an office that
/// pauses the clock; the caller does not call it otherwise.
pub fn left(
    record: &Record,
    text: &str,
    forms: &Forms,
    calendar: &Calendar,
    at: OffsetDateTime,
) -> Result<String, RecordError> {
    let Some(wait) = current(record, forms) else {
        return Ok(text.to_string());
    };
    let after = Record::parse(&record.path, text).map_err(|d| record.edit_error(d.message))?;
    // Still waiting (a message, the step taken again), or moved to
    // another form (its deadlines counted anew): nothing moves.
    if current(&after, forms).is_some() || after.kind != record.kind {
        return Ok(text.to_string());
    }
    set_deadlines(record, text, paused_deadlines(record, wait, at, calendar))
}

/// `text` with the deadlines `moved` (response, completion) set; as it
/// was when `None`.
fn set_deadlines(
    record: &Record,
    text: &str,
    moved: Option<(Date, Option<Date>)>,
) -> Result<String, RecordError> {
    let Some((response, completion)) = moved else {
        return Ok(text.to_string());
    };
    let edit = |message| record.edit_error(message);
    let mut text = set_key(text, "response_due", &dates::format_iso(response)).map_err(edit)?;
    if let Some(completion) = completion {
        text = set_key(&text, "completion_due", &dates::format_iso(completion)).map_err(edit)?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const RECORD: &str = "ticket: KP-20261127-CDFH\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: menunggu-kelengkapan\nresponse_due: 2026-12-04\ncompletion_due: 2026-12-04\nfirst_response_at: 2026-11-30T09:00:00+07:00\nhistory:\n- at: 2026-11-30T09:00:00+07:00\n  status: diperiksa\n  by: budi\n  berkas: tidak lengkap\n- at: 2026-11-30T09:05:00+07:00\n  status: menunggu-kelengkapan\n  by: budi\n  public_note: Kirim foto KTP yang jelas.\n";

    #[test]
    fn a_wait_lasts_until_the_citizen_answers_and_moves_the_deadline() {
        let forms = Forms::builtin();
        let calendar = Calendar::from_holidays([2026], &[]);
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let wait = current(&record, forms).unwrap();
        // Monday 30 Nov to Thursday 3 Dec: three working days.
        let today = time::macros::date!(2026 - 12 - 03);
        assert_eq!(working_days_waited(&record, forms, &calendar, today), 3);
        let at = time::macros::datetime!(2026-12-03 10:00 +07:00);
        let (response, completion) = paused_deadlines(&record, wait, at, &calendar).unwrap();
        // Answered before the wait: the response deadline is kept.
        assert_eq!(response, time::macros::date!(2026 - 12 - 04));
        assert_eq!(completion, Some(time::macros::date!(2026 - 12 - 09)));
        let same_day = time::macros::datetime!(2026-11-30 15:00 +07:00);
        assert_eq!(paused_deadlines(&record, wait, same_day, &calendar), None);

        let replied = format!(
            "{RECORD}- at: 2026-12-03T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: pemohon\n  added:\n    from: pemohon\n    reply: Sudah saya kirim.\n"
        );
        let record = Record::parse(Path::new("r.yaml"), &replied).unwrap();
        assert_eq!(current(&record, forms), None);
        let later = time::macros::date!(2026 - 12 - 10);
        assert_eq!(working_days_waited(&record, forms, &calendar, later), 3);
        // Asked again while waiting: one wait, from the first asking.
        let again = format!(
            "{RECORD}- at: 2026-12-02T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: budi\n  public_note: Juga NPWP.\n"
        );
        let record = Record::parse(Path::new("r.yaml"), &again).unwrap();
        assert_eq!(waits(&record, forms).len(), 1);
        assert_eq!(current(&record, forms).unwrap().from, wait.from);
    }

    #[test]
    fn a_step_out_of_an_unanswered_wait_moves_the_deadline_once() {
        let forms = Forms::builtin();
        let calendar = Calendar::from_holidays([2026], &[]);
        let at = time::macros::datetime!(2026-12-03 10:00 +07:00);
        let step =
            "- at: 2026-12-03T10:00:00+07:00\n  status: diperiksa\n  by: budi\n  berkas: lengkap\n";
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let stepped = format!("{RECORD}{step}").replace(
            "status: menunggu-kelengkapan\nresponse_due",
            "status: diperiksa\nresponse_due",
        );
        let moved = left(&record, &stepped, forms, &calendar, at).unwrap();
        assert!(moved.contains("completion_due: 2026-12-09"), "{moved}");
        assert!(moved.contains("response_due: 2026-12-04"), "{moved}");
        // Answered first: the answer moved them, the step does not.
        let replied = format!(
            "{RECORD}- at: 2026-12-03T09:00:00+07:00\n  status: menunggu-kelengkapan\n  by: pemohon\n  added:\n    from: pemohon\n    reply: Sudah.\n"
        );
        let record = Record::parse(Path::new("r.yaml"), &replied).unwrap();
        let stepped = format!("{replied}{step}");
        assert_eq!(
            left(&record, &stepped, forms, &calendar, at).unwrap(),
            stepped
        );
        // A message while waiting: still waiting, nothing moves.
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let message = format!(
            "{RECORD}- at: 2026-12-03T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: budi\n  message: true\n  public_note: Ditunggu.\n"
        );
        assert_eq!(
            left(&record, &message, forms, &calendar, at).unwrap(),
            message
        );
    }
}
