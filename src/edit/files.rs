//! The site's `static/` files as staff see them on the desk (issue 30):
//! which paths may be named ([`StaticPath`]), the files there ([`list`]),
//! one of them opened without following a link out of the folder
//! ([`open`]), an upload written in ([`write()`]), and the folder and name
//! an upload form gives ([`folder_of`], [`stem_of`]). What may be uploaded
//! (sanitized images, checked PDFs) is the desk's rule
//! (`desk::pages::files`).

use std::fs;
use std::io;
use std::path::Path;

use crate::core::fs::if_exists;
use crate::site::content::{STATIC_DIR, slugify};

/// A file of `static/` as the desk names it: `static/…/NAME`,
/// `/`-separated, of plain segments (ASCII letters, digits, `-`, `_`,
/// `.`; none hidden or ignored by the build, none `..`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StaticPath(String);

/// Whether `segment` may be part of a [`StaticPath`].
pub fn is_plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 100
        && !crate::core::fs::is_ignored_name(segment)
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && segment.chars().any(|c| c.is_ascii_alphanumeric())
}

impl StaticPath {
    /// `static/a/b.jpg`; `None` for anything else.
    pub fn parse(rel: &str) -> Option<StaticPath> {
        let inner = rel.strip_prefix(STATIC_DIR)?.strip_prefix('/')?;
        inner
            .split('/')
            .all(is_plain_segment)
            .then(|| StaticPath(rel.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the public site serves it: `static/a/b.jpg` → `/a/b.jpg`.
    pub fn url(&self) -> &str {
        &self.0[STATIC_DIR.len()..]
    }

    /// The folders between `static/` and the file.
    fn segments(&self) -> impl Iterator<Item = &str> {
        self.url()[1..].split('/')
    }
}

impl std::fmt::Display for StaticPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The folder as typed (`gambar`, `gambar/`, `static/gambar/`, empty for
/// `static/` itself) as a path under the site folder, or `None` if it is
/// not a plain folder of `static/`.
pub fn folder_of(typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.starts_with('/') || typed.contains('\\') {
        return None;
    }
    let inner = match typed.strip_prefix(STATIC_DIR) {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => typed,
    };
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        return Some(STATIC_DIR.to_string());
    }
    inner
        .split('/')
        .all(is_plain_segment)
        .then(|| format!("{STATIC_DIR}/{inner}"))
}

/// The file's name without its extension, slugged: the name typed, else
/// the uploaded file's own.
pub fn stem_of(typed: &str, original: &str) -> String {
    let strip = |name: &str| -> String {
        let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        match name.rsplit_once('.') {
            Some((stem, ext))
                if !stem.is_empty()
                    && ext.len() <= 5
                    && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                slugify(stem)
            }
            _ => slugify(name),
        }
    };
    let typed = strip(typed.trim());
    match typed.is_empty() {
        true => strip(original),
        false => typed,
    }
}

/// One file of `static/`.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub path: StaticPath,
    pub size: u64,
}

/// The files of `static/` and its folders (`static/`, `static/gambar/`),
/// as the build copies them: hidden and editor files left out, links not
/// followed. No `static/` folder: none.
pub fn list(site: &Path) -> io::Result<(Vec<StaticFile>, Vec<String>)> {
    let dir = site.join(STATIC_DIR);
    let (mut files, mut folders) = (Vec::new(), vec![format!("{STATIC_DIR}/")]);
    if !dir.is_dir() {
        return Ok((files, folders));
    }
    let walk = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || is_plain_segment(&e.file_name().to_string_lossy()));
    for entry in walk {
        let entry = entry.map_err(io::Error::other)?;
        let Ok(rel) = entry.path().strip_prefix(site) else {
            continue;
        };
        let rel = rel.to_string_lossy();
        if entry.depth() > 0 && entry.file_type().is_dir() {
            folders.push(format!("{rel}/"));
        } else if entry.file_type().is_file()
            && let Some(path) = StaticPath::parse(&rel)
        {
            let size = entry.metadata().map_err(io::Error::other)?.len();
            files.push(StaticFile { path, size });
        }
    }
    Ok((files, folders))
}

/// Opens `path` for reading: a regular file inside `static/`, reached
/// through no symbolic link below `static/` itself.
pub fn open(site: &Path, path: &StaticPath) -> io::Result<fs::File> {
    let segments: Vec<&str> = path.segments().collect();
    open_below(&site.join(STATIC_DIR), &segments)
}

/// Opens the regular file at `segments` below the folder `top`, through
/// no symbolic link below `top` (a link there would let whoever may write
/// the site folder have loket read, and show on the desk, what lies
/// outside it: the data folder). A link, a folder or anything but a
/// regular file is [`io::ErrorKind::NotFound`].
pub fn open_below(top: &Path, segments: &[&str]) -> io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags, open, openat};
    let not_found = |e: rustix::io::Errno| match e {
        rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => io::ErrorKind::NotFound.into(),
        e => io::Error::from(e),
    };
    let mut dir = open(
        top,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let (name, folders) = segments.split_last().ok_or(io::ErrorKind::NotFound)?;
    for folder in folders {
        dir = openat(
            &dir,
            *folder,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(not_found)?;
    }
    let file = openat(
        &dir,
        *name,
        // Non-blocking: a FIFO put there by hand does not hang the reader.
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )
    .map_err(not_found)?;
    let file = fs::File::from(file);
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// The bytes of `path` now, if it is a file ([`open`]).
pub fn read(site: &Path, path: &StaticPath) -> io::Result<Option<Vec<u8>>> {
    let Some(mut file) = if_exists(open(site, path))? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(Some(bytes))
}

/// Writes `bytes` as `path` atomically, with the folder's group-editable
/// mode (`edit::write_file`); without `replace` an existing file stays
/// ([`io::ErrorKind::AlreadyExists`]). A folder on the way that is a
/// symbolic link (or not a folder) is refused: the file would land
/// outside `static/`.
pub fn write(site: &Path, path: &StaticPath, bytes: &[u8], replace: bool) -> io::Result<()> {
    let mut at = site.join(STATIC_DIR);
    let segments: Vec<&str> = path.segments().collect();
    for (i, segment) in std::iter::once("")
        .chain(segments.iter().copied())
        .enumerate()
    {
        at = match segment {
            "" => at,
            s => at.join(s),
        };
        let last = i == segments.len();
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is a symbolic link", at.display()),
                ));
            }
            Ok(m) if !last && !m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a folder", at.display()),
                ));
            }
            Ok(m) if last && !m.is_file() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a file", at.display()),
                ));
            }
            // The rest is made.
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    super::write_file(&site.join(path.as_str()), bytes, replace)
}

/// Removes `path` (an upload whose build failed).
pub fn remove(site: &Path, path: &StaticPath) -> io::Result<()> {
    let target = site.join(path.as_str());
    if_exists(fs::remove_file(&target))?;
    crate::core::fs::sync_dir(target.parent().unwrap_or(site))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_under_static() {
        for ok in [
            "static/a.jpg",
            "static/gambar/kantor-1.jpg",
            "static/css/site.css",
        ] {
            assert_eq!(StaticPath::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(
            StaticPath::parse("static/g/a.jpg").unwrap().url(),
            "/g/a.jpg"
        );
        for bad in [
            "static/",
            "static",
            "static/../site.yaml",
            "static/a/../../b.jpg",
            "static/.hidden",
            "static/a/.git/x",
            "static//a.jpg",
            "static/a b.jpg",
            "static/a.jpg~",
            "static/..",
            "content/a.md",
            "/static/a.jpg",
            "staticx/a.jpg",
        ] {
            assert!(StaticPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_link_out_of_static_is_neither_read_nor_written_through() {
        let site = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("rahasia.txt"), "x").unwrap();
        fs::create_dir(site.path().join(STATIC_DIR)).unwrap();
        std::os::unix::fs::symlink(outside.path(), site.path().join("static/luar")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("rahasia.txt"),
            site.path().join("static/tautan.txt"),
        )
        .unwrap();
        let path = |p: &str| StaticPath::parse(p).unwrap();
        assert!(open(site.path(), &path("static/luar/rahasia.txt")).is_err());
        assert!(open(site.path(), &path("static/tautan.txt")).is_err());
        assert!(write(site.path(), &path("static/luar/baru.jpg"), b"x", true).is_err());
        assert!(write(site.path(), &path("static/tautan.txt"), b"x", true).is_err());
        assert!(!outside.path().join("baru.jpg").exists());
        assert_eq!(fs::read(outside.path().join("rahasia.txt")).unwrap(), b"x");

        write(site.path(), &path("static/gambar/a.jpg"), b"1", false).unwrap();
        let again = write(site.path(), &path("static/gambar/a.jpg"), b"2", false);
        assert_eq!(again.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        write(site.path(), &path("static/gambar/a.jpg"), b"2", true).unwrap();
        let read_back = read(site.path(), &path("static/gambar/a.jpg")).unwrap();
        assert_eq!(read_back.as_deref(), Some(&b"2"[..]));
        let (files, folders) = list(site.path()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["static/gambar/a.jpg"]);
        assert_eq!(folders, ["static/", "static/gambar/"]);
    }

    #[test]
    fn folders_are_plain_folders_of_static() {
        for (typed, folder) in [
            ("", "static"),
            ("static/", "static"),
            ("gambar", "static/gambar"),
            ("gambar/", "static/gambar"),
            (" static/dokumen/2026/ ", "static/dokumen/2026"),
        ] {
            assert_eq!(folder_of(typed).as_deref(), Some(folder), "{typed}");
        }
        for bad in [
            "../content",
            "gambar/../../x",
            "/etc",
            ".git",
            "a b",
            "a\\b",
            "gambar//x",
        ] {
            assert_eq!(folder_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_are_slugged_without_their_extension() {
        assert_eq!(stem_of("Foto Kantor.PNG", "x.jpg"), "foto-kantor");
        assert_eq!(
            stem_of("", "C:\\Users\\a\\Denah Lantai 2.jpeg"),
            "denah-lantai-2"
        );
        assert_eq!(stem_of("  ", "../../etc/passwd"), "passwd");
        assert_eq!(stem_of("", "..."), "");
    }
}
