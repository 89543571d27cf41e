//! Staff's view of stored submissions: reading every record (tolerating hand
//! edits, reporting broken ones as `path:line: message`), deadlines, and the
//! status workflow of the service procedure.
//!
//! Status changes ([`workflow`]) edit the YAML *text* ([`yaml_edit`])
//! instead of re-serializing it, so comments and anything else staff wrote
//! by hand stay exactly as they were, and run under a lock ([`update`]) so
//! no change is lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::cases::record::Attachment;
use crate::core::dates;
use crate::core::diagnostic::Diagnostic;
use crate::forms::FormKind;

use super::workflow::Status;
use crate::cases::store::SUBMISSIONS_DIR;
use crate::core::yaml;

/// A meeting between the parties (for complaints about a business problem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// "2026-12-02 10:00"
    pub at: String,
    pub place: String,
}

impl Meeting {
    /// Parses "2026-12-02 10:00, Kantor Dinkopum".
    pub fn parse(text: &str) -> Result<Meeting, String> {
        let (when, place) = text
            .split_once(',')
            .ok_or("write the meeting as \"YYYY-MM-DD HH:MM, place\"")?;
        let when = when.trim();
        let (day, clock) = when
            .split_once(' ')
            .ok_or("the meeting needs a date and a time: \"2026-12-02 10:00, place\"")?;
        dates::parse_iso(day)?;
        let valid_clock = clock.len() == 5
            && clock.as_bytes()[2] == b':'
            && clock[0..2].parse::<u8>().is_ok_and(|h| h < 24)
            && clock[3..5].parse::<u8>().is_ok_and(|m| m < 60);
        if !valid_clock {
            return Err(format!("invalid meeting time {clock:?} (expected HH:MM)"));
        }
        let place = place.trim();
        if place.is_empty() {
            return Err("the meeting needs a place after the comma".to_string());
        }
        Ok(Meeting {
            at: when.to_string(),
            place: place.to_string(),
        })
    }
}

/// One step in a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub status: String,
    #[serde(default)]
    pub by: String,
    /// Set when staff moved the case from this kind to the record's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub berkas: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawRecord {
    ticket: String,
    kind: FormKind,
    received_at: String,
    status: String,
    response_due: String,
    #[serde(default)]
    completion_due: Option<String>,
    #[serde(default)]
    due_note: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, yaml::Value>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    history: Option<Vec<HistoryEntry>>,
    #[serde(default)]
    first_response_at: Option<String>,
    #[serde(default)]
    completed_at: Option<String>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default, deserialize_with = "dates::deserialize_opt_date")]
    attachments_purged: Option<Date>,
    #[serde(default, deserialize_with = "dates::deserialize_opt_date")]
    redacted: Option<Date>,
}

/// A stored submission as staff tools see it.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub path: PathBuf,
    pub ticket: String,
    pub kind: FormKind,
    pub received_at: OffsetDateTime,
    pub status: Status,
    pub response_due: Date,
    pub completion_due: Option<Date>,
    /// "perkiraan; daftar libur 2027 belum ditetapkan" when the deadlines
    /// went through a year without a holiday list.
    pub due_note: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub attachments: Vec<Attachment>,
    pub history: Vec<HistoryEntry>,
    pub first_response_at: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
    pub result: Option<String>,
    /// When `loket purge` deleted the attachments (the record still lists
    /// what was received).
    pub attachments_purged: Option<Date>,
    /// When `loket purge` emptied the personal fields.
    pub redacted: Option<Date>,
}

fn parse_moment(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|e| format!("invalid time {text:?} (expected 2026-11-27T10:15:00+07:00): {e}"))
}

fn scalar_text(value: &yaml::Value) -> String {
    match value {
        yaml::Value::String(s) => s.clone(),
        yaml::Value::Null => String::new(),
        yaml::Value::Bool(b) => b.to_string(),
        yaml::Value::Number(n) => n.to_string(),
        other => yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

impl StoredRecord {
    /// Parses a record's text. Errors name the line they are on.
    pub fn parse(path: &Path, text: &str) -> Result<StoredRecord, Diagnostic> {
        let raw: RawRecord =
            yaml::from_str(text).map_err(|e| Diagnostic::error(path, e.line, e.message))?;
        let at_key = |key: &str, message: String| {
            Diagnostic::error(path, yaml::line_of_key(text, key), message)
        };
        let status = Status::parse(&raw.status).ok_or_else(|| {
            at_key(
                "status",
                format!(
                    "unknown status {:?}; one of: {}",
                    raw.status,
                    Status::ALL.map(Status::as_str).join(", ")
                ),
            )
        })?;
        let received_at = parse_moment(&raw.received_at).map_err(|m| at_key("received_at", m))?;
        let response_due =
            dates::parse_iso(&raw.response_due).map_err(|m| at_key("response_due", m))?;
        let completion_due = match raw.completion_due.as_deref() {
            None | Some("") => None,
            Some(d) => Some(dates::parse_iso(d).map_err(|m| at_key("completion_due", m))?),
        };
        let optional_moment = |key: &str, v: &Option<String>| match v.as_deref() {
            None | Some("") => Ok(None),
            Some(t) => parse_moment(t).map(Some).map_err(|m| at_key(key, m)),
        };
        Ok(StoredRecord {
            path: path.to_path_buf(),
            ticket: raw.ticket,
            kind: raw.kind,
            received_at,
            status,
            response_due,
            completion_due,
            due_note: raw.due_note.filter(|n| !n.trim().is_empty()),
            fields: raw
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), scalar_text(v)))
                .collect(),
            attachments: raw.attachments,
            history: raw.history.unwrap_or_default(),
            first_response_at: optional_moment("first_response_at", &raw.first_response_at)?,
            completed_at: optional_moment("completed_at", &raw.completed_at)?,
            result: raw.result.filter(|r| !r.trim().is_empty()),
            attachments_purged: raw.attachments_purged,
            redacted: raw.redacted,
        })
    }

    pub fn received_date(&self) -> Date {
        self.received_at.to_offset(dates::WIB).date()
    }

    pub fn name(&self) -> &str {
        self.fields.get("nama").map(String::as_str).unwrap_or("")
    }

    /// Folder holding the attachments.
    pub fn attachment_dir(&self) -> PathBuf {
        self.path.with_extension("")
    }

    /// Whether a deadline has passed on `today` without the step it asks for.
    pub fn is_overdue(&self, today: Date) -> bool {
        if self.status.is_closed() {
            return false;
        }
        let response_late = self.first_response_at.is_none() && today > self.response_due;
        let completion_late = self.completion_due.is_some_and(|d| today > d);
        response_late || completion_late
    }
}

/// Every record under `data/submissions`, oldest first, with a diagnostic for
/// each file that could not be read (those are skipped).
pub fn load_all(data: &Path) -> (Vec<StoredRecord>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let mut diags = Vec::new();
    let root = data.join(SUBMISSIONS_DIR);
    let walker = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if e.io_error()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
                    && e.depth() == 0
                {
                    break;
                }
                diags.push(Diagnostic::error(
                    e.path().unwrap_or(&root),
                    None,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => match StoredRecord::parse(entry.path(), &text) {
                Ok(r) => records.push(r),
                Err(d) => diags.push(d),
            },
            Err(e) => diags.push(Diagnostic::error(
                entry.path(),
                None,
                format!("cannot read: {e}"),
            )),
        }
    }
    records.sort_by(|a, b| (a.received_at, &a.ticket).cmp(&(b.received_at, &b.ticket)));
    (records, diags)
}

/// Finds one record by ticket (the ticket says which day folder it is in).
pub fn find(data: &Path, ticket: &str) -> Result<(StoredRecord, String), RecordError> {
    let parsed = crate::cases::ticket::Ticket::parse(ticket)
        .ok_or_else(|| RecordError::BadTicket(ticket.to_string()))?;
    let store = crate::cases::store::Store::at(data);
    let path = store
        .record_path(&parsed)
        .ok_or_else(|| RecordError::BadTicket(ticket.to_string()))?;
    let text = read_record(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RecordError::NotFound(parsed.to_string()),
        _ => RecordError::Io {
            path: path.clone(),
            source: e,
        },
    })?;
    let record = StoredRecord::parse(&path, &text).map_err(RecordError::Invalid)?;
    Ok((record, text))
}

/// A record's text, never through a symbolic link: a link in the tree is
/// not a record, and following it would show another file's contents.
fn read_record(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                std::io::Error::other("a symbolic link, not a record; loket does not follow it")
            } else {
                e
            }
        })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0:?} bukan nomor tiket (contoh nomor tiket: KP-20261127-7KX4)")]
    BadTicket(String),
    #[error("tidak ada kiriman dengan nomor tiket {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(Diagnostic),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{ticket} berstatus {from}; tidak dapat menjadi {to} (yang boleh berikutnya: {allowed})"
    )]
    Transition {
        ticket: String,
        from: Status,
        to: Status,
        allowed: String,
    },
    #[error("{0}")]
    Missing(String),
    #[error("{} tidak dapat diubah: {message}", .path.display())]
    Edit { path: PathBuf, message: String },
    #[error(
        "kasus {ticket} baru saja diubah oleh {by}; muat ulang untuk melihat keadaannya sekarang"
    )]
    Stale { ticket: String, by: String },
}

/// Parses "2026-11-30 10:00" (WIB) for back-dated entries.
pub fn parse_local_time(text: &str) -> Result<OffsetDateTime, String> {
    let (day, clock) = text
        .trim()
        .split_once(' ')
        .ok_or("expected \"YYYY-MM-DD HH:MM\"")?;
    let date = dates::parse_iso(day)?;
    let (h, m) = clock
        .split_once(':')
        .ok_or("expected \"YYYY-MM-DD HH:MM\"")?;
    let time = time::Time::from_hms(
        h.parse().map_err(|_| "invalid hour")?,
        m.parse().map_err(|_| "invalid minute")?,
        0,
    )
    .map_err(|e| e.to_string())?;
    Ok(date.with_time(time).assume_offset(dates::WIB))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{StatusChange, apply};

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
        }
    }

    #[test]
    fn status_change_keeps_hand_edits_and_comments() {
        let path = Path::new("r.yaml");
        let record = StoredRecord::parse(path, RECORD).unwrap();
        let mut c = change(Status::Diperiksa);
        c.berkas = Some("lengkap".into());
        c.note = Some("Berkas: lengkap\nsemua ada".into());
        let new = apply(&record, RECORD, &c, now()).unwrap();
        assert!(new.contains("# staff: called the applicant, no answer\n"));
        assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
        assert!(new.contains("status: diperiksa\n"));
        assert!(new.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
        let parsed = StoredRecord::parse(path, &new).unwrap();
        assert_eq!(parsed.history.len(), 1);
        assert_eq!(
            parsed.history[0].note.as_deref(),
            Some("Berkas: lengkap\nsemua ada")
        );

        let mut c = change(Status::Selesai);
        c.note = Some("Konsultasi: pembukuan sederhana".into());
        let done = apply(&parsed, &new, &c, now()).unwrap();
        let parsed = StoredRecord::parse(path, &done).unwrap();
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
    fn refuses_invalid_transitions() {
        let record = StoredRecord::parse(Path::new("r.yaml"), RECORD).unwrap();
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
        let d = StoredRecord::parse(Path::new("r.yaml"), &bad).unwrap_err();
        assert_eq!(d.line, Some(5));
        assert!(d.message.contains("unknown status"));
    }
}
