//! The procedure of the service standard (Sistem, Mekanisme dan Prosedur) as
//! a state machine, and what a step writes into a record: the status, the
//! first response and completion times, the result, and a history entry.
//! Used by `loket status` and the staff desk alike; messages are for staff,
//! in Bahasa Indonesia.

use std::fmt;

use time::OffsetDateTime;

use super::RecordError;
use super::record::{HistoryEntry, Meeting, Record, format_timestamp};
use super::yaml_edit::{append_history, remove_key, set_key};
use crate::core::dates;
use crate::forms::FormKind;
use crate::site::terms::Deadlines;

/// The stages of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Baru,
    Diperiksa,
    KonsultasiDiberikan,
    PertemuanDijadwalkan,
    Selesai,
    Ditolak,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Baru,
        Status::Diperiksa,
        Status::KonsultasiDiberikan,
        Status::PertemuanDijadwalkan,
        Status::Selesai,
        Status::Ditolak,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Baru => "baru",
            Status::Diperiksa => "diperiksa",
            Status::KonsultasiDiberikan => "konsultasi-diberikan",
            Status::PertemuanDijadwalkan => "pertemuan-dijadwalkan",
            Status::Selesai => "selesai",
            Status::Ditolak => "ditolak",
        }
    }

    /// How people read it: "Konsultasi diberikan".
    pub fn label(self) -> &'static str {
        match self {
            Status::Baru => "Baru",
            Status::Diperiksa => "Diperiksa",
            Status::KonsultasiDiberikan => "Konsultasi diberikan",
            Status::PertemuanDijadwalkan => "Pertemuan dijadwalkan",
            Status::Selesai => "Selesai",
            Status::Ditolak => "Ditolak",
        }
    }

    /// What it means to the citizen, in plain words (`/cek-status/`, mail).
    pub fn for_citizens(self) -> &'static str {
        match self {
            Status::Baru => "Sudah diterima, menunggu diperiksa petugas",
            Status::Diperiksa => "Sedang diperiksa petugas",
            Status::KonsultasiDiberikan => "Konsultasi sudah diberikan",
            Status::PertemuanDijadwalkan => "Pertemuan sudah dijadwalkan",
            Status::Selesai => "Selesai",
            Status::Ditolak => "Ditolak",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        let wanted = text.trim().to_lowercase().replace([' ', '_'], "-");
        Status::ALL.into_iter().find(|s| s.as_str() == wanted)
    }

    /// Finished cases: nothing more is due.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Selesai | Status::Ditolak)
    }

    /// Where a case may go next. Complaints about the service have no
    /// consultation or meeting stage (cek administrasi, koordinasi, selesai).
    pub fn next(self, kind: FormKind) -> &'static [Status] {
        use Status::*;
        match (self, kind) {
            (Baru, _) => &[Diperiksa, Ditolak],
            (Diperiksa, FormKind::Permohonan) => &[
                Diperiksa,
                KonsultasiDiberikan,
                PertemuanDijadwalkan,
                Selesai,
                Ditolak,
            ],
            (Diperiksa, FormKind::PengaduanLayanan) => &[Diperiksa, Selesai, Ditolak],
            (KonsultasiDiberikan, _) => &[Selesai, Ditolak],
            (PertemuanDijadwalkan, _) => &[PertemuanDijadwalkan, Selesai, Ditolak],
            (Selesai | Ditolak, _) => &[],
        }
    }

    /// Whether a case in this status may be moved to the other kind: only
    /// before a step that exists for one kind alone.
    fn allows_kind_move(self) -> bool {
        matches!(self, Status::Baru | Status::Diperiksa)
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        String::deserialize(de)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    /// Parses a status, or says which ones there are (staff read it).
    fn from_str(text: &str) -> Result<Status, String> {
        Status::parse(text).ok_or_else(|| {
            format!(
                "status {text:?} tidak dikenal; pilih salah satu: {}",
                Status::ALL.map(Status::as_str).join(", ")
            )
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What checking the documents found (the `diperiksa` step): written into
/// the history as `berkas: lengkap` or `berkas: tidak lengkap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Berkas {
    Lengkap,
    TidakLengkap,
}

impl Berkas {
    /// As the history stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            Berkas::Lengkap => "lengkap",
            Berkas::TidakLengkap => "tidak lengkap",
        }
    }

    /// `lengkap`, `tidak-lengkap` or `tidak lengkap` (staff type it).
    pub fn parse(text: &str) -> Result<Berkas, String> {
        match text.trim().to_lowercase().replace(['-', '_'], " ").as_str() {
            "lengkap" => Ok(Berkas::Lengkap),
            "tidak lengkap" => Ok(Berkas::TidakLengkap),
            _ => Err(format!(
                "berkas {text:?} tidak dikenal; pilih lengkap atau tidak-lengkap"
            )),
        }
    }
}

/// A case filed in the wrong form, moved to the right kind, with the
/// deadlines of that kind counted from the day it was received.
#[derive(Debug, Clone)]
pub struct KindMove {
    pub to: FormKind,
    pub deadlines: Deadlines,
}

/// A step asked for by staff: a new status, a move to the other kind, or
/// both.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub to: Option<Status>,
    pub kind: Option<KindMove>,
    pub at: OffsetDateTime,
    pub by: String,
    pub note: Option<String>,
    pub meeting: Option<Meeting>,
    /// After checking: "lengkap" or "tidak lengkap" ([`Berkas::as_str`]).
    pub berkas: Option<String>,
    /// A message for the citizen (`/cek-status/` and the step's mail).
    pub public_note: Option<String>,
}

impl StatusChange {
    /// The public note as it will be stored: trimmed, `None` when blank.
    pub fn public_note(&self) -> Option<&str> {
        self.public_note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}

/// What a step asks for besides itself, and the change lacks: the one
/// home of these rules (the desk words them its own way, keyed by this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `diperiksa`: whether the documents are complete.
    Berkas,
    /// `pertemuan-dijadwalkan`: the meeting's date, time and place.
    Meeting,
    /// `selesai`: the result.
    Result,
    /// `ditolak`: the reason.
    Reason,
}

impl Need {
    /// The command line's words (`loket status`).
    pub fn message(self) -> &'static str {
        match self {
            Need::Berkas => {
                "status diperiksa perlu keterangan berkas: lengkap atau tidak lengkap (--berkas)"
            }
            Need::Meeting => {
                "status pertemuan-dijadwalkan perlu tanggal, jam, dan tempat pertemuan (--meeting \"YYYY-MM-DD HH:MM, tempat\")"
            }
            Need::Result => "status selesai perlu ringkasan hasil (--note)",
            Need::Reason => "status ditolak perlu alasan penolakan (--note)",
        }
    }
}

impl StatusChange {
    /// What the step asks for and this change does not give.
    pub fn lacks(&self) -> Option<Need> {
        let note = self.note.as_deref().is_some_and(|n| !n.trim().is_empty());
        match self.to? {
            Status::Diperiksa if self.berkas.is_none() => Some(Need::Berkas),
            Status::PertemuanDijadwalkan if self.meeting.is_none() => Some(Need::Meeting),
            Status::Selesai if !note => Some(Need::Result),
            Status::Ditolak if !note => Some(Need::Reason),
            _ => None,
        }
    }
}

/// How far in the future a step may be dated: clocks of two machines differ.
const CLOCK_SLACK: time::Duration = time::Duration::minutes(5);

/// Checks a change against the procedure and returns the record's new text.
/// `now` bounds the step's time from above (a step cannot be in the future).
pub fn apply(
    record: &Record,
    text: &str,
    change: &StatusChange,
    now: OffsetDateTime,
) -> Result<String, RecordError> {
    let missing = |m: &str| Err(RecordError::Missing(m.to_string()));
    if change.to.is_none() && change.kind.is_none() {
        return missing("sebutkan status baru atau jenis kiriman yang baru (--kind)");
    }
    if change.at < record.received_at {
        return Err(RecordError::Missing(format!(
            "waktu langkah ({}) lebih awal dari waktu kiriman diterima ({}); periksa --at",
            format_timestamp(change.at),
            format_timestamp(record.received_at)
        )));
    }
    if change.at > now + CLOCK_SLACK {
        return Err(RecordError::Missing(format!(
            "waktu langkah ({}) belum terjadi; periksa --at",
            format_timestamp(change.at)
        )));
    }
    let kind_move = change.kind.as_ref().filter(|m| m.to != record.kind);
    if let Some(m) = &change.kind
        && m.to == record.kind
    {
        return Err(RecordError::Missing(format!(
            "{} sudah berjenis {}",
            record.ticket,
            record.kind.as_str()
        )));
    }
    if kind_move.is_some() && !record.status.allows_kind_move() {
        return Err(RecordError::Missing(format!(
            "{} berstatus {}; jenis kiriman hanya dapat dipindah selama berstatus baru atau diperiksa",
            record.ticket, record.status
        )));
    }
    let kind = kind_move.map_or(record.kind, |m| m.to);
    let to = change.to.unwrap_or(record.status);
    if change.to.is_some() {
        let allowed = record.status.next(kind);
        if !allowed.contains(&to) {
            let allowed = if allowed.is_empty() {
                "tidak ada: kasus sudah ditutup".to_string()
            } else {
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(RecordError::Transition {
                ticket: record.ticket.clone(),
                from: record.status,
                to,
                allowed,
            });
        }
    }
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(need) = change.lacks() {
        return missing(need.message());
    }
    let edit_error = |message: String| RecordError::Edit {
        path: record.path.clone(),
        message,
    };
    let at = format_timestamp(change.at);
    let entry = HistoryEntry {
        at: change.at,
        status: to,
        by: change.by.clone(),
        moved_from: kind_move.map(|_| record.kind.as_str().to_string()),
        berkas: change.berkas.clone(),
        meeting: change.meeting.clone(),
        note: note.map(str::to_string),
        public_note: change.public_note().map(str::to_string),
    };
    let mut new = set_key(text, "status", to.as_str()).map_err(edit_error)?;
    if let Some(m) = kind_move {
        new = set_key(&new, "kind", m.to.as_str()).map_err(edit_error)?;
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
    // A move alone is not a response to the citizen.
    if change.to.is_some() && record.first_response_at.is_none() {
        new = set_key(&new, "first_response_at", &at).map_err(edit_error)?;
    }
    if change.to.is_some_and(Status::is_closed) {
        new = set_key(&new, "completed_at", &at).map_err(edit_error)?;
        new = set_key(&new, "result", note.unwrap_or_default()).map_err(edit_error)?;
    }
    new = append_history(&new, &entry).map_err(edit_error)?;
    // The edit must read back as the record we meant to write.
    let check = Record::parse(&record.path, &new).map_err(|d| edit_error(d.message))?;
    if check.status != to || check.kind != kind || check.history.len() != record.history.len() + 1 {
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

    fn change(to: Status) -> StatusChange {
        StatusChange {
            to: Some(to),
            kind: None,
            at: parse_local_time("2026-11-30 09:00").unwrap(),
            by: "Budi".into(),
            note: None,
            meeting: None,
            berkas: None,
            public_note: None,
        }
    }

    #[test]
    fn status_change_keeps_hand_edits_and_comments() {
        let path = Path::new("r.yaml");
        let record = Record::parse(path, RECORD).unwrap();
        let mut c = change(Status::Diperiksa);
        c.berkas = Some("lengkap".into());
        c.note = Some("Berkas: lengkap\nsemua ada".into());
        let new = apply(&record, RECORD, &c, now()).unwrap();
        assert!(new.contains("# staff: called the applicant, no answer\n"));
        assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
        assert!(new.contains("status: diperiksa\n"));
        assert!(new.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
        let parsed = Record::parse(path, &new).unwrap();
        assert_eq!(parsed.history.len(), 1);
        assert_eq!(
            parsed.history[0].note.as_deref(),
            Some("Berkas: lengkap\nsemua ada")
        );

        let mut c = change(Status::Selesai);
        c.note = Some("Konsultasi: pembukuan sederhana".into());
        let done = apply(&parsed, &new, &c, now()).unwrap();
        let parsed = Record::parse(path, &done).unwrap();
        assert_eq!(parsed.status, Status::Selesai);
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
        let mut c = change(Status::Diperiksa);
        c.berkas = Some("tidak lengkap".into());
        c.note = Some("KTP buram; telepon tidak diangkat".into());
        c.public_note = Some("  Mohon kirim ulang foto KTP yang jelas.  ".into());
        let new = apply(&record, RECORD, &c, now()).unwrap();
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
        let new = apply(&record, RECORD, &c, now()).unwrap();
        assert!(!new.contains("public_note"), "{new}");
        assert_eq!(Record::parse(path, RECORD).unwrap().access_code_hash, None);
    }

    #[test]
    fn refuses_invalid_transitions() {
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let mut c = change(Status::Selesai);
        c.note = Some("x".into());
        let err = apply(&record, RECORD, &c, now()).unwrap_err();
        assert!(
            err.to_string().contains("tidak dapat menjadi selesai"),
            "{err}"
        );
        assert!(matches!(
            apply(&record, RECORD, &change(Status::Diperiksa), now()),
            Err(RecordError::Missing(_))
        ));
    }

    #[test]
    fn berkas_parses_as_staff_type_it() {
        assert_eq!(Berkas::parse("lengkap"), Ok(Berkas::Lengkap));
        assert_eq!(Berkas::parse("tidak-lengkap"), Ok(Berkas::TidakLengkap));
        assert_eq!(Berkas::parse(" Tidak Lengkap "), Ok(Berkas::TidakLengkap));
        assert!(Berkas::parse("kurang").is_err());
        assert_eq!(Berkas::TidakLengkap.as_str(), "tidak lengkap");
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
    fn broken_record_names_its_line() {
        let bad = RECORD.replace("status: baru", "status: entah");
        let d = Record::parse(Path::new("r.yaml"), &bad).unwrap_err();
        assert_eq!(d.line, Some(5));
        assert!(d.message.contains("tidak dikenal"), "{}", d.message);
    }
}
