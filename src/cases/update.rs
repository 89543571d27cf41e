//! Changing a stored record without losing anyone's change.
//!
//! Every update of a record takes an exclusive advisory lock (`flock`) on its
//! day folder, reads the record, edits it, and replaces it atomically (temp
//! file, fsync, rename, fsync folder) before letting go. Two `loket status`
//! on one ticket at once therefore run one after the other, the second on
//! top of the first. The folder is locked rather than the file because the
//! file is replaced by a rename: a lock on the old file would not stop a
//! writer that opened the new one. New submissions never wait on it (they
//! create new names and never take the lock).
//!
//! A caller that showed a person the record first (the staff desk) passes
//! the [`Version`] it showed; if the file changed since, the update fails
//! with [`RecordError::Stale`] instead of overwriting what it did not see.

use std::fs::File;
use std::path::Path;

use rustix::fs::{FlockOperation, flock};
use sha2::{Digest, Sha256};

use super::{Record, RecordError, find};

/// What a record's text was when someone read it (a hash of the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(String);

impl Version {
    pub fn of(text: &str) -> Version {
        Version(format!("{:x}", Sha256::digest(text.as_bytes())))
    }

    /// As text, for a hidden form field.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(text: &str) -> Version {
        Version(text.trim().to_string())
    }
}

/// A record [`update`] wrote.
#[derive(Debug)]
pub struct Updated {
    /// The record as it was.
    pub before: Record,
    /// The record as written, read back from `text`.
    pub after: Record,
    pub text: String,
}

/// Updates the record of `ticket` under the lock: `edit` gets the current
/// record and text and returns the new text, which must read back as the
/// same case.
pub fn update(
    data: &Path,
    ticket: &str,
    expected: Option<&Version>,
    edit: impl FnOnce(&Record, &str) -> Result<String, RecordError>,
) -> Result<Updated, RecordError> {
    let (record, _) = find(data, ticket)?;
    let dir = record.path.parent().unwrap_or(Path::new("."));
    let io_error = |source| RecordError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let lock = File::open(dir).map_err(io_error)?;
    flock(&lock, FlockOperation::LockExclusive).map_err(|e| io_error(e.into()))?;
    // Read again under the lock: this is the text the edit must start from.
    let (record, text) = find(data, ticket)?;
    if let Some(expected) = expected
        && *expected != Version::of(&text)
    {
        return Err(RecordError::Stale {
            ticket: record.ticket.clone(),
            by: record
                .history
                .last()
                .map(|h| h.by.clone())
                .filter(|b| !b.trim().is_empty())
                .unwrap_or_else(|| "orang lain".to_string()),
        });
    }
    let new_text = edit(&record, &text)?;
    // The edit works on text, to keep staff's comments and hand edits: the
    // result must still be this case's record before it replaces it.
    let unreadable = |message: String| RecordError::Edit {
        path: record.path.clone(),
        message: format!("hasilnya tidak akan terbaca ({message}); tidak ada yang diubah"),
    };
    let edited = Record::parse(&record.path, &new_text).map_err(|d| unreadable(d.message))?;
    if edited.ticket != record.ticket || edited.received_at != record.received_at {
        return Err(unreadable(
            "nomor tiket atau waktu diterima berubah".to_string(),
        ));
    }
    crate::core::fs::replace_private(&record.path, new_text.as_bytes()).map_err(|source| {
        RecordError::Io {
            path: record.path.clone(),
            source,
        }
    })?;
    // The lock goes with the descriptor.
    drop(lock);
    Ok(Updated {
        before: record,
        after: edited,
        text: new_text,
    })
}
