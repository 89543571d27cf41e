//! The durable store of submissions.
//!
//! Layout under the data folder (0700, files 0600):
//!
//! ```text
//! submissions/2026/11/27/KP-20261127-7KX4.yaml   the record staff read
//! submissions/2026/11/27/KP-20261127-7KX4/       its attachments
//! .tmp/3f9c…/ and .tmp/3f9c….yaml                a draft being received
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
//! committing at the same moment (group commit).

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use sha2::{Digest, Sha256};
use time::Date;

use super::FormKind;
use super::record::Attachment;
use super::ticket::Ticket;
use super::validate::{FileCheck, FileType};

pub const SUBMISSIONS_DIR: &str = "submissions";
const TMP_DIR: &str = ".tmp";
const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// The data folder, opened before anything is written through this
    /// store, so that `syncfs` on it reports every write-back error since.
    /// `None` for a store opened only for reading.
    fs: Option<Arc<File>>,
    /// Makes everything written so far on the data folder's filesystem
    /// durable, one `syncfs` shared by all commits waiting at that moment.
    durable: Arc<GroupSync>,
}

/// Group commit: one sync at a time, and every caller that arrives while it
/// runs shares the next one instead of paying for its own. A sync covers
/// every request made before it started. Under load this turns one fsync
/// per file, folder and record of each submission into one `syncfs` per
/// batch of submissions, which writes each inode table and folder block
/// once per batch and sends the disk one cache flush.
#[derive(Debug, Default)]
struct GroupSync {
    state: Mutex<SyncState>,
    finished: Condvar,
    /// Failed syncs so far. A write-back error is reported once, to one
    /// sync, and a page whose write-back failed is not written again; so a
    /// commit whose data was written before a failure it did not see itself
    /// must not count as durable either (see [`Draft::commit`]).
    failures: AtomicU64,
}

#[derive(Debug, Default)]
struct SyncState {
    /// Requests so far (each made after the writes it needs durable).
    requested: u64,
    /// Every request up to this one is durable.
    durable: u64,
    running: bool,
}

impl GroupSync {
    fn sync(&self, sync: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        fn lock(m: &Mutex<SyncState>) -> std::sync::MutexGuard<'_, SyncState> {
            m.lock().unwrap_or_else(|e| e.into_inner())
        }
        let mut state = lock(&self.state);
        state.requested += 1;
        let mine = state.requested;
        loop {
            if state.durable >= mine {
                return Ok(());
            }
            if !state.running {
                state.running = true;
                let covers = state.requested;
                drop(state);
                let result = sync();
                state = lock(&self.state);
                state.running = false;
                match result {
                    Ok(()) => state.durable = state.durable.max(covers),
                    Err(_) => {
                        self.failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
                self.finished.notify_all();
                return result;
            }
            state = self.finished.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
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

fn random_hex() -> io::Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Store {
    /// Opens (creating if needed) the store in `data`, makes it private and
    /// removes what a crash may have left: drafts and orphan attachment folders.
    pub fn open(data: &Path) -> io::Result<Store> {
        create_private_dir(data)?;
        fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE))?;
        let store = Store {
            fs: Some(Arc::new(File::open(data)?)),
            ..Store::at(data)
        };
        create_private_dir(&store.submissions_dir())?;
        let tmp = data.join(TMP_DIR);
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        create_private_dir(&tmp)?;
        store.remove_orphans()?;
        Ok(store)
    }

    /// The store in `data`, for reading: creates and cleans nothing.
    pub fn at(data: &Path) -> Store {
        Store {
            root: data.to_path_buf(),
            fs: None,
            durable: Arc::default(),
        }
    }

    /// Makes everything written so far on the data folder's filesystem
    /// durable (data, inodes and folder entries alike), sharing the
    /// `syncfs` with concurrent commits. Since Linux 5.8 `syncfs` reports
    /// write-back errors on the filesystem since the last call on the same
    /// descriptor, hence one descriptor for the store's lifetime.
    fn sync_filesystem(&self) -> io::Result<()> {
        let fs = self
            .fs
            .as_ref()
            .ok_or_else(|| io::Error::other("store opened for reading only"))?;
        self.durable
            .sync(|| rustix::fs::syncfs(fs.as_ref()).map_err(io::Error::from))
    }

    /// How many syncs have failed so far.
    fn sync_failures(&self) -> u64 {
        self.durable.failures.load(Ordering::SeqCst)
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
        let id = random_hex()?;
        let tmp = self.root.join(TMP_DIR);
        Ok(Draft {
            dir: tmp.join(&id),
            record: tmp.join(format!("{id}.yaml")),
            attachments: Vec::new(),
            committed: false,
            failures_before: self.sync_failures(),
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

/// Bytes an upload gathers before they go to disk in one blocking write:
/// far fewer hand-offs to the blocking pool than one per network chunk.
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
    file: Option<File>,
    hasher: Sha256,
    size: u64,
    pending: Vec<u8>,
}

impl FileWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        match self.kind {
            // A refused type is only counted.
            Some(None) => return Ok(()),
            // Written out first, so the buffer never grows past one batch.
            Some(Some(_)) if self.pending.len() + chunk.len() > WRITE_BATCH => {
                self.write_pending().await?;
            }
            _ => {}
        }
        self.pending.extend_from_slice(chunk);
        if self.kind.is_none() && self.pending.len() >= SNIFF_BYTES {
            self.kind = Some(FileType::sniff(&self.pending));
            if self.kind == Some(None) {
                self.pending = Vec::new();
            } else {
                // One batch-sized buffer, reused: no growing copies.
                self.pending
                    .reserve(WRITE_BATCH.saturating_sub(self.pending.len()));
            }
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    fn stored_name(&self, kind: FileType) -> String {
        format!("{}.{}", self.field.replace('_', "-"), kind.extension())
    }

    /// Writes what is pending on a blocking thread, opening the file (and
    /// the draft folder) first if needed. Made durable in [`Draft::commit`].
    async fn write_pending(&mut self) -> io::Result<()> {
        let Some(Some(kind)) = self.kind else {
            return Ok(());
        };
        let file = self.file.take();
        let dir = self.dir.clone();
        let path = self.dir.join(self.stored_name(kind));
        let mut data = std::mem::take(&mut self.pending);
        let (file, data, result) = tokio::task::spawn_blocking(move || {
            let mut file = match file {
                Some(file) => file,
                None => {
                    let opened = create_private_dir(&dir).and_then(|()| {
                        OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .mode(FILE_MODE)
                            .open(&path)
                    });
                    match opened {
                        Ok(file) => file,
                        Err(e) => return (None, data, Err(e)),
                    }
                }
            };
            let result = file.write_all(&data);
            data.clear();
            (Some(file), data, result)
        })
        .await
        .map_err(io::Error::other)?;
        self.file = file;
        self.pending = data;
        result
    }
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
        }
    }

    /// Finishes an upload: a file of a type we accept is written out (and
    /// made durable in [`Draft::commit`]). Returns what validation needs to
    /// know of it.
    pub async fn finish_file(
        &mut self,
        mut writer: FileWriter,
        original_name: &str,
    ) -> io::Result<FileCheck> {
        let detected = match writer.kind {
            Some(kind) => kind,
            None => FileType::sniff(&writer.pending),
        };
        let check = FileCheck {
            size: writer.size,
            detected,
        };
        if let Some(kind) = detected {
            writer.kind = Some(Some(kind));
            writer.write_pending().await?;
            self.attachments.push(Attachment {
                stored_name: writer.stored_name(kind),
                field: writer.field,
                original_name: original_name.to_string(),
                size: writer.size,
                mime: kind.mime().to_string(),
                sha256: format!("{:x}", writer.hasher.finalize()),
            });
        }
        Ok(check)
    }

    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// Puts the submission into the dated tree under a fresh ticket and
    /// returns the ticket once everything is on disk. `render` writes the
    /// record for a given ticket. Blocking: call from a blocking thread.
    ///
    /// The uploads, the record and the attachment folder's move into the
    /// dated tree are made durable before the record's move (the commit
    /// point), and that in turn before returning. A crash at any moment
    /// leaves either the whole submission or an attachment folder without
    /// its record, which [`Store::open`] removes; and once the record has
    /// moved, the folder is no longer in `.tmp/` on disk either, so the
    /// clean-up of `.tmp/` can never reach it.
    pub fn commit(
        mut self,
        store: &Store,
        kind: FormKind,
        date: Date,
        render: impl Fn(&Ticket) -> io::Result<String>,
    ) -> io::Result<Ticket> {
        let day_dir = store.day_dir(date);
        create_durable_dirs(&store.submissions_dir(), &day_dir)?;
        let has_files = !self.attachments.is_empty();
        for _ in 0..32 {
            // A ticket taken (by another process) gets another try.
            let ticket = Ticket::new(kind, date)?;
            write_private(&self.record, render(&ticket)?.as_bytes())?;
            let final_files = day_dir.join(ticket.as_str());
            if has_files {
                match rename_noreplace(&self.dir, &final_files) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                }
            }
            if let Err(e) = self.sync(store) {
                if has_files {
                    // Back into the draft, which is removed when dropped.
                    let _ = fs::rename(&final_files, &self.dir);
                }
                return Err(e);
            }
            match rename_noreplace(&self.record, &day_dir.join(format!("{ticket}.yaml"))) {
                Ok(()) => {
                    self.committed = true;
                    self.sync(store)?;
                    return Ok(ticket);
                }
                Err(e) => {
                    if has_files {
                        fs::rename(&final_files, &self.dir)?;
                    }
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        return Err(e);
                    }
                }
            }
        }
        Err(io::Error::other("no free ticket number after 32 tries"))
    }

    /// Makes this draft's writes durable. Any failed sync since the draft
    /// began fails it too: that failure may have been this draft's data.
    fn sync(&self, store: &Store) -> io::Result<()> {
        store.sync_filesystem()?;
        if store.sync_failures() != self.failures_before {
            return Err(io::Error::other(
                "a write-back error on the data folder's filesystem while this submission was written",
            ));
        }
        Ok(())
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
mod tests {
    use super::*;
    use time::macros::date;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn commits_record_and_files_privately() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let store = Store::open(&data).unwrap();
        let mut draft = store.draft().unwrap();
        let mut w = draft.file_writer("ktp");
        w.write(&[0xFF, 0xD8, 0xFF, 0xE0]).await.unwrap();
        w.write(b"rest of jpeg").await.unwrap();
        let check = draft.finish_file(w, "../../KTP saya.jpg").await.unwrap();
        assert_eq!(check.detected, Some(FileType::Jpeg));
        let day = date!(2026 - 11 - 27);
        let ticket = draft
            .commit(&store, FormKind::Permohonan, day, |t| {
                Ok(format!("ticket: {t}\n"))
            })
            .unwrap();
        let yaml = store.record_path(&ticket).unwrap();
        assert_eq!(
            fs::read_to_string(&yaml).unwrap(),
            format!("ticket: {ticket}\n")
        );
        let folder = yaml.with_extension("");
        assert!(folder.join("ktp.jpg").is_file());
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&yaml), 0o600);
        assert_eq!(mode(&folder.join("ktp.jpg")), 0o600);
        assert_eq!(fs::read_dir(data.join(TMP_DIR)).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn rejected_upload_and_dropped_draft_leave_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        {
            let mut draft = store.draft().unwrap();
            let mut w = draft.file_writer("ktp");
            w.write(b"GIF89a not accepted").await.unwrap();
            let check = draft.finish_file(w, "x.gif").await.unwrap();
            assert_eq!(check.detected, None);
            assert!(draft.attachments().is_empty());
        }
        assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn upload_in_odd_pieces_is_stored_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        // Three batches' worth, the type-telling head split over two chunks.
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend((0..3 * WRITE_BATCH).map(|i| (i % 251) as u8));
        let mut draft = store.draft().unwrap();
        let mut w = draft.file_writer("surat_kuasa");
        w.write(&bytes[..3]).await.unwrap();
        for piece in bytes[3..].chunks(100_003) {
            w.write(piece).await.unwrap();
        }
        assert_eq!(w.size(), bytes.len() as u64);
        let check = draft.finish_file(w, "scan.png").await.unwrap();
        assert_eq!(check.detected, Some(FileType::Png));
        let stored = &draft.attachments()[0];
        assert_eq!(stored.stored_name, "surat-kuasa.png");
        assert_eq!(stored.sha256, format!("{:x}", Sha256::digest(&bytes)));
        let ticket = draft
            .commit(&store, FormKind::Permohonan, date!(2026 - 11 - 27), |t| {
                Ok(format!("ticket: {t}\n"))
            })
            .unwrap();
        let folder = store.record_path(&ticket).unwrap().with_extension("");
        assert_eq!(fs::read(folder.join("surat-kuasa.png")).unwrap(), bytes);
    }

    #[tokio::test]
    async fn dropped_draft_takes_its_uploads_along() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        {
            let mut draft = store.draft().unwrap();
            let mut w = draft.file_writer("ktp");
            w.write(b"%PDF-1.7 a letter").await.unwrap();
            draft.finish_file(w, "ktp.pdf").await.unwrap();
            assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 1);
        }
        assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_failed_sync_fails_every_draft_begun_before_it() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        let day = date!(2026 - 11 - 27);
        let mut early = store.draft().unwrap();
        let mut w = early.file_writer("ktp");
        w.write(b"%PDF-1.7 a letter").await.unwrap();
        early.finish_file(w, "ktp.pdf").await.unwrap();
        // Another commit's sync reports a write-back error (it may have
        // been this draft's pages); the next sync of its own succeeds.
        let failed = store.durable.sync(|| Err(io::Error::other("EIO")));
        assert!(failed.is_err());
        let late = store.draft().unwrap();
        let record = |t: &Ticket| Ok(format!("ticket: {t}\n"));
        assert!(
            early
                .commit(&store, FormKind::Permohonan, day, record)
                .is_err()
        );
        let ticket = late
            .commit(&store, FormKind::Permohonan, day, record)
            .unwrap();
        assert!(store.record_path(&ticket).unwrap().is_file());
        let day_dir = store.day_dir(day);
        assert_eq!(
            fs::read_dir(&day_dir).unwrap().count(),
            1,
            "only the late one"
        );
        assert_eq!(fs::read_dir(tmp.path().join(TMP_DIR)).unwrap().count(), 0);
    }

    #[test]
    fn opening_cleans_drafts_and_orphans() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        let stale = tmp.path().join(TMP_DIR).join("dead");
        fs::create_dir_all(&stale).unwrap();
        let day = store.day_dir(date!(2026 - 11 - 27));
        fs::create_dir_all(day.join("KP-20261127-CDFH")).unwrap();
        fs::create_dir_all(day.join("KP-20261127-HJKM")).unwrap();
        fs::write(day.join("KP-20261127-HJKM.yaml"), "ticket: x\n").unwrap();
        fs::write(day.join(".KP-20261127-HJKM.yaml.tmp-1"), "ticket: x\n").unwrap();
        Store::open(tmp.path()).unwrap();
        assert!(!day.join(".KP-20261127-HJKM.yaml.tmp-1").exists());
        assert!(!stale.exists());
        assert!(!day.join("KP-20261127-CDFH").exists(), "orphan removed");
        assert!(day.join("KP-20261127-HJKM").exists(), "complete one kept");
    }
}
