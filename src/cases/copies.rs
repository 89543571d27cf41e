//! Copies of personal data loket wrote outside the records: the monthly
//! report's files (`loket report`) and backup archives (`loket backup`),
//! wherever they were written. Each is noted in the data folder, so that
//! `loket purge` can delete it once it holds data the retention has since
//! removed from the records.
//!
//! ```text
//! .copies/3f9c1a2b0d4e5f60.yaml   one copy: its kind, files and tickets (0600)
//! ```
//!
//! An entry names its files (absolute paths) and, for each ticket whose
//! data it holds, how far that record had been purged when the copy was
//! written ([`Stage`]). A copy is stale once one of those records has gone
//! further (or is gone): a backup when its attachments were deleted or its
//! record redacted, a report (which shows names and masked NIKs, never
//! attachments) when its record was redacted. Writing a copy to the same
//! path again replaces its entry. The folder is hidden, so it is never in
//! a backup: its paths are this machine's.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Record;
use crate::core::fs::{create_private_dir, if_exists, replace_private};
use crate::core::yaml;

/// The folder of the entries, in the data folder.
pub const DIR: &str = ".copies";

/// What kind of copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CopyKind {
    Report,
    Backup,
}

impl CopyKind {
    /// How far `record` has been purged, as far as a copy of this kind cares.
    pub fn stage(self, record: Stage) -> Stage {
        match self {
            CopyKind::Backup => record,
            CopyKind::Report if record == Stage::Redacted => Stage::Redacted,
            CopyKind::Report => Stage::Whole,
        }
    }

    /// "laporan" or "cadangan", for what `loket purge` prints.
    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Report => "laporan",
            CopyKind::Backup => "cadangan",
        }
    }
}

/// How far a record has been purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Whole,
    AttachmentsPurged,
    Redacted,
}

impl Stage {
    pub fn of(record: &Record) -> Stage {
        if record.redacted.is_some() {
            Stage::Redacted
        } else if record.attachments_purged.is_some() {
            Stage::AttachmentsPurged
        } else {
            Stage::Whole
        }
    }

    /// The stage a record's text says, from its top-level keys alone (a
    /// backup reads records as bytes; purge writes these keys).
    pub fn of_text(text: &str) -> Stage {
        let has = |key: &str| text.lines().any(|l| l.starts_with(key));
        if has("redacted:") {
            Stage::Redacted
        } else if has("attachments_purged:") {
            Stage::AttachmentsPurged
        } else {
            Stage::Whole
        }
    }
}

/// One copy loket wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copy {
    pub kind: CopyKind,
    pub files: Vec<PathBuf>,
    pub tickets: BTreeMap<String, Stage>,
}

/// A copy found stale, and where its entry is.
#[derive(Debug)]
pub struct Stale {
    pub copy: Copy,
    entry: PathBuf,
}

/// Notes in `data` that loket wrote `files` (the first one names the
/// entry), holding the data of `tickets` at their stages.
pub fn note(
    data: &Path,
    kind: CopyKind,
    files: &[PathBuf],
    tickets: BTreeMap<String, Stage>,
) -> io::Result<()> {
    let files: Vec<PathBuf> = files
        .iter()
        .map(std::path::absolute)
        .collect::<io::Result<_>>()?;
    let Some(first) = files.first() else {
        return Ok(());
    };
    let key = Sha256::digest(first.as_os_str().as_encoded_bytes());
    let name = hex::encode(&key[..8]);
    let dir = data.join(DIR);
    create_private_dir(&dir)?;
    let copy = Copy {
        kind,
        files,
        tickets: tickets
            .into_iter()
            .map(|(t, s)| (t, kind.stage(s)))
            .collect(),
    };
    let text = yaml::to_string(&copy).map_err(|e| io::Error::other(e.message))?;
    replace_private(
        &dir.join(format!("{name}.yaml")),
        format!("# A copy loket wrote (src/cases/copies.rs); `loket purge` deletes it once stale.\n{text}")
            .as_bytes(),
    )
}

/// The copies noted in `data` that hold data the records no longer do,
/// given each ticket's stage now. A ticket absent from `now` has no record
/// any more, unless `all_read` is false (some record or folder could not be
/// read): then only a stage that went further makes a copy stale. Entries
/// that cannot be read are problems (path, message).
pub fn stale(
    data: &Path,
    now: &BTreeMap<String, Stage>,
    all_read: bool,
) -> (Vec<Stale>, Vec<(PathBuf, String)>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    let Ok(entries) = fs::read_dir(data.join(DIR)) else {
        return (found, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    for entry in paths {
        let copy = fs::read_to_string(&entry)
            .map_err(|e| e.to_string())
            .and_then(|t| yaml::from_str::<Copy>(&t).map_err(|e| e.message));
        let copy = match copy {
            Ok(c) => c,
            Err(message) => {
                problems.push((entry, message));
                continue;
            }
        };
        let is_stale = copy
            .tickets
            .iter()
            .any(|(ticket, then)| match now.get(ticket) {
                Some(stage) => copy.kind.stage(*stage) > *then,
                None => all_read,
            });
        if is_stale {
            found.push(Stale { copy, entry });
        }
    }
    (found, problems)
}

/// Every file of every copy noted in `data` (absolute paths): a backup
/// never takes a report or an older archive that happens to lie in the data
/// folder.
pub fn files(data: &Path) -> BTreeSet<PathBuf> {
    let Ok(entries) = fs::read_dir(data.join(DIR)) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter_map(|e| fs::read_to_string(e.path()).ok())
        .filter_map(|t| yaml::from_str::<Copy>(&t).ok())
        .flat_map(|c| c.files)
        .collect()
}

/// Deletes a stale copy's files, then its entry.
pub fn delete(stale: &Stale) -> io::Result<()> {
    for file in &stale.copy.files {
        if_exists(fs::remove_file(file))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    }
    fs::remove_file(&stale.entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_stale_once_a_record_went_further() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let backup = data.join("b.tar");
        fs::write(&backup, "x").unwrap();
        let tickets = BTreeMap::from([
            ("A".to_string(), Stage::Whole),
            ("B".to_string(), Stage::AttachmentsPurged),
        ]);
        note(
            data,
            CopyKind::Backup,
            std::slice::from_ref(&backup),
            tickets.clone(),
        )
        .unwrap();
        note(
            data,
            CopyKind::Report,
            &[data.join("r.html")],
            tickets.clone(),
        )
        .unwrap();
        assert!(stale(data, &tickets, true).0.is_empty());
        // A's attachments go: the backup is stale, the report is not.
        let mut now = tickets.clone();
        now.insert("A".into(), Stage::AttachmentsPurged);
        let (found, problems) = stale(data, &now, true);
        assert!(problems.is_empty());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].copy.kind, CopyKind::Backup);
        delete(&found[0]).unwrap();
        assert!(!backup.exists());
        // B redacted (or gone): the report is stale too.
        now.remove("B");
        assert!(stale(data, &now, false).0.is_empty(), "B may be unreadable");
        let found = stale(data, &now, true).0;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].copy.kind, CopyKind::Report);
    }
}
