//! `loket backup` and `loket restore`: the data folder as one tar archive.
//!
//! A backup holds every committed submission (records and the attachments
//! they list) and the other files loket keeps at the top of the data
//! folder (staff accounts, audit log, outbox), never a draft, held upload,
//! temp file or half-committed submission. It can be taken while the server
//! runs: a record and its attachments are read under a shared lock on their
//! day folder, which status changes take exclusively ([`super::update`]),
//! and a submission is only taken once its record is in place, so each case
//! is copied whole. The archive is written next to its target and renamed
//! into place, 0600, so a failed backup never leaves half a file.
//!
//! Restoring unpacks an archive into a data folder that does not exist yet
//! (or is empty), checks every entry's path (no absolute paths, no `..`, no
//! links), and makes everything private; `loket verify` then says whether
//! it is whole.

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::cases::layout::{self, MARKER, SUBMISSIONS_DIR, staging_name};
use crate::core::fs::{DIR_MODE, FILE_MODE, create_private_dir, is_replace_temp, sync_dir};

/// What a backup took.
#[derive(Debug, Default)]
pub struct BackedUp {
    pub records: usize,
    pub files: usize,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} is not empty: restore into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("the archive has an entry loket does not restore: {0}")]
    BadEntry(String),
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a backup of the data folder `data` to `to`.
pub fn backup(data: &Path, to: &Path) -> Result<BackedUp, BackupError> {
    let dir = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".loket-backup-")
        .tempfile_in(dir)
        .map_err(at(dir))?;
    let mut archive = tar::Builder::new(io::BufWriter::new(tmp));
    archive.mode(tar::HeaderMode::Deterministic);
    let mut done = BackedUp::default();
    for entry in fs::read_dir(data).map_err(at(data))? {
        let entry = entry.map_err(at(data))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name == SUBMISSIONS_DIR {
            continue;
        }
        if name.starts_with('.') && name != MARKER {
            continue; // drafts, held uploads, temp files
        }
        add_tree(&mut archive, data, &path, &mut done)?;
    }
    for day in day_folders(&data.join(SUBMISSIONS_DIR)).map_err(at(data))? {
        add_day(&mut archive, data, &day, &mut done)?;
    }
    let writer = archive.into_inner().map_err(at(to))?;
    let tmp = writer.into_inner().map_err(|e| at(to)(e.into_error()))?;
    tmp.as_file().sync_all().map_err(at(to))?;
    tmp.persist(to).map_err(|e| at(to)(e.error))?;
    fs::set_permissions(to, fs::Permissions::from_mode(FILE_MODE)).map_err(at(to))?;
    sync_dir(dir).map_err(at(dir))?;
    Ok(done)
}

fn day_folders(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut days = Vec::new();
    if !root.is_dir() {
        return Ok(days);
    }
    for entry in walkdir::WalkDir::new(root).min_depth(3).max_depth(3) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            days.push(entry.into_path());
        }
    }
    days.sort();
    Ok(days)
}

/// Adds the committed submissions of one day folder, under a shared lock.
fn add_day<W: Write>(
    archive: &mut tar::Builder<W>,
    data: &Path,
    day: &Path,
    done: &mut BackedUp,
) -> Result<(), BackupError> {
    let lock = File::open(day).map_err(at(day))?;
    flock(&lock, FlockOperation::LockShared).map_err(|e| at(day)(e.into()))?;
    let mut names: Vec<String> = fs::read_dir(day)
        .map_err(at(day))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let Some(ticket) = name.strip_suffix(".yaml") else {
            continue;
        };
        if name.starts_with('.') || is_replace_temp(name) {
            continue;
        }
        let record = day.join(name);
        if !fs::symlink_metadata(&record).is_ok_and(|m| m.is_file()) {
            continue;
        }
        add_file(archive, data, &record, &record, done)?;
        done.records += 1;
        // The folder, or, in the moment between a commit's two renames,
        // its staging name: stored under the final one either way.
        let final_dir = day.join(ticket);
        let staging = day.join(staging_name(ticket));
        let folder = if final_dir.is_dir() {
            final_dir.clone()
        } else {
            staging
        };
        if folder.is_dir() {
            for file in fs::read_dir(&folder).map_err(at(&folder))?.flatten() {
                let path = file.path();
                if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                    add_file(
                        archive,
                        data,
                        &path,
                        &final_dir.join(file.file_name()),
                        done,
                    )?;
                }
            }
        }
    }
    drop(lock);
    Ok(())
}

/// Adds `path` (a file or a folder, recursively) under its place in `data`.
fn add_tree<W: Write>(
    archive: &mut tar::Builder<W>,
    data: &Path,
    path: &Path,
    done: &mut BackedUp,
) -> Result<(), BackupError> {
    // The server changes these files as it runs (the outbox sends and
    // removes messages): one gone meanwhile is not in the backup, and one
    // being written (a hidden name) is not yet.
    let gone = |e: &io::Error| e.kind() == io::ErrorKind::NotFound;
    let meta = match fs::symlink_metadata(path) {
        Err(e) if gone(&e) => return Ok(()),
        other => other.map_err(at(path))?,
    };
    if meta.is_file() {
        return match add_file(archive, data, path, path, done) {
            Err(BackupError::Io { source, .. }) if gone(&source) => Ok(()),
            other => other,
        };
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(at(path))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            add_tree(archive, data, &entry.path(), done)?;
        }
    }
    Ok(())
}

/// Adds the file at `path` as `name` (a path in `data`).
fn add_file<W: Write>(
    archive: &mut tar::Builder<W>,
    data: &Path,
    path: &Path,
    name: &Path,
    done: &mut BackedUp,
) -> Result<(), BackupError> {
    let rel = name.strip_prefix(data).unwrap_or(name);
    let mut file = File::open(path).map_err(at(path))?;
    archive.append_file(rel, &mut file).map_err(at(path))?;
    done.files += 1;
    done.bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(())
}

/// Unpacks the archive `from` into `data` (which must not exist or be
/// empty); folders 0700, files 0600.
pub fn restore(from: &Path, data: &Path) -> Result<usize, BackupError> {
    if data.exists() && fs::read_dir(data).map_err(at(data))?.next().is_some() {
        return Err(BackupError::NotEmpty(data.to_path_buf()));
    }
    create_private_dir(data).map_err(at(data))?;
    fs::set_permissions(data, fs::Permissions::from_mode(DIR_MODE)).map_err(at(data))?;
    let mut archive = tar::Archive::new(io::BufReader::new(File::open(from).map_err(at(from))?));
    let mut files = 0;
    for entry in archive.entries().map_err(at(from))? {
        let mut entry = entry.map_err(at(from))?;
        let rel = entry.path().map_err(at(from))?.into_owned();
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain || !matches!(entry.header().entry_type(), tar::EntryType::Regular) {
            return Err(BackupError::BadEntry(rel.display().to_string()));
        }
        let target = data.join(&rel);
        if let Some(parent) = target.parent() {
            create_private_dir(parent).map_err(at(parent))?;
        }
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&target)
            .map_err(at(&target))?;
        io::copy(&mut entry, &mut out).map_err(at(&target))?;
        out.sync_all().map_err(at(&target))?;
        files += 1;
    }
    if !data.join(MARKER).exists() {
        layout::write_marker(data).map_err(at(data))?;
    }
    Ok(files)
}
