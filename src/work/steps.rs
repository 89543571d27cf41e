//! Take a step on a case, move it to the other form, or send its citizen a
//! message without a step: for the desk and `loket status` alike. The record is changed under its day folder's lock
//! ([`cases::update`]) as [`cases::apply`] checks it; then the step is
//! written to the audit log once, with who took it, the citizen of a case
//! it closes is invited to the survey ([`invite_to_survey`]), and the
//! citizen is told ([`tell_citizen`]).

use std::io;

use time::OffsetDateTime;

use super::Work;
use super::audit::{self, Action, Actor};
use crate::cases::access::AccessKey;
use crate::cases::{self, FormMove, Record, RecordError, StatusChange, Version};
use crate::core::calendar::Calendar;
use crate::core::dates::WIB;
use crate::forms::spec::Need;
use crate::office::terms::Terms;
use crate::survey::store::{Invitation, Kind, Surveys};

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The step (its id) asks for something the change does not give.
    #[error("{}", cases::need_message(*.0, .1))]
    Needs(Need, String),
    /// The case's form is not (any more) among the site's forms.
    #[error("formulir {0} tidak ada di situs (forms/{0}.yaml); langkah tidak dapat diambil")]
    NoForm(String),
    /// A move to a form the site gives no term for.
    #[error("situs tidak menetapkan batas waktu untuk {0}")]
    NoTerm(String),
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// A step written: the record as it was and as it is now, and how the
/// audit line and the citizen's mail went (the step stands either way; the
/// front end says what failed).
#[derive(Debug)]
pub struct StepDone {
    pub before: Record,
    pub after: Record,
    pub audit: io::Result<()>,
    pub told: Result<bool, String>,
}

/// Takes `change` on the case `ticket` (if its record is still `seen`,
/// when given), audits it as `actor` and tells the citizen.
pub fn take_step(
    w: &Work,
    ticket: &str,
    seen: Option<&Version>,
    change: &StatusChange,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<StepDone, StepError> {
    let updated = cases::update(&w.data, ticket, seen, |record, text| {
        let form = w.forms.of(record).ok_or_else(|| {
            RecordError::Missing(StepError::NoForm(record.kind.clone()).to_string())
        })?;
        let new = cases::apply(record, form, text, change, now)?;
        match &w.paused {
            Some(calendar) if !change.is_message() => {
                cases::waiting::left(record, &new, &w.forms, calendar, change.at)
            }
            _ => Ok(new),
        }
    });
    let (before, after) = match updated {
        Ok(done) => (done.before, done.after),
        // The rule's own refusal, keyed so every front end can word it.
        Err(RecordError::Needs { need, step }) => return Err(StepError::Needs(need, step)),
        Err(e) => return Err(e.into()),
    };
    let action = match change.is_message() {
        true => Action::Message,
        false => Action::Status,
    };
    let audit = audit::record(
        &w.data,
        actor,
        action,
        Some(&before.ticket),
        &detail(&before, change),
    );
    if !change.is_message() {
        invite_to_survey(w, &after, now);
    }
    let told = tell_citizen(w, &after);
    Ok(StepDone {
        before,
        after,
        audit,
        told,
    })
}

/// Queues the citizen's mail about the step just written (the last of
/// `record`) when mail is on, the step is news to them and they gave an
/// email address; returns whether one was queued.
fn tell_citizen(w: &Work, record: &Record) -> Result<bool, String> {
    match (&w.composer, record.history.len().checked_sub(1)) {
        (Some(composer), Some(last)) => crate::notify::queue_step(&w.data, composer, record, last),
        _ => Ok(false),
    }
}

/// Sends the citizen of the open case `ticket` a public message (and the
/// reason it is late, when given) without changing its step: a history
/// entry with who sent it, shown on `/cek-status/`, mailed when mail is on
/// and they gave an email, audited as a message. As [`take_step`].
#[allow(clippy::too_many_arguments)]
pub fn send_message(
    w: &Work,
    ticket: &str,
    seen: Option<&Version>,
    message: &str,
    late_reason: Option<&str>,
    actor: &Actor,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<StepDone, StepError> {
    let change = StatusChange {
        to: None,
        form: None,
        at,
        by: actor.name.clone(),
        note: None,
        meeting: None,
        files_complete: None,
        public_note: Some(message.to_string()),
        late_reason: late_reason.map(str::to_string),
        outcome: None,
        referral: None,
    };
    take_step(w, ticket, seen, &change, actor, now)
}

/// Moves the case `ticket` to the form `to`, with that form's deadlines
/// from the day it was received (under `terms` and `calendar`), and the
/// step in `change` if it names one, as [`take_step`].
#[allow(clippy::too_many_arguments)]
pub fn move_case(
    w: &Work,
    ticket: &str,
    seen: Option<&Version>,
    to: &str,
    (terms, calendar): (&Terms, &Calendar),
    change: &StatusChange,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<StepDone, StepError> {
    let form = w
        .forms
        .get(to)
        .cloned()
        .ok_or_else(|| StepError::NoForm(to.to_string()))?;
    // The deadlines depend on the day the case came in: read it first (the
    // update reads it again under its lock).
    let (record, _) = cases::find(&w.data, ticket)?;
    let deadlines = terms
        .deadlines(to, record.received_at, calendar)
        .ok_or_else(|| StepError::NoTerm(to.to_string()))?;
    let change = StatusChange {
        form: Some(FormMove {
            to: form,
            deadlines,
        }),
        ..change.clone()
    };
    take_step(w, ticket, seen, &change, actor, now)
}

/// Invites the citizen of the case just written (`record`) to the survey
/// ([`crate::survey::store`]) when the step closed it (finished or
/// rejected), before the mail that carries the link is queued. Idempotent:
/// a case closed again keeps its first invitation. A case of an anonymous
/// form is not invited: it has no access code and no mail, so there is no
/// way to give its citizen the link, and counting it in the population
/// would only lower the response rate with people who could never answer.
/// A failure is logged (never the key) and does not undo the step.
fn invite_to_survey(w: &Work, record: &Record, now: OffsetDateTime) {
    let form = w.forms.of(record);
    if !record.is_closed(form.map(|f| &**f)) || form.is_some_and(|f| f.anonymous) {
        return;
    }
    let invited = AccessKey::load_or_create(&w.data)
        .map_err(|e| e.to_string())
        .and_then(|key| {
            let invitation = Invitation {
                issued: now.to_offset(WIB).date(),
                kind: Kind::Case,
                form: Some(record.kind.clone()),
            };
            Surveys::new(&w.data)
                .invite(&key.survey_token(&record.ticket), &invitation)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = invited {
        tracing::warn!("survey invitation of {} not recorded: {e}", record.ticket);
    }
}

/// The audit line's detail: the new status, and the move.
fn detail(before: &Record, change: &StatusChange) -> String {
    let moved = change
        .form
        .as_ref()
        .map(|m| format!("dipindah ke {}", m.to.id));
    match (change.to.as_deref(), moved) {
        (Some(to), Some(moved)) => format!("{to} {moved}"),
        (Some(to), None) => to.to_string(),
        (None, Some(moved)) => moved,
        (None, None) if change.is_message() => format!("pesan ({})", before.status),
        (None, None) => before.status.clone(),
    }
}

#[cfg(test)]
mod tests;
