//! The values staff type for a case's printed documents (letter numbers,
//! the berita acara, who signs "Mengetahui"): kept with the case
//! ([`Documents`]) under its day folder's lock with the version the desk
//! showed ([`cases::update`]), with a history entry that names what was set
//! (never the values; not shown to the citizen) and one audit line.

use std::io;

use time::OffsetDateTime;

use super::Work;
use super::audit::{self, Action, Actor};
use crate::cases::record::{Added, AddedFrom, Documents};
use crate::cases::yaml_edit::{append_history, remove_key, set_value};
use crate::cases::{self, HistoryEntry, Record, RecordError, Version};

/// What a save came to: the record as it was, what changed (nothing: no
/// write, no history, no audit line), and how the audit line went.
#[derive(Debug)]
pub struct DocumentsSaved {
    pub before: Record,
    pub changed: Vec<&'static str>,
    pub audit: io::Result<()>,
}

/// Keeps `documents` with the case `ticket` (if its record is still
/// `seen`, when given), as `actor` did at `now`.
pub fn save_documents(
    w: &Work,
    ticket: &str,
    seen: Option<&Version>,
    documents: &Documents,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<DocumentsSaved, RecordError> {
    let mut changed = Vec::new();
    let before = cases::update(&w.data, ticket, seen, |record, text| {
        changed = documents.changes(&record.documents);
        if changed.is_empty() {
            return Ok(text.to_string());
        }
        let edit_error = |message| record.edit_error(message);
        let new = match documents.is_empty() {
            true => remove_key(text, "documents"),
            false => set_value(text, "documents", documents),
        }
        .map_err(edit_error)?;
        let entry = HistoryEntry {
            added: Some(Added {
                from: AddedFrom::Petugas,
                files: Vec::new(),
                reply: None,
                documents: changed.iter().map(|c| c.to_string()).collect(),
            }),
            ..HistoryEntry::new(now, &record.status, &actor.name)
        };
        let new = append_history(&new, &entry).map_err(edit_error)?;
        let check = Record::parse(&record.path, &new).map_err(|d| edit_error(d.message))?;
        if check.documents != *documents || check.history.len() != record.history.len() + 1 {
            return Err(edit_error(
                "hasil suntingan tidak terbaca kembali seperti yang dimaksud".into(),
            ));
        }
        Ok(new)
    })?
    .before;
    let audit = match changed.is_empty() {
        true => Ok(()),
        false => audit::record(
            &w.data,
            actor,
            Action::Documents,
            Some(&before.ticket),
            &changed.join(", "),
        ),
    };
    Ok(DocumentsSaved {
        before,
        changed,
        audit,
    })
}
