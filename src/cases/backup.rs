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
//! Restoring unpacks an archive beside a data folder that does not exist
//! yet (or is empty), checks every entry's path (no absolute paths, no
//! `..`, no links), that the archive is whole and holds the lookup key, and
//! makes everything private; only then is it renamed into place, so a
//! failed restore leaves nothing behind. `loket verify` then says whether
//! it is whole. Attachments that are symbolic links are never followed nor
//! taken (they are listed as [`BackedUp::links`]); every archive written is
//! noted for `loket purge` ([`super::copies`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::cases::access::KEY_FILE;
use crate::cases::copies::{self, CopyKind, Stage};
use crate::cases::layout::{self, MARKER, SUBMISSIONS_DIR};
use crate::core::fs::{
    DIR_MODE, FILE_MODE, create_private_dir, if_exists, replace_private_with, sync_dir,
};

/// What a backup took.
#[derive(Debug, Default)]
pub struct BackedUp {
    pub records: usize,
    pub files: usize,
    pub bytes: u64,
    /// Symbolic links found in the data folder: not followed, not taken
    /// (`loket verify` names those among the submissions too).
    pub links: Vec<PathBuf>,
    /// The tickets taken, and how far each had been purged
    /// ([`super::copies`]).
    pub tickets: BTreeMap<String, Stage>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} is not empty: restore into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("the archive has an entry loket does not restore: {0}")]
    BadEntry(String),
    #[error(
        "{} is not a whole backup (cut short or damaged); nothing was restored",
        .0.display()
    )]
    Truncated(PathBuf),
    #[error(
        "{} holds submissions with access codes but no {KEY_FILE}: without it no access code given to citizens works; nothing was restored (use a backup loket made of the whole data folder)",
        .0.display()
    )]
    NoKey(PathBuf),
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a backup of the data folder `data` to `to`.
pub fn backup(data: &Path, to: &Path) -> Result<BackedUp, BackupError> {
    // Reports and archives loket wrote into the data folder are copies,
    // not data: an archive never holds the one before it.
    let mut copies = copies::files(data);
    copies.insert(std::path::absolute(to).map_err(at(to))?);
    let mut done = replace_private_with(to, |file| write_archive(data, to, file, &copies))
        .map_err(at(to))??;
    // Noted, so that `loket purge` deletes it once it holds data due for
    // deletion; an archive that cannot be noted is not kept.
    let tickets = std::mem::take(&mut done.tickets);
    if let Err(e) = copies::note(data, CopyKind::Backup, &[to.to_path_buf()], tickets.clone()) {
        let _ = fs::remove_file(to);
        return Err(at(&data.join(copies::DIR))(e));
    }
    done.tickets = tickets;
    Ok(done)
}

/// Writes the archive of `data` into `file` (to be `to`), leaving out the
/// `copies`.
fn write_archive(
    data: &Path,
    to: &Path,
    file: &mut File,
    copies: &BTreeSet<PathBuf>,
) -> Result<BackedUp, BackupError> {
    let mut archive = tar::Builder::new(io::BufWriter::new(file));
    archive.mode(tar::HeaderMode::Deterministic);
    let mut done = BackedUp::default();
    let skip = |path: &Path| std::path::absolute(path).is_ok_and(|p| copies.contains(&p));
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
        add_tree(&mut archive, data, &path, &skip, &mut done)?;
    }
    let tree = layout::day_folders(&data.join(SUBMISSIONS_DIR));
    if let Some((path, e)) = tree.unreadable.into_iter().next() {
        return Err(BackupError::Io { path, source: e });
    }
    for day in &tree.days {
        add_day(&mut archive, data, day, &mut done)?;
    }
    let written = archive.into_inner().and_then(|mut w| w.flush());
    written.map_err(at(to))?;
    Ok(done)
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
    for ticket in layout::day_records(day).map_err(at(day))? {
        let record = day.join(format!("{ticket}.yaml"));
        let text = fs::read(&record).map_err(at(&record))?;
        let mut header = tar::Header::new_gnu();
        let meta = fs::symlink_metadata(&record).map_err(at(&record))?;
        header.set_metadata_in_mode(&meta, tar::HeaderMode::Deterministic);
        header.set_size(text.len() as u64);
        let rel = record.strip_prefix(data).unwrap_or(&record);
        archive
            .append_data(&mut header, rel, text.as_slice())
            .map_err(at(&record))?;
        done.files += 1;
        done.bytes += text.len() as u64;
        done.records += 1;
        done.tickets.insert(
            ticket.clone(),
            Stage::of_text(&String::from_utf8_lossy(&text)),
        );
        // The folder, or, in the moment between a commit's two renames,
        // its staging name: stored under the final one either way.
        let final_dir = day.join(&ticket);
        let Some(folder) = layout::attachment_folder(day, &ticket) else {
            continue;
        };
        if fs::symlink_metadata(&folder).is_ok_and(|m| m.is_symlink()) {
            // Never followed: it may point outside the data folder.
            done.links.push(folder.clone());
        } else if folder.is_dir() {
            for file in fs::read_dir(&folder).map_err(at(&folder))?.flatten() {
                let path = file.path();
                let name = file.file_name().to_string_lossy().into_owned();
                match file.file_type() {
                    Ok(t) if t.is_symlink() => done.links.push(path),
                    Ok(t) if t.is_file() => {
                        let mut opened =
                            layout::open_attachment(&folder, &name).map_err(at(&path))?;
                        add_open(archive, data, &mut opened, &final_dir.join(&name), done)
                            .map_err(at(&path))?;
                    }
                    _ => {}
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
    skip: &impl Fn(&Path) -> bool,
    done: &mut BackedUp,
) -> Result<(), BackupError> {
    // The server changes these files as it runs (the outbox sends and
    // removes messages): one gone meanwhile is not in the backup, and one
    // being written (a hidden name) is not yet.
    let Some(meta) = if_exists(fs::symlink_metadata(path)).map_err(at(path))? else {
        return Ok(());
    };
    if meta.is_symlink() {
        done.links.push(path.to_path_buf());
        return Ok(());
    }
    if meta.is_file() {
        if skip(path) {
            return Ok(());
        }
        let added = File::open(path).and_then(|mut f| add_open(archive, data, &mut f, path, done));
        return if_exists(added).map(drop).map_err(at(path));
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(at(path))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            add_tree(archive, data, &entry.path(), skip, done)?;
        }
    }
    Ok(())
}

/// Adds the open `file` as `name` (a path in `data`).
fn add_open<W: Write>(
    archive: &mut tar::Builder<W>,
    data: &Path,
    file: &mut File,
    name: &Path,
    done: &mut BackedUp,
) -> io::Result<()> {
    let rel = name.strip_prefix(data).unwrap_or(name);
    archive.append_file(rel, file)?;
    done.files += 1;
    done.bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(())
}

/// Unpacks the archive `from` into `data` (which must not exist or be
/// empty); folders 0700, files 0600. The archive is unpacked into a hidden
/// folder beside `data` and renamed into place only once it is whole, so a
/// damaged or truncated archive leaves `data` as it was (absent or empty)
/// and nothing half-restored for `serve` to adopt.
pub fn restore(from: &Path, data: &Path) -> Result<usize, BackupError> {
    if data.exists() && fs::read_dir(data).map_err(at(data))?.next().is_some() {
        return Err(BackupError::NotEmpty(data.to_path_buf()));
    }
    let parent = data
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(parent).map_err(at(parent))?;
    let name = data.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.restoring-", name.unwrap_or_default()))
        .tempdir_in(parent)
        .map_err(at(parent))?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(DIR_MODE))
        .map_err(at(tmp.path()))?;
    let files = unpack(from, tmp.path())?;
    // Whole: into place (an empty folder at `data` is replaced).
    let unpacked = tmp.keep();
    if let Err(e) = fs::rename(&unpacked, data) {
        let _ = fs::remove_dir_all(&unpacked);
        return Err(at(data)(e));
    }
    sync_dir(parent).map_err(at(parent))?;
    Ok(files)
}

/// Unpacks the archive `from` into the new folder `into`, durably, checking
/// that it is whole.
fn unpack(from: &Path, into: &Path) -> Result<usize, BackupError> {
    let truncated = || BackupError::Truncated(from.to_path_buf());
    let mut file = File::open(from).map_err(at(from))?;
    // A tar archive ends with two zero blocks; one cut short at an entry's
    // boundary would otherwise read as a shorter, whole archive.
    let len = file.metadata().map_err(at(from))?.len();
    if len < 1024 {
        return Err(truncated());
    }
    let mut end = [0u8; 1024];
    file.seek(io::SeekFrom::Start(len - 1024))
        .and_then(|_| file.read_exact(&mut end))
        .map_err(at(from))?;
    if end.iter().any(|&b| b != 0) {
        return Err(truncated());
    }
    file.seek(io::SeekFrom::Start(0)).map_err(at(from))?;
    let mut archive = tar::Archive::new(io::BufReader::new(file));
    let mut files = 0;
    let mut has_key = false;
    let mut has_codes = false;
    for entry in archive.entries().map_err(at(from))? {
        let mut entry = entry.map_err(at(from))?;
        let rel = entry.path().map_err(at(from))?.into_owned();
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain || !matches!(entry.header().entry_type(), tar::EntryType::Regular) {
            return Err(BackupError::BadEntry(rel.display().to_string()));
        }
        has_key |= rel == Path::new(KEY_FILE);
        let target = into.join(&rel);
        if let Some(parent) = target.parent() {
            create_private_dir(parent).map_err(at(parent))?;
        }
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&target)
            .map_err(at(&target))?;
        let size = entry.header().size().map_err(at(from))?;
        let is_record =
            rel.starts_with(SUBMISSIONS_DIR) && rel.extension().is_some_and(|x| x == "yaml");
        let copied = if is_record {
            let mut text = Vec::new();
            entry.read_to_end(&mut text).map_err(at(from))?;
            has_codes |= text
                .split(|&b| b == b'\n')
                .any(|line| line.starts_with(b"access_code_hash:"));
            out.write_all(&text).map_err(at(&target))?;
            text.len() as u64
        } else {
            io::copy(&mut entry, &mut out).map_err(at(&target))?
        };
        if copied != size {
            return Err(truncated());
        }
        out.sync_all().map_err(at(&target))?;
        files += 1;
    }
    // Without the key every access code given to citizens stops working,
    // and `serve` would make a new one: refused rather than restored.
    if has_codes && !has_key {
        return Err(BackupError::NoKey(from.to_path_buf()));
    }
    if !into.join(MARKER).exists() {
        layout::write_marker(into).map_err(at(into))?;
    }
    let dir = File::open(into).map_err(at(into))?;
    rustix::fs::syncfs(&dir).map_err(|e| at(into)(e.into()))?;
    Ok(files)
}
