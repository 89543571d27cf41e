//! What a case's printed documents show (`v` in `desk/dokumen-*.html`):
//! the letterhead, the parties, the steps with their dates, the meeting,
//! the values staff typed ([`Documents`]) and who signs, every value a
//! ready string in Indonesian. Never an internal note (a step's `note`,
//! except the result or the reason of refusal, which the citizen is told),
//! never the NIK, never a checkbox's "ya".

use serde::Serialize;
use time::Date;

use crate::cases::record::{AddedFrom, Agreement};
use crate::cases::{Meeting, Record, files_complete_text};
use crate::core::dates::{self, WIB};
use crate::desk::accounts::Account;
use crate::desk::profile::signer_of;
use crate::forms::spec::{FieldType, StepSpec};
use crate::forms::{FormSpec, Forms};
use crate::office::config::{Office, Signatory};

/// The documents, by the last part of their path (`/kasus/T/dokumen/NAME/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// Dokumentasi dan laporan hasil: the product of the service.
    Report,
    /// Surat undangan pertemuan to the applicant.
    InviteApplicant,
    /// The same to the other party.
    InviteRespondent,
    /// Berita acara of a mediation.
    Minutes,
}

impl Paper {
    pub const ALL: [Paper; 4] = [
        Paper::Report,
        Paper::InviteApplicant,
        Paper::InviteRespondent,
        Paper::Minutes,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Paper::Report => "laporan-hasil",
            Paper::InviteApplicant => "undangan-pemohon",
            Paper::InviteRespondent => "undangan-termohon",
            Paper::Minutes => "berita-acara",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Paper> {
        Paper::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// Its template under `desk/`.
    pub fn template(self) -> &'static str {
        match self {
            Paper::Report => "dokumen-laporan-hasil.html",
            Paper::InviteApplicant | Paper::InviteRespondent => "dokumen-undangan.html",
            Paper::Minutes => "dokumen-berita-acara.html",
        }
    }

    /// Its name on the case page's links.
    pub fn title(self) -> &'static str {
        match self {
            Paper::Report => "Dokumentasi dan laporan hasil",
            Paper::InviteApplicant => "Surat undangan pertemuan untuk pemohon",
            Paper::InviteRespondent => "Surat undangan pertemuan untuk termohon",
            Paper::Minutes => "Berita acara mediasi",
        }
    }

    fn needs_meeting(self) -> bool {
        self != Paper::Report
    }

    fn needs_respondent(self) -> bool {
        matches!(self, Paper::InviteRespondent | Paper::Minutes)
    }
}

/// A document the case page offers, with its link.
#[derive(Debug, Clone, Serialize)]
pub struct PaperLink {
    pub url: String,
    pub title: &'static str,
}

/// The documents `record` has what they need for (a meeting, the other
/// party), the laporan hasil first.
pub fn available(record: &Record, forms: &Forms) -> Vec<PaperLink> {
    let form = forms.of(record).map(|f| &**f);
    let respondent = record.respondent(form).is_some();
    let meeting = last_meeting(record).is_some();
    Paper::ALL
        .into_iter()
        .filter(|p| (!p.needs_meeting() || meeting) && (!p.needs_respondent() || respondent))
        .map(|p| PaperLink {
            url: format!(
                "{}{}/dokumen/{}/",
                crate::desk::CASE_PREFIX,
                record.ticket,
                p.slug()
            ),
            title: p.title(),
        })
        .collect()
}

/// Who may sign "Mengetahui": the head of the office from site.yaml, then
/// every staff member with a full name in their profile, each with the
/// value the documents form posts.
pub fn acknowledgers(accounts: &[Account], office: &Office) -> Vec<(String, Signatory)> {
    let head = office.head.clone().map(|h| ("kepala".to_string(), h));
    let staff = accounts
        .iter()
        .filter(|a| !a.full_name.trim().is_empty())
        .map(|a| (format!("staf:{}", a.name), signer_of(accounts, &a.name)));
    head.into_iter().chain(staff).collect()
}

#[derive(Serialize)]
struct Letterhead {
    parent: String,
    name: String,
    address: String,
    phone: String,
    website: String,
    /// The emblem as a `data:` URL ("" without one).
    emblem: String,
}

#[derive(Serialize)]
struct FieldLine {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct StepLine {
    date: String,
    step: String,
    text: String,
    by: String,
}

#[derive(Serialize)]
struct MeetingView {
    /// "Rabu, 2 Desember 2026".
    day: String,
    /// "10.00 WIB".
    time: String,
    place: String,
}

/// A document's view.
#[derive(Serialize)]
pub struct PaperView {
    /// Which document (its slug): one template serves both invitations.
    paper: &'static str,
    ticket: String,
    office: Letterhead,
    /// "Jombang, 10 Desember 2026" (without a city: the date alone).
    place_date: String,
    service: String,
    kind: String,
    received: String,
    channel: String,
    applicant: String,
    /// The other party of a mediation ("" for another case).
    respondent: String,
    respondent_contact: String,
    mediation: bool,
    /// Whom an invitation is for, and where ("" for other documents).
    to: String,
    to_address: String,
    /// The invitation's letter number ("" when not set: a line to fill).
    letter_number: String,
    fields: Vec<FieldLine>,
    steps: Vec<StepLine>,
    closed: bool,
    status: String,
    completed: String,
    result: String,
    meeting: Option<MeetingView>,
    /// "tercapai", "tidak-tercapai" or "" (boxes to tick by hand).
    agreement: &'static str,
    agreement_text: String,
    officer: Signatory,
    /// Who signs "Mengetahui" (none: a blank block).
    acknowledged: Option<Signatory>,
}

/// The latest meeting scheduled, and the day it was scheduled.
fn last_meeting(record: &Record) -> Option<(&Meeting, Date)> {
    record
        .history
        .iter()
        .rev()
        .find_map(|h| Some((h.meeting.as_ref()?, h.at.to_offset(WIB).date())))
}

fn meeting_view(m: &Meeting) -> MeetingView {
    let when = m.when();
    // "Rabu, 2 Desember 2026 pukul 10.00 WIB", or as stored.
    let (day, time) = match when.split_once(" pukul ") {
        Some((day, time)) => (day.to_string(), time.to_string()),
        None => (when.clone(), String::new()),
    };
    MeetingView {
        day,
        time,
        place: m.place.clone(),
    }
}

/// The fields a document prints: not the NIK, not a checkbox, not the
/// choice the kind names, not an empty one.
fn fields(record: &Record, form: Option<&FormSpec>) -> Vec<FieldLine> {
    record
        .fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(name, value)| {
            let spec = form.and_then(|f| f.field(name));
            // The NIK never; a checkbox's "ya" and the choice the kind
            // already names say nothing.
            let said_by_kind = form.and_then(|f| f.report_by.as_deref()) == Some(name);
            if spec.is_some_and(|f| matches!(f.kind, FieldType::Nik | FieldType::Checkbox))
                || (spec.is_none() && name.contains("nik"))
                || said_by_kind
            {
                return None;
            }
            let value = match spec.filter(|f| f.kind == FieldType::Choice) {
                Some(f) => f
                    .options
                    .iter()
                    .find(|c| c.value == value)
                    .map_or_else(|| value.to_string(), |c| c.label.clone()),
                None => value.to_string(),
            };
            Some(FieldLine {
                label: spec
                    .map_or_else(|| crate::core::text::capitalized(name), |f| f.label.clone()),
                value,
            })
        })
        .collect()
}

impl PaperView {
    /// The view of `paper` for `record`; `None` when the case lacks what
    /// it needs (a meeting, the other party): the notice says which.
    pub fn new(
        paper: Paper,
        record: &Record,
        forms: &Forms,
        office: &Office,
        accounts: &[Account],
        today: Date,
    ) -> Result<PaperView, crate::core::web::Notice> {
        let form = forms.of(record).map(|f| &**f);
        let respondent = record.respondent(form).unwrap_or("").to_string();
        let meeting = last_meeting(record);
        if paper.needs_respondent() && respondent.is_empty() {
            return Err(crate::desk::messages::DOCUMENT_NEEDS_RESPONDENT);
        }
        if paper.needs_meeting() && meeting.is_none() {
            return Err(crate::desk::messages::DOCUMENT_NEEDS_MEETING);
        }
        let signer = |login: &str| signer_of(accounts, login);
        let taken = record.history_forms();
        let mut steps = Vec::new();
        for (h, id) in record.history.iter().zip(taken) {
            let step: Option<&StepSpec> = forms.get(id).and_then(|f| f.step(&h.status));
            let (name, mut text) = match &h.added {
                Some(a) if a.from == AddedFrom::Pemohon => (
                    "Pemohon melengkapi".to_string(),
                    match a.files.len() {
                        0 => "Balasan lewat Cek Status.".to_string(),
                        n => format!("{n} berkas."),
                    },
                ),
                // Files staff attached, the documents' values: internal.
                Some(_) => continue,
                None if h.message => ("Pesan untuk pemohon".to_string(), String::new()),
                None => (
                    step.map_or_else(|| h.status.clone(), StepSpec::name),
                    String::new(),
                ),
            };
            let mut add = |part: String| {
                if !part.trim().is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(part.trim());
                }
            };
            if let Some(berkas) = &h.berkas {
                let complete = crate::cases::parse_files_complete(berkas).ok();
                add(format!(
                    "Berkas {}.",
                    complete.map_or(berkas.clone(), |c| files_complete_text(c).to_string())
                ));
            }
            if let Some(m) = &h.meeting {
                add(format!("Pertemuan: {}, {}.", m.when(), m.place));
            }
            // The result or the reason of refusal is the citizen's; any
            // other note is internal.
            if step.is_some_and(|s| s.outcome().is_some()) {
                add(h.note.clone().unwrap_or_default());
            }
            add(h.public_note.clone().unwrap_or_default());
            if let Some(late) = &h.late_reason {
                add(format!("Alasan keterlambatan: {late}"));
            }
            let by = match h.by.trim() {
                "" => String::new(),
                "pemohon" if h.is_reply() => "Pemohon".to_string(),
                login => signer(login).name,
            };
            steps.push(StepLine {
                date: dates::format_long(h.at.to_offset(WIB).date()),
                step: name,
                text,
                by,
            });
        }
        // The officer: whoever took the last step (the case's own, on the
        // record: a reprint names the same person).
        let officer_login = record
            .history
            .iter()
            .rev()
            .find(|h| h.is_step() && !h.by.trim().is_empty())
            .map(|h| h.by.clone())
            .unwrap_or_default();
        let officer = match officer_login.as_str() {
            "" => Signatory::default(),
            login => signer(login),
        };
        let docs = &record.documents;
        let closed = record.is_closed(form);
        let dated = match paper {
            Paper::Report => record
                .completed_at
                .filter(|_| closed)
                .map_or(today, |at| at.to_offset(WIB).date()),
            Paper::InviteApplicant | Paper::InviteRespondent => {
                meeting.map_or(today, |(_, scheduled)| scheduled)
            }
            Paper::Minutes => meeting
                .and_then(|(m, _)| m.at.split_whitespace().next())
                .and_then(|d| dates::parse_iso(d).ok())
                .unwrap_or(today),
        };
        let place_date = match office.city.as_str() {
            "" => dates::format_long(dated),
            city => format!("{city}, {}", dates::format_long(dated)),
        };
        let applicant = record.name(form).to_string();
        let respondent_contact = record.respondent_contact(form).unwrap_or("").to_string();
        let (to, to_address, letter_number) = match paper {
            Paper::InviteApplicant => (
                applicant.clone(),
                String::new(),
                docs.invitation_number.clone(),
            ),
            Paper::InviteRespondent => (
                respondent.clone(),
                respondent_contact.clone(),
                docs.respondent_invitation_number.clone(),
            ),
            _ => (String::new(), String::new(), None),
        };
        Ok(PaperView {
            paper: paper.slug(),
            ticket: record.ticket.clone(),
            office: Letterhead {
                parent: office.parent.clone(),
                name: office.name.clone(),
                address: office.address.clone(),
                phone: office.phone.clone(),
                website: office.website.clone(),
                emblem: office.emblem_url.to_string(),
            },
            place_date,
            service: form.map_or_else(|| record.kind.clone(), |f| f.title.clone()),
            kind: super::view::kind_text(
                form,
                &record.kind,
                form.and_then(|f| f.report_by.as_deref())
                    .and_then(|by| record.fields.get(by))
                    .unwrap_or_default(),
            ),
            received: super::view::moment_text(record.received_at),
            channel: record.channel.label().to_string(),
            applicant,
            mediation: !respondent.is_empty(),
            respondent,
            respondent_contact,
            to,
            to_address,
            letter_number: letter_number.unwrap_or_default(),
            fields: fields(record, form),
            steps,
            closed,
            status: form
                .and_then(|f| f.step(&record.status))
                .map_or_else(|| record.status.clone(), StepSpec::name),
            completed: record
                .completed_at
                .map(|at| dates::format_long(at.to_offset(WIB).date()))
                .unwrap_or_default(),
            result: record.result.clone().unwrap_or_default(),
            meeting: meeting.map(|(m, _)| meeting_view(m)),
            agreement: docs.agreement.map_or("", Agreement::id),
            agreement_text: docs.agreement_text.clone().unwrap_or_default(),
            officer,
            acknowledged: docs.acknowledged_by.clone().or_else(|| office.head.clone()),
        })
    }
}
