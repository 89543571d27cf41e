//! Files added to a case after it was received: the citizen's answer on
//! `/cek-status/` or files staff attach on the desk. They are received and
//! sanitized in a draft exactly as a submission's uploads ([`super::upload`]),
//! then moved into the case's attachment folder under new names (never
//! replacing one), made durable (each file, then the folder: 0600 files in
//! a 0700 folder), and listed in the record with who added them, together
//! with a history entry, under the record's lock ([`crate::cases::update`]).
//! If the record cannot be written, the moved files are removed again:
//! nothing is left that the record does not list.

use std::cell::RefCell;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::{Draft, create_private_dir, rename_noreplace, sync_dir};
use crate::cases::record::{Added, AddedFrom, Attachment, HistoryEntry, Record};
use crate::cases::yaml_edit::{append_history, set_value};
use crate::cases::{RecordError, update};

/// Who adds, when, and what the history entry says.
#[derive(Debug, Clone)]
pub struct Addition {
    pub from: AddedFrom,
    /// "pemohon", or the staff member's name.
    pub by: String,
    pub at: OffsetDateTime,
    /// The citizen's reply, as typed.
    pub reply: Option<String>,
    /// Staff's note about the files (internal).
    pub note: Option<String>,
    /// The form field the files are listed under, when not the one they
    /// were received in (staff's files belong to no field of the form).
    pub field: Option<String>,
}

/// What an addition wrote.
#[derive(Debug)]
pub struct AddedToCase {
    /// The record as it was before.
    pub before: Record,
    /// The record as written.
    pub after: Record,
    pub attachments: Vec<Attachment>,
}

impl Draft {
    /// Adds this draft's sanitized uploads (none is fine: a reply alone)
    /// to the case `ticket` with a history entry for `addition`. `more`
    /// may edit the record's text further in the same write (the
    /// deadlines a paused clock moves); it sees the record under the lock.
    /// Blocking: call it on the blocking pool.
    pub fn add_to_case(
        self,
        data: &Path,
        ticket: &str,
        addition: &Addition,
        more: impl FnOnce(&Record, &str) -> Result<String, RecordError>,
    ) -> Result<AddedToCase, RecordError> {
        if !self.unchecked.is_empty() {
            return Err(RecordError::Missing("uploads not yet sanitized".into()));
        }
        let moved: RefCell<Vec<PathBuf>> = RefCell::default();
        let added: RefCell<Vec<Attachment>> = RefCell::default();
        let result = update(data, ticket, None, |record, text| {
            let edit_error = |message| record.edit_error(message);
            let text = more(record, text)?;
            let folder = record.attachment_dir();
            let io = |source| RecordError::Io {
                path: folder.clone(),
                source,
            };
            let mut list = record.attachments.clone();
            let mut names = Vec::new();
            if !self.attachments.is_empty() && !folder.is_dir() {
                create_private_dir(&folder).map_err(io)?;
                sync_dir(folder.parent().unwrap_or(Path::new("."))).map_err(io)?;
            }
            for a in &self.attachments {
                let name = free_name(&folder, &list, addition.from, a);
                let to = folder.join(&name);
                rename_noreplace(&self.dir.join(&a.stored_name), &to).map_err(io)?;
                moved.borrow_mut().push(to.clone());
                File::open(&to).and_then(|f| f.sync_all()).map_err(io)?;
                let kept = Attachment {
                    field: addition.field.clone().unwrap_or_else(|| a.field.clone()),
                    stored_name: name.clone(),
                    added_by: Some(addition.by.clone()),
                    added_at: Some(addition.at),
                    ..a.clone()
                };
                list.push(kept.clone());
                added.borrow_mut().push(kept);
                names.push(name);
            }
            if !names.is_empty() {
                sync_dir(&folder).map_err(io)?;
            }
            let entry = HistoryEntry {
                note: addition.note.clone(),
                added: Some(Added {
                    from: addition.from,
                    files: names,
                    reply: addition.reply.clone(),
                    documents: Vec::new(),
                }),
                ..HistoryEntry::new(addition.at, &record.status, &addition.by)
            };
            let new = if list.len() == record.attachments.len() {
                text
            } else {
                set_value(&text, "attachments", &list).map_err(edit_error)?
            };
            append_history(&new, &entry).map_err(edit_error)
        });
        match result {
            Ok(updated) => Ok(AddedToCase {
                before: updated.before,
                after: updated.after,
                attachments: added.into_inner(),
            }),
            Err(e) => {
                for path in moved.into_inner() {
                    let _ = fs::remove_file(path);
                }
                Err(e)
            }
        }
    }
}

/// A name in `folder` for the added file `a` that neither the record lists
/// nor the folder holds: `balasan-ktp-1.jpg` (the citizen's, by the field
/// it answers), `petugas-2.pdf` (staff's).
fn free_name(folder: &Path, listed: &[Attachment], from: AddedFrom, a: &Attachment) -> String {
    let prefix = match from {
        AddedFrom::Pemohon => format!("balasan-{}", a.field.replace('_', "-")),
        AddedFrom::Petugas => "petugas".to_string(),
    };
    let ext = Path::new(&a.stored_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("bin");
    (1..)
        .map(|n| format!("{prefix}-{n}"))
        .find(|stem| {
            !listed
                .iter()
                .any(|l| Path::new(&l.stored_name).file_stem() == Some(stem.as_ref()))
                && fs::symlink_metadata(folder.join(format!("{stem}.{ext}"))).is_err()
        })
        .map(|stem| format!("{stem}.{ext}"))
        .unwrap_or_default()
}
