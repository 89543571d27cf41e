//! The record of a case: one YAML file per submission, written by the
//! server when it arrives ([`Record::new`], [`Record::to_yaml`]) and read
//! by every staff tool ([`Record::parse`]). One type, both ways: what the
//! writer puts in is what the readers find.
//!
//! Reading tolerates hand edits (a number or `yes` typed as a field value,
//! `completion_due: ''`, `history:` left empty) and reports anything it
//! cannot take as `path:line: message`. Status changes never re-serialize a
//! record (they edit its text, [`super::yaml_edit`]), so comments and keys
//! staff add by hand are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub use super::channel::Channel;
pub use super::meeting::Meeting;
use super::ticket::Ticket;
use crate::core::dates::{self, WIB};
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;
use crate::forms::spec::{FieldType, FormSpec, Role};
use crate::office::terms::Deadlines;
pub use added::{Added, AddedFrom};
pub use confidential::Confidential;
pub use documents::{Agreement, Documents};
pub use fields::Fields;
pub use referral::Referral;

/// An uploaded file as stored beside the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Form field it came from (`ktp`, `dokumen_1`, …).
    pub field: String,
    /// Name in the ticket's folder, made by the server (`ktp.jpg`).
    pub stored_name: String,
    /// The name the citizen's device gave; kept only as information.
    pub original_name: String,
    pub size: u64,
    /// Detected from the content, not from the name.
    #[serde(rename = "type")]
    pub mime: String,
    pub sha256: String,
    /// Who added it after the case was received: "pemohon" (a reply on
    /// `/cek-status/`) or the staff member; absent for the submission's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    #[serde(
        default,
        with = "moment::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub added_at: Option<OffsetDateTime>,
}

/// One step in a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(with = "moment")]
    pub at: OffsetDateTime,
    /// The step taken (a step id of the record's form, or an alias of one).
    pub status: String,
    #[serde(default)]
    pub by: String,
    /// The channel of a case staff recorded (its first entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Set when staff moved the case from this form to the record's form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub berkas: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
    /// Staff's note: internal, except that the note of selesai (the
    /// result) and ditolak (the reason) is what the citizen is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A message for the citizen: shown on `/cek-status/` and sent with
    /// the step's mail.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub public_note: Option<String>,
    /// A message to the citizen only (`public_note`): the status did not
    /// change, and `status` repeats the step the case was in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub message: bool,
    /// Why the case is late, for the citizen (`/cek-status/`, the mail):
    /// required to close a case past its deadline.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
    /// Files or a reply added without a step (the status stays): the
    /// citizen's answer on `/cek-status/`, or files staff attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Added>,
    /// Staff marked the case confidential, for this reason: not a step
    /// (the status stays), never shown to the citizen. Empty (not absent)
    /// once purged: the entry is still the mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<String>,
    /// The step referred the case to another body (a step with
    /// `referral:` in its form file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
}

impl HistoryEntry {
    /// An entry by `by` at `at` in step `status` that says nothing else
    /// yet: callers set what their entry carries with `..`.
    pub fn new(at: OffsetDateTime, status: &str, by: &str) -> HistoryEntry {
        HistoryEntry {
            at,
            status: status.to_string(),
            by: by.to_string(),
            channel: None,
            moved_from: None,
            berkas: None,
            meeting: None,
            note: None,
            public_note: None,
            message: false,
            late_reason: None,
            added: None,
            confidential: None,
            referral: None,
        }
    }

    /// Whether the entry is a step staff took (not an [`Added`], not a
    /// message without a step, not a case marked confidential).
    pub fn is_step(&self) -> bool {
        self.added.is_none() && !self.message && self.confidential.is_none()
    }

    /// Whether the entry is the citizen's reply.
    pub fn is_reply(&self) -> bool {
        self.added
            .as_ref()
            .is_some_and(|a| a.from == AddedFrom::Pemohon)
    }
}

/// A case as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Where it was read from (not part of the file).
    #[serde(skip)]
    pub path: PathBuf,
    pub ticket: String,
    /// The id of the form it was written under (`forms/ID.yaml`).
    pub kind: String,
    /// The `version:` of that form file then; absent in older records (1).
    #[serde(default = "first_version")]
    pub form_version: u32,
    #[serde(with = "moment")]
    pub received_at: OffsetDateTime,
    /// How the case came in; absent in records from before the desk could
    /// record cases (web).
    #[serde(default)]
    pub channel: Channel,
    /// The SP4N-LAPOR! tracking number of a case that came from there.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub lapor_number: Option<String>,
    /// The step the case is in: a step id of its form (or an alias of one).
    pub status: String,
    /// Working-day deadlines: first response, and completion (absent when
    /// the standard sets no fixed term).
    #[serde(with = "day")]
    pub response_due: Date,
    #[serde(default, with = "day::option")]
    pub completion_due: Option<Date>,
    /// "perkiraan; daftar libur 2027 belum ditetapkan" when the deadlines
    /// went through a year without a holiday list.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub due_note: Option<String>,
    /// Every field of the form as typed (line ends normalized to `\n`).
    #[serde(default)]
    pub fields: Fields,
    /// Values derived from the fields: the NIK's 16 digits, phones in E.164.
    #[serde(default)]
    pub normalized: Fields,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// The citizen's access code for `/cek-status/`, as an HMAC
    /// ([`super::access`]); absent in records from before codes.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub access_code_hash: Option<String>,
    /// Staff's processing steps, appended by `loket status` and the desk.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub history: Vec<HistoryEntry>,
    #[serde(
        default,
        with = "moment::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_response_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "moment::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_at: Option<OffsetDateTime>,
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The outcome category staff chose when they closed the case (an id
    /// of the final step's `outcomes:`).
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// When `loket purge` deleted the attachments (the record still lists
    /// what was received).
    #[serde(default, with = "day::option", skip_serializing_if = "Option::is_none")]
    pub attachments_purged: Option<Date>,
    /// When `loket purge` emptied the personal fields.
    #[serde(default, with = "day::option", skip_serializing_if = "Option::is_none")]
    pub redacted: Option<Date>,
    /// Kept from everyone but the complaint handlers (issue 28): the
    /// citizen asked for it, the form is anonymous, or staff marked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<Confidential>,
    /// What staff typed for the case's printed documents (letter numbers,
    /// the berita acara, who signs "Mengetahui").
    #[serde(default, skip_serializing_if = "Documents::is_empty")]
    pub documents: Documents,
}

impl Record {
    /// A new record for `ticket`: every field of the form in form order ("" for
    /// empty ones, see [`form_fields`]), the derived values, the
    /// attachments, and the deadlines.
    pub fn new(
        form: &FormSpec,
        ticket: &Ticket,
        received_at: OffsetDateTime,
        fields: Vec<(String, String)>,
        normalized: &[(String, String)],
        attachments: &[Attachment],
        deadlines: Deadlines,
    ) -> Record {
        let confidential = Confidential::asked(form, &fields, received_at);
        Record {
            path: PathBuf::new(),
            ticket: ticket.to_string(),
            kind: form.id.to_string(),
            form_version: form.version,
            received_at: whole_seconds_in_wib(received_at),
            channel: Channel::Web,
            lapor_number: None,
            status: form.first_step().id.clone(),
            response_due: deadlines.response.date,
            completion_due: deadlines.completion.map(|due| due.date),
            due_note: deadlines.note(),
            fields: Fields(fields),
            normalized: Fields(normalized.to_vec()),
            attachments: attachments.to_vec(),
            access_code_hash: None,
            history: Vec::new(),
            first_response_at: None,
            completed_at: None,
            result: None,
            outcome: None,
            confidential,
            documents: Documents::default(),
            attachments_purged: None,
            redacted: None,
        }
    }

    /// The record as a YAML document with a heading comment for people.
    pub fn to_yaml(&self) -> Result<String, yaml::YamlError> {
        let body = yaml::to_string(self)?;
        Ok(format!(
            "# {} · {}\n# Diterima {}. Jangan ubah ticket, kind, received_at dan attachments.\n{body}",
            self.ticket,
            self.kind,
            format_timestamp(self.received_at)
        ))
    }

    /// Parses a record's text. Errors name the line they are on.
    pub fn parse(path: &Path, text: &str) -> Result<Record, Diagnostic> {
        let mut record: Record = yaml::from_str(text).map_err(|e| {
            // A value this module refuses is quoted in the message (`status
            // "entah" …`), and the parser only knows where its map began:
            // the line holding that value is where a person looks.
            let quoted = e.message.split('"').nth(1).filter(|v| !v.is_empty());
            let line = quoted.and_then(|v| yaml::line_of_value(text, v)).or(e.line);
            Diagnostic::error(path, line, e.message)
        })?;
        record.path = path.to_path_buf();
        Ok(record)
    }

    pub fn received_date(&self) -> Date {
        self.received_at.to_offset(WIB).date()
    }

    /// The form each history entry was taken in: the record's form, back to
    /// the entry that moved the case into it (`moved_from`); before that,
    /// the form it came from.
    pub fn history_forms(&self) -> Vec<&str> {
        let mut form = self.kind.as_str();
        let mut forms: Vec<&str> = self
            .history
            .iter()
            .rev()
            .map(|entry| {
                let this = form;
                if let Some(from) = &entry.moved_from {
                    form = from;
                }
                this
            })
            .collect();
        forms.reverse();
        forms
    }

    /// The value of the field that plays `role` in `form`, trimmed; `None`
    /// when empty or the form has no such field.
    fn role(&self, form: &FormSpec, role: Role) -> Option<&str> {
        let field = form.role(role)?;
        self.fields
            .get(&field.name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The citizen's name (the field with `role: name`), "" when none.
    pub fn name(&self, form: Option<&FormSpec>) -> &str {
        form.and_then(|f| self.role(f, Role::Name)).unwrap_or("")
    }

    /// The other party of a mediation (the field with `role: respondent`),
    /// when the citizen named one: the case is then a mediation.
    pub fn respondent(&self, form: Option<&FormSpec>) -> Option<&str> {
        form.and_then(|f| self.role(f, Role::Respondent))
    }

    /// The other party's address or contact (`role: respondent_contact`).
    pub fn respondent_contact(&self, form: Option<&FormSpec>) -> Option<&str> {
        form.and_then(|f| self.role(f, Role::RespondentContact))
    }

    /// [`RecordError::Edit`]: an edit of this record's text failed.
    pub fn edit_error(&self, message: String) -> super::RecordError {
        super::RecordError::Edit {
            path: self.path.clone(),
            message,
        }
    }

    /// Folder holding the attachments.
    pub fn attachment_dir(&self) -> PathBuf {
        self.path.with_extension("")
    }

    /// The citizen's email, if they gave one (the field with `role:
    /// email`, when it holds an address: a `contact` field may hold a phone).
    pub fn email(&self, form: &FormSpec) -> Option<&str> {
        self.role(form, Role::Email).filter(|v| v.contains('@'))
    }

    /// The citizen's mobile number in E.164 (`+628…`), if they gave one.
    pub fn mobile(&self, form: &FormSpec) -> Option<&str> {
        let field = form.role(Role::Phone)?;
        self.normalized
            .get(&field.name)
            .map(str::trim)
            .filter(|m| m.starts_with("+62"))
    }

    /// Whether the case is closed: it is in a final step of its form (of a
    /// form the site no longer has: a final step wrote `completed_at`).
    pub fn is_closed(&self, form: Option<&FormSpec>) -> bool {
        match form.and_then(|f| f.step(&self.status)) {
            Some(step) => step.is_final,
            None => self.completed_at.is_some(),
        }
    }
}

/// The text fields of `form`, in form order, as typed ("" for those not
/// sent): what [`Record::new`] keeps.
pub fn form_fields(form: &FormSpec, typed: &BTreeMap<String, String>) -> Vec<(String, String)> {
    form.fields
        .iter()
        .filter(|f| f.kind != FieldType::File)
        .map(|f| {
            let value = typed.get(&f.name).cloned().unwrap_or_default();
            (f.name.clone(), value)
        })
        .collect()
}

fn first_version() -> u32 {
    1
}

fn whole_seconds_in_wib(moment: OffsetDateTime) -> OffsetDateTime {
    let moment = moment.to_offset(WIB);
    moment.replace_nanosecond(0).unwrap_or(moment)
}

/// `2026-11-27T10:15:03+07:00` (RFC 3339 in WIB, whole seconds).
pub fn format_timestamp(moment: OffsetDateTime) -> String {
    let moment = whole_seconds_in_wib(moment);
    let (h, m, s) = (moment.hour(), moment.minute(), moment.second());
    format!(
        "{}T{h:02}:{m:02}:{s:02}+07:00",
        dates::format_iso(moment.date())
    )
}

fn null_as_empty<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<HistoryEntry>, D::Error> {
    Ok(Option::<Vec<HistoryEntry>>::deserialize(de)?.unwrap_or_default())
}

/// Moments: written in WIB, whole seconds; read in any RFC 3339 offset.
pub(crate) mod moment {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(moment: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_timestamp(*moment))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(de)?;
        parse(&text).map_err(D::Error::custom)
    }

    pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
        OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|e| {
            format!("waktu {text:?} tidak sah (contoh: 2026-11-27T10:15:00+07:00): {e}")
        })
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            moment: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match moment {
                Some(m) => super::serialize(m, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            de: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(de)? {
                None => Ok(None),
                Some(t) if t.trim().is_empty() => Ok(None),
                Some(t) => parse(&t).map(Some).map_err(D::Error::custom),
            }
        }
    }
}

/// Dates as `2026-12-04`.
mod day {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    use crate::core::dates;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&dates::format_iso(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
        let text = String::deserialize(de)?;
        dates::parse_iso(&text).map_err(D::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match date {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
            match Option::<String>::deserialize(de)? {
                None => Ok(None),
                Some(t) if t.trim().is_empty() => Ok(None),
                Some(t) => dates::parse_iso(&t).map(Some).map_err(D::Error::custom),
            }
        }
    }
}

/// Optional text: blank reads as absent; written as it is.
mod text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        text.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(de)?.filter(|t| !t.trim().is_empty()))
    }
}

/// Parses "2026-11-30 10:00" (WIB) for back-dated entries.
pub fn parse_local_time(text: &str) -> Result<OffsetDateTime, String> {
    let (day, clock) = text
        .trim()
        .split_once(' ')
        .ok_or("tulis \"YYYY-MM-DD JJ:MM\"")?;
    let date = dates::parse_iso(day)?;
    let (h, m) = clock.split_once(':').ok_or("tulis \"YYYY-MM-DD JJ:MM\"")?;
    let time = time::Time::from_hms(
        h.parse().map_err(|_| "jam tidak sah")?,
        m.parse().map_err(|_| "menit tidak sah")?,
        0,
    )
    .map_err(|e| e.to_string())?;
    Ok(date.with_time(time).assume_offset(WIB))
}

mod added;
mod confidential;
pub mod documents;
mod due;
mod fields;
mod referral;

pub use due::{is_overdue, next_due};

#[cfg(test)]
mod tests;
