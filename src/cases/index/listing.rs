//! Listing the record files and taking their stamps.
//!
//! A process that lists again and again (the staff desk, through its
//! [`super::Memo`]) keeps each folder's names from the last listing, as
//! [`Folders`]. Adding, removing or renaming an entry moves a folder's
//! change time, so while a folder's stamp is the same, and was already
//! [`RACY`] old when its names were read, it holds the same names and is
//! not read again (git's untracked cache skips folders the same way). Its
//! record files' stamps are still taken every time: a record edited in
//! place changes the file, not its folder. With 100,000 records in about
//! 1,100 day folders that leaves one `statx` per record of the listing's
//! system calls.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

use super::RACY;
use crate::core::diagnostic::Diagnostic;

/// What a record file (or a folder) looked like when it was read: any
/// change to it changes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) ino: u64,
    pub(super) size: u64,
    pub(super) mtime: (i64, i64),
    pub(super) ctime: (i64, i64),
}

impl Stamp {
    fn of(st: &Stat) -> Stamp {
        Stamp {
            ino: st.st_ino,
            size: st.st_size as u64,
            mtime: (st.st_mtime, st.st_mtime_nsec as i64),
            ctime: (st.st_ctime, st.st_ctime_nsec as i64),
        }
    }

    pub(super) fn changed_since(&self, moment: (i64, i64)) -> bool {
        self.ctime >= moment
    }
}

/// `moment` less [`RACY`]: what changed after it may have changed again
/// within its clock's tick without a visible change of time.
pub(super) fn racy_from(moment: (i64, i64)) -> (i64, i64) {
    (moment.0.saturating_sub(RACY.as_secs() as i64), moment.1)
}

/// A folder's names as last read (module docs), by path under `submissions/`.
pub(super) type Folders = HashMap<PathBuf, Arc<Folder>>;

pub(super) struct Folder {
    stamp: Stamp,
    /// When its names were read.
    read_at: (i64, i64),
    /// Record files (`.yaml`), sorted.
    files: Vec<OsString>,
    /// Folders to enter (not attachment folders), sorted.
    subdirs: Vec<OsString>,
}

/// What listing a folder and everything below it found.
#[derive(Default)]
pub(super) struct Listing {
    pub(super) files: Vec<(PathBuf, Stamp)>,
    pub(super) diags: Vec<Diagnostic>,
    /// Every folder listed whole, for the next listing.
    pub(super) folders: Folders,
}

/// Record files under `root` (paths relative to it, in byte order) with
/// their stamps, at `now`, trusting the folders in `known` that did not
/// change. Like [`crate::cases::load_all`]: every `.yaml` file in the tree,
/// hidden names left out, symbolic links not followed; and a record's
/// attachment folder (`TICKET/` beside `TICKET.yaml`) is not entered.
pub(super) fn list(root: &Path, now: (i64, i64), known: &Folders) -> Listing {
    let parts = match fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        _ => list_dir(root, Path::new(""), now, known),
    };
    // Put together once (100,000 paths moved level by level add up).
    let mut listing = Listing {
        files: Vec::with_capacity(parts.iter().map(|p| p.files.len()).sum()),
        ..Listing::default()
    };
    for part in parts {
        listing.files.extend(part.files);
        listing.diags.extend(part.diags);
        listing.folders.extend(part.folders);
    }
    // By bytes: the order the index is written in, and cheap to compare.
    listing
        .files
        .sort_unstable_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
    listing
}

/// The listing of the folder `rel`, then those of the folders below it.
fn list_dir(root: &Path, rel: &Path, now: (i64, i64), known: &Folders) -> Vec<Listing> {
    let dir = root.join(rel);
    let cannot =
        |e: std::io::Error, path: &Path| Diagnostic::error(path, None, format!("cannot read: {e}"));
    let mut listing = Listing::default();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let opened = rustix::fs::open(&dir, flags, Mode::empty())
        .and_then(|fd| rustix::fs::fstat(&fd).map(|st| (fd, Stamp::of(&st))));
    let (fd, stamp) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            listing.diags.push(cannot(e.into(), &dir));
            return vec![listing];
        }
    };
    let folder = match known.get(rel) {
        Some(f) if f.stamp == stamp && !stamp.changed_since(racy_from(f.read_at)) => f.clone(),
        _ => {
            let (folder, diags) = read_folder(&dir, stamp, now);
            listing.diags = diags;
            Arc::new(folder)
        }
    };
    for name in &folder.files {
        match rustix::fs::statat(&fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => {
                listing.files.push((rel.join(name), Stamp::of(&st)))
            }
            // Gone or replaced since the folder was read: its change time
            // moved, so the next listing reads it again.
            Ok(_) | Err(rustix::io::Errno::NOENT) => {}
            Err(e) => listing.diags.push(cannot(e.into(), &dir.join(name))),
        }
    }
    drop(fd);
    let below: Vec<Vec<Listing>> = folder
        .subdirs
        .par_iter()
        .map(|d| list_dir(root, &rel.join(d), now, known))
        .collect();
    // A folder whose names could not all be read is read again next time.
    if listing.diags.is_empty() {
        listing.folders.insert(rel.to_path_buf(), folder);
    }
    std::iter::once(listing)
        .chain(below.into_iter().flatten())
        .collect()
}

/// The names in `dir`, read at `now`, whose stamp before reading was `stamp`.
fn read_folder(dir: &Path, stamp: Stamp, now: (i64, i64)) -> (Folder, Vec<Diagnostic>) {
    let cannot =
        |e: std::io::Error, path: &Path| Diagnostic::error(path, None, format!("cannot read: {e}"));
    let mut folder = Folder {
        stamp,
        read_at: now,
        files: Vec::new(),
        subdirs: Vec::new(),
    };
    let mut diags = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return (folder, vec![cannot(e, dir)]),
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(cannot(e, dir));
                continue;
            }
        };
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => dirs.push(name),
            Ok(t) if t.is_file() && name.as_encoded_bytes().ends_with(b".yaml") => {
                folder.files.push(name)
            }
            Ok(_) => {}
            Err(e) => diags.push(cannot(e, &entry.path())),
        }
    }
    // Sorted here, so that the whole listing is nearly always in order
    // already (its final sort then only checks).
    folder
        .files
        .sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    dirs.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    // A record's attachment folder is not entered.
    let is_record = |dir: &OsStr| {
        let yaml = [dir.as_encoded_bytes(), b".yaml"].concat();
        folder
            .files
            .binary_search_by(|f| f.as_encoded_bytes().cmp(&yaml))
            .is_ok()
    };
    folder.subdirs = dirs.into_iter().filter(|d| !is_record(d)).collect();
    (folder, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn names(listing: &Listing) -> Vec<String> {
        let names = listing.files.iter().map(|(p, _)| p.display().to_string());
        names.collect()
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn a_folder_is_read_again_only_when_it_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "2026/11/27/KP-A.yaml", "a");
        write(root, "2026/11/27/KP-A/ktp.pdf", "%PDF");
        write(root, "2026/11/28/KP-B.yaml", "b");
        let day = Path::new("2026/11/27");
        // Listed well after every change: the folders are trusted.
        let later = super::super::unix_time(SystemTime::now() + Duration::from_secs(10));
        let first = list(root, later, &Folders::new());
        assert_eq!(
            names(&first),
            ["2026/11/27/KP-A.yaml", "2026/11/28/KP-B.yaml"]
        );
        assert!(first.diags.is_empty());
        let second = list(root, later, &first.folders);
        assert!(
            Arc::ptr_eq(&first.folders[day], &second.folders[day]),
            "not read again"
        );
        assert_eq!(names(&second), names(&first));

        // A record edited in place: the folder is the same, the file's stamp is not.
        let stamp = |l: &Listing| l.files[0].1;
        fs::write(root.join("2026/11/27/KP-A.yaml"), "a, edited").unwrap();
        let edited = list(root, later, &second.folders);
        assert!(Arc::ptr_eq(&first.folders[day], &edited.folders[day]));
        assert_ne!(stamp(&edited), stamp(&second));

        // A record added, one removed: the folder's change time moved.
        write(root, "2026/11/27/KP-C.yaml", "c");
        fs::remove_file(root.join("2026/11/28/KP-B.yaml")).unwrap();
        let even_later = super::super::unix_time(SystemTime::now() + Duration::from_secs(20));
        let added = list(root, even_later, &edited.folders);
        assert_eq!(
            names(&added),
            ["2026/11/27/KP-A.yaml", "2026/11/27/KP-C.yaml"]
        );
        assert!(!Arc::ptr_eq(&first.folders[day], &added.folders[day]));
    }

    #[test]
    fn a_folder_changed_just_before_it_was_read_is_read_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "2026/11/27/KP-A.yaml", "a");
        let day = Path::new("2026/11/27");
        // Read at once: its change time is within RACY of the reading.
        let now = super::super::unix_time(SystemTime::now());
        let first = list(root, now, &Folders::new());
        let second = list(root, now, &first.folders);
        assert!(!Arc::ptr_eq(&first.folders[day], &second.folders[day]));
        assert_eq!(names(&second), ["2026/11/27/KP-A.yaml"]);
    }
}
