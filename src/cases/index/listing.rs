//! Listing the record files and taking their stamps.
//!
//! A process that lists again and again (the staff desk, through its
//! [`super::Memo`]) keeps each folder's names from the last listing, as
//! [`Folders`]. Adding, removing or renaming an entry moves a folder's
//! change time, so while a folder's stamp is the same, and was already
//! [`RACY`] old when its names were read, it holds the same names and is
//! not read again (git's untracked cache skips folders the same way).
//! Everything loket writes in a folder (a new record, a step, a purge) is a
//! rename there, so it moves the folder's times; only a record edited in
//! place by hand changes the file and not its folder. So the files' stamps
//! are taken again only when their folder changed, or when the caller asks
//! for every stamp (`stat_files`: the desk does every few seconds, see
//! [`super::Memo`]); with 100,000 records in about 1,100 day folders, a
//! listing of folders alone is 1,100 `statx` instead of 101,100.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, Stat};

use super::RACY;
use crate::cases::layout::{self, TreeEntry};
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
    /// Record files (`.yaml`), sorted, with their stamps when last taken.
    files: Vec<(OsString, Stamp)>,
    /// Folders to enter (not attachment folders), sorted.
    subdirs: Vec<OsString>,
}

/// Whether `now` holds the very folders of `before`: none read again, and
/// no stamp taken again.
pub(super) fn same(before: &Folders, now: &Folders) -> bool {
    before.len() == now.len()
        && now
            .iter()
            .all(|(rel, f)| before.get(rel).is_some_and(|b| Arc::ptr_eq(b, f)))
}

/// What listing the records found.
#[derive(Default)]
pub(super) struct Listing {
    pub(super) files: Files,
    pub(super) diags: Vec<Diagnostic>,
    /// Every folder listed whole, for the next listing.
    pub(super) folders: Folders,
}

/// The folders that hold record files, each with its path under
/// `submissions/`, in byte order of their paths (the tree's folder names
/// are all digits of one width, so folders listed in order give files in
/// order). The files' paths are made only when asked for ([`paths`]): a
/// desk page that finds nothing changed makes none of its 100,000.
pub(super) type Files = Vec<(PathBuf, Arc<Folder>)>;

/// Every record file of `files` (its path under `submissions/`) with its
/// stamp, in order.
pub(super) fn paths(files: Files) -> impl Iterator<Item = (PathBuf, Stamp)> {
    files.into_iter().flat_map(|(rel, folder)| {
        (0..folder.files.len()).map(move |i| {
            let (name, stamp) = &folder.files[i];
            (rel.join(name), *stamp)
        })
    })
}

/// How many record files `files` holds.
pub(super) fn count(files: &Files) -> usize {
    files.iter().map(|(_, f)| f.files.len()).sum()
}

/// What listing one folder found.
#[derive(Default)]
struct Part {
    /// The folder, with its path.
    folder: Option<(PathBuf, Arc<Folder>)>,
    diags: Vec<Diagnostic>,
    /// Its names are kept for the next listing.
    keep: bool,
}

/// Record files under `root` (paths relative to it, in byte order) with
/// their stamps, at `now`, trusting the folders in `known` that did not
/// change (their names, and their files' stamps unless `stat_files`), and
/// keeping every folder's names for the next listing (`None`: a listing
/// with no next one, which keeps nothing). The files
/// [`crate::cases::load_all`] reads: each name is judged by
/// [`layout::tree_entry`], so symbolic links are not followed and
/// attachment folders not entered.
pub(super) fn list(
    root: &Path,
    now: (i64, i64),
    known: Option<&Folders>,
    stat_files: bool,
) -> Listing {
    let parts = match fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        _ => list_dir(root, Path::new(""), (now, stat_files), known),
    };
    let mut listing = Listing::default();
    for part in parts {
        let Some((rel, folder)) = part.folder else {
            listing.diags.extend(part.diags);
            continue;
        };
        if part.keep && part.diags.is_empty() {
            listing.folders.insert(rel.clone(), folder.clone());
        }
        listing.diags.extend(part.diags);
        if !folder.files.is_empty() {
            listing.files.push((rel, folder));
        }
    }
    listing
}

fn cannot_read(e: std::io::Error, path: &Path) -> Diagnostic {
    Diagnostic::error(path, None, format!("cannot read: {e}"))
}

/// The listing of the folder `rel`, then those of the folders below it.
fn list_dir(
    root: &Path,
    rel: &Path,
    (now, stat_files): ((i64, i64), bool),
    known: Option<&Folders>,
) -> Vec<Part> {
    let dir = root.join(rel);
    let mut listing = Part::default();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let opened = rustix::fs::open(&dir, flags, Mode::empty())
        .and_then(|fd| rustix::fs::fstat(&fd).map(|st| (fd, Stamp::of(&st))));
    let (fd, stamp) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            listing.diags.push(cannot_read(e.into(), &dir));
            return vec![listing];
        }
    };
    let unchanged = known
        .and_then(|k| k.get(rel))
        .filter(|f| f.stamp == stamp && !stamp.changed_since(racy_from(f.read_at)));
    let folder = match unchanged {
        Some(f) if !stat_files => f.clone(),
        Some(f) => {
            let names = f.files.iter().map(|(name, _)| name.clone()).collect();
            let subdirs = f.subdirs.clone();
            let read = (f.stamp, f.read_at, names, subdirs);
            Arc::new(stat_all(&fd, &dir, &mut listing.diags, read))
        }
        None => {
            let level = rel.components().count();
            let ((names, subdirs), diags) = read_folder(&fd, &dir, level);
            listing.diags = diags;
            let read = (stamp, now, names, subdirs);
            Arc::new(stat_all(&fd, &dir, &mut listing.diags, read))
        }
    };
    drop(fd);
    let below: Vec<Vec<Part>> = folder
        .subdirs
        .par_iter()
        .map(|d| list_dir(root, &rel.join(d), (now, stat_files), known))
        .collect();
    // A folder whose names could not all be read is read again next time.
    listing.keep = known.is_some();
    listing.folder = Some((rel.to_path_buf(), folder));
    std::iter::once(listing)
        .chain(below.into_iter().flatten())
        .collect()
}

/// The folder `fd` (at `dir`) whose stamp was `stamp` when its record
/// files `names` and folders `subdirs` were read at `read_at`, with the
/// files' stamps taken now; those gone or replaced since it was read are
/// left out (its change time moved, so the next listing reads it again).
fn stat_all(
    fd: &OwnedFd,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
    (stamp, read_at, names, subdirs): (Stamp, (i64, i64), Vec<OsString>, Vec<OsString>),
) -> Folder {
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        match rustix::fs::statat(fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => {
                files.push((name, Stamp::of(&st)))
            }
            Ok(_) | Err(rustix::io::Errno::NOENT) => {}
            Err(e) => diags.push(cannot_read(e.into(), &dir.join(name))),
        }
    }
    Folder {
        stamp,
        read_at,
        files,
        subdirs,
    }
}

/// The names of the record files and of the folders to enter in the folder
/// `fd` (at `dir`, for messages; at `level` of the tree), sorted. Read with
/// `getdents` into one buffer: a name is copied only if it is kept (a
/// record's), not for each of the 200,000 entries of 100,000 records and
/// their attachment folders.
fn read_folder(
    fd: &OwnedFd,
    dir: &Path,
    level: usize,
) -> ((Vec<OsString>, Vec<OsString>), Vec<Diagnostic>) {
    let (mut files, mut subdirs) = (Vec::new(), Vec::new());
    let mut diags = Vec::new();
    // Room for many entries; one takes at most 280 bytes.
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut entries = RawDir::new(fd, buf.spare_capacity_mut());
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(cannot_read(e.into(), dir));
                break;
            }
        };
        let name = entry.file_name().to_bytes();
        let file_type = match entry.file_type() {
            // Filesystems that do not say: asked like std does.
            FileType::Unknown => {
                match rustix::fs::statat(fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => FileType::from_raw_mode(st.st_mode),
                    Err(e) => {
                        diags.push(cannot_read(e.into(), &dir.join(OsStr::from_bytes(name))));
                        continue;
                    }
                }
            }
            known => known,
        };
        let is_dir = file_type == FileType::Directory;
        let is_file = file_type == FileType::RegularFile;
        let kept = match layout::tree_entry(level, name, is_dir, is_file) {
            TreeEntry::Folder => &mut subdirs,
            TreeEntry::Record => &mut files,
            TreeEntry::Other => continue,
        };
        kept.push(OsStr::from_bytes(name).to_os_string());
    }
    // Sorted here, so that the whole listing is in order already.
    for names in [&mut files, &mut subdirs] {
        names.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    }
    ((files, subdirs), diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn names(listing: &Listing) -> Vec<String> {
        let files = paths(listing.files.clone());
        let names = files.map(|(p, _)| p.display().to_string());
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
        let first = list(root, later, Some(&Folders::new()), true);
        assert_eq!(
            names(&first),
            ["2026/11/27/KP-A.yaml", "2026/11/28/KP-B.yaml"]
        );
        assert!(first.diags.is_empty());
        let second = list(root, later, Some(&first.folders), false);
        assert!(
            Arc::ptr_eq(&first.folders[day], &second.folders[day]),
            "not read again"
        );
        assert_eq!(names(&second), names(&first));

        // A record edited in place: the folder is the same, the file's
        // stamp is not, which only a listing that takes every stamp sees.
        let stamp = |l: &Listing| l.files[0].1.files[0].1;
        fs::write(root.join("2026/11/27/KP-A.yaml"), "a, edited").unwrap();
        let folders_only = list(root, later, Some(&second.folders), false);
        assert!(Arc::ptr_eq(&first.folders[day], &folders_only.folders[day]));
        assert_eq!(stamp(&folders_only), stamp(&second));
        let edited = list(root, later, Some(&second.folders), true);
        assert_eq!(names(&edited), names(&first));
        assert_ne!(stamp(&edited), stamp(&second));

        // A record added, one removed: the folder's change time moved.
        write(root, "2026/11/27/KP-C.yaml", "c");
        fs::remove_file(root.join("2026/11/28/KP-B.yaml")).unwrap();
        let even_later = super::super::unix_time(SystemTime::now() + Duration::from_secs(20));
        let added = list(root, even_later, Some(&edited.folders), false);
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
        let first = list(root, now, Some(&Folders::new()), false);
        let second = list(root, now, Some(&first.folders), false);
        assert!(!Arc::ptr_eq(&first.folders[day], &second.folders[day]));
        assert_eq!(names(&second), ["2026/11/27/KP-A.yaml"]);
    }

    #[test]
    fn only_the_record_files_of_day_folders_are_listed_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "2026/11/x.yaml", "out of place");
        write(root, "2026/11/29/KP-A.yaml", "a");
        write(root, "2026/11/29/KP-A/lampiran.yaml", "an attachment");
        write(root, "2026/11/30/KP-B.yaml", "b");
        write(root, "2026/11/30/.KP-C.staging/ktp.pdf", "%PDF");
        write(root, "2026/11/lain/KP-D.yaml", "not a day folder");
        let listing = list(root, (0, 0), None, true);
        assert_eq!(
            names(&listing),
            ["2026/11/29/KP-A.yaml", "2026/11/30/KP-B.yaml"]
        );
        assert_eq!(listing.files.len(), 2, "two day folders");
        assert!(listing.folders.is_empty(), "nothing kept without a memo");
    }
}
