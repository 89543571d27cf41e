//! Listing the record files and taking their stamps.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::core::diagnostic::Diagnostic;

/// What a record file looked like when it was read: any change to it
/// changes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) ino: u64,
    pub(super) size: u64,
    pub(super) mtime: (i64, i64),
    pub(super) ctime: (i64, i64),
}

impl Stamp {
    pub(super) fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    pub(super) fn changed_since(&self, moment: (i64, i64)) -> bool {
        self.ctime >= moment
    }
}

/// Record files under `root` (paths relative to it) with their stamps.
/// Like [`crate::cases::load_all`]: every `.yaml` file in the tree, hidden
/// names left out, symbolic links not followed; and a record's attachment
/// folder (`TICKET/` beside `TICKET.yaml`) is not entered.
pub(super) fn list(root: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    let (mut files, diags) = match fs::symlink_metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), Vec::new()),
        _ => list_dir(root, Path::new("")),
    };
    // By bytes: the order the index is written in, and cheap to compare.
    files.sort_unstable_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
    (files, diags)
}

fn list_dir(root: &Path, rel: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    let dir = root.join(rel);
    let cannot =
        |e: std::io::Error, path: &Path| Diagnostic::error(path, None, format!("cannot read: {e}"));
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => return (Vec::new(), vec![cannot(e, &dir)]),
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut diags = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(cannot(e, &dir));
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
                match entry.metadata() {
                    Ok(meta) => files.push((name, Stamp::of(&meta))),
                    Err(e) => diags.push(cannot(e, &entry.path())),
                }
            }
            Ok(_) => {}
            Err(e) => diags.push(cannot(e, &entry.path())),
        }
    }
    // Sorted here, so that the whole listing is nearly always in order
    // already (its final sort then only checks).
    files.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
    dirs.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    // A record's attachment folder is not entered.
    let is_record = |dir: &std::ffi::OsStr| {
        let yaml = [dir.as_encoded_bytes(), b".yaml"].concat();
        files
            .binary_search_by(|(f, _)| f.as_encoded_bytes().cmp(&yaml))
            .is_ok()
    };
    let subdirs: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| !is_record(d))
        .map(|d| rel.join(d))
        .collect();
    let mut files: Vec<(PathBuf, Stamp)> = files
        .into_iter()
        .map(|(name, stamp)| (rel.join(name), stamp))
        .collect();
    let below: Vec<_> = subdirs.par_iter().map(|d| list_dir(root, d)).collect();
    for (f, d) in below {
        files.extend(f);
        diags.extend(d);
    }
    (files, diags)
}
