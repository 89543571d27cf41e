//! A case as its page shows it: every value a ready string in Indonesian.

use std::ops::Not;

use serde::Serialize;
use time::OffsetDateTime;

use crate::cases::Record;
use crate::cases::record::AddedFrom;
use crate::cases::report::mask_nik;
use crate::core::dates;
use crate::desk::accounts::Account;
use crate::desk::profile;
use crate::forms::Forms;
use crate::forms::spec::{Need, StepSpec};
use crate::notify::contact;

use super::words::{added_text, confidential_text, label, size_text};
pub use super::words::{kind_text, moment_text, referral_text};

/// What staff typed into a step's form, shown again after a problem.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Typed {
    /// The step the form asked for.
    pub langkah: String,
    /// The form a move goes to.
    pub formulir: String,
    pub berkas: String,
    pub catatan: String,
    pub tanggal: String,
    pub jam: String,
    pub tempat: String,
    /// The message for the citizen (a public note).
    pub pesan: String,
    /// Why the case is late, for the citizen.
    pub terlambat: String,
    /// The outcome category chosen (its id).
    pub kategori: String,
    /// The form was "Kirim pesan ke pemohon" (no step).
    pub message_form: bool,
    /// Why the meeting asks for a second look (shown with a checkbox to
    /// confirm it); empty when none.
    pub doubts: Vec<String>,
    /// A referral: to whom, the letter's number and date.
    pub rujukan: String,
    pub nomor_surat: String,
    pub tanggal_surat: String,
}

#[derive(Clone, Serialize)]
struct FieldView {
    label: String,
    value: String,
    /// A NIK: masked for staff who may only read the case.
    #[serde(skip)]
    nik: bool,
}

#[derive(Clone, Serialize)]
struct AttachmentView {
    label: String,
    url: String,
    original_name: String,
    size: String,
    image: bool,
    present: bool,
    /// "dikirim pemohon, …" or "ditambahkan oleh Budi, …"; "" for the
    /// submission's own.
    added: String,
    /// Who added it and when, and whether from the citizen, to name them
    /// ([`CaseView::for_viewer`]).
    #[serde(skip)]
    added_by: (Option<String>, Option<OffsetDateTime>, bool),
    /// The form's KTP (`role: ktp`): withheld from staff who may only read.
    #[serde(skip)]
    ktp: bool,
}

#[derive(Clone, Serialize)]
struct HistoryView {
    at: String,
    status: String,
    by: String,
    berkas: String,
    meeting: String,
    note: String,
    public_note: String,
    moved_from: String,
    /// The citizen's reply, and the files an entry added (their names).
    reply: String,
    files: String,
    /// A message alone: the step did not change.
    message: bool,
    late_reason: String,
    /// The channel of a case staff recorded ("" for other entries).
    channel: &'static str,
    /// Why staff marked the case confidential ("" for other entries).
    confidential: String,
    /// "Inspektorat Daerah, surat nomor …, 3 Desember 2026".
    referral: String,
}

/// One of the next steps the procedure allows, with its form.
#[derive(Clone, Serialize)]
struct StepView {
    /// The step it takes (the form's `langkah`), or [`MOVE_STEP`].
    value: String,
    title: String,
    /// Which inputs its form has: berkas, catatan, wajib (a note that is
    /// required), pertemuan, hasil, alasan, pindah, rujukan.
    form: &'static str,
    button: String,
    /// It closes the case: past the deadline it needs a late reason.
    closes: bool,
    /// Its outcome categories, one to choose (none: no choice).
    outcomes: Vec<OutcomeView>,
    /// Where a referral step may refer the case.
    referral_to: Vec<String>,
}

#[derive(Clone, Serialize)]
struct OutcomeView {
    id: String,
    label: String,
}

/// The case page's confidentiality panel (`desk/rahasia.html`).
#[derive(Clone, Serialize, Default)]
pub struct ConfidentialView {
    /// Why the case is confidential, in words ("" when it is not).
    pub why: String,
    /// The signed-in account may mark it ([`super::confidential::may_mark_confidential`]).
    pub can_mark: bool,
    /// What was wrong with a mark, and the reason as typed.
    pub error: String,
    pub reason: String,
}

/// Another form a case filed in the wrong one can move to.
#[derive(Clone, Serialize)]
struct OtherForm {
    id: String,
    title: String,
}

/// The `langkah` of the form that moves an open case to another form
/// (filed in the wrong one), like `loket status --kind`.
pub use crate::forms::spec::MOVE_STEP;

/// The case page's view (`v` in `kasus.html`).
#[derive(Clone, Serialize)]
pub struct CaseView {
    ticket: String,
    kind: String,
    service: String,
    status: String,
    status_code: String,
    closed: bool,
    received: String,
    /// How it came in ("Datang langsung"), and SP4N-LAPOR!'s number.
    channel: &'static str,
    channel_code: &'static str,
    lapor_number: String,
    response_due: String,
    completion_due: String,
    due_note: String,
    overdue: bool,
    first_response: String,
    completed: String,
    result: String,
    /// The outcome category's label ("" for none).
    outcome: String,
    applicant: String,
    fields: Vec<FieldView>,
    attachments: Vec<AttachmentView>,
    purged: String,
    redacted: String,
    history: Vec<HistoryView>,
    steps: Vec<StepView>,
    /// The forms a move can go to (none once the case is past its early
    /// steps), and the title of the one when there is one.
    other_forms: Vec<OtherForm>,
    other_kind: String,
    /// Replying the way citizens talk to the office: click-to-chat and
    /// `mailto:` links prefilled with the ticket and the public message.
    whatsapp: String,
    mailto: String,
    public_message: String,
    /// The case is open: "Kirim pesan ke pemohon" is offered.
    can_message: bool,
    /// The record's version as shown: a step posts it back.
    pub version: String,
    /// After a step went through: what it did.
    pub notice: String,
    /// Someone else changed the case in between: who.
    pub stale_by: String,
    /// What was wrong with a step, and which step's form it was.
    pub error: String,
    /// The error belongs to no form on the page (a step the procedure does
    /// not allow now): shown at the top.
    pub error_on_top: bool,
    pub typed: Typed,
    /// The access code form's answer: a new code, shown once, or what
    /// was wrong.
    pub code: super::code::CodeView,
    /// The case waits for its citizen, and they answered since.
    new_reply: bool,
    /// The case is in a step that asks its citizen for something.
    waiting: bool,
    /// Kept from everyone but the complaint handlers: why, and the form
    /// that marks it.
    pub confidential: ConfidentialView,
    /// Today, for the date inputs ("2026-12-03").
    today: String,
    /// Sent from an anonymous form: nobody to give a code or a message to.
    anonymous: bool,
    /// What was wrong with files staff attached.
    pub attach_error: String,
    /// The documents the case can print ([`super::paper`]).
    papers: Vec<super::paper::PaperLink>,
    /// The staff member may only read the case (pimpinan): no forms, NIK
    /// masked, KTP withheld ([`CaseView::for_viewer`]).
    read_only: bool,
}

/// The form of a step, from what it needs.
fn step(from: &str, to: &StepSpec) -> StepView {
    let form = if to.referral.is_some() {
        "rujukan"
    } else if to.asks_citizen {
        "minta"
    } else if to.needs(Need::FilesComplete) {
        "berkas"
    } else if to.needs(Need::Meeting) {
        "pertemuan"
    } else if to.needs(Need::Result) {
        "hasil"
    } else if to.needs(Need::Reason) {
        "alasan"
    } else if to.needs(Need::Note) {
        "wajib"
    } else {
        "catatan"
    };
    let (title, button) = to.action(from);
    StepView {
        value: to.id.clone(),
        title,
        form,
        button,
        closes: to.is_final,
        outcomes: to
            .outcomes
            .iter()
            .map(|o| OutcomeView {
                id: o.id.clone(),
                label: o.label.clone(),
            })
            .collect(),
        referral_to: to
            .referral
            .as_ref()
            .map(|r| r.to.clone())
            .unwrap_or_default(),
    }
}

impl CaseView {
    pub fn new(
        r: &Record,
        forms: &Forms,
        text: &str,
        (today, pauses): (time::Date, bool),
    ) -> CaseView {
        let form = forms.of(r).map(|f| &**f);
        let anonymous = r.confidential.as_ref().is_some_and(|c| c.is_anonymous());
        let step_of = |id: &str| form.and_then(|f| f.step(id));
        let now = step_of(&r.status);
        // Each entry in the form it was taken in (before a move: the old one).
        let taken = r.history_forms();
        let history = r
            .history
            .iter()
            .zip(taken)
            .map(|(h, id)| HistoryView {
                at: moment_text(h.at),
                status: match &h.added {
                    Some(a) if a.from == AddedFrom::Pemohon => "Balasan dari pemohon".into(),
                    Some(a) if !a.documents.is_empty() => {
                        format!("Isian dokumen diperbarui: {}", a.documents.join(", "))
                    }
                    Some(_) => "Berkas ditambahkan".into(),
                    None if h.confidential.is_some() => "Ditandai rahasia".into(),
                    None => forms
                        .get(id)
                        .and_then(|f| f.step(&h.status))
                        .map_or_else(|| h.status.clone(), StepSpec::name),
                },
                reply: h
                    .added
                    .as_ref()
                    .and_then(|a| a.reply.clone())
                    .unwrap_or_default(),
                files: h
                    .added
                    .as_ref()
                    .map(|a| a.files.join(", "))
                    .unwrap_or_default(),
                by: h.by.clone(),
                berkas: h.berkas.clone().unwrap_or_default(),
                meeting: h
                    .meeting
                    .as_ref()
                    .map(|m| format!("{}, {}", m.at, m.place))
                    .unwrap_or_default(),
                note: h.note.clone().unwrap_or_default(),
                public_note: h.public_note.clone().unwrap_or_default(),
                moved_from: h
                    .moved_from
                    .as_deref()
                    .map(|id| {
                        forms
                            .get(id)
                            .map_or_else(|| id.to_string(), |f| f.title.clone())
                    })
                    .unwrap_or_default(),
                message: h.message,
                late_reason: h.late_reason.clone().unwrap_or_default(),
                channel: h.channel.map_or("", |c| c.label()),
                confidential: h.confidential.clone().unwrap_or_default(),
                referral: h.referral.as_ref().map(referral_text).unwrap_or_default(),
            })
            .collect();
        let added_by = |a: &crate::cases::record::Attachment| {
            let from_citizen = a.field == super::attach::FROM_CITIZEN;
            (a.added_by.clone(), a.added_at, from_citizen)
        };
        let attachments = r
            .attachments
            .iter()
            .map(|a| AttachmentView {
                label: match a.field.as_str() {
                    super::attach::FIELD => "Berkas dari petugas".to_string(),
                    super::attach::FROM_CITIZEN => "Berkas yang diserahkan pemohon".to_string(),
                    field => label(form, field),
                },
                url: format!(
                    "{}{}/lampiran/{}",
                    super::super::CASE_PREFIX,
                    r.ticket,
                    a.stored_name
                ),
                original_name: a.original_name.clone(),
                size: size_text(a.size),
                image: a.mime.starts_with("image/"),
                present: r.attachments_purged.is_none()
                    && crate::cases::layout::open_attachment(&r.attachment_dir(), &a.stored_name)
                        .is_ok(),
                added: added_text(&added_by(a), a.added_by.as_deref().unwrap_or("")),
                added_by: added_by(a),
                ktp: form
                    .and_then(|f| f.field(&a.field))
                    .is_some_and(|f| f.role.has(crate::forms::spec::Role::Ktp)),
            })
            .collect();
        // A move is offered while the case is in one of its early steps.
        let early = form
            .zip(now)
            .is_some_and(|(f, now)| !r.is_closed(form) && f.early_steps().any(|s| s.id == now.id));
        let other_forms: Vec<OtherForm> = forms
            .iter()
            .filter(|f| early && *f.id != *r.kind)
            .map(|f| OtherForm {
                id: f.id.to_string(),
                title: f.title.clone(),
            })
            .collect();
        CaseView {
            ticket: r.ticket.clone(),
            kind: kind_text(
                form,
                &r.kind,
                form.and_then(|f| f.report_by.as_deref())
                    .and_then(|by| r.fields.get(by))
                    .unwrap_or_default(),
            ),
            service: form.map_or_else(|| r.kind.clone(), |f| f.title.clone()),
            status: now.map_or_else(
                || format!("{} (langkah tidak dikenal)", r.status),
                StepSpec::name,
            ),
            status_code: now.map_or_else(|| r.status.clone(), |s| s.id.clone()),
            closed: r.is_closed(form),
            received: moment_text(r.received_at),
            channel: r.channel.label(),
            channel_code: r.channel.id(),
            lapor_number: r.lapor_number.clone().unwrap_or_default(),
            response_due: dates::format_with_weekday(r.response_due),
            completion_due: r
                .completion_due
                .map(dates::format_with_weekday)
                .unwrap_or_default(),
            due_note: r.due_note.clone().unwrap_or_default(),
            overdue: r.is_overdue(form, today, pauses),
            first_response: r.first_response_at.map(moment_text).unwrap_or_default(),
            completed: r.completed_at.map(moment_text).unwrap_or_default(),
            result: r.result.clone().unwrap_or_default(),
            outcome: r
                .outcome
                .as_deref()
                .map(|id| {
                    form.and_then(|f| f.steps.iter().find_map(|s| s.outcome_of(id)))
                        .map_or_else(|| id.to_string(), |o| o.label.clone())
                })
                .unwrap_or_default(),
            applicant: r.name(form).to_string(),
            fields: r
                .fields
                .iter()
                .map(|(k, v)| FieldView {
                    label: label(form, k),
                    value: v.to_string(),
                    nik: form
                        .and_then(|f| f.field(k))
                        .is_some_and(|f| f.kind == crate::forms::spec::FieldType::Nik),
                })
                .collect(),
            attachments,
            purged: r
                .attachments_purged
                .map(dates::format_long)
                .unwrap_or_default(),
            redacted: r.redacted.map(dates::format_long).unwrap_or_default(),
            history,
            steps: now
                .filter(|_| !r.is_closed(form))
                .into_iter()
                .flat_map(|from| {
                    from.next
                        .iter()
                        .filter_map(|id| form.and_then(|f| f.step(id)))
                        .map(|to| step(&from.id, to))
                })
                .chain(other_forms.is_empty().not().then(|| StepView {
                    value: MOVE_STEP.into(),
                    title: "Pindahkan ke formulir lain".into(),
                    form: MOVE_STEP,
                    button: "Pindahkan".into(),
                    closes: false,
                    outcomes: Vec::new(),
                    referral_to: Vec::new(),
                }))
                .collect(),
            other_kind: match other_forms.as_slice() {
                [one] => one.title.clone(),
                _ => String::new(),
            },
            other_forms,
            whatsapp: form
                .and_then(|f| contact::whatsapp_link(r, f))
                .unwrap_or_default(),
            mailto: form
                .and_then(|f| contact::mailto_link(r, f))
                .unwrap_or_default(),
            public_message: contact::public_message(r).unwrap_or_default().to_string(),
            can_message: now.is_some() && !r.is_closed(form) && !anonymous,
            version: crate::cases::Version::of(text).as_str().to_string(),
            notice: String::new(),
            stale_by: String::new(),
            error: String::new(),
            error_on_top: false,
            typed: Typed::default(),
            code: Default::default(),
            new_reply: crate::cases::waiting::new_reply(r, now),
            attach_error: String::new(),
            waiting: now.is_some_and(|s| s.asks_citizen),
            read_only: false,
            confidential: ConfidentialView {
                why: r
                    .confidential
                    .as_ref()
                    .map(confidential_text)
                    .unwrap_or_default(),
                ..ConfidentialView::default()
            },
            today: dates::format_iso(today),
            anonymous,
            papers: super::paper::available(r, forms),
        }
    }

    /// The page as one staff member sees it: staff named by their
    /// profiles ([`profile::shown`]); for one who may only read the case
    /// (`works` false), the NIK masked as the report masks it, the KTP
    /// left out, and no form.
    pub fn for_viewer(&self, accounts: &[Account], works: bool) -> CaseView {
        let mut v = self.clone();
        let name = |login: &str| profile::shown(accounts, login);
        for h in &mut v.history {
            if !h.by.is_empty() {
                h.by = name(&h.by);
            }
        }
        for a in &mut v.attachments {
            if let Some(by) = &a.added_by.0 {
                a.added = added_text(&a.added_by, &name(by));
            }
        }
        if !v.stale_by.is_empty() {
            v.stale_by = name(&v.stale_by);
        }
        if works {
            return v;
        }
        for f in v.fields.iter_mut().filter(|f| f.nik) {
            f.value = mask_nik(&f.value).unwrap_or_else(|| "(disembunyikan)".into());
        }
        v.attachments.retain(|a| !a.ktp);
        v.read_only = true;
        v.steps.clear();
        v.other_forms.clear();
        v.can_message = false;
        (v.whatsapp, v.mailto) = (String::new(), String::new());
        v
    }

    /// Whether the page has a form for a step to `status`.
    pub fn offers(&self, status: &str) -> bool {
        self.steps.iter().any(|s| s.value == status)
    }
}
