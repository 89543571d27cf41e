//! File system helpers with one rule each, shared by the store, the record
//! updates and the report: private modes (folders 0700, files 0600), renames
//! that never replace, and whole-file replacement that a crash cannot leave
//! half-written.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// The temp files of [`replace_private`]: hidden, and told apart from
/// anything a person put there, so a crash's leftovers can be removed.
pub const TEMP_PREFIX: &str = ".loket-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// `result`, with a file or folder that is not there as `None`.
pub fn if_exists<T>(result: io::Result<T>) -> io::Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates `path` and its missing parents, private.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
}

/// Writes a private file (created or truncated); not made durable.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?
        .write_all(bytes)
}

/// Renames without replacing: fails with `AlreadyExists` if `to` exists.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        from,
        rustix::fs::CWD,
        to,
        rustix::fs::RenameFlags::NOREPLACE,
    )
    .map_err(io::Error::from)
}

/// Makes a directory entry change durable.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Replaces a file atomically and durably (temp file beside it, fsync,
/// rename, fsync folder), keeping it private.
pub fn replace_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_private_with(path, |file| file.write_all(bytes))?
}

/// [`replace_private`], with the contents written (streamed, say) by
/// `write` into the temp file (0600). The outer error is the replacement's
/// own; when `write` fails, its error is returned and nothing is replaced.
pub fn replace_private_with<T, E>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, E>,
) -> io::Result<Result<T, E>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?; // created 0600
    let written = match write(tmp.as_file_mut()) {
        Ok(written) => written,
        Err(e) => return Ok(Err(e)), // the temp file goes with `tmp`
    };
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)?;
    Ok(Ok(written))
}

/// Whether a file name is a temp file of [`replace_private`].
pub fn is_replace_temp(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// The one rule for files loket leaves alone in a site folder: not read as
/// pages, templates or assets, and their changes do not trigger a rebuild.
/// Hidden names (also Emacs' `.#lock`), editors' droppings (Emacs'
/// `#autosave#`, `backup~`, Vim's `.swp`/`.swo`/`.swx` and its `4913` write
/// test) and half-written copies (`.tmp`, `.part`).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swo", ".swx", ".tmp", ".part"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Reads `file` from where it is to its end, starting with room for
/// `expected` bytes. `Read::read_to_end` on a `File` first asks the file
/// for its size and position, two system calls a build would make twice
/// per page (it reads every page when loading the site and again when
/// rendering it); here it is one read, and one more that finds the end.
pub fn read_rest(file: &mut File, expected: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; expected.saturating_add(1)];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            bytes.resize(bytes.len().saturating_mul(2), 0);
        }
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_private_with_replaces_whole_or_not_at_all() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("archive.tar");
        std::fs::write(&path, "old").unwrap();
        let only_it = || std::fs::read_dir(tmp.path()).unwrap().count() == 1;
        // A writer that fails half-way: the old file stays, no temp file is left.
        let failed = replace_private_with(&path, |file| {
            file.write_all(b"half")?;
            Err::<(), _>(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap().unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert!(only_it());
        // A streaming writer: its value comes back, the file is replaced, 0600.
        let written = replace_private_with(&path, |file| {
            file.write_all(b"one ")?;
            file.write_all(b"two").map(|()| 2)
        });
        assert_eq!(written.unwrap().unwrap(), 2);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one two");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, FILE_MODE);
        assert!(only_it());
    }

    #[test]
    fn read_rest_reads_all_whatever_was_expected() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("page.md");
        let text: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        for expected in [0, 10, 99_999, 100_000, 1 << 20] {
            let mut file = File::open(&path).unwrap();
            assert_eq!(read_rest(&mut file, expected).unwrap(), text, "{expected}");
        }
        std::fs::write(&path, b"").unwrap();
        assert!(
            read_rest(&mut File::open(&path).unwrap(), 0)
                .unwrap()
                .is_empty()
        );
    }
}
