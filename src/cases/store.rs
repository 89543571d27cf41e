//! The durable store of submissions, in the data folder's
//! [`layout`](super::layout).
//!
//! A submission is received into a draft under `.tmp/` (same filesystem):
//! its uploads are written and sanitized there ([`upload`]), then the
//! committer ([`commit`]) puts it into the dated tree in two durable steps
//! with the record's move as the commit point. Renames never replace. Only
//! a [`Store`] commits, and only [`Store::open`] makes one: reading needs
//! no more than the [`Layout`].
//!
//! Opening the store removes only what the store itself left half-done:
//! drafts in `.tmp/`, attachment folders still under their staging name
//! without a record, and the temp files of status updates; a staging folder
//! whose record is in place is finished instead. Anything else unexpected in
//! the tree (a record renamed by hand, a stray folder) is left alone for
//! `loket verify` to report.
//!
//! The accepted uploads of a form sent back with errors are kept for an
//! hour ([`held`]), and go into a later draft as hard links.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use time::Date;

use super::layout::{self, Layout, OpenError};
use super::recent::Recent;
use super::record::Attachment;
use super::sanitize::{SanitizeLimits, Sanitizer};
use super::ticket::Ticket;

use crate::core::fs::{
    FILE_MODE, create_private_dir, is_replace_temp, rename_noreplace, sync_dir, write_private,
};
use crate::core::secret::random_hex;

mod attach;
mod commit;
pub mod held;
mod upload;

pub use attach::{AddedToCase, Addition};
pub use commit::AfterCommit;
pub use upload::FileWriter;

#[derive(Debug, Clone)]
pub struct Store {
    layout: Layout,
    /// The thread that commits drafts.
    committer: commit::Handle,
    /// Makes uploads safe to keep; shared by every draft.
    sanitizer: Arc<Sanitizer>,
    /// Keeps the thread that removes expired held uploads running.
    _sweeper: mpsc::Sender<()>,
    /// Room the held uploads take, shared with that thread.
    held_usage: Arc<held::Usage>,
    /// Submissions accepted lately, so that a resend is not stored twice.
    recent: Arc<Recent>,
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
        layout::adopt(data)?;
        let layout = Layout::new(data);
        create_private_dir(&layout.submissions_dir())?;
        let tmp = layout.tmp_dir();
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        create_private_dir(&tmp)?;
        finish_or_remove_staged(&layout)?;
        // Opened before anything is written through this store: since Linux
        // 5.8 `syncfs` reports each write-back error on the filesystem since
        // the descriptor was opened, once per descriptor.
        let fs = File::open(data)?;
        let held_usage = Arc::<held::Usage>::default();
        Ok(Store {
            committer: commit::Handle::start(layout.clone(), fs, syncfs)?,
            _sweeper: held::start_sweeper(layout.clone(), held_usage.clone())?,
            layout,
            sanitizer: Arc::new(Sanitizer::new(SanitizeLimits::default())),
            held_usage,
            recent: Arc::default(),
        })
    }

    /// Makes uploads safe to keep; the desk's uploads into the site's
    /// `static/` go through it too.
    pub fn sanitizer(&self) -> &Arc<Sanitizer> {
        &self.sanitizer
    }

    /// Submissions accepted lately, by fingerprint.
    pub fn recent(&self) -> &Arc<Recent> {
        &self.recent
    }

    /// Where everything is.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn root(&self) -> &Path {
        self.layout.root()
    }

    /// Starts receiving a submission. Nothing touches the disk until the
    /// first accepted upload arrives.
    pub fn draft(&self) -> io::Result<Draft> {
        let id = random_hex(8)?;
        let tmp = self.layout.tmp_dir();
        Ok(Draft {
            dir: tmp.join(&id),
            record: tmp.join(format!("{id}.yaml")),
            attachments: Vec::new(),
            sent_sizes: BTreeMap::new(),
            unchecked: Vec::new(),
            sanitizer: self.sanitizer.clone(),
            committed: false,
            failures_before: self.committer.failures(),
        })
    }
}

/// What a crash left in the day folders: a staging folder is finished
/// (renamed) if its record is in place and removed if not; a status
/// update's temp file is removed. Nothing else is touched.
fn finish_or_remove_staged(layout: &Layout) -> io::Result<()> {
    let tree = layout::day_folders(&layout.submissions_dir());
    if let Some((path, e)) = tree.unreadable.into_iter().next() {
        return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
    }
    for day in tree.days {
        for entry in fs::read_dir(&day)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                let Some(ticket) = layout::staged_ticket(&name) else {
                    continue;
                };
                if day.join(format!("{ticket}.yaml")).is_file() {
                    rename_noreplace(&path, &day.join(ticket))?;
                } else {
                    fs::remove_dir_all(&path)?;
                }
            } else if is_replace_temp(&name) {
                fs::remove_file(&path)?;
            }
        }
    }
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
    /// The bytes the sender sent for each sanitized attachment, by field
    /// (a photo's kept copy is re-encoded: the form names the file it was).
    sent_sizes: BTreeMap<String, u64>,
    /// Uploads received but not yet sanitized ([`Draft::check_uploads`]).
    unchecked: Vec<upload::Unchecked>,
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
    /// record for a given ticket; `after` runs with the ticket once the
    /// record is in place, before the sync that makes it durable: what
    /// `after` writes in the data folder is durable when the citizen is
    /// told.
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
        prefix: &str,
        date: Date,
        render: impl Fn(&Ticket) -> io::Result<String> + Send + 'static,
        after: Option<AfterCommit>,
    ) -> io::Result<Ticket> {
        if !self.unchecked.is_empty() {
            // A raw upload must never reach a case folder.
            return Err(io::Error::other("uploads not yet sanitized"));
        }
        store
            .committer
            .commit(self, prefix.to_string(), date, Box::new(render), after)
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
