//! Who runs a command, and whether they may write the data folder.
//!
//! The data folder belongs to the user `loket serve` runs as (`loket` from
//! the package). A command run as root that writes there would leave files
//! only root can read (records, the index, staff.yaml: all 0600), which the
//! server then skips; so, as Gitea does, a writing command run as root
//! refuses a folder that belongs to another user and names the command to
//! run instead. Commands that only read (`show`, `verify`, `staff list`)
//! may run as root. `verify` reports files whose owner is not the folder's.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The person behind a command, for the audit log and a case's history:
/// `SUDO_USER` when sudo ran it (`sudo -u loket loket status …` is Budi's
/// act, not loket's), else the login name of the real user.
pub fn person() -> String {
    if let Ok(name) = std::env::var("SUDO_USER") {
        let name = name.trim();
        if !name.is_empty() {
            return name.to_string();
        }
    }
    let uid = rustix::process::getuid().as_raw();
    name_of(uid).unwrap_or_else(|| format!("uid {uid}"))
}

/// The user name of `uid` from the password file (`/etc/passwd`); `None`
/// when it has none.
pub fn name_of(uid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    name_in(&text, uid)
}

/// The name of `uid` in the text of a password file.
fn name_in(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let listed: u32 = fields.nth(1)?.parse().ok()?;
        (listed == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// How to name `uid` to sudo: its user name, or `#UID` (sudo takes both).
fn sudo_user(uid: u32) -> String {
    name_of(uid).unwrap_or_else(|| format!("#{uid}"))
}

/// The folder `data` or, while it does not exist yet (`restore` makes it),
/// the nearest folder above it that does: whose files a command would make.
fn existing(data: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(data).ok()?;
    absolute
        .ancestors()
        .find(|p| p.exists())
        .map(Path::to_path_buf)
}

/// Refuses to let root write into a data folder that belongs to another
/// user; `command` is the subcommand, for the command to run instead.
pub fn refuse_root_writing(data: &Path, command: &str) -> anyhow::Result<()> {
    if !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    let Some(folder) = existing(data) else {
        return Ok(());
    };
    let Ok(meta) = std::fs::metadata(&folder) else {
        return Ok(());
    };
    if meta.uid() == 0 {
        return Ok(());
    }
    let owner = sudo_user(meta.uid());
    anyhow::bail!(
        "not running `loket {command}` as root: {} belongs to {owner}, and files root writes \
         there (0600) could not be read by loket's service. Run it as that user: \
         sudo -u {owner} loket {command} …",
        folder.display()
    )
}

/// One line per file or folder under `data` whose owner is not the data
/// folder's, with the command that gives it back.
pub fn wrongly_owned(data: &Path) -> Vec<String> {
    let Ok(top) = std::fs::metadata(data) else {
        return Vec::new();
    };
    let owner = top.uid();
    let mut lines = Vec::new();
    for entry in walkdir::WalkDir::new(data)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        // Not following links: a link's own owner.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.uid() != owner {
            let who = |uid: u32| name_of(uid).unwrap_or_else(|| format!("uid {uid}"));
            lines.push(format!(
                "{}: milik {}, bukan {} seperti folder data; server tidak dapat membacanya \
                 (perbaiki: chown {}: {})",
                entry.path().display(),
                who(meta.uid()),
                who(owner),
                name_of(owner).unwrap_or_else(|| owner.to_string()),
                entry.path().display()
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_password_file() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      # a comment\n\
                      loket:x:998:998::/var/lib/loket:/usr/sbin/nologin\n\
                      broken\n";
        assert_eq!(name_in(passwd, 0).as_deref(), Some("root"));
        assert_eq!(name_in(passwd, 998).as_deref(), Some("loket"));
        assert_eq!(name_in(passwd, 1000), None);
    }

    #[test]
    fn a_folder_yet_to_be_made_is_judged_by_the_one_above() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a/b");
        assert_eq!(existing(&inner).as_deref(), Some(dir.path()));
    }
}
