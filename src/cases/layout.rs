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
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use time::Date;

use super::ticket::Ticket;
use crate::core::fs::{DIR_MODE, create_private_dir, write_private};

/// The file that marks a data folder as loket's.
pub const MARKER: &str = ".loket-data";
pub const SUBMISSIONS_DIR: &str = "submissions";
pub(crate) const TMP_DIR: &str = ".tmp";
const HELD_DIR: &str = "held";
pub const STAGING_SUFFIX: &str = ".staging";

/// What loket itself keeps in a data folder: a folder holding only these
/// (a data folder from before the marker) is adopted.
const OWN_NAMES: [&str; 9] = [
    MARKER,
    super::copies::DIR,
    SUBMISSIONS_DIR,
    TMP_DIR,
    super::index::INDEX_DIR,
    "staff.yaml",
    "audit",
    "outbox",
    super::access::KEY_FILE,
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
    match fs::symlink_metadata(data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_private_dir(data)?;
            // Made by loket: private whatever the umask.
            fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE))?;
            write_marker(data)?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
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
