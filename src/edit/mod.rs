//! The site as staff edit it on the desk (issue 30): which files may be
//! edited ([`EditPath`]), a change checked as `loket check` would check the
//! whole site with it ([`SiteFiles::check`], on a scratch copy: the site
//! folder is touched only by a change that passed), written in place
//! ([`SiteFiles::apply`]) and kept as a version ([`versions`]) once the
//! server has built and served it; put back ([`SiteFiles::revert`]) when
//! the build fails.
//!
//! The desk's use case that strings these together (with the server's
//! build) is `desk::pages::publish`; editing, restoring and removing all
//! go through it.

pub mod diff;
pub mod files;
pub mod front;
pub mod git;
pub mod versions;

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::core::diagnostic::{self, Diagnostic, display_path};
use crate::core::fs::if_exists;
use crate::site::content::{CONTENT_DIR, STATIC_DIR};
use versions::{Author, Change, Version, Versions, token};

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The address names no file staff may edit.
    #[error("not a page file: {0}")]
    NotEditable(String),
    /// The file changed since the editor opened it.
    #[error("{path} changed since it was opened")]
    Conflict {
        path: String,
        /// The file as it is now (`None`: removed).
        current: Option<String>,
        /// Who published it, when the desk did (else it was changed on the
        /// server itself).
        by: Option<Author>,
    },
    /// The site would not build with the change: every problem of it.
    #[error("the change has errors")]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A page's file as the desk names it: `content/…/NAME.md`, `/`-separated,
/// of plain segments (letters, digits, `-`, `_`, `.`; none hidden, none `..`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EditPath(String);

impl EditPath {
    pub fn parse(rel: &str) -> Result<EditPath, EditError> {
        let refused = || EditError::NotEditable(rel.to_string());
        let mut segments = rel.split('/');
        if segments.next() != Some(CONTENT_DIR) || !rel.ends_with(".md") {
            return Err(refused());
        }
        let plain = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.len() <= 100
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        let mut count = 0;
        for segment in segments {
            if !plain(segment) {
                return Err(refused());
            }
            count += 1;
        }
        match count {
            0 => Err(refused()),
            _ => Ok(EditPath(rel.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EditPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A change that passed its checks, not yet written.
#[derive(Debug)]
pub struct Staged {
    pub path: EditPath,
    /// The new text; `None` removes the file.
    pub text: Option<String>,
    /// The warnings the check found (errors stop a change).
    pub warnings: Vec<Diagnostic>,
    /// The file as it was checked against `base` (`None`: none).
    pub previous: Option<String>,
}

/// A change written into the site folder, with what it replaced.
#[derive(Debug)]
pub struct Applied {
    pub path: EditPath,
    pub text: Option<String>,
    pub previous: Option<String>,
}

/// The site folder's editable files and their versions.
#[derive(Debug, Clone)]
pub struct SiteFiles {
    root: PathBuf,
    versions: Versions,
    /// Where scratch copies of the site are made (private: drafts may
    /// hold what is not public yet).
    scratch: PathBuf,
}

impl SiteFiles {
    pub fn new(site: &Path, data: &Path) -> SiteFiles {
        SiteFiles {
            root: site.to_path_buf(),
            versions: Versions::new(data),
            scratch: data.join(versions::DIR).join(".tmp"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    /// The file's text now (`None`: it does not exist, or is no regular
    /// file reached without a symbolic link: `files::open_below`).
    pub fn read(&self, path: &EditPath) -> io::Result<Option<String>> {
        let segments: Vec<&str> = path.as_str().split('/').skip(1).collect();
        let content = self.root.join(CONTENT_DIR);
        let Some(mut file) = if_exists(files::open_below(&content, &segments))? else {
            return Ok(None);
        };
        let mut text = String::new();
        io::Read::read_to_string(&mut file, &mut text)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))?;
        Ok(Some(text))
    }

    /// Runs `f` on a scratch copy of the site with `path` holding `text`
    /// (`None`: without it). The copy has what a build reads (`static/` is
    /// linked, not copied) and is removed afterwards.
    pub fn with_change<T>(
        &self,
        path: &EditPath,
        text: Option<&str>,
        f: impl FnOnce(&Path) -> T,
    ) -> io::Result<T> {
        crate::core::fs::create_private_dir(&self.scratch)?;
        let copy = tempfile::Builder::new()
            .prefix("situs-")
            .tempdir_in(&self.scratch)?;
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let from = entry.path();
            let to = copy.path().join(&*name);
            if name == STATIC_DIR {
                std::os::unix::fs::symlink(crate::site::output::absolute(&from), &to)?;
            } else if SOURCES.contains(&&*name) {
                copy_tree(&from, &to)?;
            }
        }
        let target = copy.path().join(path.as_str());
        match text {
            Some(text) => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&target, text)?;
            }
            None => {
                if_exists(fs::remove_file(&target))?;
            }
        }
        Ok(f(copy.path()))
    }

    /// Every problem `loket check` finds in the site with the change, its
    /// paths relative to the site folder, errors first.
    pub fn check(&self, path: &EditPath, text: Option<&str>) -> io::Result<Vec<Diagnostic>> {
        self.with_change(path, text, |copy| {
            let mut diags = crate::site::build::check(copy);
            for d in &mut diags {
                d.path = display_path(copy, &d.path);
            }
            diagnostic::sort(&mut diags);
            diags
        })
    }

    /// Checks a change made on a file whose text was `base` ([`token`]
    /// when opened): refused if the file changed since, or if the site
    /// would have an error with it.
    pub fn stage(
        &self,
        path: &EditPath,
        text: Option<String>,
        base: &str,
    ) -> Result<Staged, EditError> {
        let current = self.read(path)?;
        if token(current.as_deref().map(str::as_bytes)) != base {
            let by = self.published_by(path, current.as_deref())?;
            return Err(EditError::Conflict {
                path: path.to_string(),
                current,
                by,
            });
        }
        let diags = self.check(path, text.as_deref())?;
        if diags.iter().any(Diagnostic::is_error) {
            return Err(EditError::Invalid(diags));
        }
        Ok(Staged {
            path: path.clone(),
            text,
            warnings: diags,
            previous: current,
        })
    }

    /// Who published the file's `current` text on the desk, if its last
    /// version holds it.
    pub fn published_by(
        &self,
        path: &EditPath,
        current: Option<&str>,
    ) -> io::Result<Option<Author>> {
        let Some(last) = self.versions.history(path.as_str())?.into_iter().next() else {
            return Ok(None);
        };
        let text = self.versions.text(path.as_str(), last.number)?;
        let same = match last.change {
            Change::Hapus => current.is_none(),
            _ => text.as_deref() == current,
        };
        Ok(same.then_some(last.author))
    }

    /// Writes a staged change into the site folder (atomically: a reader
    /// sees the old file or the new one). The caller holds the one
    /// publishing since staging, so the file is still as staged.
    pub fn apply(&self, staged: Staged) -> io::Result<Applied> {
        self.write(&staged.path, staged.text.as_deref())?;
        Ok(Applied {
            path: staged.path,
            text: staged.text,
            previous: staged.previous,
        })
    }

    /// Puts back what an applied change replaced (its build failed).
    pub fn revert(&self, applied: &Applied) -> io::Result<()> {
        self.write(&applied.path, applied.previous.as_deref())
    }

    /// Keeps an applied change, once served, as the file's next version,
    /// and forgets the file's draft; in a site folder that is a git
    /// repository, commits the file too ([`git`]: a commit that fails is
    /// logged and undoes nothing, the version is kept).
    pub fn record(
        &self,
        applied: &Applied,
        change: Change,
        author: Author,
        restored: Option<u32>,
    ) -> io::Result<Version> {
        let text = match (&applied.text, &applied.previous) {
            (Some(text), _) | (None, Some(text)) => text.as_str(),
            (None, None) => "",
        };
        let version =
            self.versions
                .record(applied.path.as_str(), text, change, author, restored)?;
        self.versions.drop_draft(applied.path.as_str())?;
        if let Err(e) = git::commit(&self.root, &applied.path, &version) {
            tracing::warn!(target: "loket::edit", "{} version {} was not committed to git: {e}", applied.path, version.number);
        }
        Ok(version)
    }

    fn write(&self, path: &EditPath, text: Option<&str>) -> io::Result<()> {
        let target = self.root.join(path.as_str());
        let Some(text) = text else {
            return match if_exists(fs::remove_file(&target))? {
                Some(()) => crate::core::fs::sync_dir(target.parent().unwrap_or(&self.root)),
                None => Ok(()),
            };
        };
        write_file(&target, text.as_bytes(), true)
    }
}

/// [`write_file`], replacing: the survey's published results.
pub fn replace_site_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file(target, bytes, true)
}

/// Writes a file of the site folder atomically and durably (temp file
/// beside it, fsync, rename, fsync folder): the desk's pages and uploads,
/// the survey's published results. A new file may be read and written by
/// whoever may make files in its folder (the deploy kit's `loket-editor`
/// group: 0664 in a 2775 folder), read by whoever may list it; missing
/// folders are made as [`create_dirs_like_parent`] does. An existing file
/// keeps its mode, plus the group's write when its folder gives the group
/// write (without the sticky bit): that group may replace the file anyway,
/// and an editor's 0644 page, now loket's, stays theirs to edit. Without
/// `replace`, an existing file is not replaced
/// ([`io::ErrorKind::AlreadyExists`]).
pub(crate) fn write_file(target: &Path, bytes: &[u8], replace: bool) -> io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    create_dirs_like_parent(dir)?;
    let dir_mode = fs::metadata(dir)?.permissions().mode();
    let mode = match if_exists(fs::metadata(target))? {
        Some(m) if dir_mode & 0o1000 == 0 => (m.permissions().mode() | dir_mode & 0o020) & 0o7777,
        Some(m) => m.permissions().mode() & 0o7777,
        None => 0o666 & dir_mode,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(crate::core::fs::TEMP_PREFIX)
        .suffix(crate::core::fs::TEMP_SUFFIX)
        .tempfile_in(dir)?;
    io::Write::write_all(tmp.as_file_mut(), bytes)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    match replace {
        true => tmp.persist(target).map_err(|e| e.error)?,
        false => tmp.persist_noclobber(target).map_err(|e| e.error)?,
    };
    crate::core::fs::sync_dir(dir)
}

/// What a build reads from the site folder, besides `static/`.
const SOURCES: &[&str] = &[
    CONTENT_DIR,
    crate::site::content::TEMPLATES_DIR,
    crate::forms::registry::FORMS_DIR,
    crate::core::calendar::HOLIDAYS_DIR,
    "survei",
    crate::office::config::CONFIG_FILE,
];

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if !from.is_dir() {
        fs::copy(from, to)?;
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(io::Error::other)?;
        let rel = entry.path().strip_prefix(from).map_err(io::Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest)?;
        } else if entry.file_type().is_file() {
            fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

/// Creates `dir` and the folders above it that are missing, each with the
/// mode (setgid bit included) of the folder it is made in, so that a new
/// section stays editable by the same group.
///
/// The folder is made with its parent's permission bits, and inherits the
/// setgid bit from it (Linux), so that under the unit's `UMask=0002` it
/// needs no chmod: `RestrictSUIDSGID=yes` refuses a chmod that names the
/// setgid bit (EPERM). Only a umask that takes away a bit the parent has
/// is made up for with a chmod.
fn create_dirs_like_parent(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    create_dirs_like_parent(parent)?;
    let mode = fs::metadata(parent)?.permissions().mode() & 0o7777;
    fs::DirBuilder::new()
        .mode(mode & 0o777)
        .create(dir)
        .or_else(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Ok(()),
            _ => Err(e),
        })?;
    if fs::metadata(dir)?.permissions().mode() & 0o7777 == mode {
        return Ok(());
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_written_in_a_shared_folder_stay_the_groups() {
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let set = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (shared, private) = (dir.path().join("shared"), dir.path().join("private"));
        for (folder, m) in [(&shared, 0o2775), (&private, 0o700)] {
            fs::create_dir(folder).unwrap();
            set(folder, m);
        }
        // New: a folder as its parent, a file 0666 & its folder's mode.
        replace_site_file(&shared.join("baru/a.md"), b"a").unwrap();
        assert_eq!(mode(&shared.join("baru")), 0o2775);
        assert_eq!(mode(&shared.join("baru/a.md")), 0o664);
        replace_site_file(&private.join("baru/a.md"), b"a").unwrap();
        assert_eq!(mode(&private.join("baru")), 0o700);
        assert_eq!(mode(&private.join("baru/a.md")), 0o600);
        // An editor's 0644 file: the group may write it once rewritten.
        fs::write(shared.join("b.md"), "b").unwrap();
        set(&shared.join("b.md"), 0o644);
        replace_site_file(&shared.join("b.md"), b"b2").unwrap();
        assert_eq!(mode(&shared.join("b.md")), 0o664);
        assert_eq!(fs::read_to_string(shared.join("b.md")).unwrap(), "b2");
        // Elsewhere a file keeps its mode.
        fs::write(private.join("b.md"), "b").unwrap();
        set(&private.join("b.md"), 0o640);
        replace_site_file(&private.join("b.md"), b"b2").unwrap();
        assert_eq!(mode(&private.join("b.md")), 0o640);
    }

    /// Whoever may write the site folder (the `loket-editor` group) cannot
    /// have the desk, which runs as the data's owner, read what is outside
    /// it through a link: the editor sees no such page.
    #[test]
    fn a_page_that_is_a_link_is_not_read() {
        let site = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        fs::write(data.path().join("staff.yaml"), "rahasia").unwrap();
        fs::create_dir_all(site.path().join("content/bagian")).unwrap();
        fs::write(site.path().join("content/bagian/a.md"), "# A\n").unwrap();
        std::os::unix::fs::symlink(
            data.path().join("staff.yaml"),
            site.path().join("content/x.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            site.path().join("content/bagian"),
            site.path().join("content/lewat"),
        )
        .unwrap();
        let files = SiteFiles::new(site.path(), data.path());
        let read = |p: &str| files.read(&EditPath::parse(p).unwrap()).unwrap();
        assert_eq!(read("content/bagian/a.md").as_deref(), Some("# A\n"));
        assert_eq!(read("content/x.md"), None);
        assert_eq!(read("content/lewat/a.md"), None);
        assert_eq!(read("content/tidak-ada.md"), None);
    }

    #[test]
    fn only_page_files_may_be_edited() {
        for ok in ["content/_index.md", "content/layanan/konsultasi.md"] {
            assert_eq!(EditPath::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "content/",
            "content/.md",
            "content/../site.yaml",
            "content/a/../../b.md",
            "content/.git/x.md",
            "content//a.md",
            "templates/base.html",
            "site.yaml",
            "content/a b.md",
            "content/a.html",
            "/content/a.md",
        ] {
            assert!(EditPath::parse(bad).is_err(), "{bad}");
        }
    }
}
