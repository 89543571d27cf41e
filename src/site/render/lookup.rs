//! What `/cek-status/` shows (rendered by [`super::Renderer::render_lookup`]
//! from `cek-status.html`).

use serde::Serialize;

use super::SummaryError;

/// What `/cek-status/` shows: the form (with what was wrong), or a case.
/// Holds no personal data but the name the citizen typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LookupView {
    /// "form" or "found".
    pub state: &'static str,
    /// The ticket as typed (never the code).
    pub ticket: String,
    /// Input that is not a ticket or code at all, for the error summary.
    pub errors: Vec<LookupError>,
    pub tiket_error: String,
    pub kode_error: String,
    /// A well-formed ticket and code that open nothing (an unknown ticket
    /// and a wrong code say the same).
    pub no_match: bool,
    pub case: Option<LookupCase>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LookupError {
    /// "tiket" or "kode".
    pub field: &'static str,
    pub message: String,
}

/// A case as its citizen sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LookupCase {
    pub ticket: String,
    /// The form's noun, capitalised ("Permohonan", "Pengaduan").
    pub noun: String,
    /// The form's title.
    pub kind_label: String,
    /// The name as the citizen typed it ("" once redacted).
    pub name: String,
    /// The step id.
    pub status: String,
    /// The step's `status:` text, as the citizen reads it.
    pub status_words: String,
    pub closed: bool,
    pub received: String,
    pub verb: &'static str,
    pub due: String,
    pub due_iso: String,
    pub due_note: String,
    pub meeting_when: String,
    pub meeting_place: String,
    /// "Hasil" or "Alasan penolakan", with the result or reason of a
    /// closed case.
    pub outcome_label: &'static str,
    pub outcome: String,
    pub steps: Vec<LookupStep>,
    /// An open case past its deadline: the deadline ("" when not late).
    pub late_since: String,
    /// A case closed after its deadline: the deadline ("" when not).
    pub closed_late: String,
    /// Staff's last reason for the delay, for the citizen.
    pub late_reason: String,
    /// While the case waits for its citizen: what staff asked for, in
    /// their words ("" otherwise).
    pub asks: String,
    /// Whether the deadline stops while the case waits (`site.yaml`).
    pub pauses: bool,
    /// The form to send what was asked for, while the case waits.
    pub reply: Option<ReplyForm>,
    /// A closed case whose citizen was invited to the survey: its one-time
    /// link (`/survei/?kode=…`), or "" once answered or when not invited.
    pub survey_url: String,
    /// The survey of this case was answered.
    pub survey_answered: bool,
}

/// `/cek-status/`'s form for the citizen's answer to a request (a step
/// with `asks_citizen`): one file input per file field of the form, and a
/// short reply. Sent as multipart to `action` with the ticket and a token
/// instead of the access code.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReplyForm {
    pub action: String,
    pub ticket: String,
    pub token: String,
    pub max_chars: usize,
    pub files: Vec<ReplyFile>,
    /// The reply as typed, when the form comes back.
    pub text: String,
    pub text_error: String,
    /// Every problem, for the error summary.
    pub errors: Vec<SummaryError>,
    /// After a reply was stored: what was received.
    pub sent: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReplyFile {
    pub name: String,
    pub label: String,
    /// The input's `accept` attribute.
    pub accept: String,
    /// "JPG, PNG, atau PDF; paling besar 5 MB".
    pub hint: String,
    pub error: String,
}

/// One step as the citizen sees it: never staff's internal note.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LookupStep {
    pub date: String,
    pub words: String,
    /// "lengkap" / "tidak lengkap", or "".
    pub berkas: String,
    pub outcome_label: &'static str,
    pub outcome: String,
    pub public_note: String,
    /// A message from staff alone: the step did not change.
    pub message: bool,
    pub late_reason: String,
}
