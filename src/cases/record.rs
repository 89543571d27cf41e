//! The YAML record staff read: one file per submission.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::{Deserialize, Serialize as DeriveSerialize};

use crate::forms::FormKind;

/// Status of a new submission, before staff touch it.
pub const STATUS_NEW: &str = "baru";

/// An uploaded file as stored beside the record.
#[derive(Debug, Clone, PartialEq, Eq, DeriveSerialize, Deserialize)]
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
}

/// `(key, value)` pairs written as a YAML mapping in the order given, so a
/// record reads in the same order as the form.
#[derive(Debug, Clone, Default)]
pub struct Ordered(pub Vec<(String, String)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, DeriveSerialize)]
pub struct Record {
    pub ticket: String,
    pub kind: FormKind,
    /// ISO 8601 in WIB, e.g. `2026-11-27T10:15:03+07:00`.
    pub received_at: String,
    pub status: String,
    /// Working-day deadlines (YYYY-MM-DD): first response, and completion
    /// (absent when the standard sets no fixed term).
    pub response_due: String,
    pub completion_due: Option<String>,
    /// Set when a deadline went through a year without a holiday list:
    /// "perkiraan; daftar libur 2027 belum ditetapkan".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_note: Option<String>,
    /// Every field of the form as typed (line ends normalized to `\n`).
    pub fields: Ordered,
    /// Values derived from the fields: the NIK's 16 digits, phones in E.164.
    pub normalized: Ordered,
    pub attachments: Vec<Attachment>,
    /// Staff's processing steps, appended by `loket status`.
    pub history: Vec<crate::core::yaml::Value>,
}

impl Record {
    /// The record as a YAML document with a heading comment for people.
    pub fn to_yaml(&self) -> Result<String, crate::core::yaml::YamlError> {
        let body = crate::core::yaml::to_string(self)?;
        Ok(format!(
            "# {} · {}\n# Diterima {}. Jangan ubah ticket, kind, received_at dan attachments.\n{body}",
            self.ticket,
            self.kind.label(),
            self.received_at
        ))
    }
}

impl Record {
    /// A new record for `ticket`: every field of the form in form order ("" for
    /// empty ones), the derived values, the attachments, and the deadlines.
    pub fn new(
        kind: FormKind,
        ticket: &super::ticket::Ticket,
        received_at: time::OffsetDateTime,
        typed: &std::collections::BTreeMap<String, String>,
        normalized: &[(&'static str, String)],
        attachments: &[Attachment],
        deadlines: crate::site::terms::Deadlines,
    ) -> Record {
        let fields = kind
            .fields()
            .iter()
            .filter(|f| f.kind != crate::forms::FieldType::File)
            .map(|f| {
                let value = typed.get(f.name).cloned().unwrap_or_default();
                (f.name.to_string(), value)
            })
            .collect();
        Record {
            ticket: ticket.to_string(),
            kind,
            received_at: format_timestamp(received_at),
            status: STATUS_NEW.to_string(),
            response_due: crate::core::dates::format_iso(deadlines.response.date),
            completion_due: deadlines
                .completion
                .map(|due| crate::core::dates::format_iso(due.date)),
            due_note: deadlines.note(),
            fields: Ordered(fields),
            normalized: Ordered(
                normalized
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            ),
            attachments: attachments.to_vec(),
            history: Vec::new(),
        }
    }
}

/// `2026-11-27T10:15:03+07:00` (RFC 3339, whole seconds).
pub fn format_timestamp(moment: time::OffsetDateTime) -> String {
    let moment = moment.to_offset(crate::core::dates::WIB);
    let (h, m, s) = (moment.hour(), moment.minute(), moment.second());
    format!(
        "{}T{h:02}:{m:02}:{s:02}+07:00",
        crate::core::dates::format_iso(moment.date())
    )
}
