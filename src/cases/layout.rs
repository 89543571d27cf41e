//! The data folder: what is where in it, and which folder may be one.
//!
//! ```text
//! .loket-data                                    marks a folder loket made (or adopted)
//! submissions/2026/11/27/KP-20261127-7KX4.yaml   the record staff read
//! submissions/2026/11/27/KP-20261127-7KX4/       its attachments
//! submissions/2026/11/27/.KP-…-7KX4.staging/     attachments between a commit's two renames
//! .tmp/3f9c…/ and .tmp/3f9c….yaml                a draft being received
//! .tmp/held/<token>/                             uploads of a form sent back with errors
//! .index/                                        the records' derived index (super::index)
//! lookup.key                                     the key of the access codes (super::access)
//! staff.yaml, audit/                             the staff desk's accounts and log
//! outbox/                                        mail waiting to be sent (crate::notify)
//! .copies/                                       reports and backups loket wrote (super::copies)
//! laporan/narasi-2026-11.yaml                    a report's narrative (super::report::narrative)
//! survei/                                        the satisfaction survey (crate::survey::store)
//! ```
//!
//! [`Layout`] only names paths: reading a record needs nothing more, and
//! only [`super::store::Store`] writes submissions. A folder is only adopted
//! as the data folder ([`adopt`]) if loket made it (its marker), it is
//! empty, or it holds nothing but loket's own layout; loket never changes
//! the permissions of a folder it did not make, and refuses one that others
//! can read.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use time::Date;

use super::ticket::Ticket;
use crate::core::fs::{DIR_MODE, create_private_dir, if_exists, write_private};

/// The file that marks a data folder as loket's.
pub const MARKER: &str = ".loket-data";
pub const SUBMISSIONS_DIR: &str = "submissions";
pub(crate) const TMP_DIR: &str = ".tmp";
const HELD_DIR: &str = "held";
pub const STAGING_SUFFIX: &str = ".staging";

/// What loket itself keeps in a data folder: a folder holding only these
/// (a data folder from before the marker) is adopted.
const OWN_NAMES: [&str; 11] = [
    MARKER,
    super::copies::DIR,
    SUBMISSIONS_DIR,
    TMP_DIR,
    super::index::INDEX_DIR,
    "staff.yaml",
    "audit",
    "outbox",
    super::access::KEY_FILE,
    super::report::narrative::DIR,
    crate::survey::store::DIR,
];

/// The paths of a data folder.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn submissions_dir(&self) -> PathBuf {
        self.root.join(SUBMISSIONS_DIR)
    }

    /// The folder of the submissions received on `date`.
    pub fn day_dir(&self, date: Date) -> PathBuf {
        self.submissions_dir()
            .join(format!("{:04}", date.year()))
            .join(format!("{:02}", u8::from(date.month())))
            .join(format!("{:02}", date.day()))
    }

    /// Where a ticket's record is (or would be).
    pub fn record_path(&self, ticket: &Ticket) -> Option<PathBuf> {
        Some(self.day_dir(ticket.date()?).join(format!("{ticket}.yaml")))
    }

    /// Drafts being received; emptied when the store is opened.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join(TMP_DIR)
    }

    /// Uploads of forms sent back with errors (`super::store::held`).
    pub fn held_dir(&self) -> PathBuf {
        self.tmp_dir().join(HELD_DIR)
    }
}

/// Whether `name` can be an attachment's stored name: one plain file name
/// (no path, nothing hidden), as the store makes them. The one check every
/// place that joins a record's `stored_name` to a folder goes through: a
/// hand-edited `../x` must never reach outside the case's folder.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// Opens the attachment `name` of the case folder `folder` for reading,
/// following no symbolic link: neither the folder nor the file may be one
/// (a link could point outside the data folder). Refuses a name that is
/// not [plain](is_plain_name).
pub fn open_attachment(folder: &Path, name: &str) -> io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags, open, openat};
    if !is_plain_name(name) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not a plain file name"),
        ));
    }
    let dir = open(
        folder,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let file = openat(
        &dir,
        name,
        // Non-blocking: a FIFO put there by hand does not hang the reader.
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )?;
    let file = fs::File::from(file);
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// A record's attachment folder in the folder `day`: `TICKET/`, or in the
/// moment between a commit's two renames its staging name; `None` when
/// there is neither. Not followed: it may be a symbolic link.
pub fn attachment_folder(day: &Path, ticket: &str) -> Option<PathBuf> {
    [day.join(ticket), day.join(staging_name(ticket))]
        .into_iter()
        .find(|f| fs::symlink_metadata(f).is_ok())
}

/// Whether `path` is a real folder, not a symbolic link to one.
pub fn is_plain_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// The hidden name a submission's attachment folder has in its day folder
/// until its record is in place.
pub fn staging_name(ticket: &str) -> String {
    format!(".{ticket}{STAGING_SUFFIX}")
}

/// The ticket of a staging folder's name, if it is one.
pub fn staged_ticket(name: &str) -> Option<&str> {
    name.strip_prefix('.')?.strip_suffix(STAGING_SUFFIX)
}

/// The level of a day folder's entries in the dated tree: entries of
/// `submissions/` are at level 0 (years), of a year at 1 (months), of a
/// month at 2 (days).
pub const DAY_LEVEL: usize = 3;

/// What an entry of the dated tree `submissions/YYYY/MM/DD/` is to loket:
/// the one rule of every walk of it. Nothing is followed: a symbolic link
/// is neither a folder nor a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeEntry {
    /// A year, month or day folder (`YYYY`, `MM`, `DD`), to enter.
    Folder,
    /// A record file, `TICKET.yaml` in a day folder.
    Record,
    /// Anything else: an attachment or staging folder, a hidden name, a
    /// symbolic link, a file out of place.
    Other,
}

/// What the entry `name` at `level` ([`DAY_LEVEL`]) is, given whether it
/// is itself a folder or a regular file (not through a link).
pub fn tree_entry(level: usize, name: &[u8], is_dir: bool, is_file: bool) -> TreeEntry {
    let width = if level == 0 { 4 } else { 2 };
    if level < DAY_LEVEL && is_dir && name.len() == width && name.iter().all(u8::is_ascii_digit) {
        TreeEntry::Folder
    } else if level == DAY_LEVEL && is_file && !name.starts_with(b".") && name.ends_with(b".yaml") {
        TreeEntry::Record
    } else {
        TreeEntry::Other
    }
}

/// What [`day_folders`] found.
#[derive(Debug, Default)]
pub struct DayFolders {
    /// `submissions/YYYY/MM/DD`, in order.
    pub days: Vec<PathBuf>,
    /// Everything else at the levels above the days (not entered).
    pub strays: Vec<PathBuf>,
    /// Folders that could not be read.
    pub unreadable: Vec<(PathBuf, io::Error)>,
}

/// The day folders of the dated tree at `submissions` (none if it does not
/// exist), following no symbolic link.
pub fn day_folders(submissions: &Path) -> DayFolders {
    fn walk(dir: &Path, level: usize, found: &mut DayFolders) {
        let mut entries = match fs::read_dir(dir).and_then(|d| d.collect::<io::Result<Vec<_>>>()) {
            Ok(entries) => entries,
            Err(e) => return found.unreadable.push((dir.to_path_buf(), e)),
        };
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            match tree_entry(level, entry.file_name().as_bytes(), is_dir, false) {
                TreeEntry::Folder if level + 1 == DAY_LEVEL => found.days.push(entry.path()),
                TreeEntry::Folder => walk(&entry.path(), level + 1, found),
                _ => found.strays.push(entry.path()),
            }
        }
    }
    let mut found = DayFolders::default();
    if fs::symlink_metadata(submissions).is_ok() {
        walk(submissions, 0, &mut found);
    }
    found
}

/// The tickets of the record files in the folder `day`, in order.
pub fn day_records(day: &Path) -> io::Result<Vec<String>> {
    let mut tickets = Vec::new();
    for entry in fs::read_dir(day)? {
        let entry = entry?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let name = entry.file_name();
        if tree_entry(DAY_LEVEL, name.as_bytes(), false, is_file) == TreeEntry::Record
            && let Some(ticket) = name.to_str().and_then(|n| n.strip_suffix(".yaml"))
        {
            tickets.push(ticket.to_string());
        }
    }
    tickets.sort();
    Ok(tickets)
}

/// Every record file of the data folder `data`, in order, and the folders
/// that could not be read.
pub fn records(data: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, io::Error)>) {
    let DayFolders {
        days,
        mut unreadable,
        ..
    } = day_folders(&data.join(SUBMISSIONS_DIR));
    let mut files = Vec::new();
    for day in days {
        match day_records(&day) {
            Ok(tickets) => files.extend(tickets.iter().map(|t| day.join(format!("{t}.yaml")))),
            Err(e) => unreadable.push((day, e)),
        }
    }
    (files, unreadable)
}

/// Why a folder cannot be the data folder.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "{} is not empty and is not a loket data folder (no {MARKER} in it); give --data a new or empty folder, or the data folder loket made",
        .0.display()
    )]
    NotOurs(PathBuf),
    #[error(
        "{} can be read by other users (mode {mode:o}); submissions hold personal data: make it private (chmod 700) or give --data a folder for loket to make",
        .path.display()
    )]
    NotPrivate { path: PathBuf, mode: u32 },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Marks `data` as a loket data folder.
pub fn write_marker(data: &Path) -> io::Result<()> {
    write_private(&data.join(MARKER), b"loket data folder\n")
}

/// Makes `data` the data folder, or says why it cannot be ([module
/// docs](self)).
pub fn adopt(data: &Path) -> Result<(), OpenError> {
    if if_exists(fs::symlink_metadata(data))?.is_none() {
        create_private_dir(data)?;
        // Made by loket: private whatever the umask.
        fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE))?;
        write_marker(data)?;
        return Ok(());
    }
    let mode = fs::metadata(data)?.permissions().mode() & 0o777;
    if data.join(MARKER).is_file() {
        // Made by loket, and it made it private: never changed since.
        return Ok(());
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(data)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    if !names.iter().all(|n| OWN_NAMES.contains(&n.as_str())) {
        return Err(OpenError::NotOurs(data.to_path_buf()));
    }
    if mode & 0o077 != 0 {
        return Err(OpenError::NotPrivate {
            path: data.to_path_buf(),
            mode,
        });
    }
    write_marker(data)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn the_walk_lists_record_files_of_day_folders_in_order_and_follows_no_link() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, elsewhere) = (tmp.path().join("data"), tmp.path().join("elsewhere"));
        let sub = data.join(SUBMISSIONS_DIR);
        assert!(records(&data).0.is_empty() && records(&data).1.is_empty());
        for rel in [
            "data/submissions/2026/11/28/PL-20261128-BBBB.yaml",
            "data/submissions/2026/11/28/KP-20261128-AAAA.yaml",
            "data/submissions/2026/02/01/KP-20260201-EEEE.yaml",
            "data/submissions/2025/12/31/KP-20251231-FFFF.yaml",
            // Not records: an attachment folder's files, a commit's staging
            // folder, an update's temp file, hidden and other names.
            "data/submissions/2026/11/28/PL-20261128-BBBB/lampiran.yaml",
            "data/submissions/2026/11/28/.KP-20261128-CCCC.staging/ktp.pdf",
            "data/submissions/2026/11/28/.loket-3f9c.tmp",
            "data/submissions/2026/11/28/.KP-20261128-DDDD.yaml",
            "data/submissions/2026/11/28/catatan.txt",
            "data/submissions/2026/11/28/KP-20261128-MMMM.yaml/x",
            // Out of place: a record above the days, folders that are no dates.
            "data/submissions/2026/11/KP-20261101-GGGG.yaml",
            "data/submissions/2026/lain/01/KP-20260101-HHHH.yaml",
            "data/submissions/2026/1/01/KP-20260101-JJJJ.yaml",
            "elsewhere/01/KP-20261201-KKKK.yaml",
        ] {
            let path = tmp.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        // Links, to a record and to folders holding records: not followed.
        let record = elsewhere.join("01/KP-20261201-KKKK.yaml");
        symlink(record, sub.join("2026/11/28/KP-20261128-LLLL.yaml")).unwrap();
        symlink(&elsewhere, sub.join("2026/12")).unwrap();
        symlink(elsewhere.join("01"), sub.join("2026/11/29")).unwrap();

        let rel = |paths: &[PathBuf]| -> Vec<String> {
            let rel = paths.iter().map(|p| p.strip_prefix(&sub).unwrap());
            rel.map(|p| p.display().to_string()).collect()
        };
        let (files, unreadable) = records(&data);
        assert!(unreadable.is_empty(), "{unreadable:?}");
        assert_eq!(
            rel(&files),
            [
                "2025/12/31/KP-20251231-FFFF.yaml",
                "2026/02/01/KP-20260201-EEEE.yaml",
                "2026/11/28/KP-20261128-AAAA.yaml",
                "2026/11/28/PL-20261128-BBBB.yaml",
            ]
        );
        let strays = ["2026/1", "2026/11/29", "2026/11/KP-20261101-GGGG.yaml"];
        assert_eq!(
            rel(&day_folders(&sub).strays),
            [&strays[..], &["2026/12", "2026/lain"]].concat()
        );
        // A folder that cannot be read (here: a file) is named.
        let unreadable = day_folders(&sub.join("2026/11/28/catatan.txt")).unreadable;
        assert_eq!(unreadable.len(), 1);
    }
}
