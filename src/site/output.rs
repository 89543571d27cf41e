//! Writing a whole site without ever showing a half-written one: the build
//! writes into a fresh sibling folder, which then takes the output folder's
//! place in one atomic swap. If anything fails, the old output stays as it was.
//!
//! A staging folder gets a unique name from `tempfile` and is locked
//! (`flock`) while its build runs, so a later build knows one whose build
//! died (unlocked) from one still being written (locked), whatever process
//! or PID namespace it runs in.
//!
//! The output a build replaces takes the staging folder's name, unlocked.
//! Removing it is not on the way to the new site: the server removes it on
//! a thread of its own, and `loket build` leaves it for the next build,
//! which removes it (with any staging folder a dead build left) on a thread
//! while it renders. Removing 10,000 pages is about 0.09 s of system calls,
//! a fifth of such a build when done before exiting.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use rustix::fs::{FlockOperation, flock};
use tempfile::TempDir;

use crate::core::fs::if_exists;

/// Files in the output folder that are not build output but belong there
/// (git keeps `public/` through its `.gitignore`); they carry over to each build.
const KEPT: [&str; 2] = [".gitignore", ".gitkeep"];

/// A folder being filled with the next version of the output.
#[derive(Debug)]
pub struct Staging {
    /// Removed when dropped, unless it became the output.
    dir: TempDir,
    target: PathBuf,
    /// Held while the build runs: tells [`remove_stale`] to keep out.
    _lock: File,
    /// Whether the lock was taken: where the filesystem has no locks, no
    /// build removes another's folder, so nothing is left for one.
    locked: bool,
    /// Removes what earlier builds left while this one runs.
    sweeper: Sweeper,
}

/// The thread removing stale staging folders; waited for before the swap
/// (so it never meets a folder the swap is moving) or when the build fails.
#[derive(Debug)]
struct Sweeper(Option<JoinHandle<()>>);

impl Sweeper {
    fn start(parent: &Path, prefix: String) -> Sweeper {
        let parent = parent.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("stale-output".into())
            .spawn(move || remove_stale(&parent, &prefix));
        match spawned {
            Ok(handle) => Sweeper(Some(handle)),
            Err(e) => {
                tracing::warn!("no thread to remove stale output folders, left for later: {e}");
                Sweeper(None)
            }
        }
    }

    fn finish(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        self.finish();
    }
}

fn parent_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_string());
    format!(".{name}.staging-")
}

impl Staging {
    /// Creates an empty staging folder beside `target` (same filesystem, so the
    /// swap is a rename). Fails early if `target` cannot be replaced.
    pub fn create(target: &Path) -> io::Result<Staging> {
        if if_exists(fs::symlink_metadata(target))?.is_some_and(|meta| !meta.is_dir()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the output path exists and is not a folder",
            ));
        }
        let parent = parent_of(target);
        fs::create_dir_all(parent)?;
        let dir = tempfile::Builder::new()
            .prefix(&staging_prefix(target))
            .tempdir_in(parent)?;
        let lock = File::open(dir.path())?;
        // A new folder: this fails only where the filesystem has no locks,
        // and then stale folders are kept rather than risk a running build's.
        let locked = flock(&lock, FlockOperation::NonBlockingLockExclusive).is_ok();
        // Started once this build's folder is locked, so it is passed over.
        let sweeper = Sweeper::start(parent, staging_prefix(target));
        // The output is public: readable by a web server in front, as
        // before, or as the operator set the output folder.
        let mode = fs::metadata(target).map_or(0o755, |m| m.permissions().mode() & 0o7777);
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(mode))?;
        for name in KEPT {
            let kept = target.join(name);
            if kept.is_file() {
                fs::copy(&kept, dir.path().join(name))?;
            }
        }
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            _lock: lock,
            locked,
            sweeper,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Puts the staged folder in place of the target. The old output, now
    /// under the staging folder's name, is what is returned: removed when
    /// that is dropped, so the caller decides when (after reporting, or on
    /// another thread); a process that dies first leaves it to the next
    /// build's clean-up of stale staging folders.
    pub fn commit(mut self) -> io::Result<Option<Previous>> {
        self.sweeper.finish();
        let dir = self.dir.path();
        if self.target.exists() {
            match rustix::fs::renameat_with(
                rustix::fs::CWD,
                dir,
                rustix::fs::CWD,
                &self.target,
                rustix::fs::RenameFlags::EXCHANGE,
            ) {
                Ok(()) => {}
                // Filesystems without RENAME_EXCHANGE: two renames, a brief gap.
                Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                    let old = dir.with_extension("old");
                    fs::rename(&self.target, &old)?;
                    if let Err(e) = fs::rename(dir, &self.target) {
                        let _ = fs::rename(&old, &self.target);
                        return Err(e);
                    }
                    fs::rename(&old, dir)?;
                }
                Err(e) => return Err(e.into()),
            }
            // `dir` now holds the previous output.
            Ok(Some(Previous {
                dir: self.dir,
                removable_later: self.locked,
            }))
        } else {
            fs::rename(dir, &self.target)?;
            // Nothing left at the staging name to remove.
            let _ = self.dir.keep();
            Ok(None)
        }
    }
}

/// The output a build replaced, removed when dropped. Removing a large site
/// takes a while (10,000 pages: about 0.1 s, one file at a time in the
/// kernel), and nothing needs to wait for it: the new output is in place
/// already (module docs).
#[derive(Debug)]
#[must_use = "dropping it removes the old output now"]
pub struct Previous {
    dir: TempDir,
    /// A later build will remove it (module docs).
    removable_later: bool,
}

impl Previous {
    /// Leaves it where it is, for the next build to remove while that one
    /// renders (for a command that ends after building).
    /// Where the filesystem has no locks, a later build would not remove
    /// it, so it is removed now.
    pub fn leave_for_next_build(self) {
        if self.removable_later {
            let _ = self.dir.keep();
        }
    }

    /// Removes it on a thread of its own (for a server, which goes on).
    pub fn remove_in_background(self) {
        let spawned = std::thread::Builder::new()
            .name("old-output".into())
            .spawn(move || drop(self));
        if let Err(e) = spawned {
            // Dropped with the closure: removed here instead.
            tracing::warn!("no thread to remove the old output, removed here instead: {e}");
        }
    }
}

/// `path` made absolute and free of `..` and symlinks as far as it exists,
/// so two paths can be compared for overlap.
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            absolute(parent).join(name)
        }
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Removes staging folders left by builds that died: those nobody holds
/// the lock of (where locks cannot be taken, none is removed).
fn remove_stale(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let path = entry.path();
        let unlocked = File::open(&path)
            .is_ok_and(|dir| flock(&dir, FlockOperation::NonBlockingLockExclusive).is_ok());
        if unlocked {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_in_place_and_keeps_gitignore() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(".gitignore"), "*\n").unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        let staging = Staging::create(&out).unwrap();
        fs::write(staging.path().join("new.html"), "new").unwrap();
        let previous = staging.commit().unwrap().expect("replaced an output");
        assert!(out.join("new.html").exists());
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            2,
            "old output kept"
        );
        drop(previous);
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join(".gitignore")).unwrap(), "*\n");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[test]
    fn dropped_staging_leaves_target_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("a.html"), "a").unwrap();
        {
            let staging = Staging::create(&out).unwrap();
            fs::write(staging.path().join("b.html"), "b").unwrap();
        }
        assert!(out.join("a.html").exists());
        assert!(!out.join("b.html").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_dead_builds_staging_folder_is_removed_and_a_running_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let dead = tmp.path().join(".public.staging-dead");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("half.html"), "half").unwrap();
        let mut running = Staging::create(&out).unwrap();
        running.sweeper.finish();
        assert!(!dead.exists(), "an unlocked staging folder is stale");
        let mut second = Staging::create(&out).unwrap();
        second.sweeper.finish();
        assert!(
            running.path().is_dir(),
            "a locked one is a build still running"
        );
        assert_ne!(running.path(), second.path());
    }

    #[test]
    fn an_output_left_for_the_next_build_is_removed_by_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let names = || -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let build = |page: &str| {
            let staging = Staging::create(&out).unwrap();
            fs::write(staging.path().join(page), page).unwrap();
            staging.commit().unwrap()
        };
        assert!(build("a.html").is_none(), "nothing replaced the first time");
        build("b.html").unwrap().leave_for_next_build();
        let left = names();
        assert_eq!(left.len(), 2, "the replaced output is left: {left:?}");
        assert!(tmp.path().join(&left[0]).join("a.html").is_file());
        // The next build removes it, and replaces (and here removes) the second.
        drop(build("c.html"));
        assert_eq!(names(), ["public"]);
        assert!(out.join("c.html").is_file());
    }

    #[test]
    fn the_output_keeps_its_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let build = |out: &Path| {
            let staging = Staging::create(out).unwrap();
            drop(staging.commit().unwrap());
            fs::metadata(out).unwrap().permissions().mode() & 0o7777
        };
        assert_eq!(
            build(&out),
            0o755,
            "a new output is readable by a web server"
        );
        fs::set_permissions(&out, fs::Permissions::from_mode(0o750)).unwrap();
        assert_eq!(build(&out), 0o750, "as the operator set it");
    }

    #[test]
    fn refuses_a_file_as_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::write(&out, "not a folder").unwrap();
        assert!(Staging::create(&out).is_err());
    }
}
