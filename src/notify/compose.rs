//! What each message says: Tera templates in `src/notify/templates/`
//! (Indonesian, plain text, built into loket; under `mail/` in the one
//! registry, [`crate::office::templates`], so a site's
//! `templates/mail/NAME` replaces one), the first line of each being the
//! subject. A message names the ticket, the kind, when it arrived, the
//! deadline, and where to look further (the desk for staff, `/cek-status/`
//! for citizens); never a NIK, phone number, address, file or anything the
//! citizen typed, not even their name: mail is not a safe channel for them.

use std::sync::Arc;

use serde::Serialize;
use tera::Context;
use time::{Date, OffsetDateTime};

use super::outbox::{Kind, Message, Recipient};
use crate::cases::{HistoryEntry, Record};
use crate::core::dates::{self, WIB};
use crate::forms::spec::StepSpec;
use crate::forms::{FormSpec, Forms};
use crate::office::config::SiteConfig;
use crate::office::templates::Templates;

const NEW_CASE: &str = "mail/staf-baru.txt";
const DIGEST: &str = "mail/staf-ringkasan.txt";
const RECEIPT: &str = "mail/warga-tanda-terima.txt";
const STEP: &str = "mail/warga-langkah.txt";
const NEW_CODE: &str = "mail/warga-kode-baru.txt";
const REPLY: &str = "mail/staf-balasan.txt";

#[derive(Debug, thiserror::Error)]
#[error("mail template: {0}")]
pub struct ComposeError(String);

/// The office, as mail names it.
#[derive(Debug, Clone, Serialize)]
struct OfficeView {
    name: String,
    parent: String,
    phone: String,
    whatsapp: String,
    email: String,
    /// `https://layanan.example.go.id/cek-status/`
    lookup_url: String,
    /// `https://layanan.example.go.id/survei/`
    survey_url: String,
    /// Whether deadlines stop while a case waits for its citizen.
    pause_while_waiting: bool,
}

/// What a message says about a case.
#[derive(Debug, Clone, Serialize)]
struct CaseView {
    ticket: String,
    /// The form's noun, capitalised: "Permohonan", "Pengaduan".
    noun: String,
    /// The form's title.
    kind_label: String,
    /// "Jumat, 27 November 2026 pukul 10.15 WIB".
    received: String,
    /// "diselesaikan" / "ditanggapi", and in a subject "selesai" /
    /// "ditanggapi".
    verb: &'static str,
    verb_short: &'static str,
    /// "Jumat, 4 Desember 2026".
    due: String,
    /// "" or "perkiraan; daftar libur 2027 belum ditetapkan".
    due_note: String,
    /// The case on the staff desk, or "".
    desk_link: String,
    /// What the receipt says of waiting for missing documents, or "".
    waiting: String,
}

/// What a new case's messages need, known before its ticket is.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub ticket: String,
    /// The form's id.
    pub kind: String,
    pub received_at: OffsetDateTime,
    /// The deadline the citizen was given ([`Record::promised_due`]).
    pub due: Date,
    pub due_note: Option<String>,
}

impl CaseFacts {
    pub fn of(record: &Record) -> CaseFacts {
        CaseFacts {
            ticket: record.ticket.clone(),
            kind: record.kind.clone(),
            received_at: record.received_at,
            due: record.promised_due(),
            due_note: record.due_note.clone(),
        }
    }
}

/// "Permohonan": the form's noun, capitalised ("Formulir" for a form the
/// site no longer has).
fn noun(form: Option<&FormSpec>) -> String {
    form.map_or_else(
        || "Formulir".to_string(),
        |f| crate::core::text::capitalized(&f.noun),
    )
}

/// "Jumat, 27 November 2026 pukul 10.15 WIB".
pub fn moment_text(moment: OffsetDateTime) -> String {
    let m = moment.to_offset(WIB);
    format!(
        "{} pukul {:02}.{:02} WIB",
        dates::format_with_weekday(m.date()),
        m.hour(),
        m.minute()
    )
}

/// Whether a step changes what the citizen should expect, so that they
/// are told by mail: a meeting, an answer or the end of the case (a step
/// that needs a meeting, a result or a reason, or is final), or a message
/// staff wrote for them.
pub fn step_is_news(step: &HistoryEntry, spec: Option<&StepSpec>) -> bool {
    use crate::forms::spec::Need;
    let news = spec.is_some_and(|s| {
        s.is_final
            || s.asks_citizen
            || s.needs(Need::Meeting)
            || s.needs(Need::Result)
            || s.needs(Need::Reason)
    });
    news || step
        .public_note
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty())
}

/// Writes messages for one site and desk, with the site's templates.
#[derive(Debug, Clone)]
pub struct Composer {
    office: OfficeView,
    desk_url: Option<String>,
    templates: Arc<Templates>,
    forms: Forms,
}

impl Composer {
    pub fn new(
        config: &SiteConfig,
        (templates, forms): (Arc<Templates>, Forms),
        desk_url: Option<&str>,
    ) -> Composer {
        Composer {
            templates,
            forms,
            office: OfficeView {
                name: config.office.name.clone(),
                parent: config.office.parent.clone(),
                phone: config.contact.phone.clone(),
                whatsapp: config.contact.whatsapp.clone(),
                email: config.contact.email.clone(),
                lookup_url: format!("{}/cek-status/", config.base_url.trim_end_matches('/')),
                survey_url: format!("{}/survei/", config.base_url.trim_end_matches('/')),
                pause_while_waiting: config.office.pause_while_waiting,
            },
            desk_url: desk_url.map(|u| u.trim_end_matches('/').to_string()),
        }
    }

    /// `<desk_url>/kasus/<TICKET>/`, or "" without a desk URL.
    pub fn desk_link(&self, ticket: &str) -> String {
        self.desk_url
            .as_deref()
            .map(|url| format!("{url}/kasus/{ticket}/"))
            .unwrap_or_default()
    }

    /// The site's forms, which every record is read through.
    pub fn forms(&self) -> &Forms {
        &self.forms
    }

    fn case(&self, facts: &CaseFacts) -> CaseView {
        let form = self.forms.get(&facts.kind).map(|f| &**f);
        let (verb, verb_short) = form.map_or(("diselesaikan", "selesai"), FormSpec::verb);
        CaseView {
            ticket: facts.ticket.clone(),
            noun: noun(form),
            kind_label: form.map_or_else(|| facts.kind.clone(), |f| f.title.clone()),
            received: moment_text(facts.received_at),
            verb,
            verb_short,
            due: dates::format_with_weekday(facts.due),
            due_note: facts.due_note.clone().unwrap_or_default(),
            desk_link: self.desk_link(&facts.ticket),
            waiting: form.map_or_else(String::new, |f| {
                crate::cases::waiting::receipt_words(f, self.office.pause_while_waiting)
            }),
        }
    }

    fn render(
        &self,
        template: &str,
        fill: impl FnOnce(&mut Context),
    ) -> Result<(String, String), ComposeError> {
        let mut ctx = Context::new();
        ctx.insert("office", &self.office);
        fill(&mut ctx);
        let text = self
            .templates
            .render(template, &ctx)
            .map_err(|e| ComposeError(format!("{template}: {e}")))?;
        let (subject, body) = text.split_once('\n').unwrap_or((&text, ""));
        Ok((
            subject.trim().to_string(),
            body.trim_start_matches('\n').to_string(),
        ))
    }

    /// To staff: the citizen answered on `/cek-status/` with `files` files
    /// (and a reply when `replied`); what they wrote stays on the desk.
    pub fn reply(
        &self,
        facts: &CaseFacts,
        files: usize,
        replied: bool,
    ) -> Result<Message, ComposeError> {
        let case = self.case(facts);
        let (subject, body) = self.render(REPLY, |ctx| {
            ctx.insert("case", &case);
            ctx.insert("files", &files);
            ctx.insert("replied", &replied);
        })?;
        Ok(Message::new(
            Kind::Reply,
            Recipient::Staff,
            Some(&facts.ticket),
            subject,
            body,
        ))
    }

    /// To staff: a case arrived.
    pub fn new_case(&self, facts: &CaseFacts) -> Result<Message, ComposeError> {
        let case = self.case(facts);
        let (subject, body) = self.render(NEW_CASE, |ctx| ctx.insert("case", &case))?;
        Ok(Message::new(
            Kind::NewCase,
            Recipient::Staff,
            Some(&facts.ticket),
            subject,
            body,
        ))
    }

    /// To the citizen: the receipt, with the access code.
    pub fn receipt(&self, facts: &CaseFacts, code: &str) -> Result<Message, ComposeError> {
        let case = self.case(facts);
        let code = crate::cases::access::display(code);
        let (subject, body) = self.render(RECEIPT, |ctx| {
            ctx.insert("case", &case);
            ctx.insert("code", &code);
        })?;
        Ok(self.to_citizen(Kind::Receipt, &facts.ticket, subject, body))
    }

    /// To the citizen: a new access code staff issued (the old one no
    /// longer works).
    pub fn new_code(&self, facts: &CaseFacts, code: &str) -> Result<Message, ComposeError> {
        let case = self.case(facts);
        let code = crate::cases::access::display(code);
        let (subject, body) = self.render(NEW_CODE, |ctx| {
            ctx.insert("case", &case);
            ctx.insert("code", &code);
        })?;
        Ok(self.to_citizen(Kind::Receipt, &facts.ticket, subject, body))
    }

    /// To the citizen: step `index` of the record's history; `None` when it
    /// is no news to them ([`step_is_news`]).
    pub fn step(&self, record: &Record, index: usize) -> Result<Option<Message>, ComposeError> {
        self.step_with_survey(record, index, None)
    }

    /// As [`Composer::step`]; a final step also carries the one-time link
    /// to the survey of `survey_token` (its key, never the access code),
    /// when given.
    pub fn step_with_survey(
        &self,
        record: &Record,
        index: usize,
        survey_token: Option<&str>,
    ) -> Result<Option<Message>, ComposeError> {
        let form = self.forms.of(record);
        let spec = |s: &HistoryEntry| form.and_then(|f| f.step(&s.status));
        let Some(step) = record
            .history
            .get(index)
            .filter(|s| step_is_news(s, spec(s)))
        else {
            return Ok(None);
        };
        let spec = spec(step);
        #[derive(Serialize)]
        struct StepView {
            status: String,
            words: String,
            at: String,
            meeting_when: String,
            meeting_place: String,
            /// The result (selesai) or reason (ditolak), or "".
            outcome: String,
            public_note: String,
            /// The step asks the citizen for what `public_note` says.
            asks_citizen: bool,
            /// A message alone: the step did not change.
            message: bool,
            late_reason: String,
            /// The final step's one-time survey link, or "".
            survey_link: String,
        }
        // The result or reason is told; an internal note is not.
        let told = spec.is_some_and(|s| s.outcome().is_some());
        let view = StepView {
            status: spec.map_or_else(|| step.status.clone(), |s| s.id.clone()),
            words: spec.map_or_else(|| step.status.clone(), |s| s.status.clone()),
            at: moment_text(step.at),
            meeting_when: step.meeting.as_ref().map(|m| m.when()).unwrap_or_default(),
            meeting_place: step
                .meeting
                .as_ref()
                .map(|m| m.place.clone())
                .unwrap_or_default(),
            outcome: if told {
                step.note.clone().unwrap_or_default()
            } else {
                String::new()
            },
            public_note: step.public_note.clone().unwrap_or_default(),
            asks_citizen: !step.message && spec.is_some_and(|s| s.asks_citizen),
            message: step.message,
            late_reason: step.late_reason.clone().unwrap_or_default(),
            survey_link: match survey_token {
                Some(token) if !step.message && spec.is_some_and(|s| s.is_final) => {
                    format!("{}?kode={token}", self.office.survey_url)
                }
                _ => String::new(),
            },
        };
        let case = self.case(&CaseFacts::of(record));
        let (subject, body) = self.render(STEP, |ctx| {
            ctx.insert("case", &case);
            ctx.insert("step", &view);
        })?;
        Ok(Some(self.to_citizen(
            Kind::Step,
            &record.ticket,
            subject,
            body,
        )))
    }

    fn to_citizen(&self, kind: Kind, ticket: &str, subject: String, body: String) -> Message {
        let mut message = Message::new(kind, Recipient::Citizen, Some(ticket), subject, body);
        message.reply_to = Some(self.office.email.clone()).filter(|e| e.contains('@'));
        message
    }

    /// To staff: the cases due `today`, overdue and waiting; `None` when
    /// there are none.
    pub fn digest(&self, today: Date, records: &[Record]) -> Result<Option<Message>, ComposeError> {
        #[derive(Serialize)]
        struct Row {
            ticket: String,
            noun: String,
            status: String,
            due: String,
            desk_link: String,
        }
        let row = |r: &Record| {
            let form = self.forms.of(r).map(|f| &**f);
            Row {
                ticket: r.ticket.clone(),
                noun: noun(form),
                status: form
                    .and_then(|f| f.step(&r.status))
                    .map_or_else(|| r.status.clone(), StepSpec::name),
                due: dates::format_with_weekday(r.next_due()),
                desk_link: self.desk_link(&r.ticket),
            }
        };
        let (mut due_today, mut overdue, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
        let form = |r: &Record| self.forms.of(r).map(|f| &**f);
        for r in records.iter().filter(|r| !r.is_closed(form(r))) {
            if r.is_overdue(form(r), today, self.office.pause_while_waiting) {
                overdue.push(row(r));
            } else if r.next_due() == today {
                due_today.push(row(r));
            } else {
                waiting.push(row(r));
            }
        }
        if due_today.is_empty() && overdue.is_empty() && waiting.is_empty() {
            return Ok(None);
        }
        let day = dates::format_with_weekday(today);
        let desk = self.desk_url.clone().unwrap_or_default();
        let (subject, body) = self.render(DIGEST, |ctx| {
            ctx.insert("day", &day);
            ctx.insert("due_today", &due_today);
            ctx.insert("overdue", &overdue);
            ctx.insert("waiting", &waiting);
            ctx.insert("desk_url", &desk);
        })?;
        Ok(Some(Message::new(
            Kind::Digest,
            Recipient::Staff,
            None,
            subject,
            body,
        )))
    }
}

#[cfg(test)]
mod tests;
