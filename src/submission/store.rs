//! The durable store of submissions.
//!
//! Layout under the data folder (0700, files 0600):
//!
//! ```text
//! submissions/2026/11/27/KP-20261127-7KX4.yaml   the record staff read
//! submissions/2026/11/27/KP-20261127-7KX4/       its attachments
//! .tmp/3f9c…/ and .tmp/3f9c….yaml                a draft being received
//! .tmp/held/<token>/                             uploads of a form sent back with errors
//! ```
//!
//! A submission is received into a draft under `.tmp/` (same filesystem):
//! its uploads and its record are written there, the attachment folder is
//! renamed into the dated tree, all of that is made durable, and only then
//! the YAML is renamed next to it and made durable in turn. Renames never
//! replace an existing name. The YAML is the commit point: an attachment
//! folder without its YAML (a crash before the YAML's move) is removed when
//! the store is opened, like everything in `.tmp/`. Durability comes from
//! `syncfs` on the data folder's filesystem, shared by all the submissions
//! committing at the same moment ([`commit`], group commit).
//! Uploads bypass the page cache where the filesystem allows ([`upload`]).
//! The accepted uploads of a form sent back with errors are kept for an
//! hour ([`held`]), and go into a later draft as hard links.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use time::Date;

use super::FormKind;
use super::recent::Recent;
use super::record::Attachment;
use super::ticket::Ticket;
use super::validate::{FileCheck, FileType};

pub const SUBMISSIONS_DIR: &str = "submissions";
const TMP_DIR: &str = ".tmp";
const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

mod commit;
pub mod held;
mod upload;

use upload::UploadFile;

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// The thread that commits drafts; `None` for a store opened only for
    /// reading.
    committer: Option<commit::Handle>,
    /// Keeps the thread that removes expired held uploads running.
    _sweeper: Option<std::sync::mpsc::Sender<()>>,
    /// Room the held uploads take, shared with that thread.
    held_usage: Arc<held::Usage>,
    /// Submissions accepted lately, so that a resend is not stored twice.
    recent: Arc<Recent>,
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
}

/// Makes a directory entry change durable.
fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Renames without replacing: fails with `AlreadyExists` if `to` exists.
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        from,
        rustix::fs::CWD,
        to,
        rustix::fs::RenameFlags::NOREPLACE,
    )
    .map_err(io::Error::from)
}

/// `len` random bytes, in hex.
fn random_hex(len: usize) -> io::Result<String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Store {
    /// Opens (creating if needed) the store in `data`, makes it private and
    /// removes what a crash may have left: drafts and orphan attachment
    /// folders. Held uploads are in `.tmp/` too: a restart forgets them.
    pub fn open(data: &Path) -> io::Result<Store> {
        Store::open_with(data, |fs| {
            Box::new(move || rustix::fs::syncfs(&fs).map_err(io::Error::from))
        })
    }

    /// [`Store::open`], with how to make the filesystem durable given the
    /// data folder opened.
    fn open_with(data: &Path, sync: impl FnOnce(File) -> commit::SyncFs) -> io::Result<Store> {
        create_private_dir(data)?;
        fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE))?;
        // Opened before anything is written through this store: since Linux
        // 5.8 `syncfs` reports each write-back error on the filesystem since
        // the descriptor was opened, once per descriptor.
        let fs = File::open(data)?;
        let mut store = Store::at(data);
        create_private_dir(&store.submissions_dir())?;
        let tmp = data.join(TMP_DIR);
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        create_private_dir(&tmp)?;
        store.remove_orphans()?;
        store.committer = Some(commit::Handle::start(data.to_path_buf(), sync(fs))?);
        store._sweeper = Some(held::start_sweeper(data, store.held_usage.clone())?);
        Ok(store)
    }

    /// The store in `data`, for reading: creates and cleans nothing.
    pub fn at(data: &Path) -> Store {
        Store {
            root: data.to_path_buf(),
            committer: None,
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

    /// Attachment folders whose record never landed, and leftover temp files.
    fn remove_orphans(&self) -> io::Result<()> {
        for entry in walkdir::WalkDir::new(self.submissions_dir())
            .min_depth(4)
            .max_depth(4)
        {
            let entry = entry.map_err(io::Error::other)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type().is_dir() {
                let record = entry.path().with_extension("yaml");
                if hidden || !record.exists() {
                    fs::remove_dir_all(entry.path())?;
                }
            } else if hidden {
                // A status update's temp file, left by a crash before its rename.
                fs::remove_file(entry.path())?;
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
            unwritten: Vec::new(),
            committed: false,
            failures_before: self.committer.as_ref().map_or(0, commit::Handle::failures),
        })
    }
}

/// A submission being received: its uploads go straight into `dir`, which
/// becomes the attachment folder, and the record is written next to it.
/// Nothing is created only to be deleted again: on ext4 without a journal
/// every deleted inode makes later creates slower for minutes, and with
/// online discard a delete costs a discard as well. Dropped without
/// [`Draft::commit`], it leaves nothing.
#[derive(Debug)]
pub struct Draft {
    dir: PathBuf,
    record: PathBuf,
    attachments: Vec<Attachment>,
    /// The uploads' last bytes (all of an upload smaller than a batch),
    /// written by the committer: no hand-off to the blocking pool for them.
    unwritten: Vec<Unwritten>,
    committed: bool,
    /// Failed syncs before anything of this draft was written.
    failures_before: u64,
}

#[derive(Debug)]
struct Unwritten {
    /// `None` if nothing of the upload has been written yet.
    file: Option<UploadFile>,
    path: PathBuf,
    chunks: Vec<Bytes>,
}

impl Drop for Draft {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            let _ = fs::remove_file(&self.record);
        }
    }
}

/// Bytes an upload gathers before they go to disk in one blocking write:
/// far fewer hand-offs to the blocking pool than one per network chunk, and
/// an upload up to this size is written by the committer in one go.
const WRITE_BATCH: usize = 256 * 1024;
/// Enough of the start of a file to tell its type.
const SNIFF_BYTES: usize = 8;

/// An upload being streamed to disk, hashed as it arrives. Its type is told
/// from its first bytes before anything is written, so an accepted file is
/// created under its final name and a refused one is never written at all.
pub struct FileWriter {
    dir: PathBuf,
    field: String,
    /// `None` until the type is known; `Some(None)` for a refused type.
    kind: Option<Option<FileType>>,
    /// Opened with the first write; `None` again while a batch is written.
    file: Option<UploadFile>,
    hasher: Sha256,
    size: u64,
    /// Received and not written yet: the network's own buffers, no copy.
    pending: Vec<Bytes>,
    pending_len: usize,
}

impl FileWriter {
    pub async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        self.hasher.update(&chunk);
        self.size += chunk.len() as u64;
        match self.kind {
            // A refused type is only counted.
            Some(None) => return Ok(()),
            // Written out first, so what is held never grows past a batch
            // and a chunk.
            Some(Some(_)) if self.pending_len + chunk.len() > WRITE_BATCH => {
                self.write_pending().await?;
            }
            _ => {}
        }
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.kind.is_none() && self.pending_len >= SNIFF_BYTES {
            self.kind = Some(FileType::sniff(&self.head()));
            if self.kind == Some(None) {
                self.pending = Vec::new();
                self.pending_len = 0;
            }
        }
        Ok(())
    }

    /// The first bytes received, up to what tells a file's type.
    fn head(&self) -> Vec<u8> {
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        for chunk in &self.pending {
            let wanted = SNIFF_BYTES - head.len();
            head.extend_from_slice(&chunk[..wanted.min(chunk.len())]);
        }
        head
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Gives up the upload (one over its limit): what is on disk of it is
    /// removed, and nothing more is written.
    pub async fn discard(self) -> io::Result<()> {
        let Some(Some(kind)) = self.kind else {
            return Ok(());
        };
        let path = self.dir.join(self.stored_name(kind));
        let Some(file) = self.file else {
            return Ok(());
        };
        drop(file);
        tokio::task::spawn_blocking(move || fs::remove_file(path))
            .await
            .map_err(io::Error::other)?
    }

    fn stored_name(&self, kind: FileType) -> String {
        format!("{}.{}", self.field.replace('_', "-"), kind.extension())
    }

    /// Writes a full batch on a blocking thread, creating the file (and the
    /// draft folder) first if needed. Made durable in [`Draft::commit`].
    async fn write_pending(&mut self) -> io::Result<()> {
        let Some(Some(kind)) = self.kind else {
            return Ok(());
        };
        let file = self.file.take();
        let dir = self.dir.clone();
        let path = self.dir.join(self.stored_name(kind));
        let chunks = std::mem::take(&mut self.pending);
        self.pending_len = 0;
        let (file, result) = tokio::task::spawn_blocking(move || {
            let mut file = match file.map_or_else(|| create_upload(&dir, &path), Ok) {
                Ok(file) => file,
                Err(e) => return (None, Err(e)),
            };
            let result = file.write(chunks, false);
            (Some(file), result)
        })
        .await
        .map_err(io::Error::other)?;
        self.file = file;
        // What direct I/O could not write yet (less than a block).
        self.pending = result?;
        self.pending_len = self.pending.iter().map(Bytes::len).sum();
        Ok(())
    }
}

/// Creates an upload's file in the draft folder (created first if needed).
fn create_upload(dir: &Path, path: &Path) -> io::Result<UploadFile> {
    create_private_dir(dir)?;
    UploadFile::create(path, FILE_MODE)
}

impl Draft {
    /// A writer for the upload of form field `field` (a name from the form's
    /// definition, never one sent by the client).
    pub fn file_writer(&self, field: &str) -> FileWriter {
        FileWriter {
            dir: self.dir.clone(),
            field: field.to_string(),
            kind: None,
            file: None,
            hasher: Sha256::new(),
            size: 0,
            pending: Vec::new(),
            pending_len: 0,
        }
    }

    /// Finishes an upload: a file of a type we accept is kept (its last
    /// bytes are written and made durable in [`Draft::commit`]). Returns
    /// what validation needs to know of it.
    pub fn finish_file(&mut self, writer: FileWriter, original_name: &str) -> FileCheck {
        let detected = match writer.kind {
            Some(kind) => kind,
            None => FileType::sniff(&writer.head()),
        };
        if let Some(kind) = detected {
            let stored_name = writer.stored_name(kind);
            self.unwritten.push(Unwritten {
                file: writer.file,
                path: writer.dir.join(&stored_name),
                chunks: writer.pending,
            });
            self.attachments.push(Attachment {
                stored_name,
                field: writer.field,
                original_name: original_name.to_string(),
                size: writer.size,
                mime: kind.mime().to_string(),
                sha256: format!("{:x}", writer.hasher.finalize()),
            });
        }
        FileCheck {
            size: writer.size,
            detected,
        }
    }

    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// Writes the uploads' last bytes. Blocking.
    fn write_out(&mut self) -> io::Result<()> {
        for upload in self.unwritten.drain(..) {
            let mut file = match upload.file {
                Some(file) => file,
                None => create_upload(&self.dir, &upload.path)?,
            };
            file.write(upload.chunks, true)?;
        }
        Ok(())
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
        let committer = store
            .committer
            .as_ref()
            .ok_or_else(|| io::Error::other("store opened for reading only"))?;
        committer.commit(self, kind, date, Box::new(render)).await
    }
}

/// Writes a new private file; [`Store::sync_filesystem`] makes it durable.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?
        .write_all(bytes)
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
mod tests;
