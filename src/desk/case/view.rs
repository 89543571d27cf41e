//! A case as its page and its print view show it: every value a ready
//! string in Indonesian.

use serde::Serialize;
use time::OffsetDateTime;

use crate::cases::{Record, Status};
use crate::core::dates::{self, WIB};
use crate::forms::FormKind;
use crate::notify::contact;

/// What staff typed into a step's form, shown again after a problem.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Typed {
    /// The status the form asked for.
    pub langkah: String,
    pub berkas: String,
    pub catatan: String,
    pub tanggal: String,
    pub jam: String,
    pub tempat: String,
    /// The message for the citizen (a public note).
    pub pesan: String,
}

#[derive(Serialize)]
struct FieldView {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct AttachmentView {
    label: String,
    url: String,
    original_name: String,
    size: String,
    image: bool,
    present: bool,
}

#[derive(Serialize)]
struct HistoryView {
    at: String,
    status: &'static str,
    by: String,
    berkas: String,
    meeting: String,
    note: String,
    public_note: String,
    moved_from: String,
}

/// One of the next steps the procedure allows, with its form.
#[derive(Serialize)]
struct StepView {
    /// The status it moves to (the form's `langkah`), or [`MOVE_STEP`].
    value: &'static str,
    title: &'static str,
    /// Which inputs its form has: berkas, catatan, pertemuan, hasil, alasan,
    /// pindah.
    form: &'static str,
    button: &'static str,
}

/// The `langkah` of the form that moves an open case to the other kind
/// (filed in the wrong form), like `loket status --kind`.
pub const MOVE_STEP: &str = "pindah";

/// The kind a case filed in the wrong form belongs to instead.
pub fn other_kind(kind: FormKind) -> FormKind {
    match kind {
        FormKind::Permohonan => FormKind::PengaduanLayanan,
        FormKind::PengaduanLayanan => FormKind::Permohonan,
    }
}

/// The case page's view (`v` in `kasus.html`, `v.c` in `cetak.html`).
#[derive(Serialize)]
pub struct CaseView {
    ticket: String,
    kind: String,
    service: &'static str,
    status: &'static str,
    status_code: &'static str,
    closed: bool,
    received: String,
    response_due: String,
    completion_due: String,
    due_note: String,
    overdue: bool,
    first_response: String,
    completed: String,
    result: String,
    applicant: String,
    fields: Vec<FieldView>,
    attachments: Vec<AttachmentView>,
    purged: String,
    redacted: String,
    history: Vec<HistoryView>,
    steps: Vec<StepView>,
    /// The other kind's label, for the move form.
    other_kind: &'static str,
    /// Replying the way citizens talk to the office: click-to-chat and
    /// `mailto:` links prefilled with the ticket and the public message.
    whatsapp: String,
    mailto: String,
    public_message: String,
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
}

/// "27 November 2026, 10.15 WIB".
pub fn moment_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(WIB);
    format!(
        "{}, {:02}.{:02} WIB",
        dates::format_long(at.date()),
        at.hour(),
        at.minute()
    )
}

/// "183 KB", "1,2 MB".
fn size_text(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// A field's label from its form ("nama lengkap" → "Nama lengkap"), or its
/// key for a field added by hand.
fn label(kind: FormKind, name: &str) -> String {
    let text = kind.field(name).map_or(name, |f| f.label);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn kind_text(kind: FormKind, jenis: Option<&str>) -> String {
    match (kind, jenis) {
        (FormKind::Permohonan, Some("konsultasi")) => "Permohonan: fasilitasi konsultasi".into(),
        (FormKind::Permohonan, Some("pengaduan")) => {
            "Permohonan: fasilitasi pengaduan masalah usaha".into()
        }
        (kind, _) => kind.label().to_string(),
    }
}

fn step(from: Status, to: Status) -> StepView {
    let (title, form, button) = match to {
        Status::Diperiksa if from == Status::Diperiksa => (
            "Periksa ulang kelengkapan berkas",
            "berkas",
            "Simpan hasil pemeriksaan",
        ),
        Status::Diperiksa => (
            "Periksa kelengkapan berkas",
            "berkas",
            "Simpan hasil pemeriksaan",
        ),
        Status::KonsultasiDiberikan => (
            "Konsultasi diberikan",
            "catatan",
            "Tandai konsultasi diberikan",
        ),
        Status::PertemuanDijadwalkan if from == Status::PertemuanDijadwalkan => (
            "Jadwalkan ulang pertemuan",
            "pertemuan",
            "Simpan jadwal baru",
        ),
        Status::PertemuanDijadwalkan => ("Jadwalkan pertemuan", "pertemuan", "Simpan jadwal"),
        Status::Selesai => ("Selesai", "hasil", "Tandai selesai"),
        Status::Ditolak => ("Tolak", "alasan", "Tolak kiriman"),
        Status::Baru => ("Baru", "catatan", "Simpan"),
    };
    StepView {
        value: to.as_str(),
        title,
        form,
        button,
    }
}

impl CaseView {
    pub fn new(r: &Record, text: &str, today: time::Date) -> CaseView {
        let history = r
            .history
            .iter()
            .map(|h| HistoryView {
                at: moment_text(h.at),
                status: h.status.label(),
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
                    .and_then(FormKind::parse)
                    .map(|k| k.label().to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let attachments = r
            .attachments
            .iter()
            .map(|a| AttachmentView {
                label: label(r.kind, &a.field),
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
            })
            .collect();
        CaseView {
            ticket: r.ticket.clone(),
            kind: kind_text(r.kind, r.fields.get("jenis")),
            service: r.kind.label(),
            status: r.status.label(),
            status_code: r.status.as_str(),
            closed: r.status.is_closed(),
            received: moment_text(r.received_at),
            response_due: dates::format_with_weekday(r.response_due),
            completion_due: r
                .completion_due
                .map(dates::format_with_weekday)
                .unwrap_or_default(),
            due_note: r.due_note.clone().unwrap_or_default(),
            overdue: r.is_overdue(today),
            first_response: r.first_response_at.map(moment_text).unwrap_or_default(),
            completed: r.completed_at.map(moment_text).unwrap_or_default(),
            result: r.result.clone().unwrap_or_default(),
            applicant: r.name().to_string(),
            fields: r
                .fields
                .iter()
                .map(|(k, v)| FieldView {
                    label: label(r.kind, k),
                    value: v.to_string(),
                })
                .collect(),
            attachments,
            purged: r
                .attachments_purged
                .map(dates::format_long)
                .unwrap_or_default(),
            redacted: r.redacted.map(dates::format_long).unwrap_or_default(),
            history,
            steps: r
                .status
                .next(r.kind)
                .iter()
                .map(|to| step(r.status, *to))
                .chain((!r.status.is_closed()).then_some(StepView {
                    value: MOVE_STEP,
                    title: "Pindahkan ke jenis kiriman lain",
                    form: MOVE_STEP,
                    button: "Pindahkan",
                }))
                .collect(),
            other_kind: other_kind(r.kind).label(),
            whatsapp: contact::whatsapp_link(r).unwrap_or_default(),
            mailto: contact::mailto_link(r).unwrap_or_default(),
            public_message: contact::public_message(r).unwrap_or_default().to_string(),
            version: crate::cases::Version::of(text).as_str().to_string(),
            notice: String::new(),
            stale_by: String::new(),
            error: String::new(),
            error_on_top: false,
            typed: Typed::default(),
        }
    }

    /// Whether the page has a form for a step to `status`.
    pub fn offers(&self, status: &str) -> bool {
        self.steps.iter().any(|s| s.value == status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_moments_read_as_indonesian() {
        assert_eq!(size_text(183_204), "179 KB");
        assert_eq!(size_text(1_258_291), "1,2 MB");
        let at = crate::cases::parse_local_time("2026-11-27 09:05").unwrap();
        assert_eq!(moment_text(at), "27 November 2026, 09.05 WIB");
        assert_eq!(label(FormKind::Permohonan, "nama"), "Nama lengkap");
        assert_eq!(
            label(FormKind::Permohonan, "catatan_petugas"),
            "Catatan_petugas"
        );
    }
}
