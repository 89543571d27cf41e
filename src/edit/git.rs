//! When the site folder is in a git repository, each version the desk
//! records is also a commit of that one file, under the staff member's
//! full name (author and committer), dated when it was published. The
//! commit is built with git's plumbing: the file's blob as it is on disk
//! (`hash-object --no-filters`), an index of our own over HEAD with that
//! one entry changed, `write-tree`, `commit-tree`, then the branch moved
//! only from the commit it was built on (`update-ref`) and the
//! repository's index given the same entry. So nothing else is ever
//! committed (what the operator staged stays staged; never `data/`), and
//! no hook, filter, file system monitor or signing program named in the
//! repository's configuration runs as the server: in the deploy kit's
//! layout the repository is shared with the `loket-editor` group, whom
//! the server must not run code for. Git itself refuses a repository
//! another user owns (an error, logged).
//!
//! The version folder ([`super::versions`]) stays the desk's history; a
//! commit that fails is logged by the caller and undoes nothing. Without
//! git, or outside a repository, nothing happens.

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
    let toplevel = git(site).args(["rev-parse", "--show-toplevel"]).output();
    match crate::core::fs::if_exists(toplevel)? {
        Some(out) if out.status.success() => {}
        // A repository git will not use (another user's): worth a warning.
        Some(out) if String::from_utf8_lossy(&out.stderr).contains("safe.directory") => {
            return Err(GitError::Failed {
                step: "rev-parse",
                stderr: first_line(&out.stderr),
            });
        }
        // No repository, or no git.
        Some(_) | None => return Ok(Committed::NoRepository),
    }
    let file = path.as_str();
    // The file's blob as it is, through no filter the configuration may
    // name; staged in an index of our own over HEAD, so that the commit
    // holds this one change whatever the repository's index holds.
    let blob = match site.join(file).exists() {
        true => Some(text(
            git(site).args(["hash-object", "-w", "--no-filters", "--", file]),
            "hash-object",
        )?),
        false => None,
    };
    let parent = git(site)
        .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .output()?;
    let parent = match parent.status.success() {
        true => Some(String::from_utf8_lossy(&parent.stdout).trim().to_string()),
        false => None, // no commit yet
    };
    let scratch = tempfile::Builder::new().prefix("loket-git-").tempdir()?;
    let index = scratch.path().join("index");
    let ours = || {
        let mut cmd = git(site);
        cmd.env("GIT_INDEX_FILE", &index);
        cmd
    };
    if let Some(parent) = &parent {
        run(ours().args(["read-tree", parent]), "read-tree")?;
    }
    let entry = |mut cmd: Command| {
        match &blob {
            Some(blob) => cmd
                .args(["update-index", "--add", "--cacheinfo"])
                .arg(format!("100644,{blob},{file}")),
            None => cmd.args(["update-index", "--force-remove", "--", file]),
        };
        cmd
    };
    run(&mut entry(ours()), "update-index")?;
    let tree = text(ours().arg("write-tree"), "write-tree")?;
    if let Some(parent) = &parent {
        let before = text(
            git(site).args(["rev-parse", &format!("{parent}^{{tree}}")]),
            "rev-parse",
        )?;
        if before == tree {
            return Ok(Committed::Unchanged);
        }
    }
    let name = plain(&version.author.name);
    let email = format!("{}@loket.invalid", local_part(&version.author.login));
    let mut cmd = git(site);
    if !version.author.at.is_empty() {
        cmd.env("GIT_AUTHOR_DATE", &version.author.at)
            .env("GIT_COMMITTER_DATE", &version.author.at);
    }
    cmd.env("GIT_AUTHOR_NAME", &name)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", &name)
        .env("GIT_COMMITTER_EMAIL", &email)
        .args([
            "commit-tree",
            "--no-gpg-sign",
            &tree,
            "-m",
            &message(path, version),
        ]);
    if let Some(parent) = &parent {
        cmd.args(["-p", parent]);
    }
    let commit = text(&mut cmd, "commit-tree")?;
    // Moves the branch only from the commit we built on ("": none yet).
    let old = parent.as_deref().unwrap_or("");
    run(
        git(site).args(["update-ref", "-m", "loket", "HEAD", &commit, old]),
        "update-ref",
    )?;
    // The repository's own index agrees, so `git status` shows no change.
    run(&mut entry(git(site)), "update-index")?;
    Ok(Committed::Yes)
}

/// What a git command printed, trimmed.
fn text(cmd: &mut Command, step: &'static str) -> Result<String, GitError> {
    let out = run(cmd, step)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
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

    fn repository() -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        let init = git(site.path()).args(["init", "--quiet"]).status().unwrap();
        assert!(init.success());
        std::fs::create_dir(site.path().join("content")).unwrap();
        site
    }

    fn said(site: &Path, args: &[&str]) -> String {
        let out = git(site).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The commit holds the one file as it is, made from no filter the
    /// repository's configuration names (a member of the site's group may
    /// write it: a clean filter would run their command as the server);
    /// ignored files and other staged changes do not matter.
    #[test]
    fn one_file_is_committed_as_it_is_and_no_filter_runs() {
        let site = repository();
        let root = site.path();
        let marker = root.join("filter-ran");
        let filter = format!("touch {} && cat", marker.display());
        let set = git(root)
            .args(["config", "filter.jahat.clean", &filter])
            .status()
            .unwrap();
        assert!(set.success());
        std::fs::write(root.join(".gitattributes"), "*.md filter=jahat\n").unwrap();
        std::fs::write(root.join(".gitignore"), "content/\n").unwrap();
        std::fs::write(root.join("lain.txt"), "lain\n").unwrap();
        assert!(
            git(root)
                .args(["add", "lain.txt"])
                .status()
                .unwrap()
                .success()
        );
        std::fs::write(root.join("content/a.md"), "satu\n").unwrap();
        let path = EditPath::parse("content/a.md").unwrap();
        let got = commit(root, &path, &version(&path));
        assert!(matches!(got, Ok(Committed::Yes)), "{got:?}");
        assert!(!marker.exists(), "the clean filter ran");
        assert_eq!(said(root, &["show", "HEAD:content/a.md"]), "satu");
        assert_eq!(
            said(
                root,
                &["show", "--name-only", "--format=%an <%ae>|%s", "HEAD"]
            ),
            "Sari <sari@loket.invalid>|content/a.md: versi 1 diterbitkan\n\ncontent/a.md"
        );
        // What the operator staged stays staged, not committed.
        assert_eq!(said(root, &["diff", "--cached", "--name-only"]), "lain.txt");
        // The same text again: no commit.
        let again = commit(root, &path, &version(&path));
        assert!(matches!(again, Ok(Committed::Unchanged)), "{again:?}");
        // Removed: a commit without it.
        std::fs::remove_file(root.join("content/a.md")).unwrap();
        let mut removal = version(&path);
        removal.change = Change::Hapus;
        removal.number = 2;
        assert!(matches!(commit(root, &path, &removal), Ok(Committed::Yes)));
        assert_eq!(said(root, &["ls-tree", "-r", "--name-only", "HEAD"]), "");
        assert!(!marker.exists());
    }

    /// A commit that fails (the branch is locked by another git) is an
    /// error for the caller to log; `SiteFiles::record` keeps the version.
    #[test]
    fn a_failed_commit_undoes_nothing() {
        let site = repository();
        let data = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::write(root.join("content/a.md"), "satu\n").unwrap();
        let path = EditPath::parse("content/a.md").unwrap();
        assert!(matches!(
            commit(root, &path, &version(&path)),
            Ok(Committed::Yes)
        ));
        let branch = said(root, &["symbolic-ref", "HEAD"]);
        std::fs::write(root.join(".git").join(format!("{branch}.lock")), "").unwrap();
        std::fs::write(root.join("content/a.md"), "dua\n").unwrap();
        let got = commit(root, &path, &version(&path));
        assert!(
            matches!(
                got,
                Err(GitError::Failed {
                    step: "update-ref",
                    ..
                })
            ),
            "{got:?}"
        );
        let files = super::super::SiteFiles::new(root, data.path());
        let applied = super::super::Applied {
            path: path.clone(),
            text: Some("dua\n".into()),
            previous: Some("satu\n".into()),
        };
        let kept = files
            .record(&applied, Change::Terbit, author(), None)
            .unwrap();
        assert_eq!(kept.number, 1);
        assert_eq!(
            files.versions().text("content/a.md", 1).unwrap().as_deref(),
            Some("dua\n")
        );
        assert_eq!(said(root, &["show", "HEAD:content/a.md"]), "satu");
    }
}
