//! When the site folder is in a git repository, each version the desk
//! records is also a commit of that one file, under the staff member's
//! full name (author and committer), dated when it was published. Only the
//! page's file is ever added or committed (by pathspec, whatever else the
//! work tree holds: never `data/`). The version folder ([`super::versions`])
//! stays the desk's history; a commit that fails is logged by the caller
//! and undoes nothing. Without git, or outside a repository, nothing
//! happens.
//!
//! The repository's own configuration is trusted as the operator's: hooks
//! and the file system monitor are switched off for these commands, since
//! whoever may write the site folder must not thereby run code as the
//! server; git itself refuses a repository another user owns.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::EditPath;
use super::versions::{Change, Version};

/// Why a commit was not made.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git could not be run: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("git {step} failed: {stderr}")]
    Failed { step: &'static str, stderr: String },
}

/// Whether a commit was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    Yes,
    /// Not a repository, or git is not installed.
    NoRepository,
    /// The repository already had this text.
    Unchanged,
}

/// Commits `path` as it is now in the site folder `site` as `version`.
pub fn commit(site: &Path, path: &EditPath, version: &Version) -> Result<Committed, GitError> {
    match git(site).args(["rev-parse", "--show-toplevel"]).output() {
        Ok(out) if out.status.success() => {}
        // A repository git will not use (another user's): worth a warning.
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("safe.directory") => {
            return Err(GitError::Failed {
                step: "rev-parse",
                stderr: first_line(&out.stderr),
            });
        }
        Ok(_) => return Ok(Committed::NoRepository),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Committed::NoRepository);
        }
        Err(e) => return Err(e.into()),
    }
    let file = path.as_str();
    match site.join(file).exists() {
        true => run(git(site).args(["add", "--", file]), "add")?,
        false => run(
            git(site).args(["rm", "--cached", "--ignore-unmatch", "--quiet", "--", file]),
            "rm",
        )?,
    };
    let status = run(
        git(site).args(["status", "--porcelain", "--", file]),
        "status",
    )?;
    if status.stdout.is_empty() {
        return Ok(Committed::Unchanged);
    }
    let name = plain(&version.author.name);
    let email = format!("{}@loket.invalid", local_part(&version.author.login));
    let message = message(path, version);
    let mut cmd = git(site);
    if !version.author.at.is_empty() {
        cmd.env("GIT_AUTHOR_DATE", &version.author.at)
            .env("GIT_COMMITTER_DATE", &version.author.at);
    }
    run(
        cmd.arg("-c")
            .arg(format!("user.name={name}"))
            .arg("-c")
            .arg(format!("user.email={email}"))
            .env("GIT_AUTHOR_NAME", &name)
            .env("GIT_AUTHOR_EMAIL", &email)
            .env("GIT_COMMITTER_NAME", &name)
            .env("GIT_COMMITTER_EMAIL", &email)
            .args(["commit", "--quiet", "--no-verify", "--no-gpg-sign"])
            .arg(format!("--author={name} <{email}>"))
            .args(["-m", &message, "--", file]),
        "commit",
    )?;
    Ok(Committed::Yes)
}

/// The commit's subject: the file and what the version did, as the audit
/// log says it.
fn message(path: &EditPath, version: &Version) -> String {
    let n = version.number;
    match (version.change, version.restored) {
        (Change::Terbit, _) => format!("{path}: versi {n} diterbitkan"),
        (Change::Pulih, Some(from)) => format!("{path}: versi {from} dipulihkan sebagai versi {n}"),
        (Change::Pulih, None) => format!("{path}: versi {n} dipulihkan"),
        (Change::Hapus, _) => format!("{path}: dihapus (versi {n})"),
    }
}

/// A name as git keeps it: no angle brackets or line ends.
fn plain(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '<' | '>') && !c.is_control())
        .collect();
    match kept.trim() {
        "" => "loket".to_string(),
        t => t.to_string(),
    }
}

/// A login as an address's local part ("Budi Santoso" → "Budi.Santoso").
fn local_part(login: &str) -> String {
    let kept: String = login
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                true => c,
                false => '.',
            },
        )
        .collect();
    match kept.trim_matches('.') {
        "" => "loket".to_string(),
        k => k.to_string(),
    }
}

/// git in `site`, needing no configuration of the server's account, asking
/// nothing, running no hook.
fn git(site: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(site)
        .args(["-c", "core.hooksPath=/dev/null"])
        .args(["-c", "core.fsmonitor=false"])
        .args(["-c", "commit.gpgSign=false"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command, step: &'static str) -> Result<Output, GitError> {
    let out = cmd.output()?;
    if out.status.success() {
        return Ok(out);
    }
    Err(GitError::Failed {
        step,
        stderr: first_line(&out.stderr),
    })
}

/// What git said first (why; later lines may list paths), short.
fn first_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::versions::Author;

    #[test]
    fn names_are_kept_plain() {
        assert_eq!(plain("Sari <x@y>\nDewi"), "Sari x@yDewi");
        assert_eq!(plain(" <> "), "loket");
        assert_eq!(local_part("Budi Santoso"), "Budi.Santoso");
        assert_eq!(local_part("sari"), "sari");
    }

    fn author() -> Author {
        Author {
            login: "sari".into(),
            name: "Sari".into(),
            at: "2026-12-07T10:00:00+07:00".into(),
        }
    }

    fn version(path: &EditPath) -> Version {
        Version {
            number: 1,
            path: path.to_string(),
            change: Change::Terbit,
            author: author(),
            restored: None,
        }
    }

    #[test]
    fn outside_a_repository_nothing_happens() {
        let dir = tempfile::tempdir().unwrap();
        let path = EditPath::parse("content/a.md").unwrap();
        let got = commit(dir.path(), &path, &version(&path));
        assert!(matches!(got, Ok(Committed::NoRepository)), "{got:?}");
    }

    /// A repository another user owns is refused by git: an error to log,
    /// not silence. (Only a test run as root can give it away.)
    #[test]
    fn another_users_repository_is_an_error() {
        use std::os::unix::fs::MetadataExt;
        let site = tempfile::tempdir().unwrap();
        if std::fs::metadata(site.path()).unwrap().uid() != 0 {
            return;
        }
        let init = git(site.path()).args(["init", "--quiet"]).status().unwrap();
        assert!(init.success());
        let chown = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(site.path())
            .status()
            .unwrap();
        assert!(chown.success());
        let path = EditPath::parse("content/a.md").unwrap();
        let got = commit(site.path(), &path, &version(&path));
        assert!(
            matches!(
                got,
                Err(GitError::Failed {
                    step: "rev-parse",
                    ..
                })
            ),
            "{got:?}"
        );
    }

    /// A commit that fails (the file is ignored by the repository) is an
    /// error for the caller to log; `SiteFiles::record` keeps the version.
    #[test]
    fn a_failed_commit_undoes_nothing() {
        let site = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let init = git(site.path()).args(["init", "--quiet"]).status().unwrap();
        assert!(init.success());
        std::fs::create_dir(site.path().join("content")).unwrap();
        std::fs::write(site.path().join(".gitignore"), "content/\n").unwrap();
        std::fs::write(site.path().join("content/a.md"), "satu\n").unwrap();
        let path = EditPath::parse("content/a.md").unwrap();
        let got = commit(site.path(), &path, &version(&path));
        assert!(
            matches!(got, Err(GitError::Failed { step: "add", .. })),
            "{got:?}"
        );
        let files = super::super::SiteFiles::new(site.path(), data.path());
        let applied = super::super::Applied {
            path: path.clone(),
            text: Some("satu\n".into()),
            previous: None,
        };
        let kept = files
            .record(&applied, Change::Terbit, author(), None)
            .unwrap();
        assert_eq!(kept.number, 1);
        assert_eq!(
            files.versions().text("content/a.md", 1).unwrap().as_deref(),
            Some("satu\n")
        );
    }
}
