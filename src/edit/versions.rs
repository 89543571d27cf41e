//! Every published version of every site file staff edit on the desk, and
//! their drafts, in a folder loket owns in the data folder:
//!
//! ```text
//! halaman/versi/<id>/000001.txt    the file's text as it was published then
//! halaman/versi/<id>/000001.yaml   who, when, what (terbit, pulih, hapus)
//! halaman/draf/<id>.txt, .yaml     a change kept without publishing
//! ```
//!
//! `<id>` is a hash of the file's path under the site folder (the meta file
//! names the path). A version is written once, never replaced: its number
//! is taken by creating the meta file without replacing, so two editors
//! publishing at once get two numbers. This folder is the desk's history
//! whether or not the site folder is a git repository (then each version is
//! also a commit: `super::git`).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::fs::{create_private_dir, if_exists, replace_private, sync_dir};
use crate::core::yaml;

/// The folder in the data folder.
pub const DIR: &str = "halaman";

/// What a version did to its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Published from the editor (a new file too).
    Terbit,
    /// An older version published again.
    Pulih,
    /// The file removed (the version keeps its last text).
    Hapus,
}

/// Who made a version or a draft, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The account's login.
    pub login: String,
    /// The account's full name (the login while the profile is empty).
    pub name: String,
    /// RFC 3339, WIB.
    pub at: String,
}

/// One published version of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, 3… per file.
    #[serde(skip)]
    pub number: u32,
    /// The file's path under the site folder, `/`-separated.
    pub path: String,
    pub change: Change,
    #[serde(flatten)]
    pub author: Author,
    /// For [`Change::Pulih`]: the version published again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<u32>,
}

/// A change kept without publishing, one per file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub path: String,
    #[serde(flatten)]
    pub author: Author,
    /// [`token`] of the file the draft was started from.
    pub base: String,
    #[serde(skip)]
    pub text: String,
}

/// The versions and drafts of one data folder.
#[derive(Debug, Clone)]
pub struct Versions {
    root: PathBuf,
}

/// What a file's contents are known by in a form: a short hash of its
/// bytes, or `"-"` for a file that does not exist. An editor sends back the
/// token of what it opened; a different one now means someone else changed
/// the file in between.
pub fn token(bytes: Option<&[u8]>) -> String {
    match bytes {
        Some(b) => hex::encode(&Sha256::digest(b)[..12]),
        None => "-".to_string(),
    }
}

fn id(path: &str) -> String {
    hex::encode(&Sha256::digest(path.as_bytes())[..10])
}

impl Versions {
    pub fn new(data: &Path) -> Versions {
        Versions {
            root: data.join(DIR),
        }
    }

    fn file_dir(&self, path: &str) -> PathBuf {
        self.root.join("versi").join(id(path))
    }

    /// Keeps `text` as the next version of `path`, durably; returns it
    /// with its number.
    pub fn record(
        &self,
        path: &str,
        text: &str,
        change: Change,
        author: Author,
        restored: Option<u32>,
    ) -> io::Result<Version> {
        let dir = self.file_dir(path);
        create_private_dir(&dir)?;
        let mut version = Version {
            number: 0,
            path: path.to_string(),
            change,
            author,
            restored,
        };
        let meta = yaml::to_string(&version).map_err(io::Error::other)?;
        let mut number = self.last_number(path)? + 1;
        loop {
            let meta_path = dir.join(format!("{number:06}.yaml"));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode_private()
                .open(&meta_path)
            {
                Ok(mut file) => {
                    // The text first, then the meta file's contents: a
                    // version whose meta is empty was cut short by a crash
                    // and is skipped by `history`.
                    replace_private(&dir.join(format!("{number:06}.txt")), text.as_bytes())?;
                    file.write_all(meta.as_bytes())?;
                    file.sync_all()?;
                    sync_dir(&dir)?;
                    version.number = number;
                    return Ok(version);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => number += 1,
                Err(e) => return Err(e),
            }
        }
    }

    fn last_number(&self, path: &str) -> io::Result<u32> {
        Ok(self.numbers(path)?.last().copied().unwrap_or(0))
    }

    fn numbers(&self, path: &str) -> io::Result<Vec<u32>> {
        let Some(entries) = if_exists(fs::read_dir(self.file_dir(path)))? else {
            return Ok(Vec::new());
        };
        let mut numbers = Vec::new();
        for entry in entries {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name.strip_suffix(".yaml").and_then(|n| n.parse().ok()) {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// The versions of `path`, newest first.
    pub fn history(&self, path: &str) -> io::Result<Vec<Version>> {
        let dir = self.file_dir(path);
        let mut out = Vec::new();
        for number in self.numbers(path)?.into_iter().rev() {
            let text = fs::read_to_string(dir.join(format!("{number:06}.yaml")))?;
            if text.trim().is_empty() {
                continue; // cut short by a crash: its text may be missing
            }
            let mut version: Version = yaml::from_str(&text).map_err(io::Error::other)?;
            version.number = number;
            out.push(version);
        }
        Ok(out)
    }

    /// The text of version `number` of `path`.
    pub fn text(&self, path: &str, number: u32) -> io::Result<Option<String>> {
        if_exists(fs::read_to_string(
            self.file_dir(path).join(format!("{number:06}.txt")),
        ))
    }

    fn draft_paths(&self, path: &str) -> (PathBuf, PathBuf) {
        let dir = self.root.join("draf");
        let id = id(path);
        (
            dir.join(format!("{id}.txt")),
            dir.join(format!("{id}.yaml")),
        )
    }

    /// Keeps `draft` as the draft of its file (replacing an earlier one).
    pub fn save_draft(&self, draft: &Draft) -> io::Result<()> {
        let (text_path, meta_path) = self.draft_paths(&draft.path);
        create_private_dir(text_path.parent().unwrap_or(&self.root))?;
        replace_private(&text_path, draft.text.as_bytes())?;
        let meta = yaml::to_string(draft).map_err(io::Error::other)?;
        replace_private(&meta_path, meta.as_bytes())
    }

    /// The draft of `path`, if there is one.
    pub fn draft(&self, path: &str) -> io::Result<Option<Draft>> {
        let (text_path, meta_path) = self.draft_paths(path);
        let Some(meta) = if_exists(fs::read_to_string(&meta_path))? else {
            return Ok(None);
        };
        let mut draft: Draft = yaml::from_str(&meta).map_err(io::Error::other)?;
        draft.text = fs::read_to_string(text_path)?;
        Ok(Some(draft))
    }

    /// Forgets the draft of `path` (after it was published).
    pub fn drop_draft(&self, path: &str) -> io::Result<()> {
        let (text_path, meta_path) = self.draft_paths(path);
        for p in [meta_path, text_path] {
            if_exists(fs::remove_file(p))?;
        }
        Ok(())
    }
}

impl Versions {
    /// The newest version of every file that has one, by path (the desk
    /// lists the pages removed from the site from these).
    pub fn newest_of_each(&self) -> io::Result<Vec<Version>> {
        let Some(entries) = if_exists(fs::read_dir(self.root.join("versi")))? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries {
            let dir = entry?.path();
            let mut metas: Vec<(u32, PathBuf)> = Vec::new();
            for file in fs::read_dir(&dir)? {
                let path = file?.path();
                let number = path
                    .file_name()
                    .and_then(|n| n.to_str()?.strip_suffix(".yaml")?.parse().ok());
                if let Some(n) = number {
                    metas.push((n, path));
                }
            }
            metas.sort_unstable_by_key(|(n, _)| std::cmp::Reverse(*n));
            for (number, path) in metas {
                let text = fs::read_to_string(path)?;
                if text.trim().is_empty() {
                    continue; // cut short by a crash, as in `history`
                }
                let mut version: Version = yaml::from_str(&text).map_err(io::Error::other)?;
                version.number = number;
                out.push(version);
                break;
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

trait PrivateMode {
    fn mode_private(&mut self) -> &mut Self;
}

impl PrivateMode for fs::OpenOptions {
    fn mode_private(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(crate::core::fs::FILE_MODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(login: &str) -> Author {
        Author {
            login: login.into(),
            name: format!("{login} (nama)"),
            at: "2026-12-07T10:00:00+07:00".into(),
        }
    }

    #[test]
    fn versions_are_numbered_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let v = Versions::new(dir.path());
        let path = "content/layanan/index.md";
        assert!(v.history(path).unwrap().is_empty());
        let one = v
            .record(path, "satu\n", Change::Terbit, author("sari"), None)
            .unwrap();
        let two = v
            .record(path, "dua\n", Change::Pulih, author("budi"), Some(1))
            .unwrap();
        assert_eq!((one.number, two.number), (1, 2));
        let history = v.history(path).unwrap();
        assert_eq!(history.iter().map(|h| h.number).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(history[0].author.name, "budi (nama)");
        assert_eq!(history[0].restored, Some(1));
        assert_eq!(v.text(path, 1).unwrap().as_deref(), Some("satu\n"));
        assert_eq!(v.text(path, 3).unwrap(), None);
        // Another file has its own numbers.
        let other = v
            .record(
                "content/_index.md",
                "x",
                Change::Terbit,
                author("sari"),
                None,
            )
            .unwrap();
        assert_eq!(other.number, 1);
    }

    #[test]
    fn concurrent_versions_get_distinct_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let v = Versions::new(dir.path());
        let mut numbers: Vec<u32> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let v = &v;
                    s.spawn(move || {
                        v.record("a.md", &format!("{i}"), Change::Terbit, author("x"), None)
                            .unwrap()
                            .number
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        numbers.sort_unstable();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
        // Each number's text is the one its writer wrote.
        let texts: Vec<String> = (1..=6)
            .map(|n| v.text("a.md", n).unwrap().unwrap())
            .collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(sorted, ["0", "1", "2", "3", "4", "5"]);
    }

    #[test]
    fn a_version_cut_short_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let v = Versions::new(dir.path());
        v.record("a.md", "satu", Change::Terbit, author("x"), None)
            .unwrap();
        fs::write(v.file_dir("a.md").join("000002.yaml"), "").unwrap();
        assert_eq!(v.history("a.md").unwrap().len(), 1);
        let three = v
            .record("a.md", "tiga", Change::Terbit, author("x"), None)
            .unwrap();
        assert_eq!(three.number, 3);
    }

    #[test]
    fn the_newest_version_of_each_file_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let v = Versions::new(dir.path());
        assert!(v.newest_of_each().unwrap().is_empty());
        v.record("b.md", "1", Change::Terbit, author("x"), None)
            .unwrap();
        v.record("b.md", "1", Change::Hapus, author("y"), None)
            .unwrap();
        v.record("a.md", "1", Change::Terbit, author("x"), None)
            .unwrap();
        fs::write(v.file_dir("a.md").join("000002.yaml"), "").unwrap();
        let newest = v.newest_of_each().unwrap();
        let seen: Vec<_> = newest
            .iter()
            .map(|n| (n.path.as_str(), n.number, n.change))
            .collect();
        assert_eq!(
            seen,
            [("a.md", 1, Change::Terbit), ("b.md", 2, Change::Hapus)]
        );
    }

    #[test]
    fn drafts_replace_and_go() {
        let dir = tempfile::tempdir().unwrap();
        let v = Versions::new(dir.path());
        assert_eq!(v.draft("a.md").unwrap(), None);
        let draft = |text: &str| Draft {
            path: "a.md".into(),
            author: author("sari"),
            base: token(Some(b"lama")),
            text: text.into(),
        };
        v.save_draft(&draft("satu")).unwrap();
        v.save_draft(&draft("dua")).unwrap();
        assert_eq!(v.draft("a.md").unwrap(), Some(draft("dua")));
        v.drop_draft("a.md").unwrap();
        v.drop_draft("a.md").unwrap();
        assert_eq!(v.draft("a.md").unwrap(), None);
    }

    #[test]
    fn tokens_tell_contents_apart() {
        assert_eq!(token(Some(b"a")), token(Some(b"a")));
        assert_ne!(token(Some(b"a")), token(Some(b"b")));
        assert_eq!(token(None), "-");
        assert_eq!(token(Some(b"")).len(), 24);
    }
}
