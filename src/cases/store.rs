//! The durable store of submissions.
//!
//! Layout under the data folder (0700, files 0600):
//!
//! ```text
//! .loket-data                                    marks a folder loket made (or adopted)
//! submissions/2026/11/27/KP-20261127-7KX4.yaml   the record staff read
//! submissions/2026/11/27/KP-20261127-7KX4/       its attachments
//! .tmp/3f9c…/ and .tmp/3f9c….yaml                a draft being received
//! .tmp/held/<token>/                             uploads of a form sent back with errors
//! lookup.key                                     the key of the access codes (super::access)
//! outbox/                                        mail waiting to be sent (crate::notify)
//! ```
//!
//! A submission is received into a draft under `.tmp/` (same filesystem):
//! its uploads are written and sanitized there ([`upload`]), then the
//! committer ([`commit`]) puts it into the dated tree in two durable steps
//! with the record's move as the commit point. Renames never replace.
//!
//! Opening the store removes only what the store itself left half-done:
//! drafts in `.tmp/`, attachment folders still under their staging name
//! without a record, and the temp files of status updates; a staging folder
//! whose record is in place is finished instead. Anything else unexpected in
//! the tree (a record renamed by hand, a stray folder) is left alone for
//! `loket verify` to report. A folder is only adopted as the data folder if
//! loket made it (its marker), it is empty, or it holds nothing but loket's
//! own layout; loket never changes the permissions of a folder it did not
//! make, and refuses one that others can read.
//!
//! The accepted uploads of a form sent back with errors are kept for an
//! hour ([`held`]), and go into a later draft as hard links.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::Date;

use super::recent::Recent;
use super::record::Attachment;
use super::sanitize::{SanitizeLimits, Sanitizer};
use super::ticket::Ticket;
use crate::forms::FormKind;

pub const SUBMISSIONS_DIR: &str = "submissions";
const TMP_DIR: &str = ".tmp";

use crate::core::fs::{
    DIR_MODE, FILE_MODE, create_private_dir, is_replace_temp, rename_noreplace, sync_dir,
    write_private,
};

mod commit;
pub mod held;
mod upload;

pub use commit::{AfterCommit, STAGING_SUFFIX};
pub use upload::FileWriter;

/// The file that marks a data folder as loket's.
pub const MARKER: &str = ".loket-data";
/// What loket itself keeps in a data folder: a folder holding only these
/// (a data folder from before the marker) is adopted.
const OWN_NAMES: [&str; 8] = [
    MARKER,
    SUBMISSIONS_DIR,
    TMP_DIR,
    crate::cases::index::INDEX_DIR,
    "staff.yaml",
    "audit",
    "outbox",
    super::access::KEY_FILE,
];

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// The thread that commits drafts; `None` for a store opened only for
    /// reading.
    committer: Option<commit::Handle>,
    /// Makes uploads safe to keep; shared by every draft.
    sanitizer: Arc<Sanitizer>,
    /// Keeps the thread that removes expired held uploads running.
    _sweeper: Option<std::sync::mpsc::Sender<()>>,
    /// Room the held uploads take, shared with that thread.
    held_usage: Arc<held::Usage>,
    /// Submissions accepted lately, so that a resend is not stored twice.
    recent: Arc<Recent>,
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

/// `len` random bytes, in hex.
fn random_hex(len: usize) -> io::Result<String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Store {
    /// Opens the store in `data`, making the folder (0700, with its marker)
    /// if it does not exist, and removes what the store left half-done
    /// ([module docs](self)). Held uploads are in `.tmp/` too: a restart
    /// forgets them.
    pub fn open(data: &Path) -> Result<Store, OpenError> {
        Store::open_with(
            data,
            Box::new(|folder| rustix::fs::syncfs(folder).map_err(io::Error::from)),
        )
    }

    /// [`Store::open`] with how to make the filesystem durable.
    fn open_with(data: &Path, syncfs: commit::SyncFs) -> Result<Store, OpenError> {
        adopt(data)?;
        let mut store = Store::at(data);
        create_private_dir(&store.submissions_dir())?;
        let tmp = data.join(TMP_DIR);
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        create_private_dir(&tmp)?;
        store.finish_or_remove_staged()?;
        // Opened before anything is written through this store: since Linux
        // 5.8 `syncfs` reports each write-back error on the filesystem since
        // the descriptor was opened, once per descriptor.
        let fs = File::open(data)?;
        store.committer = Some(commit::Handle::start(data.to_path_buf(), fs, syncfs)?);
        store._sweeper = Some(held::start_sweeper(data, store.held_usage.clone())?);
        Ok(store)
    }

    /// The store in `data`, for reading: creates and cleans nothing.
    pub fn at(data: &Path) -> Store {
        Store {
            root: data.to_path_buf(),
            committer: None,
            sanitizer: Arc::new(Sanitizer::new(SanitizeLimits::default())),
            _sweeper: None,
            held_usage: Arc::default(),
            recent: Arc::default(),
        }
    }

    /// Submissions accepted lately, by fingerprint.
    pub fn recent(&self) -> &Arc<Recent> {
        &self.recent
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn submissions_dir(&self) -> PathBuf {
        self.root.join(SUBMISSIONS_DIR)
    }

    fn day_dir(&self, date: Date) -> PathBuf {
        self.submissions_dir()
            .join(format!("{:04}", date.year()))
            .join(format!("{:02}", u8::from(date.month())))
            .join(format!("{:02}", date.day()))
    }

    /// Where a ticket's record is (or would be).
    pub fn record_path(&self, ticket: &Ticket) -> Option<PathBuf> {
        Some(self.day_dir(ticket.date()?).join(format!("{ticket}.yaml")))
    }

    /// What a crash left in the day folders: a staging folder is finished
    /// (renamed) if its record is in place and removed if not; a status
    /// update's temp file is removed. Nothing else is touched.
    fn finish_or_remove_staged(&self) -> io::Result<()> {
        for entry in walkdir::WalkDir::new(self.submissions_dir())
            .min_depth(4)
            .max_depth(4)
        {
            let entry = entry.map_err(io::Error::other)?;
            let name = entry.file_name().to_string_lossy();
            let path = entry.path();
            if entry.file_type().is_dir() {
                let Some(ticket) = commit::staged_ticket(&name) else {
                    continue;
                };
                let day = path.parent().unwrap_or(path);
                if day.join(format!("{ticket}.yaml")).is_file() {
                    rename_noreplace(path, &day.join(ticket))?;
                } else {
                    fs::remove_dir_all(path)?;
                }
            } else if is_replace_temp(&name) {
                fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    /// Starts receiving a submission. Nothing touches the disk until the
    /// first accepted upload arrives.
    pub fn draft(&self) -> io::Result<Draft> {
        let id = random_hex(8)?;
        let tmp = self.root.join(TMP_DIR);
        Ok(Draft {
            dir: tmp.join(&id),
            record: tmp.join(format!("{id}.yaml")),
            attachments: Vec::new(),
            sanitizer: self.sanitizer.clone(),
            committed: false,
            failures_before: self.committer.as_ref().map_or(0, commit::Handle::failures),
        })
    }
}

/// Makes `data` the data folder, or says why it cannot be ([module
/// docs](self)).
fn adopt(data: &Path) -> Result<(), OpenError> {
    let marker = data.join(MARKER);
    match fs::symlink_metadata(data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_private_dir(data)?;
            // Made by loket: private whatever the umask.
            fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE))?;
            write_private(&marker, b"loket data folder\n")?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let mode = fs::metadata(data)?.permissions().mode() & 0o777;
    if marker.is_file() {
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
    write_private(&marker, b"loket data folder\n")?;
    Ok(())
}

/// A submission being received: its uploads go straight into `dir`, which
/// becomes the attachment folder, and the record is written next to it.
/// Dropped without [`Draft::commit`], it leaves nothing.
#[derive(Debug)]
pub struct Draft {
    dir: PathBuf,
    record: PathBuf,
    attachments: Vec<Attachment>,
    sanitizer: Arc<Sanitizer>,
    committed: bool,
    /// Failed syncs before anything of this draft was written.
    failures_before: u64,
}

impl Drop for Draft {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            let _ = fs::remove_file(&self.record);
        }
    }
}

impl Draft {
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// Puts the submission into the dated tree under a fresh ticket and
    /// returns the ticket once everything is on disk. `render` writes the
    /// record for a given ticket.
    ///
    /// The uploads, the record and the attachment folder's move into the
    /// dated tree are made durable before the record's move (the commit
    /// point), and that in turn before returning. A crash at any moment
    /// leaves either the whole submission or an attachment folder without
    /// its record, which [`Store::open`] removes; and once the record has
    /// moved, the folder is no longer in `.tmp/` on disk either, so the
    /// clean-up of `.tmp/` can never reach it.
    pub async fn commit(
        self,
        store: &Store,
        kind: FormKind,
        date: Date,
        render: impl Fn(&Ticket) -> io::Result<String> + Send + 'static,
    ) -> io::Result<Ticket> {
        self.commit_then(store, kind, date, render, None).await
    }

    /// [`Draft::commit`], then `after` with the ticket once the record is
    /// in place, before the sync that makes it durable: what `after` writes
    /// in the data folder is durable when the citizen is told.
    pub async fn commit_then(
        self,
        store: &Store,
        kind: FormKind,
        date: Date,
        render: impl Fn(&Ticket) -> io::Result<String> + Send + 'static,
        after: Option<AfterCommit>,
    ) -> io::Result<Ticket> {
        let committer = store
            .committer
            .as_ref()
            .ok_or_else(|| io::Error::other("store opened for reading only"))?;
        committer
            .commit(self, kind, date, Box::new(render), after)
            .await
    }
}

/// Creates `dir` (below `base`) and makes each new level durable.
fn create_durable_dirs(base: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    create_private_dir(dir)?;
    let mut current = dir;
    while let Some(parent) = current.parent() {
        sync_dir(parent)?;
        if parent == base || !parent.starts_with(base) {
            break;
        }
        current = parent;
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests;
